import { MatrixClient, type Membership, MembershipEvent } from '@vector-im/matrix-bot-sdk';
import { useFetchTransport } from './transport.js';

/** The parts of a /sync response that tell whether a room's members may have changed. */
interface SyncRooms {
  rooms?: {
    join?: Record<string, SyncRoom>;
    leave?: Record<string, unknown>;
  };
}
interface SyncRoom {
  state?: { events?: { type?: string }[] };
  timeline?: { events?: { type?: string; event_id?: string }[]; limited?: boolean; prev_batch?: string };
}

/** Reads the events a `limited` sync skipped in a room, oldest first (see catch-up.ts). */
// biome-ignore lint/suspicious/noExplicitAny: raw Matrix events are untyped JSON
export type CatchUp = (roomId: string, prevBatch: string) => Promise<any[]>;

const lean = (userId: string, membership: string) =>
  new MembershipEvent({ type: 'm.room.member', state_key: userId, content: { membership } });

const changesMembers = (room: SyncRoom): boolean =>
  room.timeline?.limited === true ||
  [...(room.state?.events ?? []), ...(room.timeline?.events ?? [])].some((e) => e.type === 'm.room.member');

/**
 * matrix-bot-sdk's client, keeping the member lists its encryption reads between messages.
 *
 * Before every encrypted message the SDK asks the homeserver for the room's joined members, and then
 * for its invited ones (rooms with shared history): two requests one after the other before every
 * message (what that cost: docs/benchmarks.md, "Encryption on beside off"). Clients such as Element keep the member list from /sync instead, and so
 * does this client: a room's lists are read again after a sync shows a membership change in the room
 * (or skips part of its timeline, which may hide one), and after the bot itself invites, kicks, bans
 * or leaves. The lists are forgotten before the sync's events are handled, so a message the bot sends
 * in answer to an event always goes to the members as of that event.
 *
 * Both lists come from one read of all members: read one after the other, someone who accepted their
 * invite in between (a direct message carrying a join link, accepted at once) was in neither list, and
 * the message went out encrypted for nobody but the bot.
 */
export class BotMatrixClient extends MatrixClient {
  /** Room → its members as last read, every membership (a pending read is shared by concurrent sends). */
  private readonly memberLists = new Map<string, Promise<MembershipEvent[]>>();

  constructor(...args: ConstructorParameters<typeof MatrixClient>) {
    super(...args);
    this.caughtUp = new Promise<void>((resolve) => {
      this.markCaughtUp = resolve;
    });
    // The SDK's own transport keeps idle sockets and, through them, old responses (transport.ts).
    useFetchTransport();
  }

  override getRoomMembersByMembership(
    roomId: string,
    membership: Membership,
    atToken?: string,
  ): Promise<MembershipEvent[]> {
    if (atToken) return super.getRoomMembersByMembership(roomId, membership, atToken);
    let all = this.memberLists.get(roomId);
    if (!all) {
      // Only who and which membership are kept (the SDK reads nothing else), not whole events.
      const read = super
        .getAllRoomMembers(roomId)
        .then((events) => events.map((e) => lean(e.membershipFor, e.membership)));
      this.memberLists.set(roomId, read);
      // A failed read is not kept: the next message asks again.
      read.catch(() => {
        if (this.memberLists.get(roomId) === read) this.memberLists.delete(roomId);
      });
      all = read;
    }
    return all.then((members) => members.filter((m) => m.membership === membership));
  }

  /** Set by the event intake: fills in what a `limited` sync skipped, so no message is lost. */
  catchUp: CatchUp | null = null;

  /**
   * Settles once the syncs of this start have handed over everything sent before it (with what a
   * `limited` timeline skipped). One sync is not enough: the first answer can be one the homeserver
   * computed for the previous process's last long poll (Synapse keeps a sync response for a while,
   * keyed by its `since` token), which ends before the downtime does. The second is computed for
   * this process. Both are asked without waiting for news (timeout 0): it costs one round trip.
   */
  readonly caughtUp: Promise<void>;
  private markCaughtUp!: () => void;
  private startupSyncs = 0;
  private longPollMs = this.syncingTimeout;

  override async start(filter?: unknown): Promise<unknown> {
    this.longPollMs = this.syncingTimeout;
    this.syncingTimeout = 0;
    return super.start(filter);
  }

  /**
   * Forgets the member lists of every room this sync may have changed, and puts the events a
   * `limited` timeline skipped in front of it, before its events are handled.
   */
  // biome-ignore lint/suspicious/noExplicitAny: the SDK's own signature
  protected override async processSync(raw: any, emitFn?: (type: string, ...payload: any[]) => Promise<any>) {
    const rooms = (raw as SyncRooms | undefined)?.rooms;
    for (const [roomId, room] of Object.entries(rooms?.join ?? {})) {
      if (changesMembers(room)) this.memberLists.delete(roomId);
      const timeline = room.timeline;
      if (this.catchUp && timeline?.limited && timeline.prev_batch) {
        const skipped = await this.catchUp(roomId, timeline.prev_batch);
        const inSync = new Set((timeline.events ?? []).map((e) => e.event_id));
        timeline.events = [...skipped.filter((e) => !inSync.has(e.event_id)), ...(timeline.events ?? [])];
      }
    }
    for (const roomId of Object.keys(rooms?.leave ?? {})) this.memberLists.delete(roomId);
    await super.processSync(raw, emitFn);
    if (++this.startupSyncs === 2) {
      this.syncingTimeout = this.longPollMs;
      this.markCaughtUp();
    }
  }

  override async inviteUser(userId: string, roomId: string) {
    return this.forgettingAfter(roomId, super.inviteUser(userId, roomId));
  }
  override async kickUser(userId: string, roomId: string, reason?: string) {
    return this.forgettingAfter(roomId, super.kickUser(userId, roomId, reason));
  }
  override async banUser(userId: string, roomId: string, reason?: string) {
    return this.forgettingAfter(roomId, super.banUser(userId, roomId, reason));
  }
  override async leaveRoom(roomId: string, reason?: string) {
    return this.forgettingAfter(roomId, super.leaveRoom(roomId, reason));
  }

  private async forgettingAfter<T>(roomId: string, change: Promise<T>): Promise<T> {
    try {
      return await change;
    } finally {
      this.memberLists.delete(roomId);
    }
  }
}
