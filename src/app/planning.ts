import type { MeetingRow } from '../db/meetings-store.js';
import { withinCap } from '../domain/bounds.js';
import { AGREE_KEY, DECLINE_KEY } from '../domain/consent.js';
import { takesInvitees } from '../domain/lifecycle.js';
import { matchesAny } from '../domain/user-patterns.js';
import { mention, type Rich } from '../i18n/rich.js';
import type { AppContext } from './context.js';
import type { DirectPrompts } from './direct-prompts.js';
import type { Guests } from './guests.js';
import type { MeetingLifecycle, OutboxReport } from './lifecycle.js';
import { postNotice, storeConsentText } from './notice-posting.js';
import { readMeeting, renderPrompt } from './views.js';

export interface PlanRequest {
  roomId: string;
  organizerId: string;
  commandEventId: string;
  title: string;
  /** Mentioned users; empty means every joined member of the room. */
  invitees: string[];
  /** The room's members with display names, if the caller has them already. */
  members?: Map<string, string>;
  scheduledAt: number | null;
  noRecord: boolean;
  /** Guests' names (design.md §3.11): invitees who answer on the bot's web page. */
  guests?: readonly string[];
}

/** Planning, inviting, starting and cancelling meetings (design.md §3.1, §4). */
export class Planning {
  constructor(
    private readonly ctx: AppContext,
    private readonly lifecycle: MeetingLifecycle,
    private readonly direct: DirectPrompts,
    private readonly guests: Guests,
  ) {}

  async plan(request: PlanRequest): Promise<MeetingRow | null> {
    // One request for everyone's name: this sits between the command and the notice people wait for.
    const members = request.members ?? (await this.ctx.chat.joinedMembers(request.roomId));
    // Nobody named: every joined member, but the other bots the configuration names (design.md §3.1: humans).
    const ids = request.invitees.length
      ? request.invitees
      : [...members.keys()].filter((id) => !matchesAny(id, this.ctx.config.matrix.ignoredUsers));
    const everyone = [request.organizerId, ...ids.filter((id) => id !== request.organizerId)];
    const people = await Promise.all(
      everyone.map(async (userId) => ({
        userId,
        displayName: members.get(userId) ?? (await this.ctx.chat.displayName(request.roomId, userId)),
      })),
    );
    // The meeting, its guests and the evidence that it was planned are stored together: a crash in
    // between must not leave a meeting that asks fewer people than were named, or no record of it.
    const stored = this.ctx.stores.db.$client.transaction(() => {
      const meeting = this.ctx.stores.meetings.create(
        {
          roomId: request.roomId,
          title: request.title,
          organizerId: request.organizerId,
          noRecord: request.noRecord,
          language: this.ctx.language,
          notice: this.ctx.notice,
          commandEventId: request.commandEventId,
          scheduledAt: request.scheduledAt,
          invitees: people,
          consentAsk: this.ctx.config.consent.ask,
        },
        this.ctx.now(),
      );
      if (!meeting) return null; // this command was handled before a restart
      // Stored before the prompt is posted, so nobody's answer can open the meeting without them.
      const guests = request.guests?.length
        ? this.guests.create(meeting.id, request.guests, request.organizerId)
        : null;
      this.ctx.stores.audit.append({
        at: this.ctx.now(),
        actorId: request.organizerId,
        action: 'meeting.planned',
        meetingId: meeting.id,
        details: {
          invitees: everyone,
          noRecord: request.noRecord,
          scheduledAt: request.scheduledAt,
          notice: this.ctx.notice.sha256,
        },
      });
      return { meeting, guests };
    })();
    if (!stored) return null;
    const { meeting, guests } = stored;
    // The journal tells each meeting's story by IDs only (no titles, names or links).
    this.ctx.log.info(
      {
        meetingId: meeting.id,
        roomId: meeting.roomId,
        invitees: everyone.length,
        guests: guests?.guestIds.length ?? 0,
        recordingAsked: !request.noRecord,
        scheduled: request.scheduledAt !== null,
      },
      'meeting planned',
    );
    if (guests) await this.guests.sendLinks(request.organizerId, meeting.title, guests.links);
    await this.ctx.withMeeting(meeting.id, () => this.postPrompt(meeting.id));
    return meeting;
  }

