import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DecryptionRetry, type RawEvent } from '../../../src/matrix/intake/decryption-retry.js';

const encrypted = (eventId: string, sessionId: string): RawEvent => ({
  type: 'm.room.encrypted',
  event_id: eventId,
  sender: '@alice:hs',
  content: { algorithm: 'm.megolm.v1.aes-sha2', session_id: sessionId, ciphertext: 'x' },
});

/**
 * A fake engine (events of sessions whose key "arrived" decrypt; the others fail like the real one) and
 * event $e1 of session s1 waiting for its key, after its first attempt failed with `firstFailure`.
 */
function world(firstFailure = 'first') {
  const keys = new Set<string>();
  const decrypted: RawEvent[] = [];
  const gaveUp: { eventId: string; reason: string }[] = [];
  const decrypt = vi.fn(async (_roomId: string, event: RawEvent) => {
    if (!keys.has(event.content.session_id)) throw new Error('MEGOLM_UNKNOWN_INBOUND_SESSION_ID');
    return { ...event, type: 'm.room.message', content: { msgtype: 'm.text', body: '!ping' } };
  });
  const retry = new DecryptionRetry({
    decrypt,
    onDecrypted: async (_roomId, event) => {
      decrypted.push(event);
    },
    onGaveUp: async (_roomId, event, reason) => {
      gaveUp.push({ eventId: event.event_id, reason });
    },
    delaysMs: [1_000, 5_000],
  });
  retry.add('!r:hs', encrypted('$e1', 's1'), new Error(firstFailure));
  return { keys, decrypted, gaveUp, decrypt, retry };
}

describe('events that could not be decrypted', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('are handled as soon as their room key arrives', async () => {
    const w = world('MEGOLM_UNKNOWN_INBOUND_SESSION_ID');
    w.keys.add('s1');
    w.retry.keyArrived('!r:hs', 's1');
    await vi.waitFor(() => expect(w.decrypted).toHaveLength(1));
    expect(w.decrypted[0]).toMatchObject({
      event_id: '$e1',
      type: 'm.room.message',
      content: { body: '!ping' },
    });
    expect(w.retry.size).toBe(0);
    // Nothing is retried or given up later.
    await vi.advanceTimersByTimeAsync(10_000);
    expect(w.decrypted).toHaveLength(1);
    expect(w.gaveUp).toEqual([]);
  });

  it('are not retried for a key of another session, but on the backoff schedule', async () => {
    const w = world();
    w.keys.add('s2');
    w.retry.keyArrived('!r:hs', 's2');
    w.retry.keyArrived('!other:hs', 's1');
    await vi.advanceTimersByTimeAsync(0);
    expect(w.decrypt).not.toHaveBeenCalled();
    // The key came some other way (e.g. a key arrived for a session the event did not name).
    w.keys.add('s1');
    await vi.advanceTimersByTimeAsync(1_000);
    expect(w.decrypted.map((e) => e.event_id)).toEqual(['$e1']);
  });

  it('are given up after the last attempt, once, with the last reason', async () => {
    const w = world();
    w.retry.add('!r:hs', encrypted('$e1', 's1'), new Error('again')); // reported twice: one entry
    await vi.advanceTimersByTimeAsync(1_000);
    expect(w.gaveUp).toEqual([]);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(w.gaveUp).toEqual([{ eventId: '$e1', reason: 'MEGOLM_UNKNOWN_INBOUND_SESSION_ID' }]);
    expect(w.decrypt).toHaveBeenCalledTimes(2);
    expect(w.retry.size).toBe(0);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(w.gaveUp).toHaveLength(1);
  });

  it('stop waiting when the bot stops', async () => {
    const w = world();
    w.retry.stop();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(w.decrypt).not.toHaveBeenCalled();
    expect(w.gaveUp).toEqual([]);
  });
});
