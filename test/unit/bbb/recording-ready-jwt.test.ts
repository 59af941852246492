import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { verifyRecordingReadyToken } from '../../../src/bbb/index.js';

// Vectors of shared/reference/bbb-api.md §5.1.
const SECRET = '639259d4-9dd8-4b25-bf01-95f9567eaf4b';
const CLAIMS = { meeting_id: 'team-42', record_id: '183f0bf3a0982a127bdb8161e0c44eb696b3e75c-1531240939218' };
const JWT_TYP =
  'eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJtZWV0aW5nX2lkIjoidGVhbS00MiIsInJlY29yZF9pZCI6IjE4M2YwYmYzYTA5ODJhMTI3YmRiODE2MWUwYzQ0ZWI2OTZiM2U3NWMtMTUzMTI0MDkzOTIxOCJ9.EVc_FblEE-y9omlJ1wFDJZACbV6uR6EebuNkS56V-NQ';
const JWT_RUBY =
  'eyJhbGciOiJIUzI1NiJ9.eyJtZWV0aW5nX2lkIjoidGVhbS00MiIsInJlY29yZF9pZCI6IjE4M2YwYmYzYTA5ODJhMTI3YmRiODE2MWUwYzQ0ZWI2OTZiM2U3NWMtMTUzMTI0MDkzOTIxOCJ9.hP0njfG_Yb94D3hTrhM_2d4N0gGhLLPK7nOqVR6NJuM';

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
/** A token over `header` and `payload`, signed with SECRET by HMAC-`algo`. */
function sign(header: object, payload: object, algo: string): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${createHmac(algo, SECRET).update(input).digest('base64url')}`;
}
const verify = (token: string, secrets = [SECRET]) => verifyRecordingReadyToken(token, secrets);

describe('verifyRecordingReadyToken', () => {
  it('accepts the docs-style HS256 vector', () => {
    expect(verify(JWT_TYP)).toEqual(CLAIMS);
  });

  it('accepts the ruby-jwt-style vector without typ', () => {
    expect(verify(JWT_RUBY)).toEqual(CLAIMS);
  });

  it('refuses a wrong secret', () => {
    expect(verify(JWT_TYP, ['not-the-secret'])).toBeNull();
  });

  it('tries several secrets (BBB node, Scalelite, rotation)', () => {
    expect(verify(JWT_TYP, ['old-secret', '', SECRET])).toEqual(CLAIMS);
    expect(verify(JWT_TYP, [])).toBeNull();
  });

  it('refuses a modified signature, a modified payload and a non-canonical signature encoding', () => {
    const [h, p, s] = JWT_TYP.split('.') as [string, string, string];
    const flipped = `${s.slice(0, 10)}${s[10] === 'A' ? 'B' : 'A'}${s.slice(11)}`;
    expect(verify(`${h}.${p}.${flipped}`)).toBeNull();
    const forged = b64({ meeting_id: 'team-42', record_id: 'someone-elses' });
    expect(verify(`${h}.${forged}.${s}`)).toBeNull();
    // Same bytes, different unused padding bits in the last character: jose accepts this, we do not.
    const last = s.at(-1)!;
    const variant = `${s.slice(0, -1)}${last === 'Q' ? 'R' : 'Q'}`;
    expect(Buffer.from(variant, 'base64url').equals(Buffer.from(s, 'base64url'))).toBe(true);
    expect(verify(`${h}.${p}.${variant}`)).toBeNull();
  });

  it('refuses alg none, even with an empty or HMAC-looking signature', () => {
    const header = b64({ alg: 'none', typ: 'JWT' });
    const payload = b64(CLAIMS);
    expect(verify(`${header}.${payload}.`)).toBeNull();
    const hmac = createHmac('sha256', SECRET).update(`${header}.${payload}`).digest('base64url');
    expect(verify(`${header}.${payload}.${hmac}`)).toBeNull();
  });

  it('refuses asymmetric algorithms signed with the secret as an HMAC key', () => {
    expect(verify(sign({ alg: 'RS256' }, CLAIMS, 'sha256'))).toBeNull();
  });

  it('accepts HS512 (Scalelite without SHA256) and HS384', () => {
    expect(verify(sign({ alg: 'HS512' }, CLAIMS, 'sha512'))).toEqual(CLAIMS);
    expect(verify(sign({ alg: 'HS384' }, CLAIMS, 'sha384'))).toEqual(CLAIMS);
  });

  it('refuses a header that lies about the algorithm', () => {
    expect(verify(sign({ alg: 'HS512' }, CLAIMS, 'sha256'))).toBeNull();
  });

  it('refuses malformed tokens and claims without string IDs', () => {
    expect(verify('')).toBeNull();
    expect(verify('a.b')).toBeNull();
    expect(verify('!!!.???.###')).toBeNull();
    expect(verify(sign({ alg: 'HS256' }, { meeting_id: 'm' }, 'sha256'))).toBeNull();
    expect(verify(sign({ alg: 'HS256' }, { meeting_id: 1, record_id: 2 }, 'sha256'))).toBeNull();
  });

  it('returns only the two claims', () => {
    const token = sign({ alg: 'HS256' }, { ...CLAIMS, admin: true }, 'sha256');
    expect(verify(token)).toEqual(CLAIMS);
  });
});
