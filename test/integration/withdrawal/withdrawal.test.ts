// Withdrawal of consent (design.md §3.5–3.6, §4 `!withdraw`): before opening, during a recorded
// session, after the meeting; on someone's behalf by an admin; refused for non-admins.
import { describe, expect } from 'vitest';
import { lines } from '../../../src/i18n/rich.js';
import { ADMIN, ALICE, BOB, CAROL, ORGANIZER, ROOM } from '../../support/app-harness.js';
import {
  joinLinkRecording,
  plain,
  recordingReadyPattern,
  said,
  t,
  withdrawalLines,
} from '../../support/catalogue.js';
import { it } from '../../support/fixtures.js';
import {
  botState,
  callCounts,
  currentSession,
  endedRecordedMeeting,
  joinAs,
  joinedRecordedMeeting,
  joinLinks,
  lastRoomText,
  openRecordedMeeting,
  recordedMeetingWithRecording,
  simState,
} from '../recordings/support.js';

/** What "deleted" means on this BBB server, said with every message about a deletion. */
const means = (h: { config: { notice: { finalDeletion?: string } } }) =>
  t.deletionMeans(h.config.notice.finalDeletion!);

describe('withdrawal before the meeting opens', () => {
  it('opens unrecorded, names who withdrew, and records nothing', async ({ h }) => {
    const { prompt } = await h.plan(`Planning ${ALICE} ${BOB}`, ORGANIZER, ALICE);
    await h.say(ALICE, '!withdraw');
    expect(lastRoomText(h)).toBe(said(t.withdrawBeforeOpen(plain('Alice'), 'Planning')));
    expect(h.sim.sessions()).toHaveLength(0); // not opened yet: Bob has not answered

    await h.agree(prompt, BOB);
    const [session] = h.sim.sessions();
    expect(session?.record).toBe(false);
    const withdrew = said(t.recordingOffReasons([t.reasonWithdrew(plain('Alice'))]));
    expect(h.chat.inRoom(ROOM).some((m) => m.text.includes(withdrew))).toBe(true);
    // Unrecorded: everyone gets a link, Alice included.
    for (const user of [ORGANIZER, ALICE, BOB]) expect(joinLinks(h, user)).toHaveLength(1);
  });

  it('agreeing again after a withdrawal makes it recorded again', async ({ h }) => {
    const { prompt } = await h.plan(`Planning ${ALICE}`, ALICE);
    await h.say(ALICE, '!withdraw');
    await h.agree(prompt, ALICE, ORGANIZER);
    expect(h.sim.sessions()[0]?.record).toBe(true);
  });
});

