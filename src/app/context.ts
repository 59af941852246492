import AsyncLock from 'async-lock';
import type { Config } from '../config/schema.js';
import type { Stores } from '../db/stores.js';
import { type Catalogue, catalogue, formatDate, formatDateTime, type Language } from '../i18n/index.js';
import type { Rich } from '../i18n/rich.js';
import type { Logger } from '../log.js';
import type { Notice } from '../notice.js';
import type { BbbPort, ChatPort, Clock } from './ports.js';

export type { Stores };

/** Everything the application services need, wired once in main.ts (or a test). */
export class AppContext {
  private readonly lock = new AsyncLock({ maxPending: 10_000 });
  private readonly gates = new Map<number, Promise<void>>();
  private readonly openers = new Map<number, () => void>();
  readonly language: Language;
  readonly t: Catalogue;

  constructor(
    readonly config: Config,
    readonly stores: Stores,
    readonly chat: ChatPort,
    readonly bbb: BbbPort,
    readonly clock: Clock,
    readonly log: Logger,
    readonly notice: Notice,
  ) {
    this.language = config.language;
    this.t = catalogue(config.language);
  }

  now(): number {
    return this.clock.now();
  }

  dateTime(at: number): string {
    return formatDateTime(this.language, this.config.timezone, at);
  }

  date(at: number): string {
    return formatDate(this.language, this.config.timezone, at);
  }

  /** What "deleted" means on this BBB server (notice.finalDeletion), said with every deletion. */
  deletionMeans(): Rich {
    return this.t.deletionMeans(this.config.notice.finalDeletion ?? '');
  }

  isAdmin(userId: string): boolean {
    return this.config.admins.includes(userId);
  }

  /**
   * Serialises work on one meeting: reactions, openings and withdrawals never interleave, and run in
   * the order they asked (the lock is FIFO). While a meeting is held for start-up reconciliation,
   * work waits behind it, still in arrival order.
   */
  withMeeting<T>(meetingId: number, fn: () => Promise<T>): Promise<T> {
    const gate = this.gates.get(meetingId);
    if (gate) return gate.then(() => this.lock.acquire(`meeting:${meetingId}`, fn));
    return this.lock.acquire(`meeting:${meetingId}`, fn);
  }

  /** Start-up: live events of these meetings wait until {@link release} (their reconciliation is done). */
  hold(meetingIds: readonly number[]): void {
    for (const id of meetingIds) {
      if (this.gates.has(id)) continue;
      let open!: () => void;
      this.gates.set(id, new Promise<void>((resolve) => (open = resolve)));
      this.openers.set(id, open);
    }
  }

  /** Runs reconciliation work on a held meeting (under its lock, ahead of the waiting live events). */
  reconciling<T>(meetingId: number, fn: () => Promise<T>): Promise<T> {
    return this.lock.acquire(`meeting:${meetingId}`, fn);
  }

  /**
   * Lets the waiting live events of a meeting in. The resolved gate stays in place: events that
   * arrive later chain behind the waiting ones, so arrival order is kept.
   */
  release(meetingId: number): void {
    this.openers.get(meetingId)?.();
    this.openers.delete(meetingId);
  }
}
