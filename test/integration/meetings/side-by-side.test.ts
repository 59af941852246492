// What goes to each person goes out several at a time (a meeting of 100 waited for 100 DMs one after
// another), and each person still gets exactly one: their join link, their private prompt.
import { describe, expect } from 'vitest';
import { ALICE, BOB, CAROL, ORGANIZER, ROOM } from '../../support/app-harness.js';
import { directPromptQuestion } from '../../support/catalogue.js';
import { it } from '../../support/fixtures.js';
import { slowSends } from '../../support/slow-sends.js';
import { joinLinks, openRecordedMeeting } from '../recordings/support.js';

const EVERYONE = [ORGANIZER, ALICE, BOB, CAROL];

describe('join links when a meeting opens', () => {
  it('are sent side by side, one to each person', async ({ h }) => {
    const sends = slowSends(h.chat, (text) => text.includes('/join?'));
    h.chat.room(ROOM, EVERYONE);
    await openRecordedMeeting(h, 'Side by side', [ALICE, BOB, CAROL]);

    expect(sends.most).toBeGreaterThan(1);
    for (const person of EVERYONE) expect(joinLinks(h, person)).toHaveLength(1);
  });
});

describe('private prompts', () => {
  it.override('harnessConfig', { consent: { ask: 'direct' } });

  it('are posted side by side, one in each person’s DM room', async ({ h }) => {
    const sends = slowSends(h.chat, (text) => text.includes(directPromptQuestion));
    h.chat.room(ROOM, EVERYONE);
    const { id: meetingId } = await h.plan(`Side by side ${ALICE} ${BOB} ${CAROL}`);

    expect(sends.most).toBeGreaterThan(1);
    for (const person of EVERYONE) {
      const prompts = h.chat.dmOf(person).filter((m) => m.text.includes(directPromptQuestion));
      expect(prompts, person).toHaveLength(1);
      expect(h.app.ctx.stores.meetings.dmPrompt(meetingId, person)?.eventId).toBe(prompts[0]!.eventId);
    }
  });
});
