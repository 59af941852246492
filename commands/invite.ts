import { join } from '../src/i18n/rich.js';
import { defineCommand, UsageError } from './command.js';
import { MAX_INVITEES } from './meeting.js';
import { isMeetingRef, requireOrganizerOrAdmin, resolveMeeting } from './meeting-ref.js';

export default defineCommand({
  name: 'invite',
  usage: 'invite [#meeting] @user …',
  permission: 'anyone',
  async run(c, args) {
    const { t } = c.ctx;
    if (!args.mentions.length) throw new UsageError();
    if (args.mentions.length > MAX_INVITEES) throw new UsageError(t.tooManyInvitees(MAX_INVITEES));
    const meeting = resolveMeeting(c, isMeetingRef(args.words[0]) ? args.words[0] : undefined, [
      'collecting',
      'open',
    ]);
    requireOrganizerOrAdmin(c, meeting);
    const members = await c.ctx.chat.joinedMembers(c.roomId);
    const strangers = args.mentions.filter((id) => !members.has(id));
    if (strangers.length) throw new UsageError(t.unknownUsers(strangers.join(', ')));
    const { added, already } = await c.app.planning.invite(meeting, args.mentions, c.sender);
    if (added.length) await c.reply(t.invited(meeting.title, join(added, ', ')));
    if (already.length) await c.reply(t.alreadyInvited(join(already, ', ')));
  },
});
