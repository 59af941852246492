// A meeting at the invitee cap, end to end (#8 defect 8). The bot runs with a small cap
// (limits.maxInvitees: 3) to keep this fast; the 64 KiB bound at the default cap of 100 is covered
// by test/integration/meetings/bounds.test.ts.
import { describe, expect } from 'vitest';
import { recordingOn, said, t } from '../support/catalogue.js';
import { e2eHomeserver } from './support/context.js';
import { startWorld, worldTest } from './support/fixtures.js';
import { type TestUser, waitForEvent } from './support/homeserver.js';
import {
  bodyOf,
  createMeetingRoom,
  isOpened,
  planMeeting,
  postFrom,
  registerPeople,
  sessionsNamed,
  wait,
} from './support/meeting-helpers.js';

const hs = e2eHomeserver();
const it = worldTest({ limits: { maxInvitees: 3 } });

describe.skipIf(!hs)('invitee cap', () => {
  it.beforeAll(startWorld);

  it('plans a meeting at the cap and refuses one person more, with the numbers', async ({ w, botId }) => {
    const [olga, alice, bob, dave] = (await registerPeople(hs!, ['Olga', 'Alice', 'Bob', 'Dave'])) as [
      TestUser,
      TestUser,
      TestUser,
      TestUser,
    ];
    const roomId = await createMeetingRoom(olga, botId, [alice, bob, dave], 'cap');

    // Nobody named: the whole room (4 people) would be invited, one more than the cap.
    const everyoneId = await olga.sendText(roomId, '!meeting Everyone');
    const refusedRoom = await waitForEvent(olga, roomId, postFrom(botId, said(t.tooManyRoomMembers(4, 3))), {
      ...wait,
      afterEventId: everyoneId,
    });
    expect(bodyOf(refusedRoom)).toContain(said(t.tooManyRoomMembers(4, 3)));

    // Olga, Alice and Bob: exactly the cap.
    const title = 'Cap sync';
    const m = await planMeeting(olga, roomId, botId, title, [alice, bob]);
    for (const u of [olga, alice, bob]) await u.react(roomId, m.prompt.event_id, '✅');
    const opened = await waitForEvent(olga, roomId, isOpened(botId, title), wait);
    expect(bodyOf(opened)).toContain(recordingOn(3));
    expect(sessionsNamed(w.sim, title)[0]?.record).toBe(true);

    const inviteId = await olga.sendText(roomId, `!invite ${dave.userId}`);
    const refused = await waitForEvent(
      olga,
      roomId,
      postFrom(botId, said(t.tooManyForMeeting(title, 3, 1, 3))),
      {
        ...wait,
        afterEventId: inviteId,
      },
    );
    expect(bodyOf(refused)).toContain(said(t.tooManyForMeeting(title, 3, 1, 3)));
  });
});
