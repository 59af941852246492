import { expect } from 'vitest';
import { CryptoUser } from './crypto-user.js';
import { acceptNextInvite, membership, type TestUser, waitForEvent } from './homeserver.js';
import {
  BOT_TIMEOUT_MS,
  bodyOf,
  expectWorkingLink,
  isNotice,
  isPrompt,
  joinUrlIn,
  type MeetingWorld,
  postFrom,
  registerPeople,
  wait,
} from './meeting-helpers.js';

// People on clients that really encrypt, set as Element is (cross-signed users, "exclude insecure
// devices"), in an encrypted room with the bot: the set-up every encrypted e2e file shares.

/** A user's device keys as the homeserver publishes them to `viewer`, by device ID. */
export async function publishedKeys(viewer: TestUser, userId: string) {
  const res = (await viewer.request('POST', '/_matrix/client/v3/keys/query', {
    device_keys: { [userId]: [] },
  })) as { device_keys: Record<string, Record<string, { device_id: string; keys: Record<string, string> }>> };
  return res.device_keys[userId] ?? {};
}

/** The bot's devices as another user's client sees them. */
export const botDevices = async (viewer: TestUser, botId: string) =>
  Object.keys(await publishedKeys(viewer, botId)).sort();

/**
 * Olga, Alice and Bob on encrypting clients (added to `clients`, for stopping; as Element is unless
 * `element: false`), in a new encrypted room with the bot, each seeing everyone joined; checks the bot's
 * device is what "exclude insecure devices" requires: signed by its owner.
 */
export async function encryptedRoom(
  w: MeetingWorld,
  clients: CryptoUser[],
  name: string,
  opts: { roomVersion?: string; element?: boolean } = {},
): Promise<{ olga: CryptoUser; alice: CryptoUser; bob: CryptoUser; roomId: string }> {
  const botId = w.botUser.userId;
  const people = await registerPeople(w.hs, ['Olga', 'Alice', 'Bob']);
  const element = opts.element ?? true;
  const [olga, alice, bob] = (await Promise.all(people.map((p) => CryptoUser.start(p, { element })))) as [
    CryptoUser,
    CryptoUser,
    CryptoUser,
  ];
  clients.push(olga, alice, bob);
  const roomId = await olga.user.createRoom({
    name,
    encrypted: true,
    ...(opts.roomVersion ? { roomVersion: opts.roomVersion } : {}),
    invite: [botId, alice.userId, bob.userId],
  });
  await Promise.all([alice, bob].map((u) => acceptNextInvite(u.user, { from: olga.userId })));
  await waitForEvent(olga.user, roomId, membership(botId, 'join'), wait);
  for (const u of [olga, alice, bob]) await u.awaitMembers(roomId, [botId, ...people.map((p) => p.userId)]);
  const [botDevice] = await botDevices(olga.user, botId);
  expect(await olga.deviceTrust(botId, botDevice!)).toEqual({ known: true, signedByOwner: true });
  return { olga, alice, bob, roomId };
}

/** A new encrypted room of `u`'s with the bot, once `u`'s client sees the bot joined (it encrypts for it). */
export async function roomWithBot(u: CryptoUser, botId: string, name: string): Promise<string> {
  const roomId = await u.user.createRoom({ name, encrypted: true, invite: [botId] });
  await waitForEvent(u.user, roomId, membership(botId, 'join'), wait);
  await u.awaitMembers(roomId, [botId, u.userId]);
  return roomId;
}

/** Sends `!meeting <title> <invitees…>` (encrypted) and waits for the notice and the prompt, decrypted. */
export async function planEncrypted(
  w: MeetingWorld,
  organizer: CryptoUser,
  roomId: string,
  title: string,
  invitees: CryptoUser[],
) {
  const botId = w.botUser.userId;
  const commandId = await organizer.sendText(
    roomId,
    ['!meeting', title, ...invitees.map((u) => u.userId)].join(' '),
  );
  const after = { afterEventId: commandId, ...wait };
  const notice = await organizer.waitFor(roomId, isNotice(botId), after);
  const prompt = await organizer.waitFor(roomId, isPrompt(botId), after);
  return { commandId, notice, prompt };
}

/** An encrypted `!ping` from `u`; the bot's pong comes back encrypted (also a barrier: see pingBarrier). */
export async function expectEncryptedPong(u: CryptoUser, roomId: string, botId: string): Promise<void> {
  const ping = await u.sendText(roomId, '!ping');
  const pong = await u.waitFor(roomId, postFrom(botId, 'pong'), { afterEventId: ping, ...wait });
  expect(pong.encrypted, 'the pong is encrypted').toBe(true);
}

/** The Megolm session an encrypted event of `u`'s went out in. */
export function megolmSession(u: CryptoUser, roomId: string, eventId: string): string {
  const session = u.client.getRoom(roomId)?.findEventById(eventId)?.getWireContent().session_id;
  expect(session, `the Megolm session of ${eventId}`).toBeTypeOf('string');
  return session as string;
}

/**
 * Each person's link arrives encrypted in their DM room with the bot (`dmRooms[i]`; else they accept the
 * bot's invite to a new one, which must be a Megolm room) and lets them in: the organizer as moderator.
 */
export async function expectEncryptedLinks(
  w: MeetingWorld,
  organizer: CryptoUser,
  people: CryptoUser[],
  dmRooms: string[] = [],
) {
  const botId = w.botUser.userId;
  await Promise.all(
    people.map(async (u, i) => {
      let dmRoomId = dmRooms[i];
      if (!dmRoomId) {
        dmRoomId = await acceptNextInvite(u.user, { from: botId, timeoutMs: BOT_TIMEOUT_MS });
        await expectMegolmRoom(u.user, dmRoomId);
      }
      const how = { ...wait, description: `${u.userId}'s join link` };
      const event = await u.waitFor(dmRoomId, postFrom(botId, '/api/join?'), how);
      expect(event.encrypted, `${u.userId}'s link is encrypted`).toBe(true);
      const role = u === organizer ? 'MODERATOR' : 'VIEWER';
      await expectWorkingLink(w.sim, joinUrlIn(bodyOf(event))!, u.user, role);
    }),
  );
}

/** Checks the room's m.room.encryption state: Megolm. */
export async function expectMegolmRoom(user: TestUser, roomId: string): Promise<void> {
  const path = `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/state/m.room.encryption/`;
  expect(await user.request('GET', path)).toMatchObject({ algorithm: 'm.megolm.v1.aes-sha2' });
}

/** The account's devices, as the homeserver lists them to the account itself. */
export async function ownDevices(account: TestUser): Promise<string[]> {
  const res = (await account.request('GET', '/_matrix/client/v3/devices')) as {
    devices: { device_id: string }[];
  };
  return res.devices.map((d) => d.device_id).sort();
}
