// The direct-message room that carries a join link is encrypted from its first message, for the person
// it is meant for, even when the homeserver answers the reads right after creating it as Synapse did
// under load in the e2e suite: 404 for the room's encryption state (the link went out in the clear), and
// a member list without the invite (the link was encrypted for nobody but the bot). matrix-bot-sdk's own
// room tracker decides here, on a stand-in client with the bot's crypto storage (a real SQLite file).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MatrixError, RoomTracker } from '@vector-im/matrix-bot-sdk';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { BotStateStore } from '../../../src/db/bot-state-store.js';
import { openDatabase } from '../../../src/db/open.js';
import { MatrixChatPort } from '../../../src/matrix/chat/chat-port.js';
import { SqliteCryptoStorageProvider } from '../../../src/matrix/sdk/crypto-storage.js';

const DM = '!dm:example.org';
const ALICE = '@alice:example.org';

class StandInClient {
  private readonly dir = mkdtempSync(join(tmpdir(), 'dm-encryption-'));
  readonly cryptoStore = new SqliteCryptoStorageProvider(
    join(this.dir, 'crypto'),
    new BotStateStore(openDatabase(join(this.dir, 'bot.db'))),
  );
  /** Resolved by the test: the moment the homeserver answers the state read. */
  answerStateRead: Promise<void> = Promise.resolve();
  /** How many member-list reads still miss the invite. */
  inviteListedAfter = 0;
  memberReads = 0;
  /** Rooms made earlier: the person's membership there, and whether the room is encrypted. */
  readonly earlier = new Map<string, { membership: string; encrypted: boolean }>();
  readonly left: string[] = [];
  async createRoom() {
    return DM;
  }
  /** The SDK's own decision (its room tracker), as the bot's sends ask it; set in setup(). */
  crypto!: { isRoomEncrypted(roomId: string): Promise<boolean> };
  async getRoomStateEvent(roomId: string) {
    const room = this.earlier.get(roomId);
    if (room) return { membership: room.membership };
    throw new MatrixError({ errcode: 'M_NOT_FOUND', error: 'Event not found.' }, 404, {});
  }
  async leaveRoom(roomId: string) {
    this.left.push(roomId);
  }
  async getRoomMembers() {
    this.memberReads += 1;
    return this.memberReads > this.inviteListedAfter ? [{ membershipFor: ALICE }] : [];
  }
  async getRoomStateEventContent(roomId: string, type: string) {
    if (type === 'm.room.encryption' && this.earlier.get(roomId)?.encrypted) {
      return { algorithm: 'm.megolm.v1.aes-sha2' };
    }
    await this.answerStateRead;
    throw new MatrixError({ errcode: 'M_NOT_FOUND', error: 'Event not found.' }, 404, {});
  }
}

function setup(encryption = true) {
  const client = new StandInClient();
  const port = new MatrixChatPort(client as never, '@bot:example.org', pino({ level: 'silent' }), encryption);
  const tracker = new RoomTracker(client as never);
  client.crypto = {
    isRoomEncrypted: async (roomId) => (await tracker.getRoomCryptoConfig(roomId)).algorithm !== undefined,
  };
  const encrypts = () => client.crypto.isRoomEncrypted(DM);
  return { client, port, tracker, encrypts };
}

describe('a direct-message room the bot creates with encryption on', () => {
  it('is encrypted for the SDK although the state read after creating it answers 404', async () => {
    const { port, tracker, encrypts } = setup();
    expect(await port.directRoom(ALICE, undefined)).toEqual({ kind: 'ready', roomId: DM });
    await tracker.onRoomJoin(DM); // the SDK's check when the join shows up in /sync
    expect(await encrypts()).toBe(true);
    // Shared history: the invited person, not yet joined, gets the room key for the link.
    expect(await tracker.getRoomCryptoConfig(DM)).toMatchObject({ historyVisibility: 'shared' });
  });

  it('is ready for the first message only once the homeserver lists the invite', async () => {
    const { client, port } = setup();
    client.inviteListedAfter = 2;
    expect(await port.directRoom(ALICE, undefined)).toEqual({ kind: 'ready', roomId: DM });
    expect(client.memberReads).toBe(3);
  });

  it('stays encrypted when a 404 from a read started before the room was known lands afterwards', async () => {
    const { client, port, tracker, encrypts } = setup();
    let answer!: () => void;
    client.answerStateRead = new Promise((resolve) => {
      answer = resolve;
    });
    const check = tracker.onRoomJoin(DM); // /sync saw the new room before createRoom's answer arrived
    await port.directRoom(ALICE, undefined);
    answer();
    await check;
    expect(await encrypts()).toBe(true);
    expect(await tracker.getRoomCryptoConfig(DM)).toMatchObject({ historyVisibility: 'shared' });
  });
});

describe('a direct-message room made earlier', () => {
  const OLD = '!old:example.org';

  it('made without encryption is replaced by an encrypted one once encryption is on', async () => {
    const { client, port, tracker, encrypts } = setup();
    client.earlier.set(OLD, { membership: 'join', encrypted: false });
    expect(await port.directRoom(ALICE, OLD)).toEqual({ kind: 'ready', roomId: DM });
    expect(client.left).toEqual([OLD]);
    await tracker.onRoomJoin(DM);
    expect(await encrypts()).toBe(true);
  });

  it('that is encrypted is kept; with encryption off a plain one is kept too', async () => {
    const on = setup();
    on.client.earlier.set(OLD, { membership: 'join', encrypted: true });
    expect(await on.port.directRoom(ALICE, OLD)).toEqual({ kind: 'ready', roomId: OLD });
    const off = setup(false);
    off.client.earlier.set(OLD, { membership: 'invite', encrypted: false });
    expect(await off.port.directRoom(ALICE, OLD)).toEqual({ kind: 'ready', roomId: OLD });
    expect([...on.client.left, ...off.client.left]).toEqual([]);
  });
});
