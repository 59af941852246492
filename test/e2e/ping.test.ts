// The bot as a real process on a real homeserver: autojoin on invite, then `!ping` -> "pong".
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
    bot = await startBot({ homeserverUrl: hs!.url, botUser });
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
});
