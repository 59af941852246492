import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DAY_MS } from '../../../src/domain/retention.js';
import { ALICE, createHarness, type Harness, ORGANIZER, ROOM } from '../../support/app-harness.js';

let h: Harness;
beforeEach(async () => {
  // The meeting must outlive the 31 days (an unanswered one expires after limits.unansweredDays).
  h = await createHarness({ limits: { unansweredDays: 60 } });
});
afterEach(async () => {
  await h.close();
});

const handled = () =>
  (h.app.ctx.stores.db.$client.prepare('select count(*) as n from processed_events').get() as { n: number })
    .n;

describe('handled event IDs', () => {
  it('keep a redelivered command from running twice, and are forgotten by the retention job after 30 days', async () => {
    const command = { roomId: ROOM, sender: ORGANIZER, eventId: '$cmd', content: { body: `!status` } };
    await h.say(ORGANIZER, `!meeting Sync ${ALICE}`);
    await h.dispatcher.handle(command);
    const answers = h.chat.inRoom(ROOM).length;
    h.clock.advance(29 * DAY_MS);
    await h.app.retention.run();
    await h.dispatcher.handle(command); // redelivered: still known, not answered again
    expect(h.chat.inRoom(ROOM)).toHaveLength(answers);
    expect(handled()).toBe(2);

    h.clock.advance(2 * DAY_MS);
    await h.app.retention.run();
    expect(handled()).toBe(0);
  });
});
