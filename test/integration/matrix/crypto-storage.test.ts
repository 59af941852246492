// The SDK's bookkeeping beside the device's keys (device ID, each room's encryption settings), kept in the
// bot's SQLite file instead of matrix-bot-sdk's bot-sdk.json: a real database file, reopened as a restart
// does.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RustSdkCryptoStorageProvider } from '@vector-im/matrix-bot-sdk';
import { describe, expect, it } from 'vitest';
import { BotStateStore } from '../../../src/db/bot-state-store.js';
import { openDatabase } from '../../../src/db/open.js';
import { BotMatrixClient } from '../../../src/matrix/sdk/client.js';
import { SqliteCryptoStorageProvider } from '../../../src/matrix/sdk/crypto-storage.js';
import { SqliteStorageProvider } from '../../../src/matrix/sdk/storage.js';

const ROOM = '!room:example.org';
const MEGOLM = 'm.megolm.v1.aes-sha2';

/** A folder for the bot's files; `open` opens its crypto store (on a newly opened database by default). */
function place() {
  const dir = mkdtempSync(join(tmpdir(), 'crypto-storage-'));
  const state = () => new BotStateStore(openDatabase(join(dir, 'bot.db')));
  const open = (s = state()) => new SqliteCryptoStorageProvider(join(dir, 'crypto'), s);
  return { dir, state, open };
}

describe("the bot's crypto storage", () => {
  it("is accepted by matrix-bot-sdk's client as its crypto store, and none of the SDK's own provider code runs", () => {
    const { state, open } = place();
    const s = state();
    const client = new BotMatrixClient('http://127.0.0.1:9', 'token', new SqliteStorageProvider(s), open(s));
    expect(client.crypto).toBeDefined();
    // Every method of the SDK's provider (which would reach its lowdb file) is the bot's own.
    const sdkMethods = Object.getOwnPropertyNames(RustSdkCryptoStorageProvider.prototype);
    expect(sdkMethods).toContain('storeRoom');
    for (const name of sdkMethods.filter((n) => n !== 'constructor'))
      expect(Object.hasOwn(SqliteCryptoStorageProvider.prototype, name), name).toBe(true);
  });

  it('remembers the device and each room after a restart', async () => {
    const { open } = place();
    const before = open();
    expect(await before.getDeviceId()).toBeUndefined();
    expect(await before.getRoom(ROOM)).toBeUndefined(); // not checked yet: the SDK reads the room's state
    await before.setDeviceId('BOTDEVICE');
    await before.storeRoom(ROOM, { algorithm: MEGOLM, historyVisibility: 'shared' });
    await before.storeRoom('!plain:example.org', {});

    const after = open();
    expect(await after.getDeviceId()).toBe('BOTDEVICE');
    expect(await after.getRoom(ROOM)).toEqual({ algorithm: MEGOLM, historyVisibility: 'shared' });
    expect(await after.getRoom('!plain:example.org')).toEqual({});
  });

  it('keeps a room encrypted when a later read finds less, and takes what it does find', async () => {
    const store = place().open();
    await store.storeRoom(ROOM, { algorithm: MEGOLM, historyVisibility: 'shared' });
    // The SDK's room tracker after a state read answered 404 for m.room.encryption.
    await store.storeRoom(ROOM, {});
    expect(await store.getRoom(ROOM)).toEqual({ algorithm: MEGOLM, historyVisibility: 'shared' });
    await store.storeRoom(ROOM, { historyVisibility: 'joined', rotation_period_msgs: 50 });
    expect(await store.getRoom(ROOM)).toEqual({
      algorithm: MEGOLM,
      historyVisibility: 'joined',
      rotation_period_msgs: 50,
    });
  });

  it("finds a device's keys where matrix-bot-sdk's own provider kept them, so an upgraded bot keeps its device", async () => {
    const { dir, open } = place();
    // The SDK's provider: <folder>/<sha256 of the device ID, hex>, hashed with hash.js.
    const sdkRequire = createRequire(createRequire(import.meta.url).resolve('@vector-im/matrix-bot-sdk'));
    const sha256 = sdkRequire('hash.js/lib/hash/sha/256');
    for (const deviceId of ['BOTDEVICE', 'ZyXwVuTsRq']) {
      expect(await open().getMachineStoragePath(deviceId)).toBe(
        join(dir, 'crypto', sha256().update(deviceId).digest('hex')),
      );
    }
  });

  it('does not read the bot-sdk.json of an earlier version, so one a crash cut short cannot stop the start', async () => {
    const { dir, open } = place();
    open(); // creates the folder
    // lowdb rewrote this file in place on every change; a crash mid-write leaves it like this.
    writeFileSync(join(dir, 'crypto', 'bot-sdk.json'), '{"deviceId":"OLDDEVICE","rooms":{"3f2a');
    const store = open();
    expect(await store.getDeviceId()).toBeUndefined();
    await store.setDeviceId('BOTDEVICE');
    expect(await open().getDeviceId()).toBe('BOTDEVICE');
  });
});
