import { defineCommand } from './command.js';
import { isMeetingRef, requireOrganizerOrAdmin, resolveMeeting } from './meeting-ref.js';

export default defineCommand({
  name: 'cancel',
  usage: 'cancel [#meeting]',
  permission: 'anyone',
  async run(c, args) {
    const meeting = resolveMeeting(c, isMeetingRef(args.words[0]) ? args.words[0] : undefined, [
      'collecting',
      'open',
    ]);
    requireOrganizerOrAdmin(c, meeting);
    const cancelled = await c.app.planning.cancel(meeting, c.sender);
    await c.reply(cancelled ? c.ctx.t.cancelled(meeting.title) : c.ctx.t.notCollecting(meeting.title));
  },
});
