// `!withdraw` end to end (design.md §3.5–3.6): during a running recorded session (ended in BBB, a new
// unrecorded session, new personal links by DM, the room told) and after the meeting (its recording
// deleted in BBB, the room told which one, by title and date).
import { expect } from 'vitest';
import { catalogue } from '../../src/i18n/index.js';
import {
  joinLinkRecording,
  notAllowed,
  opening,
  plain,
  recordingName,
  recordingReadyOpening,
  said,
  t,
  withdrawalOf,
} from '../support/catalogue.js';
import { SAMPLE_NOTICE_FACTS } from '../support/notice-facts.js';
import { describeWorld, FAST_RETENTION, worldTest } from './support/fixtures.js';
import { waitForEvent } from './support/homeserver.js';
import {
  ask,
  bodyOf,
  botDate,
  expectWorkingLinks,
  postFrom,
  recordingState,
  runningRecordedMeeting,
  sessionsNamed,
  untilRecordingDeleted,
  wait,
} from './support/meeting-helpers.js';

// The end of a session and its recording are noticed within seconds.
const it = worldTest({ retention: FAST_RETENTION });

describeWorld(it, '!withdraw of a recorded meeting', () => {
  it('during the recorded session: ends it, opens an unrecorded one, new links by DM, room told', async ({
    w,
    botId,
  }) => {
    const title = 'Withdraw live';
    const { olga, alice, bob, roomId, session, links } = await runningRecordedMeeting(w, title, 2);

    const told = await ask(bob, roomId, '!withdraw', postFrom(botId, withdrawalOf('Bob')), olga);
    expect(bodyOf(told)).toContain(said(t.withdrawRestarted(plain('Bob'), title)));

    // BBB: the recorded session was ended, a new one records nothing.
    const sessions = sessionsNamed(w.sim, title);
    expect(sessions).toHaveLength(2);
    expect(sessions[0]).toMatchObject({ meetingID: session.meetingID, ended: true, forciblyEnded: true });
    expect(sessions[1]).toMatchObject({ record: false, ended: false });
    // Inside the meeting: one line naming nobody, posted before the end (BBB 3.0's sendChatMessage).
    expect(sessions[0]!.chat.map((c) => c.message)).toEqual([
      catalogue('de').inMeeting.endingAfterWithdrawal(),
    ]);
    expect(sessions[0]!.chat[0]!.at).toBeLessThanOrEqual(sessions[0]!.endTime!);
    expect(sessions[1]!.meetingID).not.toBe(session.meetingID);

    // New personal links to the new session, for everyone (Bob too: nothing is recorded now).
    const earlier = links.map((l) => l.event.event_id);
    for (const link of await expectWorkingLinks(w, [olga, alice, bob], earlier)) {
      expect(link.url.searchParams.get('meetingID')).toBe(sessions[1]!.meetingID);
      expect(bodyOf(link.event)).toContain(joinLinkRecording(false));
    }
    // The old link enters nothing any more.
    expect(await w.sim.simulateJoin(links[0]!.url.toString())).toMatchObject({ ok: false });

    // The recording of the ended session is deleted as soon as BBB lists it.
    await untilRecordingDeleted(w.sim, session.meetingID);
    // It was never announced as ready.
    expect(olga.sync.eventsIn(roomId).filter(postFrom(botId, recordingReadyOpening(title)))).toHaveLength(0);
    // The unrecorded session leaves nothing behind.
    w.sim.endMeeting(sessions[1]!.meetingID);
    await w.sim.finishProcessing();
    expect(w.sim.recordings({ includeDeleted: true }).filter((r) => r.name === title)).toHaveLength(1);
  });

  it('after the meeting: the recording is deleted in BBB and named in the room', async ({ w, botId }) => {
    const title = 'Withdraw later';
    const { olga, alice, roomId, session } = await runningRecordedMeeting(w, title, 2);
    w.sim.endMeeting(session.meetingID);
    const ready = await waitForEvent(olga, roomId, postFrom(botId, recordingReadyOpening(title)), wait);
    const [rec] = w.sim.recordings().filter((r) => r.meetingID === session.meetingID);
    expect(rec?.state).toBe('published');
    const when = botDate(rec!.startTime);
    expect(bodyOf(ready)).toContain(recordingName(title, when));

    const told = await ask(alice, roomId, '!withdraw', postFrom(botId, withdrawalOf('Alice')), olga);
    expect(bodyOf(told)).toBe(
      `${said(t.withdrawDeleted(plain('Alice'), [t.recordingName(title, when)], []))}\n${said(t.deletionMeans(SAMPLE_NOTICE_FACTS.finalDeletion))}`,
    );
    expect(recordingState(w.sim, rec!.recordID)).toBe('deleted');
    // No new session was opened for a meeting that is over.
    expect(sessionsNamed(w.sim, title)).toHaveLength(1);
  });

  it('a non-admin cannot withdraw for someone else', async ({ w, botId }) => {
    const title = 'Withdraw other';
    const { olga, alice, bob, roomId } = await runningRecordedMeeting(w, title, 2);
    const answer = await ask(
      alice,
      roomId,
      `!withdraw ${bob.userId}`,
      postFrom(botId, opening(t.notAllowed)),
      olga,
    );
    expect(bodyOf(answer)).toBe(notAllowed(t.whoAdmin));
    expect(sessionsNamed(w.sim, title)).toHaveLength(1);
    expect(sessionsNamed(w.sim, title)[0]?.ended).toBe(false);
  });
});
