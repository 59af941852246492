import { createHash, randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { GUEST_ID_PREFIX } from '../domain/guest.js';
import type { Db } from './open.js';
import { guests, meetings } from './schema.js';

export type GuestRow = typeof guests.$inferSelect;
export type MeetingOfGuest = typeof meetings.$inferSelect;

/** The stored form of a guest token: its SHA-256 (the token itself is never stored). */
export function hashGuestToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** A guest link's token: 256 random bits, URL-safe (43 characters). */
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

export class GuestsStore {
  constructor(private readonly db: Db) {}

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
    const row = this.db
      .select({ guest: guests, meeting: meetings })
      .from(guests)
      .innerJoin(meetings, eq(meetings.id, guests.meetingId))
      .where(eq(guests.tokenSha256, hashGuestToken(token)))
      .get();
    return row ?? undefined;
  }

  get(id: string): GuestRow | undefined {
    return this.db.select().from(guests).where(eq(guests.id, id)).get();
  }

  ofMeeting(meetingId: number): GuestRow[] {
    return this.db.select().from(guests).where(eq(guests.meetingId, meetingId)).all();
  }
}
