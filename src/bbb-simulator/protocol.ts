/**
 * Wire-level pieces of the BBB simulator, written independently of src/bbb so that a bug in the client's
 * checksum or encoding cannot be mirrored here and go unnoticed (shared/reference/bbb-api.md §2, §3.0, §5.1).
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export type SimChecksumAlgorithm = 'sha1' | 'sha256' | 'sha384' | 'sha512';

/** bbb-web infers the algorithm from the hex length (reference §2.2). */
const BY_LENGTH: Readonly<Record<number, SimChecksumAlgorithm>> = {
  40: 'sha1',
  64: 'sha256',
  96: 'sha384',
  128: 'sha512',
};

/**
 * Verifies `checksum` the way bbb-web does (reference §2.1): take the raw query as received, remove the checksum
 * parameter by plain text replacement, hash `call + rest + secret` with the algorithm implied by the length, and
 * compare case-insensitively. A disallowed algorithm fails exactly like a wrong secret. Two checksums fail.
 */
export function verifyChecksum(
  call: string,
  rawQuery: string,
  secret: string,
  accepted: ReadonlySet<SimChecksumAlgorithm>,
): boolean {
  const sums = rawQuery
    .split('&')
    .filter((part) => part.startsWith('checksum='))
    .map((part) => part.slice('checksum='.length));
  if (sums.length !== 1) return false;
  const given = (sums[0] ?? '').toLowerCase();
  const algo = BY_LENGTH[given.length];
  if (!algo || !accepted.has(algo) || !/^[0-9a-f]+$/.test(given)) return false;
  const raw = sums[0] ?? '';
  let rest = rawQuery;
  for (const pattern of [`&checksum=${raw}`, `checksum=${raw}&`, `checksum=${raw}`]) {
    if (rest.includes(pattern)) {
      rest = rest.replace(pattern, '');
      break;
    }
  }
  const expected = createHash(algo)
    .update(call + rest + secret, 'utf8')
    .digest('hex');
  return timingSafeEqual(Buffer.from(expected), Buffer.from(given));
}

export function sha1Hex(value: string): string {
  return createHash('sha1').update(value, 'utf8').digest('hex');
}

/** Recording-ready token: HS256 (BBB; ruby-jwt) or HS512 (Scalelite without SHA256), reference §5.1. */
export function signJwt(payload: object, secret: string, alg: 'HS256' | 'HS512'): string {
  const b64 = (v: object) => Buffer.from(JSON.stringify(v), 'utf8').toString('base64url');
  const input = `${b64({ typ: 'JWT', alg })}.${b64(payload)}`;
  const sig = createHmac(alg === 'HS256' ? 'sha256' : 'sha512', secret)
    .update(input)
    .digest('base64url');
  return `${input}.${sig}`;
}

// ---------------------------------------------------------------------------------------------------------------
// XML writing

export type XmlValue = string | number | boolean | undefined | XmlElement[];
export interface XmlElement {
  name: string;
  value: XmlValue;
  attrs?: Record<string, string | number>;
}

export function el(name: string, value: XmlValue, attrs?: Record<string, string | number>): XmlElement {
  return attrs ? { name, value, attrs } : { name, value };
}

export function escapeXml(s: string): string {
  return s.replace(
    /[<>&'"]/g,
    (c) => `&${{ '<': 'lt', '>': 'gt', '&': 'amp', "'": 'apos', '"': 'quot' }[c]};`,
  );
}

function write(e: XmlElement): string {
  if (e.value === undefined) return '';
  const attrs = Object.entries(e.attrs ?? {})
    .map(([k, v]) => ` ${k}="${escapeXml(String(v))}"`)
    .join('');
  if (Array.isArray(e.value)) {
    const inner = e.value.map(write).join('');
    return inner === '' ? `<${e.name}${attrs}/>` : `<${e.name}${attrs}>${inner}</${e.name}>`;
  }
  return `<${e.name}${attrs}>${escapeXml(String(e.value))}</${e.name}>`;
}

/** `<response>` envelope. Elements whose value is `undefined` are left out (as bbb-web's templates do). */
export function responseXml(returncode: 'SUCCESS' | 'FAILED', children: XmlElement[]): string {
  return `<response>${write(el('returncode', returncode))}${children.map(write).join('')}</response>`;
}

export function failedXml(messageKey: string, message: string): string {
  return responseXml('FAILED', [el('messageKey', messageKey), el('message', message)]);
}
