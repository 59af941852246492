import { type ConsentKind, currentStatuses, isConsentKind } from '../domain/consent.js';
import {
  isMeetingState,
  isSessionState,
  type MeetingModel,
  type MeetingState,
  type SessionState,
} from '../domain/lifecycle.js';
import { cleanName } from '../domain/names.js';
import {
  and,
  asc,
  desc,
  eq,
  exists,
  gte,
  inArray,
  isNotNull,
  isNull,
  ne,
  notExists,
  sql,
} from './drizzle.js';
import type { Db } from './open.js';
import {
  consentEvents,
  consentTexts,
  dmPrompts,
  invitees,
  linkDeliveries,
  meetings,
  notices,
  recordings,
  sessions,
} from './schema.js';

export type MeetingRow = typeof meetings.$inferSelect;
export type InviteeRow = typeof invitees.$inferSelect;
export type SessionRow = typeof sessions.$inferSelect;
export type ConsentRow = typeof consentEvents.$inferSelect;
export type DmPromptRow = typeof dmPrompts.$inferSelect;

export interface NewMeeting {
  roomId: string;
  title: string;
  organizerId: string;
  noRecord: boolean;
  language: string;
  notice: { sha256: string; text: string };
  commandEventId: string;
  scheduledAt: number | null;
  invitees: { userId: string; displayName: string }[];
  /** Where consent is asked (config consent.ask); defaults to the meeting's room. */
  consentAsk?: 'direct' | 'room';
}

export type ConsentSource = 'reaction' | 'redaction' | 'command' | 'reconcile' | 'web';

/** Meetings, their invitees, the consent ledger, sessions and link deliveries. */
export class MeetingsStore {
  // Prepared once: every answer reads the meeting and its model (a burst of n answers, n times), and
  // the start-up reads the prompts and the ledger of every meeting it reconciles.
  private readonly byId;
  private readonly modelInvitees;
  private readonly modelLedger;
  private readonly modelSessions;
  private readonly ofPrompt;
  private readonly sessionById;
  private readonly sessionsOf;
  private readonly consentOfEvent;
  private readonly insertConsent;
  private readonly insertDelivery;
  private readonly ledgerOf;
  private readonly dmPromptsOf;
  private readonly creating;

  constructor(private readonly db: Db) {
    const meetingId = sql.placeholder('meetingId');
    this.ofPrompt = db
      .select()
      .from(meetings)
      .where(eq(meetings.promptEventId, sql.placeholder('eventId')))
      .prepare();
    this.sessionById = db
      .select()
      .from(sessions)
      .where(eq(sessions.id, sql.placeholder('id')))
      .prepare();
    this.sessionsOf = db
      .select()
      .from(sessions)
      .where(eq(sessions.meetingId, meetingId))
      .orderBy(asc(sessions.id))
      .prepare();
    this.consentOfEvent = db
      .select({ id: consentEvents.id })
      .from(consentEvents)
      .where(eq(consentEvents.matrixEventId, sql.placeholder('eventId')))
      .prepare();
    this.insertConsent = db
      .insert(consentEvents)
      .values({
        meetingId,
        userId: sql.placeholder('userId'),
        kind: sql.placeholder('kind'),
        at: sql.placeholder('at'),
        matrixEventId: sql.placeholder('matrixEventId'),
        reactionEventId: sql.placeholder('reactionEventId'),
        noticeSha256: sql.placeholder('noticeSha256'),
        consentTextSha256: sql.placeholder('consentTextSha256'),
        actorId: sql.placeholder('actorId'),
        source: sql.placeholder('source'),
      })
      .onConflictDoNothing()
      .prepare();
    this.ledgerOf = db
      .select()
      .from(consentEvents)
      .where(eq(consentEvents.meetingId, meetingId))
      .orderBy(asc(consentEvents.id))
      .prepare();
    this.dmPromptsOf = db.select().from(dmPrompts).where(eq(dmPrompts.meetingId, meetingId)).prepare();
    this.creating = creatingStatements(db);
    this.insertDelivery = db
      .insert(linkDeliveries)
      .values({
        sessionId: sql.placeholder('sessionId'),
        userId: sql.placeholder('userId'),
        roomId: sql.placeholder('roomId'),
        deliveredAt: sql.placeholder('now'),
      })
      .onConflictDoNothing()
      .prepare();
    this.byId = db
      .select()
      .from(meetings)
      .where(eq(meetings.id, sql.placeholder('id')))
      .prepare();
    this.modelInvitees = db
      .select({ userId: invitees.userId })
      .from(invitees)
      .where(eq(invitees.meetingId, meetingId))
      .orderBy(desc(invitees.isOrganizer), asc(invitees.addedAt), asc(invitees.userId))
      .prepare();
    this.modelLedger = db
      .select({ id: consentEvents.id, userId: consentEvents.userId, kind: consentEvents.kind })
      .from(consentEvents)
      .where(eq(consentEvents.meetingId, meetingId))
      .orderBy(asc(consentEvents.id))
      .prepare();
    this.modelSessions = db
      .select({ id: sessions.id, record: sessions.record, state: sessions.state })
      .from(sessions)
      .where(eq(sessions.meetingId, meetingId))
      .orderBy(asc(sessions.id))
      .prepare();
  }

