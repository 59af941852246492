import { fitting, readMeeting, tally } from '../src/app/views.js';
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
    const render = (shown: number) =>
      t.status({
        ref: t.meetingRef(meeting.id, meeting.title),
        state: t.stateNames[meeting.state] ?? meeting.state,
        when: meeting.scheduledAt ? c.ctx.dateTime(meeting.scheduledAt) : null,
        tally: tally(view, shown),
        recording: session ? (session.record ? t.recordingStateOn : t.recordingStateOff) : null,
      });
    // A large meeting's full list may not fit in one event: then counts and names as far as they fit.
    await c.reply(
      fitting(
        (shown) => render(shown === view.invitees.length ? Number.POSITIVE_INFINITY : shown),
        view.invitees.length,
      ),
    );
  },
});
