// Join links go out several at a time when a meeting opens (a meeting of 100 waited for 100 DMs one
// after another), each person still gets exactly one, and only who may receive it.
import { describe, expect } from 'vitest';
import { ALICE, BOB, CAROL, ORGANIZER, ROOM } from '../../support/app-harness.js';
import { it } from '../../support/fixtures.js';
import { slowSends } from '../../support/slow-sends.js';
import { joinLinks, openRecordedMeeting } from '../recordings/support.js';

describe('join links when a meeting opens', () => {
  it('are sent side by side, one to each person', async ({ h }) => {
    const sends = slowSends(h.chat, (text) => text.includes('/join?'));
    h.chat.room(ROOM, [ORGANIZER, ALICE, BOB, CAROL]);
    await openRecordedMeeting(h, 'Side by side', [ALICE, BOB, CAROL]);

    expect(sends.most).toBeGreaterThan(1);
    for (const person of [ORGANIZER, ALICE, BOB, CAROL]) expect(joinLinks(h, person)).toHaveLength(1);
  });
});
