import { describe, expect } from 'vitest';
import { join } from '../../../src/i18n/rich.js';
import { ALICE, BOB, CAROL, type Harness, ORGANIZER, ROOM } from '../../support/app-harness.js';
import { around, openedLine, said, t, tallyCount, tallyLine } from '../../support/catalogue.js';
import { it } from '../../support/fixtures.js';

const roomSays = (h: Harness, text: string) => h.chat.inRoom(ROOM).some((m) => m.text.includes(text));
const links = (h: Harness, user: string) => h.chat.dmOf(user).filter((m) => m.text.includes('/join?'));

describe('meeting lifecycle', () => {
  it('seeds the prompt with ✅ and ❌ and keeps one tally current', async ({ h }) => {
    const { prompt } = await h.plan(`Sync ${ALICE} ${BOB}`);
    const seeded = h.chat.reactions.filter((r) => r.sender === h.chat.botUserId).map((r) => r.key);
    expect(seeded).toEqual(['✅', '❌']);
    await h.react(ALICE, prompt, '✅');
    expect(h.chat.current(prompt)).toContain(tallyLine('agreed', ['Alice']));
    expect(h.chat.current(prompt)).toContain(tallyLine('pending', ['Olga', 'Bob']));
  });

  it('coalesces a burst of reactions into few edits', async ({ h }) => {
    const many = Array.from({ length: 40 }, (_, i) => `@user${i}:test`);
    h.chat.room(ROOM, [h.chat.botUserId, ORGANIZER, ...many]);
    const { prompt } = await h.plan(`Burst ${many.join(' ')}`);
    const before = h.app.prompts.editsSent;
    await Promise.all(many.map((user) => h.reactionArrives(user, prompt, '❌').handled));
    await h.app.prompts.flush();
    expect(h.app.prompts.editsSent - before).toBeLessThanOrEqual(3);
    expect(h.chat.current(prompt)).toContain(tallyCount('declined', 40));
  });

  it('a restart edits no prompt whose text has not changed, and a later answer still does', async ({ h }) => {
    const { prompt } = await h.plan(`Sync ${ALICE} ${BOB}`);
    await h.react(ALICE, prompt, '✅');
    await h.app.prompts.flush();
    const edits = () => h.chat.messages.find((m) => m.eventId === prompt)!.edits.length;
    const before = edits();
    await h.restartAndReconcile();
    await h.app.prompts.flush();
    expect(edits()).toBe(before);
    await h.react(BOB, prompt, '❌');
    await h.app.prompts.flush();
    expect(edits()).toBe(before + 1);
    expect(h.chat.current(prompt)).toContain(tallyLine('declined', ['Bob']));
  });

  it('ignores reactions of non-invitees, other keys, other events and other rooms', async ({ h }) => {
    const { prompt } = await h.plan(`Sync ${ALICE}`);
    await h.react(CAROL, prompt, '✅'); // not invited
    await h.react(ALICE, prompt, '👍'); // not an answer
    await h.react(ALICE, h.chat.inRoom(ROOM)[0]!.eventId, '✅'); // on the notice, not the prompt
    await h.react(ALICE, prompt, '✅', '!elsewhere:test'); // forged relation from another room
    expect(h.app.ctx.stores.meetings.consentEvents(1)).toHaveLength(0);
    await h.agree(prompt, ORGANIZER, ALICE);
    expect(h.sim.sessions()[0]?.record).toBe(true);
  });

  it('lets people change their answer until the meeting opens; a redacted ✅ is a withdrawal', async ({
    h,
  }) => {
    const { prompt } = await h.plan(`Sync ${ALICE} ${BOB}`);
    const [, aliceYes] = await h.agree(prompt, ORGANIZER, ALICE);
    await h.redact(ALICE, aliceYes);
    expect(h.chat.current(prompt)).toContain(tallyLine('withdrawn', ['Alice']));
    await h.react(BOB, prompt, '✅');
    expect(h.sim.sessions()[0]?.record).toBe(false);
    expect(roomSays(h, said(t.recordingOffReasons([t.reasonWithdrew(join(['Alice']))])))).toBe(true);
    const kinds = h.app.ctx.stores.meetings.consentEvents(1).map((e) => e.kind);
    expect(kinds).toEqual(['agree', 'agree', 'withdraw', 'agree']);
  });

  it('opens on !start with whoever answered, unrecorded if someone did not answer', async ({ h }) => {
    await h.plan(`Sync ${ALICE} ${BOB}`, ORGANIZER, ALICE);
    await h.say(ORGANIZER, '!start');
    expect(h.sim.sessions()[0]?.record).toBe(false);
    expect(roomSays(h, said(t.recordingOffReasons([t.reasonPending(join(['Bob']))])))).toBe(true);
    expect(links(h, BOB)).toHaveLength(1);
    expect(links(h, ORGANIZER)[0]?.text).toContain('role=MODERATOR');
    expect(links(h, ALICE)[0]?.text).toContain('role=VIEWER');
  });

  it('gives a late invitee of a recorded meeting a link only after ✅', async ({ h }) => {
    const { prompt } = await h.plan(`Sync ${ALICE}`, ORGANIZER, ALICE);
    expect(h.sim.sessions()[0]?.record).toBe(true);
    await h.say(ORGANIZER, `!invite ${CAROL}`);
    expect(roomSays(h, said(t.waitingForConsent(join(['Carol']))))).toBe(true);
    expect(links(h, CAROL)).toHaveLength(0);
    await h.agree(prompt, CAROL);
    expect(links(h, CAROL)).toHaveLength(1);
    expect(h.sim.sessions()).toHaveLength(1); // still the same recorded session
  });

  it('opens a --no-record meeting at once, asks nothing, still posts the notice', async ({ h }) => {
    await h.say(ORGANIZER, `!meeting Quick ${ALICE} --no-record`);
    expect(h.chat.inRoom(ROOM)[0]?.text).toContain(around(t.noticeFullHeader)[0]);
    expect(h.chat.reactions).toHaveLength(0);
    expect(h.sim.sessions()[0]?.record).toBe(false);
    expect(roomSays(h, said(t.recordingOffNoRecord))).toBe(true);
  });

  it('opens a --at meeting at its time, not before', async ({ h }) => {
    await h.plan(`Later ${ALICE} --at "2026-12-01 12:00"`, ORGANIZER, ALICE);
    await h.app.tick();
    expect(h.sim.sessions()).toHaveLength(0);
    h.clock.advance(3 * 3600_000); // 09:00Z → 12:00Z = 13:00 Berlin
    await h.app.tick();
    expect(h.sim.sessions()[0]?.record).toBe(true);
  });

  it('retries BBB when it was down at opening, and then hands out links once', async ({ h }) => {
    const { prompt } = await h.plan(`Sync ${ALICE}`);
    h.sim.faults.set({ refuseConnections: true });
    await h.agree(prompt, ORGANIZER, ALICE);
    expect(roomSays(h, said(t.bbbUnavailable))).toBe(true);
    expect(links(h, ALICE)).toHaveLength(0);
    h.sim.faults.clear();
    await h.app.tick();
    await h.app.tick();
    expect(h.sim.sessions()).toHaveLength(1);
    expect(links(h, ALICE)).toHaveLength(1);
  });
});

