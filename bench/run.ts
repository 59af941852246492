// `npm run bench`: every benchmark in turn, each in its own process so that one's memory and
// timers do not disturb the next. Figures go to stdout; copy them into docs/benchmarks.md.
import { spawnSync } from 'node:child_process';

const benches: [string, string[]][] = [
  ['bench/bbb.ts', []],
  ['bench/consent-burst.ts', ['500', '5']],
  ['bench/purge.ts', []],
  ['bench/latency.ts', []],
  ['bench/idle-memory.ts', ['20']],
  ['bench/e2ee-store.ts', ['1000']],
];

let failed = 0;
for (const [file, args] of benches) {
  console.log(`\n=== ${file} ${args.join(' ')}`);
  const result = spawnSync('npx', ['tsx', file, ...args], { stdio: 'inherit' });
  if (result.status !== 0) {
    failed++;
    console.log(`!!! ${file} failed (exit ${result.status})`);
  }
}
process.exitCode = failed ? 1 : 0;
