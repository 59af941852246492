/**
 * BBB client benchmarks (not a test): `npx tsx bench/bbb.ts`.
 * 1. Build + verify 100k signed queries (sha256 and sha1): client-side signing plus the server-side check.
 * 2. List + delete 10k recordings through the BBB simulator over loopback HTTP, in batches.
 * Prints medians over several runs.
 */
import './node-version.js';
import { timingSafeEqual } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { BbbClient, buildQuery, type ChecksumAlgorithm, checksum } from '../src/bbb/index.js';
import { startBbbSimulator } from '../test/support/bbb-simulator.js';

const SECRET = '639259d4-9dd8-4b25-bf01-95f9567eaf4b';
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

function checksumRun(algo: ChecksumAlgorithm, n: number): number {
  const started = performance.now();
  let ok = 0;
  for (let i = 0; i < n; i++) {
    const query = buildQuery({
      fullName: `Jane O'Doe ${i}`,
      meetingID: `team-${i % 97}`,
      role: 'VIEWER',
      createTime: '1718000000000',
    });
    const sum = checksum('join', query, SECRET, algo);
    // The server's side: recompute over the received query and compare in constant time.
    if (timingSafeEqual(Buffer.from(checksum('join', query, SECRET, algo)), Buffer.from(sum))) ok += 1;
  }
  if (ok !== n) throw new Error('verification failed');
  return performance.now() - started;
}

async function purgeRun(count: number) {
  const sim = await startBbbSimulator({ secret: SECRET });
  try {
    sim.seedRecordings(Array.from({ length: count }, (_, i) => ({ meetingID: `bench-${i % 500}` })));
    const bbb = new BbbClient({ url: sim.url, secret: SECRET, algorithm: 'sha256' });
    sim.resetRequests();
    const t0 = performance.now();
    const all = await bbb.getAllRecordings({}, 100);
    const t1 = performance.now();
    const listRequests = sim.requests().length;
    const res = await bbb.deleteRecordings(all.map((r) => r.recordID));
    const t2 = performance.now();
    if (all.length !== count || res.deleted.length !== count || sim.recordings().length !== 0) {
      throw new Error(`unexpected result: listed ${all.length}, deleted ${res.deleted.length}`);
    }
    return {
      listMs: t1 - t0,
      deleteMs: t2 - t1,
      listRequests,
      deleteRequests: sim.requests().length - listRequests,
    };
  } finally {
    await sim.close();
  }
}

const N = 100_000;
const RUNS = 5;
const rows: string[][] = [['benchmark', 'median', 'per op / notes']];

for (const algo of ['sha256', 'sha1'] as const) {
  checksumRun(algo, 5_000); // warm-up
  const ms = median(Array.from({ length: RUNS }, () => checksumRun(algo, N)));
  rows.push([
    `build+verify ${N / 1000}k checksums (${algo})`,
    `${ms.toFixed(0)} ms`,
    `${((ms * 1000) / N).toFixed(2)} µs`,
  ]);
}

const RECORDINGS = 10_000;
const runs = [];
for (let i = 0; i < 3; i++) runs.push(await purgeRun(RECORDINGS));
const listMs = median(runs.map((r) => r.listMs));
const deleteMs = median(runs.map((r) => r.deleteMs));
const r0 = runs[0]!;
rows.push([
  `list ${RECORDINGS / 1000}k recordings (pages of 100)`,
  `${listMs.toFixed(0)} ms`,
  `${r0.listRequests} HTTP requests`,
]);
rows.push([
  `delete ${RECORDINGS / 1000}k recordings (batches of 50)`,
  `${deleteMs.toFixed(0)} ms`,
  `${r0.deleteRequests} HTTP requests (list-before, delete, list-after per batch)`,
]);

const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
const line = (r: string[]) => `| ${r.map((cell, c) => cell.padEnd(widths[c]!)).join(' | ')} |`;
console.log(line(rows[0]!));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const r of rows.slice(1)) console.log(line(r));
console.log(
  `\nNode ${process.version}, ${RUNS} runs (checksums) / 3 runs (recordings), loopback HTTP to the BBB simulator.`,
);
