// The bot as a real process on a real homeserver: autojoin on invite, `!ping` -> "pong", the health
// endpoint, and a clean stop on SIGTERM.
import { expect } from 'vitest';
import { describeWorld, worldTest } from './support/fixtures.js';
import { pongInNewRoom } from './support/meeting-helpers.js';

// Port 0: the listener picks a free port and logs it.
const it = worldTest({ http: { enabled: true, port: 0 } });

describeWorld(it, 'bot process: !ping', () => {
  it('joins a room it is invited to and answers !ping with pong', async ({ w, botId }) => {
    const reply = await pongInNewRoom(await w.hs.registerUser('alice'), botId, 'ping test');
    expect(reply.sender).toBe(botId);
    expect(String(reply.content.body)).toContain('pong');
  });

  it('reports health over HTTP: database reachable and the time of the last sync', async ({ w }) => {
    const [started] = w.bot.logged('http listener started');
    expect(started).toBeDefined();
    const res = await fetch(`http://127.0.0.1:${String(started!.port)}/healthz`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { ok: boolean; lastSyncAt: number | null };
    expect(body.ok).toBe(true);
    expect(body.lastSyncAt).toBeGreaterThan(Date.now() - 5 * 60_000);
  });

  it('stops cleanly on SIGTERM', async ({ w }) => {
    expect(await w.bot.stop()).toEqual({ code: 0, signal: null });
    expect(w.bot.logged('bot stopped')).not.toEqual([]);
  });
});
