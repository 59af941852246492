import type { InviteeRow, MeetingRow } from '../db/meetings-store.js';
import {
  type ConsentStatus,
  currentStatuses,
  decideRecording,
  type RecordingDecision,
} from '../domain/consent.js';
import type { TallyView } from '../i18n/index.js';
import { join, mention, person, type Rich } from '../i18n/rich.js';
import type { AppContext } from './context.js';

/** A meeting with its invitees and everyone's current consent status, read in one go. */
export interface MeetingView {
  meeting: MeetingRow;
  invitees: InviteeRow[];
  statuses: Map<string, ConsentStatus>;
  decision: RecordingDecision;
}

export function readMeeting(ctx: AppContext, meeting: MeetingRow): MeetingView {
  const store = ctx.stores.meetings;
  const invitees = store.invitees(meeting.id);
  const statuses = currentStatuses(
    invitees.map((i) => i.userId),
    store.consentEvents(meeting.id).map((e) => ({ userId: e.userId, kind: e.kind as 'agree' })),
  );
  return { meeting, invitees, statuses, decision: decideRecording(statuses, meeting.noRecord) };
}

export function nameOf(view: MeetingView, userId: string): string {
  return view.invitees.find((i) => i.userId === userId)?.displayName ?? userId;
}

export function tally(view: MeetingView): TallyView {
  const people = (ids: string[]) => ids.map((id) => person(id, nameOf(view, id)));
  return {
    agreed: people(view.decision.agreed),
    declined: people(view.decision.declined),
    withdrawn: people(view.decision.withdrawn),
    pending: people(view.decision.pending),
  };
}

/** The consent prompt, which doubles as the live tally (edited in place). */
export function renderPrompt(ctx: AppContext, view: MeetingView, closedNote: Rich | null = null): Rich {
  const m = view.meeting;
  const organizer = view.invitees.find((i) => i.isOrganizer);
  return ctx.t.prompt({
    id: m.id,
    title: m.title,
    organizer: person(m.organizerId, organizer?.displayName ?? m.organizerId),
    when: m.scheduledAt ? ctx.dateTime(m.scheduledAt) : null,
    invitees: join(
      view.invitees.map((i) => mention(i.userId, i.displayName)),
      ', ',
    ),
    noRecord: m.noRecord,
    tally: tally(view),
    closedNote,
  });
}

/** "Recording ON – all 4 agreed" / "Recording OFF – Bob declined, Carol did not answer". */
export function recordingStatement(ctx: AppContext, view: MeetingView, record: boolean): Rich {
  const d = view.decision;
  if (record) return ctx.t.recordingOn(d.agreed.length);
  if (view.meeting.noRecord) return ctx.t.recordingOffNoRecord;
  const who = (id: string) => person(id, nameOf(view, id));
  return ctx.t.recordingOffReasons([
    ...d.declined.map((id) => ctx.t.reasonDeclined(who(id))),
    ...d.withdrawn.map((id) => ctx.t.reasonWithdrew(who(id))),
    ...d.pending.map((id) => ctx.t.reasonPending(who(id))),
  ]);
}
