// Commands the tests run as an operator would (`npm run check`, `npm start`, the README's shell blocks),
// their output collected.
import { type ChildProcess, spawn } from 'node:child_process';
import { REPO_ROOT } from './homeserver-lifecycle.js';

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout and stderr as they came. */
  output: string;
  /** Check name → `OK|WARN|FAIL` and the message, from lines like `npm run check` prints. */
  lines: Map<string, { status: string; message: string }>;
}

/** What `npm run check` checks, in the order of its lines. */
export const CHECKS = [
  'config',
  'homeserver',
  'inviters',
  'rooms',
  'bbb',
  'notice',
  'database',
  'clock',
  'encryption',
];

/** The environment without the variables that override the bot's config: none leaks in from a shell. */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const { MATRIX_ACCESS_TOKEN: _t, MATRIX_PASSWORD: _p, BBB_SECRET: _s, ...env } = process.env;
  return { ...env, ...extra };
}

/** Runs `program args` to its end (SIGKILL after `timeoutMs`); by default in the repository, cleanEnv(). */
export function runCommand(
  program: string,
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; uid?: number; gid?: number; timeoutMs?: number } = {},
): Promise<Run> {
  const { cwd = REPO_ROOT, env = cleanEnv(), timeoutMs = 60_000, ...ids } = opts;
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(program, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], ...ids });
    const out = { stdout: '', stderr: '', output: '' };
    for (const name of ['stdout', 'stderr'] as const) {
      child[name]!.on('data', (d: Buffer) => {
        out[name] += d;
        out.output += d;
      });
    }
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    // 'close', not 'exit': all output has arrived by then.
    child.on('close', (code) => {
      clearTimeout(timer);
      const lines = new Map<string, { status: string; message: string }>();
      for (const line of `${out.stdout}\n${out.stderr}`.split('\n')) {
        const m = /^(OK|WARN|FAIL)\s+(\S+)\s+(.*)$/.exec(line);
        if (m) lines.set(m[2]!, { status: m[1]!, message: m[3]! });
      }
      resolve({ code, ...out, lines });
    });
  });
}

/** `npm run check` (without npm) on a config file. */
export function runCheck(
  configPath: string,
  opts: { env?: NodeJS.ProcessEnv; uid?: number; gid?: number } = {},
): Promise<Run> {
  return runCommand(process.execPath, ['--import', 'tsx', 'src/check/cli.ts', '--config', configPath], opts);
}
