// What people see, end to end on a real Synapse: the layered notice (short first layer, full text one
// click away, its hash stored), playback links by DM to exactly the invitees who agreed and never after
// a withdrawal, and the reminder before a --at meeting at its time.
import { createHash } from 'node:crypto';
import { expect } from 'vitest';
import {
  around,
  escapeRegExp,
  firstLayerOf,
  fullNoticeOpening,
  noAnswerFrom,
  opening,
  plain,
  recordingReadyOpening,
  said,
  t,
  withdrawalSaved,
} from '../support/catalogue.js';
import { describeWorld, FAST_RETENTION, worldTest } from './support/fixtures.js';
import { type TestUser, waitForEvent } from './support/homeserver.js';
import {
  ask,
  bodyOf,
  createMeetingRoom,
  dmRoomOf,
  expectNoInvite,
  isOpened,
  type MeetingWorld,
  pingBarrier,
  planMeeting,
  postFrom,
  receiveLink,
  registerPeople,
  sessionsNamed,
  storedRows,
  wait,
} from './support/meeting-helpers.js';

const it = worldTest({ reminders: { minutesBefore: 1 }, retention: FAST_RETENTION });
const PLAYBACK = /https?:\/\/\S+\/playback\/presentation\/2\.3\/\S+/;

describeWorld(it, 'what people see: layered notice, playback links, reminders', () => {
  let w: MeetingWorld;
  let botId: string;
  let olga: TestUser;
  let alice: TestUser;
  let carol: TestUser;
  let dave: TestUser;
  let roomId: string;

  /** The bot's database, read-only, as the evidence an auditor would look at. */
  const storedNoticeHash = (meetingNumber: number) =>
    storedRows<{ notice_sha256: string }>(
      w,
      'select notice_sha256 from meetings where id = ?',
      meetingNumber,
    )[0]?.notice_sha256 ?? '';

  it.beforeAll(async ({ w: world }) => {
    w = world;
    botId = w.botUser.userId;
    [olga, alice, carol, dave] = await registerPeople(w.hs, ['Olga', 'Alice', 'Carol', 'Dave']);
    roomId = await createMeetingRoom(olga, botId, [alice, carol, dave], 'what people see');
  });

  it('the first layer and the prompt fit one screen; the full text is one click away; its hash is stored', async () => {
    const m = await planMeeting(olga, roomId, botId, 'Layered', [alice]);
    const firstLayer = bodyOf(m.notice);
    expect(firstLayer.length + bodyOf(m.prompt).length).toBeLessThan(1200);

    // The permalink (plain body and HTML) leads to a message in this very room: the full text.
    const permalink = /https:\/\/matrix\.to\/#\/([^/\s]+)\/([^?\s]+)\?via=\S+/.exec(firstLayer);
    expect(permalink, firstLayer).not.toBeNull();
    expect(decodeURIComponent(permalink![1]!)).toBe(roomId);
    expect(String(m.notice.content.formatted_body)).toContain(`<a href="${permalink![0]}">`);
    const fullId = decodeURIComponent(permalink![2]!);
    const full = await waitForEvent(olga, roomId, (e) => e.event_id === fullId, wait);
    expect(full.sender).toBe(botId);
    const [header, ...text] = bodyOf(full).split('\n\n');
    const hash = createHash('sha256').update(text.join('\n\n'), 'utf8').digest('hex');
    expect(header).toBe(said(t.noticeFullHeader(hash.slice(0, 12))));
    expect(firstLayer).toBe(
      firstLayerOf({ title: 'Layered', version: hash.slice(0, 12), fullText: permalink![0] }),
    );
    expect(storedNoticeHash(m.number)).toBe(hash);
    expect(text.join('\n\n')).toContain('Informationspflicht nach Art. 13 und Art. 14 DSGVO');
    expect(String(full.content.formatted_body)).toContain(
      '<a href="https://hosting.example.org/datenschutz">',
    );

    // A second meeting in the room links to the same full text instead of posting it again.
    const second = await planMeeting(olga, roomId, botId, 'Layered again', [alice]);
    expect(bodyOf(second.notice)).toContain(encodeURIComponent(fullId));
    expect(olga.sync.eventsIn(roomId).filter((e) => postFrom(botId, fullNoticeOpening)(e))).toHaveLength(1);
    for (const id of [m.number, second.number]) await olga.sendText(roomId, `!cancel #${id}`);
  });

  it('the playback link reaches exactly the invitees who agreed, by DM, and never after a withdrawal', async () => {
    const title = 'Recorded review';
    const m = await planMeeting(olga, roomId, botId, title, [alice]);
    for (const u of [olga, alice]) await u.react(roomId, m.prompt.event_id, '✅');
    await waitForEvent(olga, roomId, isOpened(botId, title), wait);
    // Carol is invited late and never agrees; Dave is in the room but not invited.
    await olga.sendText(roomId, `!invite ${carol.userId}`);
    const link = await receiveLink(olga, botId);
    await receiveLink(alice, botId);
    expect(await w.sim.simulateJoin(link.url.toString())).toMatchObject({ ok: true });
    const [session] = sessionsNamed(w.sim, title);
    w.sim.endMeeting(session!.meetingID);

    const playback: Record<string, string> = {};
    for (const u of [olga, alice]) {
      const message = await waitForEvent(u, dmRoomOf(u, botId)!, postFrom(botId, PLAYBACK), wait);
      playback[u.displayName] = PLAYBACK.exec(bodyOf(message))![0];
      expect(bodyOf(message)).toContain(
        around((d) => said(t.playbackLink(plain(''), '', d)).split('\n')[2]!)[1],
      );
    }
    expect(playback.Olga).toBe(playback.Alice);
    const recording = w.sim.recordings().find((r) => r.playback[0]?.url === playback.Olga);
    expect(recording?.meetingID).toBe(session!.meetingID);
    // The room hears that it is ready, without the link.
    const ready = await waitForEvent(
      olga,
      roomId,
      postFrom(botId, recordingReadyOpening('Recorded review')),
      wait,
    );
    expect(bodyOf(ready)).not.toMatch(PLAYBACK);
    // Nobody else got a direct message from the bot.
    await pingBarrier(olga, roomId, botId);
    for (const u of [carol, dave]) await expectNoInvite(u, botId, `${u.displayName} gets no DM`);

    // Alice asks for her links: by DM, not in the room.
    const aliceDm = dmRoomOf(alice, botId)!;
    const answer = await ask(alice, roomId, '!recordings', postFrom(botId, said(t.recordingsHeader)));
    expect(bodyOf(answer)).toContain(said(t.recordingsLinksSent));
    expect(bodyOf(answer)).not.toMatch(PLAYBACK);
    const again = await waitForEvent(alice, aliceDm, postFrom(botId, said(t.playbackLinks([]))), wait);
    expect(bodyOf(again)).toContain(playback.Alice!);

    // Alice withdraws: the recording goes, and her next !recordings hands out nothing.
    await ask(alice, roomId, '!withdraw', postFrom(botId, withdrawalSaved('Alice')));
    const headerOrNone = `${escapeRegExp(said(t.recordingsHeader))}|${escapeRegExp(said(t.recordingsNone))}`;
    await ask(alice, roomId, '!recordings', postFrom(botId, new RegExp(headerOrNone)));
    await pingBarrier(alice, roomId, botId);
    const linksAfter = alice.sync
      .eventsIn(aliceDm)
      .filter((e) => postFrom(botId, PLAYBACK)(e) && e.event_id !== again.event_id);
    expect(linksAfter.map((e) => e.event_id)).toHaveLength(1); // only the one sent when it was ready
  });

  it("a --at meeting's reminder arrives in the room at its time, naming who has not answered", async () => {
    const planned = Date.now();
    const m = await planMeeting(olga, roomId, botId, 'Reminded', [alice, dave], '--at "in 70 Sekunden"');
    await olga.react(roomId, m.prompt.event_id, '✅');
    const ref = t.meetingRef(m.number, 'Reminded');
    const due = opening((when) => t.reminder({ ref, minutes: 1, when, pending: null }));
    const reminder = await waitForEvent(olga, roomId, postFrom(botId, due), { timeoutMs: 90_000 });
    const arrived = reminder.origin_server_ts ?? Date.now();
    // Due at 70 s - 60 s = 10 s after planning (the job looks every 15 s): not before.
    expect(arrived - planned).toBeGreaterThanOrEqual(9_000);
    expect(arrived - planned).toBeLessThan(60_000);
    expect(bodyOf(reminder)).toContain(noAnswerFrom(['Alice', 'Dave']));
    expect(reminder.content['m.mentions']).toEqual({ user_ids: [alice.userId, dave.userId] });
    await olga.sendText(roomId, `!cancel #${m.number}`);
  }, 120_000);
});
