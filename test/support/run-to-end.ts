// Runs a command of the project to its end and hands back what it printed: a non-zero exit is an
// outcome to assert on, not an error.
import { type SpawnOptions, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** stdout and stderr as they came. */
  output: string;
  pid: number | undefined;
}

/**
 * `command` with `args`, from the project's folder unless `options` say otherwise (`timeout` and
 * `killSignal` end it early; a stream not piped stays empty); rejects only if it cannot start.
 */
export function finished(command: string, args: string[], options: SpawnOptions = {}): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'], ...options });
    const out = { stdout: '', stderr: '', output: '' };
    for (const name of ['stdout', 'stderr'] as const) {
      child[name]?.on('data', (c: Buffer) => {
        out[name] += c;
        out.output += c;
      });
    }
    child.on('error', reject);
    // 'close', not 'exit': all output has arrived by then.
    child.on('close', (code, signal) => resolve({ code, signal, ...out, pid: child.pid }));
  });
}

/** A TypeScript entry of the project (`src/main.ts`, …) under the running Node, through tsx. */
export const tsx = (entry: string, args: string[], options?: SpawnOptions): Promise<Finished> =>
  finished(process.execPath, ['--import', 'tsx', entry, ...args], options);
