// Audit c (design.md §3.9–3.10, §4's general rules, §7's hostile input): what people see, the bounds,
// the configured prefix, wrong input and odd references, as a user or a hostile member would meet them.
// The real app on SQLite, the BBB simulator over HTTP, the in-memory chat port.
import { describe, expect } from 'vitest';
import { commandTable } from '../../../src/commands/index.js';
import { MAX_NAME_LENGTH } from '../../../src/domain/names.js';
import { MAX_EVENT_BYTES } from '../../../src/matrix/chat/content.js';
import { ALICE, BOB, type Harness, ORGANIZER, ROOM } from '../../support/app-harness.js';
import {
  fullNoticeOpening,
  GAP,
  noticeOpening,
  plain,
  roomPrompt,
  said,
  t,
  tallyCount,
  usageFormsOf,
  usageOf,
} from '../../support/catalogue.js';
import { it } from '../../support/fixtures.js';
import { DAY, dmLinks, endAndDiscover, joinAs, lastMeetingId } from '../recordings/support.js';

const lastReply = (h: Harness, roomId = ROOM) => h.chat.inRoom(roomId).at(-1)?.text ?? '';
/** Every text the bot sent anywhere, each edit included. */
const everything = (h: Harness) => h.chat.messages.flatMap((m) => [m, ...m.edits]);
const PLAYBACK = /https?:\/\/\S+\/playback\/presentation\/2\.3\/\S+/;

describe('a configured command prefix (§4)', () => {
  it('is the only one the bot answers to, and every message that names a command uses it', async ({
    harness,
  }) => {
    const h = await harness({ matrix: { commandPrefix: '?' }, consent: { ask: 'direct' } });
    // Another bot owns "!": the bot stays quiet.
    await h.say(ORGANIZER, `!meeting Sync ${ALICE}`);
    expect(h.chat.messages).toHaveLength(0);

    await h.say(ORGANIZER, '?meeting');
    expect(lastReply(h)).toBe(said(t.argumentError(t.missingTitle, usageOf('meeting', '?'))));
    await h.say(ALICE, '?help ?withdraw');
    expect(lastReply(h)).toBe(said(t.helpLine(usageFormsOf('withdraw', '?'), t.commands.withdraw!)));
    await h.say(ALICE, '?help');
    expect(lastReply(h)).toContain(usageOf('meeting', '?'));

    await h.say(ORGANIZER, `?meeting Sync ${ALICE}`);
    const id = lastMeetingId(h);
    // The first layer (room and DM) and the private prompt tell how to withdraw with "?".
    const firstLayers = h.chat.messages.filter((m) => m.text.startsWith(noticeOpening));
    expect(firstLayers.length).toBeGreaterThanOrEqual(2);
    for (const m of firstLayers) expect(m.text).toContain('?withdraw');
    const prompt = h.app.ctx.stores.meetings.dmPrompt(id, ALICE)!;
    expect(h.chat.current(prompt.eventId)).toContain('?withdraw');

    // !mydata's summary, and the note that an unanswered meeting expired, name commands too.
    await h.say(ALICE, '?mydata');
    h.clock.advance(h.config.limits.unansweredDays * DAY);
    expect((await h.app.retention.run()).expiredMeetings).toBe(1);
    const expired = h.chat.inRoom(ROOM).at(-1)!.text;
    expect(expired).toContain(h.app.ctx.stores.meetings.get(id)!.title);

    const otherPrefix = new RegExp(`!(${commandTable.map((c) => c.name).join('|')})\\b`);
    const naming = everything(h).filter((m) => otherPrefix.test(m.text));
    expect(naming.map((m) => m.text.match(otherPrefix)?.[0])).toEqual([]);
  });
});

