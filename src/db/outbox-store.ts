import { and, asc, eq, isNull, sql } from './drizzle.js';
import type { Db } from './open.js';
import { intents } from './schema.js';

export type IntentRow = typeof intents.$inferSelect;

export const INTENT_KINDS = ['end-session', 'purge-recordings', 'deliver-link'] as const;
export type IntentKind = (typeof INTENT_KINDS)[number];

export function isIntentKind(value: string): value is IntentKind {
  return (INTENT_KINDS as readonly string[]).includes(value);
}

export interface NewIntent {
  kind: IntentKind;
  meetingId: number;
  sessionId?: number | null;
  userId?: string | null;
}

/** The key that makes an intent unique: the same action is never stored twice. */
export function intentKey(i: NewIntent): string {
  switch (i.kind) {
    case 'end-session':
      return `end:${i.sessionId}`;
    case 'purge-recordings':
      return `purge:${i.meetingId}`;
    case 'deliver-link':
      return `link:${i.sessionId}:${i.userId}`;
  }
}

/** The outbox (see schema.ts `intents`). */
export class OutboxStore {
  // Prepared once: an opening plans, sends and marks done one intent per invitee.
  private readonly insert;
  private readonly ofKey;
  private readonly pendingOf;
  private readonly markDone;

  constructor(private readonly db: Db) {
    this.insert = db
      .insert(intents)
      .values({
        key: sql.placeholder('key'),
        kind: sql.placeholder('kind'),
        meetingId: sql.placeholder('meetingId'),
        sessionId: sql.placeholder('sessionId'),
        userId: sql.placeholder('userId'),
        createdAt: sql.placeholder('createdAt'),
      })
      .onConflictDoNothing()
      .prepare();
    this.ofKey = db
      .select()
      .from(intents)
      .where(eq(intents.key, sql.placeholder('key')))
      .prepare();
    this.pendingOf = db
      .select()
      .from(intents)
      .where(and(eq(intents.meetingId, sql.placeholder('meetingId')), isNull(intents.doneAt)))
      .orderBy(asc(intents.id))
      .prepare();
    this.markDone = db
      .update(intents)
      .set({
        doneAt: sql`${sql.placeholder('now')}`,
        outcome: sql`${sql.placeholder('outcome')}`,
        lastError: null,
      })
      .where(eq(intents.id, sql.placeholder('id')))
      .prepare();
  }

  /**
   * Stores an intent unless the same one is stored already. A purge intent that was done is opened
   * again (a new withdrawal after an earlier one finished). Returns the pending row.
   */
  add(i: NewIntent, now: number): IntentRow {
    const key = intentKey(i);
    this.insert.run({
      key,
      kind: i.kind,
      meetingId: i.meetingId,
      sessionId: i.sessionId ?? null,
      userId: i.userId ?? null,
      createdAt: now,
    });
    if (i.kind === 'purge-recordings') {
      this.db
        .update(intents)
        .set({ doneAt: null, outcome: null })
        .where(and(eq(intents.key, key), eq(intents.outcome, 'confirmed')))
        .run();
    }
    return this.ofKey.get({ key })!;
  }

  get(id: number): IntentRow | undefined {
    return this.db.select().from(intents).where(eq(intents.id, id)).get();
  }

  byKey(key: string): IntentRow | undefined {
    return this.ofKey.get({ key });
  }

  pending(): IntentRow[] {
    return this.db.select().from(intents).where(isNull(intents.doneAt)).orderBy(asc(intents.id)).all();
  }

  pendingOfMeeting(meetingId: number): IntentRow[] {
    return this.pendingOf.all({ meetingId });
  }

  /** True if a withdrawal ever ordered this meeting's recordings deleted (done or not). */
  purgeOrdered(meetingId: number): boolean {
    return !!this.byKey(intentKey({ kind: 'purge-recordings', meetingId }));
  }

  attempted(id: number, now: number, error: string | null): void {
    const row = this.get(id);
    if (!row) return;
    this.db
      .update(intents)
      .set({ attempts: row.attempts + 1, lastAttemptAt: now, lastError: error })
      .where(eq(intents.id, id))
      .run();
  }

  done(id: number, now: number, outcome: 'confirmed' | 'dropped'): void {
    this.markDone.run({ now, outcome, id });
  }

  all(): IntentRow[] {
    return this.db.select().from(intents).orderBy(asc(intents.id)).all();
  }

  /** Intents concerning this person (their personal links), for their Art. 15 answer. */
  ofUser(userId: string): IntentRow[] {
    return this.db.select().from(intents).where(eq(intents.userId, userId)).orderBy(asc(intents.id)).all();
  }
}
