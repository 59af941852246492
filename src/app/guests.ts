import { createHash, randomBytes } from 'node:crypto';
import type { GuestRow } from '../db/guests-store.js';
import type { MeetingRow } from '../db/meetings-store.js';
import { withinCap } from '../domain/bounds.js';
import type { Answer, ConsentStatus } from '../domain/consent.js';
import { guestChoices } from '../domain/guest.js';
import { currentSession, mayReceiveLinkTo, takesInvitees } from '../domain/lifecycle.js';
import type { Language } from '../i18n/index.js';
import type { AppContext } from './context.js';
import type { DirectRooms } from './direct-rooms.js';
import type { MeetingLifecycle } from './lifecycle.js';
import { personalJoinUrl } from './opening.js';
import { UndeliverableError } from './ports.js';
import type { Withdrawal } from './withdrawal.js';

export interface GuestLink {
  guestId: string;
  name: string;
  url: string;
}

export interface GuestAccess {
  guest: GuestRow;
  meeting: MeetingRow;
}

/** Why guests cannot be invited: the config keys to set. Null when they can. */
export function guestsUnavailable(ctx: AppContext): string[] | null {
  const missing: string[] = [];
  if (!ctx.config.http.enabled) missing.push('http.enabled');
  if (!ctx.config.http.publicUrl) missing.push('http.publicUrl');
  return missing.length ? missing : null;
}

/** A guest's personal link: the bot's own page under `http.publicUrl`. */
export function guestLink(publicUrl: string, token: string): string {
  return new URL(`g/${token}`, publicUrl.endsWith('/') ? publicUrl : `${publicUrl}/`).toString();
}

/** Each web answer gets its own ledger key, as a reaction has its event ID. */
const webEventId = () => `web:${randomBytes(12).toString('hex')}`;

/**
 * Guests (design.md §3.11): invitees without a Matrix account who answer on the bot's web page. Their
 * answers and withdrawals go through the same door into the lifecycle as a reaction or `!withdraw`,
 * under the meeting's lock, so every rule (recorded only if every invitee agreed, links only after
 * agreement, a withdrawal ends the recorded session and deletes recordings) holds for them too.
 */
export class Guests {
  constructor(
    private readonly ctx: AppContext,
    private readonly lifecycle: MeetingLifecycle,
    private readonly withdrawal: Withdrawal,
    private readonly directRooms: DirectRooms,
  ) {}

  find(token: string): GuestAccess | undefined {
    return this.ctx.stores.guests.byToken(token);
  }

  status(access: GuestAccess): ConsentStatus {
    return this.ctx.stores.meetings.model(access.meeting).answers.get(access.guest.id) ?? 'pending';
  }

  /**
   * Stores guests of a meeting as invitees, in one transaction, and returns their links (the token
   * exists nowhere else: only its hash is stored). For a meeting being planned, before anyone could
   * answer; {@link invite} adds them to a meeting under way. Caller checked {@link guestsUnavailable}.
   */
  create(
    meetingId: number,
    names: readonly string[],
    actorId: string,
  ): { guestIds: string[]; links: GuestLink[] } {
    const publicUrl = this.ctx.config.http.publicUrl as string;
    const { meetings, guests, audit, db } = this.ctx.stores;
    const now = this.ctx.now();
    const created = db.$client.transaction(() => {
      const rows = names.map((name) => guests.create(meetingId, name, actorId, now));
      meetings.addInvitees(
        meetingId,
        rows.map(({ guest }) => ({ userId: guest.id, displayName: guest.displayName })),
        actorId,
        now,
      );
      audit.append({
        at: now,
        actorId,
        action: 'meeting.invited',
        meetingId,
        details: { invitees: rows.map(({ guest }) => guest.id), guests: true },
      });
      return rows;
    })();
    return {
      guestIds: created.map(({ guest }) => guest.id),
      links: created.map(({ guest, token }) => ({
        guestId: guest.id,
        name: guest.displayName,
        url: guestLink(publicUrl, token),
      })),
    };
  }

  /** `!invite --guest`: adds guests to a meeting under way, within the cap, through the lifecycle. */
  invite(
    meeting: MeetingRow,
    names: readonly string[],
    actorId: string,
  ): Promise<{ links: GuestLink[] } | { tooMany: { current: number; adding: number } } | { over: true }> {
    return this.ctx.withMeeting(meeting.id, async () => {
      if (!takesInvitees(this.ctx.stores.meetings.get(meeting.id))) return { over: true as const };
      const current = this.ctx.stores.meetings.invitees(meeting.id).length;
      if (!withinCap(current, names.length, this.ctx.config.limits.maxInvitees)) {
        return { tooMany: { current, adding: names.length } };
      }
      const { guestIds, links } = this.create(meeting.id, names, actorId);
      await this.lifecycle.step(
        meeting.id,
        { type: 'invite', userIds: guestIds },
        { eventId: null, actorId, source: 'command' },
      );
      return { links };
    });
  }

