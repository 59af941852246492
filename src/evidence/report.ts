import { and, asc, eq, gte, inArray } from '../db/drizzle.js';
import type { Db } from '../db/open.js';
import {
  auditLog,
  consentEvents,
  consentTexts,
  invitees,
  meetings,
  notices,
  recordings,
  sessions,
} from '../db/schema.js';

/**
 * The consent evidence of DSGVO Art. 7(1): for every meeting in scope, its sessions with their
 * `record` flag and BBB IDs, every invitee's complete consent history (answer, time, Matrix event,
 * notice version), what happened to each recording, and the notice texts by version. Read-only.
 */
export interface EvidenceScope {
  meetingId?: number;
  roomId?: string;
  /** Meetings planned at or after this time (epoch ms). */
  since?: number;
}

export interface EvidenceReport {
  generatedAt: string;
  scope: { meeting?: number; room?: string; since?: string };
  meetings: EvidenceMeeting[];
  /** Every notice version a meeting in scope refers to, with its full text. */
  notices: { version: string; language: string; firstUsedAt: string; text: string }[];
  /**
   * What people answered on, by SHA-256: the first layer and the prompt as posted, with the version
   * of the full text it belongs to. Each consent names both.
   */
  consentTexts: {
    version: string;
    noticeVersion: string;
    language: string;
    firstUsedAt: string;
    text: string;
  }[];
}

export interface EvidenceMeeting {
  id: number;
  roomId: string;
  title: string;
  organizer: string;
  state: string;
  noRecord: boolean;
  noticeVersion: string;
  plannedAt: string;
  scheduledAt: string | null;
  openedAt: string | null;
  openedBy: string | null;
  closedAt: string | null;
  sessions: {
    id: number;
    record: boolean;
    bbbMeetingId: string;
    internalMeetingId: string | null;
    createdAt: string;
    confirmedAt: string | null;
    endedAt: string | null;
    endReason: string | null;
  }[];
  invitees: {
    userId: string;
    displayName: string;
    organizer: boolean;
    addedAt: string;
    addedBy: string;
    /** The answer that stands now: agree, decline, withdraw, or null when never answered. */
    finalAnswer: string | null;
    consents: {
      answer: string;
      at: string;
      matrixEventId: string | null;
      reactionEventId: string | null;
      noticeVersion: string;
      /** The first layer and prompt answered on (see `consentTexts`); null for answers stored before. */
      consentTextVersion: string | null;
      actor: string;
      source: string;
    }[];
  }[];
  recordings: {
    recordId: string;
    sessionId: number;
    state: string;
    startTime: string | null;
    discoveredAt: string;
    deleteAfter: string | null;
    deletionRequestedAt: string | null;
    /** withdrawal, retention or admin */
    deletionRule: string | null;
    deletedAt: string | null;
    /** Who deleted it: the admin for `!purge`, the bot for withdrawals and retention. */
    deletedBy: string | null;
    /** For a withdrawal: who withdrew, before the deletion was requested. */
    withdrawnBy: string[];
    attempts: number;
    lastError: string | null;
  }[];
}

const iso = (ms: number | null | undefined): string | null =>
  ms === null || ms === undefined ? null : new Date(ms).toISOString();

