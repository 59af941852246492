import { expect } from 'vitest';
import { catalogue } from '../../src/i18n/index.js';
import { encryptedRoom, planEncrypted } from './support/encrypted-room.js';
import { describeWorld, worldTest } from './support/fixtures.js';
import type { TestUser } from './support/homeserver.js';
import {
  bodyOf,
  isOpened,
  type MeetingWorld,
  postFrom,
  sessionsNamed,
  storedRows,
  until,
  wait,
} from './support/meeting-helpers.js';

const intro = catalogue('de').unreadableAnswersIntro;
const it = worldTest({ matrix: { encryption: true } }, { admin: 'Admin' });

const kinds = (w: MeetingWorld) =>
  storedRows<{ kind: string }>(w, 'SELECT kind FROM consent_events').map((r) => r.kind);
const answers = (w: MeetingWorld) =>
  storedRows(w, 'SELECT meeting_id, user_id, kind FROM consent_events ORDER BY id');

/**
 * The admin's direct messages from the bot that name unreadable answers (invites accepted as they come,
 * their rooms kept in `adminRooms`).
 */
async function toldAdmin(admin: TestUser, botId: string, adminRooms: string[], expectAtLeastOne: boolean) {
  for (;;) {
    const invite = await admin.sync
      .waitForInvite({ from: botId, timeoutMs: expectAtLeastOne ? 5_000 : 3_000 })
      .catch(() => null);
    if (!invite) break;
    adminRooms.push(await admin.join(invite.roomId));
  }
  const read = async () =>
    adminRooms.flatMap((roomId) => admin.sync.eventsIn(roomId).filter(postFrom(botId, intro))).map(bodyOf);
  if (expectAtLeastOne) await until('the admin to be told', async () => (await read()).length > 0);
  return read();
}

describeWorld(it, 'the bot loses its keys while meetings are open', () => {
  it('no answer, session or recording changes, no withdrawal is stored, the admins are told once', async ({
    w,
    botId,
    admin,
    clients,
  }) => {
    const { olga, alice, bob, roomId } = await encryptedRoom(w, clients, 'Encrypted keys', {
      element: false,
    });
    const plan = async (title: string) => (await planEncrypted(w, olga, roomId, title, [alice, bob])).prompt;
    const adminRooms: string[] = [];
    // One meeting running recorded, everyone's ✅ encrypted.
    const recorded = await plan('Keys recorded');
    for (const u of [olga, alice, bob]) await u.reactEncrypted(roomId, recorded.event_id, '✅');
    await olga.waitFor(roomId, isOpened(botId, 'Keys recorded'), wait);
    const [session] = sessionsNamed(w.sim, 'Keys recorded');
    expect(session).toMatchObject({ record: true, ended: false });
    // One meeting collecting: Olga's encrypted ✅ stored.
    const collecting = await plan('Keys planning');
    await olga.reactEncrypted(roomId, collecting.event_id, '✅');
    await until('four answers stored', () => kinds(w).length === 4);
    const before = answers(w);

    await w.bot.stopAndLoseKeys();
    await w.bot.restart({ readyTimeoutMs: 60_000 });
    expect(w.bot.logged('bot ready').at(-1)).toMatchObject({ encryption: false });

    const told = await toldAdmin(admin, botId, adminRooms, true);
    expect(told).toHaveLength(1);
    expect(told[0]).toContain('Keys recorded');
    expect(told[0]).toContain('Keys planning');
    expect(answers(w)).toEqual(before);
    expect(kinds(w).filter((k) => k === 'withdraw' || k === 'reset')).toEqual([]);
    expect(sessionsNamed(w.sim, 'Keys recorded')).toEqual([
      expect.objectContaining({ record: true, ended: false }),
    ]);
    expect(sessionsNamed(w.sim, 'Keys planning')).toEqual([]);

    // Another restart in the same condition: nothing new, and the admins are not told again.
    // (The start-up reconciliation is done before the bot logs that it is ready.)
    await w.bot.restart({ readyTimeoutMs: 60_000 });
    expect(await toldAdmin(admin, botId, adminRooms, false)).toHaveLength(1);
    expect(answers(w)).toEqual(before);
  }, 240_000); // three bot starts, two of them with key uploads: slow on a loaded machine
});