  /** Stores a planned meeting; null if this command event was already handled (idempotency). */
  /**
   * Stores a new meeting with its notice text and invitees, in one transaction; null if this command
   * was stored before (a restart handles it again). On the way from `!meeting` to the notice people
   * wait for, so its statements are prepared once.
   */
  create(m: NewMeeting, now: number): MeetingRow | null {
    const created = this.db.$client.transaction((): MeetingRow | null => {
      if (this.creating.ofCommand.get({ commandEventId: m.commandEventId })) return null;
      this.creating.notice.run({
        sha256: m.notice.sha256,
        language: m.language,
        text: m.notice.text,
        firstUsedAt: now,
      });
      const row = this.creating.meeting.get({
        roomId: m.roomId,
        title: m.title,
        organizerId: m.organizerId,
        noRecord: m.noRecord,
        language: m.language,
        noticeSha256: m.notice.sha256,
        commandEventId: m.commandEventId,
        scheduledAt: m.scheduledAt,
        createdAt: now,
        consentAsk: m.consentAsk ?? 'room',
      })!;
      for (const invitee of m.invitees) {
        this.creating.invitee.run({
          meetingId: row.id,
          userId: invitee.userId,
          displayName: cleanName(invitee.displayName) || invitee.userId,
          isOrganizer: invitee.userId === m.organizerId,
          addedAt: now,
          addedBy: m.organizerId,
        });
      }
      return row;
    });
    return created();
  }

  get(id: number): MeetingRow | undefined {
    return this.byId.get({ id });
  }

  byPrompt(promptEventId: string): MeetingRow | undefined {
    return this.ofPrompt.get({ eventId: promptEventId });
  }

  /**
   * Closed or cancelled meetings that asked for consent and may still have a recording: one of their
   * recorded sessions was confirmed by BBB and none of that session's recordings is purged. The same
   * rule as `mayHoldRecording` (app/withdrawal.ts) for one meeting, in one query for the start-up
   * (checked against it by test/integration/recordings/may-hold-recording.test.ts).
   */
  finishedMayHoldRecording(): number[] {
    const purged = this.db
      .select({ x: sql`1` })
      .from(recordings)
      .where(and(eq(recordings.sessionId, sessions.id), eq(recordings.state, 'purged')));
    const recorded = this.db
      .select({ x: sql`1` })
      .from(sessions)
      .where(
        and(
          eq(sessions.meetingId, meetings.id),
          eq(sessions.record, true),
          isNotNull(sessions.confirmedAt),
          notExists(purged),
        ),
      );
    return this.db
      .select({ id: meetings.id })
      .from(meetings)
      .where(
        and(
          inArray(meetings.state, ['closed', 'cancelled'] satisfies MeetingState[]),
          isNotNull(meetings.promptEventId),
          eq(meetings.noRecord, false),
          exists(recorded),
        ),
      )
      .orderBy(asc(meetings.id))
      .all()
      .map((r) => r.id);
  }

