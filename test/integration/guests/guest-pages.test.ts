// Guests without a Matrix account (design.md §3.11) through the real HTTP listener (Fastify), the real
// application on SQLite, the BBB simulator and the in-memory chat port: inviting, the page, answers
// into the same ledger, the recording rule, joining, withdrawing, anti-forgery, rate limits, pruning.
import { afterEach, describe, expect, it } from 'vitest';
import { buildEvidence } from '../../../src/evidence/report.js';
import { GUEST_RATE_LIMITS } from '../../../src/http/guest/routes.js';
import { type HttpListener, startHttpServer } from '../../../src/http/server.js';
import { guestPageText } from '../../../src/i18n/guest-page.js';
import { catalogue } from '../../../src/i18n/index.js';
import { ALICE, createHarness, type Harness, ORGANIZER } from '../../support/app-harness.js';
import { GuestWeb, guestLinksIn, organizersGuest } from '../../support/guest-web.js';
import { currentSession, DAY, endAndDiscover, lastMeetingId, roomTexts } from '../recordings/support.js';

const de = guestPageText.de;
const t = catalogue('de');
const HTTP = { http: { enabled: true, port: 0, publicUrl: 'https://bot.example.org/meet/' } };

let h: Harness;
let server: HttpListener | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
  await h.close();
});

