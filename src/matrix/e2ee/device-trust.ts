import { verify } from 'node:crypto';

// Whether the homeserver shows the bot's device as cross-signed by its owner, read from a
// `/keys/query` answer the way other clients read it: the user's self-signing key is signed by the
// master key, and the device's keys are signed by the self-signing key (ed25519 over the spec's
// canonical JSON). Clients that exclude insecure devices (Element since April 2026, MSC4153) talk
// only to devices for which both hold.

export type DeviceTrust =
  | { kind: 'signed'; masterKey: string }
  /** The account has no cross-signing keys yet. */
  | { kind: 'no-cross-signing' }
  | { kind: 'unsigned'; masterKey: string; reason: string }
  | { kind: 'unknown-device' };

type Json = Record<string, unknown>;

export function deviceTrust(keysQuery: Json, userId: string, deviceId: string): DeviceTrust {
  const master = (keysQuery.master_keys as Json | undefined)?.[userId] as Json | undefined;
  const selfSigning = (keysQuery.self_signing_keys as Json | undefined)?.[userId] as Json | undefined;
  const device = ((keysQuery.device_keys as Json | undefined)?.[userId] as Json | undefined)?.[deviceId] as
    | Json
    | undefined;
  if (!device) return { kind: 'unknown-device' };
  const masterKey = onlyKey(master);
  if (!master || !masterKey) return { kind: 'no-cross-signing' };
  const selfKey = onlyKey(selfSigning);
  if (!selfSigning || !selfKey)
    return { kind: 'unsigned', masterKey: masterKey.key, reason: 'the account has no self-signing key' };
  if (!signedBy(selfSigning, userId, masterKey))
    return {
      kind: 'unsigned',
      masterKey: masterKey.key,
      reason: 'the self-signing key is not signed by the master key',
    };
  if (!signedBy(device, userId, selfKey))
    return {
      kind: 'unsigned',
      masterKey: masterKey.key,
      reason: `device ${deviceId} is not signed by the self-signing key`,
    };
  return { kind: 'signed', masterKey: masterKey.key };
}

/** The one ed25519 key of a cross-signing key object: its key ID and unpadded base64 value. */
function onlyKey(obj: Json | undefined): { id: string; key: string } | null {
  const keys = obj?.keys as Record<string, string> | undefined;
  const entry = keys && Object.entries(keys).find(([id]) => id.startsWith('ed25519:'));
  return entry ? { id: entry[0], key: entry[1] } : null;
}

/** Whether `obj` carries a valid signature by `signer` under `userId`. */
export function signedBy(obj: Json, userId: string, signer: { id: string; key: string }): boolean {
  const signature = ((obj.signatures as Json | undefined)?.[userId] as Json | undefined)?.[signer.id];
  if (typeof signature !== 'string') return false;
  const { signatures: _s, unsigned: _u, ...signed } = obj;
  try {
    return verify(
      null,
      Buffer.from(canonicalJson(signed)),
      { key: { kty: 'OKP', crv: 'Ed25519', x: base64url(signer.key) }, format: 'jwk' },
      Buffer.from(signature, 'base64'),
    );
  } catch {
    return false;
  }
}

/** The spec's canonical JSON: keys sorted, no insignificant whitespace, UTF-8. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Json)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function base64url(unpadded: string): string {
  return unpadded.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
