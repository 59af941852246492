// A /keys/query answer for one user with real ed25519 keys and signatures (node:crypto), shaped as
// Synapse serves it: the device's keys, the master and self-signing keys, each signed as the spec says.
// For tests of how the bot reads whether its device is cross-signed.
import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { canonicalJson } from '../../src/matrix/e2ee/device-trust.js';

function keyPair() {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const x = publicKey.export({ format: 'jwk' }).x!;
  return { privateKey, pub: Buffer.from(x, 'base64url').toString('base64').replace(/=+$/, '') };
}

function signed<T extends Record<string, unknown>>(
  obj: T,
  userId: string,
  keyId: string,
  privateKey: KeyObject,
): T {
  // The spec signs the object without `signatures` and `unsigned`.
  const {
    signatures,
    unsigned: _unsigned,
    ...rest
  } = obj as T & {
    signatures?: Record<string, Record<string, string>>;
    unsigned?: unknown;
  };
  const sig = sign(null, Buffer.from(canonicalJson(rest)), privateKey)
    .toString('base64')
    .replace(/=+$/, '');
  return { ...obj, signatures: { ...signatures, [userId]: { ...signatures?.[userId], [keyId]: sig } } };
}

export interface KeysWorldOptions {
  /** The device carries the self-signing key's signature (default true). */
  signDevice?: boolean;
  /** The self-signing key carries the master key's signature (default true). */
  signSelfSigning?: boolean;
  /** The account has cross-signing keys at all (default true). */
  crossSigning?: boolean;
}

/** One user's keys; `query(opts)` is the /keys/query answer in that state (same keys every time). */
export function keysWorld(userId: string, deviceId: string) {
  const master = keyPair();
  const selfSigning = keyPair();
  const device = keyPair();
  const masterId = `ed25519:${master.pub}`;
  const selfId = `ed25519:${selfSigning.pub}`;
  const query = (opts: KeysWorldOptions = {}): Record<string, unknown> => {
    let deviceKeys: Record<string, unknown> = {
      user_id: userId,
      device_id: deviceId,
      algorithms: ['m.olm.v1.curve25519-aes-sha2', 'm.megolm.v1.aes-sha2'],
      keys: { [`ed25519:${deviceId}`]: device.pub, [`curve25519:${deviceId}`]: 'curve' },
      unsigned: { device_display_name: 'Consent meeting bot' },
    };
    deviceKeys = signed(deviceKeys, userId, `ed25519:${deviceId}`, device.privateKey);
    if (opts.signDevice !== false) deviceKeys = signed(deviceKeys, userId, selfId, selfSigning.privateKey);
    let selfKey: Record<string, unknown> = {
      user_id: userId,
      usage: ['self_signing'],
      keys: { [selfId]: selfSigning.pub },
    };
    if (opts.signSelfSigning !== false) selfKey = signed(selfKey, userId, masterId, master.privateKey);
    const answer: Record<string, unknown> = { device_keys: { [userId]: { [deviceId]: deviceKeys } } };
    if (opts.crossSigning !== false) {
      answer.master_keys = {
        [userId]: { user_id: userId, usage: ['master'], keys: { [masterId]: master.pub } },
      };
      answer.self_signing_keys = { [userId]: selfKey };
    }
    return answer;
  };
  return { query, masterKey: master.pub };
}
