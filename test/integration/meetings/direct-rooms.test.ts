// Direct-message rooms are checked before use (#8 defect 6): a person who left their DM room (or
// rejected its invite) gets a new one; a link that cannot be delivered is reported to the organizer
// and never recorded as delivered; !mydata answers go only to a DM that reaches the person.
import { describe, expect } from 'vitest';
import { de } from '../../../src/i18n/de.js';
import { mention } from '../../../src/i18n/rich.js';
import { ALICE, type Harness, ORGANIZER, ROOM } from '../../support/app-harness.js';
import { mydataHeading, plain, said, t } from '../../support/catalogue.js';
import { it } from '../../support/fixtures.js';

const dmOfAlice = (h: Harness) => h.app.ctx.stores.state.directRoom(ALICE);
const linksIn = (h: Harness, roomId: string) =>
  h.chat.inRoom(roomId).filter((m) => m.text.includes('/join?'));

/** An unrecorded meeting opens at once and hands out links: Alice gets her DM room. */
async function meetingWithAlice(h: Harness, title: string, id: number) {
  await h.say(ORGANIZER, `!meeting ${title} ${ALICE} --no-record`);
  const session = h.app.ctx.stores.meetings.currentSession(id)!;
  return { session, delivered: () => h.app.ctx.stores.meetings.delivered(session.id) };
}

describe('direct-message rooms', () => {
  it('are replaced, and the new one stored, when the person left the old one', async ({ h }) => {
    await meetingWithAlice(h, 'One', 1);
    const first = dmOfAlice(h)!;
    expect(linksIn(h, first)).toHaveLength(1);
    h.chat.leave(first, ALICE);

    const two = await meetingWithAlice(h, 'Two', 2);
    const second = dmOfAlice(h)!;
    expect(second).not.toBe(first);
    expect(h.chat.members.get(second)?.has(ALICE)).toBe(true);
    expect(linksIn(h, second)).toHaveLength(1);
    expect(linksIn(h, first)).toHaveLength(1); // nothing more into the room nobody reads
    expect(two.delivered().has(ALICE)).toBe(true);
  });

  it('that cannot be made: the link is reported to the organizer, never recorded as delivered', async ({
    h,
  }) => {
    await meetingWithAlice(h, 'One', 1);
    h.chat.leave(dmOfAlice(h)!, ALICE);
    h.chat.unreachable.add(ALICE); // e.g. her account was deactivated, or her server refuses invites

    const two = await meetingWithAlice(h, 'Two', 2);
    expect(two.delivered().has(ALICE)).toBe(false);
    expect(two.delivered().has(ORGANIZER)).toBe(true);
    const undeliverable = said(t.linkUndeliverable(plain('Alice'), plain('Olga'), 'Two'));
    const report = h.chat.inRoom(ROOM).find((m) => m.text === undeliverable);
    expect(report).toBeDefined();
    expect(report?.mentions).toContain(ORGANIZER);
    expect(h.chat.dmOf(ALICE).filter((m) => m.text.includes('Two'))).toHaveLength(0);
  });

  it('that cannot be made for a private prompt: the room is told once, naming the organizer', async ({
    harness,
  }) => {
    const h = await harness({ consent: { ask: 'direct' } });
    h.chat.unreachable.add(ALICE);
    await h.say(ORGANIZER, `!meeting One ${ALICE}`);
    await h.app.direct.postAllMissing(); // the frequent tick tries again: the room is not told twice

    const undeliverable = said(t.promptUndeliverable(plain('Alice'), plain('Olga'), 'One'));
    const reports = h.chat.inRoom(ROOM).filter((m) => m.text === undeliverable);
    expect(reports).toHaveLength(1);
    expect(reports[0]?.mentions).toContain(ORGANIZER);
    expect(h.app.ctx.stores.meetings.dmPrompt(1, ALICE)).toBeUndefined();
  });

  it('that cannot be made: tried again with growing pauses (at most every 10 min), then delivered', async ({
    h,
  }) => {
    await meetingWithAlice(h, 'One', 1);
    h.chat.leave(dmOfAlice(h)!, ALICE);
    h.chat.unreachable.add(ALICE);
    const two = await meetingWithAlice(h, 'Two', 2);
    const attempts = () =>
      h.app.ctx.stores.outbox.pending().find((i) => i.kind === 'deliver-link' && i.userId === ALICE)
        ?.attempts;
    expect(attempts()).toBe(1);
    // An hour of 15-second ticks: 12 attempts (at 0, 15 s, 30 s, 1, 2, 4, 8, 16 min, then every 10 min),
    // not 241.
    for (let t = 0; t < 240; t++) {
      h.clock.advance(15_000);
      await h.app.tick();
    }
    expect(attempts()).toBeLessThanOrEqual(12);
    expect(attempts()).toBeGreaterThanOrEqual(9);
    h.chat.unreachable.delete(ALICE);
    for (let t = 0; t < 40 && !two.delivered().has(ALICE); t++) {
      h.clock.advance(15_000);
      await h.app.tick();
    }
    expect(two.delivered().has(ALICE)).toBe(true);
  });

  it('!mydata goes only to a DM that reaches the person, else it says so in the room without the data', async ({
    h,
  }) => {
    await meetingWithAlice(h, 'One', 1);
    const first = dmOfAlice(h)!;
    h.chat.leave(first, ALICE);
    await h.say(ALICE, '!mydata');
    const second = dmOfAlice(h)!;
    expect(second).not.toBe(first);
    expect(h.chat.inRoom(second).at(-1)?.text).toContain(mydataHeading(ALICE));
    expect(h.chat.inRoom(first).some((m) => m.text.includes(mydataHeading(ALICE)))).toBe(false);
    // In the room: to whom it went, by name (several people may have asked), as a mention.
    const told = h.chat.inRoom(ROOM).at(-1)!;
    expect(told.text).toBe(de.mydataSent(mention(ALICE, 'Alice')).text);
    expect(told.text).toMatch(/^Alice, /);
    expect(told.mentions).toEqual([ALICE]);

    h.chat.leave(second, ALICE);
    h.chat.unreachable.add(ALICE);
    await h.say(ALICE, '!mydata');
    const answer = h.chat.inRoom(ROOM).at(-1)!;
    expect(answer.text).toBe(de.mydataUndeliverable.text);
    expect(h.chat.messages.filter((m) => m.text.includes(mydataHeading(ALICE)))).toHaveLength(1);
  });
});
