import type { InviteeRow, MeetingRow } from '../db/meetings-store.js';
import { type ConsentStatus, decideRecording, type RecordingDecision } from '../domain/consent.js';
import type { Catalogue, TallyView } from '../i18n/index.js';
import { join, mention, type Piece, person, type Rich } from '../i18n/rich.js';
import type { AppContext } from './context.js';
import type { ChatPort } from './ports.js';

/** A meeting with its invitees and everyone's current consent status, read in one go. */
export interface MeetingView {
  meeting: MeetingRow;
  invitees: InviteeRow[];
  statuses: Map<string, ConsentStatus>;
  decision: RecordingDecision;
}

/** The one way to read a meeting's answers: the lifecycle's own model (MeetingsStore.model). */
export function readMeeting(ctx: AppContext, meeting: MeetingRow): MeetingView {
  const store = ctx.stores.meetings;
  const invitees = store.invitees(meeting.id);
  const statuses = new Map(store.model(meeting).answers);
  return { meeting, invitees, statuses, decision: decideRecording(statuses, meeting.noRecord) };
}

/**
 * Whether the meeting's room may see who answered what: with prompts in the room every client shows
 * the reactions anyway; with private prompts only where the operator chose so (consent.showNames).
 */
export function namesShown(showNames: boolean, meeting: Pick<MeetingRow, 'consentAsk'>): boolean {
  return meeting.consentAsk === 'room' || showNames;
}

/** The tally as counts only: who answered what stays between each person and the bot. */
export function counts(view: MeetingView): TallyView {
  const d = view.decision;
  return {
    agreed: [],
    declined: [],
    withdrawn: [],
    pending: [],
    totals: {
      agreed: d.agreed.length,
      declined: d.declined.length,
      withdrawn: d.withdrawn.length,
      pending: d.pending.length,
    },
  };
}

export function nameOf(view: MeetingView, userId: string): string {
  return view.invitees.find((i) => i.userId === userId)?.displayName ?? userId;
}

/**
 * Who agreed, declined, withdrew, has not answered. With `shown`, each list names at most that many
 * and the agreed only by count (large meetings: the names that matter are those still missing).
 */
export function tally(
  view: MeetingView,
  shown = Number.POSITIVE_INFINITY,
  named: ReadonlyMap<string, Rich> = peopleOf(view),
): TallyView {
  const d = view.decision;
  const people = (ids: string[], max = shown) =>
    ids.slice(0, max).map((id) => named.get(id) ?? person(id, id));
  if (shown === Number.POSITIVE_INFINITY) {
    return {
      agreed: people(d.agreed),
      declined: people(d.declined),
      withdrawn: people(d.withdrawn),
      pending: people(d.pending),
    };
  }
  return {
    agreed: people(d.agreed, 0),
    declined: people(d.declined),
    withdrawn: people(d.withdrawn),
    pending: people(d.pending),
    totals: {
      agreed: d.agreed.length,
      declined: d.declined.length,
      withdrawn: d.withdrawn.length,
      pending: d.pending.length,
    },
  };
}

/** Each invitee as a named person (no notification), by user ID. */
function peopleOf(view: MeetingView): Map<string, Rich> {
  return new Map(view.invitees.map((i) => [i.userId, person(i.userId, i.displayName)]));
}

/** The first `shown` pieces of a list, then "and N more". */
export function someOf(ctx: { t: Catalogue }, pieces: readonly Piece[], shown: number): Rich {
  const rest = pieces.length - shown;
  return join([join(pieces.slice(0, shown), ', '), rest > 0 ? ctx.t.andMore(rest) : '']);
}

/**
 * The homeserver refuses events over 64 KiB, and an edit carries its text twice. `render(shown)`
 * names `shown` people; this returns the fullest rendering that fits in one event, sent or edited.
 */
export function fitting(
  ctx: { chat: Pick<ChatPort, 'fits'> },
  render: (shown: number) => Rich,
  total: number,
  fits = (message: Rich) => ctx.chat.fits(message),
): Rich {
  const full = render(total);
  if (fits(full)) return full;
  let good = 0;
  let bad = total;
  while (bad - good > 1) {
    const mid = Math.floor((good + bad) / 2);
    if (fits(render(mid))) good = mid;
    else bad = mid;
  }
  return render(good);
}

