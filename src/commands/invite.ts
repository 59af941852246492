import { fitting, someOf } from '../app/views.js';
import { withinCap } from '../domain/bounds.js';
import { CommandError, defineCommand } from './command.js';
import { guestNames, requireGuestLinksReach } from './guests.js';
import { isMeetingRef, requireOrganizerOrAdmin, resolveMeeting } from './meeting-ref.js';

export default defineCommand<'meetings' | 'planning' | 'members' | 'guests'>({
  name: 'invite',
  usage: 'invite [#meeting] @user … [--guest "<name>" …]',
  permission: 'anyone',
  options: { guest: { type: 'string', multiple: true } },
  async run(c, args) {
    const { t } = c;
    const guests = guestNames(c, args.options.guest);
    if (!args.mentions.length && !guests.length) throw CommandError.usage();
    const max = c.settings.maxInvitees;
    if (!withinCap(0, args.mentions.length + guests.length, max))
      throw CommandError.usage('tooManyInvitees', max);
    const meeting = resolveMeeting(c, isMeetingRef(args.words[0]) ? args.words[0] : undefined, [
      'collecting',
      'open',
    ]);
    requireOrganizerOrAdmin(c, meeting);
    // Checked before anyone is added: a refused command adds no guest either.
    const members = args.mentions.length ? await c.services.members.joinedMembers(c.roomId) : new Map();
    const strangers = args.mentions.filter((id) => !members.has(id));
    if (strangers.length) throw CommandError.usage('unknownUsers', strangers.join(', '));
    // Guests and people named together count together against the cap: all are added, or none.
    if (guests.length && args.mentions.length) {
      const invited = new Set(c.services.meetings.view(meeting).invitees.map((i) => i.userId));
      const adding = new Set(args.mentions.filter((id) => !invited.has(id))).size + guests.length;
      if (!withinCap(invited.size, adding, max))
        throw CommandError.usage('tooManyForMeeting', meeting.title, invited.size, adding, max);
    }
    if (guests.length) {
      await requireGuestLinksReach(c);
      const invited = await c.services.guests.invite(meeting, guests, c.sender);
      if ('over' in invited) throw CommandError.refusal('inviteMeetingOver', meeting.title);
      if ('tooMany' in invited) {
        const { current, adding } = invited.tooMany;
        throw CommandError.usage('tooManyForMeeting', meeting.title, current, adding, max);
      }
      await c.reply(t.guestsInvited(meeting.title, guests));
      await c.services.guests.sendLinks(c.sender, meeting.title, invited.links);
      if (!args.mentions.length) return;
    }
    const result = await c.services.planning.invite(meeting, args.mentions, c.sender);
    if ('over' in result) throw CommandError.refusal('inviteMeetingOver', meeting.title);
    if ('tooMany' in result) {
      const { current, adding } = result.tooMany;
      throw CommandError.usage('tooManyForMeeting', meeting.title, current, adding, max);
    }
    const { added, already } = result;
    if (added.length)
      await c.reply(fitting(c, (n) => t.invited(meeting.title, someOf(c, added, n)), added.length));
    if (already.length)
      await c.reply(fitting(c, (n) => t.alreadyInvited(someOf(c, already, n)), already.length));
  },
});
