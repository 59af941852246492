// Guests without a Matrix account (design.md §3.11) in a real browser: Debian's Chromium driven by
// playwright-core against the bot process (real Synapse, Fastify listener) and the BBB simulator.
// A guest opens their link, answers, joins, withdraws; forged forms and unknown links change nothing;
// axe-core finds no serious accessibility violation on the page.
import type { Browser } from 'playwright-core';
import { afterAll, describe, expect } from 'vitest';
import { guestPageText } from '../../src/i18n/guest-page.js';
import { axeViolations, chromiumInstalled, launchChromium } from '../support/browser.js';
import { recordingReadyOpening } from '../support/catalogue.js';
import { e2eHomeserver } from './support/context.js';
import { FAST_RETENTION, listenerOnFreePort, worldTest } from './support/fixtures.js';
import { waitForEvent } from './support/homeserver.js';
import {
  isOpened,
  type MeetingWorld,
  olgaAliceBob,
  planMeeting,
  postFrom,
  receiveGuestLinks,
  sessionsNamed,
  until,
  untilRecordingDeleted,
  wait,
} from './support/meeting-helpers.js';

const hs = e2eHomeserver();
const de = guestPageText.de;
// Under CI the browser is part of the set-up (.ci/run installs it): missing, the run fails.
if (hs && process.env.CI && !chromiumInstalled()) throw new Error('Chromium missing: .ci/run installs it');

let base: string;
const it = worldTest(async () => {
  const listener = await listenerOnFreePort();
  base = listener.base;
  return { http: listener.http, retention: FAST_RETENTION };
});

describe.skipIf(!hs || !chromiumInstalled())('a guest in a real browser', () => {
  let w: MeetingWorld;
  let botId: string;
  let browser: Browser;

  it.beforeAll(async ({ w: world }) => {
    w = world;
    botId = w.botUser.userId;
    browser = await launchChromium();
  });
  afterAll(() => browser?.close());

  /**
   * Olga plans `title` with Alice and the guest Erika, whose link opens in a new browser; `othersAgree()`:
   * Olga and Alice answer ✅ and the meeting opens.
   */
  async function meetingWithGuest(title: string) {
    const { olga, alice, roomId } = await olgaAliceBob(w, title);
    const m = await planMeeting(olga, roomId, botId, title, [alice], '--guest "Erika Muster"');
    const [link] = await receiveGuestLinks(olga, botId);
    expect(link).toMatch(new RegExp(`^${base}/g/`));
    const context = await browser.newContext({ locale: 'de-DE' });
    const page = await context.newPage();
    expect((await page.goto(link!))?.status()).toBe(200);
    const othersAgree = async () => {
      for (const u of [olga, alice]) await u.react(roomId, m.prompt.event_id, '✅');
      await waitForEvent(olga, roomId, isOpened(botId, title), wait);
    };
    return { olga, roomId, link: link!, context, page, othersAgree };
  }

  it('agrees, the meeting opens recorded once the Matrix invitees agreed too, and the guest joins', async () => {
    const title = 'Guest agrees';
    const { context, page, othersAgree } = await meetingWithGuest(title);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(title);
    // Keyboard only: tab to the agree button and press Enter.
    const agree = page.getByRole('button', { name: de.agree });
    await agree.focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(/done=agree/);
    expect(await page.getByRole('status').textContent()).toContain(de.done.agree);

    await othersAgree();
    const [session] = sessionsNamed(w.sim, title);
    expect(session?.record).toBe(true);

    await page.reload();
    const join = page.getByRole('button', { name: de.join });
    const [request] = await Promise.all([
      page.waitForRequest((r) => r.url().includes('/api/join?')),
      join.click(),
    ]);
    const url = new URL(request.url());
    expect(url.searchParams.get('fullName')).toBe('Erika Muster');
    expect(url.searchParams.get('role')).toBe('VIEWER');
    await until('the guest in the BBB session', () =>
      sessionsNamed(w.sim, title)[0]?.joins.some((j) => j.fullName === 'Erika Muster'),
    );
    await context.close();
  });

  it('a guest who declines makes the meeting unrecorded', async () => {
    const title = 'Guest declines';
    const { context, page, othersAgree } = await meetingWithGuest(title);
    await page.getByRole('button', { name: de.decline }).click();
    await page.waitForURL(/done=decline/);
    await othersAgree();
    expect(sessionsNamed(w.sim, title)[0]?.record).toBe(false);
    await context.close();
  });

  it('a guest who withdraws after the meeting gets the recording deleted', async () => {
    const title = 'Guest withdraws';
    const { olga, roomId, link, context, page, othersAgree } = await meetingWithGuest(title);
    await page.getByRole('button', { name: de.agree }).click();
    await page.waitForURL(/done=agree/);
    await othersAgree();
    await page.reload();
    await Promise.all([
      page.waitForRequest((r) => r.url().includes('/api/join?')),
      page.getByRole('button', { name: de.join }).click(),
    ]);
    const [session] = sessionsNamed(w.sim, title);
    w.sim.endMeeting(session!.meetingID);
    await waitForEvent(olga, roomId, postFrom(botId, recordingReadyOpening(title)), wait);

    await page.goto(link);
    await page.getByRole('button', { name: de.withdraw }).click();
    await page.waitForURL(/done=withdraw/);
    await untilRecordingDeleted(w.sim, session!.meetingID);
    expect(await page.getByRole('status').textContent()).toContain(de.done.withdraw);
    await context.close();
  });

  it('an unknown link shows a plain not-found page; a form without the right anti-forgery token changes nothing', async () => {
    const title = 'Guest forged';
    const { link, context, page } = await meetingWithGuest(title);
    const unknown = await page.goto(`${base}/g/${'A'.repeat(43)}`);
    expect(unknown?.status()).toBe(404);
    expect(await page.textContent('body')).toContain(de.notFound);

    // The same browser (its cookie included) posts without the token, and with a made-up one.
    const forms: Record<string, string>[] = [{ answer: 'agree' }, { answer: 'agree', _csrf: 'forged' }];
    for (const form of forms) {
      const res = await context.request.post(`${link}/answer`, { form, maxRedirects: 0 });
      expect(res.status()).toBe(403);
    }
    await page.goto(link);
    expect(await page.textContent('main')).toContain(de.yourAnswer.pending);
    await context.close();
  });

  it('passes an axe-core check with no serious violations', async () => {
    const { link, context, page } = await meetingWithGuest('Guest axe');
    const violations = await axeViolations(page);
    expect(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual([]);
    await page.goto(`${link}?lang=en`);
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    const english = await axeViolations(page);
    expect(english.filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual([]);
    await context.close();
  });
});
