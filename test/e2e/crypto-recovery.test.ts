// The bot's device with clients set as Element is since April 2026 (MSC4153: users cross-signed,
// "exclude insecure devices" on): the bot cross-signs its own device, so those clients share their keys
// with it and show what it says. Given a recovery key (here later, as in an existing installation), it
// keeps its cross-signing keys and a backup of its room keys in the account's secret storage: when the
// key store is deleted while a meeting waits for answers, the bot comes back on a new device
// (matrix.password), cross-signed again, reads the encrypted answers given before from the backup, and
// the meeting goes on unchanged. With the recovery key lost as well, the README's steps give it a new
// identity. `npm run check` says each state.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { fingerprint } from '../../src/check/encryption.js';
import { formatResult } from '../../src/check/report.js';
import { generateRecoveryKey } from '../../src/config/recovery-key.js';
import { de } from '../../src/i18n/de.js';
import { CryptoUser } from './support/crypto-user.js';
import { encryptedRoom, expectEncryptedPong, megolmSession, roomWithBot } from './support/encrypted-room.js';
import { describeWorld, worldTest } from './support/fixtures.js';
import { acceptNextInvite } from './support/homeserver.js';
import {
  BOT_TIMEOUT_MS,
  bodyOf,
  isOpened,
  isPrompt,
  type MeetingWorld,
  postFrom,
  sessionsNamed,
  storedRows,
  until,
  wait,
} from './support/meeting-helpers.js';
import { cleanEnv, runCheck } from './support/run.js';

// The recovery key comes later, as in an existing installation.
const it = worldTest(
  { matrix: { encryption: true }, retention: { discoverySchedule: '*/2 * * * * *' } },
  { admin: 'Admin' },
);

