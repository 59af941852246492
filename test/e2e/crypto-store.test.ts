// The bot's encryption keys on disk: a second process on the same store is refused; a lost store never
// becomes a crash loop or a new identity under the known device. Without matrix.password the bot runs
// without encryption, tells the admins once, and is back to encrypting with a new access token (a new
// device); with it, the bot logs in a new device itself (and with a wrong one, runs unencrypted and says why).
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { GAP, opening, said, t } from '../support/catalogue.js';
import { startBot } from './support/bot-process.js';
import { CryptoUser } from './support/crypto-user.js';
import { expectEncryptedPong, roomWithBot } from './support/encrypted-room.js';
import { describeWorld, worldTest } from './support/fixtures.js';
import { acceptNextInvite, passwordLogin, type TestUser, waitForEvent } from './support/homeserver.js';
import {
  BOT_TIMEOUT_MS,
  bodyOf,
  expectNoInvite,
  type MeetingWorld,
  postFrom,
  until,
  wait,
} from './support/meeting-helpers.js';
import { runCheck } from './support/run.js';

const it = worldTest({ matrix: { encryption: true } }, { admin: 'Admin' });

describeWorld(it, 'the crypto store', () => {
  let w: MeetingWorld;
  let admin: TestUser;
  let clients: CryptoUser[];
  let botId: string;

  it.beforeAll(async ({ w: world, admin: adminUser, clients: list }) => {
    w = world;
    admin = adminUser;
    clients = list;
    botId = w.botUser.userId;
  });

  const ready = () => w.bot.logged('bot ready');

  it('is used by one process only: a second bot on the same store stops at once with a clear message', async () => {
    expect(ready().at(-1)).toMatchObject({ encryption: true });
    await expect(
      startBot({
        homeserverUrl: w.hs.url,
        botUser: w.botUser,
        config: { ...w.bot.config, database: { path: join(w.bot.dir, 'second.db') } },
        readyTimeoutMs: 20_000,
      }).then((second) => second.dispose()),
    ).rejects.toThrow(/crypto store is in use/);
  });

  it('lost: the bot starts without encryption, tells each admin once, and encrypts again on a new device', async () => {
    await w.bot.stopAndLoseKeys();
    await w.bot.restart();
    expect(ready().at(-1)).toMatchObject({ encryption: false });
    const dm = await acceptNextInvite(admin, { from: botId, timeoutMs: BOT_TIMEOUT_MS });
    const lost = opening((reason) => t.cryptoStoreLost(reason));
    await waitForEvent(admin, dm, postFrom(botId, lost), wait);

    // Restarting with the same token: still unencrypted, and no second message to the admin.
    await w.bot.restart();
    expect(ready().at(-1)).toMatchObject({ encryption: false });
    await expectNoInvite(admin, botId, 'the admin is told once', 3_000);

    // What the README tells the operator: a new access token (a new device), then restart.
    const login = await passwordLogin(w.hs.url, w.botUser.userId, w.botUser.password);
    w.bot.editConfig({ matrix: { accessToken: login.access_token } });
    await w.bot.restart();
    expect(ready().at(-1)).toMatchObject({ encryption: true });
    expect(encryptionReady().some((r) => r.deviceId === login.device_id)).toBe(true);
  }, 180_000); // three bot starts with key uploads: slow on a loaded machine

  // With matrix.password the bot replaces a lost device itself: a new login (new device, new token, kept
  // in a private file beside the store), the old device removed, encryption on a fresh store, each admin
  // told once; later starts keep the new device. (Same bot and admin as above, a store lost a second time.)

  const encryptionReady = () => w.bot.logged('encryption ready');
  const sessionFile = () => join(w.bot.dir, 'crypto-session.json');

  async function devicesOfBot(accessToken: string): Promise<string[]> {
    const res = (await fetch(`${w.hs.url}/_matrix/client/v3/devices`, {
      headers: { authorization: `Bearer ${accessToken}` },
    }).then((r) => r.json())) as { devices: { device_id: string }[] };
    return res.devices.map((d) => d.device_id);
  }

  let adminClient: CryptoUser;
  let oldDevice: string;
  let roomId: string;

  it('deleted, with a wrong password: the login fails, the bot runs unencrypted and tells the admin why', async () => {
    adminClient = await CryptoUser.start(admin); // the admin's encrypting client (Element, say)
    clients.push(adminClient);
    oldDevice = encryptionReady().at(-1)?.deviceId as string;
    expect(oldDevice).toBeTruthy();
    roomId = await roomWithBot(adminClient, botId, 'Encrypted');

    // The operator sets matrix.password (as MATRIX_PASSWORD would).
    w.bot.editConfig({ matrix: { password: 'not-the-password-of-the-bot' } });
    await w.bot.stopAndLoseKeys();
    await w.bot.restart({ readyTimeoutMs: 60_000 });
    expect(ready().at(-1)).toMatchObject({ encryption: false });
    expect(w.bot.logged(/^could not log in a new device/)[0]).toMatchObject({
      reason: expect.stringContaining('M_FORBIDDEN'),
    });
    const dm = await acceptNextInvite(admin, { from: botId, timeoutMs: BOT_TIMEOUT_MS });
    const told = await adminClient.waitFor(
      dm,
      postFrom(botId, said(t.cryptoStoreLost(GAP, GAP)).split(GAP)[1]!),
      wait,
    );
    expect(bodyOf(told)).toContain('M_FORBIDDEN');
    expect(bodyOf(told)).toContain('matrix.password');
    expect(readFileSync(w.bot.logPath, 'utf8')).not.toContain('not-the-password-of-the-bot');
  }, 120_000);

  it('with the right password: the bot logs in a new device, removes the old one, tells each admin once, and answers encrypted', async () => {
    w.bot.editConfig({ matrix: { password: w.botUser.password } });
    await w.bot.restart({ readyTimeoutMs: 60_000 });
    const newDevice = encryptionReady().at(-1)?.deviceId as string;
    expect(ready().at(-1)).toMatchObject({ encryption: true });
    expect(newDevice).toBeTruthy();
    expect(newDevice).not.toBe(oldDevice);

    // The new session is stored privately; the homeserver lists the new device and not the old one.
    const session = JSON.parse(readFileSync(sessionFile(), 'utf8')) as {
      deviceId: string;
      accessToken: string;
    };
    expect(session.deviceId).toBe(newDevice);
    expect(statSync(sessionFile()).mode & 0o777).toBe(0o600);
    const devices = await devicesOfBot(session.accessToken);
    expect(devices).toContain(newDevice);
    expect(devices).not.toContain(oldDevice);
    // Neither the password nor the new token reaches the log.
    const log = readFileSync(w.bot.logPath, 'utf8');
    expect(log).not.toContain(w.botUser.password);
    expect(log).not.toContain(session.accessToken);

    // The admin hears about it in a direct message (encrypted, by the new device), naming both devices.
    const dm = await acceptNextInvite(admin, { from: botId, timeoutMs: BOT_TIMEOUT_MS });
    // Old device removed, nothing recovered (no recovery key), the new device not cross-signed.
    const recovered = { crossSigned: false, roomKeys: null };
    const [, story] = said(t.cryptoNewDevice(GAP, oldDevice, newDevice, true, recovered)).split(GAP);
    const told = await adminClient.waitFor(dm, postFrom(botId, story!), wait);
    expect(bodyOf(told)).toContain(oldDevice);
    expect(bodyOf(told)).toContain(newDevice);
    expect(told.encrypted).toBe(true);

    // An encrypted !ping in the encrypted room gets an encrypted answer the admin's client decrypts.
    await until('the admin sees the new device of the bot', async () => {
      const known = await adminClient.client.getCrypto()!.getUserDeviceInfo([botId], true);
      return known.get(botId)?.has(newDevice) ?? false;
    });
    await expectEncryptedPong(adminClient, roomId, botId);

    // A second restart keeps the new device: no further login, no further message.
    await w.bot.restart({ readyTimeoutMs: 60_000 });
    expect(encryptionReady().at(-1)?.deviceId).toBe(newDevice);
    expect(w.bot.logged(/^using the session of the device the bot logged in/)).toHaveLength(1);
    expect(w.bot.logged(/^logged in a new device/)).toHaveLength(1);
    // The bot tells the admins before it logs "bot ready": an invite would be on its way already.
    await expectNoInvite(admin, botId, 'the admin is told once');

    // The configured token belonged to the removed device; `npm run check` tests the stored session.
    const check = await runCheck(w.bot.configPath);
    expect(check.stdout).toMatch(new RegExp(`^OK +homeserver .*belongs to ${botId}`, 'm'));
  }, 180_000);
});
