// The collection after the start-up gives memory back to the system, in a real Node process with the
// production flags: a process that has just dropped ~400 MiB of objects, as the start-up drops its
// initial sync and reconciliation, should be far smaller once it ran.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const SCRIPT = `
import { collectAfterStartup } from './src/startup-gc.ts';
import { createLogger } from './src/log.ts';
let garbage = [];
for (let i = 0; i < 300; i++) garbage.push(Array.from({ length: 20000 }, (_, j) => ({ j, s: 'x' + j })));
garbage = null;
collectAfterStartup(createLogger('info'), globalThis.gc, 0);
setTimeout(() => {}, 200);
`;

describe('the collection after the start-up', () => {
  it('returns the garbage of the start-up to the system', () => {
    const child = spawnSync(
      process.execPath,
      ['--expose-gc', '--max-semi-space-size=4', '--import', 'tsx', '--input-type=module', '-e', SCRIPT],
      { encoding: 'utf8', cwd: process.cwd() },
    );
    expect(child.status, child.stderr).toBe(0);
    const line = child.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { msg?: string; rssBeforeMiB?: number; rssAfterMiB?: number })
      .find((l) => l.msg === 'start-up garbage collected');
    expect(line?.rssBeforeMiB).toBeGreaterThan(300);
    expect(line!.rssAfterMiB!).toBeLessThan(line!.rssBeforeMiB! / 2);
  }, 30_000);
});
