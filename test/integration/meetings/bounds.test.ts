import { describe, expect } from 'vitest';
import { Reminders } from '../../../src/app/reminders.js';
import { join, mention } from '../../../src/i18n/rich.js';
import { editContent, eventBytes, MAX_EVENT_BYTES } from '../../../src/matrix/chat/content.js';
import { ALICE, BOB, CAROL, type Harness, ORGANIZER, ROOM } from '../../support/app-harness.js';
import {
  andMorePattern,
  argumentError,
  around,
  escapeRegExp,
  inviteesLine,
  openedLine,
  opening,
  plain,
  reminderPendingLine,
  said,
  t,
  tallyCount,
} from '../../support/catalogue.js';
import { it } from '../../support/fixtures.js';

// Invitees per meeting are capped (limits.maxInvitees, default 100), and every message about a
// meeting at the cap fits in one Matrix event (64 KiB), even with the longest IDs and names Matrix
// allows: user IDs of 255 bytes, display names of 256 characters that all escape or take 4 bytes.

const SERVER = `${'s'.repeat(120)}.example`;
/** A user ID of exactly 255 bytes, the most the spec allows. */
const longId = (i: number) => {
  const prefix = `@u${i}-`;
  return `${prefix}${'x'.repeat(255 - prefix.length - 1 - SERVER.length)}:${SERVER}`;
};
/** 256 characters (Synapse's limit), each costly: 4-byte emoji and quotes that JSON and HTML escape. */
const longName = (i: number) => `${i}"`.padEnd(256, '😀"&<');

const lastReply = (h: Harness) => h.chat.inRoom(ROOM).at(-1)?.text ?? '';

function fillRoom(h: Harness, others: number): string[] {
  const users = Array.from({ length: others }, (_, i) => longId(i));
  h.chat.room(ROOM, [h.chat.botUserId, ORGANIZER, ...users]);
  for (const [i, id] of users.entries()) h.chat.names.set(id, longName(i));
  return users;
}

