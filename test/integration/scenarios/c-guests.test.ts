// Audit c (design.md §3.11): guests through the real HTTP listener, as a guest and the people around
// them would meet it: a fresh link at each click after the session changed, a guest invited to a
// recorded meeting under way, withdrawing at any time, answers fixed at opening, equal buttons, a
// restart between opening the page and clicking, and what the log and the page never show.
import { afterEach, describe, expect, it } from 'vitest';
import { Reminders } from '../../../src/app/reminders.js';
import { type HttpListener, startHttpServer } from '../../../src/http/server.js';
import { guestPageText } from '../../../src/i18n/guest-page.js';
import { formatDateTime } from '../../../src/i18n/index.js';
import { join } from '../../../src/i18n/rich.js';
import {
  ADMIN,
  ALICE,
  BOB,
  createHarness,
  type Harness,
  ORGANIZER,
  ROOM,
} from '../../support/app-harness.js';
import { around, notAllowed, said, t, withdrawalOf } from '../../support/catalogue.js';
import { GuestWeb, guestLinksIn, organizersGuest } from '../../support/guest-web.js';
import { logSink } from '../../support/log-sink.js';
import {
  currentSession,
  dmLinks,
  endAndDiscover,
  everyRow,
  joinAs,
  joinLinks,
  lastMeetingId,
  lastRoomText,
} from '../recordings/support.js';

const de = guestPageText.de;
const HTTP = { http: { enabled: true, port: 0, publicUrl: 'https://bot.example.org/' } };

let h: Harness;
let server: HttpListener | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
  await h.close();
});

async function listen(): Promise<void> {
  await server?.close();
  server = await startHttpServer(h.app, { lastSyncAt: () => null });
}

/** The organizer's newest guest link, as a page the guest opens on the listener. */
const newestGuest = (): GuestWeb => organizersGuest(h, server!.url);

async function plannedWithGuest(invitees = `${ALICE}`, options = {}) {
  h = await createHarness({ ...HTTP, ...options });
  await listen();
  await h.say(ORGANIZER, `!meeting Weekly sync ${invitees} --guest "Erika Muster"`);
  const meetingId = lastMeetingId(h);
  const guestId = h.app.ctx.stores.guests.ofMeeting(meetingId)[0]!.id;
  return { meetingId, guest: newestGuest(), guestId };
}

const ledger = (meetingId: number, userId: string) =>
  h.app.ctx.stores.meetings
    .consentEvents(meetingId)
    .filter((e) => e.userId === userId)
    .map((e) => e.kind);

describe('the join button makes a fresh link at each click', () => {
  it('after a withdrawal replaced the recorded session, the next click leads into the new one; the old link is refused', async () => {
    const { meetingId, guest } = await plannedWithGuest(`${ALICE} ${BOB}`);
    await guest.click('answer', { answer: 'agree' });
    await h.agree(h.promptOf(meetingId), ORGANIZER, ALICE, BOB);
    const recorded = currentSession(h, meetingId);
    expect(recorded.record).toBe(true);
    const first = (await guest.click('join')).location!;
    expect((await h.sim.simulateJoin(first)).ok).toBe(true);

    await h.say(BOB, '!withdraw');
    const unrecorded = currentSession(h, meetingId);
    expect(unrecorded.id).not.toBe(recorded.id);
    expect(unrecorded.record).toBe(false);
    expect((await guest.open()).body).toContain(de.meetingState('open', false));

    const second = new URL((await guest.click('join')).location!);
    expect(second.searchParams.get('meetingID')).toBe(unrecorded.bbbMeetingId);
    expect(second.searchParams.get('createTime')).toBe(unrecorded.createTime);
    expect((await h.sim.simulateJoin(second.toString())).ok).toBe(true);
    expect((await h.sim.simulateJoin(first)).ok).toBe(false);
  });
});

