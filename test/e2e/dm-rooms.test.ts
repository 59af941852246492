// Direct-message rooms are checked before use, on the real Synapse (#8 defect 6): someone who left
// the bot's DM room gets the next link in a new one, not in the room nobody reads any more.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { e2eHomeserver } from './support/context.js';
import { acceptNextInvite, waitForEvent } from './support/homeserver.js';
import {
  BOT_TIMEOUT_MS,
  bodyOf,
  type MeetingWorld,
  olgaAliceBob,
  planMeeting,
  postFrom,
  receiveLink,
  startMeetingWorld,
} from './support/meeting-helpers.js';

const hs = e2eHomeserver();

describe.skipIf(!hs)('direct-message rooms', () => {
  let w: MeetingWorld;
  let botId: string;

  beforeAll(async () => {
    w = await startMeetingWorld(hs!);
    botId = w.botUser.userId;
  });

  afterAll(async () => {
    await w?.close();
  });

  it('are replaced when the person left: the next link goes to a new DM room', async () => {
    const { olga, alice, roomId } = await olgaAliceBob(w, 'dm check');
    await planMeeting(olga, roomId, botId, 'DM one', [alice], '--no-record');
    const first = await receiveLink(alice, botId);
    expect(bodyOf(first.event)).toContain('DM one');
    await alice.leave(first.dmRoomId);

    await planMeeting(olga, roomId, botId, 'DM two', [alice], '--no-record');
    const second = await acceptNextInvite(alice, { from: botId, timeoutMs: BOT_TIMEOUT_MS });
    expect(second).not.toBe(first.dmRoomId);
    const link = await waitForEvent(alice, second, postFrom(botId, '/api/join?'), {
      timeoutMs: BOT_TIMEOUT_MS,
      description: "Alice's second join link",
    });
    expect(bodyOf(link)).toContain('DM two');
  });
});
