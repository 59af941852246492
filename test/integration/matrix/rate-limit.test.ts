import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rich } from '../../../src/i18n/rich.js';
import { MatrixChatPort } from '../../../src/matrix/chat/chat-port.js';
import { BotMatrixClient } from '../../../src/matrix/sdk/client.js';

// A stand-in homeserver on loopback that rate-limits: it answers 429 M_LIMIT_EXCEEDED with
// retry_after_ms for the first `limited` sends, then accepts. matrix-bot-sdk alone would throw.
let server: Server;
let url: string;
let limited = 0;
const arrivals: number[] = [];

beforeEach(async () => {
  arrivals.length = 0;
  server = createServer((_req, res) => {
    arrivals.push(Date.now());
    res.setHeader('content-type', 'application/json');
    if (limited > 0) {
      limited--;
      res.writeHead(429);
      res.end(
        JSON.stringify({ errcode: 'M_LIMIT_EXCEEDED', error: 'Too many requests', retry_after_ms: 150 }),
      );
      return;
    }
    res.writeHead(200);
    res.end(JSON.stringify({ event_id: `$sent${arrivals.length}` }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterEach(async () => {
  await new Promise((resolve) => server.close(resolve));
});

describe('homeserver rate limits', () => {
  it('are waited out for the time the homeserver asks, then the message goes through', async () => {
    limited = 2;
    const chat = new MatrixChatPort(
      new BotMatrixClient(url, 'token'),
      '@bot:test',
      pino({ level: 'silent' }),
    );
    const eventId = await chat.send('!room:test', rich`hello`, { key: 'greeting' });
    expect(eventId).toBe('$sent3');
    expect(arrivals).toHaveLength(3);
    expect(arrivals[1]! - arrivals[0]!).toBeGreaterThanOrEqual(140);
    expect(arrivals[2]! - arrivals[1]!).toBeGreaterThanOrEqual(140);
  });

  it('other errors are not retried', async () => {
    limited = 0;
    server.removeAllListeners('request');
    server.on('request', (_req, res) => {
      arrivals.push(Date.now());
      res.writeHead(403, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errcode: 'M_FORBIDDEN', error: 'no' }));
    });
    const chat = new MatrixChatPort(
      new BotMatrixClient(url, 'token'),
      '@bot:test',
      pino({ level: 'silent' }),
    );
    await expect(chat.send('!room:test', rich`hello`)).rejects.toThrow();
    expect(arrivals).toHaveLength(1);
  });
});
