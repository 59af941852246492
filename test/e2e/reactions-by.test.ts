// The start-up reconciliation's pass over a person's DM room (MatrixChatPort.reactionsBy) on a real
// Synapse: the person's reactions to the prompts asked about, none of anyone else's, none that were
// redacted, in one read of the room's timeline.
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { MatrixChatPort } from '../../src/matrix/chat/chat-port.js';
import { BotMatrixClient } from '../../src/matrix/sdk/client.js';
import { e2eHomeserver } from './support/context.js';
import { acceptNextInvite } from './support/homeserver.js';

const hs = e2eHomeserver();

describe.skipIf(!hs)("reading a person's reactions in their DM room", () => {
  it('finds their current reaction to each prompt asked about, not the bot’s, not a redacted one', async () => {
    const botUser = await hs!.registerUser('scan-bot');
    const person = await hs!.registerUser('scan-person');
    const client = new BotMatrixClient(hs!.url, botUser.accessToken);
    const chat = new MatrixChatPort(client, botUser.userId, pino({ level: 'silent' }));
    const roomId = await botUser.createRoom({ isDirect: true, invite: [person.userId] });
    await acceptNextInvite(person, { from: botUser.userId });
    const since = Date.now() - 60_000;
    const [first, second, other] = [
      await botUser.sendText(roomId, 'prompt 1'),
      await botUser.sendText(roomId, 'prompt 2'),
      await botUser.sendText(roomId, 'not asked about'),
    ];
    await botUser.react(roomId, first!, '✅'); // the bot's seed
    const yes = await person.react(roomId, first!, '✅');
    const no = await person.react(roomId, second!, '❌');
    await person.react(roomId, other!, '✅');
    await person.redact(roomId, no);

    const found = await chat.reactionsBy(roomId, person.userId, [first!, second!], since);
    expect([...found.keys()].sort()).toEqual([first, second].sort());
    expect(found.get(first!)).toEqual({
      reactions: [{ eventId: yes, sender: person.userId, key: '✅', ts: expect.any(Number) }],
      unreadable: [],
    });
    expect(found.get(second!)).toEqual({ reactions: [], unreadable: [] });
  });
});
