import { defineCommand } from './command.js';
import { onlyMeetingRef, requireOrganizerOrAdmin, resolveMeeting } from './meeting-ref.js';

export default defineCommand<'meetings' | 'planning'>({
  name: 'start',
  usage: 'start [#meeting]',
  permission: 'anyone',
  async run(c, args) {
    const meeting = resolveMeeting(c, onlyMeetingRef(args.words), ['collecting']);
    requireOrganizerOrAdmin(c, meeting);
    const outcome = await c.services.planning.start(meeting);
    if (outcome === 'already-open') await c.reply(c.t.alreadyOpen(meeting.title));
    else if (outcome === 'not-collecting') await c.reply(c.t.notCollecting(meeting.title));
  },
});