describe('a guest invited to a recorded meeting under way', () => {
  it('gets no link before agreeing; after ✅ the join button leads into the recorded session', async () => {
    h = await createHarness(HTTP);
    await listen();
    const { id } = await h.plan(`Weekly sync ${ALICE}`, ORGANIZER, ALICE);
    const recorded = currentSession(h, id);
    expect(recorded.record).toBe(true);
    await h.say(ORGANIZER, '!invite --guest "Max Gast"');
    const guest = newestGuest();

    const page = await guest.open();
    expect(page.body).toContain(de.agree);
    const refused = await guest.click('join');
    expect(refused.status).toBe(303);
    expect(refused.location).toMatch(/done=unchanged/);
    expect(refused.location).not.toMatch(/\/join\?/);

    await guest.click('answer', { answer: 'agree' });
    const join = new URL((await guest.click('join')).location!);
    expect(join.searchParams.get('meetingID')).toBe(recorded.bbbMeetingId);
    expect(currentSession(h, id).id).toBe(recorded.id);
  });

  it('their ❌ ends the recorded session and opens an unrecorded one for everyone, them included', async () => {
    h = await createHarness(HTTP);
    await listen();
    const { id } = await h.plan(`Weekly sync ${ALICE}`, ORGANIZER, ALICE);
    const recorded = currentSession(h, id);
    await h.say(ORGANIZER, '!invite --guest "Max Gast"');
    const guest = newestGuest();
    const before = joinLinks(h, ALICE).length;

    await guest.click('answer', { answer: 'decline' });
    expect(h.sim.sessions().find((s) => s.meetingID === recorded.bbbMeetingId)?.ended).toBe(true);
    const next = currentSession(h, id);
    expect(next.record).toBe(false);
    expect(joinLinks(h, ALICE)).toHaveLength(before + 1);
    const join = new URL((await guest.click('join')).location!);
    expect(join.searchParams.get('meetingID')).toBe(next.bbbMeetingId);
  });
});

describe('an admin withdraws for a guest who asked informally (by mail to the contact)', () => {
  it('before opening: stored with the admin as actor, the meeting opens unrecorded; others are refused', async () => {
    const { meetingId, guest, guestId } = await plannedWithGuest();
    await guest.click('answer', { answer: 'agree' });

    await h.say(ALICE, '!withdraw --guest "Erika Muster"');
    expect(lastRoomText(h)).toBe(notAllowed(t.whoAdmin));
    await h.say(ADMIN, '!withdraw --guest "Max Muster"');
    expect(lastRoomText(h)).toBe(said(t.withdrawNothingFor('Max Muster')));
    expect(ledger(meetingId, guestId)).toEqual(['agree']);

    await h.say(ADMIN, '!withdraw --guest "erika muster"');
    expect(ledger(meetingId, guestId)).toEqual(['agree', 'withdraw']);
    const entry = h.app.ctx.stores.meetings.consentEvents(meetingId).at(-1)!;
    expect(entry).toMatchObject({ userId: guestId, kind: 'withdraw', actorId: ADMIN });
    expect((await guest.open()).body).toContain(de.yourAnswer.withdrawn);
    await h.agree(h.promptOf(meetingId), ORGANIZER, ALICE);
    expect(currentSession(h, meetingId).record).toBe(false);
  });

  it('during the recorded session: it ends and an unrecorded one opens, as when the guest withdraws on the page', async () => {
    const { meetingId, guest } = await plannedWithGuest();
    await guest.click('answer', { answer: 'agree' });
    await h.agree(h.promptOf(meetingId), ORGANIZER, ALICE);
    const recorded = currentSession(h, meetingId);
    expect(recorded.record).toBe(true);

    await h.say(ADMIN, `!withdraw --guest "Erika Muster" #${meetingId}`);
    expect(h.sim.sessions().find((s) => s.meetingID === recorded.bbbMeetingId)?.ended).toBe(true);
    expect(currentSession(h, meetingId).record).toBe(false);
  });
  it('a guest of that name in two meetings of the room: asks which, and withdraws nobody until told', async () => {
    const { meetingId: first, guestId } = await plannedWithGuest();
    await h.say(ORGANIZER, `!meeting Retro ${ALICE} --guest "Erika Muster"`);
    const second = lastMeetingId(h);
    const otherErika = h.app.ctx.stores.guests.ofMeeting(second)[0]!.id;

    await h.say(ADMIN, '!withdraw --guest "Erika Muster"');
    const asked = lastRoomText(h);
    expect(asked).toContain(around((x) => t.ambiguousMeeting(join([x])))[0]);
    expect(asked).toContain(said(t.meetingRef(first, 'Weekly sync')));
    expect(asked).toContain(said(t.meetingRef(second, 'Retro')));
    expect(ledger(first, guestId)).toEqual([]);
    expect(ledger(second, otherErika)).toEqual([]);

    await h.say(ADMIN, `!withdraw --guest "Erika Muster" #${second}`);
    expect(ledger(first, guestId)).toEqual([]);
    expect(ledger(second, otherErika)).toEqual(['withdraw']);
  });
});

