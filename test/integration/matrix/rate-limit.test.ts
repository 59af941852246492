import { describe, expect, it } from 'vitest';
import { rich } from '../../../src/i18n/rich.js';
import { chatPortOn, sendingHomeserver } from './support.js';

// A stand-in homeserver on loopback that rate-limits: it answers 429 M_LIMIT_EXCEEDED with
// retry_after_ms for the first `limited` sends, then accepts. matrix-bot-sdk alone would throw.
describe('homeserver rate limits', () => {
  it('are waited out for the time the homeserver asks, then the message goes through', async () => {
    const hs = await sendingHomeserver(150);
    hs.limited = 2;
    const eventId = await chatPortOn(hs.url).send('!room:test', rich`hello`, { key: 'greeting' });
    expect(eventId).toBe('$sent3');
    const { arrivals } = hs;
    expect(arrivals).toHaveLength(3);
    expect(arrivals[1]! - arrivals[0]!).toBeGreaterThanOrEqual(140);
    expect(arrivals[2]! - arrivals[1]!).toBeGreaterThanOrEqual(140);
  });

  it('other errors are not retried', async () => {
    const hs = await sendingHomeserver(150);
    hs.failWith = [403, { errcode: 'M_FORBIDDEN', error: 'no' }];
    await expect(chatPortOn(hs.url).send('!room:test', rich`hello`)).rejects.toThrow();
    expect(hs.arrivals).toHaveLength(1);
  });

  it('a send with its own transaction ID is tried again over a brief outage, as the same transaction', async () => {
    const hs = await sendingHomeserver(0);
    hs.badGateway = 2;
    const eventId = await chatPortOn(hs.url).send('!room:test', rich`hello`, { key: 'greeting' });
    expect(eventId).toBe('$sent3');
    expect(hs.paths).toHaveLength(3);
    expect(new Set(hs.paths).size).toBe(1);
    // It waited between the tries (0.5 s, then 1 s): the homeserver had time to come back.
    expect(hs.arrivals[2]! - hs.arrivals[0]!).toBeGreaterThanOrEqual(1_400);
  });

  it('a send without one is not tried again (a second try could post twice), nor a longer outage', async () => {
    const once = await sendingHomeserver(0);
    once.badGateway = 1;
    await expect(chatPortOn(once.url).send('!room:test', rich`hello`)).rejects.toMatchObject({
      statusCode: 502,
    });
    expect(once.arrivals).toHaveLength(1);

    const down = await sendingHomeserver(0);
    down.badGateway = 10;
    await expect(
      chatPortOn(down.url).send('!room:test', rich`hello`, { key: 'greeting' }),
    ).rejects.toMatchObject({
      statusCode: 502,
    });
    expect(down.arrivals).toHaveLength(4);
  }, 10_000);
});
