// Recordings end to end: the bot as its own process on a real Synapse, BBB simulated over HTTP, the
// discovery and retention jobs on second-level node-cron schedules. The bot runs on the real clock,
// so "old" recordings are seeded into the simulator for a session the bot really created, with a
// startTime far in the past (the clock-controlled variants live in test/integration/recordings).
import { expect } from 'vitest';
import {
  notAllowed,
  opening,
  recordingName,
  recordingOn,
  recordingReadyOpening,
  said,
  t,
} from '../support/catalogue.js';
import { describeWorld, FAST_RETENTION, worldTest } from './support/fixtures.js';
import { type TestUser, waitForEvent } from './support/homeserver.js';
import {
  ask,
  bodyOf,
  botDate,
  createMeetingRoom,
  isOpened,
  isPrompt,
  type MeetingWorld,
  planMeeting,
  postFrom,
  receiveLink,
  recordingState,
  registerPeople,
  sessionsNamed,
  until,
  wait,
} from './support/meeting-helpers.js';

const DAY = 24 * 60 * 60 * 1000;
const RECORDING_DAYS = 30;
const it = worldTest({ retention: { ...FAST_RETENTION, recordingDays: RECORDING_DAYS } }, { admin: 'Admin' });

describeWorld(it, 'recordings: discovery, retention job, purge', () => {
  let w: MeetingWorld;
  let botId: string;
  let olga: TestUser;
  let alice: TestUser;
  let admin: TestUser;
  let roomId: string;

  const simState = (recordId: string) => recordingState(w.sim, recordId);

  /** Plans a meeting, both agree, Olga joins through her link: a running recorded BBB session. */
  async function runningRecordedMeeting(title: string): Promise<string> {
    const m = await planMeeting(olga, roomId, botId, title, [alice]);
    for (const u of [olga, alice]) await u.react(roomId, m.prompt.event_id, '✅');
    const opened = await waitForEvent(olga, roomId, isOpened(botId, title), wait);
    expect(bodyOf(opened)).toContain(recordingOn(2));
    const link = await receiveLink(olga, botId, { afterEventId: lastLink });
    lastLink = link.event.event_id;
    expect(await w.sim.simulateJoin(link.url.toString())).toMatchObject({ ok: true });
    const [session] = sessionsNamed(w.sim, title);
    expect(session?.record).toBe(true);
    return session!.meetingID;
  }
  let lastLink: string | undefined;

  it.beforeAll(async ({ w: world, admin: a }) => {
    w = world;
    botId = w.botUser.userId;
    admin = a;
    [olga, alice] = await registerPeople(w.hs, ['Olga', 'Alice']);
    roomId = await createMeetingRoom(olga, botId, [alice, admin], 'recordings');
  });

  it('a recorded meeting that ended: the room hears the recording is ready, and when it goes', async () => {
    const title = 'Recorded sync';
    const meetingID = await runningRecordedMeeting(title);
    const before = olga.sync.eventsIn(roomId).at(-1)?.event_id;
    w.sim.endMeeting(meetingID);

    const ready = await waitForEvent(olga, roomId, postFrom(botId, `„${title}“`), {
      ...wait,
      afterEventId: before,
    });
    const [rec] = w.sim.recordings().filter((r) => r.meetingID === meetingID);
    expect(rec?.state).toBe('published');
    expect(bodyOf(ready)).toBe(
      said(
        t.recordingReady(
          t.recordingName(title, botDate(rec!.startTime)),
          botDate(rec!.startTime + RECORDING_DAYS * DAY),
        ),
      ),
    );
  });

  it('a non-admin !purge is refused and deletes nothing', async () => {
    const deletesBefore = w.sim.requests().filter((r) => r.call === 'deleteRecordings').length;
    const answer = await ask(alice, roomId, '!purge --expired', postFrom(botId, opening(t.notAllowed)), olga);
    expect(bodyOf(answer)).toContain(notAllowed(t.whoAdmin));
    expect(w.sim.recordings().filter((r) => r.name === 'Recorded sync')).toHaveLength(1);
    expect(w.sim.requests().filter((r) => r.call === 'deleteRecordings').length).toBe(deletesBefore);
  });

  it('the purge job deletes an expired recording and keeps a young one', async () => {
    const title = 'Retention sync';
    const meetingID = await runningRecordedMeeting(title);
    const now = Date.now();
    const [old, young] = w.sim.seedRecordings([
      { meetingID, name: title, startTime: now - (RECORDING_DAYS + 10) * DAY },
      { meetingID, name: title, startTime: now - 2 * DAY },
    ]);
    await until('the expired recording to be deleted', () => simState(old!.recordID) === 'deleted');
    // Give the job a few more rounds: the young one stays.
    await new Promise((r) => setTimeout(r, 4_000));
    expect(simState(young!.recordID)).toBe('published');

    const list = await ask(olga, roomId, '!recordings', postFrom(botId, said(t.recordingsHeader)));
    expect(bodyOf(list)).toContain(
      `${recordingName(title, botDate(young!.startTime))}: ${t.recordingStates.available}, ${t.days(2)}`,
    );
    expect(bodyOf(list)).not.toContain(botDate(old!.startTime));
  });

  it('BBB failing the delete: purge-pending, then deleted on a later run once BBB works', async () => {
    const title = 'Faulty delete';
    const meetingID = await runningRecordedMeeting(title);
    w.sim.faults.set({ dropDeletes: true });
    try {
      w.sim.resetRequests();
      const [old] = w.sim.seedRecordings([
        { meetingID, name: title, startTime: Date.now() - (RECORDING_DAYS + 1) * DAY },
      ]);
      // Two delete attempts by the job, and the recording is still there.
      await until(
        'two delete attempts',
        () => w.sim.requests().filter((r) => r.call === 'deleteRecordings').length >= 2,
      );
      expect(simState(old!.recordID)).toBe('published');

      const list = await ask(olga, roomId, '!recordings', postFrom(botId, said(t.recordingsHeader)));
      expect(bodyOf(list)).toContain(
        `${recordingName(title, botDate(old!.startTime))}: ${t.recordingStates['purge-pending']}`,
      );

      w.sim.faults.clear();
      await until('the pending recording to be deleted', () => simState(old!.recordID) === 'deleted');
    } finally {
      w.sim.faults.clear();
    }
  });

  it('an admin !purge of a meeting reports exactly what was deleted', async () => {
    const title = 'Admin purge';
    const meetingID = await runningRecordedMeeting(title);
    const [rec] = w.sim.seedRecordings([{ meetingID, name: title, startTime: Date.now() - DAY }]);
    await waitForEvent(olga, roomId, postFrom(botId, recordingReadyOpening(title)), wait);
    const number = /#(\d+)/.exec(
      bodyOf(
        olga.sync
          .eventsIn(roomId)
          .filter(isPrompt(botId))
          .findLast((e) => bodyOf(e).includes(title))!,
      ),
    )?.[1];
    const purged = said(t.purgeReport([t.recordingName(title, botDate(rec!.startTime))], []));
    const report = await ask(admin, roomId, `!purge #${number}`, postFrom(botId, purged), olga);
    expect(bodyOf(report)).toContain(purged);
    expect(simState(rec!.recordID)).toBe('deleted');
  });
});
