// Audit b (design.md §3.6–3.8, §4 !withdraw, !recordings, !purge, !mydata, !evidence): withdrawal after
// the meeting, retention and restarts, tried with faults and restarts at the awkward steps.
import { describe, expect, vi } from 'vitest';
import { lines } from '../../../src/i18n/rich.js';
import { ALICE, type Harness, ORGANIZER, ROOM } from '../../support/app-harness.js';
import { plain, said, t, withdrawalReceivedOf } from '../../support/catalogue.js';
import { it } from '../../support/fixtures.js';
import {
  botState,
  joinLinks,
  lastRoomText,
  recordedMeetingWithRecording,
  simState,
} from '../recordings/support.js';

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

/** A recorded meeting in `roomId` everyone agreed to by DM, joined, ended, its recording discovered. */
async function recordedInRoom(h: Harness, roomId: string, title: string, invitees: string[]) {
  await h.say(ORGANIZER, `!meeting ${title} ${invitees.join(' ')}`, roomId);
  const meetings = h.app.ctx.stores.meetings;
  const id = Math.max(...meetings.inRoom(roomId).map((m) => m.id));
  for (const user of [ORGANIZER, ...invitees]) {
    const prompt = meetings.dmPrompt(id, user)!;
    await h.react(user, prompt.eventId, '✅', prompt.roomId);
  }
  const session = meetings.currentSession(id)!;
  expect(session.record).toBe(true);
  const link = joinLinks(h, ORGANIZER).find((l) => l.includes(encodeURIComponent(session.bbbMeetingId)))!;
  expect((await h.sim.simulateJoin(link)).ok).toBe(true);
  h.sim.endMeeting(session.bbbMeetingId);
  await h.sim.finishProcessing();
  await h.app.discovery.closeEndedMeetings();
  await h.app.discovery.discoverAll();
  await h.app.playback.idle();
  const [recording] = h.app.ctx.stores.recordings.ofMeeting(id);
  expect(recording?.state).toBe('available');
  return { id, recordId: recording!.recordId };
}

describe('!withdraw in the DM with the bot', () => {
  it.override('harnessConfig', { consent: { ask: 'direct' } });
  const OTHER = '!other:test';

  it('a meeting room the bot can no longer post in does not stop the withdrawal from the others', async ({
    h,
  }) => {
    h.chat.room(OTHER, [h.chat.botUserId, ORGANIZER, ALICE]);
    const first = await recordedInRoom(h, ROOM, 'Weekly sync', [ALICE]);
    const second = await recordedInRoom(h, OTHER, 'Retro', [ALICE]);
    // The bot was removed from the other room (the homeserver refuses its messages there).
    const send = h.chat.send.bind(h.chat);
    vi.spyOn(h.chat, 'send').mockImplementation(async (roomId, message, options) => {
      if (roomId === OTHER) throw Object.assign(new Error('M_FORBIDDEN: not in room'), { statusCode: 403 });
      return send(roomId, message, options);
    });
    const dm = h.app.ctx.stores.state.directRoom(ALICE)!;
    const before = h.chat.inRoom(dm).length;

    await h.say(ALICE, '!withdraw', dm);

    expect(simState(h, first.recordId)).toBe('deleted');
    expect(simState(h, second.recordId)).toBe('deleted');
    const reply = h.chat
      .inRoom(dm)
      .slice(before)
      .map((m) => m.text)
      .join('\n');
    const date = h.app.ctx.date(h.clock.now());
    for (const title of ['Weekly sync', 'Retro']) {
      expect(reply).toContain(said(t.recordingName(title, date)));
    }
    expect(reply).not.toContain(said(t.internalError));
    // The meeting's room the bot is still in hears of it, naming nobody.
    expect(lastRoomText(h)).toContain(withdrawalReceivedOf('Weekly sync'));
  });
});
