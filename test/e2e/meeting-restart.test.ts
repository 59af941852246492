// Restarts lose nothing and double nothing (design.md §3.8): the bot is killed (SIGKILL, a crash)
// after two of three answers, the third answer is given while it is down, and after the restart the
// meeting opens recorded, with every message exactly once.
import { expect } from 'vitest';
import {
  recordingOff,
  recordingOffOpening,
  recordingOn,
  recordingVerdictPattern,
  said,
  t,
} from '../support/catalogue.js';
import { describeWorld, it } from './support/fixtures.js';
import { waitForEvent } from './support/homeserver.js';
import {
  awaitingBob,
  bodyOf,
  countSeen,
  expectNoInvite,
  expectRecordedSession,
  expectWorkingLink,
  expectWorkingLinks,
  isNotice,
  isOpened,
  isPrompt,
  type MeetingWorld,
  olgaAliceBob,
  pingBarrier,
  planMeeting,
  postFrom,
  receiveLink,
  sessionsNamed,
  tallyEdit,
  wait,
} from './support/meeting-helpers.js';

describeWorld(it, 'bot restart', () => {
  let w: MeetingWorld;
  let botId: string;
  it.beforeAll(async ({ w: world }) => {
    w = world;
    botId = w.botUser.userId;
  });

  it('an answer given while the bot was down counts after the restart; nothing is sent twice', async () => {
    const title = 'Quarterly H';
    const { olga, alice, bob, roomId, m } = await awaitingBob(w, 'restart', title);

    const exit = await w.bot.kill();
    expect(exit.signal).toBe('SIGKILL');
    const bobYes = await bob.react(roomId, m.prompt.event_id, '✅');
    expect(sessionsNamed(w.sim, title)).toHaveLength(0);

    await w.bot.restart({ readyTimeoutMs: 60_000 });
    const opened = await waitForEvent(olga, roomId, isOpened(botId, title), {
      ...wait,
      afterEventId: bobYes,
    });
    expect(bodyOf(opened)).toContain(recordingOn(3));
    expectRecordedSession(w.sim, title);

    const links = await expectWorkingLinks(w, [olga, alice, bob]);
    await waitForEvent(olga, roomId, tallyEdit(botId, m.prompt.event_id, said(t.promptOpened(true))), wait);

    // Let the restarted bot finish whatever it might still send, then count.
    await pingBarrier(olga, roomId, botId);
    expect(countSeen(olga, roomId, isNotice(botId)), 'privacy notices').toBe(1);
    expect(countSeen(olga, roomId, isPrompt(botId)), 'consent prompts').toBe(1);
    expect(countSeen(olga, roomId, isOpened(botId)), '"eröffnet" announcements').toBe(1);
    expect(countSeen(olga, roomId, postFrom(botId, recordingVerdictPattern)), 'recording statements').toBe(1);
    for (const [i, u] of [olga, alice, bob].entries()) {
      expect(
        countSeen(u, links[i]!.dmRoomId, postFrom(botId, '/api/join?')),
        `${u.displayName}'s links`,
      ).toBe(1);
    }
    await Promise.all(
      [olga, alice, bob].map((u) => expectNoInvite(u, botId, `${u.displayName} gets one DM room only`)),
    );
  });

  it('a restart while collecting keeps the prompt and its answers; a later ✅ still opens it', async () => {
    const { olga, alice, bob, roomId } = await olgaAliceBob(w, 'restart while collecting');
    const title = 'Offsite I';
    const m = await planMeeting(olga, roomId, botId, title, [alice, bob]);
    await olga.react(roomId, m.prompt.event_id, '✅');
    await bob.react(roomId, m.prompt.event_id, '❌');
    await waitForEvent(olga, roomId, tallyEdit(botId, m.prompt.event_id, '❌ Abgelehnt (1): Bob'), wait);

    await w.bot.kill();
    await w.bot.restart({ readyTimeoutMs: 60_000 });
    const aliceYes = await alice.react(roomId, m.prompt.event_id, '✅');
    const opened = await waitForEvent(olga, roomId, isOpened(botId, title), {
      ...wait,
      afterEventId: aliceYes,
    });
    expect(bodyOf(opened)).toContain(recordingOff(['declined', 'Bob']));
    expect(sessionsNamed(w.sim, title).map((s) => s.record)).toEqual([false]);
    await pingBarrier(olga, roomId, botId);
    expect(countSeen(olga, roomId, isNotice(botId))).toBe(1);
    expect(countSeen(olga, roomId, isPrompt(botId))).toBe(1);
    expect(countSeen(olga, roomId, isOpened(botId))).toBe(1);
  });
  it('answers given while the bot was down are all read first: a ✅ and then a ❌ of someone who had agreed open it unrecorded', async () => {
    const title = 'Review J';
    const { olga, alice, bob, roomId, m } = await awaitingBob(
      w,
      'restart, answers changed while down',
      title,
    );

    await w.bot.kill();
    // While down: Bob's ✅ would complete the answers, then Alice changes her mind (her ✅ stays).
    await bob.react(roomId, m.prompt.event_id, '✅');
    const aliceNo = await alice.react(roomId, m.prompt.event_id, '❌');
    await w.bot.restart({ readyTimeoutMs: 60_000 });
    const opened = await waitForEvent(olga, roomId, isOpened(botId, title), {
      ...wait,
      afterEventId: aliceNo,
    });
    expect(bodyOf(opened)).toContain(recordingOffOpening);
    expect(sessionsNamed(w.sim, title).map((s) => s.record)).toEqual([false]);
    const link = await receiveLink(alice, botId);
    expect(bodyOf(link.event)).not.toContain('🔴');
    await expectWorkingLink(w.sim, link.url, alice, 'VIEWER');
  });
});
