// The bot as a real process on a real homeserver: autojoin on invite, `!ping` -> "pong", the health
// endpoint, and a clean stop on SIGTERM.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BotProcess, startBot } from './support/bot-process.js';
import { e2eHomeserver } from './support/context.js';
import { membership, messageFrom, type TestUser, waitForEvent } from './support/homeserver.js';

const hs = e2eHomeserver();

describe.skipIf(!hs)('bot process: !ping', () => {
  let botUser: TestUser;
  let alice: TestUser;
  let bot: BotProcess | undefined;

  beforeAll(async () => {
    botUser = await hs!.registerUser('meetbot', { displayName: 'Meeting Bot' });
    alice = await hs!.registerUser('alice');
    // Port 0: the listener picks a free port and logs it.
    bot = await startBot({ homeserverUrl: hs!.url, botUser, config: { http: { enabled: true, port: 0 } } });
  });

  afterAll(async () => {
    await bot?.dispose();
  });

  it('joins a room it is invited to and answers !ping with pong', async () => {
    const roomId = await alice.createRoom({ invite: [botUser.userId], name: 'ping test' });
    await waitForEvent(alice, roomId, membership(botUser.userId, 'join'), {
      timeoutMs: 20_000,
      description: 'the bot joining',
    });

    const pingId = await alice.sendText(roomId, '!ping');
    const reply = await waitForEvent(alice, roomId, messageFrom(botUser.userId, 'pong'), {
      afterEventId: pingId,
      timeoutMs: 15_000,
      description: "the bot's pong",
    });
    expect(reply.sender).toBe(botUser.userId);
    expect(String(reply.content.body)).toContain('pong');
  });

  it('reports health over HTTP: database reachable and the time of the last sync', async () => {
    const started = bot!.records().find((r) => r.msg === 'http listener started');
    expect(started).toBeDefined();
    const res = await fetch(`http://127.0.0.1:${String(started!.port)}/healthz`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { ok: boolean; lastSyncAt: number | null };
    expect(body.ok).toBe(true);
    expect(body.lastSyncAt).toBeGreaterThan(Date.now() - 5 * 60_000);
  });

  it('stops cleanly on SIGTERM', async () => {
    const exit = await bot!.stop();
    expect(exit).toEqual({ code: 0, signal: null });
    expect(bot!.records().some((r) => r.msg === 'bot stopped')).toBe(true);
  });
});
