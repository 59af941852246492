import type { MeetingRow } from '../db/meetings-store.js';
import { withinCap } from '../domain/bounds.js';
import { AGREE_KEY, DECLINE_KEY } from '../domain/consent.js';
import { isActive, isMeetingState } from '../domain/lifecycle.js';
import { join, mention, paragraphs, type Rich } from '../i18n/rich.js';
import { noticeFacts, shortVersion } from '../notice.js';
import type { AppContext } from './context.js';
import type { MeetingLifecycle } from './lifecycle.js';
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
}

/** Planning, inviting, starting and cancelling meetings (design.md §3.1, §4). */
export class Planning {
  constructor(
    private readonly ctx: AppContext,
    private readonly lifecycle: MeetingLifecycle,
  ) {}

  async plan(request: PlanRequest): Promise<MeetingRow | null> {
    // One request for everyone's name: this sits between the command and the notice people wait for.
    const members = request.members ?? (await this.ctx.chat.joinedMembers(request.roomId));
    const ids = request.invitees.length ? request.invitees : [...members.keys()];
    const everyone = [request.organizerId, ...ids.filter((id) => id !== request.organizerId)];
    const people = await Promise.all(
      everyone.map(async (userId) => ({
        userId,
        displayName: members.get(userId) ?? (await this.ctx.chat.displayName(request.roomId, userId)),
      })),
    );
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
      },
      this.ctx.now(),
    );
    if (!meeting) return null; // this command was handled before a restart
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
    // The journal tells each meeting's story by IDs only (no titles, names or links).
    this.ctx.log.info(
      {
        meetingId: meeting.id,
        roomId: meeting.roomId,
        invitees: everyone.length,
        recordingAsked: !request.noRecord,
        scheduled: request.scheduledAt !== null,
      },
      'meeting planned',
    );
    await this.ctx.withMeeting(meeting.id, () => this.postPrompt(meeting.id));
    return meeting;
  }

  /**
   * Posts the notice and the consent prompt, seeded with ✅ and ❌ so one click answers. Resumable: each
   * posted event ID is stored at once, and a restart posts only what is missing.
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
      const promptEventId = await this.ctx.chat.send(
        meeting.roomId,
        renderPrompt(this.ctx, readMeeting(this.ctx, meeting)),
        { key: `prompt:${meetingId}` },
      );
      store.setPosted(meetingId, { promptEventId });
      if (!meeting.noRecord) {
        await this.ctx.chat.react(meeting.roomId, promptEventId, AGREE_KEY);
        await this.ctx.chat.react(meeting.roomId, promptEventId, DECLINE_KEY);
      }
    }
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
  async openIfDue(meetingId: number): Promise<void> {
    await this.lifecycle.step(meetingId, { type: 'tick', now: this.ctx.now() }, this.internal());
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
      // A closed or cancelled meeting asks nobody anything any more: an invitee added then would be
      // one who never answered, yet could withdraw (and delete) what everyone else agreed to.
      const now = this.ctx.stores.meetings.get(meeting.id);
      if (!now || !isMeetingState(now.state) || !isActive(now.state)) return { over: true as const };
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
      if (current?.state === 'open' && this.ctx.stores.meetings.currentSession(meeting.id)?.record) {
        for (const p of people.filter((x) => added.has(x.userId))) {
          await this.ctx.chat.send(
            current.roomId,
            this.ctx.t.waitingForConsent(mention(p.userId, p.displayName)),
          );
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

/** A link to one event that Matrix clients open in place (matrix.to, with a server to find the room). */
export function permalink(roomId: string, eventId: string, viaUserId: string): string {
  const via = viaUserId.slice(viaUserId.indexOf(':') + 1);
  return `https://matrix.to/#/${encodeURIComponent(roomId)}/${encodeURIComponent(eventId)}?via=${encodeURIComponent(via)}`;
}

/** The full text as a message: a header line, then the text (its plain body is header + blank line + text). */
export function fullNoticeMessage(ctx: AppContext, text: string, sha256: string): Rich {
  return join([ctx.t.noticeFullHeader(shortVersion(sha256)), paragraphs(text)], '\n\n');
}

/**
 * Posts the privacy notice of a meeting: the full text once per room and notice version, then the
 * short first layer that links to it. Returns the first layer's event ID. Resumable: the full
 * text's event ID is stored before the first layer is sent, and both sends are keyed.
 */
export async function postNotice(
  ctx: AppContext,
  meeting: { id: number; roomId: string; title: string; noticeSha256: string },
): Promise<string> {
  const key = `notice-full:${meeting.roomId}:${meeting.noticeSha256}`;
  let fullEventId = ctx.stores.state.read(key);
  if (!fullEventId) {
    const text = ctx.stores.meetings.noticeText(meeting.noticeSha256) ?? ctx.notice.text;
    fullEventId = await ctx.chat.send(meeting.roomId, fullNoticeMessage(ctx, text, meeting.noticeSha256), {
      notice: true,
      key: `notice-full:${meeting.noticeSha256}`,
    });
    ctx.stores.state.write(key, fullEventId);
  }
  const facts = noticeFacts(ctx.config, ctx.language);
  return ctx.chat.send(
    meeting.roomId,
    ctx.t.noticeFirstLayer({
      title: meeting.title,
      version: shortVersion(meeting.noticeSha256),
      controller: facts.controller ?? '',
      contact: facts.contact ?? '',
      bbbProvider: facts.bbbProvider ?? '',
      recordingDays: ctx.config.retention.recordingDays,
      prefix: ctx.config.matrix.commandPrefix,
      fullText: permalink(meeting.roomId, fullEventId, ctx.chat.botUserId),
      botDeletes: !ctx.config.bbb.acceptUnconfirmedDeletion,
    }),
    // A plain message, not m.notice: people should read this one (clients show notices subdued).
    { key: `notice:${meeting.id}` },
  );
}
