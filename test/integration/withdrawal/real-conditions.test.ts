// Regression tests for issue #20: the consent guarantee in real conditions (downtime, keys the bot
// lost, a slow BBB, hostile display names, late invitees who decline). Each runs the real app on a
// SQLite file against the BBB simulator over HTTP and the in-memory chat port.
import { describe, expect } from 'vitest';
import type { BbbPort } from '../../../src/app/ports.js';
import { catalogue } from '../../../src/i18n/index.js';
import { ADMIN, ALICE, BOB, DAVE, type Harness, ORGANIZER, ROOM } from '../../support/app-harness.js';
import { tallyCount } from '../../support/catalogue.js';
import { it } from '../../support/fixtures.js';
import {
  currentSession,
  endAndDiscover,
  joinedRecordedMeeting,
  joinLinks,
  recordedMeetingWithRecording,
  simState,
} from '../recordings/support.js';

const de = catalogue('de');
const withdrawals = (h: Harness, id: number) =>
  h.app.ctx.stores.meetings.consentEvents(id).filter((e) => e.kind === 'withdraw' || e.kind === 'reset');
const toldAdmins = (h: Harness) =>
  h.chat.dmOf(ADMIN).filter((m) => m.text.includes(de.unreadableAnswersIntro));

describe('defect 2: an answer the bot cannot read is unknown, never a removal', () => {
  it('after a lost key store every reaction is unreadable: nothing changes, admins are told once', async ({
    h,
  }) => {
    const { id: recorded, session } = await joinedRecordedMeeting(h);
    const { id: ended } = await joinedRecordedMeeting(h, 'Retro');
    const recordId = await endAndDiscover(h, ended);
    const { id: collecting } = await h.plan(`Planning ${ALICE} ${BOB}`, ALICE);
    // The bot comes back on a new device: every reaction it stored is still there but unreadable.
    await h.restartAndReconcile(() => {
      for (const r of h.chat.reactions) h.chat.unreadable.add(r.eventId);
    });
    await h.app.tick();

    for (const id of [recorded, ended, collecting]) expect(withdrawals(h, id)).toEqual([]);
    expect(h.sim.sessions().find((s) => s.meetingID === session.bbbMeetingId)?.ended).toBe(false);
    expect(currentSession(h, recorded).record).toBe(true);
    expect(simState(h, recordId)).toBe('published');
    expect(h.answerOf(collecting, ALICE)).toBe('agreed');
    const told = toldAdmins(h);
    expect(told).toMatchObject([{ text: expect.stringContaining('Weekly sync') }]);
    expect(told[0]?.text).toContain('Planning');

    // A second restart in the same condition does not tell them again.
    await h.restartAndReconcile();
    expect(toldAdmins(h)).toHaveLength(1);
  });

  it('a reaction missing from the relations without a redaction the homeserver confirms is no withdrawal', async ({
    h,
  }) => {
    const { id } = await joinedRecordedMeeting(h);
    const aliceReaction = h.chat.reactions.findIndex((r) => r.eventId === h.agreementOf(id, ALICE));
    // Not listed, and the homeserver names no redactor (e.g. the event cannot be fetched).
    await h.restartAndReconcile(() => h.chat.reactions.splice(aliceReaction, 1));
    await h.app.tick();
    expect(withdrawals(h, id)).toEqual([]);
    expect(h.sim.sessions()).toMatchObject([{ ended: false }]);
  });

  it('a ✅ its sender redacted while the bot was down is still a withdrawal', async ({ h }) => {
    const { id } = await joinedRecordedMeeting(h);
    const aliceReaction = h.agreementOf(id, ALICE);
    await h.restartAndReconcile(() => h.chat.removeReaction(aliceReaction, ALICE));
    await h.app.tick();
    expect(withdrawals(h, id).map((e) => e.kind)).toEqual(['withdraw']);
  });
});

