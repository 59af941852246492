// What the homeserver itself spent on a request, read from Synapse's access log (its "Processed request"
// lines: wall time, CPU, database time). The latency bench uses it to say which part of a difference
// between two answers is the homeserver's work and which is the bot's. Only for the project's own
// Synapse (scripts/synapse.sh), whose log is on this machine; elsewhere it finds nothing and says so.
import { existsSync, readFileSync, statSync } from 'node:fs';

/** One finished request as Synapse logged it; times in ms, `end` on the wall clock (Synapse logs UTC here). */
export interface LoggedRequest {
  end: number;
  userId: string;
  method: string;
  path: string;
  wallMs: number;
  cpuMs: number;
  dbMs: number;
}

export function synapseLogPath(): string {
  return `${process.env.HS_ROOT ?? '/tmp/hs-root'}/var/lib/synapse-test/homeserver.log`;
}

// 2026-12-07 15:15:17,892 - synapse.access.http.8008 - … - {@olga:localhost} Processed request:
// 0.051sec/0.000sec ru=(0.006sec, 0.000sec) db=(0.006sec/0.004sec/14) 59B 200 "PUT /_matrix/… HTTP/1.1"
const LINE =
  /^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d),(\d{3}) .*\{(@[^}]+)\} Processed request: ([\d.]+)sec\/-?[\d.]+sec ru=\(([\d.]+)sec, ([\d.]+)sec\) db=\(([\d.]+)sec\/[\d.]+sec\/\d+\) \S+ \d+!? "(\w+) (\S+)/;

/** The log's size now: read from here later to see only what came after. */
export function logMark(path = synapseLogPath()): number {
  return existsSync(path) ? statSync(path).size : 0;
}

/** The requests logged since `mark` (empty when the log is not on this machine). */
export function requestsSince(mark: number, path = synapseLogPath()): LoggedRequest[] {
  if (!existsSync(path)) return [];
  const text = readFileSync(path).subarray(mark).toString('utf8');
  const out: LoggedRequest[] = [];
  for (const line of text.split('\n')) {
    const m = LINE.exec(line);
    if (!m) continue;
    const [, when, millis, userId, wall, user, sys, db, method, path] = m;
    out.push({
      end: Date.parse(`${when!.replace(' ', 'T')}.${millis}Z`),
      userId: userId!,
      method: method!,
      path: path!,
      wallMs: Number(wall) * 1000,
      cpuMs: (Number(user) + Number(sys)) * 1000,
      dbMs: Number(db) * 1000,
    });
  }
  return out;
}

/** The `send` request of `userId` in `roomId` that was running when the event got its server timestamp. */
export function sendAt(
  requests: readonly LoggedRequest[],
  userId: string,
  roomId: string,
  serverTs: number,
): LoggedRequest | undefined {
  const room = `/rooms/${encodeURIComponent(roomId)}/send/`;
  // A log line's time has millisecond resolution, and the duration too: a millisecond's slack each way.
  return requests.find(
    (r) =>
      r.userId === userId &&
      r.method === 'PUT' &&
      r.path.includes(room) &&
      r.end - r.wallMs - 1 <= serverTs &&
      serverTs <= r.end + 1,
  );
}

/** The last `/sync` of `userId` that had ended by `seenAt` (wall clock): the one that delivered what was seen then. */
export function syncBefore(
  requests: readonly LoggedRequest[],
  userId: string,
  seenAt: number,
): LoggedRequest | undefined {
  let found: LoggedRequest | undefined;
  for (const r of requests) {
    if (r.userId === userId && r.method === 'GET' && r.path.includes('/sync') && r.end <= seenAt + 1)
      found = r;
  }
  return found;
}
