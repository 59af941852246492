// A lost key store changes no answer (design.md §3.8, issue #20): in an end-to-end encrypted room, with
// people whose clients encrypt their ✅ too, the bot's key store is deleted while one meeting runs
// recorded and another collects answers. After the restart (a new start without the old keys: the bot
// runs unencrypted) it cannot read those reactions: no answer, session or recording changes, no
// withdrawal is stored, and each admin is told once which meetings hold answers it could not read.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogue } from '../../src/i18n/index.js';
import { e2eHomeserver } from './support/context.js';
import { CryptoUser } from './support/crypto-user.js';
import { quietMatrixJsSdk } from './support/encrypted-room.js';
import { acceptNextInvite, membership, type TestUser, waitForEvent } from './support/homeserver.js';
import {
  bodyOf,
  isNotice,
  isOpened,
  isPrompt,
  type MeetingWorld,
  postFrom,
  registerPeople,
  sessionsNamed,
  startMeetingWorld,
  until,
  wait,
} from './support/meeting-helpers.js';

const hs = e2eHomeserver();
const intro = catalogue('de').unreadableAnswersIntro;

describe.skipIf(!hs)('the bot loses its keys while meetings are open', () => {
  let w: MeetingWorld;
  let botId: string;
  let admin: TestUser;
  const clients: CryptoUser[] = [];
  /** The direct-message rooms the bot invited the admin to, joined. */
  const adminRooms: string[] = [];

  beforeAll(async () => {
    quietMatrixJsSdk();
    [admin] = (await registerPeople(hs!, ['Admin'])) as [TestUser];
    w = await startMeetingWorld(hs!, { config: { matrix: { encryption: true }, admins: [admin.userId] } });
    botId = w.botUser.userId;
  });

  afterAll(async () => {
    for (const c of clients) c.stop();
    await w?.close();
  });

  /** What the bot stored, read beside it (WAL: readers do not disturb it). */
  function stored<T>(sql: string, ...params: unknown[]): T[] {
    const db = new Database(join(w.bot.dir, 'bot.db'), { readonly: true });
    try {
      return db.prepare(sql).all(...params) as T[];
    } finally {
      db.close();
    }
  }
  const kinds = () => stored<{ kind: string }>('SELECT kind FROM consent_events').map((r) => r.kind);

  /** The admin's direct messages from the bot that name unreadable answers (invites accepted as they come). */
  async function toldAdmin(expectAtLeastOne: boolean): Promise<string[]> {
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

  it('no answer, session or recording changes, no withdrawal is stored, the admins are told once', async () => {
    const people = (await registerPeople(w.hs, ['Olga', 'Alice', 'Bob'])) as [TestUser, TestUser, TestUser];
    const [olga, alice, bob] = (await Promise.all(people.map((p) => CryptoUser.start(p)))) as [
      CryptoUser,
      CryptoUser,
      CryptoUser,
    ];
    clients.push(olga, alice, bob);
    const roomId = await olga.user.createRoom({
      name: 'Encrypted keys',
      encrypted: true,
      invite: [botId, alice.userId, bob.userId],
    });
    await Promise.all([alice, bob].map((u) => acceptNextInvite(u.user, { from: olga.userId })));
    await waitForEvent(olga.user, roomId, membership(botId, 'join'), wait);
    for (const u of [olga, alice, bob]) await u.awaitMembers(roomId, [botId, ...people.map((p) => p.userId)]);

    async function plan(title: string) {
      const commandId = await olga.sendText(roomId, `!meeting ${title} ${alice.userId} ${bob.userId}`);
      await olga.waitFor(roomId, isNotice(botId), { afterEventId: commandId, ...wait });
      return olga.waitFor(roomId, isPrompt(botId), { afterEventId: commandId, ...wait });
    }
    // One meeting running recorded, everyone's ✅ encrypted.
    const recorded = await plan('Keys recorded');
    for (const u of [olga, alice, bob]) await u.reactEncrypted(roomId, recorded.event_id, '✅');
    await olga.waitFor(roomId, isOpened(botId, 'Keys recorded'), wait);
    const [session] = sessionsNamed(w.sim, 'Keys recorded');
    expect(session).toMatchObject({ record: true, ended: false });
    // One meeting collecting: Olga's encrypted ✅ stored.
    const collecting = await plan('Keys planning');
    await olga.reactEncrypted(roomId, collecting.event_id, '✅');
    await until('four answers stored', () => kinds().length === 4);
    const before = stored('SELECT meeting_id, user_id, kind FROM consent_events ORDER BY id');

    await w.bot.stop();
    rmSync(join(w.bot.dir, 'crypto'), { recursive: true, force: true });
    await w.bot.restart({ readyTimeoutMs: 60_000 });
    expect(w.bot.records().findLast((r) => r.msg === 'bot ready')).toMatchObject({ encryption: false });

    const told = await toldAdmin(true);
    expect(told).toHaveLength(1);
    expect(told[0]).toContain('Keys recorded');
    expect(told[0]).toContain('Keys planning');
    expect(stored('SELECT meeting_id, user_id, kind FROM consent_events ORDER BY id')).toEqual(before);
    expect(kinds().filter((k) => k === 'withdraw' || k === 'reset')).toEqual([]);
    expect(sessionsNamed(w.sim, 'Keys recorded')).toEqual([
      expect.objectContaining({ record: true, ended: false }),
    ]);
    expect(sessionsNamed(w.sim, 'Keys planning')).toEqual([]);

    // Another restart in the same condition: nothing new, and the admins are not told again.
    // (The start-up reconciliation is done before the bot logs that it is ready.)
    await w.bot.restart({ readyTimeoutMs: 60_000 });
    expect(await toldAdmin(false)).toHaveLength(1);
    expect(stored('SELECT meeting_id, user_id, kind FROM consent_events ORDER BY id')).toEqual(before);
  }, 240_000); // three bot starts, two of them with key uploads: slow on a loaded machine
});
