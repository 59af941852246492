// Audit b (design.md §3.6–3.8, §4 !withdraw, !recordings, !purge, !mydata, !evidence): withdrawal after
// the meeting, retention and restarts, tried with faults and restarts at the awkward steps.
import { describe, expect, vi } from 'vitest';
import { lines } from '../../../src/i18n/rich.js';
import { ALICE } from '../../support/app-harness.js';
import { plain, said, t } from '../../support/catalogue.js';
import { it } from '../../support/fixtures.js';
import { botState, lastRoomText, recordedMeetingWithRecording, simState } from '../recordings/support.js';

const means = (h: { config: { notice: { finalDeletion?: string } } }) =>
  t.deletionMeans(h.config.notice.finalDeletion!);

describe('a delete BBB carried out whose answer the bot never got', () => {
  it('the room, told it was not deleted yet, hears that it is gone once the bot learns it', async ({ h }) => {
    const { meetingId, recordId } = await recordedMeetingWithRecording(h);
    const bbb = h.app.ctx.bbb;
    const real = bbb.deleteRecordings.bind(bbb);
    // BBB deletes; the answer is lost on the way back (timeout, reset connection).
    vi.spyOn(bbb, 'deleteRecordings').mockImplementationOnce(async (ids) => {
      await real(ids);
      throw new Error('socket hang up');
    });
    await h.say(ALICE, '!withdraw');
    expect(simState(h, recordId)).toBe('deleted');
    const name = t.recordingName('Weekly sync', h.app.ctx.date(h.clock.now()));
    // What the bot knows: not confirmed yet.
    expect(lastRoomText(h)).toBe(said(lines([t.withdrawDeleted(plain('Alice'), [], [name]), means(h)])));

    // The discovery poll sees it deleted first: it leaves the confirmation to the purge, which tells it.
    await h.app.discovery.discoverAll();
    await h.app.tick();
    expect(botState(h, recordId)).toBe('purged');
    expect(lastRoomText(h)).toBe(said(lines([t.deletedAfterWithdrawal([name]), means(h)])));
    const audit = h.app.ctx.stores.audit.forMeeting(meetingId);
    expect(audit.filter((a) => a.action === 'recording.purged')).toHaveLength(1);
  });
});
