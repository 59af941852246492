// Per-user /sync long-polling: remembers the since token and every event seen, so a wait
// also finds events that arrived during an earlier wait (no lost events between two waits).
import { describeEvent, type EventPredicate, type MatrixEvent } from './events.js';

export interface PendingInvite {
  roomId: string;
  inviter: string | undefined;
}

export interface WaitOptions {
  /** Default 10 000 ms. */
  timeoutMs?: number;
  /** Only events that came after this event in the room's timeline (e.g. the command just sent). */
  afterEventId?: string;
  /** Named in the timeout error. */
  description?: string;
}

export type RequestFn = (
  method: string,
  path: string,
  body?: unknown,
  timeoutMs?: number,
) => Promise<unknown>;

// Whole timelines (limit 100), no presence/account data: tests need events, not noise.
const FILTER = JSON.stringify({
  presence: { not_types: ['*'] },
  account_data: { not_types: ['*'] },
  room: { timeline: { limit: 100 }, account_data: { not_types: ['*'] }, ephemeral: { not_types: ['*'] } },
});
// Long-poll slice; a waiter's own deadline is enforced separately.
const MAX_POLL_MS = 5_000;

interface RawEvent extends Omit<MatrixEvent, 'room_id'> {}
interface RawRoom {
  state?: { events?: RawEvent[] };
  timeline?: { events?: RawEvent[] };
  invite_state?: { events?: RawEvent[] };
}
interface SyncResponse {
  next_batch: string;
  rooms?: {
    join?: Record<string, RawRoom>;
    invite?: Record<string, RawRoom>;
    leave?: Record<string, RawRoom>;
  };
}

export class SyncTracker {
  private since: string | undefined;
  private readonly rooms = new Map<string, MatrixEvent[]>();
  private readonly seenIds = new Set<string>();
  private readonly invites = new Map<string, PendingInvite>();
  private readonly consumedInvites = new Set<string>();
  private inFlight: Promise<void> | undefined;

  constructor(
    private readonly userId: string,
    private readonly request: RequestFn,
  ) {}

  /** Everything seen so far in a room, in timeline order. */
  eventsIn(roomId: string): readonly MatrixEvent[] {
    return this.rooms.get(roomId) ?? [];
  }

  /** One /sync round; concurrent callers share the request so the since token never forks. */
  syncOnce(pollMs: number): Promise<void> {
    this.inFlight ??= this.doSync(pollMs).finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  async waitForEvent(
    roomId: string,
    predicate: EventPredicate,
    opts: WaitOptions = {},
  ): Promise<MatrixEvent> {
    const found = await this.poll(opts.timeoutMs ?? 10_000, () => {
      const events = this.eventsIn(roomId);
      let start = 0;
      if (opts.afterEventId) {
        const idx = events.findIndex((e) => e.event_id === opts.afterEventId);
        if (idx < 0) return undefined; // the anchor itself has not arrived yet
        start = idx + 1;
      }
      return events.slice(start).find(predicate);
    });
    if (found) return found;
    const events = this.eventsIn(roomId);
    const listing = events.length
      ? events.slice(-30).map((e) => `    ${describeEvent(e)}`)
      : ['    (nothing - is the user in that room?)'];
    const others = [...this.rooms.keys()].filter((r) => r !== roomId);
    throw new Error(
      [
        `waitForEvent(${this.userId}, ${roomId}): no event matching ${opts.description || predicate.name || 'the predicate'}` +
          `${opts.afterEventId ? ` after ${opts.afterEventId}` : ''} within ${opts.timeoutMs ?? 10_000} ms.`,
        `  Saw ${events.length} event(s) in this room${events.length > 30 ? ' (last 30)' : ''}:`,
        ...listing,
        `  Other rooms seen: ${others.length ? others.join(', ') : 'none'}; pending invites: ${
          [...this.invites.keys()].filter((r) => !this.consumedInvites.has(r)).join(', ') || 'none'
        }`,
      ].join('\n'),
    );
  }

  /** The next invite not handed out before (optionally only from `from`); marks it consumed. */
  async waitForInvite(opts: { from?: string; timeoutMs?: number } = {}): Promise<PendingInvite> {
    const timeoutMs = opts.timeoutMs ?? 10_000;
    const match = (i: PendingInvite) =>
      !this.consumedInvites.has(i.roomId) && (opts.from === undefined || i.inviter === opts.from);
    const found = await this.poll(timeoutMs, () => [...this.invites.values()].find(match));
    if (!found) {
      const seen = [...this.invites.values()].map(
        (i) =>
          `${i.roomId} from ${i.inviter ?? '?'}${this.consumedInvites.has(i.roomId) ? ' (handed out before)' : ''}`,
      );
      throw new Error(
        `waitForInvite(${this.userId}${opts.from ? `, from ${opts.from}` : ''}): no new invite within ${timeoutMs} ms. ` +
          `Invites seen: ${seen.length ? seen.join(', ') : 'none'}.`,
      );
    }
    this.consumedInvites.add(found.roomId);
    return found;
  }

  private async poll<T>(timeoutMs: number, check: () => T | undefined): Promise<T | undefined> {
    const deadline = Date.now() + timeoutMs;
    // The first sync after registration is an initial one: make sure it ran before trusting "not seen".
    if (this.since === undefined) await this.syncOnce(0);
    for (;;) {
      const hit = check();
      if (hit !== undefined) return hit;
      const remaining = deadline - Date.now();
      if (remaining <= 0) return undefined;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        this.syncOnce(Math.min(remaining, MAX_POLL_MS)),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, remaining);
        }),
      ]).finally(() => clearTimeout(timer));
    }
  }

  private async doSync(pollMs: number): Promise<void> {
    const q = new URLSearchParams({ filter: FILTER, timeout: String(this.since ? pollMs : 0) });
    if (this.since) q.set('since', this.since);
    const res = (await this.request(
      'GET',
      `/_matrix/client/v3/sync?${q}`,
      undefined,
      pollMs + 15_000,
    )) as SyncResponse;
    const rooms = res.rooms ?? {};
    for (const section of [rooms.join, rooms.leave]) {
      for (const [roomId, room] of Object.entries(section ?? {})) {
        this.record(roomId, [...(room.state?.events ?? []), ...(room.timeline?.events ?? [])]);
      }
    }
    for (const [roomId, room] of Object.entries(rooms.invite ?? {})) {
      const own = room.invite_state?.events?.find(
        (e) => e.type === 'm.room.member' && e.state_key === this.userId && e.content.membership === 'invite',
      );
      if (!this.invites.has(roomId)) {
        this.invites.set(roomId, { roomId, inviter: own?.sender });
      }
    }
    this.since = res.next_batch;
  }

  private record(roomId: string, events: RawEvent[]): void {
    let list = this.rooms.get(roomId);
    if (!list) {
      list = [];
      this.rooms.set(roomId, list);
    }
    for (const e of events) {
      // Stripped state in some sections has no event_id; it cannot be waited for anyway.
      if (!e.event_id || this.seenIds.has(e.event_id)) continue;
      this.seenIds.add(e.event_id);
      list.push({ ...e, content: e.content ?? {}, room_id: roomId });
    }
  }
}
