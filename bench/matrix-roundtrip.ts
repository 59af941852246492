// Baseline latency of the homeserver itself: user A sends a bare text message, user B's /sync
// long-poll sees it. Other benches (e.g. the bot's command-to-notice latency) compare against it.
//
//   npx tsx bench/matrix-roundtrip.ts [samples]
//
// Uses E2E_HOMESERVER_URL + E2E_REGISTRATION_SECRET when set, else scripts/synapse.sh (root on
// Debian), stopping the Synapse afterwards only if it started it.
import { pathToFileURL } from 'node:url';
import {
  acceptNextInvite,
  messageFrom,
  TestHomeserver,
  waitForEvent,
} from '../test/e2e/support/homeserver.js';
import { acquireHomeserver } from '../test/e2e/support/homeserver-lifecycle.js';

export interface LatencyStats {
  /** Milliseconds, in measurement order (warm-up excluded). */
  samples: number[];
  median: number;
  p90: number;
  min: number;
  max: number;
}

/** Nearest-rank percentile (p in 0..100) of unsorted samples. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

export function summarize(samples: number[]): LatencyStats {
  return {
    samples,
    median: percentile(samples, 50),
    p90: percentile(samples, 90),
    min: Math.min(...samples),
    max: Math.max(...samples),
  };
}

/** Runs `once` (which returns one latency in ms) warmup + samples times, sequentially. */
export async function measureLatency(
  once: () => Promise<number>,
  opts: { samples?: number; warmup?: number } = {},
): Promise<LatencyStats> {
  const { samples = 20, warmup = 2 } = opts;
  for (let i = 0; i < warmup; i++) await once();
  const out: number[] = [];
  for (let i = 0; i < samples; i++) out.push(await once());
  return summarize(out);
}

/** The A-sends / B-syncs round trip of a bare text message between two fresh users. */
export async function measureMatrixRoundTrip(
  hs: TestHomeserver,
  opts: { samples?: number; warmup?: number } = {},
): Promise<LatencyStats> {
  const a = await hs.registerUser('bench-a');
  const b = await hs.registerUser('bench-b');
  const roomId = await a.createRoom({ invite: [b.userId], name: 'round trip bench' });
  await acceptNextInvite(b, { from: a.userId });
  let n = 0;
  return measureLatency(async () => {
    const body = `round trip ${++n}`;
    // B's long-poll is already waiting when A sends: we time delivery, not B's polling interval.
    const t0 = performance.now();
    const seen = waitForEvent(b, roomId, messageFrom(a.userId, body), { timeoutMs: 10_000 });
    await a.sendText(roomId, body);
    await seen;
    return performance.now() - t0;
  }, opts);
}

export function formatStats(label: string, s: LatencyStats): string {
  const f = (x: number) => x.toFixed(1);
  return `${label}: n=${s.samples.length} median ${f(s.median)} ms, p90 ${f(s.p90)} ms (min ${f(s.min)}, max ${f(s.max)})`;
}

async function main(): Promise<void> {
  const samples = Number(process.argv[2] ?? 20);
  const acquired = await acquireHomeserver();
  try {
    const stats = await measureMatrixRoundTrip(new TestHomeserver(acquired.info), { samples });
    console.log(formatStats(`matrix round trip (${acquired.info.url})`, stats));
  } finally {
    await acquired.release();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
