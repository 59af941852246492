import type { AppContext } from '../app/context.js';
import type { Rich } from '../i18n/rich.js';

/**
 * One message that shows how far a long job is, edited in place: at most one edit per interval,
 * always the final state, and updates applied in order (a later one never overtakes an earlier).
 */
export class ProgressMessage {
  private eventId: string | null = null;
  private lastAt = Number.NEGATIVE_INFINITY;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly ctx: AppContext,
    private readonly roomId: string,
    private readonly everyMs = 1000,
  ) {}

  update(message: Rich, final = false): void {
    const now = this.ctx.now();
    if (!final && now - this.lastAt < this.everyMs) return;
    this.lastAt = now;
    this.chain = this.chain
      .then(async () => {
        if (this.eventId) await this.ctx.chat.edit(this.roomId, this.eventId, message);
        else this.eventId = await this.ctx.chat.send(this.roomId, message, { notice: true });
      })
      .catch((error: unknown) => this.ctx.log.warn({ err: error }, 'could not show progress'));
  }

  /** Resolves when every update has been shown. */
  settled(): Promise<void> {
    return this.chain;
  }
}
