import { plannedInvitees, withinCap } from '../domain/bounds.js';
import { cleanName } from '../domain/names.js';
import { CommandError, defineCommand } from './command.js';
import { guestNames, requireGuestLinksReach } from './guests.js';
import { parseWhen } from './when.js';

export const MAX_TITLE_LENGTH = 200;

export default defineCommand<'planning' | 'members' | 'guests'>({
  name: 'meeting',
  usage: 'meeting <title> [@user …] [--guest "<name>" …] [--at "<time>"] [--no-record]',
  permission: 'anyone',
  options: {
    at: { type: 'string' },
    'no-record': { type: 'boolean' },
    guest: { type: 'string', multiple: true },
  },
  async run(c, args) {
    const { settings } = c;
    const bot = c.services.members.botUserId;
    // Cleaned before it is measured: what is stored is what everyone sees, on one line.
    const title = cleanName(args.words.join(' '), Number.POSITIVE_INFINITY);
    if (!title) throw CommandError.usage('missingTitle');
    if ([...title].length > MAX_TITLE_LENGTH) throw CommandError.usage('titleTooLong', MAX_TITLE_LENGTH);
    const max = settings.maxInvitees;
    const guests = guestNames(c, args.options.guest);
    if (!withinCap(0, args.mentions.length + guests.length, max))
      throw CommandError.usage('tooManyInvitees', max);
    let scheduledAt: number | null = null;
    if (typeof args.options.at === 'string') {
      const when = parseWhen(args.options.at, settings.language, settings.timezone, c.clock.now());
      if (!when.ok) {
        const input = args.options.at;
        if (when.problem === 'past') throw CommandError.usage('timeInPast', c.dateTime(when.at!));
        if (when.problem === 'dst-gap') throw CommandError.usage('timeInDstGap', input, settings.timezone);
        if (when.problem === 'no-clock-time') throw CommandError.usage('timeWithoutClock', input);
        throw CommandError.usage('badTime', input);
      }
      scheduledAt = when.at;
    }
    const members = await c.services.members.joinedMembers(c.roomId);
    const strangers = args.mentions.filter((id) => !members.has(id) && id !== c.sender && id !== bot);
    if (strangers.length) throw CommandError.usage('unknownUsers', strangers.join(', '));
    const invitees = plannedInvitees(c.sender, args.mentions, [...members.keys()], bot);
    if (!withinCap(0, invitees.length + guests.length, max)) {
      throw args.mentions.length
        ? CommandError.usage('tooManyInvitees', max)
        : CommandError.usage('tooManyRoomMembers', invitees.length, max);
    }
    if (guests.length) await requireGuestLinksReach(c);
    await c.services.planning.plan({
      roomId: c.roomId,
      organizerId: c.sender,
      commandEventId: c.eventId,
      title,
      invitees: args.mentions.filter((id) => id !== bot),
      members,
      scheduledAt,
      noRecord: args.options['no-record'] === true,
      guests,
    });
  },
});
