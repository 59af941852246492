import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { rich } from '../../src/i18n/rich.js';
import { MatrixChatPort } from '../../src/matrix/chat/chat-port.js';
import { BotMatrixClient } from '../../src/matrix/sdk/client.js';
import { e2eHomeserver } from './support/context.js';
import { acceptNextInvite, messageFrom, waitForEvent } from './support/homeserver.js';

const hs = e2eHomeserver();

describe.skipIf(!hs)('keyed sends on a real Synapse', () => {
  it('a repeated send with the same key is the same event, so a resend after a crash is not a second message', async () => {
    const botUser = await hs!.registerUser('keyed-bot');
    const reader = await hs!.registerUser('keyed-reader');
    const client = new BotMatrixClient(hs!.url, botUser.accessToken);
    const chat = new MatrixChatPort(client, botUser.userId, pino({ level: 'silent' }));
    const roomId = await botUser.createRoom({ invite: [reader.userId] });
    await acceptNextInvite(reader, { from: botUser.userId });

    const first = await chat.send(roomId, rich`your link`, { key: 'link:1:@reader' });
    const again = await chat.send(roomId, rich`your link`, { key: 'link:1:@reader' });
    const other = await chat.send(roomId, rich`after`, { key: 'link:2:@reader' });
    expect(again).toBe(first);
    expect(other).not.toBe(first);

    await waitForEvent(reader, roomId, messageFrom(botUser.userId, 'after'));
    const seen = reader.sync
      .eventsIn(roomId)
      .filter((e) => e.type === 'm.room.message' && e.sender === botUser.userId);
    expect(seen.map((e) => (e.content as { body: string }).body)).toEqual(['your link', 'after']);
  });
});
