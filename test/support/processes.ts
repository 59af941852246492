// Which processes are still running with a given environment variable: how tests find the processes a
// command started (the bot under npm, the demo's bot) after the command itself is gone. Linux /proc;
// processes of other users are not readable and are skipped (the tests' own children are not).
import { readdirSync, readFileSync } from 'node:fs';

/** A unique NAME=value pair to put into a command's environment and find its processes by. */
export function processMarker(): { name: string; value: string; env: Record<string, string> } {
  const value = `${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`;
  return { name: 'MEETBOT_TEST_MARKER', value, env: { MEETBOT_TEST_MARKER: value } };
}

/** The pids (with their command lines) of live processes whose environment holds name=value. */
export function processesWithEnv(name: string, value: string): { pid: number; cmd: string }[] {
  const wanted = `${name}=${value}`;
  const found: { pid: number; cmd: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const env = readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0');
      if (!env.includes(wanted)) continue;
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (/^\d+ \(.*\) Z /.test(stat)) continue; // a zombie is gone, only not yet reaped
      found.push({
        pid: Number(entry),
        cmd: readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' '),
      });
    } catch {
      // exited meanwhile, or not ours to read
    }
  }
  return found;
}
