import type { MeetingRow } from '../db/meetings-store.js';
import type { MeetingState } from '../domain/lifecycle.js';
import { join, type Rich } from '../i18n/rich.js';
import type { CommandContext } from './command.js';

/** Thrown to answer the user with a message and stop the command. */
export class CommandRefusal extends Error {
  constructor(readonly reply: Rich) {
    super('refused');
  }
}

export function isMeetingRef(word: string | undefined): boolean {
  return !!word && /^#?\d+$/.test(word);
}

/**
 * Finds the meeting a command means: `#12`/`12`, or, without a reference, the only meeting of this
 * room in one of `states`. Several candidates: the user is asked to choose.
 */
export function resolveMeeting(
  c: CommandContext,
  ref: string | undefined,
  states: MeetingState[],
): MeetingRow {
  const store = c.ctx.stores.meetings;
  if (ref !== undefined) {
    const meeting = store.get(Number(ref.replace('#', '')));
    if (!meeting || meeting.roomId !== c.roomId) throw new CommandRefusal(c.ctx.t.noMeeting);
    return meeting;
  }
  const candidates = store.inRoom(c.roomId, states);
  const only = candidates[0];
  if (!only) throw new CommandRefusal(c.ctx.t.noMeeting);
  if (candidates.length > 1) {
    throw new CommandRefusal(
      c.ctx.t.ambiguousMeeting(
        join(
          candidates.map((m) => c.ctx.t.meetingRef(m.id, m.title)),
          ', ',
        ),
      ),
    );
  }
  return only;
}

export function requireOrganizerOrAdmin(c: CommandContext, meeting: MeetingRow): void {
  if (meeting.organizerId !== c.sender && !c.ctx.isAdmin(c.sender)) {
    throw new CommandRefusal(c.ctx.t.notAllowed(c.ctx.t.whoOrganizerOrAdmin));
  }
}
