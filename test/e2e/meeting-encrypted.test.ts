// The consent flow in an end-to-end encrypted room on the real Synapse, with people whose clients really
// encrypt (matrix-js-sdk 43, Rust crypto). Commands go in encrypted; the bot's answers, its prompt and
// the direct messages with the join links come back encrypted; ✅/❌ count whether they were sent in
// the clear (as Element and matrix-js-sdk do) or encrypted (as some clients do); an encrypted `!withdraw`
// after the meeting deletes its recording. After a restart the bot is the same device, reads what was
// sent in Megolm sessions it got before, and the whole flow works again. Every client is set as Element is
// since April 2026 (cross-signed users, "exclude insecure devices": OnlySignedDevicesIsolationMode), so
// all of this works only because the bot's device is cross-signed by its owner.
import { expect } from 'vitest';
import type { SimSession } from '../support/bbb-simulator.js';
import {
  plain,
  recordingOff,
  recordingOn,
  recordingReadyOpening,
  said,
  t,
  withdrawalOf,
} from '../support/catalogue.js';
import { SAMPLE_NOTICE_FACTS } from '../support/notice-facts.js';
import { CryptoUser } from './support/crypto-user.js';
import {
  botDevices,
  encryptedRoom,
  expectEncryptedLinks,
  expectEncryptedPong,
  megolmSession,
  ownDevices,
  planEncrypted as plan,
} from './support/encrypted-room.js';
import { describeWorld, worldTest } from './support/fixtures.js';
import { acceptNextInvite } from './support/homeserver.js';
import {
  bodyOf,
  botDate,
  expectRecordedSession,
  isOpened,
  isPrompt,
  type MeetingWorld,
  postFrom,
  registerPeople,
  sessionsNamed,
  storedRows,
  wait,
} from './support/meeting-helpers.js';

// Encryption is the default in production; fast discovery, so a recording shows up within seconds.
const it = worldTest({ matrix: { encryption: true }, retention: { discoverySchedule: '*/2 * * * * *' } });

/**
 * The recorded session ends, its recording is announced; `who` sends `!withdraw` (encrypted) and the
 * bot answers (encrypted) that it deleted the recording, which BBB then lists as deleted.
 */
async function withdrawnAfterTheMeeting(
  w: MeetingWorld,
  m: { roomId: string; title: string; session: SimSession; watcher: CryptoUser; who: CryptoUser },
) {
  const botId = w.botUser.userId;
  w.sim.endMeeting(m.session.meetingID);
  const ready = await m.watcher.waitFor(m.roomId, postFrom(botId, recordingReadyOpening(m.title)), wait);
  expect(ready.encrypted).toBe(true);
  const [rec] = w.sim.recordings().filter((r) => r.meetingID === m.session.meetingID);
  expect(rec?.state).toBe('published');

  const command = await m.who.sendText(m.roomId, '!withdraw');
  const sent = await m.who.waitFor(m.roomId, (e) => e.event_id === command, wait);
  expect(sent.encrypted, 'the !withdraw went out encrypted').toBe(true);
  const name = m.who.user.displayName;
  const told = await m.watcher.waitFor(m.roomId, postFrom(botId, withdrawalOf(name)), {
    afterEventId: command,
    ...wait,
  });
  expect(told.encrypted).toBe(true);
  expect(bodyOf(told)).toBe(
    `${said(t.withdrawDeleted(plain(name), [t.recordingName(m.title, botDate(rec!.startTime))], []))}\n${said(
      t.deletionMeans(SAMPLE_NOTICE_FACTS.finalDeletion),
    )}`,
  );
  const after = w.sim.recordings({ includeDeleted: true }).find((r) => r.recordID === rec!.recordID);
  expect(after?.state, 'BBB deleted the recording').toBe('deleted');
}

