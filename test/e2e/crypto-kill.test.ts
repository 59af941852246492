// The bot process killed (SIGKILL) in the middle of its first key upload, on a fresh crypto store, on the
// real Synapse, after the homeserver stored the keys but before the bot read the answer (a proxy holds the
// answer back). Started again on the same store it offers the same keys, comes up on the same device (no
// new device, no "keys lost" path, no crash loop) and answers in an encrypted room.
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { BotProcess } from './support/bot-process.js';
import { e2eHomeserver } from './support/context.js';
import { CryptoUser } from './support/crypto-user.js';
import { expectEncryptedPong, ownDevices, publishedKeys, roomWithBot } from './support/encrypted-room.js';
import { it } from './support/fixtures.js';
import type { TestUser } from './support/homeserver.js';
import { type HomeserverProxy, startHomeserverProxy } from './support/homeserver-proxy.js';
import { BOT_TIMEOUT_MS } from './support/meeting-helpers.js';

const hs = e2eHomeserver();
const KEYS_UPLOAD = /\/keys\/upload$/;

describe.skipIf(!hs)('the bot killed during its first key upload', () => {
  let proxy: HomeserverProxy;
  let botUser: TestUser;
  let bot: BotProcess;

  beforeAll(async () => {
    proxy = await startHomeserverProxy(hs!.url);
    botUser = await hs!.registerUser('meetbot', { displayName: 'Meeting Bot' });
    // Through the proxy, which can stop the key upload in flight; encryption on, a fresh store.
    bot = BotProcess.prepare({
      homeserverUrl: proxy.url,
      botUser,
      config: { matrix: { encryption: true } },
    });
  });

  afterAll(async () => {
    await bot?.dispose({ keepFiles: process.env.E2E_KEEP_BOT_FILES === '1' });
    await proxy?.close();
  });

  /** The bot's device keys as the homeserver publishes them (undefined: none). */
  const published = async (deviceId: string) => (await publishedKeys(botUser, botUser.userId))[deviceId];

  const offered = (body: string) =>
    (JSON.parse(body) as { device_keys?: { device_id: string; keys: Record<string, string> } }).device_keys;

  it('comes back with the same keys on the same device and answers encrypted', async ({ clients }) => {
    const { device_id: deviceId } = (await botUser.request('GET', '/_matrix/client/v3/account/whoami')) as {
      device_id: string;
    };
    const devices = await ownDevices(botUser);
    expect(devices).toEqual([deviceId]);

    // The first start is killed after the homeserver stored its keys, before the bot read the answer.
    const upload = proxy.holdNext('POST', KEYS_UPLOAD);
    const firstStart = bot.restart().then(
      () => new Error('the bot became ready although its key upload never got an answer'),
      (err: Error) => err,
    );
    const unanswered = await upload;
    expect((await bot.kill()).signal).toBe('SIGKILL');
    expect((await firstStart).message).toMatch(/did not become ready.*exited/s);
    const keys = offered(unanswered.body);
    expect(keys).toMatchObject({ device_id: deviceId });
    expect(unanswered.response?.status).toBe(200);
    expect((await published(deviceId))?.keys).toEqual(keys!.keys);

    // Started again on the same store: same device, the same keys offered again, no "lost" path.
    await bot.restart({ readyTimeoutMs: BOT_TIMEOUT_MS });
    const records = bot.records();
    expect(records.filter((r) => r.msg === 'bot ready')).toEqual([
      expect.objectContaining({ encryption: true }),
    ]);
    expect(records.filter((r) => r.msg === 'encryption ready')).toEqual([
      expect.objectContaining({ deviceId }),
    ]);
    expect(records.filter((r) => /lost|broken/i.test(String(r.msg)))).toEqual([]);
    const uploads = proxy.seen('POST', KEYS_UPLOAD).map((r) => offered(r.body)?.keys);
    expect(uploads[1], 'the second start uploads its device keys again').toEqual(keys!.keys);
    expect((await published(deviceId))?.keys).toEqual(keys!.keys);
    expect(await ownDevices(botUser)).toEqual(devices);

    // Someone whose client really encrypts: an encrypted !ping gets an encrypted pong.
    const kim = await CryptoUser.start(await hs!.registerUser('kim', { displayName: 'Kim' }));
    clients.push(kim);
    const roomId = await roomWithBot(kim, botUser.userId, 'after the kill');
    await expectEncryptedPong(kim, roomId, botUser.userId);
    expect(kim.undecryptable(roomId)).toEqual([]);
    expect(bot.running).toBe(true);
  });
});
