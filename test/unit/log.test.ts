import { Writable } from 'node:stream';
import { LogService } from '@vector-im/matrix-bot-sdk';
import { describe, expect, it } from 'vitest';
import { createLogger, registerSecret, routeMatrixSdkLogs } from '../../src/log.js';

describe('logging', () => {
  it('never writes registered secrets, checksums or access tokens', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    registerSecret('super-secret-bbb-salt');
    const log = createLogger('info', sink);
    log.info(
      { url: `https://bbb/api/join?fullName=A&checksum=${'a'.repeat(64)}` },
      'secret is super-secret-bbb-salt',
    );
    log.info('GET /_matrix/client/v3/sync?access_token=syt_abc123&since=1');
    const out = lines.join('');
    expect(out).not.toContain('super-secret-bbb-salt');
    expect(out).not.toContain('a'.repeat(64));
    expect(out).not.toContain('syt_abc123');
    expect(out).toContain('[redacted]');
  });
});

describe('matrix-bot-sdk logs', () => {
  it('are routed into our logger, with expected 404s demoted from error to debug', () => {
    const records: { level: number; msg: string; module?: string }[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        records.push(JSON.parse(String(chunk)));
        done();
      },
    });
    routeMatrixSdkLogs(createLogger('debug', sink));
    LogService.error('MatrixHttpClient', '(REQ-8) {"errcode":"M_NOT_FOUND","error":"Event not found."}');
    LogService.error('MatrixHttpClient', '(REQ-9) {"errcode":"M_FORBIDDEN","error":"no"}');
    LogService.info('MatrixClientLite', 'syncing');
    expect(records.map((r) => [r.level, r.module])).toEqual([
      [20, 'MatrixHttpClient'],
      [50, 'MatrixHttpClient'],
      [30, 'MatrixClientLite'],
    ]);
  });
});