  inRoom(roomId: string, states?: MeetingState[]): MeetingRow[] {
    const where = states?.length
      ? and(eq(meetings.roomId, roomId), inArray(meetings.state, states))
      : eq(meetings.roomId, roomId);
    return this.db.select().from(meetings).where(where).orderBy(desc(meetings.id)).all();
  }

  inStates(states: MeetingState[]): MeetingRow[] {
    return this.db
      .select()
      .from(meetings)
      .where(inArray(meetings.state, states))
      .orderBy(asc(meetings.id))
      .all();
  }

  /** Meetings where this user is an invitee. */
  ofUser(userId: string, roomId?: string): MeetingRow[] {
    const rows = this.db
      .select({ meeting: meetings })
      .from(meetings)
      .innerJoin(invitees, eq(invitees.meetingId, meetings.id))
      .where(
        roomId ? and(eq(invitees.userId, userId), eq(meetings.roomId, roomId)) : eq(invitees.userId, userId),
      )
      .orderBy(desc(meetings.id))
      .all();
    return rows.map((r) => r.meeting);
  }

  setPosted(
    id: number,
    fields: { noticeEventId?: string; promptEventId?: string; consentTextSha256?: string },
  ): void {
    this.db.update(meetings).set(fields).where(eq(meetings.id, id)).run();
  }

  setState(id: number, state: MeetingState, fields: Partial<MeetingRow> = {}): void {
    this.db
      .update(meetings)
      .set({ ...fields, state })
      .where(eq(meetings.id, id))
      .run();
  }

  invitees(meetingId: number): InviteeRow[] {
    return this.db
      .select()
      .from(invitees)
      .where(eq(invitees.meetingId, meetingId))
      .orderBy(desc(invitees.isOrganizer), asc(invitees.addedAt), asc(invitees.userId))
      .all();
  }

  addInvitees(meetingId: number, people: { userId: string; displayName: string }[], by: string, now: number) {
    const added: string[] = [];
    this.db.transaction((tx) => {
      for (const p of people) {
        const result = tx
          .insert(invitees)
          .values({
            meetingId,
            userId: p.userId,
            displayName: cleanName(p.displayName) || p.userId,
            addedAt: now,
            addedBy: by,
          })
          .onConflictDoNothing()
          .run();
        if (result.changes > 0) added.push(p.userId);
      }
    });
    return added;
  }

  consentEvents(meetingId: number): ConsentRow[] {
    return this.ledgerOf.all({ meetingId });
  }

  consentEventsOfUser(userId: string): ConsentRow[] {
    return this.db
      .select()
      .from(consentEvents)
      .where(eq(consentEvents.userId, userId))
      .orderBy(asc(consentEvents.id))
      .all();
  }

  /** Answers this person recorded for someone else (an admin's `!withdraw @user` or `--guest`). */
  consentEventsActedBy(userId: string): ConsentRow[] {
    return this.db
      .select()
      .from(consentEvents)
      .where(and(eq(consentEvents.actorId, userId), ne(consentEvents.userId, userId)))
      .orderBy(asc(consentEvents.id))
      .all();
  }

  /** Appends to the ledger; false if this Matrix event was already recorded. */
  appendConsent(e: {
    meetingId: number;
    userId: string;
    kind: ConsentKind;
    at: number;
    matrixEventId: string | null;
    reactionEventId?: string | null;
    noticeSha256: string;
    consentTextSha256?: string | null;
    actorId: string;
    source: ConsentSource;
  }): boolean {
    const result = this.insertConsent.run({
      ...e,
      reactionEventId: e.reactionEventId ?? null,
      consentTextSha256: e.consentTextSha256 ?? null,
    });
    return result.changes > 0;
  }

  hasConsentEvent(matrixEventId: string): boolean {
    return !!this.consentOfEvent.get({ eventId: matrixEventId });
  }

