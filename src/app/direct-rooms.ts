import type { MeetingRow } from '../db/meetings-store.js';
import { mention, type Rich } from '../i18n/rich.js';
import type { AppContext } from './context.js';
import { UndeliverableError } from './ports.js';
import { nameOf, readMeeting } from './views.js';

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

/**
 * Tells a meeting's room, once per `noteKey`, that a direct message could not reach an invitee (it is
 * retried), naming them and the organizer, who can reach them another way.
 */
export async function tellRoomUndeliverable(
  ctx: AppContext,
  meeting: MeetingRow,
  invitee: { userId: string; displayName: string },
  noteKey: string,
  render: (who: Rich, organizer: Rich, title: string) => Rich,
): Promise<void> {
  if (!ctx.stores.state.noteOnce(meeting.roomId, noteKey, ctx.now())) return;
  const organizer = nameOf(readMeeting(ctx, meeting), meeting.organizerId);
  await ctx.chat.send(
    meeting.roomId,
    render(
      mention(invitee.userId, invitee.displayName),
      mention(meeting.organizerId, organizer),
      meeting.title,
    ),
  );
}
