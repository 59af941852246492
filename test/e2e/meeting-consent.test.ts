// The consent-gated meeting end to end: real Synapse, the bot as its own process, real users reacting
// on the consent prompt, BBB simulated over HTTP. What is asserted is what people see (room messages,
// their personal links) and what BBB was told (the create parameters).
import { expect } from 'vitest';
import {
  joinLinkRecording,
  opening,
  recordingOff,
  recordingOn,
  t,
  tallyCount,
  tallyLine,
} from '../support/catalogue.js';
import { describeWorld, it } from './support/fixtures.js';
import { waitForEvent } from './support/homeserver.js';
import {
  ask,
  awaitingBob,
  bodyOf,
  countSeen,
  expectAllAgreeRecorded,
  expectNoInvite,
  expectRedactedYesWithdrawn,
  expectWorkingLink,
  isOpened,
  olgaAliceBob,
  peopleInRoom,
  planMeeting,
  postFrom,
  receiveLink,
  sessionsNamed,
  tallyEdit,
  wait,
} from './support/meeting-helpers.js';

describeWorld(it, 'consent-gated meeting in a real Matrix room', () => {
  it('all agree: BBB records the whole meeting, everyone gets a personal link by DM', async ({ w }) => {
    await expectAllAgreeRecorded(w, await olgaAliceBob(w, 'all agree'), 'Weekly sync A');
  });

  it('one declines: the meeting opens unrecorded and the room is told why', async ({ w, botId }) => {
    const { olga, alice, bob, roomId } = await olgaAliceBob(w, 'one declines');
    const title = 'Retro B';
    const m = await planMeeting(olga, roomId, botId, title, [alice, bob]);
    await olga.react(roomId, m.prompt.event_id, '✅');
    await bob.react(roomId, m.prompt.event_id, '❌');
    await alice.react(roomId, m.prompt.event_id, '✅\uFE0F'); // with the emoji presentation selector

    const opened = await waitForEvent(olga, roomId, isOpened(botId, title), wait);
    expect(bodyOf(opened)).toContain(recordingOff(['declined', 'Bob']));
    const [session] = sessionsNamed(w.sim, title);
    expect(session?.record).toBe(false);

    // Unrecorded: everyone gets a link, including the one who declined.
    const link = await receiveLink(bob, botId);
    expect(bodyOf(link.event)).toContain(joinLinkRecording(false));
    await expectWorkingLink(w.sim, link.url, bob, 'VIEWER');
  });

  it('one never answers and the organizer types !start: unrecorded, the room told who did not answer', async ({
    w,
    botId,
  }) => {
    const title = 'Planning C';
    const { olga, alice, bob, roomId } = await awaitingBob(w, 'silent invitee', title);
    expect(sessionsNamed(w.sim, title)).toHaveLength(0);

    // Only the organizer (or an admin) may start it.
    const refusal = await ask(alice, roomId, '!start', postFrom(botId, opening(t.notAllowed)), olga);
    expect(bodyOf(refusal)).toContain(t.whoOrganizer);

    const opened = await ask(olga, roomId, '!start', isOpened(botId, title));
    expect(bodyOf(opened)).toContain(recordingOff(['pending', 'Bob']));
    expect(countSeen(olga, roomId, isOpened(botId))).toBe(1);
    expect(sessionsNamed(w.sim, title).map((s) => s.record)).toEqual([false]);
    const link = await receiveLink(bob, botId);
    await expectWorkingLink(w.sim, link.url, bob, 'VIEWER');
  });

  it('a reaction by someone not invited changes nothing', async ({ w, botId }) => {
    const { people, roomId } = await peopleInRoom(w, ['Olga', 'Alice', 'Bob', 'Eve'], 'bystander');
    const [olga, alice, bob, eve] = people;
    const title = 'Board D';
    const m = await planMeeting(olga, roomId, botId, title, [alice, bob]);
    expect(bodyOf(m.prompt)).not.toContain('Eve');
    await olga.react(roomId, m.prompt.event_id, '✅');
    await alice.react(roomId, m.prompt.event_id, '✅');
    await waitForEvent(olga, roomId, tallyEdit(botId, m.prompt.event_id, tallyCount('agreed', 2)), wait);
    // Eve's ✅ would be the "last missing answer" if it were counted for anyone.
    const eveReaction = await eve.react(roomId, m.prompt.event_id, '✅');

    const status = await ask(olga, roomId, '!status', postFrom(botId, /^#\d+ /));
    expect(bodyOf(status)).toContain(t.stateNames.collecting!);
    expect(bodyOf(status)).toContain(tallyCount('agreed', 2));
    expect(bodyOf(status)).toContain(tallyLine('pending', ['Bob']));
    expect(bodyOf(status)).not.toContain('Eve');
    expect(sessionsNamed(w.sim, title)).toHaveLength(0);

    const bobReaction = await bob.react(roomId, m.prompt.event_id, '✅');
    const opened = await waitForEvent(olga, roomId, isOpened(botId, title), wait);
    expect(bodyOf(opened)).toContain(recordingOn(3));
    // It opened on Bob's answer, not on Eve's.
    const timeline = olga.sync.eventsIn(roomId).map((e) => e.event_id);
    expect(timeline.indexOf(opened.event_id)).toBeGreaterThan(timeline.indexOf(bobReaction));
    expect(timeline.indexOf(bobReaction)).toBeGreaterThan(timeline.indexOf(eveReaction));
    // No tally ever listed Eve, and she got no link to the recorded session.
    const edits = olga.sync
      .eventsIn(roomId)
      .filter(tallyEdit(botId, m.prompt.event_id, /./))
      .map((e) => String((e.content['m.new_content'] as { body: string }).body));
    expect(edits.length).toBeGreaterThan(0);
    for (const b of edits) expect(b).not.toContain('Eve');
    await Promise.all([olga, alice, bob].map((u) => receiveLink(u, botId)));
    await expectNoInvite(eve, botId, 'Eve must not be offered a DM with a link');
  });

  it('a ✅ redacted before opening counts as withdrawn: the meeting opens unrecorded', async ({ w }) => {
    await expectRedactedYesWithdrawn(w, await olgaAliceBob(w, 'redacted consent'), 'Review E');
  });
});
