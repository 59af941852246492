import { guestsUnavailable } from '../app/guests.js';
import { guestName } from '../domain/guest.js';
import { type CommandContext, UsageError } from './command.js';

/**
 * The `--guest "Name"` options of a command, cleaned. Refuses, saying what to configure, when guests
 * cannot be invited (no HTTP listener or no public URL), and refuses an empty name.
 */
export function guestNames(c: CommandContext, option: string | boolean | string[] | undefined): string[] {
  const raw = Array.isArray(option) ? option : typeof option === 'string' ? [option] : [];
  if (!raw.length) return [];
  const missing = guestsUnavailable(c.ctx);
  if (missing) throw new UsageError(c.ctx.t.guestsNeedHttp(missing));
  return raw.map((name) => {
    const clean = guestName(name);
    if (!clean) throw new UsageError(c.ctx.t.guestNameInvalid);
    return clean;
  });
}
