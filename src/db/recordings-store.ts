import { and, asc, eq, inArray, isNotNull, lte, ne, or, sql } from './drizzle.js';
import type { Db } from './open.js';
import { auditLog, consentEvents, intents, invitees, meetings, recordings, sessions } from './schema.js';

export type RecordingRow = typeof recordings.$inferSelect;
export type { RecordingState } from '../domain/recordings.js';

/** IDs per `in (…)` list; far below SQLite's limit of bound variables per statement. */
const ID_CHUNK = 1000;
type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

/** Recordings the bot knows of, and what the retention job needs to find. */
export class RecordingsStore {
  // Prepared once: the start-up asks it for the sessions of every finished meeting (mayHoldRecording).
  private readonly bySession;

  constructor(private readonly db: Db) {
    this.bySession = db
      .select()
      .from(recordings)
      .where(eq(recordings.sessionId, sql.placeholder('sessionId')))
      .prepare();
  }

  get(recordId: string): RecordingRow | undefined {
    return this.db.select().from(recordings).where(eq(recordings.recordId, recordId)).get();
  }

  /** Inserts a newly discovered recording; false if it was known already. */
  discover(r: {
    recordId: string;
    sessionId: number;
    meetingId: number;
    state: 'processing' | 'available' | 'purge-pending';
    startTime: number | null;
    deleteAfter: number | null;
    purgeReason?: string | null;
    now: number;
  }): boolean {
    return (
      this.db
        .insert(recordings)
        .values({
          recordId: r.recordId,
          sessionId: r.sessionId,
          meetingId: r.meetingId,
          state: r.state,
          startTime: r.startTime,
          deleteAfter: r.deleteAfter,
          discoveredAt: r.now,
          readyAt: r.state === 'available' ? r.now : null,
          purgeReason: r.purgeReason ?? null,
          purgeRequestedAt: r.state === 'purge-pending' ? r.now : null,
        })
        .onConflictDoNothing()
        .run().changes > 0
    );
  }

  /** processing → available; returns true only for the call that made the change. */
  markAvailable(recordId: string, now: number): boolean {
    return (
      this.db
        .update(recordings)
        .set({ state: 'available', readyAt: now })
        .where(and(eq(recordings.recordId, recordId), eq(recordings.state, 'processing')))
        .run().changes > 0
    );
  }

  markAnnounced(recordId: string, now: number): void {
    this.db.update(recordings).set({ readyAnnouncedAt: now }).where(eq(recordings.recordId, recordId)).run();
  }

  /** Asks for deletion; never downgrades a purged recording. */
  requestPurge(recordIds: string[], reason: string, now: number): void {
    this.inChunks(recordIds, (tx, ids) =>
      tx
        .update(recordings)
        .set({ state: 'purge-pending', purgeReason: reason, purgeRequestedAt: now })
        .where(and(inArray(recordings.recordId, ids), ne(recordings.state, 'purged')))
        .run(),
    );
  }

  /** Only called after BBB confirmed the delete (or said the recording is gone). */
  /**
   * Marks these recordings purged; returns those this call marked (one that a concurrent run marked
   * first is not returned again, so its deletion is recorded once).
   */
  markPurged(recordIds: string[], now: number): Set<string> {
    const marked = new Set<string>();
    this.inChunks(recordIds, (tx, ids) => {
      for (const { recordId } of tx
        .update(recordings)
        .set({ state: 'purged', purgedAt: now, lastError: null })
        .where(and(inArray(recordings.recordId, ids), ne(recordings.state, 'purged')))
        .returning({ recordId: recordings.recordId })
        .all())
        marked.add(recordId);
    });
    return marked;
  }

  markPurgeFailed(recordIds: string[], error: string): void {
    this.inChunks(recordIds, (tx, ids) =>
      tx
        .update(recordings)
        .set({ attempts: sql`${recordings.attempts} + 1`, lastError: error })
        .where(inArray(recordings.recordId, ids))
        .run(),
    );
  }

  /**
   * One transaction, one statement per chunk of IDs: SQLite refuses statements with more than
   * 32 766 bound variables, and a purge run may cover tens of thousands of recordings.
   */
  private inChunks(ids: string[], update: (tx: Tx, chunk: string[]) => unknown): void {
    if (!ids.length) return;
    this.db.transaction((tx) => {
      for (let i = 0; i < ids.length; i += ID_CHUNK) update(tx, ids.slice(i, i + ID_CHUNK));
    });
  }

  ofMeeting(meetingId: number): RecordingRow[] {
    return this.db
      .select()
      .from(recordings)
      .where(eq(recordings.meetingId, meetingId))
      .orderBy(asc(recordings.startTime))
      .all();
  }

  ofSession(sessionId: number): RecordingRow[] {
    return this.bySession.all({ sessionId });
  }

