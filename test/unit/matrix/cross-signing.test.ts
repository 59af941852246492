// How the bot gets its device cross-signed at start-up, decided against a homeserver whose key listing
// carries real signatures (faked in memory) and an engine that holds, or lacks, the account's keys.
import { describe, expect, it } from 'vitest';
import type { AccountApi } from '../../../src/matrix/e2ee/account-api.js';
import { type CryptoMachine, ensureCrossSigned } from '../../../src/matrix/e2ee/cross-signing.js';
import type { SecretStorage } from '../../../src/matrix/e2ee/secret-storage.js';
import { keysWorld } from '../../support/cross-signing-keys.js';

const USER = '@bot:example.org';
const DEVICE = 'BOTDEVICE';

/**
 * The account on the homeserver and the bot's engine. `engineKeys`: which cross-signing keys the
 * device's store holds ('current' = the account's, 'stale' = older ones, 'none'); `stored`: the
 * self-signing key in secret storage ('current', or null for none). Unless said otherwise, the account
 * has cross-signing keys and the device is not signed.
 */
function setup(given: {
  crossSigning?: boolean;
  deviceSigned?: boolean;
  engineKeys: 'current' | 'stale' | 'none';
  stored?: 'current' | null;
  password?: string;
  withStorage?: boolean;
}) {
  const state = { crossSigning: true, deviceSigned: false, ...given };
  const keys = keysWorld(USER, DEVICE);
  const reset = keysWorld(USER, DEVICE); // the identity a reset makes
  let identity = keys;
  const calls: string[] = [];
  const api = {
    userId: USER,
    queryOwnKeys: async () =>
      identity.query({ crossSigning: state.crossSigning, signDevice: state.deviceSigned }),
    ok: async (method: string, path: string) => {
      calls.push(`${method} ${path}`);
      return {};
    },
    uploadSigningKeys: async (_body: unknown, password: string | undefined) => {
      if (state.crossSigning && !password) throw new Error('the homeserver wants the account password');
      calls.push('upload signing keys');
      if (state.crossSigning) identity = reset;
      state.crossSigning = true;
    },
    uploadSignatures: async (body: { by?: string }) => {
      calls.push(`upload signatures by ${body.by}`);
      if (body.by === 'current' || body.by === 'new') state.deviceSigned = true;
      return {};
    },
  } as unknown as AccountApi;
  const machine = {
    crossSigningStatus: async () => {
      const has = state.engineKeys !== 'none';
      return { hasMaster: has, hasSelfSigning: has, hasUserSigning: has };
    },
    signOwnDevice: async () => ({ id: undefined, type: 4, body: JSON.stringify({ by: state.engineKeys }) }),
    bootstrapCrossSigning: async () => {
      state.engineKeys = 'current';
      return {
        uploadKeys: null,
        uploadSigningKeys: { body: '{}' },
        uploadSignatures: { id: undefined, type: 4, body: JSON.stringify({ by: 'new' }) },
      };
    },
    importCrossSigningKeys: async (k: { selfSigning?: string }) => {
      if (k.selfSigning === 'current') state.engineKeys = 'current';
      const has = state.engineKeys === 'current';
      return { hasMaster: has, hasSelfSigning: has, hasUserSigning: has };
    },
    markSignaturesSent: async () => {},
    markRequestAsSent: async () => true,
  } as unknown as CryptoMachine;
  const storage = {
    get: async (name: string) => (name === 'm.cross_signing.self_signing' ? (state.stored ?? null) : 'x'),
  } as unknown as SecretStorage;
  const run = () =>
    ensureCrossSigned({
      api,
      machine,
      deviceId: DEVICE,
      password: state.password,
      storage: state.withStorage === false ? null : storage,
    });
  return { run, calls, oldMaster: keys.masterKey };
}

describe('ensureCrossSigned', () => {
  it('a signed device: nothing is uploaded', async () => {
    const s = setup({ deviceSigned: true, engineKeys: 'current' });
    expect(await s.run()).toEqual({ kind: 'signed', masterKey: s.oldMaster });
    expect(s.calls).toEqual([]);
  });

  it('an account without cross-signing: new keys (no password needed the first time), the device signed', async () => {
    const s = setup({ crossSigning: false, engineKeys: 'none' });
    expect(await s.run()).toEqual({ kind: 'created', masterKey: s.oldMaster });
    expect(s.calls).toEqual(['upload signing keys', 'upload signatures by new']);
  });

  it('a device that lost its signature is signed again with the keys in its store', async () => {
    const s = setup({ engineKeys: 'current' });
    expect(await s.run()).toEqual({ kind: 'signed-now', masterKey: s.oldMaster, from: 'store' });
  });

  it('a new device signs with the keys from secret storage', async () => {
    const s = setup({ engineKeys: 'none', stored: 'current' });
    expect(await s.run()).toEqual({ kind: 'signed-now', masterKey: s.oldMaster, from: 'secret storage' });
  });

  it('stale keys in the store (someone reset the account elsewhere): secret storage is tried next', async () => {
    const s = setup({ engineKeys: 'stale', stored: 'current' });
    expect(await s.run()).toMatchObject({ kind: 'signed-now', from: 'secret storage' });
    expect(s.calls).toEqual(['upload signatures by stale', 'upload signatures by current']);
  });

  it('keys nowhere: with the password a new identity, without it the device stays unsigned and says why', async () => {
    const withPassword = setup({ engineKeys: 'none', stored: null, password: 'pw' });
    const outcome = await withPassword.run();
    expect(outcome).toMatchObject({ kind: 'reset' });
    expect(outcome).not.toMatchObject({ masterKey: withPassword.oldMaster });

    const without = setup({ engineKeys: 'none', stored: null });
    expect(await without.run()).toEqual({
      kind: 'unsigned',
      reason: 'secret storage holds no cross-signing keys; with matrix.password the bot would make new ones',
    });
    expect(without.calls).toEqual([]);
  });

  it('no recovery key and no keys on the device: unsigned, and nothing changes on the account', async () => {
    const s = setup({ engineKeys: 'none', withStorage: false, password: 'pw' });
    expect(await s.run()).toMatchObject({
      kind: 'unsigned',
      reason: expect.stringContaining('there is no recovery key to read them from secret storage'),
    });
    expect(s.calls).toEqual([]);
  });
});