describe('withdrawal during a recorded session', () => {
  it('ends the session, opens an unrecorded one, sends new links, and deletes the recording', async ({
    h,
  }) => {
    const id = await openRecordedMeeting(h);
    const first = currentSession(h, id);
    const firstLinks = joinLinks(h, ALICE);
    expect(firstLinks).toHaveLength(1);
    await joinAs(h, ORGANIZER);
    await joinAs(h, ALICE);

    await h.say(BOB, '!withdraw');

    const sessions = h.sim.sessions();
    expect(sessions).toMatchObject([
      { meetingID: first.bbbMeetingId, ended: true, forciblyEnded: true },
      { record: false, ended: false },
    ]);
    const second = currentSession(h, id);
    expect(second.bbbMeetingId).toBe(sessions[1]?.meetingID);
    expect(h.app.ctx.stores.meetings.session(first.id)?.endReason).toBe('withdrawal');

    expect(lastRoomText(h)).toBe(said(lines([t.withdrawRestarted(plain('Bob'), 'Weekly sync'), means(h)])));

    // New links for everyone (Bob included: the new session records nothing), to the new session only.
    for (const user of [ORGANIZER, ALICE, BOB]) {
      const link = joinLinks(h, user).at(-1)!;
      expect(link).toContain(encodeURIComponent(second.bbbMeetingId));
      expect(h.chat.dmOf(user).at(-1)?.text).toContain(joinLinkRecording(false));
    }
    // The old link no longer enters anything.
    const old = await h.sim.simulateJoin(firstLinks[0]!);
    expect(old.ok).toBe(false);

    // The ended session's recording was found and deleted at once (processing is instant here).
    const recordings = h.sim.recordings({ includeDeleted: true });
    expect(recordings).toMatchObject([{ state: 'deleted' }]);
    expect(botState(h, recordings[0]!.recordID)).toBe('purged');
  });

  it('a ❌ after ✅ during the session is the same withdrawal', async ({ h }) => {
    const { id } = await joinedRecordedMeeting(h);
    await h.react(ALICE, h.promptOf(id), '❌');
    expect(h.sim.sessions()).toMatchObject([{}, { record: false }]);
    expect(h.sim.recordings({ includeDeleted: true })[0]?.state).toBe('deleted');
  });

  it('deletes the old recording when it appears later (BBB could not list it at withdrawal time)', async ({
    h,
  }) => {
    const { session: first } = await joinedRecordedMeeting(h);
    h.sim.faults.set({ http500: ['getRecordings'] });
    await h.say(ALICE, '!withdraw');
    h.sim.faults.clear();
    const [rec] = h.sim.recordings();
    expect(rec?.meetingID).toBe(first.bbbMeetingId);
    expect(rec?.state).toBe('published'); // still there: nobody could delete it yet
    expect(botState(h, rec!.recordID)).toBeUndefined();

    // The discovery job finds it and marks it for deletion at once; it is never announced as ready.
    await h.app.discovery.discoverAll();
    expect(botState(h, rec!.recordID)).toBe('purge-pending');
    expect(h.chat.inRoom(ROOM).some((m) => recordingReadyPattern.test(m.text))).toBe(false);

    const run = await h.app.retention.run();
    expect(run.deleted.map((r) => r.recordId)).toEqual([rec!.recordID]);
    expect(simState(h, rec!.recordID)).toBe('deleted');
    expect(botState(h, rec!.recordID)).toBe('purged');
  });

  it('does not open a new session when the recorded one already ended in BBB', async ({ h }) => {
    // Everyone left; the discovery job has not noticed yet.
    const { id } = await endedRecordedMeeting(h);
    const linksBefore = joinLinks(h, ALICE).length;

    await h.say(ALICE, '!withdraw');

    expect(h.sim.sessions().filter((s) => !s.ended)).toHaveLength(0);
    expect(joinLinks(h, ALICE)).toHaveLength(linksBefore);
    expect(h.app.ctx.stores.meetings.get(id)?.state).toBe('closed');
    const [rec] = h.sim.recordings({ includeDeleted: true });
    expect(rec?.state).toBe('deleted');
    const name = t.recordingName('Weekly sync', h.app.ctx.date(h.clock.now()));
    expect(lastRoomText(h)).toContain(said(t.withdrawDeleted(plain('Alice'), [name], [])).split('\n')[1]);
  });
});

