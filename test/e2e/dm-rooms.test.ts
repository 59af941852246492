// Direct-message rooms are checked before use, on the real Synapse (#8 defect 6): someone who left
// the bot's DM room gets the next link in a new one, not in the room nobody reads any more.
import { expect } from 'vitest';
import { describeWorld, it } from './support/fixtures.js';
import { acceptNextInvite, waitForEvent } from './support/homeserver.js';
import {
  BOT_TIMEOUT_MS,
  bodyOf,
  olgaAliceBob,
  planMeeting,
  postFrom,
  receiveLink,
} from './support/meeting-helpers.js';

describeWorld(it, 'direct-message rooms', () => {
  it('are replaced when the person left: the next link goes to a new DM room', async ({ w, botId }) => {
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
