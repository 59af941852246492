// Reminders before --at meetings, and !status without a reference after a meeting ended.
import { describe, expect } from 'vitest';
import { Reminders } from '../../../src/app/reminders.js';
import { ALICE, BOB, CAROL, type Harness, ORGANIZER, ROOM } from '../../support/app-harness.js';
import { around, escapeRegExp, noAnswerFrom, plain, said, t, tallyLine } from '../../support/catalogue.js';
import { it } from '../../support/fixtures.js';

const MIN = 60_000;
/** The reminder of meeting #1 "Later" as the catalogue words it. */
const reminderFor = (minutes: number, when: string, pending: string[] | null) =>
  t.reminder({ ref: plain('#1 Later'), minutes, when, pending: pending?.map(plain) ?? null });
const reminders = (h: Harness) => h.chat.inRoom(ROOM).filter((m) => m.text.startsWith('⏰'));

describe('reminders', () => {
  // The harness clock starts at 2026-12-01 10:00 Berlin time.
  it('reminds the room N minutes before, naming who has not answered, once (also after a restart)', async ({
    harness,
  }) => {
    const h = await harness({ reminders: { minutesBefore: 10 } });
    const { prompt } = await h.plan(`Later ${ALICE} ${BOB} --at "2026-12-01 11:00"`, ALICE);

    h.clock.advance(49 * MIN); // 10:49: not yet
    expect(await new Reminders(h.app.ctx).run()).toBe(0);
    h.clock.advance(1 * MIN); // 10:50
    expect(await new Reminders(h.app.ctx).run()).toBe(1);
    const [reminder] = reminders(h);
    const [before, after] = around((when) => said(reminderFor(10, when, null)));
    expect(reminder!.text).toMatch(new RegExp(`^${escapeRegExp(before)}.*11:00${escapeRegExp(after)}`));
    expect(reminder!.text).toContain(noAnswerFrom(['Olga', 'Bob']));
    expect(reminder!.text).not.toContain('Alice');
    expect(reminder!.mentions).toEqual([ORGANIZER, BOB]); // they are notified
    expect(reminder!.replyTo).toBe(prompt);

    h.clock.advance(MIN);
    await new Reminders(h.app.ctx).run();
    await h.restart();
    await new Reminders(h.app.ctx).run();
    expect(reminders(h)).toHaveLength(1);

    // The meeting still opens at its time, as before.
    h.clock.advance(9 * MIN);
    await h.app.tick();
    expect(h.app.ctx.stores.meetings.get(1)?.state).toBe('open');
    expect(await new Reminders(h.app.ctx).run()).toBe(0);
  });

  it('no reminder for a meeting planned inside the reminder window, or with reminders off', async ({
    harness,
  }) => {
    const h = await harness({ reminders: { minutesBefore: 10 } });
    await h.say(ORGANIZER, `!meeting Soon ${ALICE} --at "2026-12-01 10:05"`);
    h.clock.advance(2 * MIN);
    expect(await new Reminders(h.app.ctx).run()).toBe(0);

    const off = await harness({ reminders: { minutesBefore: 0 } });
    await off.say(ORGANIZER, `!meeting Later ${ALICE} --at "2026-12-01 11:00"`);
    off.clock.advance(55 * MIN);
    expect(await new Reminders(off.app.ctx).run()).toBe(0);
  });

  it('a --no-record meeting is reminded of its time only (nobody has to answer)', async ({ h }) => {
    await h.say(ORGANIZER, `!meeting Later ${ALICE} --at "2026-12-01 11:00" --no-record`);
    h.clock.advance(50 * MIN);
    await new Reminders(h.app.ctx).run();
    const [before, after] = around((when) => said(reminderFor(10, when, null)));
    const timeOnly = new RegExp(`^${escapeRegExp(before)}.*${escapeRegExp(after)}$`);
    expect(reminders(h).map((m) => m.text)).toEqual([expect.stringMatching(timeOnly)]);
  });

  it('says everyone answered when they did', async ({ h }) => {
    await h.plan(`Later ${ALICE} --at "2026-12-01 11:00"`, ORGANIZER, ALICE);
    h.clock.advance(52 * MIN); // default lead: 10 minutes
    await new Reminders(h.app.ctx).run();
    expect(reminders(h)[0]!.text).toContain(around((when) => said(reminderFor(8, when, null)))[0]);
    expect(reminders(h)[0]!.text).toContain(said(reminderFor(8, '', [])).split('\n')[1]!);
  });
});

describe('!status without a reference', () => {
  it('after the meeting ended, shows the latest one and says so', async ({ h }) => {
    await h.say(ORGANIZER, `!meeting First ${ALICE}`);
    await h.say(ORGANIZER, '!cancel');
    await h.say(ORGANIZER, `!meeting Second ${ALICE}`);
    await h.react(ALICE, h.promptOf(2), '❌');
    await h.say(ORGANIZER, '!cancel');
    await h.say(CAROL, '!status');
    const answer = h.chat.inRoom(ROOM).at(-1)!.text;
    expect(answer.startsWith(`${said(t.statusLatest)}\n#2 Second: ${t.stateNames.cancelled}`)).toBe(true);
    expect(answer).toContain(tallyLine('declined', ['Alice']));
  });

  it('with an open meeting, shows that one without the note', async ({ h }) => {
    await h.say(ORGANIZER, `!meeting First ${ALICE}`);
    await h.say(CAROL, '!status');
    expect(h.chat.inRoom(ROOM).at(-1)!.text.startsWith(`#1 First: ${t.stateNames.collecting}`)).toBe(true);
  });

  it('a room without meetings still gets the plain answer', async ({ h }) => {
    await h.say(CAROL, '!status');
    expect(h.chat.inRoom(ROOM).at(-1)!.text).toBe(said(t.noMeeting));
  });
});
