// `npm run bench`: every benchmark in turn, each in its own process so that one's memory and
// timers do not disturb the next. Figures go to stdout; copy them into docs/benchmarks.md.
import './node-version.js';
import { spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';

const benches: [string, string[]][] = [
  ['bench/bbb.ts', []],
  ['bench/consent-burst.ts', ['500', '5']],
  ['bench/guest-page.ts', ['100', '20']],
  ['bench/purge.ts', []],
  ['bench/latency.ts', ['20']],
  ['bench/burst-synapse.ts', ['100', '3']],
  ['bench/e2ee-store.ts', ['1000']],
  // Last: the longest (seeding 1,000 rooms on the Synapse, kept between runs: bench/seed-cache.ts).
  ['bench/restart.ts', ['1000', '10000', '5']],
  // [idleSeconds rooms meetings]
  ['bench/idle-memory.ts', ['20', '1000', '10000']],
];

// The machine may be shared: the load average before and after each bench goes with its figures.
const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
console.log(
  `node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ${new Date().toISOString()}`,
);

let failed = 0;
for (const [file, args] of benches) {
  console.log(`\n=== ${file} ${args.join(' ')} (load ${load()})`);
  const started = performance.now();
  const result = spawnSync('npx', ['tsx', file, ...args], { stdio: 'inherit' });
  console.log(`--- ${file}: ${((performance.now() - started) / 1000).toFixed(0)} s, load after ${load()}`);
  if (result.status !== 0) {
    failed++;
    console.log(`!!! ${file} failed (exit ${result.status})`);
  }
}
process.exitCode = failed ? 1 : 0;