  /** The ledger entry created by a reaction event (to interpret its redaction). */
  consentByReaction(reactionEventId: string): ConsentRow | undefined {
    return this.db
      .select()
      .from(consentEvents)
      .where(eq(consentEvents.reactionEventId, reactionEventId))
      .get();
  }

  sessions(meetingId: number): SessionRow[] {
    return this.sessionsOf.all({ meetingId });
  }

  currentSession(meetingId: number): SessionRow | undefined {
    return this.db
      .select()
      .from(sessions)
      .where(and(eq(sessions.meetingId, meetingId), inArray(sessions.state, ['creating', 'running'])))
      .orderBy(desc(sessions.id))
      .get();
  }

  session(id: number): SessionRow | undefined {
    return this.sessionById.get({ id });
  }

  sessionByBbbId(bbbMeetingId: string): SessionRow | undefined {
    return this.db.select().from(sessions).where(eq(sessions.bbbMeetingId, bbbMeetingId)).get();
  }

  updateSession(id: number, fields: Partial<SessionRow>): void {
    this.db.update(sessions).set(fields).where(eq(sessions.id, id)).run();
  }

  /** Sessions whose BBB `create` is still to be confirmed. */
  unconfirmedSessions(): SessionRow[] {
    return this.db
      .select()
      .from(sessions)
      .where(eq(sessions.state, 'creating' satisfies SessionState))
      .all();
  }

  /** Running sessions whose opening the room has not heard yet (its send failed; see Outbox). */
  unannouncedSessions(): SessionRow[] {
    return this.db
      .select()
      .from(sessions)
      .where(and(eq(sessions.state, 'running' satisfies SessionState), isNull(sessions.announcedAt)))
      .all();
  }

  /** Recorded sessions that ended at or after `since` (watched for a late `create`, see Outbox). */
  recordedEndedSince(since: number): SessionRow[] {
    return this.db
      .select()
      .from(sessions)
      .where(
        and(
          eq(sessions.state, 'ended' satisfies SessionState),
          eq(sessions.record, true),
          gte(sessions.endedAt, since),
        ),
      )
      .all();
  }

  insertSession(s: {
    meetingId: number;
    bbbMeetingId: string;
    record: boolean;
    now: number;
    announcedAt: number | null;
  }): SessionRow {
    return this.db
      .insert(sessions)
      .values({
        meetingId: s.meetingId,
        bbbMeetingId: s.bbbMeetingId,
        record: s.record,
        state: 'creating' satisfies SessionState,
        createdAt: s.now,
        announcedAt: s.announcedAt,
      })
      .returning()
      .get();
  }

  /**
   * The meeting as the domain model sees it. Throws on a stored state the model does not know:
   * the database must never hold one (checked by the property test, I4).
   */
  model(meeting: MeetingRow): MeetingModel {
    if (!isMeetingState(meeting.state))
      throw new Error(`meeting ${meeting.id}: unknown state ${meeting.state}`);
    const ledger = this.modelLedger.all({ meetingId: meeting.id }).map((e) => {
      if (!isConsentKind(e.kind)) throw new Error(`consent event ${e.id}: unknown kind ${e.kind}`);
      return { userId: e.userId, kind: e.kind };
    });
    const answers = currentStatuses(
      this.modelInvitees.all({ meetingId: meeting.id }).map((i) => i.userId),
      ledger,
    );
    const sessionModels = this.modelSessions.all({ meetingId: meeting.id }).map((row) => {
      if (!isSessionState(row.state)) throw new Error(`session ${row.id}: unknown state ${row.state}`);
      return { id: row.id, record: row.record, state: row.state };
    });
    return {
      state: meeting.state,
      noRecord: meeting.noRecord,
      scheduledAt: meeting.scheduledAt,
      answers,
      sessions: sessionModels,
    };
  }

  delivered(sessionId: number): Set<string> {
    const rows = this.db
      .select({ userId: linkDeliveries.userId })
      .from(linkDeliveries)
      .where(eq(linkDeliveries.sessionId, sessionId))
      .all();
    return new Set(rows.map((r) => r.userId));
  }

