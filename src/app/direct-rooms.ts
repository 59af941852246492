import type { AppContext } from './context.js';
import { UndeliverableError } from './ports.js';

/** Each person's direct-message room: made on first need, stored, and reused while it still reaches them. */
export class DirectRooms {
  constructor(private readonly ctx: AppContext) {}

  /**
   * One direct-message room per person, reused while they are still in it (joined or invited); else
   * a new one is made and stored. Throws UndeliverableError if no direct message can reach them.
   */
  async get(userId: string): Promise<string> {
    const known = this.ctx.stores.state.directRoom(userId);
    const dm = await this.ctx.chat.directRoom(userId, known);
    if (dm.kind === 'undeliverable') throw new UndeliverableError(userId, dm.reason);
    if (dm.roomId !== known) this.ctx.stores.state.setDirectRoom(userId, dm.roomId, this.ctx.now());
    return dm.roomId;
  }
}
