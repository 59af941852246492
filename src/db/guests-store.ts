import { createHash, randomBytes } from 'node:crypto';
import { GUEST_ID_PREFIX } from '../domain/guest.js';
import { and, asc, eq, sql } from './drizzle.js';
import type { Db } from './open.js';
import { consentEvents, guests, invitees, meetings } from './schema.js';

export type GuestRow = typeof guests.$inferSelect;
export type MeetingOfGuest = typeof meetings.$inferSelect;

/** The stored form of a guest token: its SHA-256 (the token itself is never stored). */
export function hashGuestToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** A guest link's token: 256 random bits, URL-safe (43 characters). */
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

export class GuestsStore {
  // The page's reads, prepared once: every guest's page load runs them.
  private readonly byHash;
  private readonly answersOf;
  private readonly organizerOf;

  constructor(private readonly db: Db) {
    this.byHash = db
      .select({ guest: guests, meeting: meetings })
      .from(guests)
      .innerJoin(meetings, eq(meetings.id, guests.meetingId))
      .where(eq(guests.tokenSha256, sql.placeholder('hash')))
      .prepare();
    this.answersOf = db
      .select({ userId: consentEvents.userId, kind: consentEvents.kind })
      .from(consentEvents)
      .where(
        and(
          eq(consentEvents.meetingId, sql.placeholder('meetingId')),
          eq(consentEvents.userId, sql.placeholder('guestId')),
        ),
      )
      .orderBy(asc(consentEvents.id))
      .prepare();
    this.organizerOf = db
      .select({ name: invitees.displayName })
      .from(invitees)
      .where(and(eq(invitees.meetingId, sql.placeholder('meetingId')), eq(invitees.isOrganizer, true)))
      .prepare();
  }

  /** Adds a guest to a meeting; returns the guest and the token for their link (shown once, never stored). */
  create(
    meetingId: number,
    displayName: string,
    createdBy: string,
    now: number,
  ): { guest: GuestRow; token: string } {
    const token = randomBytes(32).toString('base64url');
    const guest: GuestRow = {
      id: `${GUEST_ID_PREFIX}${randomBytes(8).toString('hex')}`,
      meetingId,
      tokenSha256: hashGuestToken(token),
      displayName,
      createdAt: now,
      createdBy,
    };
    this.db.insert(guests).values(guest).run();
    return { guest, token };
  }

  /** The guest and meeting a token belongs to; undefined for a malformed, unknown or pruned token. */
  byToken(token: string): { guest: GuestRow; meeting: MeetingOfGuest } | undefined {
    if (!TOKEN.test(token)) return undefined;
    return this.byHash.get({ hash: hashGuestToken(token) }) ?? undefined;
  }

  /** A guest's own ledger entries in their meeting, oldest first (the page shows their answer only). */
  answers(meetingId: number, guestId: string): { userId: string; kind: string }[] {
    return this.answersOf.all({ meetingId, guestId });
  }

  organizerName(meetingId: number): string | undefined {
    return this.organizerOf.get({ meetingId })?.name;
  }

  get(id: string): GuestRow | undefined {
    return this.db.select().from(guests).where(eq(guests.id, id)).get();
  }

  ofMeeting(meetingId: number): GuestRow[] {
    return this.db.select().from(guests).where(eq(guests.meetingId, meetingId)).all();
  }
}