describe('withdrawing from the page at any time', () => {
  it('before opening: the meeting opens unrecorded; agreeing again before opening makes it recorded', async () => {
    const { meetingId, guest, guestId } = await plannedWithGuest();
    await guest.click('answer', { answer: 'agree' });
    expect((await guest.open()).body).toContain(de.withdraw);
    expect((await guest.click('withdraw')).location).toMatch(/done=withdraw/);
    expect((await guest.open()).body).toContain(de.yourAnswer.withdrawn);
    await guest.click('answer', { answer: 'agree' });
    expect(ledger(meetingId, guestId)).toEqual(['agree', 'withdraw', 'agree']);
    await h.agree(h.promptOf(meetingId), ORGANIZER, ALICE);
    expect(currentSession(h, meetingId).record).toBe(true);
  });

  it('during the recorded session: BBB ends it, an unrecorded one opens, the guest can still join', async () => {
    const { meetingId, guest, guestId } = await plannedWithGuest();
    await guest.click('answer', { answer: 'agree' });
    await h.agree(h.promptOf(meetingId), ORGANIZER, ALICE);
    const recorded = currentSession(h, meetingId);
    expect(recorded.record).toBe(true);
    const aliceLinks = joinLinks(h, ALICE).length;

    expect((await guest.click('withdraw')).location).toMatch(/done=withdraw/);
    expect(h.sim.sessions().find((s) => s.meetingID === recorded.bbbMeetingId)?.ended).toBe(true);
    expect(currentSession(h, meetingId).record).toBe(false);
    expect(joinLinks(h, ALICE)).toHaveLength(aliceLinks + 1);
    expect(ledger(meetingId, guestId)).toEqual(['agree', 'withdraw']);
    // Told in the meeting's room like anyone's withdrawal.
    expect(h.chat.inRoom(ROOM).some((m) => m.text.startsWith(withdrawalOf('Erika Muster')))).toBe(true);
    const page = await guest.open();
    expect(page.body).not.toContain(`value="agree"`);
    expect((await h.sim.simulateJoin((await guest.click('join')).location!)).ok).toBe(true);
  });
});

