// A demo that fails exits: whatever goes wrong, it stops what it started (the bot, the BBB simulator, a
// homeserver it started) and exits non-zero within seconds. The bot is made to crash the way it did on
// Node 20 (SIGSEGV) through DEMO_BOT_NODE_OPTIONS; SIGTERM is sent while the meeting is running. The
// demo reuses the suite's homeserver here, so stopping one it started is not shown by these tests.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { processesWithEnv } from '../support/processes.js';
import { type Demo, startDemo } from './support/demo.js';

const info = inject('homeserver');

const demos: Demo[] = [];
afterEach(() => {
  for (const d of demos.splice(0)) {
    if (d.child.exitCode === null) d.child.kill('SIGKILL');
    for (const p of processesWithEnv(d.marker.name, d.marker.value)) process.kill(p.pid, 'SIGKILL');
  }
});

function runDemo(env: Record<string, string> = {}): Demo {
  const demo = startDemo(process.execPath, ['--import', 'tsx', 'demo/run.ts'], { env });
  demos.push(demo);
  return demo;
}

function preload(code: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'meetbot-demo-preload-')), 'crash.mjs');
  writeFileSync(file, code);
  return `--import=${file}`;
}

describe.skipIf(!info)('npm run demo when something fails', () => {
  it('a bot that crashes at start: the demo says so, stops what it started and exits 1 within 15 s', async () => {
    const demo = runDemo({ DEMO_BOT_NODE_OPTIONS: preload("process.kill(process.pid, 'SIGSEGV');") });
    const { code, ms } = await demo.exited;
    expect(code, demo.output()).toBe(1);
    expect(ms).toBeLessThan(15_000);
    expect(demo.output()).toContain('demo failed: bot did not become ready');
    expect(demo.output()).toContain('SIGSEGV');
    expect(processesWithEnv(demo.marker.name, demo.marker.value)).toEqual([]);
  }, 30_000);

  it('SIGTERM while the meeting runs: the bot is stopped and the demo exits non-zero within seconds', async () => {
    const demo = runDemo();
    await expect
      .poll(demo.output, { timeout: 60_000, interval: 200, message: 'the demo posting its !meeting command' })
      .toContain('Olga: !meeting');
    // The bot runs now, as a process of its own.
    expect(processesWithEnv(demo.marker.name, demo.marker.value).length).toBeGreaterThan(1);
    const t0 = performance.now();
    demo.child.kill('SIGTERM');
    const { code } = await demo.exited;
    expect(code, demo.output()).toBe(143);
    expect(performance.now() - t0).toBeLessThan(15_000);
    expect(demo.output()).toContain('demo stopped by SIGTERM');
    expect(processesWithEnv(demo.marker.name, demo.marker.value)).toEqual([]);
  }, 90_000);
});