  inRoom(roomId: string): (RecordingRow & { title: string })[] {
    return this.db
      .select({ r: recordings, title: meetings.title })
      .from(recordings)
      .innerJoin(meetings, eq(meetings.id, recordings.meetingId))
      .where(and(eq(meetings.roomId, roomId), ne(recordings.state, 'purged')))
      .orderBy(asc(recordings.startTime))
      .all()
      .map(({ r, title }) => ({ ...r, title }));
  }

  /**
   * Brings forward the deletion date of kept recordings whose date under `due` (the retention rule) is
   * earlier than the stored one: a shortened retention applies to what exists. A longer one changes
   * nothing (people agreed under the shorter period). Returns how many dates moved.
   */
  bringDeletionForward(due: (startedAt: number) => number): number {
    const kept = this.db
      .select({
        recordId: recordings.recordId,
        // As at discovery: a recording without a start time counts from when the bot found it.
        startedAt: sql<number>`coalesce(${recordings.startTime}, ${recordings.discoveredAt})`,
        deleteAfter: recordings.deleteAfter,
      })
      .from(recordings)
      .where(inArray(recordings.state, ['processing', 'available']))
      .all();
    const moved = kept.filter((r) => r.deleteAfter === null || due(r.startedAt) < r.deleteAfter);
    this.db.transaction((tx) => {
      for (const r of moved) {
        tx.update(recordings)
          .set({ deleteAfter: due(r.startedAt) })
          .where(eq(recordings.recordId, r.recordId))
          .run();
      }
    });
    return moved.length;
  }

  /** Everything the purge job must delete now: purge-pending, or expired. */
  dueForPurge(now: number): RecordingRow[] {
    return this.db
      .select()
      .from(recordings)
      .where(
        or(
          eq(recordings.state, 'purge-pending'),
          and(
            inArray(recordings.state, ['processing', 'available']),
            isNotNull(recordings.deleteAfter),
            lte(recordings.deleteAfter, now),
          ),
        ),
      )
      .orderBy(asc(recordings.discoveredAt))
      .all();
  }

  /** Sessions whose recordings may still appear in BBB (recorded, and not too long ago). */
  sessionsToWatch(since: number) {
    return this.db
      .select({ session: sessions, meeting: meetings })
      .from(sessions)
      .innerJoin(meetings, eq(meetings.id, sessions.meetingId))
      .where(
        and(
          eq(sessions.record, true),
          isNotNull(sessions.confirmedAt),
          or(sql`${sessions.endedAt} is null`, sql`${sessions.endedAt} >= ${since}`),
        ),
      )
      .all();
  }

  /**
   * Meetings whose evidence may be pruned: closed or cancelled, no recording left that is not
   * purged, no recorded session whose recording may still appear (ended at or after
   * `watchedSince`), and the last purge (or the close, if nothing was ever recorded) older than `before`.
   */
  meetingsWithEvidenceOlderThan(before: number, watchedSince: number): number[] {
    const rows = this.db
      .select({ id: meetings.id })
      .from(meetings)
      .where(
        and(
          inArray(meetings.state, ['closed', 'cancelled']),
          sql`not exists (select 1 from ${recordings} where ${recordings.meetingId} = ${meetings.id} and ${recordings.state} != 'purged')`,
          sql`not exists (select 1 from ${intents} where ${intents.meetingId} = ${meetings.id} and ${intents.doneAt} is null)`,
          sql`not exists (select 1 from ${sessions} where ${sessions.meetingId} = ${meetings.id} and ${sessions.record} = 1 and ${sessions.confirmedAt} is not null and (${sessions.endedAt} is null or ${sessions.endedAt} >= ${watchedSince}))`,
          sql`coalesce((select max(${recordings.purgedAt}) from ${recordings} where ${recordings.meetingId} = ${meetings.id}), ${meetings.closedAt}, ${meetings.createdAt}) < ${before}`,
        ),
      )
      .all();
    return rows.map((r) => r.id);
  }

  /**
   * Deletes meetings and everything hanging off them (consent evidence and audit entries included;
   * sessions and link deliveries go by cascade), a few hundred per transaction.
   */
  pruneMeetings(meetingIds: number[]): void {
    for (let i = 0; i < meetingIds.length; i += 500) {
      const ids = meetingIds.slice(i, i + 500);
      this.db.transaction((tx) => {
        tx.delete(recordings).where(inArray(recordings.meetingId, ids)).run();
        tx.delete(consentEvents).where(inArray(consentEvents.meetingId, ids)).run();
        tx.delete(invitees).where(inArray(invitees.meetingId, ids)).run();
        tx.delete(auditLog).where(inArray(auditLog.meetingId, ids)).run();
        tx.delete(meetings).where(inArray(meetings.id, ids)).run();
      });
    }
  }
}
