// The BBB simulator an operator can start (`npm run bbb-simulator -- --port … --secret …`) to try a config:
// it answers the bot's BBB client over real HTTP, refuses a wrong secret as BBB does, and stops on SIGTERM.
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { BbbClient, BbbError } from '../../../src/bbb/index.js';

const ROOT = join(import.meta.dirname, '../../..');
const SECRET = 'operator-trial-secret';
function start(args: string[]): {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
} {
  let output = '';
  const child = spawn('npm', ['run', '--silent', 'bbb-simulator', '--', ...args], {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  onTestFinished(() => {
    // npm runs the script through a shell: end the whole process group.
    // It may have ended between the check and the kill (ESRCH): then there is nothing left to end.
    if (!child.pid || child.exitCode !== null) return;
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
    }
  });
  child.stdout!.on('data', (d: Buffer) => (output += d));
  child.stderr!.on('data', (d: Buffer) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function urlFrom(output: () => string): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const m = /listening at (\S+)/.exec(output());
    if (m) return m[1]!;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no URL printed: ${output()}`);
}

describe('npm run bbb-simulator', { timeout: 30_000 }, () => {
  it('says it is a simulator, answers the right secret, refuses a wrong one, and stops on SIGTERM', async () => {
    const run = start(['--port', '0', '--secret', SECRET]);
    const url = await urlFrom(run.output);
    expect(run.output()).toContain('BBB SIMULATOR (not a real BigBlueButton)');
    expect(run.output()).not.toContain(SECRET);

    const client = (secret: string) => new BbbClient({ url, secret, algorithm: 'sha256', retries: 0 });
    expect(await client(SECRET).getMeetings()).toEqual([]);
    const refused = await client('a-wrong-secret')
      .getMeetings()
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(BbbError);
    expect((refused as BbbError).messageKey).toBe('checksumError');

    process.kill(-run.child.pid!, 'SIGTERM');
    await run.exited;
    await expect(client(SECRET).getMeetings()).rejects.toThrow();
  });

  it('answers bad arguments with the usage line, exit 2', async () => {
    const run = start(['--port', '0', '--secret', 'short']);
    expect(await run.exited).toBe(2);
    expect(run.output()).toContain('--secret: at least 8 characters');
    expect(run.output()).toContain('Usage: npm run bbb-simulator -- --port <port> --secret');
  });
});
