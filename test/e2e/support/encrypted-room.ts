import { expect, vi } from 'vitest';
import { CryptoUser } from './crypto-user.js';
import { acceptNextInvite, membership, type TestUser, waitForEvent } from './homeserver.js';
import { type MeetingWorld, registerPeople, wait } from './meeting-helpers.js';

// People on clients that really encrypt, set as Element is (cross-signed users, "exclude insecure
// devices"), in an encrypted room with the bot: the set-up every encrypted e2e file shares.

/** matrix-js-sdk's module-level logger prints every step to the console; its errors still show. */
export function quietMatrixJsSdk(): void {
  for (const level of ['log', 'info', 'debug'] as const)
    vi.spyOn(console, level).mockImplementation(() => {});
}

/** The bot's devices as another user's client sees them. */
export async function botDevices(viewer: TestUser, botId: string): Promise<string[]> {
  const res = (await viewer.request('POST', '/_matrix/client/v3/keys/query', {
    device_keys: { [botId]: [] },
  })) as { device_keys: Record<string, Record<string, unknown>> };
  return Object.keys(res.device_keys[botId] ?? {}).sort();
}

/**
 * Olga, Alice and Bob on encrypting clients (added to `clients`, for stopping), in a new encrypted
 * room with the bot, each seeing everyone joined; checks the bot's device is what "exclude insecure
 * devices" requires: signed by its owner.
 */
export async function encryptedRoom(
  w: MeetingWorld,
  clients: CryptoUser[],
  name: string,
  roomVersion?: string,
): Promise<{ olga: CryptoUser; alice: CryptoUser; bob: CryptoUser; roomId: string }> {
  const botId = w.botUser.userId;
  const people = await registerPeople(w.hs, ['Olga', 'Alice', 'Bob']);
  const [olga, alice, bob] = (await Promise.all(
    people.map((p) => CryptoUser.start(p, { element: true })),
  )) as [CryptoUser, CryptoUser, CryptoUser];
  clients.push(olga, alice, bob);
  const roomId = await olga.user.createRoom({
    name,
    encrypted: true,
    ...(roomVersion ? { roomVersion } : {}),
    invite: [botId, alice.userId, bob.userId],
  });
  await Promise.all([alice, bob].map((u) => acceptNextInvite(u.user, { from: olga.userId })));
  await waitForEvent(olga.user, roomId, membership(botId, 'join'), wait);
  for (const u of [olga, alice, bob]) await u.awaitMembers(roomId, [botId, ...people.map((p) => p.userId)]);
  const [botDevice] = await botDevices(olga.user, botId);
  expect(await olga.deviceTrust(botId, botDevice!)).toEqual({ known: true, signedByOwner: true });
  return { olga, alice, bob, roomId };
}
