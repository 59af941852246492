/**
 * Events that could not be decrypted when they arrived, tried again. matrix-bot-sdk reports a failed
 * decryption once and never retries, yet the room key often arrives a moment later (a sender's new
 * device, a slow to-device message). Each event is retried as soon as a key for its session arrives,
 * and on a backoff schedule in any case; after the last attempt it is given up, with the reason.
 */

// biome-ignore lint/suspicious/noExplicitAny: raw Matrix events are untyped JSON
export type RawEvent = any;

export interface DecryptionRetryOptions {
  /** Decrypts one raw m.room.encrypted event (throws while the key is missing). */
  decrypt(roomId: string, event: RawEvent): Promise<RawEvent>;
  /** A retried event could be read: handle it as if it had arrived in the clear. */
  onDecrypted(roomId: string, event: RawEvent): Promise<void>;
  /** The last attempt failed too. */
  onGaveUp(roomId: string, event: RawEvent, reason: string): Promise<void>;
  /** Waits between attempts, in ms; the event is given up after the last. */
  delaysMs?: readonly number[];
  /** At most this many events wait at once (the oldest is given up first). */
  maxPending?: number;
}

interface Pending {
  roomId: string;
  event: RawEvent;
  sessionId: string | undefined;
  attempt: number;
  reason: string;
  timer: NodeJS.Timeout | undefined;
  busy: boolean;
}

export const DEFAULT_RETRY_DELAYS_MS = [2_000, 5_000, 15_000, 40_000] as const;

export class DecryptionRetry {
  private readonly pending = new Map<string, Pending>();
  private readonly delays: readonly number[];
  private readonly maxPending: number;
  private stopped = false;

  constructor(private readonly options: DecryptionRetryOptions) {
    this.delays = options.delaysMs ?? DEFAULT_RETRY_DELAYS_MS;
    this.maxPending = options.maxPending ?? 1_000;
  }

  get size(): number {
    return this.pending.size;
  }

  /** An event the SDK could not decrypt. */
  add(roomId: string, event: RawEvent, error: unknown): void {
    const eventId = typeof event?.event_id === 'string' ? event.event_id : undefined;
    if (this.stopped || !eventId || this.pending.has(eventId)) return;
    if (this.pending.size >= this.maxPending) {
      const [oldest] = this.pending.keys();
      if (oldest) void this.giveUp(oldest);
    }
    const entry: Pending = {
      roomId,
      event,
      sessionId: typeof event.content?.session_id === 'string' ? event.content.session_id : undefined,
      attempt: 0,
      reason: reasonOf(error),
      timer: undefined,
      busy: false,
    };
    this.pending.set(eventId, entry);
    this.schedule(eventId, entry);
  }

  /** A room key arrived (m.room_key / m.forwarded_room_key): retry what waits for it now. */
  keyArrived(roomId: string | undefined, sessionId: string | undefined): void {
    for (const [eventId, entry] of this.pending) {
      if (roomId && entry.roomId !== roomId) continue;
      if (sessionId && entry.sessionId && entry.sessionId !== sessionId) continue;
      void this.attempt(eventId, false);
    }
  }

  stop(): void {
    this.stopped = true;
    for (const entry of this.pending.values()) clearTimeout(entry.timer);
    this.pending.clear();
  }

  private schedule(eventId: string, entry: Pending): void {
    clearTimeout(entry.timer);
    const delay = this.delays[entry.attempt];
    if (delay === undefined) {
      void this.giveUp(eventId);
      return;
    }
    entry.timer = setTimeout(() => void this.attempt(eventId, true), delay);
    entry.timer.unref?.();
  }

  private async attempt(eventId: string, scheduled: boolean): Promise<void> {
    const entry = this.pending.get(eventId);
    if (!entry || entry.busy || this.stopped) return;
    entry.busy = true;
    let decrypted: RawEvent;
    try {
      decrypted = await this.options.decrypt(entry.roomId, entry.event);
    } catch (error) {
      entry.busy = false;
      entry.reason = reasonOf(error);
      if (scheduled) {
        entry.attempt += 1;
        this.schedule(eventId, entry);
      }
      return;
    }
    clearTimeout(entry.timer);
    this.pending.delete(eventId);
    await this.options.onDecrypted(entry.roomId, decrypted);
  }

  private async giveUp(eventId: string): Promise<void> {
    const entry = this.pending.get(eventId);
    if (!entry) return;
    clearTimeout(entry.timer);
    this.pending.delete(eventId);
    await this.options.onGaveUp(entry.roomId, entry.event, entry.reason);
  }
}

function reasonOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (error && typeof error === 'object' && 'description' in error) return String(error.description);
  return String(error);
}
