import { LogService } from '@vector-im/matrix-bot-sdk';
import { describe, expect, it } from 'vitest';
import { registerSecret, routeMatrixSdkLogs } from '../../src/log.js';
import { logSink } from '../support/log-sink.js';

describe('logging', () => {
  it('never writes registered secrets, checksums or access tokens', () => {
    registerSecret('super-secret-bbb-salt');
    const { log, out } = logSink('info');
    log.info(
      { url: `https://bbb/api/join?fullName=A&checksum=${'a'.repeat(64)}` },
      'secret is super-secret-bbb-salt',
    );
    log.info('GET /_matrix/client/v3/sync?access_token=syt_abc123&since=1');
    expect(out()).not.toContain('super-secret-bbb-salt');
    expect(out()).not.toContain('a'.repeat(64));
    expect(out()).not.toContain('syt_abc123');
    expect(out()).toContain('[redacted]');
  });
});

describe('redaction of escaped and encoded forms', () => {
  // Secrets with the characters that JSON, HTML and URLs escape.
  const bbbSecret = 'bbb"quote\\back<slash>&amp\'s 0123';
  const token = 'syt_tok"en\\with&odd=chars';
  registerSecret(bbbSecret);
  registerSecret(token);

  it('scrubs a secret with " and \\ written as a JSON string value (escaped once)', () => {
    const { log, out } = logSink();
    log.info({ secret: bbbSecret, nested: { token } }, `message with ${bbbSecret}`);
    expect(out()).not.toContain(JSON.stringify(bbbSecret).slice(1, -1));
    expect(out()).not.toContain(JSON.stringify(token).slice(1, -1));
    expect(out()).not.toContain('quote');
    expect(out()).not.toContain('odd=chars');
    expect(out()).toContain('[redacted]');
  });

  it('scrubs a secret inside a JSON text logged as a string (escaped twice)', () => {
    const { log, out } = logSink();
    log.info({ body: JSON.stringify({ access_token: token, secret: bbbSecret }) }, 'request');
    expect(out()).not.toContain('quote');
    expect(out()).not.toContain('odd=chars');
  });

  it('scrubs HTML-escaped and URL-encoded secrets', () => {
    const { log, out } = logSink();
    const html = bbbSecret
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&#39;');
    log.info({ formatted_body: `<p>${html}</p>` }, 'html');
    log.info(`GET https://bbb/api/x?secret=${encodeURIComponent(bbbSecret)}&t=${encodeURIComponent(token)}`);
    log.info(`form ${encodeURIComponent(bbbSecret).replace(/%20/g, '+').replace(/'/g, '%27')}`);
    expect(out()).not.toContain('quote');
    expect(out()).not.toContain('odd=chars');
    expect(out().match(/\[redacted\]/g)?.length).toBeGreaterThanOrEqual(4);
  });

  it('scrubs checksums in HTML-escaped, URL-encoded and JSON-escaped join links', () => {
    const { log, out } = logSink();
    const sum = 'b'.repeat(64);
    const url = `https://bbb.example/api/join?fullName=A&meetingID=m&checksum=${sum}`;
    routeMatrixSdkLogs(log);
    // matrix-bot-sdk logs the request body of a sent message at trace level: HTML inside JSON text.
    LogService.trace(
      'MatrixHttpClient',
      JSON.stringify({ formatted_body: `<a href="${url.replace(/&/g, '&amp;')}">join</a>` }),
    );
    log.info({ html: url.replace(/&/g, '&amp;') }, 'escaped');
    log.info(`https://proxy/?next=${encodeURIComponent(url)}`);
    log.info(`https://proxy/?next=${encodeURIComponent(encodeURIComponent(url))}`);
    log.info({ unicode: url.replace(/=/g, '\\u003d') }, 'unicode-escaped');
    expect(out()).not.toContain(sum);
    expect(out()).toContain('fullName');
  });

  it('scrubs the password and the new token of a device login, in the request and the answer', () => {
    const { log, out } = logSink();
    const password = 'geheim "quoted" with \\ and & <chars>';
    const newToken = 'syt_bWVldGJvdA_NewDeviceToken_0a1b2c';
    registerSecret(password);
    registerSecret(newToken);
    routeMatrixSdkLogs(log);
    const request = { type: 'm.login.password', identifier: { type: 'm.id.user', user: '@bot:x' }, password };
    LogService.trace('MatrixHttpClient', JSON.stringify(request));
    log.debug({ body: JSON.stringify({ access_token: newToken, device_id: 'NEWDEVICE' }) }, 'login answer');
    log.error({ err: new Error(`login failed for ${password}`) }, 'could not log in a new device');
    expect(out()).not.toContain('geheim');
    expect(out()).not.toContain('NewDeviceToken');
    expect(out()).toContain('NEWDEVICE');
  });

  it('scrubs access tokens in URL-encoded query strings', () => {
    const { log, out } = logSink();
    log.info(`https://x/?u=${encodeURIComponent('https://hs/_matrix?access_token=syt_plain_123&since=1')}`);
    expect(out()).not.toContain('syt_plain_123');
  });
});

describe('matrix-bot-sdk logs', () => {
  it('are routed into our logger, with expected 404s demoted from error to debug', () => {
    const { log, records } = logSink('debug');
    routeMatrixSdkLogs(log);
    LogService.error('MatrixHttpClient', '(REQ-8) {"errcode":"M_NOT_FOUND","error":"Event not found."}');
    LogService.error('MatrixHttpClient', '(REQ-9) {"errcode":"M_FORBIDDEN","error":"no"}');
    LogService.info('MatrixClientLite', 'syncing');
    expect(records().map((r) => [r.level, r.module])).toEqual([
      [20, 'MatrixHttpClient'],
      [50, 'MatrixHttpClient'],
      [30, 'MatrixClientLite'],
    ]);
  });
});
