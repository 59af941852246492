import type { Rich } from '../i18n/rich.js';
import type { CommandContext } from './command.js';

/**
 * One message that shows how far a long job is, edited in place: at most one edit per interval,
 * always the final state, and updates applied in order (a later one never overtakes an earlier).
 */
export class ProgressMessage {
  private eventId: string | null = null;
  private lastAt = Number.NEGATIVE_INFINITY;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly c: CommandContext<'progress'>,
    private readonly roomId: string,
    private readonly everyMs = 1000,
  ) {}

  update(message: Rich, final = false): void {
    const now = this.c.clock.now();
    if (!final && now - this.lastAt < this.everyMs) return;
    this.lastAt = now;
    this.chain = this.chain
      .then(async () => {
        const { progress } = this.c.services;
        if (this.eventId) await progress.edit(this.roomId, this.eventId, message);
        else this.eventId = await progress.send(this.roomId, message, { notice: true });
      })
      .catch((error: unknown) => this.c.log.warn({ err: error }, 'could not show progress'));
  }

  /** Resolves when every update has been shown. */
  settled(): Promise<void> {
    return this.chain;
  }
}
