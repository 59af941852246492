// Audit (helper a): design.md §3.1–3.5 and `!meeting`, `!start`, `!cancel`, `!invite`, `!status` (§4),
// tried the way outside reviewers would: orders of events, BBB faults and restarts between the steps.
// Each runs the real app on a SQLite file against the BBB simulator over HTTP and the in-memory chat.
import { describe, expect } from 'vitest';
import { ALICE, BOB, CAROL, DAVE, type Harness, ORGANIZER, ROOM } from '../../support/app-harness.js';
import {
  joinLinkRecording,
  notAllowed,
  plain,
  said,
  t,
  tallyCount,
  tallyLine,
} from '../../support/catalogue.js';
import { it } from '../../support/fixtures.js';
import {
  currentSession,
  endAndDiscover,
  joinAs,
  joinedRecordedMeeting,
  joinLinks,
  lastRoomText,
  openRecordedMeeting,
  roomTexts,
  simState,
} from '../recordings/support.js';

const bbbSession = (h: Harness, bbbMeetingId: string) =>
  h.sim.sessions().find((s) => s.meetingID === bbbMeetingId);
const finalDeletion = (h: Harness) => h.config.notice.finalDeletion!;
const running = (h: Harness) => h.sim.sessions().filter((s) => !s.ended);
/** Links to a recorded session (the 🔴 line) this person received. */
const recordedLinks = (h: Harness, user: string) =>
  h.chat.dmOf(user).filter((m) => m.text.includes(joinLinkRecording(true)));
const kinds = (h: Harness, id: number, user: string) =>
  h.app.ctx.stores.meetings
    .consentEvents(id)
    .filter((e) => e.userId === user)
    .map((e) => e.kind);
/** Dave joins the room, and the organizer invites him to the running recorded meeting `id`. */
const inviteDave = async (h: Harness, id: number) => {
  h.chat.members.get(ROOM)?.add(DAVE);
  await h.say(ORGANIZER, `!invite #${id} ${DAVE}`);
};

describe('a late invitee of a running recorded meeting who never agreed (§3.4)', () => {
  it.for(['❌', '!withdraw'])(
    'his %s ends the recorded session and opens an unrecorded one; the recording everyone in it agreed to stays',
    async (how, { h }) => {
      const { id, session: recorded } = await joinedRecordedMeeting(h);
      await inviteDave(h, id);
      expect(joinLinks(h, DAVE)).toEqual([]);
      if (how === '❌') await h.react(DAVE, h.promptOf(id), '❌');
      else await h.say(DAVE, '!withdraw');

      expect(bbbSession(h, recorded.bbbMeetingId)?.ended).toBe(true);
      expect(running(h)).toMatchObject([{ record: false }]);
      // He takes part, unrecorded: one link, to the new session; never one to the recorded one.
      expect(joinLinks(h, DAVE)).toHaveLength(1);
      expect(recordedLinks(h, DAVE)).toEqual([]);
      // The recording of the session he never entered is kept: everyone in it had agreed.
      await h.sim.finishProcessing();
      await h.app.discovery.discoverAll();
      await h.app.tick();
      const [recording] = h.sim.recordings({ includeDeleted: true });
      expect(recording?.meetingID).toBe(recorded.bbbMeetingId);
      expect(recording?.state).toBe('published');
      // And nobody is told it will be deleted.
      expect(roomTexts(h)).toContainEqual(said(t.lateDeclineRestarted('Weekly sync')));
      expect(roomTexts(h).some((text) => text.includes(said(t.deletionMeans(finalDeletion(h)))))).toBe(false);
    },
  );

  it('his !withdraw after the meeting, never having answered, deletes nothing', async ({ h }) => {
    const { id, session: recorded } = await joinedRecordedMeeting(h);
    await inviteDave(h, id);
    const recordId = await endAndDiscover(h, id);
    expect(h.app.ctx.stores.meetings.get(id)?.state).toBe('closed');
    await h.say(DAVE, '!withdraw');
    expect(lastRoomText(h)).toBe(said(t.withdrawUnrecorded(plain('dave'), 'Weekly sync')));
    await h.app.tick();
    expect(simState(h, recordId)).toBe('published');
    expect(h.sim.recordings()[0]?.meetingID).toBe(recorded.bbbMeetingId);
    // Someone who had agreed still deletes it.
    await h.say(ALICE, '!withdraw');
    expect(simState(h, recordId)).toBe('deleted');
  });
});
