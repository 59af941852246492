// `npm run demo` as the tests start it: against the suite's homeserver, its processes marked so that the
// test can find whatever it left running.
import { spawn } from 'node:child_process';
import { inject } from 'vitest';
import { processMarker } from '../../support/processes.js';
import { REPO_ROOT } from './homeserver-lifecycle.js';

export type Demo = ReturnType<typeof startDemo>;

/** Starts `program args` (the demo) with the homeserver in its environment, plus `env`. */
export function startDemo(program: string, args: string[], opts: { env?: object; detached?: boolean } = {}) {
  const info = inject('homeserver')!;
  const marker = processMarker();
  const t0 = performance.now();
  const child = spawn(program, args, {
    cwd: REPO_ROOT,
    detached: opts.detached ?? false,
    env: {
      ...process.env,
      E2E_HOMESERVER_URL: info.url,
      E2E_REGISTRATION_SECRET: info.registrationSecret,
      ...marker.env,
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  for (const stream of [child.stdout, child.stderr]) stream.on('data', (c: Buffer) => (output += c));
  const exited = new Promise<{ code: number | null; ms: number }>((resolve) =>
    child.once('exit', (code) => resolve({ code, ms: performance.now() - t0 })),
  );
  return { child, output: () => output, exited, marker };
}
