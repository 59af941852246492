import { and, asc, eq, isNull } from 'drizzle-orm';
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
  constructor(private readonly db: Db) {}

  /**
   * Stores an intent unless the same one is stored already. A purge intent that was done is opened
   * again (a new withdrawal after an earlier one finished). Returns the pending row.
   */
  add(i: NewIntent, now: number): IntentRow {
    const key = intentKey(i);
    this.db
      .insert(intents)
      .values({
        key,
        kind: i.kind,
        meetingId: i.meetingId,
        sessionId: i.sessionId ?? null,
        userId: i.userId ?? null,
        createdAt: now,
      })
      .onConflictDoNothing()
      .run();
    if (i.kind === 'purge-recordings') {
      this.db
        .update(intents)
        .set({ doneAt: null, outcome: null })
        .where(and(eq(intents.key, key), eq(intents.outcome, 'confirmed')))
        .run();
    }
    return this.db.select().from(intents).where(eq(intents.key, key)).get()!;
  }

  get(id: number): IntentRow | undefined {
    return this.db.select().from(intents).where(eq(intents.id, id)).get();
  }

  byKey(key: string): IntentRow | undefined {
    return this.db.select().from(intents).where(eq(intents.key, key)).get();
  }

  pending(): IntentRow[] {
    return this.db.select().from(intents).where(isNull(intents.doneAt)).orderBy(asc(intents.id)).all();
  }

  pendingOfMeeting(meetingId: number): IntentRow[] {
    return this.db
      .select()
      .from(intents)
      .where(and(eq(intents.meetingId, meetingId), isNull(intents.doneAt)))
      .orderBy(asc(intents.id))
      .all();
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
    this.db.update(intents).set({ doneAt: now, outcome, lastError: null }).where(eq(intents.id, id)).run();
  }

  all(): IntentRow[] {
    return this.db.select().from(intents).orderBy(asc(intents.id)).all();
  }

  /** Intents concerning this person (their personal links), for their Art. 15 answer. */
  ofUser(userId: string): IntentRow[] {
    return this.db.select().from(intents).where(eq(intents.userId, userId)).orderBy(asc(intents.id)).all();
  }
}
