// A test user whose client really encrypts: matrix-js-sdk 43 with its Rust (WebAssembly) crypto, on its
// own device, in memory. It is independent of the bot's stack (matrix-bot-sdk + the local adapter), as
// Element would be. Events it reads are handed to the harness's predicates in the raw shape
// (`type`, `sender`, `content` as decrypted), with `encrypted` telling what went over the wire.
import {
  ClientEvent,
  createClient,
  type MatrixClient as JsClient,
  type MatrixEvent as JsEvent,
  SyncState,
} from 'matrix-js-sdk';
import { OnlySignedDevicesIsolationMode } from 'matrix-js-sdk/lib/crypto-api/index.js';
import type { Logger } from 'matrix-js-sdk/lib/logger.js';
import { type EventPredicate, type MatrixEvent, passwordLogin, type TestUser } from './homeserver.js';

/** The clients' own logs are debug-level chatter; their errors still show. */
const quiet: Logger = {
  trace: () => {},
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: (...msg: unknown[]) => console.error('[matrix-js-sdk]', ...msg),
  getChild: () => quiet,
};

export interface SeenEvent extends MatrixEvent {
  /** Sent as m.room.encrypted (and decrypted by this client). */
  encrypted: boolean;
}

export class CryptoUser {
  private constructor(
    readonly user: TestUser,
    readonly client: JsClient,
    readonly deviceId: string,
  ) {}

  /**
   * Logs `user` in on a new device, starts crypto (in memory) and syncs until prepared. `element`: as
   * Element is since April 2026 (MSC4153): the user cross-signed (this device signs itself), and
   * "exclude insecure devices" on (OnlySignedDevicesIsolationMode): no room keys for devices their owner
   * did not sign, and what such devices send stays hidden.
   */
  static async start(user: TestUser, opts: { element?: boolean } = {}): Promise<CryptoUser> {
    const login = await passwordLogin(user.homeserverUrl, user.userId, user.password, 'e2e matrix-js-sdk');
    const client = createClient({
      baseUrl: user.homeserverUrl,
      userId: user.userId,
      accessToken: login.access_token,
      deviceId: login.device_id,
      logger: quiet,
    });
    await client.initRustCrypto({ useIndexedDB: false, cryptoDatabasePrefix: `e2e-${login.device_id}` });
    const prepared = new Promise<void>((resolve, reject) => {
      const onSync = (state: SyncState) => {
        if (state === SyncState.Prepared) {
          client.off(ClientEvent.Sync, onSync);
          resolve();
        } else if (state === SyncState.Error) reject(new Error(`${user.userId}: initial sync failed`));
      };
      client.on(ClientEvent.Sync, onSync);
    });
    await client.startClient({ initialSyncLimit: 50 });
    await prepared;
    if (opts.element) {
      const crypto = client.getCrypto()!;
      await crypto.bootstrapCrossSigning({
        // Synapse takes a first upload without auth; a later one wants the password.
        authUploadDeviceSigningKeys: async (makeRequest) => {
          try {
            await makeRequest(null);
          } catch (error) {
            const session = (error as { data?: { session?: string } }).data?.session;
            if (!session) throw error;
            await makeRequest({
              type: 'm.login.password',
              identifier: { type: 'm.id.user', user: user.userId },
              password: user.password,
              session,
            } as never);
          }
        },
      });
      crypto.setDeviceIsolationMode(new OnlySignedDevicesIsolationMode());
    }
    return new CryptoUser(user, client, login.device_id);
  }

  get userId(): string {
    return this.user.userId;
  }

  /** Waits until this client knows the room with all of `userIds` joined (it encrypts for them). */
  async awaitMembers(roomId: string, userIds: string[], timeoutMs = 30_000): Promise<void> {
    await poll(`${this.userId} seeing ${userIds.join(', ')} joined in ${roomId}`, timeoutMs, () => {
      const room = this.client.getRoom(roomId);
      if (!room) return false;
      const joined = new Set(room.getJoinedMembers().map((m) => m.userId));
      return userIds.every((id) => joined.has(id));
    });
  }

