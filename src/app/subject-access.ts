import type { MeetingRow } from '../db/meetings-store.js';
import { isGuestId } from '../domain/guest.js';
import { DAY_MS, DIRECT_ROOM_GRACE_DAYS } from '../domain/retention.js';
import type { AppContext } from './context.js';
import { WATCH_DAYS } from './recording-discovery.js';

// The answer to a person's access request (DSGVO Art. 15, `!mydata`): everything the database holds
// about them, each item with when it goes (design.md §3.7), as a machine-readable copy to keep.
// Links themselves are credentials and are not stored; what was sent, where and when, is.

/** When an item is deleted: a date where one is known now, else the rule that will set it. */
export interface Deletion {
  /** ISO 8601 (UTC), or null when it depends on something still to happen. */
  on: string | null;
  rule: string;
}

export interface SubjectAccess {
  userId: string;
  generatedAt: string;
  meetings: {
    id: number;
    title: string;
    roomId: string;
    state: string;
    organizer: boolean;
    /** The display name stored for this meeting. */
    displayName: string;
    addedAt: string;
    addedBy: string;
    consentAsked: string;
    deletion: Deletion;
    answers: {
      id: number;
      answer: string;
      at: string;
      /** reaction, redaction, command or reconcile (read at start-up). */
      source: string;
      /** Where the answer was given: the meeting's room or the DM room with the bot. */
      channel: 'room' | 'direct' | 'command';
      actor: string;
      matrixEventId: string | null;
      noticeVersion: string;
      /** The first layer with the prompt answered on (see `consentTexts`), if stored. */
      consentTextVersion: string | null;
    }[];
    /**
     * The first layers with prompts as posted that name them: the ones they answered on and, as the
     * organizer, every one of the meeting (each names the organizer).
     */
    consentTexts: { sha256: string; text: string }[];
    privatePrompt: { roomId: string; eventId: string; postedAt: string } | null;
    linksSent: { sessionId: number; bbbMeetingId: string; recorded: boolean; at: string; roomId: string }[];
    recordings: {
      recordId: string;
      state: string;
      startedAt: string | null;
      playbackLinkSentAt: string | null;
      deletion: Deletion;
    }[];
  }[];
  /** What they did about other people: invitees they added, answers they recorded for someone. */
  forOthers: {
    invited: {
      meetingId: number;
      userId: string;
      guestName: string | null;
      at: string;
      deletion: Deletion;
    }[];
    answersRecorded: {
      id: number;
      meetingId: number;
      userId: string;
      answer: string;
      at: string;
      deletion: Deletion;
    }[];
  };
  pendingTasks: { id: number; kind: string; meetingId: number; createdAt: string; done: boolean }[];
  auditEntries: {
    id: number;
    at: string;
    action: string;
    meetingId: number | null;
    /** Who they were in it: who acted, whom it is about, or named in its details. */
    role: 'actor' | 'subject' | 'named';
    deletion: Deletion;
  }[];
  directRoom: { roomId: string; since: string; deletion: Deletion } | null;
  notes: { roomId: string; note: string; at: string }[];
}

const iso = (at: number | null | undefined) =>
  at === null || at === undefined ? null : new Date(at).toISOString();

