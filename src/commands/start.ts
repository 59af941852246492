import type { MeetingState } from '../domain/lifecycle.js';
import { defineCommand } from './command.js';
import { onlyMeetingRef, requireOrganizerOrAdmin, resolveMeeting } from './meeting-ref.js';

export default defineCommand<'meetings' | 'planning'>({
  name: 'start',
  usage: 'start [#meeting]',
  permission: 'anyone',
  async run(c, args) {
    const ref = onlyMeetingRef(args.words);
    // Without a reference: the room's meeting still collecting; if none is, but one is open, it is that one.
    const collecting = ref === undefined ? c.services.meetings.inRoom(c.roomId, ['collecting']) : [];
    const states: MeetingState[] = ref === undefined && !collecting.length ? ['open'] : ['collecting'];
    const meeting = resolveMeeting(c, ref, states);
    requireOrganizerOrAdmin(c, meeting);
    const outcome = await c.services.planning.start(meeting);
    if (outcome === 'already-open') await c.reply(c.t.alreadyOpen(meeting.title));
    else if (outcome === 'not-collecting') await c.reply(c.t.notCollecting(meeting.title));
  },
});
