import { and, eq, gte, like, lt, notExists, or, sql } from './drizzle.js';
import type { Db } from './open.js';
import { directRooms, invitees, kv, processedEvents, roomNotes } from './schema.js';

/** Small pieces of bot state: handled events, direct-message rooms, one-time room notes, key/value. */
export class BotStateStore {
  // Prepared once: read for every answer and every link.
  private readonly readKey;
  private readonly dmOf;

  constructor(private readonly db: Db) {
    this.readKey = db
      .select({ value: kv.value })
      .from(kv)
      .where(eq(kv.key, sql.placeholder('key')))
      .prepare();
    this.dmOf = db
      .select({ roomId: directRooms.roomId })
      .from(directRooms)
      .where(eq(directRooms.userId, sql.placeholder('userId')))
      .prepare();
  }

  /** Marks a Matrix event handled; false if it already was (so handlers run once per event). */
  claimEvent(eventId: string, now: number): boolean {
    return (
      this.db.insert(processedEvents).values({ eventId, at: now }).onConflictDoNothing().run().changes > 0
    );
  }

  /**
   * A reaction on a meeting's prompt by someone not invited at that moment: no answer, then or ever
   * (design §3.2), also for a restart's reconciliation after the person was invited. Kept as long as
   * the meeting itself (unlike `processed_events`, which forgets after 30 days).
   */
  markNoAnswer(meetingId: number, reactionEventId: string): void {
    this.write(noAnswerKey(meetingId, reactionEventId), '1');
  }

  isNoAnswer(meetingId: number, reactionEventId: string): boolean {
    return this.read(noAnswerKey(meetingId, reactionEventId)) !== undefined;
  }

  /** A fingerprint of what a meeting's prompt shows now (see PromptUpdater), or undefined. */
  promptShown(meetingId: number): string | undefined {
    return this.read(promptShownKey(meetingId));
  }

  setPromptShown(meetingId: number, fingerprint: string): void {
    this.write(promptShownKey(meetingId), fingerprint);
  }

  /**
   * What is kept per meeting in the key/value table goes with the meeting's evidence (retention). The
   * no-answer markers of a meeting are one key range (`LIKE` would scan the whole table per meeting:
   * SQLite's case-insensitive LIKE cannot use the key's index), all in one transaction.
   */
  forgetMeetings(meetingIds: readonly number[]): void {
    this.db.transaction((tx) => {
      for (const id of meetingIds) {
        const markers = noAnswerKey(id, '');
        // ';' sorts right after ':', the last character of every marker prefix.
        tx.delete(kv)
          .where(and(gte(kv.key, markers), lt(kv.key, `${markers.slice(0, -1)};`)))
          .run();
        tx.delete(kv)
          .where(or(eq(kv.key, promptShownKey(id)), eq(kv.key, `reminder-sent:${id}`)))
          .run();
        // "Could not ask / reach this person" notes of the meeting.
        tx.delete(roomNotes)
          .where(like(roomNotes.note, `prompt-undeliverable:${id}:%`))
          .run();
      }
    });
  }

  /**
   * What is kept per session and recording of pruned meetings: "playback link sent to …" markers,
   * "link undeliverable to …" and "BBB unavailable" notes (each names its key range or exact note).
   */
  forgetSessionsAndRecordings(sessionIds: readonly number[], recordIds: readonly string[]): void {
    this.db.transaction((tx) => {
      for (const recordId of recordIds) {
        const markers = `playback-sent:${recordId}:`;
        tx.delete(kv)
          .where(and(gte(kv.key, markers), lt(kv.key, `${markers.slice(0, -1)};`)))
          .run();
      }
      for (const id of sessionIds) {
        tx.delete(roomNotes)
          .where(
            or(like(roomNotes.note, `undeliverable:${id}:%`), eq(roomNotes.note, `bbb-unavailable:${id}`)),
          )
          .run();
      }
    });
  }

  /**
   * Forgets the DM room of each person no meeting names any more, once it is older than `before`
   * (a grace period: a new meeting soon after reuses it), with what is kept about that room (the
   * full notice posted there, one-time notes). Returns how many people were forgotten.
   */
  forgetDirectRoomsWithoutMeetings(before: number): number {
    const gone = this.db
      .select()
      .from(directRooms)
      .where(
        and(
          lt(directRooms.createdAt, before),
          notExists(
            this.db
              .select({ one: invitees.userId })
              .from(invitees)
              .where(eq(invitees.userId, directRooms.userId)),
          ),
        ),
      )
      .all();
    this.db.transaction((tx) => {
      for (const row of gone) {
        const notices = `notice-full:${row.roomId}:`;
        tx.delete(kv)
          .where(and(gte(kv.key, notices), lt(kv.key, `${notices.slice(0, -1)};`)))
          .run();
        tx.delete(roomNotes).where(eq(roomNotes.roomId, row.roomId)).run();
        tx.delete(directRooms).where(eq(directRooms.userId, row.userId)).run();
      }
    });
    return gone.length;
  }

  /**
   * Markers that name this person: key/value entries ending in their ID (e.g. `playback-sent:<rec>:<id>`)
   * and one-time room notes about them (e.g. `undeliverable:<session>:<id>`). A full scan: only for
   * a person's own `!mydata`.
   */
  markersAbout(userId: string): {
    kv: { key: string; value: string }[];
    notes: { roomId: string; note: string; at: number }[];
  } {
    return {
      // LIKE treats _ and % in the ID as wildcards: the exact suffix is checked again.
      kv: this.db
        .select()
        .from(kv)
        .where(like(kv.key, `%:${userId}`))
        .all()
        .filter((r) => r.key.endsWith(`:${userId}`)),
      notes: this.db
        .select()
        .from(roomNotes)
        .where(like(roomNotes.note, `%:${userId}`))
        .all()
        .filter((r) => r.note.endsWith(`:${userId}`)),
    };
  }

  directRoomRow(userId: string) {
    return this.db.select().from(directRooms).where(eq(directRooms.userId, userId)).get();
  }

  forgetEventsBefore(at: number): number {
    return this.db.delete(processedEvents).where(lt(processedEvents.at, at)).run().changes;
  }

  directRoom(userId: string): string | undefined {
    return this.dmOf.get({ userId })?.roomId;
  }

  setDirectRoom(userId: string, roomId: string, now: number): void {
    this.db
      .insert(directRooms)
      .values({ userId, roomId, createdAt: now })
      .onConflictDoUpdate({ target: directRooms.userId, set: { roomId, createdAt: now } })
      .run();
  }

  /** True the first time a note is taken for a room (e.g. "told them it is encrypted"). */
  noteOnce(roomId: string, note: string, now: number): boolean {
    return (
      this.db.insert(roomNotes).values({ roomId, note, at: now }).onConflictDoNothing().run().changes > 0
    );
  }

  read(key: string): string | undefined {
    return this.readKey.get({ key })?.value;
  }

  write(key: string, value: string | null): void {
    if (value === null) this.db.delete(kv).where(eq(kv.key, key)).run();
    else
      this.db.insert(kv).values({ key, value }).onConflictDoUpdate({ target: kv.key, set: { value } }).run();
  }
}

const noAnswerKey = (meetingId: number, reactionEventId: string) =>
  `no-answer:${meetingId}:${reactionEventId}`;
const promptShownKey = (meetingId: number) => `prompt-shown:${meetingId}`;
