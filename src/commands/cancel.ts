import { defineCommand } from './command.js';
import { onlyMeetingRef, requireOrganizerOrAdmin, resolveMeeting } from './meeting-ref.js';

export default defineCommand<'meetings' | 'planning'>({
  name: 'cancel',
  usage: 'cancel [#meeting]',
  permission: 'anyone',
  async run(c, args) {
    const meeting = resolveMeeting(c, onlyMeetingRef(args.words), ['collecting', 'open']);
    requireOrganizerOrAdmin(c, meeting);
    const cancelled = await c.services.planning.cancel(meeting, c.sender);
    if (!cancelled) await c.reply(c.t.notCollecting(meeting.title));
    else if (cancelled.ending) await c.reply(c.t.cancelledEnding(meeting.title));
    else await c.reply(c.t.cancelled(meeting.title));
  },
});
