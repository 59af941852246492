import { isGuestId } from '../domain/guest.js';
import { mention, person, type Rich } from '../i18n/rich.js';
import type { AppContext } from './context.js';
import { fitting, namesShown, readMeeting, someOf } from './views.js';

const MINUTE_MS = 60_000;

/**
 * Whether a meeting planned with --at is due for its reminder: within `leadMs` before its time, and
 * planned before that window began (a meeting planned 5 minutes ahead has a fresh prompt already).
 */
export function reminderDue(
  meeting: { scheduledAt: number | null; createdAt: number },
  leadMs: number,
  now: number,
): boolean {
  if (meeting.scheduledAt === null || leadMs <= 0) return false;
  const from = meeting.scheduledAt - leadMs;
  return now >= from && now < meeting.scheduledAt && meeting.createdAt < from;
}

const sentKey = (meetingId: number) => `reminder-sent:${meetingId}`;

/**
 * Reminders before scheduled meetings (`reminders.minutesBefore`): one message in the meeting's
 * room, as a reply to the prompt, naming who has not answered yet where the room may see names;
 * else with the count only, and a private reminder to each person who has not answered, as a reply
 * to their own prompt. Sent once: keyed sends (the homeserver deduplicates a resend after a crash)
 * and a stored mark.
 */
export class Reminders {
  constructor(private readonly ctx: AppContext) {}

  async run(): Promise<number> {
    const leadMs = this.ctx.config.reminders.minutesBefore * MINUTE_MS;
    const now = this.ctx.now();
    let sent = 0;
    for (const meeting of this.ctx.stores.meetings.inStates(['collecting'])) {
      if (!reminderDue(meeting, leadMs, now) || this.ctx.stores.state.read(sentKey(meeting.id))) continue;
      const view = readMeeting(this.ctx, meeting);
      if (!meeting.noRecord && !namesShown(this.ctx.config.consent.showNames, meeting)) {
        await this.remindPrivately(meeting.id, view, now);
        sent++;
        continue;
      }
      const pending = meeting.noRecord
        ? null
        : view.invitees
            .filter((i) => view.decision.pending.includes(i.userId))
            // A guest is named, not mentioned: there is no Matrix account to notify.
            .map((i) =>
              isGuestId(i.userId) ? person(i.userId, i.displayName) : mention(i.userId, i.displayName),
            );
      const render = (shown: number): Rich =>
        this.ctx.t.reminder({
          ref: this.ctx.t.meetingRef(meeting.id, meeting.title),
          minutes: Math.max(1, Math.round(((meeting.scheduledAt as number) - now) / MINUTE_MS)),
          when: this.ctx.dateTime(meeting.scheduledAt as number),
          pending: pending?.length ? [someOf(this.ctx, pending, shown)] : pending,
        });
      // A large meeting: the names that fit in one event, but everyone pending still notified.
      const all = pending?.flatMap((p) => p.mentions) ?? [];
      const notifyingAll = fitting(this.ctx, (n) => ({ ...render(n), mentions: all }), pending?.length ?? 0);
      const message = this.ctx.chat.fits(notifyingAll)
        ? notifyingAll
        : fitting(this.ctx, render, pending?.length ?? 0);
      await this.ctx.chat.send(meeting.roomId, message, {
        key: `reminder:${meeting.id}`,
        replyTo: meeting.promptEventId ?? undefined,
      });
      this.ctx.stores.state.write(sentKey(meeting.id), String(now));
      sent++;
    }
    return sent;
  }

  private async remindPrivately(meetingId: number, view: ReturnType<typeof readMeeting>, now: number) {
    const { meeting } = view;
    const at = meeting.scheduledAt as number;
    const timing = {
      ref: this.ctx.t.meetingRef(meeting.id, meeting.title),
      minutes: Math.max(1, Math.round((at - now) / MINUTE_MS)),
      when: this.ctx.dateTime(at),
    };
    await this.ctx.chat.send(
      meeting.roomId,
      this.ctx.t.reminderCounts({ ...timing, pending: view.decision.pending.length }),
      { key: `reminder:${meetingId}`, replyTo: meeting.promptEventId ?? undefined },
    );
    for (const userId of view.decision.pending) {
      const prompt = this.ctx.stores.meetings.dmPrompt(meetingId, userId);
      if (!prompt) continue; // not reachable by DM: the room was told when asking failed
      await this.ctx.chat
        .send(prompt.roomId, this.ctx.t.reminderDirect(timing), {
          key: `reminder:${meetingId}`,
          replyTo: prompt.eventId,
        })
        .catch((error) =>
          this.ctx.log.warn({ err: error, meetingId, userId }, 'could not send a reminder by direct message'),
        );
    }
    this.ctx.stores.state.write(sentKey(meetingId), String(now));
  }
}
