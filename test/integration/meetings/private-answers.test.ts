// Private answers (consent.ask "direct", the default; design.md §3.1–3.2): each invitee answers in
// their DM room with the bot; the meeting's room sees the first layer, who is invited, and counts.
import { describe, expect } from 'vitest';
import { READS_IN_FLIGHT } from '../../../src/app/reconcile.js';
import { de } from '../../../src/i18n/de.js';
import { person } from '../../../src/i18n/rich.js';
import { ADMIN, ALICE, BOB, CAROL, type Harness, ORGANIZER, ROOM } from '../../support/app-harness.js';
import {
  around,
  deletedOpening,
  directPromptQuestion,
  namedAnswer,
  noAnswerFrom,
  noticeOpening,
  plain,
  recordingOff,
  said,
  t,
  tallyCount,
  withdrawalReceivedOf,
  withdrawalSaved,
  yourAnswer,
} from '../../support/catalogue.js';
import { it } from '../../support/fixtures.js';
import { currentSession, endAndDiscover, joinAs, simState } from '../recordings/support.js';

function dmPrompt(h: Harness, meetingId: number, userId: string) {
  const prompt = h.app.ctx.stores.meetings.dmPrompt(meetingId, userId);
  if (!prompt) throw new Error(`${userId} was not asked by DM`);
  return prompt;
}

/** Answers on one's own prompt in the DM room with the bot. */
function answer(h: Harness, meetingId: number, userId: string, key: string): Promise<string> {
  const prompt = dmPrompt(h, meetingId, userId);
  return h.react(userId, prompt.eventId, key, prompt.roomId);
}

/** Everything the bot said in the meeting's room, every edit included. */
function roomTexts(h: Harness): string[] {
  return h.chat.inRoom(ROOM).flatMap((m) => [m.text, ...m.edits.map((e) => e.text)]);
}
/** Whether something the bot said in the meeting's room (or an edit of it) holds `text`. */
const roomSaid = (h: Harness, text: string) => roomTexts(h).some((line) => line.includes(text));

const NAMES = ['Alice', 'Bob', 'Olga'];
/** What would tell the room someone's answer: a name next to an answer or a withdrawal. */
const NAMED_ANSWER = namedAnswer(NAMES);

it.override('harnessConfig', { consent: { ask: 'direct' } });