describe('restarts', () => {
  it('count answers given while the bot was down, and post nothing twice', async ({ h }) => {
    const { prompt } = await h.plan(`Sync ${ALICE} ${BOB}`, ORGANIZER, ALICE);
    const before = h.chat.messages.length;
    // While down: only the homeserver knows of Bob's ✅.
    await h.restartAndReconcile(() => h.chat.addReaction(ROOM, BOB, prompt, '✅'));
    await h.app.prompts.flush();
    expect(h.sim.sessions()[0]?.record).toBe(true);
    const newMessages = h.chat.messages.slice(before).filter((m) => m.roomId === ROOM);
    expect(newMessages.map((m) => m.text.split('\n')[0])).toEqual([openedLine('Sync')]);
    await h.restartAndReconcile();
    expect(h.chat.inRoom(ROOM).filter((m) => m.text.startsWith(openedLine('Sync')))).toHaveLength(1);
    expect(links(h, BOB)).toHaveLength(1);
  });

  it('treat a ✅ removed while the bot was down as a withdrawal', async ({ h }) => {
    const { prompt } = await h.plan(`Sync ${ALICE}`);
    const [yes] = await h.agree(prompt, ALICE);
    await h.restart();
    h.chat.removeReaction(yes);
    h.chat.addReaction(ROOM, ORGANIZER, prompt, '✅');
    await h.app.reconciler.run();
    expect(h.sim.sessions()[0]?.record).toBe(false);
  });
});

describe('links in the room', () => {
  it.override('harnessConfig', { matrix: { joinLinkDelivery: 'room' } });

  it('posts each person a pill with their own link when configured', async ({ h }) => {
    await h.say(ORGANIZER, `!meeting Sync ${ALICE} --no-record`);
    const posted = h.chat.inRoom(ROOM).filter((m) => m.text.includes('/join?'));
    expect(posted).toHaveLength(2);
    expect(posted.flatMap((m) => m.mentions).sort()).toEqual([ALICE, ORGANIZER].sort());
    expect(h.chat.directRooms).toHaveLength(0);
  });
});

describe('a crash between sending and storing', () => {
  it('does not send a link twice after the restart (the send is keyed)', async ({ h }) => {
    const { prompt } = await h.plan(`Sync ${ALICE}`);
    const store = h.app.ctx.stores.meetings;
    const original = store.recordDelivery.bind(store);
    let crashed = false;
    store.recordDelivery = (...args) => {
      if (!crashed && args[1] === ALICE) {
        crashed = true;
        throw new Error('simulated crash after the link was sent');
      }
      return original(...args);
    };
    await h.agree(prompt, ORGANIZER, ALICE);
    expect(links(h, ALICE)).toHaveLength(1);
    await h.restartAndReconcile();
    expect(links(h, ALICE)).toHaveLength(1);
    expect(h.app.ctx.stores.meetings.delivered(1).has(ALICE)).toBe(true);
  });
});
