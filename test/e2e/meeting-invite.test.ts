// Late invitees (`!invite`) end to end: in a recorded meeting nobody gets a link before their ✅
// (design.md §3.4); in an unrecorded one the link comes at once.
import { expect } from 'vitest';
import { catalogue } from '../../src/i18n/index.js';
import { rich } from '../../src/i18n/rich.js';
import {
  joinLinkRecording,
  opening,
  plain,
  promptInviteesLine,
  recordingOn,
  said,
  t,
  tallyCount,
  tallyLine,
} from '../support/catalogue.js';
import { describeWorld, it } from './support/fixtures.js';
import { waitForEvent } from './support/homeserver.js';
import {
  ask,
  bodyOf,
  expectNoInvite,
  expectWorkingLink,
  expectWorkingLinks,
  isOpened,
  peopleInRoom,
  planMeeting,
  postFrom,
  receiveLink,
  sessionsNamed,
  tallyEdit,
  wait,
} from './support/meeting-helpers.js';

const de = catalogue('de');
/** What a late invitee of a running recorded meeting is told, after their name (both choices). */
const askedLate = de.waitingForConsent(rich`\u0000`).text.split('\u0000')[1]!;

describeWorld(it, 'late invitees', () => {
  it('a late invitee of a recorded meeting gets a link only after ✅', async ({ w, botId }) => {
    const { people, roomId } = await peopleInRoom(w, ['Olga', 'Alice', 'Bob', 'Dave'], 'late invitee');
    const [olga, alice, bob, dave] = people;
    const title = 'Sprint review F';
    const m = await planMeeting(olga, roomId, botId, title, [alice, bob]);
    for (const u of [olga, alice, bob]) await u.react(roomId, m.prompt.event_id, '✅');
    const opened = await waitForEvent(olga, roomId, isOpened(botId, title), wait);
    expect(bodyOf(opened)).toContain(recordingOn(3));
    await Promise.all([olga, alice, bob].map((u) => receiveLink(u, botId)));
    const [session] = sessionsNamed(w.sim, title);
    expect(session?.record).toBe(true);

    // Only the organizer may invite.
    await ask(alice, roomId, `!invite ${dave.userId}`, postFrom(botId, opening(t.notAllowed)), olga);

    const inviteId = await olga.sendText(roomId, `!invite ${dave.userId}`);
    const after = { ...wait, afterEventId: inviteId };
    const waiting = await waitForEvent(olga, roomId, postFrom(botId, askedLate), after);
    expect(bodyOf(waiting)).toContain('Dave');
    expect(waiting.content['m.mentions']).toEqual({ user_ids: [dave.userId] });
    await waitForEvent(olga, roomId, postFrom(botId, said(t.invited(title, plain('Dave')))), after);
    await waitForEvent(
      olga,
      roomId,
      tallyEdit(botId, m.prompt.event_id, tallyLine('pending', ['Dave'])),
      wait,
    );
    // The bot has done everything it does for the invite; no link may have gone out.
    await expectNoInvite(dave, botId, 'Dave must not get a link before agreeing');

    await dave.react(roomId, m.prompt.event_id, '✅');
    const link = await receiveLink(dave, botId);
    expect(bodyOf(link.event)).toContain(joinLinkRecording(true));
    expect(link.url.searchParams.get('meetingID')).toBe(session!.meetingID);
    await expectWorkingLink(w.sim, link.url, dave, 'VIEWER');
    // Same recorded session; nobody else was bothered again.
    expect(sessionsNamed(w.sim, title)).toHaveLength(1);
    await waitForEvent(olga, roomId, tallyEdit(botId, m.prompt.event_id, tallyCount('agreed', 4)), wait);
  });

  it('a late invitee who declines takes part unrecorded: the recorded session ends, everyone gets a new link', async ({
    w,
    botId,
  }) => {
    const { people, roomId } = await peopleInRoom(w, ['Olga', 'Alice', 'Eve'], 'late decline');
    const [olga, alice, eve] = people;
    const title = 'Sprint review G';
    const m = await planMeeting(olga, roomId, botId, title, [alice]);
    for (const u of [olga, alice]) await u.react(roomId, m.prompt.event_id, '✅');
    await waitForEvent(olga, roomId, isOpened(botId, title), wait);
    const first = await Promise.all([olga, alice].map((u) => receiveLink(u, botId)));
    const [recorded] = sessionsNamed(w.sim, title);
    expect(recorded?.record).toBe(true);
    await ask(olga, roomId, `!invite ${eve.userId}`, postFrom(botId, askedLate));

    const declined = await eve.react(roomId, m.prompt.event_id, '❌');
    const told = de.lateDeclineRestarted(title).text;
    await waitForEvent(olga, roomId, postFrom(botId, told), { ...wait, afterEventId: declined });
    const sessions = sessionsNamed(w.sim, title);
    expect(sessions).toHaveLength(2);
    expect(sessions[0]).toMatchObject({ meetingID: recorded!.meetingID, ended: true });
    expect(sessions[1]).toMatchObject({ record: false, ended: false });
    const links = await expectWorkingLinks(
      w,
      [olga, alice, eve],
      first.map((l) => l.event.event_id),
    );
    for (const link of links) expect(link.url.searchParams.get('meetingID')).toBe(sessions[1]!.meetingID);
  });

  it('a late invitee of an unrecorded meeting gets a link at once', async ({ w, botId }) => {
    const { people, roomId } = await peopleInRoom(w, ['Olga', 'Alice', 'Dave'], 'late invitee, unrecorded');
    const [olga, alice, dave] = people;
    const title = 'Coffee G';
    const m = await planMeeting(olga, roomId, botId, title, [alice], '--no-record');
    expect(bodyOf(m.prompt)).toContain(promptInviteesLine(true)[0]);
    const opened = await waitForEvent(olga, roomId, isOpened(botId, title), wait);
    expect(bodyOf(opened)).toContain(said(t.recordingOffNoRecord));
    expect(sessionsNamed(w.sim, title)[0]?.record).toBe(false);

    await ask(olga, roomId, `!invite ${dave.userId}`, postFrom(botId, said(t.invited(title, plain('Dave')))));
    const link = await receiveLink(dave, botId);
    expect(bodyOf(link.event)).toContain(joinLinkRecording(false));
    await expectWorkingLink(w.sim, link.url, dave, 'VIEWER');
  });
});