describe('private answers (consent.ask "direct")', () => {
  it('is the default', async ({ harness }) => {
    const h = await harness({ consent: {} });
    expect(h.config.consent).toEqual({ ask: 'direct', showNames: false });
  });

  it('asks each invitee by DM with the first layer and a seeded prompt; the room sees counts only', async ({
    h,
  }) => {
    const { id } = await h.plan(`Weekly sync ${ALICE} ${BOB}`);
    for (const user of [ORGANIZER, ALICE, BOB]) {
      const prompt = dmPrompt(h, id, user);
      const dm = h.chat.inRoom(prompt.roomId).map((m) => m.text);
      expect(dm.some((text) => text.startsWith(`${noticeOpening}Weekly sync`))).toBe(true);
      expect(h.chat.current(prompt.eventId)).toContain(directPromptQuestion);
      const seeded = h.chat.reactions.filter((r) => r.relatesTo === prompt.eventId).map((r) => r.key);
      expect(seeded).toEqual(['✅', '❌']);
    }
    // The room's prompt names who is invited, but is not seeded: answers are not given there.
    const roomPrompt = h.promptOf(id);
    expect(h.chat.reactions.filter((r) => r.relatesTo === roomPrompt)).toHaveLength(0);
    for (const name of NAMES) expect(h.chat.current(roomPrompt)).toContain(name);

    await answer(h, id, ORGANIZER, '✅');
    await answer(h, id, ALICE, '❌');
    expect(h.chat.current(roomPrompt)).toContain(tallyCount('agreed', 1));
    expect(h.chat.current(roomPrompt)).toContain(tallyCount('declined', 1));
    expect(h.chat.current(roomPrompt)).toContain(tallyCount('pending', 1));
    // Each person sees their own answer on their own prompt.
    expect(h.chat.current(dmPrompt(h, id, ALICE).eventId)).toContain(yourAnswer('declined'));
    expect(h.chat.current(dmPrompt(h, id, ORGANIZER).eventId)).toContain(yourAnswer('agreed'));

    await answer(h, id, BOB, '✅');
    expect(h.sim.sessions()[0]?.record).toBe(false);
    const texts = roomTexts(h);
    expect(texts.some((text) => text.includes(de.recordingOffNotAll.text))).toBe(true);
    for (const text of texts) expect(text).not.toMatch(NAMED_ANSWER);
  });

  it('counts a ✅ only from the prompt owner in their own DM room', async ({ h }) => {
    const { id } = await h.plan(`Board ${ALICE}`);
    await answer(h, id, ORGANIZER, '✅');
    // On the room's prompt: nothing.
    await h.react(ALICE, h.promptOf(id), '✅');
    // On Olga's prompt (a forged relation into Olga's DM room): nothing either.
    const olgas = dmPrompt(h, id, ORGANIZER);
    await h.react(ALICE, olgas.eventId, '✅', olgas.roomId);
    expect(h.app.ctx.stores.meetings.consentEvents(id).map((e) => e.userId)).toEqual([ORGANIZER]);
    expect(h.sim.sessions()).toHaveLength(0);
    await answer(h, id, ALICE, '✅');
    expect(h.sim.sessions()[0]?.record).toBe(true);
  });

  it('changes an answer in the DM until opening, and a ❌ after a ✅ there withdraws', async ({ h }) => {
    const { id } = await h.plan(`Review ${ALICE}`);
    await answer(h, id, ALICE, '❌');
    await answer(h, id, ALICE, '✅');
    await answer(h, id, ORGANIZER, '✅');
    expect(currentSession(h, id).record).toBe(true);
    await joinAs(h, ORGANIZER);
    await answer(h, id, ALICE, '❌');
    expect(currentSession(h, id).record).toBe(false);
    expect(roomSaid(h, de.withdrawalReceivedRestarted('Review').text)).toBe(true);
    const told = h.chat.inRoom(dmPrompt(h, id, ALICE).roomId).map((m) => m.text);
    expect(told).toContainEqual(
      expect.stringContaining(de.withdrawRestarted(person(ALICE, 'Alice'), 'Review').text),
    );
    for (const text of roomTexts(h)) expect(text).not.toMatch(NAMED_ANSWER);
  });

  it('!withdraw in the DM after leaving the room deletes the recording and confirms by DM', async ({ h }) => {
    const { id } = await h.plan(`Weekly sync ${ALICE} ${BOB}`);
    for (const user of [ORGANIZER, ALICE, BOB]) await answer(h, id, user, '✅');
    await joinAs(h, ORGANIZER);
    const recordId = await endAndDiscover(h, id);
    h.chat.leave(ROOM, ALICE);

    const dm = dmPrompt(h, id, ALICE).roomId;
    const before = h.chat.inRoom(dm).length;
    await h.say(ALICE, '!withdraw', dm);
    expect(simState(h, recordId)).toBe('deleted');
    const reply = h.chat
      .inRoom(dm)
      .slice(before)
      .map((m) => m.text);
    expect(reply.join('\n')).toContain(withdrawalSaved('Alice'));
    expect(reply.join('\n')).toContain(deletedOpening);
    const room = roomTexts(h);
    expect(room.some((text) => text.startsWith(withdrawalReceivedOf('Weekly sync')))).toBe(true);
    for (const text of room) expect(text).not.toMatch(NAMED_ANSWER);
  });

  it('!withdraw #n in the DM picks one meeting of several rooms', async ({ h }) => {
    h.chat.room('!other:test', [h.chat.botUserId, ORGANIZER, ALICE]);
    await h.say(ORGANIZER, `!meeting One ${ALICE}`);
    await h.say(ORGANIZER, `!meeting Two ${ALICE}`, '!other:test');
    const [one, two] = [1, 2];
    await answer(h, one, ALICE, '✅');
    await answer(h, two, ALICE, '✅');
    const dm = dmPrompt(h, one, ALICE).roomId;
    await h.say(ALICE, `!withdraw #${two}`, dm);
    const status = (m: number) => h.app.ctx.stores.meetings.consentEvents(m).at(-1)?.kind;
    expect(status(one)).toBe('agree');
    expect(status(two)).toBe('withdraw');
    await h.say(ALICE, '!withdraw', dm);
    expect(status(one)).toBe('withdraw');
  });

  it("an admin's withdrawal for someone is confirmed to the admin and told to the person, by DM", async ({
    h,
  }) => {
    const { id } = await h.plan(`Weekly sync ${ALICE}`);
    await answer(h, id, ALICE, '✅');
    await h.say(ADMIN, `!withdraw ${ALICE}`);
    const last = h.chat.inRoom(ROOM).at(-1)!;
    expect(last.text).toBe(de.withdrawDetailsByDm.text);
    const saved = said(t.withdrawBeforeOpen(plain('Alice'), 'Weekly sync'));
    expect(h.chat.dmOf(ADMIN).some((m) => m.text.includes(saved))).toBe(true);
    const told = said(t.withdrawOnBehalfTold(plain(ADMIN)));
    expect(h.chat.dmOf(ALICE).some((m) => m.text.includes(told))).toBe(true);
  });

  it('!status: counts for everyone; who has not answered only to the organizer, by DM', async ({ h }) => {
    const { id } = await h.plan(`Weekly sync ${ALICE} ${BOB}`);
    await answer(h, id, ORGANIZER, '✅');
    await h.say(ALICE, '!status');
    const forAlice = h.chat.inRoom(ROOM).at(-1)!.text;
    expect(forAlice).toContain(tallyCount('pending', 2));
    expect(forAlice).not.toMatch(/Alice|Bob/);
    const olgaDmBefore = h.chat.dmOf(ORGANIZER).length;
    await h.say(ORGANIZER, '!status');
    expect(h.chat.inRoom(ROOM).at(-1)!.text).not.toMatch(/Alice|Bob/);
    const told = h.chat.dmOf(ORGANIZER).slice(olgaDmBefore);
    expect(told.map((m) => m.text)).toEqual([expect.stringContaining(noAnswerFrom(['Alice', 'Bob']))]);
    expect(h.chat.dmOf(ALICE).some((m) => m.text.includes(noAnswerFrom(['']).trim()))).toBe(false);
  });

  it('reminds each person who has not answered by DM; the room gets the count', async ({ h }) => {
    await h.plan(`Later ${ALICE} --at "2026-12-01 11:00"`); // the clock is at 10:00 Berlin
    await answer(h, 1, ORGANIZER, '✅');
    h.clock.advance(55 * 60_000);
    expect(await h.app.reminders.run()).toBe(1);
    const room = h.chat.inRoom(ROOM).at(-1)!.text;
    expect(room).toContain(
      said(t.reminderCounts({ ref: plain(''), minutes: 5, when: '', pending: 1 })).split('\n')[1]!,
    );
    expect(room).not.toContain('Alice');
    const reminded = around((when) => t.reminderDirect({ ref: plain(''), minutes: 5, when }))[1];
    const aliceDm = h.chat.inRoom(dmPrompt(h, 1, ALICE).roomId).at(-1)!;
    expect(aliceDm.text).toContain(reminded);
    expect(aliceDm.replyTo).toBe(dmPrompt(h, 1, ALICE).eventId);
    expect(h.chat.dmOf(ORGANIZER).some((m) => m.text.includes(reminded))).toBe(false);
  });

  it('reads answers given in DMs while the bot was down (relations API on each DM prompt)', async ({ h }) => {
    const { id } = await h.plan(`Weekly sync ${ALICE}`);
    await answer(h, id, ORGANIZER, '✅');
    await h.restart();
    const alice = dmPrompt(h, id, ALICE);
    h.chat.addReaction(alice.roomId, ALICE, alice.eventId, '✅');
    // Someone else's reaction in that room is no answer of theirs (nor of Alice's).
    h.chat.addReaction(alice.roomId, BOB, alice.eventId, '❌');
    await h.app.reconciler.run();
    expect(currentSession(h, id).record).toBe(true);
  });

  it('consent.showNames shows who answered what in the room', async ({ harness }) => {
    const h = await harness({ consent: { ask: 'direct', showNames: true } });
    const { id } = await h.plan(`Retro ${ALICE}`);
    await answer(h, id, ORGANIZER, '✅');
    await answer(h, id, ALICE, '❌');
    expect(roomSaid(h, recordingOff(['declined', 'Alice']))).toBe(true);
  });

  it('a late invitee of a recorded meeting is asked by DM and gets a link only after ✅ there', async ({
    h,
  }) => {
    const { id } = await h.plan(`Weekly sync ${ALICE}`);
    for (const user of [ORGANIZER, ALICE]) await answer(h, id, user, '✅');
    expect(currentSession(h, id).record).toBe(true);
    await h.say(ORGANIZER, `!invite ${BOB}`);
    expect(roomSaid(h, de.waitingForConsentDirect(person(BOB, 'Bob')).text)).toBe(true);
    const bobs = dmPrompt(h, id, BOB);
    const links = () => h.chat.inRoom(bobs.roomId).filter((m) => m.text.includes('/join?'));
    expect(links()).toHaveLength(0);
    await answer(h, id, BOB, '✅');
    expect(links()).toHaveLength(1);
    expect(currentSession(h, id).record).toBe(true);
  });
});

