// The 64 KiB event limit that test/support/memory-chat.ts enforces (#8 defect 8), checked against the
// real Synapse: what the bot's size estimate accepts, Synapse accepts; a bit more is refused by Synapse.
import { describe, expect, it } from 'vitest';
import { eventBytes, MAX_EVENT_BYTES } from '../../src/matrix/chat/content.js';
import { e2eHomeserver } from './support/context.js';

const hs = e2eHomeserver();

/** An m.notice whose body makes the estimated PDU exactly `bytes` long (worst-case envelope). */
function noticeOf(bytes: number): Record<string, unknown> {
  const content = { msgtype: 'm.notice', body: '' };
  content.body = 'x'.repeat(bytes - eventBytes(content));
  expect(eventBytes(content)).toBe(bytes);
  return content;
}

describe.skipIf(!hs)('event size limit', () => {
  it('Synapse takes every event the estimate allows and refuses one beyond the limit', async () => {
    const olga = await hs!.registerUser('olga');
    const roomId = await olga.createRoom({ name: 'event size' });
    await expect(olga.sendEvent(roomId, 'm.room.message', noticeOf(MAX_EVENT_BYTES))).resolves.toMatch(/^\$/);
    // The estimate is conservative (longest room ID, sender and server, ten prev_events): the real
    // envelope is smaller, so only clearly more than 64 KiB of content is refused.
    await expect(
      olga.sendEvent(roomId, 'm.room.message', { msgtype: 'm.notice', body: 'x'.repeat(MAX_EVENT_BYTES) }),
    ).rejects.toThrow(/413|M_TOO_LARGE/);
  });
});
