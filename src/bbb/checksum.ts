import { createHash } from 'node:crypto';
import { buildQuery, type ParamValue } from './encoding.js';
import type { ChecksumAlgorithm } from './types.js';

/**
 * `lowercase_hex(HASH(call + query + secret))` (reference §2.1). `query` is the exact string sent, without `?`
 * and without the checksum parameter; the empty string for a call without parameters.
 * The server infers the algorithm from the hex length and announces nothing, so it is configuration (§2.2).
 */
export function checksum(
  call: string,
  query: string,
  secret: string,
  algo: ChecksumAlgorithm = 'sha256',
): string {
  return createHash(algo)
    .update(call + query + secret, 'utf8')
    .digest('hex');
}

/**
 * Signed URL for `call`: the query is built once, hashed, and `checksum` appended last and once (recent bbb-web
 * rejects two checksums, reference §2.1). `apiBase` is like `https://host/bigbluebutton/api` (no trailing slash).
 */
export function signedUrl(
  apiBase: string,
  call: string,
  params: Readonly<Record<string, ParamValue>>,
  secret: string,
  algo: ChecksumAlgorithm,
): string {
  const query = buildQuery(params);
  const sum = checksum(call, query, secret, algo);
  return `${apiBase}/${call}?${query ? `${query}&` : ''}checksum=${sum}`;
}
