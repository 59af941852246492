import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Verification of the recording-ready callback token (reference §5.1).
 *
 * BBB POSTs `signed_parameters=<JWT>` signed with the shared secret, HS256 (ruby-jwt default); Scalelite signs
 * with its own secret, HS256 or HS512. Only HMAC algorithms are accepted, so `alg: none` and asymmetric
 * algorithms (the classic key-confusion attacks) are refused. The token has no `exp`/`iat`, so it can be
 * replayed: treat it as a hint and confirm with getRecordings before acting.
 */

const HMAC: Readonly<Record<string, string>> = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' };

export interface RecordingReadyClaims {
  meeting_id: string;
  record_id: string;
}

function decodeJson(segment: string): unknown {
  try {
    return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

/**
 * Returns `{ meeting_id, record_id }` when `token` is an HS256/HS384/HS512 JWT signed with one of `secrets`
 * (several: BBB nodes, Scalelite, rotation), otherwise `null`. The signature must be the canonical base64url
 * encoding: variants differing only in unused padding bits are refused too.
 */
export function verifyRecordingReadyToken(token: string, secrets: string[]): RecordingReadyClaims | null {
  const parts = token.trim().split('.');
  if (parts.length !== 3) return null;
  const [h, p, s] = parts as [string, string, string];
  if (!h || !p || !s) return null;
  const header = decodeJson(h);
  if (header === null || typeof header !== 'object') return null;
  const alg = (header as { alg?: unknown }).alg;
  const hmacAlgo = typeof alg === 'string' && Object.hasOwn(HMAC, alg) ? HMAC[alg] : undefined;
  if (!hmacAlgo) return null;
  const given = Buffer.from(s, 'utf8');
  let valid = false;
  for (const secret of secrets) {
    if (!secret) continue;
    const expected = Buffer.from(
      createHmac(hmacAlgo, secret).update(`${h}.${p}`).digest('base64url'),
      'utf8',
    );
    if (expected.length === given.length && timingSafeEqual(expected, given)) {
      valid = true;
      break;
    }
  }
  if (!valid) return null;
  const claims = decodeJson(p);
  if (claims === null || typeof claims !== 'object') return null;
  const { meeting_id, record_id } = claims as { meeting_id?: unknown; record_id?: unknown };
  return typeof meeting_id === 'string' && typeof record_id === 'string' ? { meeting_id, record_id } : null;
}
