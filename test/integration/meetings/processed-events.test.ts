import { describe, expect } from 'vitest';
import { DAY_MS } from '../../../src/domain/retention.js';
import { ALICE, type Harness, ORGANIZER, ROOM } from '../../support/app-harness.js';
import { it } from '../../support/fixtures.js';

const handled = (h: Harness) =>
  (h.app.ctx.stores.db.$client.prepare('select count(*) as n from processed_events').get() as { n: number })
    .n;

describe('handled event IDs', () => {
  // The meeting must outlive the 31 days (an unanswered one expires after limits.unansweredDays).
  it.override('harnessConfig', { limits: { unansweredDays: 60 } });
  it('keep a redelivered command from running twice, and are forgotten by the retention job after 30 days', async ({
    h,
  }) => {
    const command = { roomId: ROOM, sender: ORGANIZER, eventId: '$cmd', content: { body: `!status` } };
    await h.say(ORGANIZER, `!meeting Sync ${ALICE}`);
    await h.dispatcher.handle(command);
    const answers = h.chat.inRoom(ROOM).length;
    h.clock.advance(29 * DAY_MS);
    await h.app.retention.run();
    await h.dispatcher.handle(command); // redelivered: still known, not answered again
    expect(h.chat.inRoom(ROOM)).toHaveLength(answers);
    expect(handled(h)).toBe(2);

    h.clock.advance(2 * DAY_MS);
    await h.app.retention.run();
    expect(handled(h)).toBe(0);
  });
});