describe('answers and the page', () => {
  it('an answer posted after opening changes nothing (the page no longer offers it); withdrawing does', async () => {
    const { meetingId, guest, guestId } = await plannedWithGuest();
    await guest.click('answer', { answer: 'agree' });
    await h.agree(h.promptOf(meetingId), ORGANIZER, ALICE);
    const recorded = currentSession(h, meetingId);
    const posted = await guest.click('answer', { answer: 'decline' });
    expect(posted.location).toMatch(/done=unchanged/);
    expect(ledger(meetingId, guestId)).toEqual(['agree']);
    expect(currentSession(h, meetingId).id).toBe(recorded.id);
    expect(h.sim.sessions().find((s) => s.meetingID === recorded.bbbMeetingId)?.ended).toBe(false);
  });

  it('agree and decline are equal buttons: the same element, form and look, only value and label differ', async () => {
    const { guest } = await plannedWithGuest();
    const page = (await guest.open()).body;
    const buttons = [...page.matchAll(/<button([^>]*)>([^<]*)<\/button>/g)];
    const agree = buttons.find((b) => b[2] === de.agree)?.[1] ?? '';
    const decline = buttons.find((b) => b[2] === de.decline)?.[1] ?? '';
    expect(agree).toContain('value="agree"');
    expect(agree.replace('"agree"', '"x"')).toBe(decline.replace('"decline"', '"x"'));
    // Side by side in one form, agree not preselected or styled apart.
    const form = /<form[^>]*answer[^>]*>[\s\S]*?<\/form>/.exec(page)![0];
    expect(form).toContain(de.agree);
    expect(form).toContain(de.decline);
    expect(agree).not.toMatch(/class=|autofocus|style=/);
  });

  it('a page opened before a restart still takes the answer after it', async () => {
    const { meetingId, guest, guestId } = await plannedWithGuest();
    const csrf = GuestWeb.csrfOf((await guest.open()).body);
    await server!.close();
    server = undefined;
    await h.restartAndReconcile();
    await listen();
    const again = new GuestWeb(server!.url, `https://bot.example.org${guest.path}`);
    // The same browser: its cookie from before the restart, the form as it was served then.
    Object.assign(again, { cookie: (guest as unknown as { cookie: string }).cookie });
    const posted = await again.post('answer', { _csrf: csrf, lang: 'de', answer: 'agree' });
    expect(posted.status).toBe(303);
    expect(ledger(meetingId, guestId)).toEqual(['agree']);
  });

  it('an answer given on the English page is tied to the English first layer the guest read', async () => {
    const { meetingId, guest, guestId } = await plannedWithGuest();
    const page = await guest.open('?lang=en');
    expect(page.body).toContain(guestPageText.en.agree);
    await guest.post('answer', { _csrf: GuestWeb.csrfOf(page.body), lang: 'en', answer: 'agree' });
    const [entry] = h.app.ctx.stores.meetings.consentEvents(meetingId).filter((e) => e.userId === guestId);
    const stored = h.app.ctx.stores.db.$client
      .prepare('select text, language from consent_texts where sha256 = ?')
      .get(entry!.consentTextSha256) as { text: string; language: string };
    expect(stored.language).toBe('en');
    const version = h.app.ctx.stores.meetings.get(meetingId)!.noticeSha256.slice(0, 12);
    expect(stored.text).toContain(guestPageText.en.firstLayerHeading(version));
    expect(stored.text).not.toContain(de.firstLayerHeading(version));
  });

  it('hostile query values do not reach the page as markup', async () => {
    const { guest } = await plannedWithGuest();
    const page = await guest.open('?lang=%22%3E%3Cscript%3Ealert(1)%3C/script%3E&done=%3Cscript%3E');
    expect(page.status).toBe(200);
    expect(page.body).not.toContain('<script');
  });

  it('the guest link appears in no log line, whatever the guest does', async () => {
    const sink = logSink('trace');
    h = await createHarness(HTTP, { log: sink.log });
    await listen();
    await h.say(ORGANIZER, `!meeting Weekly sync ${ALICE} --guest "Erika Muster"`);
    const guest = newestGuest();
    const token = guest.path.split('/').at(-1)!;
    await guest.click('answer', { answer: 'agree' });
    await h.agree(h.promptOf(lastMeetingId(h)), ORGANIZER, ALICE);
    await guest.click('join');
    await guest.click('withdraw');
    await guest.post('answer', { answer: 'agree' }); // forged: no anti-forgery token
    expect(sink.lines.length).toBeGreaterThan(5);
    expect(sink.out()).not.toContain(token);
    // Nor the guest's address (README: kept in memory for the rate limits only, written nowhere).
    const aboutRequests = sink.records().filter((r) => r.msg !== 'http listener started');
    expect(JSON.stringify(aboutRequests)).not.toContain('127.0.0.1');
    expect(everyRow(h).filter(({ row }) => row.includes('127.0.0.1'))).toEqual([]);
  });
});