/**
 * The consent prompt, which doubles as the live tally (edited in place). A large meeting gets a
 * compact form that fits in one event: the agreed by count, the others by name as far as they fit,
 * then "and N more"; every invitee is still notified (m.mentions) when the IDs fit too.
 */
export function renderPrompt(ctx: AppContext, view: MeetingView, closedNote: Rich | null = null): Rich {
  // Names are escaped once, not once per attempt.
  const pills = view.invitees.map((i) => mention(i.userId, i.displayName));
  const named = peopleOf(view);
  const showing = (shown: number) => promptShowing(ctx, view, closedNote, shown, pills, named);
  const full = showing(Number.POSITIVE_INFINITY);
  if (ctx.chat.fits(full)) return full;
  const everyone = view.invitees.map((i) => i.userId);
  const notifyingAll = fitting(
    ctx,
    (shown) => ({ ...showing(shown), mentions: everyone }),
    view.invitees.length,
  );
  if (ctx.chat.fits(notifyingAll)) return notifyingAll;
  return fitting(ctx, showing, view.invitees.length);
}

function promptShowing(
  ctx: AppContext,
  view: MeetingView,
  closedNote: Rich | null,
  shown: number,
  pills: readonly Rich[],
  named: ReadonlyMap<string, Rich>,
): Rich {
  const m = view.meeting;
  const organizer = view.invitees.find((i) => i.isOrganizer);
  return ctx.t.prompt({
    id: m.id,
    title: m.title,
    organizer: person(m.organizerId, organizer?.displayName ?? m.organizerId),
    when: m.scheduledAt ? ctx.dateTime(m.scheduledAt) : null,
    invitees: someOf(ctx, pills, Math.min(shown, pills.length)),
    noRecord: m.noRecord,
    tally: namesShown(ctx.config.consent.showNames, m) ? tally(view, shown, named) : counts(view),
    closedNote,
    ask: m.consentAsk === 'direct' ? 'direct' : 'room',
    namesShown: namesShown(ctx.config.consent.showNames, m),
  });
}

/** The consent prompt in one invitee's DM room, with their own answer so far. */
export function renderDirectPrompt(
  ctx: AppContext,
  view: MeetingView,
  userId: string,
  closedNote: Rich | null = null,
): Rich {
  const m = view.meeting;
  const status = view.statuses.get(userId);
  return ctx.t.directPrompt({
    id: m.id,
    title: m.title,
    organizer: person(m.organizerId, nameOf(view, m.organizerId)),
    when: m.scheduledAt ? ctx.dateTime(m.scheduledAt) : null,
    prefix: ctx.config.matrix.commandPrefix,
    answer: status ?? 'pending',
    closedNote,
    namesShown: namesShown(ctx.config.consent.showNames, m),
  });
}

/** "Recording ON – all 4 agreed" / "Recording OFF – Bob declined, Carol did not answer". */
export function recordingStatement(ctx: AppContext, view: MeetingView, record: boolean): Rich {
  const d = view.decision;
  if (record) return ctx.t.recordingOn(d.agreed.length);
  if (view.meeting.noRecord) return ctx.t.recordingOffNoRecord;
  if (!namesShown(ctx.config.consent.showNames, view.meeting)) return ctx.t.recordingOffNotAll;
  const who = (id: string) => person(id, nameOf(view, id));
  const reasons = [
    ...d.declined.map((id) => ctx.t.reasonDeclined(who(id))),
    ...d.withdrawn.map((id) => ctx.t.reasonWithdrew(who(id))),
    ...d.pending.map((id) => ctx.t.reasonPending(who(id))),
  ];
  // The statement is part of a longer message: it may fill half an event at most.
  const inHalf = (r: Rich) => ctx.chat.fits({ ...r, text: r.text.repeat(2), html: r.html.repeat(2) });
  return fitting(
    ctx,
    (shown) => ctx.t.recordingOffReasons([someOf(ctx, reasons, shown)]),
    reasons.length,
    inHalf,
  );
}