describe('wrong input (§4): a short answer, never a stack trace, nothing changed', () => {
  it('odd references, options and arguments to every command', async ({ h }) => {
    await h.say(ORGANIZER, `!meeting Sync ${ALICE}`);
    const before = JSON.stringify(h.app.ctx.stores.meetings.inRoom(ROOM));
    const inputs: [string, string][] = [
      [ORGANIZER, '!start #abc'],
      [ORGANIZER, '!start #99999999999999999999999'],
      [ORGANIZER, '!cancel #-1'],
      [ORGANIZER, '!status #0'],
      [ORGANIZER, '!invite'],
      [ORGANIZER, '!invite #1 --guest'],
      [ORGANIZER, '!invite #1 --guest ""'],
      [ORGANIZER, '!meeting Sync --at'],
      [ORGANIZER, '!meeting Sync --no-record=yes'],
      [ORGANIZER, `!meeting Sync --guest "x" --guest "y"`],
      [ALICE, `!withdraw ${ALICE} ${BOB}`],
      [ALICE, '!withdraw #999'],
      ['@admin:test', '!purge'],
      ['@admin:test', '!purge #abc --expired'],
      ['@admin:test', '!evidence --format xml'],
      [ALICE, '!help nonsense'],
      [ALICE, '!help'.padEnd(5000, ' x')],
      [ALICE, `!recordings ${'x'.repeat(10_000)}`],
      [ALICE, `!notice ${'<b>'.repeat(100)}`],
    ];
    for (const [sender, body] of inputs) {
      const before = h.chat.messages.length;
      await h.say(sender, body);
      const answers = h.chat.messages.slice(before).filter((m) => m.roomId === ROOM);
      expect(answers, body).toHaveLength(1);
      const [answer] = answers;
      expect(answer!.text, body).not.toBe(said(t.internalError));
      expect(answer!.text, body).not.toMatch(/\n\s+at |Error:|undefined|NaN|\[object/);
      expect(Buffer.byteLength(answer!.text), body).toBeLessThan(2000);
    }
    expect(JSON.stringify(h.app.ctx.stores.meetings.inRoom(ROOM))).toBe(before);
    expect(h.sim.sessions()).toHaveLength(0);
  });

  it('a reference that is not one is wrong input: the only meeting is not started or cancelled instead', async ({
    h,
  }) => {
    await h.say(ORGANIZER, `!meeting Sync ${ALICE}`);
    for (const [command, body] of [
      ['start', '!start #abc'],
      ['cancel', '!cancel #1x'],
      ['cancel', '!cancel Sync'],
      ['status', '!status #-1'],
    ] as const) {
      await h.say(ORGANIZER, body);
      expect(lastReply(h), body).toBe(said(t.usage(usageOf(command))));
    }
    expect(h.app.ctx.stores.meetings.get(1)?.state).toBe('collecting');
    expect(h.sim.sessions()).toHaveLength(0);
  });

  it("a reference to another room's meeting acts on nothing there", async ({ h }) => {
    const other = '!other:test';
    h.chat.room(other, [h.chat.botUserId, ORGANIZER, ALICE, BOB]);
    await h.say(ORGANIZER, `!meeting Elsewhere ${ALICE}`, other);
    const id = 1;
    for (const body of [`!start #${id}`, `!cancel #${id}`, `!invite #${id} ${BOB}`, `!status #${id}`]) {
      await h.say(ORGANIZER, body);
      expect(lastReply(h), body).toBe(said(t.noMeeting));
    }
    expect(h.app.ctx.stores.meetings.get(id)?.state).toBe('collecting');
    expect(h.app.ctx.stores.meetings.invitees(id).map((i) => i.userId)).not.toContain(BOB);
  });

  it('!help takes a command name as people type it (capitalised, with the prefix) and shows unknown ones as text', async ({
    h,
  }) => {
    const help = said(t.helpLine(usageFormsOf('withdraw'), t.commands.withdraw!));
    for (const body of ['!help withdraw', '!help !withdraw', '!help Withdraw', '!Help WITHDRAW']) {
      await h.say(ALICE, body);
      expect(lastReply(h), body).toBe(help);
    }
    await h.say(ALICE, '!help <img/src=x/onerror=alert(1)>');
    const answer = h.chat.inRoom(ROOM).at(-1)!;
    expect(answer.text).toContain('<img/src=x/onerror=alert(1)>');
    expect(answer.html).not.toContain('<img');
  });

  it('a refusal says who may do it: !invite by an invitee, !withdraw #n by someone not invited', async ({
    h,
  }) => {
    await h.say(ORGANIZER, `!meeting Sync ${ALICE}`);
    await h.say(ALICE, `!invite ${BOB}`);
    expect(lastReply(h)).toBe(said(t.notAllowed(t.whoOrganizerOrAdmin)));
    await h.say(BOB, '!withdraw #1');
    expect(lastReply(h)).toBe(said(t.notAllowed(t.whoParticipant)));
    expect(h.app.ctx.stores.meetings.invitees(1)).toHaveLength(2);
  });
});

describe('hostile input (§7)', () => {
  const HTML_TITLE = "<img src=x onerror=alert(1)> & <a href='https://evil.example'>Sync</a>";

  it('HTML in a title is shown as text in every message, room and DMs, from planning to playback', async ({
    h,
  }) => {
    const { id } = await h.plan(`${HTML_TITLE} ${ALICE}`, ORGANIZER, ALICE);
    expect(h.app.ctx.stores.meetings.get(id)?.title).toBe(HTML_TITLE);
    await joinAs(h, ORGANIZER);
    await endAndDiscover(h, id);
    await h.say(ALICE, '!recordings');
    await h.say(ORGANIZER, '!status');
    await h.say(ALICE, '!withdraw');
    const withTitle = everything(h).filter((m) => m.text.includes('Sync'));
    // Room posts, join and playback links by DM, the withdrawal: all of them carry the title.
    expect(withTitle.length).toBeGreaterThanOrEqual(8);
    expect(dmLinks(h, ALICE, PLAYBACK).length).toBeGreaterThanOrEqual(1);
    for (const m of withTitle) {
      expect(m.text).toContain(HTML_TITLE);
      expect(m.html).not.toMatch(/<img|<a href='https:\/\/evil/);
      expect(m.html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    }
  });

  it('a display name of absurd length is capped wherever it is shown, and stored capped', async ({ h }) => {
    const huge = `Zed${'ž'.repeat(5000)}`;
    h.chat.names.set(BOB, huge);
    const { id } = await h.plan(`Sync ${ALICE} ${BOB}`, BOB);
    await h.say(ORGANIZER, '!status');
    const stored = h.app.ctx.stores.meetings.invitees(id).find((i) => i.userId === BOB)!.displayName;
    expect([...stored]).toHaveLength(MAX_NAME_LENGTH);
    const shown = everything(h).filter((m) => m.text.includes('Zed'));
    expect(shown.length).toBeGreaterThanOrEqual(2);
    for (const m of shown) {
      expect(m.text).not.toContain('ž'.repeat(MAX_NAME_LENGTH));
      expect(m.text).toContain(stored);
    }
  });

  it('a guest name with markup, line breaks and bidi characters is one line of text in chat', async ({
    harness,
  }) => {
    const h = await harness({ http: { enabled: true, port: 0, publicUrl: 'https://bot.example.org/' } });
    const hostile = `Erika\n${tallyCount('agreed', 9)}\u202e<b>x</b>\u200b`;
    await h.say(ORGANIZER, `!meeting Sync ${ALICE} --guest "${hostile}"`);
    const clean = `Erika ${tallyCount('agreed', 9)}<b>x</b>`;
    expect(h.app.ctx.stores.guests.ofMeeting(1)[0]?.displayName).toBe(clean);
    const shown = everything(h).filter((m) => m.text.includes('Erika'));
    expect(shown.length).toBeGreaterThanOrEqual(2); // the room's prompt and the organizer's link DM
    for (const m of shown) {
      expect(m.text).toContain(clean);
      expect(m.text + m.html).not.toMatch(/[\u202e\u200b]|Erika\n|Erika<br/);
      expect(m.html).not.toContain('<b>x</b>');
    }
  });

  it('a 200-character title of costly characters at the invitee cap, private prompts: every event fits', async ({
    harness,
  }) => {
    const h = await harness({ consent: { ask: 'direct' } });
    const SERVER = `${'s'.repeat(120)}.example`;
    const users = Array.from({ length: 99 }, (_, i) => {
      const prefix = `@u${i}-`;
      return `${prefix}${'x'.repeat(255 - prefix.length - 1 - SERVER.length)}:${SERVER}`;
    });
    h.chat.room(ROOM, [h.chat.botUserId, ORGANIZER, ...users]);
    for (const [i, id] of users.entries()) h.chat.names.set(id, `${i}"`.padEnd(256, '😀"&<'));
    const title = '😀"&<'.repeat(50); // 200 code points, each escaped or 4 bytes
    await h.say(ORGANIZER, `!meeting ${title}`);
    const id = lastMeetingId(h);
    expect(h.app.ctx.stores.meetings.invitees(id)).toHaveLength(100);
    for (const [i, user] of users.entries()) {
      const prompt = h.app.ctx.stores.meetings.dmPrompt(id, user)!;
      if (i % 3 !== 2) await h.react(user, prompt.eventId, i % 3 === 0 ? '✅' : '❌', prompt.roomId);
    }
    const before = h.chat.dmOf(ORGANIZER).length;
    await h.say(ORGANIZER, '!status');
    // The organizer learns by DM who has not answered (names as far as they fit).
    const pending = h.chat.dmOf(ORGANIZER).slice(before);
    expect(pending).toHaveLength(1);
    expect(pending[0]!.text).toContain('Olga');
    await h.say(ORGANIZER, '!start');
    await h.say(users[0]!, '!withdraw');
    expect(h.chat.refusedTooLarge).toBe(0);
    expect(Math.max(...h.chat.eventSizes)).toBeLessThanOrEqual(MAX_EVENT_BYTES);
    expect(h.app.ctx.stores.meetings.currentSession(id)?.record).toBe(false);
    for (const user of users) expect(dmLinks(h, user)).toHaveLength(1);
  });
});

describe('what people see (§3.9)', () => {
  it('a prompt the homeserver refused once is posted by the next tick, not only after a restart; nothing twice', async ({
    h,
  }) => {
    const send = h.chat.send.bind(h.chat);
    let refused = 0;
    h.chat.send = async (roomId, message, options) => {
      if (options?.key === 'prompt:1' && refused++ === 0)
        throw Object.assign(new Error('502 Bad Gateway'), { statusCode: 502 });
      return send(roomId, message, options);
    };
    await h.say(ORGANIZER, `!meeting Sync ${ALICE}`);
    expect(lastReply(h)).toBe(said(t.internalError));
    await h.app.tick();
    const meeting = h.app.ctx.stores.meetings.get(1)!;
    expect(meeting.promptEventId).not.toBeNull();
    expect(h.chat.inRoom(ROOM).filter((m) => m.text.startsWith(noticeOpening))).toHaveLength(1);
    await h.app.tick();
    await h.restartAndReconcile();
    const prompts = h.chat.inRoom(ROOM).filter((m) => m.eventId === meeting.promptEventId);
    expect(prompts).toHaveLength(1);
    expect(h.chat.inRoom(ROOM).filter((m) => m.text.startsWith(noticeOpening))).toHaveLength(1);
    await h.agree(meeting.promptEventId!, ORGANIZER, ALICE);
    expect(h.app.ctx.stores.meetings.currentSession(1)?.record).toBe(true);
  });

  it('with private answers and consent.showNames, the notice and the prompt do not promise that answers stay private', async ({
    harness,
  }) => {
    const h = await harness({ consent: { ask: 'direct', showNames: true } });
    const { id } = await h.plan(`Retro ${ALICE}`);
    const prompt = h.app.ctx.stores.meetings.dmPrompt(id, ALICE)!;
    await h.react(ALICE, prompt.eventId, '❌', prompt.roomId);
    // The room names Alice's answer ...
    const room = h.chat.inRoom(ROOM).map((m) => h.chat.current(m.eventId));
    expect(room.some((text) => text.includes('Alice') && text.includes('❌'))).toBe(true);
    // ... so nothing she read may say that only she, the bot and the admins see it.
    const dmPromptLine = (namesShown: boolean) =>
      said(t.directPrompt({ ...promptDefaults, namesShown, answer: 'pending' })).split('\n')[1]!;
    const privateOnly = [
      dmPromptLine(false),
      firstLayerLine('direct'),
      roomPrompt({ ask: 'direct', invitees: plain(GAP) })
        .split('\n')[1]!
        .split(GAP)[1]!,
    ];
    const read = [...h.chat.inRoom(ROOM), ...h.chat.dmOf(ALICE)].map((m) => h.chat.current(m.eventId));
    for (const line of privateOnly) expect(read.filter((text) => text.includes(line))).toEqual([]);
    // Her private prompt says instead that the room sees her answer.
    expect(h.chat.current(prompt.eventId)).toContain(dmPromptLine(true));
  });

  it('with private answers (the default), the first layer with the prompt each person answers on stays short', async ({
    harness,
  }) => {
    // German is the longer catalogue; the README's figures are these bounds.
    const h = await harness({ consent: { ask: 'direct' }, language: 'de' });
    const { id } = await h.plan(`Weekly sync ${ALICE}`);
    const roomFirstLayer = h.chat.inRoom(ROOM).find((m) => m.text.startsWith(noticeOpening))!;
    expect(roomFirstLayer.text.length).toBeLessThan(1100);
    const dm = h.chat.inRoom(h.app.ctx.stores.meetings.dmPrompt(id, ALICE)!.roomId);
    const firstLayer = dm.find((m) => m.text.startsWith(noticeOpening))!;
    const prompt = h.app.ctx.stores.meetings.dmPrompt(id, ALICE)!.eventId;
    expect(firstLayer.text.length + h.chat.current(prompt).length).toBeLessThan(1600);
  });

  it('with private answers, the first layer in a DM links to the full text posted in that DM, which Alice can open', async ({
    harness,
  }) => {
    const h = await harness({ consent: { ask: 'direct' } });
    const { id } = await h.plan(`Weekly sync ${ALICE}`);
    const dmRoom = h.app.ctx.stores.meetings.dmPrompt(id, ALICE)!.roomId;
    const dm = h.chat.inRoom(dmRoom);
    const full = dm.find((m) => m.text.startsWith(fullNoticeOpening))!;
    const firstLayer = dm.find((m) => m.text.startsWith(noticeOpening))!;
    expect(full.text).toContain(h.app.ctx.notice.text);
    expect(firstLayer.html).toContain(
      `https://matrix.to/#/${encodeURIComponent(dmRoom)}/${encodeURIComponent(full.eventId)}`,
    );
  });

  it('a recording whose deletion an admin asked for gives no playback link, also while BBB has not confirmed it', async ({
    h,
  }) => {
    const { id } = await h.plan(`Sync ${ALICE}`, ORGANIZER, ALICE);
    await joinAs(h, ORGANIZER);
    const recordId = await endAndDiscover(h, id);
    const before = dmLinks(h, ALICE, PLAYBACK).length;
    h.sim.faults.set({ http500: ['deleteRecordings'] });
    await h.say('@admin:test', `!purge #${id}`);
    expect(h.app.ctx.stores.recordings.get(recordId)?.state).toBe('purge-pending');
    await h.say(ALICE, '!recordings');
    await h.app.discovery.discoverAll();
    await h.app.playback.idle();
    expect(dmLinks(h, ALICE, PLAYBACK)).toHaveLength(before);
  });

  it('a playback link that could not reach someone is sent on a later discovery round', async ({ h }) => {
    const { id } = await h.plan(`Sync ${ALICE}`, ORGANIZER, ALICE);
    await joinAs(h, ORGANIZER);
    h.chat.leave(h.app.ctx.stores.state.directRoom(ALICE)!, ALICE);
    h.chat.unreachable.add(ALICE);
    await endAndDiscover(h, id);
    expect(dmLinks(h, ALICE, PLAYBACK)).toEqual([]);
    expect(dmLinks(h, ORGANIZER, PLAYBACK)).toHaveLength(1);
    h.chat.unreachable.delete(ALICE);
    await h.app.discovery.discoverAll();
    await h.app.playback.idle();
    expect(dmLinks(h, ALICE, PLAYBACK)).toHaveLength(1);
    expect(dmLinks(h, ORGANIZER, PLAYBACK)).toHaveLength(1);
  });

  it('the playback link goes to a new DM room when the person left the old one', async ({ h }) => {
    const { id } = await h.plan(`Sync ${ALICE}`, ORGANIZER, ALICE);
    await joinAs(h, ORGANIZER);
    const first = h.app.ctx.stores.state.directRoom(ALICE)!;
    h.chat.leave(first, ALICE);
    await endAndDiscover(h, id);
    const second = h.app.ctx.stores.state.directRoom(ALICE)!;
    expect(second).not.toBe(first);
    expect(h.chat.inRoom(second).filter((m) => PLAYBACK.test(m.text))).toHaveLength(1);
    expect(h.chat.inRoom(first).filter((m) => PLAYBACK.test(m.text))).toHaveLength(0);
  });

  it('!notice reaches a person who left their DM room, and says so in the room when no DM can', async ({
    h,
  }) => {
    await h.say(BOB, '!notice');
    const first = h.app.ctx.stores.state.directRoom(BOB)!;
    h.chat.leave(first, BOB);
    await h.say(BOB, '!notice');
    const second = h.app.ctx.stores.state.directRoom(BOB)!;
    expect(second).not.toBe(first);
    expect(h.chat.inRoom(second).some((m) => m.text.includes(h.app.ctx.notice.text))).toBe(true);
    h.chat.leave(second, BOB);
    h.chat.unreachable.add(BOB);
    await h.say(BOB, '!notice');
    expect(lastReply(h)).not.toBe(said(t.noticeSent));
    expect(lastReply(h)).not.toBe(said(t.internalError));
  });
});

const promptDefaults = {
  id: 1,
  title: '',
  organizer: { text: '', html: '', mentions: [] },
  when: null,
  prefix: '!',
  closedNote: null,
  namesShown: false,
};

/** The first layer's line about who sees an answer, for private answers. */
function firstLayerLine(ask: 'direct' | 'room'): string {
  const p = {
    title: '',
    version: '',
    controller: 'C',
    contact: 'K',
    bbbProvider: 'P',
    recordingDays: 30,
    prefix: '!',
    fullText: '',
    ask,
    namesShown: false,
    botDeletes: true,
  };
  const lines = said(t.noticeFirstLayer(p)).split('\n');
  const other = said(t.noticeFirstLayer({ ...p, ask: ask === 'direct' ? 'room' : 'direct' })).split('\n');
  const line = lines.find((l) => !other.includes(l));
  if (!line) throw new Error('no line about who sees an answer');
  return line.replace(/^\W+/, '');
}