describe('what a guest gets, and what not', () => {
  it('the page names the organizer and the time of a scheduled meeting, and lets forms go only to the bot and BBB', async () => {
    h = await createHarness(HTTP);
    await listen();
    await h.say(ORGANIZER, `!meeting Planning ${ALICE} --at "2026-12-01 15:00" --guest "Erika Muster"`);
    const meeting = h.app.ctx.stores.meetings.get(lastMeetingId(h))!;
    const page = await newestGuest().open();
    expect(page.body).toContain('Olga');
    expect(page.body).toContain(formatDateTime('de', h.config.timezone, meeting.scheduledAt!));
    const csp = page.headers.get('content-security-policy') ?? '';
    const formAction = /form-action ([^;]*)/.exec(csp)?.[1] ?? '';
    expect(formAction).toContain("'self'");
    expect(formAction.split(' ').filter((s) => s !== "'self'")).toEqual([new URL(h.sim.url).origin]);
  });

  it('a --no-record meeting asks the guest nothing either: no agree or decline on the page, a posted answer is not stored', async () => {
    h = await createHarness(HTTP);
    await listen();
    await h.say(
      ORGANIZER,
      `!meeting Planning ${ALICE} --no-record --at "2026-12-01 15:00" --guest "Erika Muster"`,
    );
    const id = lastMeetingId(h);
    const guestId = h.app.ctx.stores.guests.ofMeeting(id)[0]!.id;
    const guest = newestGuest();
    const page = await guest.open();
    expect(page.body).not.toContain('value="agree"');
    expect(page.body).not.toContain('value="decline"');
    // It says so, instead of "you have not answered yet".
    expect(page.body).toContain(guestPageText.de.noRecording);
    expect(page.body).not.toContain(guestPageText.de.yourAnswer.pending);
    h.clock.advance(6 * 60 * 60_000);
    await h.app.tick();
    expect(currentSession(h, id).record).toBe(false);
    const open = await guest.open();
    expect(open.body).not.toContain('value="agree"');
    // An answer posted anyway (with the page's valid anti-forgery token) is not stored.
    const posted = await guest.post('answer', { _csrf: GuestWeb.csrfOf(open.body), answer: 'agree' });
    expect(posted.location).toMatch(/done=unchanged/);
    expect(ledger(id, guestId)).toEqual([]);
    expect((await h.sim.simulateJoin((await guest.click('join')).location!)).ok).toBe(true);
  });

  it('no playback link and no DM room for a guest who agreed; the Matrix invitees who agreed get theirs', async () => {
    const { meetingId, guest, guestId } = await plannedWithGuest();
    await guest.click('answer', { answer: 'agree' });
    await h.agree(h.promptOf(meetingId), ORGANIZER, ALICE);
    await joinAs(h, ORGANIZER);
    await endAndDiscover(h, meetingId);
    const PLAYBACK = /https?:\/\/\S+\/playback\/\S+/;
    expect(dmLinks(h, ALICE, PLAYBACK)).toHaveLength(1);
    expect(dmLinks(h, ORGANIZER, PLAYBACK)).toHaveLength(1);
    expect(h.chat.directRooms.map((d) => d.userId)).not.toContain(guestId);
    expect((await guest.open()).body).not.toMatch(PLAYBACK);
  });

  it('a reminder before the meeting mentions no guest, and no DM is tried for one', async () => {
    for (const ask of ['room', 'direct'] as const) {
      h = await createHarness({ ...HTTP, consent: { ask }, reminders: { minutesBefore: 10 } });
      await listen();
      await h.say(ORGANIZER, `!meeting Later ${ALICE} --at "2026-12-01 11:00" --guest "Erika Muster"`);
      const guestId = h.app.ctx.stores.guests.ofMeeting(lastMeetingId(h))[0]!.id;
      h.clock.advance(50 * 60_000);
      expect(await new Reminders(h.app.ctx).run()).toBe(1);
      const reminders = h.chat.messages.filter((m) => m.text.startsWith('⏰'));
      expect(reminders.length, ask).toBeGreaterThanOrEqual(1);
      for (const m of reminders) expect(m.mentions, ask).not.toContain(guestId);
      expect(
        h.chat.directRooms.map((d) => d.userId),
        ask,
      ).not.toContain(guestId);
      if (ask === 'room') {
        await server?.close();
        server = undefined;
        await h.close();
      }
    }
  });
});

