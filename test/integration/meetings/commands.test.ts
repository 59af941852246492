import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { de } from '../../../src/i18n/de.js';
import {
  ADMIN,
  ALICE,
  BOB,
  CAROL,
  createHarness,
  type Harness,
  ORGANIZER,
  ROOM,
} from '../../support/app-harness.js';

let h: Harness;
beforeEach(async () => {
  h = await createHarness();
});
afterEach(async () => {
  await h.close();
});

const lastReply = () => h.chat.inRoom(ROOM).at(-1)?.text ?? '';
/** The usage line of !meeting as the German catalogue writes it. */
const MEETING_USAGE = `!${de.usages.meeting![0]}`;

describe('commands', () => {
  it('answer bad arguments with the usage line, and lose nothing', async () => {
    await h.say(ORGANIZER, '!meeting');
    expect(lastReply()).toBe(de.argumentError(de.missingTitle, MEETING_USAGE).text);
    await h.say(ORGANIZER, '!meeting Sync --bogus');
    expect(lastReply()).toContain('Unbekannte Option --bogus');
    await h.say(ORGANIZER, '!meeting Sync --at "irgendwann"');
    expect(lastReply()).toContain('Zeitangabe „irgendwann“ nicht verstanden');
    await h.say(ORGANIZER, '!meeting Sync @stranger:test');
    expect(lastReply()).toContain('nicht in diesem Raum: @stranger:test');
    await h.say(ORGANIZER, `!meeting ${'x'.repeat(201)}`);
    expect(lastReply()).toContain('höchstens 200 Zeichen');
    await h.say(ORGANIZER, '!meeting Sync --at gestern');
    expect(lastReply()).toContain('liegt in der Vergangenheit');
    expect(h.app.ctx.stores.meetings.inRoom(ROOM)).toHaveLength(0);
  });

  it('refuse a mention they cannot resolve, naming it, instead of making it part of the title (defect 7)', async () => {
    await h.say(ORGANIZER, '!meeting Sync @alice');
    expect(lastReply()).toBe(de.argumentError(de.unresolvedMentions('@alice', 'test'), MEETING_USAGE).text);
    // An unknown user, and a known one who is not in the room, are named too.
    await h.say(ORGANIZER, '!meeting Sync @nobody:test');
    expect(lastReply()).toContain('nicht in diesem Raum: @nobody:test');
    h.chat.room('!other:test', [h.chat.botUserId, ORGANIZER, '@dave:test']);
    await h.say(ORGANIZER, '!meeting Sync @dave:test');
    expect(lastReply()).toContain('nicht in diesem Raum: @dave:test');
    expect(h.app.ctx.stores.meetings.inRoom(ROOM)).toHaveLength(0);
    expect(h.chat.inRoom(ROOM).some((m) => m.text.startsWith('Datenschutzhinweis'))).toBe(false);

    await h.say(ORGANIZER, `!meeting Sync ${ALICE}`);
    await h.say(ORGANIZER, '!invite @bob');
    expect(lastReply()).toContain('keiner Person zuordnen: @bob');
    await h.say(ADMIN, '!withdraw @alice');
    expect(lastReply()).toContain('keiner Person zuordnen: @alice');
    expect(
      h.app.ctx.stores.meetings
        .invitees(1)
        .map((i) => i.userId)
        .sort(),
    ).toEqual([ALICE, ORGANIZER]);
  });

  it('stay quiet for commands that are not ours (another bot may share the prefix)', async () => {
    await h.say(ORGANIZER, '!weather Berlin');
    expect(h.chat.messages).toHaveLength(0);
  });

  it('generate help from the command table, admin commands only for admins', async () => {
    await h.say(ALICE, '!help');
    expect(lastReply()).toContain(MEETING_USAGE);
    expect(lastReply()).not.toContain('!purge');
    await h.say(ADMIN, '!help');
    expect(lastReply()).toContain('!purge');
    await h.say(ALICE, '!help withdraw');
    expect(lastReply()).toBe(de.helpLine([`!${de.usages.withdraw![0]}`], de.commands.withdraw!).text);
  });

  it("help shows every form of a command with the prefix and placeholders in the reader's language", async () => {
    await h.say(ADMIN, '!help purge');
    expect(lastReply()).toBe(
      de.helpLine(
        de.usages.purge!.map((f) => `!${f}`),
        de.commands.purge!,
      ).text,
    );
    const html = h.chat.inRoom(ROOM).at(-1)!.html;
    for (const form of de.usages.purge!)
      expect(html).toContain(`<code>!${form.replace('<', '&lt;').replace('>', '&gt;')}</code>`);
  });

  it('let only the organizer or an admin start or cancel, and say who may', async () => {
    await h.say(ORGANIZER, `!meeting Planning ${ALICE}`);
    await h.say(ALICE, '!start');
    expect(lastReply()).toContain(
      'Das darf nur die Person, die die Besprechung angelegt hat, oder ein Admin.',
    );
    expect(h.sim.sessions()).toHaveLength(0);
    await h.say(ADMIN, '!cancel');
    expect(lastReply()).toContain('Planning wurde abgesagt');
    expect(h.app.ctx.stores.meetings.get(1)?.state).toBe('cancelled');
  });

  it('ask which meeting when the room has several', async () => {
    await h.say(ORGANIZER, `!meeting One ${ALICE}`);
    await h.say(ORGANIZER, `!meeting Two ${BOB}`);
    await h.say(ORGANIZER, '!status');
    expect(lastReply()).toContain('mehrere Besprechungen');
    await h.say(ORGANIZER, '!status #2');
    expect(lastReply()).toContain('#2 Two');
    expect(lastReply()).toContain('⏳ Offen (2)');
  });

  it('handle each command event once, even if it is delivered again', async () => {
    await h.dispatcher.handle({
      roomId: ROOM,
      sender: ORGANIZER,
      eventId: '$same',
      content: { body: `!meeting Once ${ALICE}` },
    });
    await h.dispatcher.handle({
      roomId: ROOM,
      sender: ORGANIZER,
      eventId: '$same',
      content: { body: `!meeting Once ${ALICE}` },
    });
    expect(h.app.ctx.stores.meetings.inRoom(ROOM)).toHaveLength(1);
    expect(h.chat.inRoom(ROOM).filter((m) => m.text.startsWith('Datenschutzhinweis'))).toHaveLength(1);
  });

  it('invite everyone in the room when nobody is named, the organizer always', async () => {
    await h.say(ORGANIZER, '!meeting Allhands');
    const invited = h.app.ctx.stores.meetings.invitees(1).map((i) => i.userId);
    expect(invited.sort()).toEqual([ADMIN, ALICE, BOB, CAROL, ORGANIZER].sort());
    expect(invited).not.toContain(h.chat.botUserId);
  });

  it('take --at in English from a German bot, and refuse a time inside the DST gap (defect 9)', async () => {
    await h.say(ORGANIZER, `!meeting Early ${ALICE} --at "tomorrow 10am"`);
    expect(h.app.ctx.stores.meetings.get(1)?.scheduledAt).toBe(Date.parse('2026-12-02T09:00:00Z'));
    await h.say(ORGANIZER, `!meeting Gap ${ALICE} --at "2027-03-28 02:30"`);
    expect(lastReply()).toBe(
      de.argumentError(de.timeInDstGap('2027-03-28 02:30', 'Europe/Berlin'), MEETING_USAGE).text,
    );
    await h.say(ORGANIZER, `!meeting Vague ${ALICE} --at morgen`);
    expect(lastReply()).toContain('„morgen“ nennt keine Uhrzeit');
    expect(h.app.ctx.stores.meetings.inRoom(ROOM)).toHaveLength(1);
  });
});
