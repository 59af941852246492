// Takes the README's picture of a guest's page (docs/guest-page.png): the real application with the
// BBB simulator and the in-memory chat port, the real listener, Debian's Chromium. `npm run picture:guest`.
import { mkdirSync } from 'node:fs';
import { startHttpServer } from '../src/http/server.js';
import { createHarness, ORGANIZER } from '../test/support/app-harness.js';
import { launchChromium } from '../test/support/browser.js';
import { guestLinksIn } from '../test/support/guest-web.js';

const out = process.argv[2] ?? 'docs/guest-page.png';
// The defaults a deployment has: private answers (consent.ask "direct").
const h = await createHarness({
  http: { enabled: true, port: 0, publicUrl: 'https://bot.example.org/' },
  consent: { ask: 'direct' },
});
const server = await startHttpServer(h.app, { lastSyncAt: () => null });
const browser = await launchChromium();
try {
  await h.say(
    ORGANIZER,
    '!meeting Projektabstimmung @alice:test --guest "Erika Muster" --at "2026-12-03 10:00"',
  );
  const [link] = guestLinksIn(h.chat.dmOf(ORGANIZER).map((m) => m.text));
  if (!link) throw new Error('no guest link was sent');
  const page = await browser.newPage({ viewport: { width: 820, height: 1180 }, locale: 'de-DE' });
  await page.goto(`${server.url}${new URL(link).pathname}`);
  mkdirSync('docs', { recursive: true });
  await page.screenshot({ path: out });
  console.log(`wrote ${out}`);
} finally {
  await browser.close();
  await server.close();
  await h.close();
}
