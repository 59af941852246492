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
  pid: number | undefined;
}

/** `command` with `args`, from the project's folder unless `options` say otherwise. */
export function finished(command: string, args: string[], options: SpawnOptions = {}): Promise<Finished> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'], ...options });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (c: Buffer) => (stdout += c));
    child.stderr!.on('data', (c: Buffer) => (stderr += c));
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr, pid: child.pid }));
  });
}

/** A TypeScript entry of the project (`src/main.ts`, …) under the running Node, through tsx. */
export const tsx = (entry: string, args: string[], options?: SpawnOptions): Promise<Finished> =>
  finished(process.execPath, ['--import', 'tsx', entry, ...args], options);
