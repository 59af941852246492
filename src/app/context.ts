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
   * the order they asked (the lock is FIFO).
   */
  withMeeting<T>(meetingId: number, fn: () => Promise<T>): Promise<T> {
    return this.lock.acquire(`meeting:${meetingId}`, fn);
  }
}