  /** An m.room.message, encrypted by the client in an encrypted room. */
  async sendText(roomId: string, body: string): Promise<string> {
    const res = await this.client.sendEvent(
      roomId,
      'm.room.message' as never,
      { msgtype: 'm.text', body } as never,
    );
    return res.event_id;
  }

  /**
   * A reaction, encrypted like some clients do (matrix-js-sdk and Element send reactions in the clear;
   * the relation stays in the clear either way, only the key is hidden).
   */
  async reactEncrypted(roomId: string, eventId: string, key: string): Promise<string> {
    const client = this.client as unknown as {
      shouldEncryptEventForRoom(event: JsEvent, room: unknown): Promise<boolean>;
    };
    const original = client.shouldEncryptEventForRoom.bind(client);
    client.shouldEncryptEventForRoom = async (event, room) =>
      event.getType() === 'm.reaction' ? true : original(event, room);
    try {
      const res = await this.client.sendEvent(
        roomId,
        'm.reaction' as never,
        { 'm.relates_to': { rel_type: 'm.annotation', event_id: eventId, key } } as never,
      );
      return res.event_id;
    } finally {
      client.shouldEncryptEventForRoom = original;
    }
  }

  /** The events this client holds for a room, decrypted where it could, oldest first. */
  seen(roomId: string): SeenEvent[] {
    const room = this.client.getRoom(roomId);
    if (!room) return [];
    return room
      .getLiveTimeline()
      .getEvents()
      .filter((e) => !e.isDecryptionFailure() && !e.isBeingDecrypted())
      .map((e) => ({
        type: e.getType(),
        sender: e.getSender() ?? '',
        event_id: e.getId() ?? '',
        room_id: roomId,
        origin_server_ts: e.getTs(),
        content: e.getOriginalContent() as Record<string, unknown>,
        encrypted: e.isEncrypted(),
      }));
  }

  /** Undecryptable events in the room (should stay empty). */
  undecryptable(roomId: string): string[] {
    const room = this.client.getRoom(roomId);
    return (room?.getLiveTimeline().getEvents() ?? [])
      .filter((e) => e.isDecryptionFailure())
      .map((e) => `${e.getId()} from ${e.getSender()}: ${e.decryptionFailureReason}`);
  }

  /** The first event (after `afterEventId`, if given) matching `predicate`, decrypted. */
  async waitFor(
    roomId: string,
    predicate: EventPredicate,
    opts: { afterEventId?: string; timeoutMs?: number; description?: string } = {},
  ): Promise<SeenEvent> {
    let found: SeenEvent | undefined;
    await poll(
      opts.description ?? `${this.userId}: ${predicate.name || 'event'} in ${roomId}`,
      opts.timeoutMs ?? 30_000,
      () => {
        let events = this.seen(roomId);
        if (opts.afterEventId) {
          const i = events.findIndex((e) => e.event_id === opts.afterEventId);
          events = i >= 0 ? events.slice(i + 1) : events;
        }
        found = events.find((e) => predicate(e));
        return !!found;
      },
      () => {
        const events = this.seen(roomId).map(
          (e) => `${e.type} ${e.sender} ${JSON.stringify(e.content).slice(0, 80)}`,
        );
        return `seen:\n  ${events.slice(-15).join('\n  ')}\nundecryptable: ${this.undecryptable(roomId).join('; ') || 'none'}`;
      },
    );
    return found!;
  }

  /**
   * How this client sees one of another user's devices, after asking the homeserver afresh:
   * `signedByOwner` is what clients that exclude insecure devices require.
   */
  async deviceTrust(userId: string, deviceId: string) {
    const crypto = this.client.getCrypto()!;
    await crypto.getUserDeviceInfo([userId], true);
    const status = await crypto.getDeviceVerificationStatus(userId, deviceId);
    return { known: status !== null, signedByOwner: status?.signedByOwner ?? false };
  }

  stop(): void {
    this.client.stopClient();
  }
}

async function poll(
  what: string,
  timeoutMs: number,
  probe: () => boolean,
  details?: () => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (probe()) return;
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${details ? `\n${details()}` : ''}`);
}
