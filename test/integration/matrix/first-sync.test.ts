// The syncs of a start (design.md §3.8: the bot acts on open meetings only after the events sent
// while it was down, BotMatrixClient.caughtUp): a stand-in homeserver over real HTTP that, like Synapse,
// holds a long-poll /sync until its timeout when nothing is new. The start-up's syncs must not be held
// (the start waits for them), later ones long-poll.
import { MemoryStorageProvider } from '@vector-im/matrix-bot-sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BotMatrixClient } from '../../../src/matrix/sdk/client.js';
import { json, serve } from '../../support/stand-in-servers.js';

let url: string;
let client: BotMatrixClient | undefined;
/** The `timeout` of every /sync, in order. */
let timeouts: string[];
const HOLD_CAP_MS = 5_000;

beforeEach(async () => {
  timeouts = [];
  ({ url } = await serve((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname.endsWith('/account/whoami')) return json(res, 200, { user_id: '@bot:example.org' });
    if (url.pathname.endsWith('/joined_rooms')) return json(res, 200, { joined_rooms: [] });
    if (url.pathname.includes('/account_data/')) return json(res, 200, {});
    if (url.pathname.endsWith('/filter')) return json(res, 200, { filter_id: 'f1' });
    if (url.pathname.endsWith('/sync')) {
      const timeout = url.searchParams.get('timeout') ?? '';
      timeouts.push(timeout);
      // Nothing new: the homeserver answers when the timeout is up (capped for the test).
      const hold = Math.min(Number(timeout) || 0, HOLD_CAP_MS);
      const timer = setTimeout(() => json(res, 200, { next_batch: `s${timeouts.length + 1}` }), hold);
      res.on('close', () => clearTimeout(timer));
      return;
    }
    json(res, 404, { errcode: 'M_NOT_FOUND', error: 'not here' });
  }));
});

afterEach(() => client?.stop());

describe('the syncs of a start', () => {
  it('after a restart (a stored sync token, nothing new) are answered at once; later syncs long-poll', async () => {
    const storage = new MemoryStorageProvider();
    storage.setSyncToken('s1');
    client = new BotMatrixClient(url, 'token', storage);
    const started = performance.now();
    await client.start();
    await client.caughtUp;
    expect(performance.now() - started).toBeLessThan(HOLD_CAP_MS / 2);
    expect(timeouts.slice(0, 2)).toEqual(['0', '0']);
    await new Promise((r) => setTimeout(r, 200));
    expect(timeouts[2]).toBe(String(client.syncingTimeout));
    expect(client.syncingTimeout).toBeGreaterThan(0);
  });
});