describe('withdrawal after the meeting', () => {
  it('deletes every recording of every session and names them by title and date', async ({ h }) => {
    const { meetingId, recordId } = await recordedMeetingWithRecording(h);
    const session = h.app.ctx.stores.meetings.sessions(meetingId)[0]!;
    // A second recording of the same session (e.g. an admin's rebuild) also goes.
    const [extra] = h.sim.seedRecordings([{ meetingID: session.bbbMeetingId, name: 'Weekly sync' }]);
    h.sim.resetRequests();

    await h.say(BOB, '!withdraw');

    expect(simState(h, recordId)).toBe('deleted');
    expect(simState(h, extra!.recordID)).toBe('deleted');
    expect(botState(h, recordId)).toBe('purged');
    expect(botState(h, extra!.recordID)).toBe('purged');
    const date = h.app.ctx.date(h.clock.now());
    const name = t.recordingName('Weekly sync', date);
    expect(lastRoomText(h)).toBe(said(lines([t.withdrawDeleted(plain('Bob'), [name, name], []), means(h)])));
    expect(callCounts(h).deleteRecordings).toBe(1);
  });

  it('keeps what BBB cannot delete now as purge-pending and deletes it on a later run', async ({ h }) => {
    const { recordId } = await recordedMeetingWithRecording(h);
    h.sim.faults.set({ http500: ['deleteRecordings'] });
    await h.say(ALICE, '!withdraw');
    expect(botState(h, recordId)).toBe('purge-pending');
    expect(simState(h, recordId)).toBe('published');
    const name = t.recordingName('Weekly sync', h.app.ctx.date(h.clock.now()));
    expect(lastRoomText(h)).toBe(said(lines([t.withdrawDeleted(plain('Alice'), [], [name]), means(h)])));

    // Still failing: the job tries again, nothing is marked purged.
    let run = await h.app.retention.run();
    expect(run.failed).toHaveLength(1);
    expect(botState(h, recordId)).toBe('purge-pending');
    expect(h.app.ctx.stores.recordings.get(recordId)?.attempts).toBeGreaterThanOrEqual(2);

    h.sim.faults.clear();
    run = await h.app.retention.run();
    expect(run.deleted.map((r) => r.recordId)).toEqual([recordId]);
    expect(simState(h, recordId)).toBe('deleted');
    expect(botState(h, recordId)).toBe('purged');
    // …and the room, told earlier that it would be retried, now hears that it is gone.
    expect(lastRoomText(h)).toBe(said(lines([t.deletedAfterWithdrawal([name]), means(h)])));
  });

  it('BBB unreachable: says the recording is pending, never that there was none', async ({ h }) => {
    await endedRecordedMeeting(h);
    await h.app.discovery.closeEndedMeetings();
    // The recording exists in BBB, but the bot has not discovered it yet and BBB is down now.
    h.sim.faults.set({ refuseConnections: true });
    await h.say(ALICE, '!withdraw');
    expect(lastRoomText(h)).not.toContain(withdrawalLines('Alice').none);

    h.sim.faults.clear();
    await h.app.discovery.discoverAll();
    await h.app.retention.run();
    expect(h.sim.recordings()).toHaveLength(0);
  });

  it('a second !withdraw changes nothing and deletes nothing twice', async ({ h }) => {
    const { recordId } = await recordedMeetingWithRecording(h);
    await h.say(ALICE, '!withdraw');
    expect(simState(h, recordId)).toBe('deleted');
    h.sim.resetRequests();
    await h.say(ALICE, '!withdraw');
    expect(callCounts(h).deleteRecordings ?? 0).toBe(0);
  });
});

describe('who may withdraw', () => {
  it("an admin withdraws on someone's behalf; the audit log names the admin", async ({ h }) => {
    const { meetingId, recordId } = await recordedMeetingWithRecording(h);
    await h.say(ADMIN, `!withdraw ${BOB}`);
    expect(simState(h, recordId)).toBe('deleted');
    const text = lastRoomText(h);
    expect(text).toContain(withdrawalLines('Bob').saved);
    expect(text).toContain(said(t.withdrawOnBehalf(plain(ADMIN))));

    const audit = h.app.ctx.stores.audit.forMeeting(meetingId);
    const adminEntry = audit.find((a) => a.action === 'admin.withdraw');
    expect(adminEntry?.actorId).toBe(ADMIN);
    expect(adminEntry?.subjectId).toBe(BOB);
    const withdrawal = audit.find((a) => a.action === 'consent.withdraw');
    expect(withdrawal?.actorId).toBe(ADMIN);
    const ledger = h.app.ctx.stores.meetings.consentEvents(meetingId).filter((e) => e.kind === 'withdraw');
    expect(ledger).toMatchObject([{ userId: BOB, actorId: ADMIN, source: 'command' }]);
  });

  it('a non-admin cannot withdraw for someone else', async ({ h }) => {
    const { meetingId, recordId } = await recordedMeetingWithRecording(h);
    await h.say(ALICE, `!withdraw ${BOB}`);
    expect(lastRoomText(h)).toBe(said(t.notAllowed(t.whoAdmin)));
    expect(simState(h, recordId)).toBe('published');
    const withdrawals = h.app.ctx.stores.meetings
      .consentEvents(meetingId)
      .filter((e) => e.kind === 'withdraw');
    expect(withdrawals).toHaveLength(0);
  });

  it('someone not invited has nothing to withdraw', async ({ h }) => {
    const { recordId } = await recordedMeetingWithRecording(h);
    await h.say(CAROL, '!withdraw');
    expect(lastRoomText(h)).toBe(said(t.withdrawNothing));
    expect(simState(h, recordId)).toBe('published');
  });
});
