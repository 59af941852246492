import { fitting, someOf } from '../app/views.js';
import { withinCap } from '../domain/bounds.js';
import { defineCommand, UsageError } from './command.js';
import { CommandRefusal, isMeetingRef, requireOrganizerOrAdmin, resolveMeeting } from './meeting-ref.js';

export default defineCommand({
  name: 'invite',
  usage: 'invite [#meeting] @user …',
  permission: 'anyone',
  async run(c, args) {
    const { t } = c.ctx;
    if (!args.mentions.length) throw new UsageError();
    const max = c.ctx.config.limits.maxInvitees;
    if (!withinCap(0, args.mentions.length, max)) throw new UsageError(t.tooManyInvitees(max));
    const meeting = resolveMeeting(c, isMeetingRef(args.words[0]) ? args.words[0] : undefined, [
      'collecting',
      'open',
    ]);
    requireOrganizerOrAdmin(c, meeting);
    const members = await c.ctx.chat.joinedMembers(c.roomId);
    const strangers = args.mentions.filter((id) => !members.has(id));
    if (strangers.length) throw new UsageError(t.unknownUsers(strangers.join(', ')));
    const result = await c.app.planning.invite(meeting, args.mentions, c.sender);
    if ('over' in result) throw new CommandRefusal(t.inviteMeetingOver(meeting.title));
    if ('tooMany' in result) {
      const { current, adding } = result.tooMany;
      throw new UsageError(t.tooManyForMeeting(meeting.title, current, adding, max));
    }
    const { added, already } = result;
    if (added.length)
      await c.reply(fitting(c.ctx, (n) => t.invited(meeting.title, someOf(c.ctx, added, n)), added.length));
    if (already.length)
      await c.reply(fitting(c.ctx, (n) => t.alreadyInvited(someOf(c.ctx, already, n)), already.length));
  },
});
