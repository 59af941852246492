import { and, asc, eq, isNull, lt, notExists, or, sql } from './drizzle.js';
import type { Db } from './open.js';
import { auditLog, meetings } from './schema.js';

export type AuditAction =
  | 'meeting.planned'
  | 'meeting.opened'
  | 'meeting.cancelled'
  | 'meeting.expired'
  | 'meeting.invited'
  | 'meeting.closed'
  | 'session.planned'
  | 'session.created'
  | 'session.ended'
  | 'session.late-create-ended'
  | 'consent.agree'
  | 'consent.decline'
  | 'consent.withdraw'
  | 'consent.reset'
  | 'consent.redaction-ignored'
  | 'recording.discovered'
  | 'recording.link-sent'
  | 'recording.purge-requested'
  | 'recording.purged'
  | 'evidence.pruned'
  | 'admin.purge'
  | 'admin.withdraw'
  | 'user.mydata'
  | 'admin.evidence';

export interface AuditEntry {
  at: number;
  actorId: string;
  action: AuditAction;
  meetingId?: number | null;
  subjectId?: string | null;
  details?: Record<string, unknown>;
}

/** Append-only record of who did what, when (consents, withdrawals, purges, admin actions). */
export class AuditStore {
  private readonly observers: ((entry: AuditEntry) => void)[] = [];

  // Prepared once: every answer and every link appends.
  private readonly insert;

  constructor(private readonly db: Db) {
    this.insert = db
      .insert(auditLog)
      .values({
        at: sql.placeholder('at'),
        actorId: sql.placeholder('actorId'),
        action: sql.placeholder('action'),
        meetingId: sql.placeholder('meetingId'),
        subjectId: sql.placeholder('subjectId'),
        details: sql.placeholder('details'),
      })
      .prepare();
  }

  /** Called after every append (the metrics count from here). */
  observe(observer: (entry: AuditEntry) => void): void {
    this.observers.push(observer);
  }

  append(entry: AuditEntry): void {
    this.insert.run({
      at: entry.at,
      actorId: entry.actorId,
      action: entry.action,
      meetingId: entry.meetingId ?? null,
      subjectId: entry.subjectId ?? null,
      details: entry.details ?? null,
    });
    for (const observer of this.observers) observer(entry);
  }

  /**
   * Entries that belong to no meeting (any more), older than `before`: a person's `!mydata`, an
   * admin's purge, the note that a meeting's evidence was pruned. They go after the evidence period
   * like the rest (design.md §3.7). Returns how many went.
   */
  pruneWithoutMeeting(before: number): number {
    return this.db
      .delete(auditLog)
      .where(
        and(
          lt(auditLog.at, before),
          or(
            isNull(auditLog.meetingId),
            notExists(
              this.db.select({ id: meetings.id }).from(meetings).where(eq(meetings.id, auditLog.meetingId)),
            ),
          ),
        ),
      )
      .run().changes;
  }

  forMeeting(meetingId: number) {
    return this.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.meetingId, meetingId))
      .orderBy(asc(auditLog.id))
      .all();
  }

  /**
   * Every entry by or about this person, or naming them in its details (e.g. among a meeting's
   * invitees), oldest first: their Art. 15 answer. A scan of the details: only for `!mydata`.
   */
  about(userId: string) {
    const quoted = JSON.stringify(userId);
    return this.db
      .select()
      .from(auditLog)
      .where(
        or(
          eq(auditLog.subjectId, userId),
          eq(auditLog.actorId, userId),
          sql`instr(${auditLog.details}, ${quoted}) > 0`,
        ),
      )
      .orderBy(asc(auditLog.id))
      .all();
  }

  countAbout(userId: string): number {
    const row = this.db
      .select({ n: sql<number>`count(*)` })
      .from(auditLog)
      .where(or(eq(auditLog.subjectId, userId), eq(auditLog.actorId, userId)))
      .get();
    return row?.n ?? 0;
  }
}
