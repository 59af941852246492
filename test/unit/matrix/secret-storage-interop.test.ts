// The bot's secret storage and recovery key against matrix-js-sdk 43 (what Element Web builds on): a
// recovery key made by one is read by the other, and a secret stored by one is read by the other,
// through the same account data (in memory here, shaped as the homeserver serves it).

import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import {
  decodeRecoveryKey as jsDecode,
  encodeRecoveryKey as jsEncode,
} from 'matrix-js-sdk/lib/crypto-api/recovery-key.js';
import { ServerSideSecretStorageImpl } from 'matrix-js-sdk/lib/secret-storage.js';
import { describe, expect, it } from 'vitest';
import {
  decodeRecoveryKey,
  encodeRecoveryKey,
  generateRecoveryKey,
  isPlaceholderKey,
} from '../../../src/config/recovery-key.js';
import { AccountApi } from '../../../src/matrix/e2ee/account-api.js';
import { DEFAULT_KEY, SecretStorage } from '../../../src/matrix/e2ee/secret-storage.js';

const USER = '@bot:example.org';

/** One account's data, reachable by the bot (over HTTP, faked) and by matrix-js-sdk (its adapter). */
function account() {
  const data = new Map<string, Record<string, unknown>>();
  const prefix = `/_matrix/client/v3/user/${encodeURIComponent(USER)}/account_data/`;
  const fakeFetch = (async (url: string, init?: RequestInit) => {
    const type = decodeURIComponent(new URL(url).pathname.slice(prefix.length));
    if (init?.method === 'PUT') {
      data.set(type, JSON.parse(String(init.body)));
      return Response.json({});
    }
    const content = data.get(type);
    return content ? Response.json(content) : Response.json({ errcode: 'M_NOT_FOUND' }, { status: 404 });
  }) as typeof fetch;
  const emitter = new EventEmitter();
  const js = Object.assign(emitter, {
    getAccountDataFromServer: async (type: string) => data.get(type) ?? null,
    setAccountData: async (type: string, content: Record<string, unknown>) => {
      data.set(type, content);
      emitter.emit('accountData', { getType: () => type, getContent: () => content });
      return {};
    },
  });
  return { data, api: new AccountApi('https://hs.example.org', 'token', USER, fakeFetch), js };
}

function jsStorage(js: ReturnType<typeof account>['js'], key: Uint8Array) {
  return new ServerSideSecretStorageImpl(js as never, {
    getSecretStorageKey: async ({ keys }) => {
      const [keyId] = Object.keys(keys);
      return keyId ? [keyId, new Uint8Array(key)] : null;
    },
  });
}

describe('recovery key', () => {
  it("is read by matrix-js-sdk, and reads matrix-js-sdk's", () => {
    const key = randomBytes(32);
    expect(Buffer.from(jsDecode(encodeRecoveryKey(key)))).toEqual(key);
    expect(decodeRecoveryKey(jsEncode(key)!)).toEqual(key);
    expect(encodeRecoveryKey(key)).toBe(jsEncode(key));
  });

  it('is shown in groups of four and refuses a typo (parity), a wrong prefix and a wrong length', () => {
    const shown = generateRecoveryKey();
    expect(shown).toMatch(/^(\S{4} ){11}\S{4}$/);
    expect(decodeRecoveryKey(shown.replace(/ /g, ''))).toHaveLength(32);
    const last = shown.at(-1) === 'a' ? 'b' : 'a';
    expect(() => decodeRecoveryKey(shown.slice(0, -1) + last)).toThrow(/parity|prefix|length/);
    expect(() => decodeRecoveryKey(shown.slice(0, -5))).toThrow(/length|prefix/);
    expect(() => decodeRecoveryKey('0OIl')).toThrow(/base58/);
  });

  it("config.example.json's key is the all-zero placeholder the bot refuses to use", () => {
    const example = JSON.parse(readFileSync('config.example.json', 'utf8')) as {
      matrix: { recoveryKey: string };
    };
    expect(isPlaceholderKey(decodeRecoveryKey(example.matrix.recoveryKey))).toBe(true);
    expect(isPlaceholderKey(decodeRecoveryKey(generateRecoveryKey()))).toBe(false);
  });
});

describe('secret storage (m.secret_storage.v1.aes-hmac-sha2)', () => {
  it('reads a secret matrix-js-sdk stored under its default key', async () => {
    const { api, js } = account();
    const key = randomBytes(32);
    const storage = jsStorage(js, key);
    const { keyId } = await storage.addKey('m.secret_storage.v1.aes-hmac-sha2', { key: new Uint8Array(key) });
    await storage.setDefaultKeyId(keyId);
    await storage.store('m.cross_signing.master', 'c2VlZCBvZiB0aGUgbWFzdGVyIGtleQ');

    const opened = await SecretStorage.open(api, key);
    expect(opened).toMatchObject({ kind: 'open', created: false });
    if (opened.kind !== 'open') return;
    expect(opened.storage.keyId).toBe(keyId);
    expect(await opened.storage.get('m.cross_signing.master')).toBe('c2VlZCBvZiB0aGUgbWFzdGVyIGtleQ');
    expect(await opened.storage.get('m.megolm_backup.v1')).toBeNull();
  });

  it('stores secrets matrix-js-sdk reads, under a default key it accepts', async () => {
    const { api, js } = account();
    const key = randomBytes(32);
    const opened = await SecretStorage.open(api, key);
    expect(opened).toMatchObject({ kind: 'open', created: true });
    if (opened.kind !== 'open') return;
    await opened.storage.store('m.megolm_backup.v1', 'YmFja3VwIGtleQ');

    const storage = jsStorage(js, key);
    expect(await storage.getDefaultKeyId()).toBe(opened.storage.keyId);
    const [, info] = (await storage.getKey())!;
    expect(await storage.checkKey(new Uint8Array(key), info)).toBe(true);
    expect(await storage.checkKey(new Uint8Array(randomBytes(32)), info)).toBe(false);
    expect(await storage.get('m.megolm_backup.v1')).toBe('YmFja3VwIGtleQ');
  });

  it('never replaces secret storage that the configured key does not open', async () => {
    const { api, js, data } = account();
    const storage = jsStorage(js, randomBytes(32));
    const { keyId } = await storage.addKey('m.secret_storage.v1.aes-hmac-sha2', {
      key: new Uint8Array(randomBytes(32)),
    });
    await storage.setDefaultKeyId(keyId);
    const before = structuredClone([...data]);

    expect(await SecretStorage.open(api, randomBytes(32))).toEqual({ kind: 'wrong-key', keyId });
    expect([...data]).toEqual(before);
    expect(data.get(DEFAULT_KEY)).toEqual({ key: keyId });
  });

  it('a secret read with the wrong key fails instead of returning garbage', async () => {
    const { api } = account();
    const key = randomBytes(32);
    const opened = await SecretStorage.open(api, key);
    if (opened.kind !== 'open') throw new Error('not opened');
    await opened.storage.store('m.cross_signing.self_signing', 'secret');
    // Same key ID, other key bytes: the MAC check refuses.
    const forged = Object.create(SecretStorage.prototype, {
      api: { value: (opened.storage as unknown as { api: AccountApi }).api },
      keyId: { value: opened.storage.keyId },
      key: { value: randomBytes(32) },
    }) as SecretStorage;
    await expect(forged.get('m.cross_signing.self_signing')).rejects.toThrow(/does not open/);
  });
});