export function subjectAccess(ctx: AppContext, userId: string): SubjectAccess {
  const { meetings, recordings, audit, outbox, state } = ctx.stores;
  const { evidenceDaysAfterPurge: evidenceDays } = ctx.config.retention;
  const markers = state.markersAbout(userId);
  const playbackSent = new Map(
    markers.kv
      .filter((m) => m.key.startsWith('playback-sent:'))
      .map((m) => [m.key.slice('playback-sent:'.length, -userId.length - 1), Number(m.value)]),
  );
  const consents = meetings.consentEventsOfUser(userId);
  const deliveries = meetings.deliveriesOf(userId);
  const evidence = new Map<number, Deletion>();
  const rows = meetings.inviteeRowsOf(userId).flatMap((invitee) => {
    const meeting = meetings.get(invitee.meetingId);
    if (!meeting) return [];
    const deletion = evidenceDeletion(ctx, meeting, evidenceDays);
    evidence.set(meeting.id, deletion);
    const prompt = meetings.dmPrompt(meeting.id, userId);
    return [
      {
        id: meeting.id,
        title: meeting.title,
        roomId: meeting.roomId,
        state: meeting.state,
        organizer: invitee.isOrganizer,
        displayName: invitee.displayName,
        addedAt: iso(invitee.addedAt)!,
        addedBy: invitee.addedBy,
        consentAsked: meeting.consentAsk,
        deletion,
        answers: consents
          .filter((c) => c.meetingId === meeting.id)
          .map((c) => ({
            id: c.id,
            answer: c.kind,
            at: iso(c.at)!,
            source: c.source,
            channel:
              c.source === 'command'
                ? ('command' as const)
                : meeting.consentAsk === 'direct'
                  ? ('direct' as const)
                  : ('room' as const),
            actor: c.actorId,
            matrixEventId: c.matrixEventId,
            noticeVersion: c.noticeSha256,
            consentTextVersion: c.consentTextSha256,
          })),
        consentTexts: meetings
          .consentTextsOfMeeting(meeting.id)
          .filter(
            (text) =>
              invitee.isOrganizer ||
              text.sha256 === meeting.consentTextSha256 ||
              text.sha256 === prompt?.consentTextSha256 ||
              consents.some((c) => c.meetingId === meeting.id && c.consentTextSha256 === text.sha256),
          ),
        privatePrompt: prompt
          ? { roomId: prompt.roomId, eventId: prompt.eventId, postedAt: iso(prompt.postedAt)! }
          : null,
        linksSent: deliveries
          .filter((d) => d.session.meetingId === meeting.id)
          .map((d) => ({
            sessionId: d.session.id,
            bbbMeetingId: d.session.bbbMeetingId,
            recorded: d.session.record,
            at: iso(d.delivery.deliveredAt)!,
            roomId: d.delivery.roomId,
          })),
        recordings: recordings.ofMeeting(meeting.id).map((r) => ({
          recordId: r.recordId,
          state: r.state,
          startedAt: iso(r.startTime),
          playbackLinkSentAt: iso(playbackSent.get(r.recordId)),
          deletion:
            r.state === 'purged'
              ? { on: iso(r.purgedAt), rule: 'deleted' }
              : r.state === 'purge-pending'
                ? { on: null, rule: 'deletion requested; retried until BBB confirms' }
                : {
                    on: iso(r.deleteAfter),
                    rule: `retention.recordingDays after the recording, or a withdrawal`,
                  },
        })),
      },
    ];
  });
  // What they did about others goes with that meeting's evidence (also a meeting they are not in).
  const evidenceOf = (meetingId: number): Deletion => {
    const known = evidence.get(meetingId);
    if (known) return known;
    const meeting = meetings.get(meetingId);
    return meeting ? evidenceDeletion(ctx, meeting, evidenceDays) : { on: null, rule: 'deleted' };
  };
  const direct = state.directRoomRow(userId);
  return {
    userId,
    generatedAt: iso(ctx.now())!,
    meetings: rows,
    forOthers: {
      invited: meetings.inviteesAddedBy(userId).map((i) => ({
        meetingId: i.meetingId,
        userId: i.userId,
        // The name they typed for a guest; a Matrix user's display name is that person's.
        guestName: isGuestId(i.userId) ? i.displayName : null,
        at: iso(i.addedAt)!,
        deletion: evidenceOf(i.meetingId),
      })),
      answersRecorded: meetings.consentEventsActedBy(userId).map((c) => ({
        id: c.id,
        meetingId: c.meetingId,
        userId: c.userId,
        answer: c.kind,
        at: iso(c.at)!,
        deletion: evidenceOf(c.meetingId),
      })),
    },
    pendingTasks: outbox.ofUser(userId).map((i) => ({
      id: i.id,
      kind: i.kind,
      meetingId: i.meetingId,
      createdAt: iso(i.createdAt)!,
      done: i.doneAt !== null,
    })),
    auditEntries: audit.about(userId).map((a) => ({
      id: a.id,
      at: iso(a.at)!,
      action: a.action,
      meetingId: a.meetingId,
      role:
        a.actorId === userId
          ? ('actor' as const)
          : a.subjectId === userId
            ? ('subject' as const)
            : ('named' as const),
      deletion: (a.meetingId !== null && evidence.get(a.meetingId)) || {
        on: iso(a.at + evidenceDays * DAY_MS),
        rule: 'retention.evidenceDaysAfterPurge after the entry',
      },
    })),
    directRoom: direct
      ? {
          roomId: direct.roomId,
          since: iso(direct.createdAt)!,
          deletion: rows.length
            ? {
                on: null,
                rule: `at the latest ${DIRECT_ROOM_GRACE_DAYS} days after no meeting of yours is left`,
              }
            : {
                on: iso(direct.createdAt + DIRECT_ROOM_GRACE_DAYS * DAY_MS),
                rule: `at the latest ${DIRECT_ROOM_GRACE_DAYS} days after no meeting of yours is left`,
              },
        }
      : null,
    notes: markers.notes.map((n) => ({ roomId: n.roomId, note: n.note, at: iso(n.at)! })),
  };
}

/** When a meeting's evidence goes (its answers, invitee row, links sent, audit entries). */
function evidenceDeletion(ctx: AppContext, meeting: MeetingRow, evidenceDays: number): Deletion {
  const rule = 'retention.evidenceDaysAfterPurge after the meeting ended and its last recording was deleted';
  const { recordings } = ctx.stores;
  if (meeting.state === 'collecting' && meeting.scheduledAt === null) {
    const expires = meeting.createdAt + ctx.config.limits.unansweredDays * DAY_MS;
    return {
      on: iso(expires + evidenceDays * DAY_MS),
      rule: `at the latest: ${rule} (unopened meetings expire)`,
    };
  }
  if (meeting.state === 'collecting' || meeting.state === 'open') return { on: null, rule };
  const kept = recordings.ofMeeting(meeting.id).filter((r) => r.state !== 'purged');
  if (kept.some((r) => r.deleteAfter === null)) return { on: null, rule };
  const last = Math.max(
    meeting.closedAt ?? meeting.createdAt,
    ...recordings.ofMeeting(meeting.id).map((r) => r.purgedAt ?? r.deleteAfter ?? 0),
  );
  // The retention job keeps a meeting while a recorded session's recording may still appear in BBB.
  const watched = ctx.stores.meetings
    .sessions(meeting.id)
    .filter((s) => s.record && s.confirmedAt !== null)
    .map((s) => (s.endedAt ?? Number.POSITIVE_INFINITY) + WATCH_DAYS * DAY_MS);
  const on = Math.max(last + evidenceDays * DAY_MS, ...watched);
  if (!Number.isFinite(on)) return { on: null, rule };
  return {
    on: iso(on),
    rule: watched.length ? `${rule}, and not before ${WATCH_DAYS} days after a recorded session ended` : rule,
  };
}
