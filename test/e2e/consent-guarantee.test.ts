// The consent guarantee end to end (issue #8), on a real homeserver with the bot as its own process
// and the BBB simulator with fault injection: cancel-then-withdraw deletes the recording; BBB `end`
// failing during a withdrawal leaves the session *ending* (the room is told the truth) until BBB
// recovers; a ✅ redacted while the bot was down is withdrawn before a live answer can open the meeting.
import { expect } from 'vitest';
import { plain, reason, recordingOffOpening, said, t, withdrawalOf } from '../support/catalogue.js';
import { describeWorld, FAST_RETENTION, worldTest } from './support/fixtures.js';
import { waitForEvent } from './support/homeserver.js';
import {
  ask,
  awaitingBob,
  bodyOf,
  isOpened,
  postFrom,
  runningRecordedMeeting,
  sessionsNamed,
  until,
  untilRecordingDeleted,
  wait,
} from './support/meeting-helpers.js';

const it = worldTest({ retention: FAST_RETENTION });

describeWorld(it, 'the consent guarantee', () => {
  it('cancel, then withdraw: the recording of the cancelled meeting is deleted', async ({ w, botId }) => {
    const title = 'Cancel then withdraw';
    const { olga, alice, roomId, session } = await runningRecordedMeeting(w, title);
    await ask(olga, roomId, '!cancel', postFrom(botId, said(t.cancelled(title))));
    expect(sessionsNamed(w.sim, title)[0]?.ended).toBe(true);
    await until('BBB to list the recording', () =>
      w.sim.recordings().some((r) => r.meetingID === session.meetingID),
    );

    const told = await ask(alice, roomId, '!withdraw', postFrom(botId, withdrawalOf('Alice')), olga);
    expect(bodyOf(told)).not.toContain(said(t.withdrawDeleted(plain('Alice'), [], [])).split('\n')[1]!);
    await untilRecordingDeleted(w.sim, session.meetingID);
  });

  it('BBB end failing during a withdrawal: ending, retried, the room told only when it ended', async ({
    w,
    botId,
  }) => {
    const title = 'End fails';
    const { olga, bob, roomId, session } = await runningRecordedMeeting(w, title);
    w.sim.faults.set({ http500: ['end'] });
    try {
      const told = await ask(bob, roomId, '!withdraw', postFrom(botId, withdrawalOf('Bob')), olga);
      expect(bodyOf(told)).toContain(said(t.withdrawEnding(plain('Bob'), title)));
      expect(bodyOf(told)).not.toContain(said(t.withdrawRestarted(plain('Bob'), title)));
      // Still running in BBB: nothing claimed otherwise. A new unrecorded session is open.
      const sessions = sessionsNamed(w.sim, title);
      expect(sessions.find((s) => s.meetingID === session.meetingID)?.ended).toBe(false);
      await until('the unrecorded successor', () => sessionsNamed(w.sim, title).some((s) => !s.record));
    } finally {
      w.sim.faults.clear();
    }
    // BBB answers again: the frequent tick (every 15 s) ends it and the room hears it.
    const ended = await waitForEvent(olga, roomId, postFrom(botId, said(t.recordedSessionEnded(title))), {
      timeoutMs: 45_000,
    });
    expect(bodyOf(ended)).toContain(title);
    expect(sessionsNamed(w.sim, title).find((s) => s.meetingID === session.meetingID)?.ended).toBe(true);
    await untilRecordingDeleted(w.sim, session.meetingID);
  }, 90_000);

  it('a ✅ redacted while the bot was down is withdrawn before a live ✅ opens the meeting', async ({
    w,
    botId,
  }) => {
    const title = 'Redacted while down';
    const { olga, alice, bob, roomId, m, aliceYes } = await awaitingBob(w, title, title);

    await w.bot.kill();
    await alice.redact(roomId, aliceYes);
    await w.bot.restart({ readyTimeoutMs: 60_000 });
    const bobYes = await bob.react(roomId, m.prompt.event_id, '✅');
    const opened = await waitForEvent(olga, roomId, isOpened(botId, title), {
      ...wait,
      afterEventId: bobYes,
    });
    expect(bodyOf(opened)).toContain(recordingOffOpening);
    expect(bodyOf(opened)).toContain(reason('withdrew', 'Alice'));
    const sessions = sessionsNamed(w.sim, title);
    expect(sessions.every((s) => !s.record)).toBe(true);
  }, 120_000);
});
