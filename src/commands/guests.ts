import { guestName } from '../domain/guest.js';
import { type CommandContext, CommandError } from './command.js';

/** Refuses before anything is stored when the guests' links could not reach the organizer by DM. */
export async function requireGuestLinksReach(c: CommandContext<'guests'>): Promise<void> {
  if (!(await c.services.guests.linksReach(c.sender))) throw CommandError.refusal('guestLinksUndeliverable');
}

/**
 * The `--guest "Name"` options of a command, cleaned. Refuses, saying what to configure, when guests
 * cannot be invited (no HTTP listener or no public URL), and refuses an empty name.
 */
export function guestNames(
  c: CommandContext<'guests'>,
  option: string | boolean | string[] | undefined,
): string[] {
  const raw = Array.isArray(option) ? option : typeof option === 'string' ? [option] : [];
  if (!raw.length) return [];
  const missing = c.services.guests.unavailable();
  if (missing) throw CommandError.usage('guestsNeedHttp', missing);
  return raw.map((name) => {
    const clean = guestName(name);
    if (!clean) throw CommandError.usage('guestNameInvalid');
    return clean;
  });
}
