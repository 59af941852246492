import { readMeeting, tally } from '../src/app/views.js';
import { defineCommand } from './command.js';
import { isMeetingRef, resolveMeeting } from './meeting-ref.js';

export default defineCommand({
  name: 'status',
  usage: 'status [#meeting]',
  permission: 'anyone',
  async run(c, args) {
    const ref = isMeetingRef(args.words[0]) ? args.words[0] : undefined;
    const meeting = resolveMeeting(c, ref, ['collecting', 'open']);
    const view = readMeeting(c.ctx, meeting);
    const session = c.ctx.stores.meetings.currentSession(meeting.id);
    const { t } = c.ctx;
    await c.reply(
      t.status({
        ref: t.meetingRef(meeting.id, meeting.title),
        state: t.stateNames[meeting.state] ?? meeting.state,
        when: meeting.scheduledAt ? c.ctx.dateTime(meeting.scheduledAt) : null,
        tally: tally(view),
        recording: session ? (session.record ? t.recordingStateOn : t.recordingStateOff) : null,
      }),
    );
  },
});