  /**
   * Posts the notice and the consent prompt, seeded with ✅ and ❌ so one click answers: in the room,
   * or (consent.ask "direct") in each invitee's DM room, the room's prompt then showing counts only.
   * Resumable: each posted event ID is stored at once, and a restart posts only what is missing.
   */
  async postPrompt(meetingId: number): Promise<void> {
    const store = this.ctx.stores.meetings;
    let meeting = store.get(meetingId)!;
    if (!meeting.noticeEventId) {
      // The layered notice (design.md §3.9): full text once per room and version, first layer here.
      const noticeEventId = await postNotice(this.ctx, meeting);
      store.setPosted(meetingId, { noticeEventId });
    }
    meeting = store.get(meetingId)!;
    if (!meeting.promptEventId) {
      const prompt = renderPrompt(this.ctx, readMeeting(this.ctx, meeting));
      const promptEventId = await this.ctx.chat.send(meeting.roomId, prompt, { key: `prompt:${meetingId}` });
      store.setPosted(meetingId, {
        promptEventId,
        // What people answer on, kept as evidence (with private prompts, each DM's is kept instead).
        ...(meeting.consentAsk === 'room'
          ? { consentTextSha256: storeConsentText(this.ctx, meeting, meeting.roomId, prompt) }
          : {}),
      });
      if (!meeting.noRecord && !this.direct.asksDirectly(meeting)) {
        await this.ctx.chat.react(meeting.roomId, promptEventId, AGREE_KEY);
        await this.ctx.chat.react(meeting.roomId, promptEventId, DECLINE_KEY);
      }
    }
    await this.direct.postMissing(meetingId);
    await this.openIfDue(meetingId);
  }

  async start(meeting: MeetingRow): Promise<'started' | 'already-open' | 'not-collecting'> {
    return this.ctx.withMeeting(meeting.id, async () => {
      const current = this.ctx.stores.meetings.get(meeting.id)!;
      if (current.state === 'open') return 'already-open';
      if (current.state !== 'collecting') return 'not-collecting';
      await this.lifecycle.step(meeting.id, { type: 'start' }, this.internal());
      return 'started';
    });
  }

  /**
   * Cancels; a session that runs is ended through the outbox (retried until BBB confirms). Returns
   * null if the meeting was over already, else whether every session is confirmed ended.
   */
  async cancel(meeting: MeetingRow, actorId: string): Promise<{ ending: boolean } | null> {
    return this.ctx.withMeeting(meeting.id, async () => {
      const result = await this.lifecycle.step(
        meeting.id,
        { type: 'cancel' },
        { ...this.internal(), actorId },
      );
      if (!result?.applied.effects.some((e) => e.type === 'cancelled')) return null;
      return { ending: result.report.ending.length > 0 };
    });
  }

  /** Opens the meeting if its rules say so now (everyone answered, or its time has come). Caller holds the lock. */
  async openIfDue(meetingId: number): Promise<OutboxReport | undefined> {
    return (await this.lifecycle.step(meetingId, { type: 'tick', now: this.ctx.now() }, this.internal()))
      ?.report;
  }

  private internal() {
    return { eventId: null, actorId: this.ctx.chat.botUserId, source: 'command' as const };
  }

  /**
   * Adds invitees; in an open recorded meeting they get a link only after their ✅. The cap is
   * checked under the meeting lock, so two `!invite`s at once cannot pass it together.
   */
  async invite(
    meeting: MeetingRow,
    userIds: string[],
    actorId: string,
  ): Promise<
    { added: Rich[]; already: Rich[] } | { tooMany: { current: number; adding: number } } | { over: true }
  > {
    const people = await Promise.all(
      userIds.map(async (userId) => ({
        userId,
        displayName: await this.ctx.chat.displayName(meeting.roomId, userId),
      })),
    );
    return this.ctx.withMeeting(meeting.id, async () => {
      if (!takesInvitees(this.ctx.stores.meetings.get(meeting.id))) return { over: true as const };
      const invited = new Set(this.ctx.stores.meetings.invitees(meeting.id).map((i) => i.userId));
      const adding = new Set(userIds.filter((id) => !invited.has(id))).size;
      if (!withinCap(invited.size, adding, this.ctx.config.limits.maxInvitees)) {
        return { tooMany: { current: invited.size, adding } };
      }
      const added = new Set(
        this.ctx.stores.meetings.addInvitees(meeting.id, people, actorId, this.ctx.now()),
      );
      if (added.size) {
        this.ctx.stores.audit.append({
          at: this.ctx.now(),
          actorId,
          action: 'meeting.invited',
          meetingId: meeting.id,
          details: { invitees: [...added] },
        });
      }
      const result = await this.lifecycle.step(
        meeting.id,
        { type: 'invite', userIds: [...added] },
        { ...this.internal(), actorId },
      );
      const current = result?.applied.meeting;
      if (added.size) await this.direct.postMissing(meeting.id);
      if (current?.state === 'open' && this.ctx.stores.meetings.currentSession(meeting.id)?.record) {
        const waiting = this.direct.asksDirectly(current)
          ? this.ctx.t.waitingForConsentDirect
          : this.ctx.t.waitingForConsent;
        for (const p of people.filter((x) => added.has(x.userId))) {
          await this.ctx.chat.send(current.roomId, waiting(mention(p.userId, p.displayName)));
        }
      }
      const pill = (p: { userId: string; displayName: string }) => mention(p.userId, p.displayName);
      return {
        added: people.filter((p) => added.has(p.userId)).map(pill),
        already: people.filter((p) => !added.has(p.userId)).map(pill),
      };
    });
  }
}
