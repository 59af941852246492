import { describe, expect } from 'vitest';
import { join } from '../../../src/i18n/rich.js';
import { ADMIN, ALICE, BOB, CAROL, type Harness, ORGANIZER, ROOM } from '../../support/app-harness.js';
import {
  argumentError,
  around,
  noticeOpening,
  said,
  t,
  tallyCount,
  usageFormsOf,
  usageOf,
} from '../../support/catalogue.js';
import { it } from '../../support/fixtures.js';

const lastReply = (h: Harness) => h.chat.inRoom(ROOM).at(-1)?.text ?? '';

describe('commands', () => {
  it('answer bad arguments with the usage line, and lose nothing', async ({ h }) => {
    await h.say(ORGANIZER, '!meeting');
    expect(lastReply(h)).toBe(argumentError(t.missingTitle, 'meeting'));
    await h.say(ORGANIZER, '!meeting Sync --bogus');
    expect(lastReply(h)).toContain(t.unknownOption('--bogus'));
    await h.say(ORGANIZER, '!meeting Sync --at "irgendwann"');
    expect(lastReply(h)).toContain(t.badTime('irgendwann'));
    await h.say(ORGANIZER, '!meeting Sync @stranger:test');
    expect(lastReply(h)).toContain(t.unknownUsers('@stranger:test'));
    await h.say(ORGANIZER, `!meeting ${'x'.repeat(201)}`);
    expect(lastReply(h)).toContain(t.titleTooLong(200));
    await h.say(ORGANIZER, '!meeting Sync --at gestern');
    expect(lastReply(h)).toContain(around(t.timeInPast)[1]);
    expect(h.app.ctx.stores.meetings.inRoom(ROOM)).toHaveLength(0);
  });

  it('refuse a mention they cannot resolve, naming it, instead of making it part of the title (defect 7)', async ({
    h,
  }) => {
    await h.say(ORGANIZER, '!meeting Sync @alice');
    expect(lastReply(h)).toBe(argumentError(t.unresolvedMentions('@alice', 'test'), 'meeting'));
    // An unknown user, and a known one who is not in the room, are named too.
    await h.say(ORGANIZER, '!meeting Sync @nobody:test');
    expect(lastReply(h)).toContain(t.unknownUsers('@nobody:test'));
    h.chat.room('!other:test', [h.chat.botUserId, ORGANIZER, '@dave:test']);
    await h.say(ORGANIZER, '!meeting Sync @dave:test');
    expect(lastReply(h)).toContain(t.unknownUsers('@dave:test'));
    expect(h.app.ctx.stores.meetings.inRoom(ROOM)).toHaveLength(0);
    expect(h.chat.inRoom(ROOM).some((m) => m.text.startsWith(noticeOpening))).toBe(false);

    await h.say(ORGANIZER, `!meeting Sync ${ALICE}`);
    await h.say(ORGANIZER, '!invite @bob');
    expect(lastReply(h)).toContain(t.unresolvedMentions('@bob', 'test'));
    await h.say(ADMIN, '!withdraw @alice');
    expect(lastReply(h)).toContain(t.unresolvedMentions('@alice', 'test'));
    const invited = h.app.ctx.stores.meetings.invitees(1).map((i) => i.userId);
    expect(invited.sort()).toEqual([ALICE, ORGANIZER]);
  });

  it('stay quiet for commands that are not ours (another bot may share the prefix)', async ({ h }) => {
    await h.say(ORGANIZER, '!weather Berlin');
    expect(h.chat.messages).toHaveLength(0);
  });

  it('generate help from the command table, admin commands only for admins', async ({ h }) => {
    await h.say(ALICE, '!help');
    expect(lastReply(h)).toContain(usageOf('meeting'));
    expect(lastReply(h)).not.toContain('!purge');
    await h.say(ADMIN, '!help');
    expect(lastReply(h)).toContain('!purge');
    await h.say(ALICE, '!help withdraw');
    expect(lastReply(h)).toBe(said(t.helpLine(usageFormsOf('withdraw'), t.commands.withdraw!)));
  });

  it("help shows every form of a command with the prefix and placeholders in the reader's language", async ({
    h,
  }) => {
    await h.say(ADMIN, '!help purge');
    expect(lastReply(h)).toBe(said(t.helpLine(usageFormsOf('purge'), t.commands.purge!)));
    const html = h.chat.inRoom(ROOM).at(-1)!.html;
    for (const form of usageFormsOf('purge'))
      expect(html).toContain(`<code>${form.replace('<', '&lt;').replace('>', '&gt;')}</code>`);
  });

  it('let only the organizer or an admin start or cancel, and say who may', async ({ h }) => {
    await h.say(ORGANIZER, `!meeting Planning ${ALICE}`);
    await h.say(ALICE, '!start');
    expect(lastReply(h)).toContain(said(t.notAllowed(t.whoOrganizerOrAdmin)));
    expect(h.sim.sessions()).toHaveLength(0);
    await h.say(ADMIN, '!cancel');
    expect(lastReply(h)).toContain(said(t.cancelled('Planning')));
    expect(h.app.ctx.stores.meetings.get(1)?.state).toBe('cancelled');
  });

  it('ask which meeting when the room has several', async ({ h }) => {
    await h.say(ORGANIZER, `!meeting One ${ALICE}`);
    await h.say(ORGANIZER, `!meeting Two ${BOB}`);
    await h.say(ORGANIZER, '!status');
    expect(lastReply(h)).toContain(around((x) => t.ambiguousMeeting(join([x])))[0]);
    await h.say(ORGANIZER, '!status #2');
    expect(lastReply(h)).toContain('#2 Two');
    expect(lastReply(h)).toContain(tallyCount('pending', 2));
  });

  it('handle each command event once, even if it is delivered again', async ({ h }) => {
    const command = {
      roomId: ROOM,
      sender: ORGANIZER,
      eventId: '$same',
      content: { body: `!meeting Once ${ALICE}` },
    };
    await h.dispatcher.handle(command);
    await h.dispatcher.handle(command); // delivered again
    expect(h.app.ctx.stores.meetings.inRoom(ROOM)).toHaveLength(1);
    expect(h.chat.inRoom(ROOM).filter((m) => m.text.startsWith(noticeOpening))).toHaveLength(1);
  });

  it('invite everyone in the room when nobody is named, the organizer always', async ({ h }) => {
    await h.say(ORGANIZER, '!meeting Allhands');
    const invited = h.app.ctx.stores.meetings.invitees(1).map((i) => i.userId);
    expect(invited.sort()).toEqual([ADMIN, ALICE, BOB, CAROL, ORGANIZER].sort());
    expect(invited).not.toContain(h.chat.botUserId);
  });

  it('leave out the other bots the configuration names when nobody is named; named, they are invited', async ({
    harness,
  }) => {
    const h = await harness({ matrix: { ignoredUsers: ['@*bot:test'] } });
    const otherBot = '@hookshot-bot:test';
    h.chat.members.get(ROOM)?.add(otherBot);
    await h.say(ORGANIZER, '!meeting Allhands');
    expect(
      h.app.ctx.stores.meetings
        .invitees(1)
        .map((i) => i.userId)
        .sort(),
    ).toEqual([ADMIN, ALICE, BOB, CAROL, ORGANIZER].sort());
    await h.say(ORGANIZER, `!meeting Bridge check ${otherBot}`);
    expect(h.app.ctx.stores.meetings.invitees(2).map((i) => i.userId)).toContain(otherBot);
  });

  it('take --at in English from a German bot, and refuse a time inside the DST gap (defect 9)', async ({
    h,
  }) => {
    await h.say(ORGANIZER, `!meeting Early ${ALICE} --at "tomorrow 10am"`);
    expect(h.app.ctx.stores.meetings.get(1)?.scheduledAt).toBe(Date.parse('2026-12-02T09:00:00Z'));
    await h.say(ORGANIZER, `!meeting Gap ${ALICE} --at "2027-03-28 02:30"`);
    expect(lastReply(h)).toBe(argumentError(t.timeInDstGap('2027-03-28 02:30', 'Europe/Berlin'), 'meeting'));
    await h.say(ORGANIZER, `!meeting Vague ${ALICE} --at morgen`);
    expect(lastReply(h)).toContain(t.timeWithoutClock('morgen'));
    expect(h.app.ctx.stores.meetings.inRoom(ROOM)).toHaveLength(1);
  });
});