describe('defect 4: a display name cannot forge the tally', () => {
  // The tally's own words, as Bob could type them into his display name.
  const forgedLine = `${tallyCount('agreed', 2)}: Alice, Bob`;
  const FORGED = `Mallory\n${forgedLine}\u202e<b>x</b>\u200b`;

  it('is shown escaped, on one line, without control, bidi or zero-width characters, in every message', async ({
    h,
  }) => {
    h.chat.names.set(BOB, FORGED);
    const { id } = await h.plan(`Sync ${ALICE} ${BOB}`, BOB);
    await h.say(BOB, '!withdraw');
    await h.say(ORGANIZER, '!status');
    const sent = h.chat.messages.flatMap((m) => [m, ...m.edits]);
    const withName = sent.filter((m) => m.text.includes('Mallory'));
    expect(withName.length).toBeGreaterThan(2);
    for (const m of withName) {
      expect(m.text).toContain(`Mallory ${forgedLine}<b>x</b>`);
      expect(m.html).not.toMatch(/Mallory<br>/);
      expect(m.html).not.toContain('<b>x</b>');
      expect(m.text + m.html).not.toMatch(/[\u202e\u200b]/);
    }
    // The evidence keeps the cleaned name too.
    const invitee = h.app.ctx.stores.meetings.invitees(id).find((i) => i.userId === BOB);
    expect(invitee?.displayName).toBe(`Mallory ${forgedLine}<b>x</b>`);
  });

  it('a title is one line without invisible characters', async ({ h }) => {
    const { id } = await h.plan(`"Sync\u202e\u200b  now" ${ALICE}`);
    expect(h.app.ctx.stores.meetings.get(id)?.title).not.toMatch(/[\u202e\u200b]| {2}/);
  });
});

describe('defect 3: !recordings checks consent at sending time', () => {
  const PLAYBACK = /https?:\/\/\S+\/playback\/presentation\/2\.3\/\S+/;
  const links = (h: Harness, userId: string) => h.chat.dmOf(userId).filter((m) => PLAYBACK.test(m.text));

  it('a withdrawal stored while BBB is asked for the URLs stops the link', async ({ harness }) => {
    // BBB's answer to `getRecordings` arrives late once: in between, Alice withdraws.
    let meanwhile: (() => Promise<unknown>) | null = null;
    const slowOnce = (bbb: BbbPort): BbbPort =>
      new Proxy(bbb, {
        get(target, prop, receiver) {
          const value = Reflect.get(target, prop, receiver);
          if (prop !== 'getRecordings') return typeof value === 'function' ? value.bind(target) : value;
          return async (...args: Parameters<BbbPort['getRecordings']>) => {
            const before = meanwhile;
            meanwhile = null;
            const answer = await target.getRecordings(...args);
            await before?.();
            return answer;
          };
        },
      });
    const h = await harness({}, { decorate: slowOnce });
    const { recordId } = await recordedMeetingWithRecording(h);
    const bobBefore = links(h, BOB).length;
    meanwhile = () => h.say(ALICE, '!withdraw');
    await h.say(BOB, '!recordings');
    expect(meanwhile).toBeNull();
    expect(simState(h, recordId)).toBe('deleted');
    expect(links(h, BOB)).toHaveLength(bobBefore);
  });
});

describe('defect 5: a late invitee who declines takes part unrecorded', () => {
  it('his ❌ ends the recorded session, opens an unrecorded one, and everyone, he included, gets a link', async ({
    h,
  }) => {
    h.chat.members.get(ROOM)?.add(DAVE);
    const { id, session: recorded } = await joinedRecordedMeeting(h);
    await h.say(ORGANIZER, `!invite #${id} ${DAVE}`);
    // The prompt names both choices and what each does.
    const asked = h.chat.inRoom(ROOM).find((m) => m.text.includes('❌') && m.mentions.includes(DAVE));
    expect(asked?.text).toContain('✅');
    expect(joinLinks(h, DAVE)).toEqual([]);
    const before = Object.fromEntries([ORGANIZER, ALICE, BOB].map((u) => [u, joinLinks(h, u).length]));

    await h.react(DAVE, h.promptOf(id), '❌');

    expect(h.sim.sessions().find((s) => s.meetingID === recorded.bbbMeetingId)?.ended).toBe(true);
    const next = currentSession(h, id);
    expect(next.id).not.toBe(recorded.id);
    expect(next.record).toBe(false);
    expect(joinLinks(h, DAVE)).toHaveLength(1);
    for (const u of [ORGANIZER, ALICE, BOB]) expect(joinLinks(h, u)).toHaveLength(before[u]! + 1);
    expect(h.chat.inRoom(ROOM).at(-1)?.text).toBe(de.lateDeclineRestarted('Weekly sync').text);
    // A decline, not a withdrawal: nobody withdrew, the ended session's recording is kept.
    expect(withdrawals(h, id)).toEqual([]);
    expect(h.app.ctx.stores.outbox.pending().filter((i) => i.kind === 'purge-recordings')).toEqual([]);
  });
});

