// Commands the tests run as an operator would (`npm run check`, `npm start`, the README's shell blocks),
// their output collected.
import { type Finished, finished } from '../../support/run-to-end.js';

export interface Run extends Finished {
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

type RunOptions = { cwd?: string; env?: NodeJS.ProcessEnv; uid?: number; gid?: number; timeoutMs?: number };

/** Runs `program args` to its end (SIGKILL after `timeoutMs`); by default in the repository, cleanEnv(). */
export async function runCommand(program: string, args: string[], opts: RunOptions = {}): Promise<Run> {
  const { env = cleanEnv(), timeoutMs = 60_000, ...rest } = opts;
  const run = await finished(program, args, { env, timeout: timeoutMs, killSignal: 'SIGKILL', ...rest });
  const lines = new Map<string, { status: string; message: string }>();
  for (const line of `${run.stdout}\n${run.stderr}`.split('\n')) {
    const m = /^(OK|WARN|FAIL)\s+(\S+)\s+(.*)$/.exec(line);
    if (m) lines.set(m[2]!, { status: m[1]!, message: m[3]! });
  }
  return { ...run, lines };
}

/** `npm run check` (without npm) on a config file. */
export const runCheck = (configPath: string, opts: RunOptions = {}): Promise<Run> =>
  runCommand(process.execPath, ['--import', 'tsx', 'src/check/cli.ts', '--config', configPath], opts);