describe('start-up reads of private prompts', () => {
  /** What the reconciler reads from the homeserver, and the most reads it had in flight at once. */
  function watchReads(h: Harness, delayMs = 0) {
    const prompts: string[] = [];
    const rooms: { sender: string; eventIds: readonly string[] }[] = [];
    let inFlight = 0;
    let most = 0;
    const timed = async <T>(fn: () => Promise<T>) => {
      most = Math.max(most, ++inFlight);
      try {
        if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
        return await fn();
      } finally {
        inFlight--;
      }
    };
    const reactionsTo = h.chat.reactionsTo.bind(h.chat);
    const reactionsBy = h.chat.reactionsBy.bind(h.chat);
    h.chat.reactionsTo = (roomId, eventId) => {
      prompts.push(eventId);
      return timed(() => reactionsTo(roomId, eventId));
    };
    h.chat.reactionsBy = (roomId, sender, eventIds, since) => {
      rooms.push({ sender, eventIds });
      return timed(() => reactionsBy(roomId, sender, eventIds, since));
    };
    return { prompts, rooms, most: () => most };
  }

  it('of a finished meeting reads only the prompts of those who agreed; a ✅ removed meanwhile still withdraws', async ({
    h,
  }) => {
    const { id } = await h.plan(`Weekly sync ${ALICE}`);
    await answer(h, id, ORGANIZER, '✅');
    const alicesYes = await answer(h, id, ALICE, '✅');
    expect(currentSession(h, id).record).toBe(true);
    // Carol, invited late, never answers: her answer can change nothing once the meeting is over.
    await h.say(ORGANIZER, `!invite ${CAROL}`);
    await joinAs(h, ORGANIZER);
    const recordId = await endAndDiscover(h, id);
    expect(h.app.ctx.stores.meetings.get(id)!.state).toBe('closed');

    await h.restart();
    h.chat.removeReaction(alicesYes, ALICE);
    const reads = watchReads(h);
    await h.app.reconciler.run();
    expect(reads.rooms.map((r) => r.sender).sort()).toEqual([ALICE, ORGANIZER].sort());
    expect(reads.rooms.flatMap((r) => r.eventIds)).not.toContain(dmPrompt(h, id, CAROL).eventId);
    // Alice's ✅ is not where the ledger says: her prompt itself is read before it counts as removed.
    expect(reads.prompts).toEqual([dmPrompt(h, id, ALICE).eventId]);
    expect(simState(h, recordId)).toBe('deleted');
  });

  it("reads each person's DM room once for all their prompts; answers given meanwhile count", async ({
    h,
  }) => {
    const ids: number[] = [];
    for (let i = 0; i < 6; i++) {
      ids.push((await h.plan(`Sync ${i} ${ALICE} ${BOB}`)).id);
      await answer(h, ids.at(-1)!, ORGANIZER, '✅');
    }
    await h.restart();
    const alice = dmPrompt(h, ids[2]!, ALICE);
    h.chat.addReaction(alice.roomId, ALICE, alice.eventId, '❌');
    const reads = watchReads(h);
    await h.app.reconciler.run();
    expect(reads.rooms.map((r) => r.sender).sort()).toEqual([ALICE, BOB, ORGANIZER].sort());
    for (const room of reads.rooms) expect(room.eventIds).toHaveLength(ids.length);
    expect(reads.prompts).toEqual([]);
    const answers = h.app.ctx.stores.meetings.consentEvents(ids[2]!).map((e) => [e.userId, e.kind]);
    expect(answers).toContainEqual([ALICE, 'decline']);
  });

  it('reads several meetings at once, never more than its bound', async ({ harness }) => {
    const h = await harness({ consent: { ask: 'room' } });
    for (let i = 0; i < 12; i++) await h.say(ORGANIZER, `!meeting Sync ${i} ${ALICE} ${BOB}`);
    await h.restart();
    const reads = watchReads(h, 20);
    await h.app.reconciler.run();
    expect(reads.prompts).toHaveLength(12);
    expect(reads.most()).toBeGreaterThan(1);
    expect(reads.most()).toBeLessThanOrEqual(READS_IN_FLIGHT);
  });
});
