// Private answers end to end (consent.ask "direct", the default; design.md §3.1–3.2, §3.6): real
// Synapse, the bot as its own process, real users answering in their DM rooms with the bot, BBB
// simulated over HTTP. What is asserted is what people see: in the DMs, and in the meeting's room,
// where no message of the bot may tell anyone's answer or withdrawal.
import { expect } from 'vitest';
import { de } from '../../src/i18n/de.js';
import {
  joinLinkRecording,
  namedAnswer,
  noAnswerFrom,
  noticeOpening,
  opening,
  plain,
  recordingOn,
  recordingReadyOpening,
  said,
  t,
  tallyCount,
  withdrawalSaved,
  yourAnswer,
} from '../support/catalogue.js';
import { describeWorld, FAST_RETENTION, worldTest } from './support/fixtures.js';
import { type MatrixEvent, type TestUser, waitForEvent } from './support/homeserver.js';
import {
  ask,
  bodyOf,
  botDate,
  isOpened,
  olgaAliceBob,
  planMeeting,
  postFrom,
  receiveLink,
  receivePrompt,
  recordingState,
  sessionsNamed,
  tallyEdit,
  until,
  wait,
} from './support/meeting-helpers.js';

/** A name next to an answer or a withdrawal, or names after a count: someone's answer told. */
const NAMED_ANSWER = namedAnswer(['Olga', 'Alice', 'Bob']);

/** Every text the bot put in a room, edits included. */
function botTexts(user: TestUser, roomId: string, botId: string): string[] {
  return user.sync
    .eventsIn(roomId)
    .filter((e: MatrixEvent) => e.sender === botId && e.type === 'm.room.message')
    .map((e) => {
      const fresh = e.content['m.new_content'] as { body?: unknown } | undefined;
      return typeof fresh?.body === 'string' ? fresh.body : bodyOf(e);
    });
}

// consent.ask "direct" is the default; the e2e defaults pin "room" for the older suites.
const it = worldTest({ consent: { ask: 'direct' }, retention: FAST_RETENTION });

describeWorld(it, 'private answers in the DM with the bot', () => {
  it('each answers by DM; a ❌ there makes it unrecorded; the organizer learns who has not answered', async ({
    w,
    botId,
  }) => {
    const { olga, alice, bob, roomId } = await olgaAliceBob(w, 'private answers');
    const title = 'Private A';
    const m = await planMeeting(olga, roomId, botId, title, [alice, bob]);
    for (const name of ['Olga', 'Alice', 'Bob']) expect(bodyOf(m.prompt)).toContain(name);

    const [forOlga, forAlice, forBob] = await Promise.all(
      [olga, alice, bob].map((u) => receivePrompt(u, botId)),
    );
    // The first layer came before the prompt, in the same DM.
    const dmTexts = alice.sync.eventsIn(forAlice!.dmRoomId).map(bodyOf);
    expect(dmTexts.some((text) => text.startsWith(`${noticeOpening}${title}`))).toBe(true);

    await olga.react(forOlga!.dmRoomId, forOlga!.prompt.event_id, '✅');
    // Her own prompt shows her answer (only she sees it).
    await waitForEvent(
      olga,
      forOlga!.dmRoomId,
      tallyEdit(botId, forOlga!.prompt.event_id, yourAnswer('agreed')),
      wait,
    );
    const status = await ask(olga, roomId, '!status', postFrom(botId, /^#\d+ /));
    expect(bodyOf(status)).toContain(tallyCount('pending', 2));
    const pending = await waitForEvent(olga, forOlga!.dmRoomId, postFrom(botId, noAnswerFrom([''])), {
      ...wait,
      afterEventId: forOlga!.prompt.event_id,
    });
    expect(bodyOf(pending)).toContain('Alice');
    expect(bodyOf(pending)).toContain('Bob');

    await alice.react(forAlice!.dmRoomId, forAlice!.prompt.event_id, '✅');
    await bob.react(forBob!.dmRoomId, forBob!.prompt.event_id, '❌');
    const opened = await waitForEvent(olga, roomId, isOpened(botId, title), wait);
    expect(bodyOf(opened)).toContain(de.recordingOffNotAll.text);
    const [session] = sessionsNamed(w.sim, title);
    expect(session?.record).toBe(false);
    // Declining still means taking part: Bob gets his link.
    const link = await receiveLink(bob, botId);
    expect(bodyOf(link.event)).toContain(joinLinkRecording(false));

    for (const text of botTexts(olga, roomId, botId)) expect(text).not.toMatch(NAMED_ANSWER);
  });

  it('!withdraw in the DM after leaving the room deletes the recording and is confirmed by DM', async ({
    w,
    botId,
  }) => {
    const { olga, alice, bob, roomId } = await olgaAliceBob(w, 'private withdrawal');
    const title = 'Private B';
    await planMeeting(olga, roomId, botId, title, [alice, bob]);
    const prompts = await Promise.all([olga, alice, bob].map((u) => receivePrompt(u, botId)));
    for (const [i, u] of [olga, alice, bob].entries()) {
      await u.react(prompts[i]!.dmRoomId, prompts[i]!.prompt.event_id, '✅');
    }
    const opened = await waitForEvent(olga, roomId, isOpened(botId, title), wait);
    expect(bodyOf(opened)).toContain(recordingOn(3));
    const link = await receiveLink(olga, botId);
    expect(await w.sim.simulateJoin(link.url.toString())).toMatchObject({ ok: true });
    const [session] = sessionsNamed(w.sim, title);
    w.sim.endMeeting(session!.meetingID);
    await waitForEvent(olga, roomId, postFrom(botId, recordingReadyOpening(title)), wait);
    const [rec] = w.sim.recordings().filter((r) => r.meetingID === session!.meetingID);
    expect(rec?.state).toBe('published');

    await alice.leave(roomId);
    const dm = prompts[1]!.dmRoomId;
    const confirmed = await ask(alice, dm, '!withdraw', postFrom(botId, withdrawalSaved('Alice')));
    const deleted = [t.recordingName(title, botDate(rec!.startTime))];
    expect(bodyOf(confirmed)).toContain(said(t.withdrawDeleted(plain('Alice'), deleted, [])));
    await until(
      'the recording to be deleted in BBB',
      () => recordingState(w.sim, rec!.recordID) === 'deleted',
    );
    const told = await waitForEvent(
      olga,
      roomId,
      postFrom(botId, opening((x) => t.withdrawalReceivedDeleted(x, [], [])) + title),
      wait,
    );
    expect(bodyOf(told)).toContain(said(t.withdrawalReceivedDeleted(title, deleted, [])));
    for (const text of botTexts(olga, roomId, botId)) expect(text).not.toMatch(NAMED_ANSWER);
  });
});