async function withGuest(
  command = '!meeting Weekly sync @alice:test --guest "Erika Muster"',
  overrides: Record<string, unknown> = {},
): Promise<{ meetingId: number; guest: GuestWeb; guestId: string }> {
  h = await createHarness({ ...HTTP, ...overrides });
  server = await startHttpServer(h.app, { lastSyncAt: () => null });
  await h.say(ORGANIZER, command);
  const meetingId = lastMeetingId(h);
  const [link] = guestLinksIn(h.chat.dmOf(ORGANIZER).map((m) => m.text));
  expect(link).toMatch(/^https:\/\/bot\.example\.org\/meet\/g\//);
  const guestId = h.app.ctx.stores.guests.ofMeeting(meetingId)[0]!.id;
  return { meetingId, guest: organizersGuest(h, server.url, 0), guestId };
}

function ledger(meetingId: number, userId: string) {
  return h.app.ctx.stores.meetings.consentEvents(meetingId).filter((e) => e.userId === userId);
}

describe('inviting guests', () => {
  it('refuses and says what to configure when the listener or its public URL is missing', async () => {
    h = await createHarness();
    await h.say(ORGANIZER, '!meeting Weekly sync --guest "Erika Muster"');
    expect(h.app.ctx.stores.meetings.inStates(['collecting', 'open'])).toEqual([]);
    expect(roomTexts(h).at(-1)).toContain(t.guestsNeedHttp(['http.enabled', 'http.publicUrl']));
  });

  it('gives the organizer a personal link by DM; only its hash is stored; the guest counts as an invitee', async () => {
    const { meetingId, guest, guestId } = await withGuest();
    const token = guest.path.split('/').at(-1)!;
    const stored = h.app.ctx.stores.db.$client.prepare('select * from guests').all();
    expect(stored).toHaveLength(1);
    expect(JSON.stringify(stored)).not.toContain(token);
    expect(Buffer.from(token, 'base64url')).toHaveLength(32); // 256 random bits
    expect(h.app.ctx.stores.meetings.invitees(meetingId).map((i) => i.displayName)).toContain('Erika Muster');
    // The token appears nowhere but in the organizer's DM.
    const elsewhere = h.chat.messages.filter((m) => !h.chat.dmOf(ORGANIZER).includes(m));
    expect(JSON.stringify(elsewhere)).not.toContain(token);
    expect(guestId).toMatch(/^guest:/);
  });

  it('!invite --guest adds a guest to a planned meeting', async () => {
    h = await createHarness(HTTP);
    server = await startHttpServer(h.app, { lastSyncAt: () => null });
    await h.say(ORGANIZER, '!meeting Weekly sync @alice:test');
    const meetingId = lastMeetingId(h);
    await h.say(ORGANIZER, '!invite --guest "Max Mustermann"');
    expect(roomTexts(h).at(-1)).toContain('Max Mustermann');
    expect(guestLinksIn(h.chat.dmOf(ORGANIZER).map((m) => m.text))).toHaveLength(1);
    expect(h.app.ctx.stores.meetings.invitees(meetingId)).toHaveLength(3);
  });
});

describe('the guest page', () => {
  it('shows the meeting, the first layer and the full notice, with strict security headers, in the browser language', async () => {
    const { guest } = await withGuest(
      '!meeting <b>Weekly</b> sync @alice:test --guest "Erika <i>Muster</i>"',
    );
    const page = await guest.open();
    expect(page.status).toBe(200);
    expect(page.body).toContain('&lt;b&gt;Weekly&lt;/b&gt; sync');
    expect(page.body).toContain('Erika &lt;i&gt;Muster&lt;/i&gt;');
    expect(page.body).not.toContain('<b>Weekly');
    for (const text of [de.agree, de.decline, de.storeHeading, de.fullNoticeHeading])
      expect(page.body).toContain(text);
    expect(page.body).not.toMatch(/<script|https?:\/\/(?!bot\.example\.org)[^"\s]*\.(css|js)/);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    // Nothing about other invitees: Alice's name is not on the page.
    expect(page.body).not.toContain('Alice');

    const english = await guest.open('', { 'accept-language': 'en-GB,en;q=0.9,de;q=0.5' });
    expect(english.body).toContain(guestPageText.en.agree);
    expect(english.body).toContain('<html lang="en">');
    const switched = await guest.open('?lang=de', { 'accept-language': 'en' });
    expect(switched.body).toContain('<html lang="de">');
  });

  it('an unknown, malformed or pruned token gets the same plain not-found page', async () => {
    const { guest } = await withGuest();
    const other = new GuestWeb(server!.url, `https://x/g/${'A'.repeat(43)}`);
    for (const page of [await other.open(), await new GuestWeb(server!.url, 'https://x/g/short').open()]) {
      expect(page.status).toBe(404);
      expect(page.body).toContain(de.notFound);
      expect(page.body).not.toContain('Weekly');
    }
    expect((await guest.open()).status).toBe(200);
  });
});

describe('answers from the page', () => {
  it('a guest agrees: the ledger holds it (web, notice, first layer) and the meeting opens recorded once all agreed; the guest joins', async () => {
    const { meetingId, guest, guestId } = await withGuest();
    const done = await guest.click('answer', { answer: 'agree' });
    expect(done.status).toBe(303);
    expect(done.location).toMatch(/done=agree/);
    expect((await guest.open(`?${done.location!.split('?')[1]}`)).body).toContain(de.done.agree);
    const [entry] = ledger(meetingId, guestId);
    expect(entry).toMatchObject({ kind: 'agree', source: 'web', actorId: guestId });
    const meeting = h.app.ctx.stores.meetings.get(meetingId)!;
    expect(entry!.noticeSha256).toBe(meeting.noticeSha256);
    // Tied to the first layer the guest read, stored like a prompt's text.
    const text = h.app.ctx.stores.db.$client
      .prepare('select text from consent_texts where sha256 = ?')
      .get(entry!.consentTextSha256) as { text: string } | undefined;
    expect(text?.text).toContain(de.firstLayerHeading(meeting.noticeSha256.slice(0, 12)));
    expect(meeting.state).toBe('collecting');
    // The evidence report lists the guest's answer like anyone's, with its channel.
    const report = buildEvidence(h.app.ctx.stores.db, { meetingId });
    const listed = report.meetings[0]!.invitees.find((i) => i.userId === guestId);
    expect(listed).toMatchObject({ displayName: 'Erika Muster', finalAnswer: 'agree' });
    expect(listed!.consents).toEqual([
      expect.objectContaining({ answer: 'agree', source: 'web', actor: guestId }),
    ]);

    for (const user of [ORGANIZER, ALICE]) await h.react(user, h.promptOf(meetingId), '✅');
    const session = currentSession(h, meetingId);
    expect(session.record).toBe(true);
    const page = await guest.open();
    expect(page.body).toContain(de.join);
    expect(page.body).not.toContain(de.agree); // answers are fixed once it opened

    const join = await guest.click('join');
    expect(join.status).toBe(303);
    const url = new URL(join.location!);
    expect(url.searchParams.get('fullName')).toBe('Erika Muster');
    expect(url.searchParams.get('role')).toBe('VIEWER');
    expect(url.searchParams.get('createTime')).toBe(session.createTime);
    expect((await h.sim.simulateJoin(join.location!)).ok).toBe(true);
    // No link intent for the guest: their link is made at each click, not sent.
    expect(h.app.ctx.stores.outbox.all().filter((i) => i.userId?.startsWith('guest:'))).toEqual([]);
  });

  it('a guest who declines makes the meeting unrecorded, and still joins', async () => {
    const { meetingId, guest } = await withGuest();
    await guest.click('answer', { answer: 'decline' });
    for (const user of [ORGANIZER, ALICE]) await h.react(user, h.promptOf(meetingId), '✅');
    expect(currentSession(h, meetingId).record).toBe(false);
    const join = await guest.click('join');
    expect(join.status).toBe(303);
    expect((await h.sim.simulateJoin(join.location!)).ok).toBe(true);
  });

  it('the answer can be changed until the meeting opens', async () => {
    const { meetingId, guest, guestId } = await withGuest();
    await guest.click('answer', { answer: 'decline' });
    await guest.click('answer', { answer: 'agree' });
    expect(ledger(meetingId, guestId).map((e) => e.kind)).toEqual(['decline', 'agree']);
    for (const user of [ORGANIZER, ALICE]) await h.react(user, h.promptOf(meetingId), '✅');
    expect(currentSession(h, meetingId).record).toBe(true);
  });

  it('a guest who withdraws after the meeting gets the recording deleted, as with !withdraw', async () => {
    const { meetingId, guest, guestId } = await withGuest();
    await guest.click('answer', { answer: 'agree' });
    for (const user of [ORGANIZER, ALICE]) await h.react(user, h.promptOf(meetingId), '✅');
    const join = await guest.click('join');
    await h.sim.simulateJoin(join.location!);
    const recordId = await endAndDiscover(h, meetingId);
    expect(h.app.ctx.stores.recordings.get(recordId)?.state).toBe('available');

    const page = await guest.open();
    expect(page.body).toContain(de.withdraw);
    expect((await guest.click('withdraw')).status).toBe(303);
    expect(h.app.ctx.stores.recordings.get(recordId)?.state).toBe('purged');
    expect(ledger(meetingId, guestId).map((e) => e.kind)).toEqual(['agree', 'withdraw']);
    expect((await guest.open()).body).toContain(de.yourAnswer.withdrawn);
  });

  it('a form posted without the right anti-forgery token changes nothing', async () => {
    const { meetingId, guest, guestId } = await withGuest();
    const answers = () =>
      h.app.ctx.stores.db.$client.prepare('select count(*) as n from consent_events').get();
    const before = answers();
    // No token, a made-up token, no cookie, and another guest's token.
    const page = await guest.open();
    const token = GuestWeb.csrfOf(page.body);
    const forged = [
      await guest.post('answer', { answer: 'agree' }),
      await guest.post('answer', { answer: 'agree', _csrf: 'x'.repeat(40) }),
      await guest.post('answer', { answer: 'agree', _csrf: token }, false),
    ];
    for (const res of forged) {
      expect(res.status).toBe(403);
      expect(res.body).toContain(de.forged);
    }
    await h.say(ORGANIZER, `!invite #${meetingId} --guest "Max"`);
    const max = organizersGuest(h, server!.url, 1);
    const maxToken = GuestWeb.csrfOf((await max.open()).body);
    expect((await guest.post('answer', { answer: 'agree', _csrf: maxToken })).status).toBe(403);
    expect(ledger(meetingId, guestId)).toEqual([]);
    expect(answers()).toEqual(before);
    // The right token works.
    expect((await guest.post('answer', { answer: 'agree', _csrf: token })).status).toBe(303);
    expect(ledger(meetingId, guestId).map((e) => e.kind)).toEqual(['agree']);
  });

  it('limits requests per link', async () => {
    const { guest } = await withGuest();
    const statuses: number[] = [];
    for (let i = 0; i <= GUEST_RATE_LIMITS.perToken; i++) statuses.push((await guest.open()).status);
    expect(statuses.slice(0, -1).every((s) => s === 200)).toBe(true);
    const limited = await guest.open();
    expect(limited.status).toBe(429);
    expect(limited.body).toContain(de.tooMany);
  });

  it('limits requests per address, over every link', async () => {
    await withGuest();
    const statuses: number[] = [];
    for (let i = 0; i <= GUEST_RATE_LIMITS.perAddress; i++) {
      const stranger = new GuestWeb(server!.url, `https://x/g/${String(i).padStart(43, 'A')}`);
      statuses.push((await stranger.open()).status);
    }
    expect(statuses.slice(0, -1).every((s) => s === 404)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
  });

  it('the link stops working when the meeting’s evidence is pruned', async () => {
    const { meetingId, guest } = await withGuest('!meeting Weekly sync @alice:test --guest "Erika Muster"', {
      retention: { recordingDays: 5, evidenceDaysAfterPurge: 10 },
    });
    await guest.click('answer', { answer: 'agree' });
    for (const user of [ORGANIZER, ALICE]) await h.react(user, h.promptOf(meetingId), '✅');
    await h.sim.simulateJoin((await guest.click('join')).location!);
    await endAndDiscover(h, meetingId);
    h.clock.advance(6 * DAY);
    await h.app.retention.run();
    expect((await guest.open()).status).toBe(200);
    h.clock.advance(11 * DAY);
    expect((await h.app.retention.run()).prunedMeetings).toBe(1);
    expect((await guest.open()).status).toBe(404);
    expect(h.app.ctx.stores.db.$client.prepare('select count(*) as n from guests').get()).toEqual({ n: 0 });
  });
});