describe('a meeting at the invitee cap (default 100) with the longest IDs and names', () => {
  it('keeps the prompt and every tally edit under 64 KiB, in a compact form (defect 8)', async ({ h }) => {
    expect(h.config.limits.maxInvitees).toBe(100);
    const users = fillRoom(h, 99);
    expect(users.every((id) => Buffer.byteLength(id) === 255)).toBe(true);
    // The plain list of everyone would not fit in one edit: compaction is needed, not decoration.
    const everyone = join(
      users.map((id, i) => mention(id, longName(i))),
      ', ',
    );
    expect(eventBytes(editContent('$x', everyone))).toBeGreaterThan(MAX_EVENT_BYTES);

    await h.say(ORGANIZER, '!meeting Allhands'); // nobody named: the room's 100 people
    const prompt = h.promptOf(1);
    expect(h.app.ctx.stores.meetings.invitees(1)).toHaveLength(100);
    const sent = h.chat.messages.find((m) => m.eventId === prompt)!;
    // Everyone is still notified: all 100 IDs in m.mentions.
    expect(sent.mentions).toHaveLength(100);
    // The names that fit, then "und N weitere".
    expect(sent.text).toMatch(new RegExp(`${andMorePattern}${escapeRegExp(inviteesLine[1])}`));

    for (const [i, user] of users.entries()) {
      if (i < 40) await h.react(user, prompt, '✅');
      else if (i < 70) await h.react(user, prompt, '❌');
    }
    const tally = h.chat.current(prompt);
    expect(tally).toContain(tallyCount('agreed', 40));
    expect(tally).toMatch(new RegExp(`${escapeRegExp(tallyCount('declined', 30))}: .*${andMorePattern}`));
    expect(tally).toContain(tallyCount('pending', 30));
    // Every edit went through (a refused edit is only logged): at least one per answer, none refused.
    expect(sent.edits.length).toBeGreaterThanOrEqual(70);
    expect(h.chat.refusedTooLarge).toBe(0);

    await h.say(ORGANIZER, '!status');
    expect(lastReply(h)).toContain(tallyCount('agreed', 40));
    await h.say(ORGANIZER, '!start');
    expect(h.chat.current(prompt)).toContain(said(t.promptOpened(false)));
    const opened = h.chat.inRoom(ROOM).find((m) => m.text.startsWith(openedLine('Allhands')));
    expect(opened?.text).toMatch(
      new RegExp(`${escapeRegExp(opening((r) => t.recordingOffReasons([plain(r)])))}.*${andMorePattern}\\.`),
    );
    expect(h.chat.directRooms).toHaveLength(100);

    // Every event the bot sent, measured as the homeserver measures it.
    const largest = Math.max(...h.chat.eventSizes);
    expect(largest).toBeLessThanOrEqual(MAX_EVENT_BYTES);
    expect(largest).toBeGreaterThan(MAX_EVENT_BYTES * 0.8); // the compact form still uses the room it has
  });

  it('keeps the reminder before an --at meeting under 64 KiB, everyone pending notified (defect 8)', async ({
    harness,
  }) => {
    const h = await harness({ reminders: { minutesBefore: 10 } });
    fillRoom(h, 99);
    await h.say(ORGANIZER, '!meeting Later --at "2026-12-01 11:00"'); // the clock is at 10:00 Berlin
    h.clock.advance(50 * 60_000);
    expect(await new Reminders(h.app.ctx).run()).toBe(1);
    const reminder = h.chat.inRoom(ROOM).find((m) => m.text.startsWith('⏰'))!;
    const [before, after] = reminderPendingLine;
    expect(reminder.text).toMatch(
      new RegExp(`${escapeRegExp(before)}.*${andMorePattern}${escapeRegExp(after)}`),
    );
    expect(reminder.mentions).toHaveLength(100);
    expect(Math.max(...h.chat.eventSizes)).toBeLessThanOrEqual(MAX_EVENT_BYTES);
  });

  it('refuses more invitees than the cap, with a clear answer (defect 8)', async ({ h }) => {
    const users = fillRoom(h, 100); // 101 people with the organizer
    await h.say(ORGANIZER, '!meeting Allhands');
    expect(lastReply(h)).toBe(argumentError(t.tooManyRoomMembers(101, 100), 'meeting'));
    await h.say(ORGANIZER, `!meeting Named ${users.join(' ')}`);
    expect(lastReply(h)).toContain(t.tooManyInvitees(100));
    expect(h.app.ctx.stores.meetings.inRoom(ROOM)).toHaveLength(0);

    await h.say(ORGANIZER, `!meeting Named ${users.slice(0, 98).join(' ')}`);
    expect(h.app.ctx.stores.meetings.invitees(1)).toHaveLength(99);
    await h.say(ORGANIZER, `!invite ${users[98]} ${users[99]}`);
    expect(lastReply(h)).toContain(t.tooManyForMeeting('Named', 99, 2, 100));
    await h.say(ORGANIZER, `!invite ${users[98]}`);
    expect(h.app.ctx.stores.meetings.invitees(1)).toHaveLength(100);
    // Naming people already invited adds nobody, so it is no excess.
    await h.say(ORGANIZER, `!invite ${users[0]}`);
    expect(lastReply(h)).toContain(around((who) => t.alreadyInvited(join([who])))[0]);
  });

  it('holds for two !invite at once: one is added, the other is refused with the numbers', async ({
    harness,
  }) => {
    const h = await harness({ limits: { maxInvitees: 3 } });
    await h.say(ORGANIZER, `!meeting Sync ${ALICE}`);
    await Promise.all([h.say(ORGANIZER, `!invite ${BOB}`), h.say(ORGANIZER, `!invite ${CAROL}`)]);
    expect(h.app.ctx.stores.meetings.invitees(1)).toHaveLength(3);
    expect(h.chat.inRoom(ROOM).some((m) => m.text.includes(t.tooManyForMeeting('Sync', 3, 1, 3)))).toBe(true);
  });

  it('follows a smaller configured cap', async ({ harness }) => {
    const h = await harness({ limits: { maxInvitees: 3 } });
    await h.say(ORGANIZER, '!meeting Everyone'); // harness room: 5 people
    expect(lastReply(h)).toContain(t.tooManyRoomMembers(5, 3));
  });
});

describe('the in-memory chat port', () => {
  it('refuses events over 64 KiB like Synapse (M_TOO_LARGE), and stores nothing', async ({ h }) => {
    const before = h.chat.messages.length;
    const tooLarge = { errcode: 'M_TOO_LARGE' };
    await expect(h.chat.send(ROOM, join(['x'.repeat(70_000)]))).rejects.toMatchObject(tooLarge);
    expect(h.chat.messages).toHaveLength(before);
    const ok = await h.chat.send(ROOM, join(['x'.repeat(30_000)]));
    // An edit carries the text twice: 2 × 33,000 bytes is too much.
    await expect(h.chat.edit(ROOM, ok, join(['y'.repeat(33_000)]))).rejects.toMatchObject(tooLarge);
  });
});
