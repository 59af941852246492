// Private prompts go out several at a time (a meeting of 100 waited for 100 DM rooms one after
// another), and each person is still asked exactly once, in their own DM room.
import { describe, expect } from 'vitest';
import { ALICE, BOB, CAROL, ORGANIZER, ROOM } from '../../support/app-harness.js';
import { directPromptQuestion } from '../../support/catalogue.js';
import { it } from '../../support/fixtures.js';
import { slowSends } from '../../support/slow-sends.js';

it.override('harnessConfig', { consent: { ask: 'direct' } });

describe('private prompts', () => {
  it('are posted side by side, one in each person’s DM room', async ({ h }) => {
    const sends = slowSends(h.chat, (text) => text.includes(directPromptQuestion));
    h.chat.room(ROOM, [ORGANIZER, ALICE, BOB, CAROL]);
    const { id: meetingId } = await h.plan(`Side by side ${ALICE} ${BOB} ${CAROL}`);

    expect(sends.most).toBeGreaterThan(1);
    for (const person of [ORGANIZER, ALICE, BOB, CAROL]) {
      const prompts = h.chat.dmOf(person).filter((m) => m.text.includes(directPromptQuestion));
      expect(prompts, person).toHaveLength(1);
      expect(h.app.ctx.stores.meetings.dmPrompt(meetingId, person)?.eventId).toBe(prompts[0]!.eventId);
    }
  });
});
