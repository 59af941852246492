// A meeting at the invitee cap, end to end (#8 defect 8). The bot runs with a small cap
// (limits.maxInvitees: 3) to keep this fast; the 64 KiB bound at the default cap of 100 is covered
// by test/integration/meetings/bounds.test.ts.
import { expect } from 'vitest';
import { recordingOn, said, t } from '../support/catalogue.js';
import { describeWorld, worldTest } from './support/fixtures.js';
import { waitForEvent } from './support/homeserver.js';
import {
  ask,
  bodyOf,
  isOpened,
  peopleInRoom,
  planMeeting,
  postFrom,
  sessionsNamed,
  wait,
} from './support/meeting-helpers.js';

const it = worldTest({ limits: { maxInvitees: 3 } });

describeWorld(it, 'invitee cap', () => {
  it('plans a meeting at the cap and refuses one person more, with the numbers', async ({ w, botId }) => {
    const { people, roomId } = await peopleInRoom(w, ['Olga', 'Alice', 'Bob', 'Dave'], 'cap');
    const [olga, alice, bob, dave] = people;

    // Nobody named: the whole room (4 people) would be invited, one more than the cap.
    const refusedRoom = await ask(
      olga,
      roomId,
      '!meeting Everyone',
      postFrom(botId, said(t.tooManyRoomMembers(4, 3))),
    );
    expect(bodyOf(refusedRoom)).toContain(said(t.tooManyRoomMembers(4, 3)));

    // Olga, Alice and Bob: exactly the cap.
    const title = 'Cap sync';
    const m = await planMeeting(olga, roomId, botId, title, [alice, bob]);
    for (const u of [olga, alice, bob]) await u.react(roomId, m.prompt.event_id, '✅');
    const opened = await waitForEvent(olga, roomId, isOpened(botId, title), wait);
    expect(bodyOf(opened)).toContain(recordingOn(3));
    expect(sessionsNamed(w.sim, title)[0]?.record).toBe(true);

    const tooMany = said(t.tooManyForMeeting(title, 3, 1, 3));
    const refused = await ask(olga, roomId, `!invite ${dave.userId}`, postFrom(botId, tooMany));
    expect(bodyOf(refused)).toContain(tooMany);
  });
});
