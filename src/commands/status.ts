import type { MeetingRow } from '../app/command-services.js';
import { fitting, tally } from '../app/views.js';
import { join } from '../i18n/rich.js';
import { defineCommand } from './command.js';
import { isMeetingRef, resolveMeeting } from './meeting-ref.js';

export default defineCommand<'meetings'>({
  name: 'status',
  usage: 'status [#meeting]',
  permission: 'anyone',
  async run(c, args) {
    const ref = isMeetingRef(args.words[0]) ? args.words[0] : undefined;
    const { t } = c;
    const { meetings } = c.services;
    // Without a reference: the open (or collecting) meeting; when there is none, the room's latest
    // meeting, saying so (after a meeting ended, people still ask how it went).
    const latest: MeetingRow | undefined =
      ref === undefined && !meetings.inRoom(c.roomId, ['collecting', 'open']).length
        ? meetings.inRoom(c.roomId)[0]
        : undefined;
    const meeting = latest ?? resolveMeeting(c, ref, ['collecting', 'open']);
    const view = meetings.view(meeting);
    const session = meetings.currentSession(meeting.id);
    const render = (shown: number) => {
      const status = t.status({
        ref: t.meetingRef(meeting.id, meeting.title),
        state: t.stateNames[meeting.state] ?? meeting.state,
        when: meeting.scheduledAt ? c.dateTime(meeting.scheduledAt) : null,
        tally: tally(view, shown),
        recording: session ? (session.record ? t.recordingStateOn : t.recordingStateOff) : null,
      });
      return latest ? join([t.statusLatest, status], '\n') : status;
    };
    // A large meeting's full list may not fit in one event: then counts and names as far as they fit.
    const everyone = view.invitees.length;
    await c.reply(
      fitting(c, (shown) => render(shown === everyone ? Number.POSITIVE_INFINITY : shown), everyone),
    );
  },
});