export function buildEvidence(db: Db, scope: EvidenceScope, now = Date.now()): EvidenceReport {
  const conditions = [
    scope.meetingId !== undefined ? eq(meetings.id, scope.meetingId) : undefined,
    scope.roomId !== undefined ? eq(meetings.roomId, scope.roomId) : undefined,
    scope.since !== undefined ? gte(meetings.createdAt, scope.since) : undefined,
  ].filter((c) => c !== undefined);
  const rows = db
    .select()
    .from(meetings)
    .where(conditions.length ? and(...conditions) : undefined)
    .orderBy(asc(meetings.id))
    .all();
  const ids = rows.map((m) => m.id);
  const byMeeting = <T extends { meetingId: number }>(list: T[]) => {
    const map = new Map<number, T[]>();
    for (const item of list) map.set(item.meetingId, [...(map.get(item.meetingId) ?? []), item]);
    return map;
  };
  // Chunked: SQLite limits the number of bound parameters.
  const load = <T>(query: (chunk: number[]) => T[]): T[] => {
    const out: T[] = [];
    for (let i = 0; i < ids.length; i += 500) out.push(...query(ids.slice(i, i + 500)));
    return out;
  };
  const allSessions = byMeeting(
    load((c) =>
      db.select().from(sessions).where(inArray(sessions.meetingId, c)).orderBy(asc(sessions.id)).all(),
    ),
  );
  const allInvitees = byMeeting(
    load((c) => db.select().from(invitees).where(inArray(invitees.meetingId, c)).all()),
  );
  const allConsents = byMeeting(
    load((c) =>
      db
        .select()
        .from(consentEvents)
        .where(inArray(consentEvents.meetingId, c))
        .orderBy(asc(consentEvents.id))
        .all(),
    ),
  );
  const allRecordings = byMeeting(
    load((c) =>
      db
        .select()
        .from(recordings)
        .where(inArray(recordings.meetingId, c))
        .orderBy(asc(recordings.discoveredAt))
        .all(),
    ),
  );
  const purges = byMeeting(
    load((c) =>
      db
        .select()
        .from(auditLog)
        .where(and(inArray(auditLog.meetingId, c), eq(auditLog.action, 'recording.purged')))
        .orderBy(asc(auditLog.id))
        .all()
        .map((a) => ({ ...a, meetingId: a.meetingId ?? 0 })),
    ),
  );

  const reportMeetings: EvidenceMeeting[] = rows.map((m) => {
    const consents = allConsents.get(m.id) ?? [];
    const purged = purges.get(m.id) ?? [];
    return {
      id: m.id,
      roomId: m.roomId,
      title: m.title,
      organizer: m.organizerId,
      state: m.state,
      noRecord: m.noRecord,
      noticeVersion: m.noticeSha256,
      plannedAt: iso(m.createdAt)!,
      scheduledAt: iso(m.scheduledAt),
      openedAt: iso(m.openedAt),
      openedBy: m.openedBy,
      closedAt: iso(m.closedAt),
      sessions: (allSessions.get(m.id) ?? []).map((s) => ({
        id: s.id,
        record: s.record,
        bbbMeetingId: s.bbbMeetingId,
        internalMeetingId: s.internalMeetingId,
        createdAt: iso(s.createdAt)!,
        confirmedAt: iso(s.confirmedAt),
        endedAt: iso(s.endedAt),
        endReason: s.endReason,
      })),
      invitees: (allInvitees.get(m.id) ?? [])
        .sort((a, b) => a.addedAt - b.addedAt || a.userId.localeCompare(b.userId))
        .map((i) => {
          const own = consents.filter((e) => e.userId === i.userId);
          return {
            userId: i.userId,
            displayName: i.displayName,
            organizer: i.isOrganizer,
            addedAt: iso(i.addedAt)!,
            addedBy: i.addedBy,
            finalAnswer: own.at(-1)?.kind ?? null,
            consents: own.map((e) => ({
              answer: e.kind,
              at: iso(e.at)!,
              matrixEventId: e.matrixEventId,
              reactionEventId: e.reactionEventId,
              noticeVersion: e.noticeSha256,
              consentTextVersion: e.consentTextSha256,
              actor: e.actorId,
              source: e.source,
            })),
          };
        }),
      recordings: (allRecordings.get(m.id) ?? []).map((r) => {
        const audit = purged.find((a) => a.details?.recordId === r.recordId);
        const requested = r.purgeRequestedAt;
        const withdrawnBy =
          r.purgeReason === 'withdrawal'
            ? [
                ...new Set(
                  consents
                    .filter((e) => e.kind === 'withdraw' && (requested === null || e.at <= requested))
                    .map((e) => e.userId),
                ),
              ]
            : [];
        return {
          recordId: r.recordId,
          sessionId: r.sessionId,
          state: r.state,
          startTime: iso(r.startTime),
          discoveredAt: iso(r.discoveredAt)!,
          deleteAfter: iso(r.deleteAfter),
          deletionRequestedAt: iso(requested),
          deletionRule: r.purgeReason,
          deletedAt: iso(r.purgedAt),
          deletedBy: audit?.actorId ?? null,
          withdrawnBy,
          attempts: r.attempts,
          lastError: r.lastError,
        };
      }),
    };
  });

  const versions = [
    ...new Set(
      reportMeetings.flatMap((m) => [
        m.noticeVersion,
        ...m.invitees.flatMap((i) => i.consents.map((c) => c.noticeVersion)),
      ]),
    ),
  ];
  const texts = versions.length
    ? db
        .select()
        .from(notices)
        .where(inArray(notices.sha256, versions))
        .orderBy(asc(notices.firstUsedAt))
        .all()
    : [];
  const shown = [
    ...new Set(
      reportMeetings.flatMap((m) =>
        m.invitees.flatMap((i) => i.consents.map((c) => c.consentTextVersion).filter((v) => v !== null)),
      ),
    ),
  ];
  const answeredOn = shown.length
    ? db
        .select()
        .from(consentTexts)
        .where(inArray(consentTexts.sha256, shown))
        .orderBy(asc(consentTexts.firstUsedAt))
        .all()
    : [];
  return {
    generatedAt: iso(now)!,
    scope: {
      ...(scope.meetingId !== undefined ? { meeting: scope.meetingId } : {}),
      ...(scope.roomId !== undefined ? { room: scope.roomId } : {}),
      ...(scope.since !== undefined ? { since: iso(scope.since)! } : {}),
    },
    meetings: reportMeetings,
    notices: texts.map((n) => ({
      version: n.sha256,
      language: n.language,
      firstUsedAt: iso(n.firstUsedAt)!,
      text: n.text,
    })),
    consentTexts: answeredOn.map((t) => ({
      version: t.sha256,
      noticeVersion: t.noticeSha256,
      language: t.language,
      firstUsedAt: iso(t.firstUsedAt)!,
      text: t.text,
    })),
  };
}
