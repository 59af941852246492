import type { MeetingRow } from '../app/command-services.js';
import { counts, fitting, namesShown, tally } from '../app/views.js';
import { join, person } from '../i18n/rich.js';
import { defineCommand } from './command.js';
import { onlyMeetingRef, resolveMeeting } from './meeting-ref.js';

export default defineCommand<'meetings' | 'direct'>({
  name: 'status',
  usage: 'status [#meeting]',
  permission: 'anyone',
  async run(c, args) {
    const ref = onlyMeetingRef(args.words);
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
    const named = namesShown(c.settings.showNames, meeting);
    // A --no-record meeting asks nobody (design §3.3): nothing to count, no consent being collected.
    const unasked = { agreed: [], declined: [], withdrawn: [], pending: [] };
    const render = (shown: number) => {
      const status = t.status({
        ref: t.meetingRef(meeting.id, meeting.title),
        state:
          meeting.noRecord && meeting.state === 'collecting'
            ? t.stateNames.planned!
            : (t.stateNames[meeting.state] ?? meeting.state),
        when: meeting.scheduledAt ? c.dateTime(meeting.scheduledAt) : null,
        tally: meeting.noRecord ? unasked : named ? tally(view, shown) : counts(view),
        recording: session
          ? session.record
            ? t.recordingStateOn
            : t.recordingStateOff
          : meeting.noRecord
            ? t.recordingStateOff
            : null,
      });
      return latest ? join([t.statusLatest, status], '\n') : status;
    };
    // A large meeting's full list may not fit in one event: then counts and names as far as they fit.
    const everyone = view.invitees.length;
    await c.reply(
      fitting(c, (shown) => render(shown === everyone ? Number.POSITIVE_INFINITY : shown), everyone),
    );
    // Answers stay private: the organizer learns by DM who has not answered yet (to remind them).
    if (!named && c.sender === meeting.organizerId && meeting.state === 'collecting' && !meeting.noRecord) {
      const pending = view.invitees
        .filter((i) => view.decision.pending.includes(i.userId))
        .map((i) => person(i.userId, i.displayName));
      await c.services.direct.tell(
        c.sender,
        fitting(
          c,
          (n) => t.statusPending(t.meetingRef(meeting.id, meeting.title), pending.slice(0, n)),
          pending.length,
        ),
      );
    }
  },
});
