// Playback links (design.md §3.9): a BBB playback URL needs no login, so it is a credential. It goes
// by direct message to each invitee who agreed, never into the room, never after a withdrawal.
import { describe, expect } from 'vitest';
import { ALICE, BOB, CAROL, type Harness, ORGANIZER, ROOM } from '../../support/app-harness.js';
import { around, plain, recordingReadyPattern, said, t } from '../../support/catalogue.js';
import { it } from '../../support/fixtures.js';
import {
  DAY,
  dmLinks,
  endAndDiscover,
  joinAs,
  joinedRecordedMeeting,
  lastRoomText,
  openRecordedMeeting,
  recordedMeetingWithRecording,
} from './support.js';

const PLAYBACK = /https?:\/\/\S+\/playback\/presentation\/2\.3\/\S+/;
const playbackLinks = (h: Harness, userId: string) => dmLinks(h, userId, PLAYBACK);

describe('playback links', () => {
  it('each invitee who agreed gets the link by DM once; the room and others get none', async ({ h }) => {
    const { recordId } = await recordedMeetingWithRecording(h);
    const url = h.sim.recordings().find((r) => r.recordID === recordId)!.playback[0]!.url;
    for (const user of [ORGANIZER, ALICE, BOB]) expect(playbackLinks(h, user)).toEqual([url]);
    expect(playbackLinks(h, CAROL)).toEqual([]);
    expect(h.chat.inRoom(ROOM).some((m) => PLAYBACK.test(m.text))).toBe(false);
    expect(lastRoomText(h)).toMatch(recordingReadyPattern);
    expect(lastRoomText(h)).toContain(around((deleteOn) => t.recordingReady(plain(''), deleteOn))[1]);
    const dm = h.chat.dmOf(ALICE).find((m) => m.text.includes(url))!;
    expect(dm.html).toContain(`<a href="${url}">`);
    expect(dm.text).toContain(around((d) => said(t.playbackLink(plain(''), '', d)).split('\n')[2]!)[1]);

    // Later discovery rounds and a restart send nothing again.
    await h.app.discovery.discoverAll();
    await h.app.playback.idle();
    await h.restart();
    await h.app.discovery.discoverAll();
    await h.app.playback.idle();
    for (const user of [ORGANIZER, ALICE, BOB]) expect(playbackLinks(h, user)).toEqual([url]);
  });

  it('!recordings: invitees who agreed get their links by DM, everyone else the list only', async ({ h }) => {
    const { recordId } = await recordedMeetingWithRecording(h);
    const url = h.sim.recordings().find((r) => r.recordID === recordId)!.playback[0]!.url;
    const before = h.chat.dmOf(ALICE).length;

    const name = said(t.recordingName('Weekly sync', h.app.ctx.date(h.clock.now())));
    await h.say(ALICE, '!recordings');
    expect(lastRoomText(h)).toContain(name);
    expect(lastRoomText(h)).toContain(said(t.recordingsLinksSent));
    expect(lastRoomText(h)).not.toMatch(PLAYBACK);
    const dms = h.chat.dmOf(ALICE);
    expect(dms).toHaveLength(before + 1);
    expect(dms.at(-1)!.text).toContain(url);

    await h.say(CAROL, '!recordings');
    expect(lastRoomText(h)).toContain(name);
    expect(lastRoomText(h)).not.toContain(said(t.recordingsLinksSent));
    expect(h.chat.dmOf(CAROL)).toEqual([]);
  });

  it('after a withdrawal the link is never handed out again', async ({ h }) => {
    await recordedMeetingWithRecording(h);
    await h.say(BOB, '!withdraw');
    const counts = [ORGANIZER, ALICE, BOB].map((u) => h.chat.dmOf(u).length);
    await h.say(ALICE, '!recordings');
    await h.app.discovery.discoverAll();
    await h.app.playback.idle();
    h.clock.advance(DAY);
    await h.app.retention.run();
    await h.app.discovery.discoverAll();
    await h.app.playback.idle();
    expect([ORGANIZER, ALICE, BOB].map((u) => h.chat.dmOf(u).length)).toEqual(counts);
  });

  it('a recording that appears after someone withdrew is never announced with a link', async ({ h }) => {
    const { id: meetingId } = await joinedRecordedMeeting(h);
    // Bob withdraws while the recorded session runs: it ends, a new unrecorded one opens.
    await h.say(BOB, '!withdraw');
    await h.sim.finishProcessing();
    await h.app.discovery.discoverAll();
    await h.app.playback.idle();
    await h.app.retention.run();
    for (const user of [ORGANIZER, ALICE, BOB]) expect(playbackLinks(h, user)).toEqual([]);
    expect(meetingId).toBeGreaterThan(0);
  });

  it('a late invitee who never agreed gets no link', async ({ h }) => {
    const meetingId = await openRecordedMeeting(h);
    await h.say(ORGANIZER, `!invite ${CAROL}`);
    await joinAs(h, ORGANIZER);
    await endAndDiscover(h, meetingId);
    expect(playbackLinks(h, ALICE)).toHaveLength(1);
    expect(playbackLinks(h, CAROL)).toEqual([]);
  });
});
