// Which finished meetings the start-up reconciles: those that may still hold a recording. The store
// answers for all of them in one query (MeetingsStore.finishedMayHoldRecording); it must say what
// mayHoldRecording (app/withdrawal.ts) says of each one.
import { describe, expect } from 'vitest';
import { mayHoldRecording } from '../../../src/app/withdrawal.js';
import { ALICE, BOB, ORGANIZER } from '../../support/app-harness.js';
import { it } from '../../support/fixtures.js';
import { lastMeetingId, openRecordedMeeting, recordedMeetingWithRecording, simState } from './support.js';

describe('finished meetings that may still hold a recording', () => {
  it('are the closed or cancelled ones mayHoldRecording names, in one query', async ({ h }) => {
    const kept = await recordedMeetingWithRecording(h, 'Kept');
    const withdrawn = await recordedMeetingWithRecording(h, 'Withdrawn');
    await h.say(BOB, `!withdraw #${withdrawn.meetingId}`);
    await h.app.outbox.runMeeting(withdrawn.meetingId);
    expect(simState(h, withdrawn.recordId)).toBe('deleted');
    // Recorded and still running (not finished), then cancelled while it ran.
    const running = await openRecordedMeeting(h, 'Running');
    const cancelled = await openRecordedMeeting(h, 'Cancelled');
    await h.say(ORGANIZER, `!cancel #${cancelled}`);
    // Declined: never recorded; cancelled before anyone answered.
    const { id: declined } = await h.plan(`Declined ${ALICE}`);
    await h.react(ALICE, h.promptOf(declined), '❌');
    await h.react(ORGANIZER, h.promptOf(declined), '✅');
    await h.say(ORGANIZER, `!meeting Early ${ALICE}`);
    await h.say(ORGANIZER, `!cancel #${lastMeetingId(h)}`);

    const { stores } = h.app.ctx;
    const all = [...stores.meetings.inStates(['closed', 'cancelled'])];
    const expected = all
      .filter((m) => m.promptEventId !== null && !m.noRecord && mayHoldRecording(stores, m.id))
      .map((m) => m.id)
      .sort((a, b) => a - b);
    expect(stores.meetings.finishedMayHoldRecording()).toEqual(expected);
    expect(expected).toContain(kept.meetingId);
    expect(expected).toContain(cancelled);
    expect(expected).not.toContain(running);
    expect(expected).not.toContain(declined);
  });
});
