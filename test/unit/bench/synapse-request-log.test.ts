import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { requestsSince, sendAt, syncBefore } from '../../../bench/synapse-request-log.js';

// Lines as Synapse 1.160 writes them (shortened paths), read the way the latency bench reads them.
const ROOM = '!JpTPdHPBnJwmEaKhlo:localhost';
const SEND = `/_matrix/client/v3/rooms/${encodeURIComponent(ROOM)}/send/m.room.message`;
const line = (at: string, user: string, took: string, request: string, status = '200') =>
  `2026-12-07 ${at} - synapse.access.http.8008 - 643 - INFO - PUT-1 - 127.0.0.1 - 8008 - {${user}} Processed request: ${took} db=(0.006sec/0.004sec/14) 59B ${status} "${request} HTTP/1.1" "node" [0 dbevts]`;
const LOG = [
  '2026-12-07 15:15:17,800 - synapse.handlers.sync - 100 - INFO - GET-2 - not an access line',
  line('15:15:17,892', '@olga:localhost', '0.051sec/0.000sec ru=(0.006sec, 0.001sec)', `PUT ${SEND}/t1`),
  line(
    '15:15:17,950',
    '@bot:localhost',
    '0.233sec/-0.004sec ru=(0.001sec, 0.000sec)',
    'GET /_matrix/client/v3/sync?since=s1',
    '499!',
  ),
  line('15:15:17,990', '@bot:localhost', '0.030sec/0.000sec ru=(0.002sec, 0.000sec)', `PUT ${SEND}/m1`),
  line(
    '15:15:18,020',
    '@olga:localhost',
    '0.090sec/0.000sec ru=(0.001sec, 0.001sec)',
    'GET /_matrix/client/v3/sync?since=s2',
  ),
].join('\n');

function written(): string {
  const path = join(mkdtempSync(join(tmpdir(), 'synlog-')), 'homeserver.log');
  writeFileSync(path, LOG);
  return path;
}

describe("reading Synapse's request log", () => {
  it('reads each finished request with its times, also aborted ones, and skips other lines', () => {
    const requests = requestsSince(0, written());
    expect(requests).toHaveLength(4);
    expect(requests[0]).toEqual({
      end: Date.parse('2026-12-07T15:15:17.892Z'),
      userId: '@olga:localhost',
      method: 'PUT',
      path: `${SEND}/t1`,
      wallMs: 51,
      cpuMs: 7,
      dbMs: 6,
    });
    expect(requests[1]).toMatchObject({ userId: '@bot:localhost', method: 'GET', wallMs: 233 });
  });

  it('reads only what came after a mark', () => {
    const path = written();
    const mark = LOG.indexOf('\n', LOG.indexOf('PUT-1')) + 1;
    expect(requestsSince(mark, path).map((r) => r.path)).not.toContain(`${SEND}/t1`);
  });

  it('finds the send that was running at a server timestamp, and the sync that ended before a moment', () => {
    const requests = requestsSince(0, written());
    const sentAt = Date.parse('2026-12-07T15:15:17.870Z'); // inside olga's PUT (17.841–17.892)
    expect(sendAt(requests, '@olga:localhost', ROOM, sentAt)?.path).toBe(`${SEND}/t1`);
    expect(sendAt(requests, '@bot:localhost', ROOM, sentAt)).toBeUndefined();
    expect(sendAt(requests, '@olga:localhost', '!other:localhost', sentAt)).toBeUndefined();
    expect(syncBefore(requests, '@olga:localhost', Date.parse('2026-12-07T15:15:18.025Z'))?.end).toBe(
      Date.parse('2026-12-07T15:15:18.020Z'),
    );
    expect(syncBefore(requests, '@olga:localhost', Date.parse('2026-12-07T15:15:18.000Z'))).toBeUndefined();
  });
});