  recordDelivery(sessionId: number, userId: string, roomId: string, now: number): void {
    this.insertDelivery.run({ sessionId, userId, roomId, now });
  }

  /** This person's invitee rows (the display name stored per meeting). */
  inviteeRowsOf(userId: string): InviteeRow[] {
    return this.db
      .select()
      .from(invitees)
      .where(eq(invitees.userId, userId))
      .orderBy(asc(invitees.meetingId))
      .all();
  }

  /** The invitees (people and guests) this person added to a meeting, themselves aside. */
  inviteesAddedBy(userId: string): InviteeRow[] {
    return this.db
      .select()
      .from(invitees)
      .where(and(eq(invitees.addedBy, userId), ne(invitees.userId, userId)))
      .orderBy(asc(invitees.meetingId), asc(invitees.addedAt))
      .all();
  }

  /** Personal links handed to this person (where and when; the link itself is not stored). */
  deliveriesOf(userId: string) {
    return this.db
      .select({ delivery: linkDeliveries, session: sessions })
      .from(linkDeliveries)
      .innerJoin(sessions, eq(sessions.id, linkDeliveries.sessionId))
      .where(eq(linkDeliveries.userId, userId))
      .orderBy(asc(linkDeliveries.deliveredAt))
      .all();
  }

  deliveriesOfUser(userId: string): number {
    const row = this.db
      .select({ n: sql<number>`count(*)` })
      .from(linkDeliveries)
      .where(eq(linkDeliveries.userId, userId))
      .get();
    return row?.n ?? 0;
  }

  /** The consent prompt in a person's DM room, stored as soon as it is posted. */
  setDmPrompt(p: { meetingId: number; userId: string; roomId: string; eventId: string }, now: number): void {
    this.db
      .insert(dmPrompts)
      .values({ ...p, postedAt: now })
      .onConflictDoNothing()
      .run();
  }

  dmPrompts(meetingId: number): DmPromptRow[] {
    return this.dmPromptsOf.all({ meetingId });
  }

  dmPrompt(meetingId: number, userId: string): DmPromptRow | undefined {
    return this.db
      .select()
      .from(dmPrompts)
      .where(and(eq(dmPrompts.meetingId, meetingId), eq(dmPrompts.userId, userId)))
      .get();
  }

  dmPromptByEvent(eventId: string): DmPromptRow | undefined {
    return this.db.select().from(dmPrompts).where(eq(dmPrompts.eventId, eventId)).get();
  }

  dmPromptsOfUser(userId: string): DmPromptRow[] {
    return this.db.select().from(dmPrompts).where(eq(dmPrompts.userId, userId)).all();
  }

  setDmPromptShown(meetingId: number, userId: string, shown: string): void {
    this.db
      .update(dmPrompts)
      .set({ shown })
      .where(and(eq(dmPrompts.meetingId, meetingId), eq(dmPrompts.userId, userId)))
      .run();
  }

  /** Stores the first layer and prompt as posted (once per text); returns its SHA-256. */
  storeConsentText(
    t: { sha256: string; noticeSha256: string; language: string; text: string },
    now: number,
  ): string {
    this.db
      .insert(consentTexts)
      .values({ ...t, firstUsedAt: now })
      .onConflictDoNothing()
      .run();
    return t.sha256;
  }

  /**
   * Forgets first layers with prompts that no meeting, private prompt or answer refers to any more
   * (they name the organizer, in room mode the invitees): they go with the last evidence using them.
   */
  pruneUnusedConsentTexts(): number {
    return this.db
      .delete(consentTexts)
      .where(
        and(
          notExists(
            this.db
              .select({ x: consentEvents.id })
              .from(consentEvents)
              .where(eq(consentEvents.consentTextSha256, consentTexts.sha256)),
          ),
          notExists(
            this.db
              .select({ x: meetings.id })
              .from(meetings)
              .where(eq(meetings.consentTextSha256, consentTexts.sha256)),
          ),
          notExists(
            this.db
              .select({ x: dmPrompts.eventId })
              .from(dmPrompts)
              .where(eq(dmPrompts.consentTextSha256, consentTexts.sha256)),
          ),
        ),
      )
      .run().changes;
  }

