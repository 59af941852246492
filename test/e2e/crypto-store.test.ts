// The bot's encryption keys on disk: a second process on the same store is refused; a lost store never
// becomes a crash loop or a new identity under the known device. The bot runs without encryption, tells
// the admins once, and is back to encrypting with a new access token (a new device).
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBot } from './support/bot-process.js';
import { e2eHomeserver } from './support/context.js';
import { acceptNextInvite, type TestUser } from './support/homeserver.js';
import {
  BOT_TIMEOUT_MS,
  type MeetingWorld,
  postFrom,
  registerPeople,
  startMeetingWorld,
} from './support/meeting-helpers.js';

const hs = e2eHomeserver();

describe.skipIf(!hs)('the crypto store', () => {
  let w: MeetingWorld;
  let admin: TestUser;

  beforeAll(async () => {
    [admin] = (await registerPeople(hs!, ['Admin'])) as [TestUser];
    w = await startMeetingWorld(hs!, { config: { matrix: { encryption: true }, admins: [admin.userId] } });
  });

  afterAll(async () => {
    await w?.close();
  });

  const ready = () => w.bot.records().filter((r) => r.msg === 'bot ready');

  it('is used by one process only: a second bot on the same store stops at once with a clear message', async () => {
    expect(ready().at(-1)).toMatchObject({ encryption: true });
    await expect(
      startBot({
        homeserverUrl: hs!.url,
        botUser: w.botUser,
        config: { ...w.bot.config, database: { path: join(w.bot.dir, 'second.db') } },
        readyTimeoutMs: 20_000,
      }).then((second) => second.dispose()),
    ).rejects.toThrow(/crypto store is in use/);
  });

  it('lost: the bot starts without encryption, tells each admin once, and encrypts again on a new device', async () => {
    await w.bot.stop();
    rmSync(join(w.bot.dir, 'crypto'), { recursive: true, force: true });
    await w.bot.restart();
    expect(ready().at(-1)).toMatchObject({ encryption: false });
    const dm = await acceptNextInvite(admin, { from: w.botUser.userId, timeoutMs: BOT_TIMEOUT_MS });
    await admin.waitForEvent(dm, postFrom(w.botUser.userId, 'Schlüssel meines Geräts'), {
      timeoutMs: BOT_TIMEOUT_MS,
    });

    // Restarting with the same token: still unencrypted, and no second message to the admin.
    await w.bot.restart();
    expect(ready().at(-1)).toMatchObject({ encryption: false });
    await expect(
      admin.sync.waitForInvite({ from: w.botUser.userId, timeoutMs: 3_000 }),
      'the admin is told once',
    ).rejects.toThrow(/no new invite/);

    // What the README tells the operator: a new access token (a new device), then restart.
    const login = (await fetch(`${hs!.url}/_matrix/client/v3/login`, {
      method: 'POST',
      body: JSON.stringify({
        type: 'm.login.password',
        identifier: { type: 'm.id.user', user: w.botUser.userId },
        password: w.botUser.password,
      }),
    }).then((r) => r.json())) as { access_token: string; device_id: string };
    const config = JSON.parse(readFileSync(w.bot.configPath, 'utf8'));
    config.matrix.accessToken = login.access_token;
    writeFileSync(w.bot.configPath, JSON.stringify(config));
    await w.bot.restart();
    expect(ready().at(-1)).toMatchObject({ encryption: true });
    expect(w.bot.records().some((r) => r.msg === 'encryption ready' && r.deviceId === login.device_id)).toBe(
      true,
    );
  }, 180_000); // three bot starts with key uploads: slow on a loaded machine
});
