// Room version 12 (Synapse 1.135+): room IDs are a hash without a server part, and the room's creator
// is all-powerful without an entry in m.room.power_levels. The whole consent flow must work there as in
// any other room.
import { expect } from 'vitest';
import { describeWorld, it } from './support/fixtures.js';
import { acceptNextInvite, membership, waitForEvent } from './support/homeserver.js';
import {
  expectAllAgreeRecorded,
  expectRedactedYesWithdrawn,
  type MeetingWorld,
  registerPeople,
  wait,
} from './support/meeting-helpers.js';

describeWorld(it, 'room version 12', () => {
  async function v12Room(w: MeetingWorld, name: string) {
    const botId = w.botUser.userId;
    const [olga, alice, bob] = await registerPeople(w.hs, ['Olga', 'Alice', 'Bob']);
    const roomId = await olga.createRoom({
      name,
      roomVersion: '12',
      invite: [botId, alice.userId, bob.userId],
    });
    const create = (await olga.request(
      'GET',
      `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/state/m.room.create/`,
    )) as { room_version?: string };
    expect(create.room_version).toBe('12');
    expect(roomId).not.toContain(':'); // v12: no server part
    const levels = (await olga.request(
      'GET',
      `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/state/m.room.power_levels/`,
    )) as { users?: Record<string, number> };
    expect(levels.users?.[olga.userId]).toBeUndefined(); // the creator is not in the map
    await Promise.all([alice, bob].map((u) => acceptNextInvite(u, { from: olga.userId })));
    for (const id of [botId, alice.userId, bob.userId])
      await waitForEvent(olga, roomId, membership(id, 'join'), wait);
    return { olga, alice, bob, roomId };
  }

  it('all agree: recorded, personal links by DM', async ({ w }) => {
    await expectAllAgreeRecorded(w, await v12Room(w, 'v12 all agree'), 'V12 sync');
  });

  it('a ✅ redacted before opening counts as withdrawn: the meeting opens unrecorded', async ({ w }) => {
    await expectRedactedYesWithdrawn(w, await v12Room(w, 'v12 redacted consent'), 'V12 retro');
  });
});
