// matrix-bot-sdk's own crypto code (RustEngine, CryptoClient of the 0.8 line) running on the adapter,
// against the in-process keys server: the SDK prepares, tracks users, shares a room key and encrypts;
// another device decrypts.
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  closeAll,
  DeviceId,
  OlmMachine,
  RequestType,
  RoomId,
  UserId,
} from '@matrix-org/matrix-sdk-crypto-nodejs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  FakeClient,
  FakeKeysServer,
} from '../../../packages/matrix-sdk-crypto-nodejs-wasm/test/fake-keys-server.js';
import { BotStateStore } from '../../../src/db/bot-state-store.js';
import { openDatabase } from '../../../src/db/open.js';
import { SqliteCryptoStorageProvider } from '../../../src/matrix/sdk/crypto-storage.js';

const require = createRequire(import.meta.url);
const SDK = '@vector-im/matrix-bot-sdk'; // the project's matrix-bot-sdk (Element's fork of the 0.8 line)
const { LogService, LogLevel } = require(SDK);
LogService.setLevel(LogLevel.WARN);

const ROOM = '!room:example.org';
const BOT = '@bot:example.org';
const ALICE = '@alice:example.org';
const PATHS: Record<string, number> = {
  '/_matrix/client/v3/keys/upload': RequestType.KeysUpload,
  '/_matrix/client/v3/keys/query': RequestType.KeysQuery,
  '/_matrix/client/v3/keys/claim': RequestType.KeysClaim,
};

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'crypto-sdk-'));
});
afterEach(async () => {
  await closeAll();
  rmSync(dir, { recursive: true, force: true });
});

/** The parts of MatrixClient that RustEngine and CryptoClient call, routed to the fake keys server. */
function fakeMatrixClient(server: FakeKeysServer, user: string, device: string, members: string[]) {
  server.register(user, device);
  const state = new BotStateStore(openDatabase(path.join(dir, 'bot.db')));
  return {
    cryptoStore: new SqliteCryptoStorageProvider(path.join(dir, 'bot-crypto'), state),
    getWhoAmI: async () => ({ user_id: user, device_id: device }),
    getUserId: async () => user,
    doRequest: async (_method: string, urlPath: string, _qs: unknown, body: Record<string, unknown>) => {
      const type = PATHS[urlPath];
      if (type === undefined) throw new Error(`unexpected request ${urlPath}`);
      return server.handle(user, device, type, body);
    },
    sendToDevices: async (eventType: string, messages: Record<string, unknown>) =>
      server.handle(user, device, RequestType.ToDevice, { messages }, eventType),
    getRoomMembersByMembership: async (_roomId: string, membership: string) =>
      membership === 'join' ? members.map((m) => ({ membershipFor: m })) : [],
    emit: () => true,
  };
}

describe(`${SDK} ${require(`${SDK}/package.json`).version} on the adapter`, () => {
  it('CryptoClient prepares, syncs and signs; RustEngine shares a room key another device can use', async () => {
    const { CryptoClient } = require(`${SDK}/lib/e2ee/CryptoClient.js`);
    const server = new FakeKeysServer();
    const client = fakeMatrixClient(server, BOT, 'BOTDEVICE', [BOT, ALICE]);
    const crypto = new CryptoClient(client);
    await crypto.prepare(); // OlmMachine.initialize, then the key upload
    expect(crypto.clientDeviceEd25519).toMatch(/^[A-Za-z0-9+/]{43}$/);
    expect(server.requests.KeysUpload).toBe(1);

    const alice = new FakeClient(
      server,
      ALICE,
      'ALICEPHONE',
      await OlmMachine.initialize(
        new UserId(ALICE),
        new DeviceId('ALICEPHONE'),
        path.join(dir, 'alice'),
        '',
        0,
      ),
    );
    await alice.run();

    // The SDK reads receiveSyncChanges' result as a tuple and emits the decrypted to-device events.
    const sync = server.sync(BOT, 'BOTDEVICE');
    await crypto.updateSyncData(sync.events, sync.otkCounts, sync.unusedFallbacks, sync.changed, []);

    const started = performance.now();
    await crypto.engine.addTrackedUsers([ALICE]); // P6: must not wait 5 s for Alice's keys query
    expect(performance.now() - started).toBeLessThan(4000);

    await crypto.engine.prepareEncrypt(ROOM, {
      algorithm: 'm.megolm.v1.aes-sha2',
      history_visibility: 'shared',
    });
    const encrypted = JSON.parse(
      await crypto.engine.machine.encryptRoomEvent(
        new RoomId(ROOM),
        'm.room.message',
        JSON.stringify({ body: 'sdk' }),
      ),
    );
    await alice.sync();
    const event = {
      type: 'm.room.encrypted',
      event_id: '$1',
      sender: BOT,
      origin_server_ts: 1,
      room_id: ROOM,
    };
    const d = await alice.machine.decryptRoomEvent(
      JSON.stringify({ ...event, content: encrypted }),
      new RoomId(ROOM),
    );
    expect(JSON.parse(d.event).content.body).toBe('sdk');

    const signatures = await crypto.sign({ hello: 'world' });
    expect(Object.keys(signatures[BOT] ?? {})).toEqual(['ed25519:BOTDEVICE']);
  });
});