describe('defect 1: nothing a person says while the bot is down is lost', () => {
  const MINUTE = 60_000;
  /** A message the bot reads only now, sent `minutesAgo` earlier (homeserver time). */
  async function readLate(h: Harness, sender: string, body: string, minutesAgo: number, content = {}) {
    const eventId = h.chat.nextEventId();
    await h.dispatcher.handle({
      roomId: ROOM,
      sender,
      eventId,
      content: { msgtype: 'm.text', body, ...content },
      sentAt: h.clock.now() - minutesAgo * MINUTE,
    });
    await h.app.prompts.flush();
    return eventId;
  }
  const replyTo = (h: Harness, eventId: string) => h.chat.inRoom(ROOM).find((m) => m.replyTo === eventId);

  it('a !withdraw read 11 minutes after it was sent is carried out, and the answer says when it arrived', async ({
    h,
  }) => {
    const { meetingId, recordId } = await recordedMeetingWithRecording(h);
    const sentAt = h.clock.now() - 11 * MINUTE;
    const eventId = await readLate(h, BOB, '!withdraw', 11);
    expect(simState(h, recordId)).toBe('deleted');
    expect(withdrawals(h, meetingId).map((e) => [e.userId, e.kind])).toEqual([[BOB, 'withdraw']]);
    expect(replyTo(h, eventId)?.text).toContain(de.receivedAt(h.app.ctx.dateTime(sentAt)).text);
  });

  it('an organizer command read 11 minutes late is answered, not carried out', async ({ h }) => {
    const { id } = await h.plan(`Sync ${ALICE} ${BOB}`);
    const sentAt = h.clock.now() - 11 * MINUTE;
    const eventId = await readLate(h, ORGANIZER, '!start', 11);
    expect(h.app.ctx.stores.meetings.get(id)?.state).toBe('collecting');
    expect(h.sim.sessions()).toHaveLength(0);
    expect(replyTo(h, eventId)?.text).toBe(
      de.receivedWhileOffline('!start', h.app.ctx.dateTime(sentAt)).text,
    );
    // Within the limit it is carried out as usual.
    await readLate(h, ORGANIZER, '!start', 3);
    expect(h.app.ctx.stores.meetings.get(id)?.state).toBe('open');
  });

  it('the limit is configurable', async ({ harness }) => {
    const h = await harness({ matrix: { commandMaxAgeMinutes: 2 } });
    const { id } = await h.plan(`Sync ${ALICE} ${BOB}`);
    await readLate(h, ORGANIZER, '!cancel', 3);
    expect(h.app.ctx.stores.meetings.get(id)?.state).toBe('collecting');
  });

  it('a message edited into a command is answered that edits are not read', async ({ h }) => {
    const { id } = await h.plan(`Sync ${ALICE} ${BOB}`);
    const eventId = await readLate(h, ORGANIZER, '* !cancel', 0, {
      'm.new_content': { msgtype: 'm.text', body: '!cancel' },
      'm.relates_to': { rel_type: 'm.replace', event_id: '$original' },
    });
    expect(h.app.ctx.stores.meetings.get(id)?.state).toBe('collecting');
    expect(replyTo(h, eventId)?.text).toBe(de.editsNotRead('!cancel').text);
  });
});

describe('found by the property test (I5): an invitee added after the meeting is over', () => {
  it('is not added, so their !withdraw cannot delete what everyone else agreed to', async ({ h }) => {
    h.chat.members.get(ROOM)?.add(DAVE);
    const { meetingId, recordId } = await recordedMeetingWithRecording(h);
    await h.say(ORGANIZER, `!invite #${meetingId} ${DAVE}`);
    expect(h.chat.inRoom(ROOM).at(-1)?.text).toBe(de.inviteMeetingOver('Weekly sync').text);
    expect(h.app.ctx.stores.meetings.invitees(meetingId).some((i) => i.userId === DAVE)).toBe(false);
    await h.say(DAVE, `!withdraw #${meetingId}`);
    expect(simState(h, recordId)).toBe('published');
    expect(withdrawals(h, meetingId)).toEqual([]);
  });
});