describeWorld(it, 'the bot cross-signed, its keys recoverable (clients as Element is today)', () => {
  let w: MeetingWorld;
  let botId: string;
  let admin: CryptoUser;
  let clients: CryptoUser[];
  const recoveryKey = generateRecoveryKey();

  it.beforeAll(async ({ w: world, admin: adminUser, clients: list }) => {
    w = world;
    botId = w.botUser.userId;
    clients = list;
    admin = await CryptoUser.start(adminUser, { element: true });
    clients.push(admin);
    // The admin shares an encrypted room with the bot, so the admin's client follows the bot's devices.
    // (A client that meets the bot first in a new DM may learn the device from the key message before
    // its signatures, and matrix-js-sdk does not retry such a message: a client-side race.)
    await roomWithBot(admin, botId, 'admin room');
  });

  const logText = () => readFileSync(w.bot.logPath, 'utf8');
  const last = (msg: string) => w.bot.logged(msg).at(-1);
  const deviceOfLastStart = () => last('encryption ready')?.deviceId as string;
  const CROSS_SIGNED = 'this device is cross-signed by its owner';
  const BACKED_UP = 'room keys are backed up to the homeserver';
  /** `npm run check` on the bot's config; a recovery key given here comes from the environment (it wins). */
  const npmRunCheck = (key: string | undefined) =>
    runCheck(w.bot.configPath, { env: cleanEnv(key ? { MATRIX_RECOVERY_KEY: key } : {}) });
  const consentRows = (eventId: string) =>
    storedRows(
      w,
      'SELECT user_id, kind, matrix_event_id FROM consent_events WHERE matrix_event_id = ? ORDER BY id',
      eventId,
    );

  it('the bot cross-signs its device at the first start, also without a recovery key; Element-mode clients read it', async () => {
    expect(last(CROSS_SIGNED)).toMatchObject({
      outcome: 'created',
      deviceId: deviceOfLastStart(),
    });
    expect(w.bot.logged(/^no matrix.recoveryKey/)).not.toEqual([]);
    expect(await backedUpSessions()).toBeNull(); // nothing is backed up without a recovery key

    const { olga, roomId } = await encryptedRoom(w, clients, 'element ping');
    expect(await olga.deviceTrust(botId, deviceOfLastStart())).toEqual({ known: true, signedByOwner: true });
    await expectEncryptedPong(olga, roomId, botId);
    expect(olga.undecryptable(roomId)).toEqual([]);
    const without = await npmRunCheck(undefined);
    expect(without.stdout).toMatch(
      /^WARN +encryption +device \S+ is cross-signed by its owner .*no matrix.recoveryKey/m,
    );
  }, 120_000);

  it('given a recovery key, the bot keeps its keys in secret storage and backs up the room keys it already had', async () => {
    w.bot.editConfig({ matrix: { recoveryKey } });
    await w.bot.restart();
    expect(last(CROSS_SIGNED)).toMatchObject({ outcome: 'signed' });
    expect(last('stored the cross-signing keys in secret storage')).toMatchObject({ stored: 3 });
    expect(last(BACKED_UP)).toMatchObject({ kind: 'created' });
    // The room keys of the first test (Olga's !ping, the bot's pong) go up without a new message.
    await until('the earlier room keys in the backup', async () => ((await backedUpSessions()) ?? 0) >= 2);
    expect(logText()).not.toContain(recoveryKey.replace(/ /g, ''));
    expect(logText()).not.toContain(recoveryKey);

    // A later start finds everything in place and says so, and so does `npm run check`.
    await w.bot.restart();
    expect(last(CROSS_SIGNED)).toMatchObject({ outcome: 'signed' });
    expect(last(BACKED_UP)).toMatchObject({ kind: 'in-use' });
    const check = await npmRunCheck(recoveryKey);
    const masterKey = String(last(CROSS_SIGNED)!.masterKey);
    const backupVersion = String(last(BACKED_UP)!.version);
    expect(check.stdout.split('\n')).toContain(
      formatResult({
        name: 'encryption',
        status: 'ok',
        message: `device ${deviceOfLastStart()} is cross-signed by its owner (master key ${fingerprint(masterKey)}); matrix.recoveryKey opens secret storage with the cross-signing and backup keys; room-key backup version ${backupVersion}`,
      }),
    );
    expect(check.code).toBe(0);
    expect(check.stdout).not.toContain(recoveryKey);
    const wrong = await npmRunCheck(generateRecoveryKey());
    expect(wrong.stdout).toMatch(
      /^WARN +encryption +.*matrix.recoveryKey does not open the account's secret storage/m,
    );
    expect(wrong.code).toBe(1);
  }, 120_000);

  it('key store deleted while a meeting waits: a new cross-signed device reads the earlier encrypted ✅ from the backup', async () => {
    const { olga, alice, bob, roomId } = await encryptedRoom(w, clients, 'element lost store');
    const title = 'Recovered';
    const command = await olga.sendText(roomId, `!meeting ${title} ${alice.userId} ${bob.userId}`);
    const prompt = await olga.waitFor(roomId, isPrompt(botId), { afterEventId: command, ...wait });
    const aliceYes = await alice.reactEncrypted(roomId, prompt.event_id, '✅');
    await until("Alice's encrypted ✅ recorded", () => consentRows(aliceYes).length === 1);
    const before = consentRows(aliceYes);
    const oldDevice = deviceOfLastStart();
    // The room keys of Olga's and Alice's messages reached the backup (uploaded as they arrive).
    const sessions = [megolmSession(olga, roomId, command), megolmSession(alice, roomId, aliceYes)];
    await until('both room keys in the backup', async () =>
      (await Promise.all(sessions.map((id) => inBackup(roomId, id)))).every(Boolean),
    );

    // matrix.password lets the bot log in a new device itself.
    w.bot.editConfig({ matrix: { password: w.botUser.password } });
    await w.bot.stopAndLoseKeys();
    // While the bot is down: Olga's encrypted ✅ goes out in the Megolm session of her command, whose
    // key only the lost device got; only the backup can open it for the new one.
    const olgaYes = await olga.reactEncrypted(roomId, prompt.event_id, '✅');
    expect(megolmSession(olga, roomId, olgaYes)).toBe(megolmSession(olga, roomId, command));
    const startedAt = w.bot.records().length;
    await w.bot.restart({ readyTimeoutMs: 90_000 });
    const sinceRestart = w.bot.records().slice(startedAt);

    const newDevice = deviceOfLastStart();
    expect(newDevice).not.toBe(oldDevice);
    expect(last(CROSS_SIGNED)).toMatchObject({
      outcome: 'signed-now',
      from: 'secret storage',
      deviceId: newDevice,
    });
    expect(last(BACKED_UP)).toMatchObject({
      kind: 'restored',
      imported: expect.any(Number),
    });
    expect(await olga.deviceTrust(botId, newDevice)).toEqual({ known: true, signedByOwner: true });
    // The admin is told, in an encrypted DM an Element-mode client reads, what happened and what came back.
    const lost = last('the encryption keys of this device are lost; a known device cannot get new keys')!;
    const restored = last(BACKED_UP)!;
    const dm = await acceptNextInvite(admin.user, { from: botId, timeoutMs: BOT_TIMEOUT_MS });
    const told = await admin.waitFor(dm, postFrom(botId, newDevice), wait);
    expect(told.encrypted).toBe(true);
    expect(bodyOf(told)).toBe(
      de.cryptoNewDevice(String(lost.reason), oldDevice, newDevice, true, {
        crossSigned: true,
        roomKeys: Number(restored.imported),
      }).text,
    );
    // The start-up re-read decrypted both ✅: Alice's stands as it was, Olga's counts.
    expect(
      sinceRestart.filter(
        (r) => r.msg === 'an encrypted reaction fetched from the homeserver cannot be decrypted',
      ),
    ).toEqual([]);
    expect(consentRows(aliceYes), 'the meeting is unchanged').toEqual(before);
    await until("Olga's ✅ from while the bot was down recorded", () => consentRows(olgaYes).length === 1);

    // Bob answers now: everyone agreed, the meeting opens recorded, and Element-mode clients read it.
    await bob.reactEncrypted(roomId, prompt.event_id, '✅');
    const opened = await olga.waitFor(roomId, isOpened(botId, title), wait);
    expect(opened.encrypted).toBe(true);
    expect(sessionsNamed(w.sim, title)).toEqual([expect.objectContaining({ record: true })]);
    expect(consentRows(aliceYes)).toEqual(before);
    expect(logText()).not.toContain(recoveryKey);
  }, 240_000);

  it("recovery key lost as well: the README's steps give the bot new cross-signing keys and a new backup, and Element-mode clients read it again", async () => {
    const { olga, roomId } = await encryptedRoom(w, clients, 'element new identity');
    const oldMaster = last(CROSS_SIGNED)!.masterKey;
    const oldBackup = last(BACKED_UP)!.version;
    await w.bot.stopAndLoseKeys();
    // README: empty the account's secret storage pointer (with the bot's current token, kept in
    // crypto-session.json since the bot logged in its own device), make a new recovery key, restart.
    const { accessToken } = JSON.parse(readFileSync(join(w.bot.dir, 'crypto-session.json'), 'utf8'));
    const cleared = await fetch(
      `${w.hs.url}/_matrix/client/v3/user/${encodeURIComponent(botId)}/account_data/m.secret_storage.default_key`,
      { method: 'PUT', headers: { authorization: `Bearer ${accessToken}` }, body: '{}' },
    );
    expect(cleared.status).toBe(200);
    const newKey = generateRecoveryKey();
    w.bot.editConfig({ matrix: { recoveryKey: newKey } });
    await w.bot.restart({ readyTimeoutMs: 90_000 });

    const newDevice = deviceOfLastStart();
    const signed = last(CROSS_SIGNED)!;
    expect(signed).toMatchObject({ outcome: 'reset', deviceId: newDevice });
    expect(signed.masterKey).not.toBe(oldMaster);
    expect(last(BACKED_UP)).toMatchObject({
      kind: 'created',
      replaces: oldBackup,
    });
    expect(await olga.deviceTrust(botId, newDevice)).toEqual({ known: true, signedByOwner: true });
    await expectEncryptedPong(olga, roomId, botId);
    const check = await npmRunCheck(newKey);
    expect(check.stdout).toMatch(
      /^OK +encryption +.*opens secret storage with the cross-signing and backup keys/m,
    );
    expect(logText()).not.toContain(newKey);
  }, 240_000);

  /** Whether the account's current backup holds the key of a Megolm session. */
  async function inBackup(roomId: string, sessionId: string): Promise<boolean> {
    const keys = '/_matrix/client/v3/room_keys';
    const { version } = (await w.botUser.request('GET', `${keys}/version`)) as { version: string };
    const path = `${keys}/keys/${encodeURIComponent(roomId)}/${encodeURIComponent(sessionId)}?version=${version}`;
    return w.botUser.request('GET', path).then(
      () => true,
      () => false,
    );
  }

  /** How many room keys the account's current backup holds; null without a backup. */
  async function backedUpSessions(): Promise<number | null> {
    const res = await fetch(`${w.hs.url}/_matrix/client/v3/room_keys/version`, {
      headers: { authorization: `Bearer ${w.botUser.accessToken}` },
    });
    if (res.status === 404) return null;
    return ((await res.json()) as { count: number }).count;
  }
});