describeWorld(it, 'consent-gated meeting in an end-to-end encrypted room', () => {
  let w: MeetingWorld;
  let botId: string;
  let clients: CryptoUser[];
  it.beforeAll(async ({ w: world, clients: list }) => {
    w = world;
    botId = w.botUser.userId;
    clients = list;
  });

  it('all agree, ✅ in the clear and encrypted: recorded, links in encrypted DMs; an encrypted !withdraw afterwards deletes the recording', async () => {
    const { olga, alice, bob, roomId } = await encryptedRoom(w, clients, 'encrypted all agree');
    const title = 'Encrypted sync';
    const m = await plan(w, olga, roomId, title, [alice, bob]);
    // The command was read after decryption; what the bot says is encrypted too.
    expect(m.notice.encrypted).toBe(true);
    expect(m.prompt.encrypted).toBe(true);
    expect(bodyOf(m.notice)).toContain(`„${title}“`);

    await olga.user.react(roomId, m.prompt.event_id, '✅'); // in the clear, like Element
    const aliceReaction = await alice.reactEncrypted(roomId, m.prompt.event_id, '✅');
    await bob.client.sendEvent(
      roomId,
      'm.reaction' as never,
      {
        'm.relates_to': { rel_type: 'm.annotation', event_id: m.prompt.event_id, key: '✅' },
      } as never,
    ); // matrix-js-sdk: in the clear

    const opened = await olga.waitFor(roomId, isOpened(botId, title), wait);
    expect(opened.encrypted).toBe(true);
    expect(bodyOf(opened)).toContain(recordingOn(3));
    const session = expectRecordedSession(w.sim, title);

    await expectEncryptedLinks(w, olga, [olga, alice, bob]);

    // The consent evidence of the encrypted ✅ names its event and the key as decrypted.
    const [row] = storedRows<{ details: string }>(
      w,
      "SELECT details FROM audit_log WHERE action = 'consent.agree' AND actor_id = ?",
      alice.userId,
    );
    expect(JSON.parse(row!.details)).toMatchObject({ eventId: aliceReaction, key: '✅' });

    await withdrawnAfterTheMeeting(w, { roomId, title, session, watcher: olga, who: bob });
  }, 120_000); // a meeting, its recording and a withdrawal: slow on a loaded machine

  it('an encrypted ✅ redacted, an encrypted ❌ (in a version 12 room): the meeting opens unrecorded', async () => {
    const { olga, alice, bob, roomId } = await encryptedRoom(w, clients, 'encrypted one declines', {
      roomVersion: '12',
    });
    expect(roomId).not.toContain(':');
    const title = 'Encrypted retro';
    const m = await plan(w, olga, roomId, title, [alice, bob]);
    await olga.user.react(roomId, m.prompt.event_id, '✅');
    const aliceYes = await alice.reactEncrypted(roomId, m.prompt.event_id, '✅');
    await alice.user.redact(roomId, aliceYes); // redactions are never encrypted
    // Barrier: the bot handles a room's events in order, so after the pong the redaction counted.
    await expectEncryptedPong(olga, roomId, botId);
    expect(sessionsNamed(w.sim, title)).toHaveLength(0);
    await bob.reactEncrypted(roomId, m.prompt.event_id, '❌');

    const opened = await olga.waitFor(roomId, isOpened(botId, title), wait);
    // Removing her encrypted ✅ was a withdrawal (ignored, she would count as agreeing).
    expect(bodyOf(opened)).toContain(recordingOff(['declined', 'Bob'], ['withdrew', 'Alice']));
    expect(sessionsNamed(w.sim, title)[0]).toMatchObject({ record: false });
  });

  it('someone who joins after the bot has spoken here reads its next meeting, and can agree', async () => {
    const { olga, alice, roomId } = await encryptedRoom(w, clients, 'encrypted late joiner');
    // The bot has encrypted here for Olga, Alice and Bob (it keeps the member list between messages).
    await plan(w, olga, roomId, 'Before Carla', [alice]);
    const [carlaUser] = await registerPeople(w.hs, ['Carla']);
    const carla = await CryptoUser.start(carlaUser!, { element: true });
    clients.push(carla);
    await olga.user.invite(roomId, carla.userId);
    await acceptNextInvite(carla.user, { from: olga.userId });
    await olga.awaitMembers(roomId, [carla.userId]);

    const title = 'With Carla';
    const m = await plan(w, olga, roomId, title, [carla]);
    const prompt = await carla.waitFor(roomId, isPrompt(botId), { afterEventId: m.commandId, ...wait });
    expect(prompt.encrypted).toBe(true);
    await olga.user.react(roomId, prompt.event_id, '✅');
    await carla.reactEncrypted(roomId, prompt.event_id, '✅');
    const opened = await carla.waitFor(roomId, isOpened(botId, title), wait);
    expect(bodyOf(opened)).toContain(recordingOn(2)); // what the bot said before she joined stays unreadable to her
  });

  it('after a restart: same device, a ✅ sent in a Megolm session from before counts; the whole flow again', async () => {
    const { olga, alice, bob, roomId } = await encryptedRoom(w, clients, 'encrypted restart');
    const title = 'Encrypted before and after';
    // Planned before the restart: Olga's command reaches the bot in her Megolm session.
    const m = await plan(w, olga, roomId, title, [alice, bob]);
    const published = await botDevices(olga.user, botId);
    expect(published).toHaveLength(1);
    const accountDevices = await ownDevices(w.botUser);
    await w.bot.stop();

    // While the bot is down. Olga's encrypted ✅ goes out in the session her command used (her client
    // keeps it): only the key the bot stored before the restart opens it. Alice's is encrypted in a new
    // session whose key waits for the bot as a to-device message; Bob's is in the clear.
    const olgaYes = await olga.reactEncrypted(roomId, m.prompt.event_id, '✅');
    expect(megolmSession(olga, roomId, olgaYes)).toBe(megolmSession(olga, roomId, m.commandId));
    await alice.reactEncrypted(roomId, m.prompt.event_id, '✅');
    await bob.user.react(roomId, m.prompt.event_id, '✅');

    await w.bot.restart();
    const devices = w.bot.logged('encryption ready');
    expect(devices.length).toBeGreaterThanOrEqual(2);
    expect(new Set(devices.map((r) => r.deviceId)), 'one device across starts').toEqual(
      new Set([published[0]]),
    );
    expect(await botDevices(olga.user, botId)).toEqual(published);
    expect(await ownDevices(w.botUser), 'no new device for the bot account').toEqual(accountDevices);

    // The start-up re-read decrypts the ✅s: all agreed, the meeting opens recorded.
    const opened = await olga.waitFor(roomId, isOpened(botId, title), wait);
    expect(opened.encrypted).toBe(true);
    // The bot's first message after a start goes out in a new Megolm session (a room key shared anew).
    expect(megolmSession(olga, roomId, opened.event_id)).not.toBe(
      megolmSession(olga, roomId, m.prompt.event_id),
    );
    expect(bodyOf(opened)).toContain(recordingOn(3));
    const session = expectRecordedSession(w.sim, title);
    await expectEncryptedLinks(w, olga, [olga, alice, bob]); // direct-message rooms created after the restart
    await withdrawnAfterTheMeeting(w, { roomId, title, session, watcher: olga, who: alice });

    // The next meeting: Bob declines (encrypted), so it opens unrecorded.
    const next = 'Encrypted after restart';
    const n = await plan(w, olga, roomId, next, [alice, bob]);
    await olga.user.react(roomId, n.prompt.event_id, '✅');
    await alice.reactEncrypted(roomId, n.prompt.event_id, '✅');
    await bob.reactEncrypted(roomId, n.prompt.event_id, '❌');
    const unrecorded = await olga.waitFor(roomId, isOpened(botId, next), wait);
    expect(unrecorded.encrypted).toBe(true);
    expect(bodyOf(unrecorded)).toContain(recordingOff(['declined', 'Bob']));
    expect(sessionsNamed(w.sim, next)).toEqual([expect.objectContaining({ record: false })]);
    expect(olga.undecryptable(roomId)).toEqual([]);
  }, 120_000); // a restart and two meetings: slow on a loaded machine
});
