// Whether the homeserver shows the bot's device as cross-signed by its owner (what `npm run check` and
// the start-up log say), read from a /keys/query answer with real ed25519 signatures.
import { describe, expect, it } from 'vitest';
import { canonicalJson, deviceTrust } from '../../../src/matrix/e2ee/device-trust.js';
import { type KeysWorldOptions, keysWorld } from '../../support/cross-signing-keys.js';

const USER = '@bot:example.org';
const DEVICE = 'BOTDEVICE';

function world(opts: KeysWorldOptions = {}) {
  const keys = keysWorld(USER, DEVICE);
  return { query: keys.query(opts), master: { pub: keys.masterKey } };
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