describe('faults around a guest', () => {
  it('an organizer no DM can reach is told so, and no guest is stored whose link nobody could ever forward', async () => {
    h = await createHarness(HTTP);
    await listen();
    h.chat.unreachable.add(ORGANIZER);
    await h.say(ORGANIZER, `!meeting Sync ${ALICE} --guest "Erika Muster"`);
    const refusal = h.chat.inRoom(ROOM).at(-1)!.text;
    expect(refusal).not.toBe(said(t.internalError));
    expect(h.app.ctx.stores.meetings.inRoom(ROOM)).toEqual([]);
    expect(h.app.ctx.stores.db.$client.prepare('select count(*) as n from guests').get()).toEqual({ n: 0 });

    // The same for !invite --guest to a meeting under way; the meeting itself stays as it was.
    h.chat.unreachable.delete(ORGANIZER);
    await h.say(ORGANIZER, `!meeting Sync ${ALICE}`);
    const id = lastMeetingId(h);
    h.chat.leave(h.app.ctx.stores.state.directRoom(ORGANIZER) ?? '', ORGANIZER);
    h.chat.unreachable.add(ORGANIZER);
    await h.say(ORGANIZER, '!invite --guest "Max Gast"');
    expect(h.chat.inRoom(ROOM).at(-1)!.text).toBe(refusal);
    expect(h.app.ctx.stores.meetings.invitees(id)).toHaveLength(2);
  });

  it('while BBB has not confirmed the end of the recorded session, the join button leads only into the unrecorded one', async () => {
    const { meetingId, guest } = await plannedWithGuest();
    await guest.click('answer', { answer: 'agree' });
    await h.agree(h.promptOf(meetingId), ORGANIZER, ALICE);
    const recorded = currentSession(h, meetingId);
    h.sim.faults.set({ http500: ['end'] });
    await h.say(ALICE, '!withdraw');
    expect(h.app.ctx.stores.meetings.session(recorded.id)?.state).toBe('ending');
    const next = currentSession(h, meetingId);
    expect(next.record).toBe(false);
    for (let click = 0; click < 2; click++) {
      const join = new URL((await guest.click('join')).location!);
      expect(join.searchParams.get('meetingID')).toBe(next.bbbMeetingId);
      h.sim.faults.clear();
      await h.app.tick(); // BBB confirms the end now
    }
    expect(h.app.ctx.stores.meetings.session(recorded.id)?.state).toBe('ended');
  });

  it('guests count against the invitee cap, when planning and with !invite --guest', async () => {
    h = await createHarness({ ...HTTP, limits: { maxInvitees: 3 } });
    await listen();
    await h.say(ORGANIZER, `!meeting Sync ${ALICE} --guest "A" --guest "B"`);
    expect(h.app.ctx.stores.meetings.inRoom(ROOM)).toEqual([]);
    expect(h.chat.dmOf(ORGANIZER)).toEqual([]);
    await h.say(ORGANIZER, `!meeting Sync ${ALICE} --guest "A"`);
    const id = lastMeetingId(h);
    await h.say(ORGANIZER, '!invite --guest "B"');
    expect(h.app.ctx.stores.meetings.invitees(id)).toHaveLength(3);
    expect(guestLinksIn(h.chat.dmOf(ORGANIZER).map((m) => m.text))).toHaveLength(1);
  });

  it('an !invite that is refused adds no guest either: someone not in the room, or one too many', async () => {
    h = await createHarness({ ...HTTP, limits: { maxInvitees: 3 } });
    await listen();
    await h.say(ORGANIZER, `!meeting Sync ${ALICE}`);
    const id = lastMeetingId(h);
    await h.say(ORGANIZER, '!invite @nobody:test --guest "Max Gast"');
    expect(h.chat.inRoom(ROOM).at(-1)?.text).toContain(t.unknownUsers('@nobody:test'));
    await h.say(ORGANIZER, `!invite ${BOB} --guest "Max Gast"`);
    expect(h.chat.inRoom(ROOM).at(-1)?.text).toContain(t.tooManyForMeeting('Sync', 2, 2, 3));
    expect(h.app.ctx.stores.meetings.invitees(id)).toHaveLength(2);
    expect(guestLinksIn(h.chat.dmOf(ORGANIZER).map((m) => m.text))).toEqual([]);
  });
});
