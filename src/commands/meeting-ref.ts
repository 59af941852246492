import type { MeetingRow } from '../app/command-services.js';
import type { MeetingState } from '../domain/lifecycle.js';
import { join } from '../i18n/rich.js';
import { type CommandContext, CommandError } from './command.js';

export function isMeetingRef(word: string | undefined): boolean {
  return !!word && /^#?\d+$/.test(word);
}

/**
 * The reference of a command that takes nothing else (`!start [#meeting]`): none, or one `#12`. Any
 * other word is wrong input, never ignored: it must not make the command act on the room's only meeting.
 */
export function onlyMeetingRef(words: readonly string[]): string | undefined {
  const [ref] = words;
  if (words.length > 1 || (ref !== undefined && !isMeetingRef(ref))) throw CommandError.usage();
  return ref;
}

/**
 * Finds the meeting a command means: `#12`/`12`, or, without a reference, the only meeting of this
 * room in one of `states`. Several candidates: the user is asked to choose.
 */
export function resolveMeeting(
  c: CommandContext<'meetings'>,
  ref: string | undefined,
  states: MeetingState[],
): MeetingRow {
  const { meetings } = c.services;
  if (ref !== undefined) {
    const meeting = meetings.get(Number(ref.replace('#', '')));
    if (!meeting || meeting.roomId !== c.roomId) throw CommandError.refusal('noMeeting');
    return meeting;
  }
  const candidates = meetings.inRoom(c.roomId, states);
  const only = candidates[0];
  if (!only) throw CommandError.refusal('noMeeting');
  if (candidates.length > 1) throw askWhich(c, candidates);
  return only;
}

/** The refusal that asks the user to name one of several meetings by its number. */
export function askWhich(c: CommandContext<never>, candidates: readonly MeetingRow[]): CommandError {
  return CommandError.refusal(
    'ambiguousMeeting',
    join(
      candidates.map((m) => c.t.meetingRef(m.id, m.title)),
      ', ',
    ),
  );
}

export function requireOrganizerOrAdmin(c: CommandContext<never>, meeting: MeetingRow): void {
  if (meeting.organizerId !== c.sender && c.role !== 'admin') {
    throw CommandError.refusal('notAllowed', c.t.whoOrganizerOrAdmin);
  }
}
