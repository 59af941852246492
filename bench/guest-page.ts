// The guest page under load (design.md §3.11) through the real listener (Fastify, a CSRF token per
// page, rate limits on) and the real application on SQLite. The load comes from a worker thread (its
// own event loop, plain fetch with keep-alive); each guest sends from its own address
// (X-Forwarded-For, with http.trustProxy), as guests behind a reverse proxy do. Two figures:
// - burst: all guests of one meeting open their page at the same moment, `rounds` times (the goal:
//   median under 50 ms with 100 guests);
// - back to back: every guest reloads as fast as answers come (a stress figure: throughput).
//
//   npx tsx bench/guest-page.ts [guests=100] [rounds=20]
import './node-version.js';
import { Worker } from 'node:worker_threads';
import { startHttpServer } from '../src/http/server.js';
import { createHarness, ORGANIZER } from '../test/support/app-harness.js';
import { percentile } from './matrix-roundtrip.js';

// Each guest: `rounds` page loads one after the other; all guests at once. Returns every latency (ms).
const LOAD = `
const { parentPort, workerData } = require('node:worker_threads');
const { urls, rounds, mode } = workerData;
(async () => {
  const times = [];
  let failed = 0;
  const load = async (url, i) => {
    const t0 = performance.now();
    const res = await fetch(url, { headers: { 'x-forwarded-for': '10.0.' + (i >> 8) + '.' + (i & 255) } });
    const body = await res.text();
    times.push(performance.now() - t0);
    if (res.status !== 200 || !body.includes('_csrf')) failed++;
  };
  if (mode === 'burst') {
    for (let r = 0; r < rounds; r++) await Promise.all(urls.map(load));
  } else {
    await Promise.all(urls.map(async (url, i) => { for (let r = 0; r < rounds; r++) await load(url, i); }));
  }
  parentPort.postMessage({ times, failed });
})();
`;

async function main(): Promise<void> {
  const guests = Number(process.argv[2] ?? 100);
  const rounds = Number(process.argv[3] ?? 20);
  const h = await createHarness({
    http: { enabled: true, port: 0, publicUrl: 'https://bot.example.org/', trustProxy: true },
    limits: { maxInvitees: Math.min(1000, 3 * guests + 2) },
  });
  const server = await startHttpServer(h.app, { lastSyncAt: () => null });
  try {
    await h.say(ORGANIZER, '!meeting Guest load @alice:test');
    const meeting = h.app.ctx.stores.meetings.inStates(['collecting'])[0]!;
    // Each figure with its own guests: a link allows 30 loads a minute (GUEST_RATE_LIMITS.perToken).
    const guestUrls = (from: number) =>
      h.app.guests
        .create(
          meeting.id,
          Array.from({ length: guests }, (_, i) => `Guest ${from + i + 1}`),
          ORGANIZER,
        )
        .links.map((l) => `${server.url}${new URL(l.url).pathname}`);
    const urlsOf = { burst: guestUrls(0), 'back to back': guestUrls(guests) };
    // Warm-up: one load per page of other guests (JIT, SQLite page cache), not counted.
    const warm = guestUrls(2 * guests);
    await Promise.all(
      warm.map((u, i) => fetch(u, { headers: { 'x-forwarded-for': `10.1.0.${i}` } }).then((r) => r.text())),
    );

    let failed = 0;
    let burstMedian = Number.NaN;
    for (const mode of ['burst', 'back to back'] as const) {
      const started = performance.now();
      const cpu0 = process.cpuUsage();
      const elu0 = performance.eventLoopUtilization();
      const result = await new Promise<{ times: number[]; failed: number }>((resolve, reject) => {
        const worker = new Worker(LOAD, { eval: true, workerData: { urls: urlsOf[mode], rounds, mode } });
        worker.once('message', resolve);
        worker.once('error', reject);
      });
      const wall = performance.now() - started;
      const cpu = process.cpuUsage(cpu0);
      // The listener's own share: how long its event loop was busy, per page.
      const busy = performance.eventLoopUtilization(elu0).active;
      const { times } = result;
      failed += result.failed;
      const f = (x: number) => x.toFixed(1);
      const median = percentile(times, 50);
      if (mode === 'burst') burstMedian = median;
      console.log(
        `${mode}: ${guests} guests of one meeting x ${rounds}: median ${f(median)} ms, ` +
          `p95 ${f(percentile(times, 95))} ms, p99 ${f(percentile(times, 99))} ms, ` +
          `max ${f(Math.max(...times))} ms; ${times.length} pages in ${f(wall / 1000)} s ` +
          `(${f((times.length / wall) * 1000)}/s); listener busy ${f(busy / times.length)} ms a page, ` +
          `CPU ${f((cpu.user + cpu.system) / 1000 / times.length)} ms a page with the load generator; ` +
          `failed ${result.failed}`,
      );
    }
    console.log(burstMedian < 50 ? 'goal met: burst median < 50 ms' : 'goal MISSED: burst median >= 50 ms');
    if (failed) process.exitCode = 1;
  } finally {
    await server.close();
    await h.close();
  }
}

await main();
