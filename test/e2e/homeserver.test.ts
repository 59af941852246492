// Proves the e2e harness itself against the real homeserver: users, rooms, messages,
// reactions, redactions and the timeout report of waitForEvent.
import { beforeAll, describe, expect, it } from 'vitest';
import { e2eHomeserver } from './support/context.js';
import {
  acceptNextInvite,
  membership,
  messageFrom,
  reactionTo,
  redactionOf,
  type TestUser,
  waitForEvent,
} from './support/homeserver.js';

const hs = e2eHomeserver();

describe.skipIf(!hs)('e2e harness on a real homeserver', () => {
  let alice: TestUser;
  let bob: TestUser;
  let roomId: string;

  beforeAll(async () => {
    alice = await hs!.registerUser('alice', { displayName: 'Alice' });
    bob = await hs!.registerUser('bob');
    roomId = await alice.createRoom({ invite: [bob.userId], name: 'harness' });
    expect(await acceptNextInvite(bob, { from: alice.userId })).toBe(roomId);
  });

  it('registers distinct, logged-in users', async () => {
    expect(alice.userId).not.toBe(bob.userId);
    expect(alice.displayName).toBe('Alice');
    expect(await alice.getJoinedRooms()).toContain(roomId);
    expect(await bob.getJoinedRooms()).toContain(roomId);
    await waitForEvent(alice, roomId, membership(bob.userId, 'join'));
  });

  it('delivers a message from A to B, then a reaction and its redaction back to A', async () => {
    const messageId = await alice.sendText(roomId, 'hello bob');
    const seen = await waitForEvent(bob, roomId, messageFrom(alice.userId, 'hello bob'));
    expect(seen.event_id).toBe(messageId);
    expect(seen.content.body).toBe('hello bob');

    const reactionId = await bob.react(roomId, messageId, '👍');
    const reaction = await waitForEvent(alice, roomId, reactionTo(messageId, '👍'));
    expect(reaction).toMatchObject({ event_id: reactionId, sender: bob.userId });

    const redactionId = await bob.redact(roomId, reactionId);
    const redaction = await waitForEvent(alice, roomId, redactionOf(reactionId));
    expect(redaction).toMatchObject({ event_id: redactionId, sender: bob.userId });
  });

  it('finds only events after an anchor with afterEventId', async () => {
    const first = await alice.sendText(roomId, 'same text');
    await waitForEvent(bob, roomId, (e) => e.event_id === first);
    const second = await alice.sendText(roomId, 'same text');
    const seen = await waitForEvent(bob, roomId, messageFrom(alice.userId, 'same text'), {
      afterEventId: first,
    });
    expect(seen.event_id).toBe(second);
  });

  it('changes display names', async () => {
    await bob.setDisplayName('Bob B.');
    const ev = await waitForEvent(
      alice,
      roomId,
      (e) => membership(bob.userId, 'join')(e) && e.content.displayname === 'Bob B.',
    );
    expect(ev.sender).toBe(bob.userId);
  });

  it('reports what it saw when waitForEvent times out', async () => {
    await expect(
      waitForEvent(bob, roomId, messageFrom(alice.userId, 'never sent'), {
        timeoutMs: 300,
        description: 'nothing',
      }),
    ).rejects.toThrow(/no event matching nothing .*within 300 ms[\s\S]*hello bob/);
  });
});