  /**
   * Forgets notice texts that no meeting or stored first layer refers to any more (they name the
   * controller, contacts and admins); the current one is stored again with the next meeting.
   */
  pruneUnusedNotices(): number {
    return this.db
      .delete(notices)
      .where(
        and(
          notExists(
            this.db
              .select({ x: meetings.id })
              .from(meetings)
              .where(eq(meetings.noticeSha256, notices.sha256)),
          ),
          notExists(
            this.db
              .select({ x: consentTexts.sha256 })
              .from(consentTexts)
              .where(eq(consentTexts.noticeSha256, notices.sha256)),
          ),
        ),
      )
      .run().changes;
  }

  setDmPromptText(meetingId: number, userId: string, consentTextSha256: string): void {
    this.db
      .update(dmPrompts)
      .set({ consentTextSha256 })
      .where(and(eq(dmPrompts.meetingId, meetingId), eq(dmPrompts.userId, userId)))
      .run();
  }

  /** The first layer and prompt this person answers on in this meeting (its SHA-256), if stored. */
  consentTextOf(meeting: MeetingRow, userId: string): string | null {
    if (meeting.consentAsk === 'direct') return this.dmPrompt(meeting.id, userId)?.consentTextSha256 ?? null;
    return meeting.consentTextSha256;
  }

  /**
   * The first layers with prompts a meeting's people answered on (its room's, each private prompt's,
   * each answer's): they name the organizer, in room mode the invitees.
   */
  consentTextsOfMeeting(meetingId: number): { sha256: string; text: string }[] {
    const used = new Set(
      [
        this.get(meetingId)?.consentTextSha256,
        ...this.dmPrompts(meetingId).map((p) => p.consentTextSha256),
        ...this.consentEvents(meetingId).map((e) => e.consentTextSha256),
      ].filter((s): s is string => !!s),
    );
    if (!used.size) return [];
    return this.db
      .select({ sha256: consentTexts.sha256, text: consentTexts.text })
      .from(consentTexts)
      .where(inArray(consentTexts.sha256, [...used]))
      .orderBy(asc(consentTexts.firstUsedAt), asc(consentTexts.sha256))
      .all();
  }

  noticeText(sha256: string): string | undefined {
    return this.db.select().from(notices).where(eq(notices.sha256, sha256)).get()?.text;
  }
}

/** The statements `create` runs, prepared once. */
function creatingStatements(db: Db) {
  const p = (name: string) => sql.placeholder(name);
  return {
    ofCommand: db
      .select({ id: meetings.id })
      .from(meetings)
      .where(eq(meetings.commandEventId, p('commandEventId')))
      .prepare(),
    notice: db
      .insert(notices)
      .values({
        sha256: p('sha256'),
        language: p('language'),
        text: p('text'),
        firstUsedAt: p('firstUsedAt'),
      })
      .onConflictDoNothing()
      .prepare(),
    meeting: db
      .insert(meetings)
      .values({
        roomId: p('roomId'),
        title: p('title'),
        organizerId: p('organizerId'),
        state: 'collecting' satisfies MeetingState,
        noRecord: p('noRecord'),
        language: p('language'),
        noticeSha256: p('noticeSha256'),
        commandEventId: p('commandEventId'),
        scheduledAt: p('scheduledAt'),
        createdAt: p('createdAt'),
        consentAsk: p('consentAsk'),
      })
      .returning()
      .prepare(),
    invitee: db
      .insert(invitees)
      .values({
        meetingId: p('meetingId'),
        userId: p('userId'),
        displayName: p('displayName'),
        isOrganizer: p('isOrganizer'),
        addedAt: p('addedAt'),
        addedBy: p('addedBy'),
      })
      .prepare(),
  };
}
