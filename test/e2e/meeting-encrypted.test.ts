// The consent flow in an end-to-end encrypted room on the real Synapse, with people whose clients really
// encrypt (matrix-js-sdk 43, Rust crypto). Commands go in encrypted; the bot's answers, its prompt and
// the direct messages with the join links come back encrypted; ✅/❌ count whether they were sent in
// the clear (as Element and matrix-js-sdk do) or encrypted (as some clients do). After a restart the
// bot still reads what it was sent before, on the same device.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { e2eHomeserver } from './support/context.js';
import { CryptoUser } from './support/crypto-user.js';
import { acceptNextInvite, membership, type TestUser, waitForEvent } from './support/homeserver.js';
import {
  BOT_TIMEOUT_MS,
  bodyOf,
  expectWorkingLink,
  isNotice,
  isOpened,
  isPrompt,
  joinUrlIn,
  type MeetingWorld,
  postFrom,
  registerPeople,
  sessionsNamed,
  startMeetingWorld,
} from './support/meeting-helpers.js';

const hs = e2eHomeserver();
const wait = { timeoutMs: BOT_TIMEOUT_MS };

describe.skipIf(!hs)('consent-gated meeting in an end-to-end encrypted room', () => {
  let w: MeetingWorld;
  let botId: string;
  const clients: CryptoUser[] = [];

  beforeAll(async () => {
    // matrix-js-sdk's module-level logger prints every step to the console; its errors still show.
    for (const level of ['log', 'info', 'debug'] as const)
      vi.spyOn(console, level).mockImplementation(() => {});
    w = await startMeetingWorld(hs!, { config: { matrix: { encryption: true } } }); // the default in production
    botId = w.botUser.userId;
  });

  afterAll(async () => {
    for (const c of clients) c.stop();
    await w?.close();
  });

  /** Olga, Alice and Bob on encrypting clients, in a new encrypted room with the bot. */
  async function encryptedRoom(name: string, roomVersion?: string) {
    const people = (await registerPeople(w.hs, ['Olga', 'Alice', 'Bob'])) as [TestUser, TestUser, TestUser];
    const [olga, alice, bob] = await Promise.all(people.map((p) => CryptoUser.start(p)));
    clients.push(olga!, alice!, bob!);
    const roomId = await olga!.user.createRoom({
      name,
      encrypted: true,
      ...(roomVersion ? { roomVersion } : {}),
      invite: [botId, alice!.userId, bob!.userId],
    });
    await Promise.all([alice!, bob!].map((u) => acceptNextInvite(u.user, { from: olga!.userId })));
    await waitForEvent(olga!.user, roomId, membership(botId, 'join'), wait);
    for (const u of [olga!, alice!, bob!])
      await u.awaitMembers(roomId, [botId, ...people.map((p) => p.userId)]);
    return { olga: olga!, alice: alice!, bob: bob!, roomId };
  }

  async function plan(organizer: CryptoUser, roomId: string, title: string, invitees: CryptoUser[]) {
    const command = ['!meeting', title, ...invitees.map((u) => u.userId)].join(' ');
    const commandId = await organizer.sendText(roomId, command);
    const after = { afterEventId: commandId, ...wait };
    const notice = await organizer.waitFor(roomId, isNotice(botId), after);
    const prompt = await organizer.waitFor(roomId, isPrompt(botId), after);
    return { commandId, notice, prompt };
  }

  /** Accepts the bot's DM invite and reads the personal link there, decrypted. */
  async function encryptedLink(u: CryptoUser) {
    const dmRoomId = await acceptNextInvite(u.user, { from: botId, timeoutMs: BOT_TIMEOUT_MS });
    const event = await u.waitFor(dmRoomId, postFrom(botId, '/api/join?'), {
      ...wait,
      description: `${u.userId}'s join link`,
    });
    const encryption = await u.user.request(
      'GET',
      `/_matrix/client/v3/rooms/${encodeURIComponent(dmRoomId)}/state/m.room.encryption/`,
    );
    return { dmRoomId, event, url: joinUrlIn(bodyOf(event))!, encryption };
  }

  it('all agree, ✅ in the clear and encrypted: recorded, links arrive in encrypted DMs', async () => {
    const { olga, alice, bob, roomId } = await encryptedRoom('encrypted all agree');
    const title = 'Encrypted sync';
    const m = await plan(olga, roomId, title, [alice, bob]);
    // The command was read after decryption; what the bot says is encrypted too.
    expect(m.notice.encrypted).toBe(true);
    expect(m.prompt.encrypted).toBe(true);
    expect(bodyOf(m.notice)).toContain(`„${title}“`);

    await olga.user.react(roomId, m.prompt.event_id, '✅'); // in the clear, like Element
    const aliceReaction = await alice.reactEncrypted(roomId, m.prompt.event_id, '✅');
    await bob.client.sendEvent(
      roomId,
      'm.reaction' as never,
      {
        'm.relates_to': { rel_type: 'm.annotation', event_id: m.prompt.event_id, key: '✅' },
      } as never,
    ); // matrix-js-sdk: in the clear

    const opened = await olga.waitFor(roomId, isOpened(botId, title), wait);
    expect(opened.encrypted).toBe(true);
    expect(bodyOf(opened)).toContain('Aufzeichnung AN – alle 3 haben zugestimmt.');
    const sessions = sessionsNamed(w.sim, title);
    expect(sessions).toHaveLength(1);
    expect(sessions[0]).toMatchObject({ record: true, autoStartRecording: true });

    for (const u of [olga, alice, bob]) {
      const link = await encryptedLink(u);
      expect(link.event.encrypted, `${u.userId}'s link is encrypted`).toBe(true);
      expect(link.encryption).toMatchObject({ algorithm: 'm.megolm.v1.aes-sha2' });
      await expectWorkingLink(w.sim, link.url, u.user, u === olga ? 'MODERATOR' : 'VIEWER');
    }

    // The consent evidence of the encrypted ✅ names its event and the key as decrypted.
    const db = new Database(join(w.bot.dir, 'bot.db'), { readonly: true });
    try {
      const row = db
        .prepare("SELECT details FROM audit_log WHERE action = 'consent.agree' AND actor_id = ?")
        .get(alice.userId) as { details: string } | undefined;
      expect(JSON.parse(row!.details)).toMatchObject({ eventId: aliceReaction, key: '✅' });
    } finally {
      db.close();
    }
  });

  it('an encrypted ✅ redacted, an encrypted ❌ (in a version 12 room): the meeting opens unrecorded', async () => {
    const { olga, alice, bob, roomId } = await encryptedRoom('encrypted one declines', '12');
    expect(roomId).not.toContain(':');
    const title = 'Encrypted retro';
    const m = await plan(olga, roomId, title, [alice, bob]);
    await olga.user.react(roomId, m.prompt.event_id, '✅');
    const aliceYes = await alice.reactEncrypted(roomId, m.prompt.event_id, '✅');
    await alice.user.redact(roomId, aliceYes); // redactions are never encrypted
    // Barrier: the bot handles a room's events in order, so after the pong the redaction counted.
    const ping = await olga.sendText(roomId, '!ping');
    await olga.waitFor(roomId, postFrom(botId, 'pong'), { afterEventId: ping, ...wait });
    expect(sessionsNamed(w.sim, title)).toHaveLength(0);
    await bob.reactEncrypted(roomId, m.prompt.event_id, '❌');

    const opened = await olga.waitFor(roomId, isOpened(botId, title), wait);
    expect(bodyOf(opened)).toMatch(/Aufzeichnung AUS – (Alice hat widerrufen|Bob hat abgelehnt)/);
    expect(sessionsNamed(w.sim, title)[0]).toMatchObject({ record: false });
  });

  it('after a restart the bot keeps its device and still reads the room', async () => {
    const { olga, roomId } = await encryptedRoom('encrypted restart');
    const ping = await olga.sendText(roomId, '!ping');
    await olga.waitFor(roomId, postFrom(botId, 'pong'), { afterEventId: ping, ...wait });
    const before = await botDevices(olga.user);
    expect(before).toHaveLength(1);

    await w.bot.restart();

    // The same Megolm session (Olga's client does not rotate it): the bot needs its stored keys.
    const again = await olga.sendText(roomId, '!ping');
    const pong = await olga.waitFor(roomId, postFrom(botId, 'pong'), { afterEventId: again, ...wait });
    expect(pong.encrypted).toBe(true);
    expect(await botDevices(olga.user)).toEqual(before);
    expect(olga.undecryptable(roomId)).toEqual([]);
  });

  /** The bot's devices with published keys, as another user's client sees them. */
  async function botDevices(viewer: TestUser): Promise<string[]> {
    const res = (await viewer.request('POST', '/_matrix/client/v3/keys/query', {
      device_keys: { [botId]: [] },
    })) as { device_keys: Record<string, Record<string, unknown>> };
    return Object.keys(res.device_keys[botId] ?? {}).sort();
  }
});
