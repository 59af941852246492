// Whether the homeserver shows the bot's device as cross-signed by its owner (what `npm run check` and
// the start-up log say), read from a /keys/query answer with real ed25519 signatures.
import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalJson, deviceTrust } from '../../../src/matrix/device-trust.js';

const USER = '@bot:example.org';
const DEVICE = 'BOTDEVICE';

function keyPair() {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const x = publicKey.export({ format: 'jwk' }).x!;
  return { privateKey, pub: Buffer.from(x, 'base64url').toString('base64').replace(/=+$/, '') };
}

function signed<T extends Record<string, unknown>>(obj: T, keyId: string, privateKey: KeyObject): T {
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
  return { ...obj, signatures: { ...signatures, [USER]: { ...signatures?.[USER], [keyId]: sig } } };
}

function world(opts: { signDevice?: boolean; signSelfSigning?: boolean; crossSigning?: boolean } = {}) {
  const master = keyPair();
  const selfSigning = keyPair();
  const device = keyPair();
  const masterId = `ed25519:${master.pub}`;
  const selfId = `ed25519:${selfSigning.pub}`;
  let deviceKeys: Record<string, unknown> = {
    user_id: USER,
    device_id: DEVICE,
    algorithms: ['m.olm.v1.curve25519-aes-sha2', 'm.megolm.v1.aes-sha2'],
    keys: { [`ed25519:${DEVICE}`]: device.pub, [`curve25519:${DEVICE}`]: 'curve' },
    unsigned: { device_display_name: 'Consent meeting bot' },
  };
  deviceKeys = signed(deviceKeys, `ed25519:${DEVICE}`, device.privateKey);
  if (opts.signDevice !== false) deviceKeys = signed(deviceKeys, selfId, selfSigning.privateKey);
  let selfKey: Record<string, unknown> = {
    user_id: USER,
    usage: ['self_signing'],
    keys: { [selfId]: selfSigning.pub },
  };
  if (opts.signSelfSigning !== false) selfKey = signed(selfKey, masterId, master.privateKey);
  const query: Record<string, unknown> = { device_keys: { [USER]: { [DEVICE]: deviceKeys } } };
  if (opts.crossSigning !== false) {
    query.master_keys = { [USER]: { user_id: USER, usage: ['master'], keys: { [masterId]: master.pub } } };
    query.self_signing_keys = { [USER]: selfKey };
  }
  return { query, master };
}

describe('deviceTrust', () => {
  it('signed: the device by the self-signing key, that one by the master key', () => {
    const { query, master } = world();
    expect(deviceTrust(query, USER, DEVICE)).toEqual({ kind: 'signed', masterKey: master.pub });
  });

  it('a device without the self-signing signature is unsigned, and says so', () => {
    expect(deviceTrust(world({ signDevice: false }).query, USER, DEVICE)).toMatchObject({
      kind: 'unsigned',
      reason: `device ${DEVICE} is not signed by the self-signing key`,
    });
  });

  it('a self-signing key the master key did not sign does not count', () => {
    expect(deviceTrust(world({ signSelfSigning: false }).query, USER, DEVICE)).toMatchObject({
      kind: 'unsigned',
      reason: 'the self-signing key is not signed by the master key',
    });
  });

  it('a signature that does not verify (the device keys changed after signing) does not count', () => {
    const { query } = world();
    const device = (query.device_keys as Record<string, Record<string, Record<string, unknown>>>)[USER]![
      DEVICE
    ]!;
    device.algorithms = ['m.olm.v1.curve25519-aes-sha2'];
    expect(deviceTrust(query, USER, DEVICE)).toMatchObject({ kind: 'unsigned' });
  });

  it('no cross-signing keys on the account; a device the homeserver does not list', () => {
    expect(deviceTrust(world({ crossSigning: false }).query, USER, DEVICE)).toEqual({
      kind: 'no-cross-signing',
    });
    expect(deviceTrust(world().query, USER, 'OTHER')).toEqual({ kind: 'unknown-device' });
  });
});

describe('canonicalJson', () => {
  it('sorts keys at every level and leaves out whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 'ü', y: null }], c: true } })).toBe(
      '{"a":{"c":true,"d":[1,{"y":null,"z":"ü"}]},"b":1}',
    );
  });
});
