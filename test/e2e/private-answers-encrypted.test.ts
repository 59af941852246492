// Private answers (consent.ask "direct", the default) in an end-to-end encrypted room, on the real
// Synapse, with people whose clients really encrypt and are set as Element is (cross-signed users,
// "exclude insecure devices"). The bot opens an encrypted DM room with each invitee, the first layer
// and the prompt arrive there encrypted and readable, the answers given there (✅ in the clear, as
// Element sends reactions, and encrypted, as some clients do) count, and the links come back in the
// same encrypted DM. (That the meeting's room hears numbers only is private-answers.test.ts's.)
import { expect } from 'vitest';
import { noticeOpening, said, t } from '../support/catalogue.js';
import { encryptedRoom, expectEncryptedLinks, expectMegolmRoom } from './support/encrypted-room.js';
import { describeWorld, worldTest } from './support/fixtures.js';
import { acceptNextInvite } from './support/homeserver.js';
import {
  BOT_TIMEOUT_MS,
  bodyOf,
  expectRecordedSession,
  isDirectPrompt,
  isOpened,
  wait,
} from './support/meeting-helpers.js';

const it = worldTest({ matrix: { encryption: true }, consent: { ask: 'direct' } });

describeWorld(it, 'private answers in encrypted DMs, clients set as Element is', () => {
  it('first layer, prompt and link arrive encrypted in each DM; the answers there open a recorded meeting', async ({
    w,
    botId,
    clients,
  }) => {
    const { olga, alice, bob, roomId } = await encryptedRoom(w, clients, 'encrypted private answers');

    const title = 'Encrypted private';
    await olga.sendText(roomId, `!meeting ${title} ${alice.userId} ${bob.userId}`);

    // Each person's DM with the bot: encrypted, the first layer and then the prompt, both readable.
    const dms = await Promise.all(
      [olga, alice, bob].map(async (u) => {
        const dmRoomId = await acceptNextInvite(u.user, { from: botId, timeoutMs: BOT_TIMEOUT_MS });
        const prompt = await u.waitFor(dmRoomId, isDirectPrompt(botId), {
          ...wait,
          description: `${u.userId}'s consent prompt by DM`,
        });
        await expectMegolmRoom(u.user, dmRoomId);
        return { u, dmRoomId, prompt };
      }),
    );
    for (const dm of dms) {
      expect(dm.prompt.encrypted, `${dm.u.userId}'s prompt is encrypted`).toBe(true);
      const firstLayer = dm.u
        .seen(dm.dmRoomId)
        .find((e) => e.sender === botId && bodyOf(e).startsWith(noticeOpening));
      expect(firstLayer?.encrypted, `${dm.u.userId}'s first layer, encrypted`).toBe(true);
      expect(dm.u.undecryptable(dm.dmRoomId)).toEqual([]);
    }

    const [forOlga, forAlice, forBob] = dms as [(typeof dms)[0], (typeof dms)[0], (typeof dms)[0]];
    await olga.user.react(forOlga.dmRoomId, forOlga.prompt.event_id, '✅'); // in the clear, like Element
    await alice.reactEncrypted(forAlice.dmRoomId, forAlice.prompt.event_id, '✅');
    await bob.user.react(forBob.dmRoomId, forBob.prompt.event_id, '✅');

    const opened = await olga.waitFor(roomId, isOpened(botId, title), wait);
    expect(opened.encrypted).toBe(true);
    expect(bodyOf(opened)).toContain(said(t.recordingOn(3)));
    expectRecordedSession(w.sim, title);

    // The link comes in the same DM, encrypted, and lets each in with their role.
    const dmRooms = dms.map((dm) => dm.dmRoomId);
    await expectEncryptedLinks(w, olga, [olga, alice, bob], dmRooms);
  }, 120_000);
});
