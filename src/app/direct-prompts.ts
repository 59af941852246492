import pLimit from 'p-limit';
import type { MeetingRow } from '../db/meetings-store.js';
import { AGREE_KEY, DECLINE_KEY } from '../domain/consent.js';
import { isGuestId } from '../domain/guest.js';
import type { Rich } from '../i18n/rich.js';
import type { AppContext } from './context.js';
import { type DirectRooms, tellRoomUndeliverable } from './direct-rooms.js';
import { postNotice, storeConsentText } from './notice-posting.js';
import { UndeliverableError } from './ports.js';
import { fingerprint } from './prompt-updater.js';
import { type MeetingView, readMeeting, renderDirectPrompt } from './views.js';

/** People asked at once, each in their own DM room (as join links go out, app/outbox.ts). */
const PROMPTS_IN_FLIGHT = 8;

/**
 * Private answers (consent.ask "direct", design.md §3.1): each invitee gets the notice's first layer
 * and the consent prompt, seeded with ✅ and ❌, in their direct-message room with the bot, and
 * answers there; nobody else sees the answer. Also the bot's other private words to one person.
 */
export class DirectPrompts {
  constructor(
    private readonly ctx: AppContext,
    private readonly directRooms: DirectRooms,
  ) {}

  /** Whether this meeting asks each invitee privately. */
  asksDirectly(meeting: MeetingRow): boolean {
    return meeting.consentAsk === 'direct' && !meeting.noRecord;
  }

  /**
   * Posts the prompt to every invitee who has none yet (after planning, `!invite`, or a restart that
   * interrupted the posting). Resumable: each prompt is stored as soon as it is sent, and every send
   * is keyed, so a resend after a crash is the same event. Caller holds the meeting lock.
   */
  async postMissing(meetingId: number): Promise<void> {
    const { meetings } = this.ctx.stores;
    const meeting = meetings.get(meetingId);
    if (!meeting || !this.asksDirectly(meeting)) return;
    if (meeting.state !== 'collecting' && meeting.state !== 'open') return;
    const asked = new Set(meetings.dmPrompts(meetingId).map((p) => p.userId));
    const view = readMeeting(this.ctx, meeting);
    // A guest answers on their web page (design.md §3.11): no Matrix account, no DM room.
    const missing = view.invitees.filter((i) => !asked.has(i.userId) && !isGuestId(i.userId));
    // Several people are asked at once (each in their own room): a class of 100 waited for 100 DM
    // rooms one after another. Every one is finished before the caller lets go of the meeting.
    const ask = pLimit(PROMPTS_IN_FLIGHT);
    const outcomes = await Promise.allSettled(missing.map((i) => ask(() => this.ask(meeting, view, i))));
    const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (failed) throw failed.reason;
  }

  /** Posts one invitee's first layer and prompt in their DM room (the room hears if that cannot be). */
  private async ask(
    meeting: MeetingRow,
    view: MeetingView,
    invitee: { userId: string; displayName: string },
  ) {
    const meetingId = meeting.id;
    let roomId: string;
    try {
      roomId = await this.directRooms.get(invitee.userId);
    } catch (error) {
      if (!(error instanceof UndeliverableError)) throw error;
      this.ctx.log.warn(
        { meetingId, userId: invitee.userId, reason: error.reason },
        'could not ask for consent by direct message; will retry',
      );
      const key = `prompt-undeliverable:${meetingId}:${invitee.userId}`;
      await tellRoomUndeliverable(this.ctx, meeting, invitee, key, this.ctx.t.promptUndeliverable);
      return;
    }
    const { meetings } = this.ctx.stores;
    await postNotice(this.ctx, meeting, roomId);
    const prompt = renderDirectPrompt(this.ctx, view, invitee.userId);
    const eventId = await this.ctx.chat.send(roomId, prompt, { key: `dm-prompt:${meetingId}` });
    meetings.setDmPrompt({ meetingId, userId: invitee.userId, roomId, eventId }, this.ctx.now());
    meetings.setDmPromptShown(meetingId, invitee.userId, fingerprint(prompt));
    meetings.setDmPromptText(meetingId, invitee.userId, storeConsentText(this.ctx, meeting, roomId, prompt));
    await this.ctx.chat.react(roomId, eventId, AGREE_KEY);
    await this.ctx.chat.react(roomId, eventId, DECLINE_KEY);
  }

  /** Missing prompts of every meeting still asking (the frequent tick retries undeliverable ones). */
  async postAllMissing(): Promise<void> {
    const { meetings } = this.ctx.stores;
    for (const meeting of meetings.inStates(['collecting', 'open'])) {
      if (!this.asksDirectly(meeting)) continue;
      const askable = meetings.invitees(meeting.id).filter((i) => !isGuestId(i.userId)).length;
      if (meetings.dmPrompts(meeting.id).length >= askable) continue;
      await this.ctx.withMeeting(meeting.id, () => this.postMissing(meeting.id));
    }
  }

  /**
   * A private message to one person, in their DM room with the bot; false (logged) when no direct
   * message can reach them.
   */
  async tell(userId: string, message: Rich, key?: string): Promise<boolean> {
    if (isGuestId(userId)) return false; // a guest is told on their web page
    try {
      const roomId = await this.directRooms.get(userId);
      await this.ctx.chat.send(roomId, message, key ? { key } : {});
      return true;
    } catch (error) {
      if (!(error instanceof UndeliverableError)) throw error;
      this.ctx.log.warn({ userId, reason: error.reason }, 'could not send a direct message');
      return false;
    }
  }
}