  /**
   * Whether a direct message reaches `organizerId` now. Checked before guests are stored: their links
   * exist nowhere but in that message, so a guest whose link cannot be sent could never answer.
   */
  async linksReach(organizerId: string): Promise<boolean> {
    try {
      await this.directRooms.get(organizerId);
      return true;
    } catch (error) {
      if (error instanceof UndeliverableError) return false;
      throw error;
    }
  }

  /** The organizer gets the links by direct message, to forward by e-mail or otherwise. */
  async sendLinks(organizerId: string, title: string, links: readonly GuestLink[]): Promise<void> {
    if (!links.length) return;
    const dm = await this.directRooms.get(organizerId);
    // Keyed by the guests (not their links, which are credentials): a try over a brief outage posts once.
    const key = `guest-links:${links.map((l) => l.guestId).join(',')}`;
    await this.ctx.chat.send(dm, this.ctx.t.guestLinks(title, links), { key });
  }

  /**
   * Agree or decline from the page. As with a reaction: after opening, a decline by someone who had
   * agreed is a withdrawal. Returns false when the page offered no such choice any more.
   */
  answer(token: string, answer: Answer, shown: { language: Language; text: string }): Promise<boolean> {
    const found = this.find(token);
    if (!found) return Promise.resolve(false);
    return this.ctx.withMeeting(found.meeting.id, async () => {
      const access = this.find(token);
      if (!access) return false;
      const { guest, meeting } = access;
      const status = this.status(access);
      if (!guestChoices(meeting.state, status, meeting.noRecord).answer) return false;
      // The first layer exactly as the page showed it, stored once like a prompt's text (consent_texts).
      const consentTextSha256 = this.ctx.stores.meetings.storeConsentText(
        {
          sha256: createHash('sha256').update(shown.text, 'utf8').digest('hex'),
          noticeSha256: meeting.noticeSha256,
          language: shown.language,
          text: shown.text,
        },
        this.ctx.now(),
      );
      const meta = { eventId: webEventId(), actorId: guest.id, source: 'web' as const, consentTextSha256 };
      // A decline may end a recorded session: BBB is asked first whether it still runs.
      if (answer === 'decline') await this.withdrawal.refresh(meeting.id);
      const result = await this.lifecycle.step(
        meeting.id,
        { type: 'answer', userId: guest.id, answer },
        meta,
      );
      if (!result) return false;
      // The lifecycle decided it was a withdrawal (a decline after agreeing, once open): told as any.
      const outcome = this.withdrawal.describe(result.applied, result.report, meta.eventId);
      if (outcome) await this.withdrawal.tell(outcome, { quietBeforeOpening: true });
      return true;
    });
  }

  /** The withdraw button: the same as `!withdraw` (ends a recorded session, deletes recordings). */
  withdraw(token: string): Promise<boolean> {
    const found = this.find(token);
    if (!found) return Promise.resolve(false);
    return this.ctx.withMeeting(found.meeting.id, async () => {
      const access = this.find(token);
      if (
        !access ||
        !guestChoices(access.meeting.state, this.status(access), access.meeting.noRecord).withdraw
      )
        return false;
      const { guest, meeting } = access;
      const outcome = await this.withdrawal.withdraw(meeting, {
        userId: guest.id,
        actorId: guest.id,
        matrixEventId: webEventId(),
        source: 'web',
      });
      // The room is told as for anyone (names only where it may see them); the guest sees it on the page.
      if (outcome) await this.withdrawal.tell(outcome);
      return outcome !== null;
    });
  }

  /**
   * A fresh personal join link, made at the click: the guest's name, VIEWER, `createTime` pinned, to
   * the current session, and only if this guest may have a link to it (design.md §3.4). Null otherwise.
   */
  joinUrl(token: string): Promise<string | null> {
    const found = this.find(token);
    if (!found) return Promise.resolve(null);
    return this.ctx.withMeeting(found.meeting.id, async () => {
      const access = this.find(token);
      if (access?.meeting.state !== 'open') return null;
      const { guest, meeting } = access;
      const { meetings } = this.ctx.stores;
      const model = meetings.model(meeting);
      const sessionModel = currentSession(model);
      const session = sessionModel?.id == null ? undefined : meetings.session(sessionModel.id);
      if (!sessionModel || !session || !mayReceiveLinkTo(sessionModel, model.answers.get(guest.id))) {
        return null;
      }
      const url = personalJoinUrl(this.ctx, session, {
        userId: guest.id,
        displayName: guest.displayName,
        isOrganizer: false,
      });
      meetings.recordDelivery(session.id, guest.id, 'web', this.ctx.now());
      return url;
    });
  }
}
