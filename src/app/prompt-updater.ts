import { createHash } from 'node:crypto';
import type { MeetingRow } from '../db/meetings-store.js';
import type { Rich } from '../i18n/rich.js';
import type { AppContext } from './context.js';
import { readMeeting, renderDirectPrompt, renderPrompt } from './views.js';

/** What a message shows, as a short fingerprint (an edit that shows the same is not sent). */
export function fingerprint(message: Rich): string {
  return createHash('sha256').update(message.text).update('\0').update(message.html).digest('hex');
}

/**
 * Keeps each consent prompt's tally current by editing it, and each private prompt (consent.ask
 * "direct") showing its person's own answer. Edits are coalesced per meeting: a burst
 * of reactions within `delayMs` produces one edit (plus at most one more if reactions arrive while
 * an edit is in flight), not one edit per reaction.
 */
export class PromptUpdater {
  private readonly timers = new Map<number, NodeJS.Timeout>();
  private readonly running = new Map<number, Promise<void>>();
  private readonly again = new Set<number>();
  private closed = false;
  /** Edits sent, for tests and benchmarks. */
  editsSent = 0;

  constructor(
    private readonly ctx: AppContext,
    private readonly delayMs = 300,
  ) {}

  request(meetingId: number): void {
    if (this.closed) return;
    if (this.running.has(meetingId)) {
      this.again.add(meetingId);
      return;
    }
    if (this.timers.has(meetingId)) return;
    this.timers.set(
      meetingId,
      setTimeout(() => {
        this.timers.delete(meetingId);
        void this.run(meetingId);
      }, this.delayMs),
    );
  }

  /** Applies every pending edit now (shutdown, tests). */
  async flush(): Promise<void> {
    // An answer that arrived during an edit is queued again when that edit ends: applied too.
    while (this.timers.size || this.running.size) {
      for (const id of [...this.timers.keys()]) {
        clearTimeout(this.timers.get(id));
        this.timers.delete(id);
        void this.run(id);
      }
      await Promise.all([...this.running.values()]);
    }
  }

  close(): void {
    this.closed = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  private async run(meetingId: number): Promise<void> {
    const job = this.edit(meetingId)
      .catch((error) => this.ctx.log.warn({ err: error, meetingId }, 'could not update consent prompt'))
      .finally(() => {
        this.running.delete(meetingId);
        if (this.again.delete(meetingId)) this.request(meetingId);
      });
    this.running.set(meetingId, job);
    await job;
  }

  private async edit(meetingId: number): Promise<void> {
    const meeting = this.ctx.stores.meetings.get(meetingId);
    if (!meeting?.promptEventId) return;
    const view = readMeeting(this.ctx, meeting);
    const note = this.stateNote(meeting);
    const prompt = renderPrompt(this.ctx, view, note);
    // An edit that would show what the prompt already shows is not sent (a restart re-checks every
    // meeting it reconciles: hundreds of identical edits otherwise).
    const shown = fingerprint(prompt);
    if (this.ctx.stores.state.promptShown(meetingId) !== shown) {
      await this.ctx.chat.edit(meeting.roomId, meeting.promptEventId, prompt);
      this.ctx.stores.state.setPromptShown(meetingId, shown);
      this.editsSent++;
    }
    for (const dm of this.ctx.stores.meetings.dmPrompts(meetingId)) {
      const own = renderDirectPrompt(this.ctx, view, dm.userId, note);
      const ownShown = fingerprint(own);
      if (dm.shown === ownShown) continue;
      await this.ctx.chat.edit(dm.roomId, dm.eventId, own);
      this.ctx.stores.meetings.setDmPromptShown(meetingId, dm.userId, ownShown);
      this.editsSent++;
    }
  }

  private stateNote(meeting: MeetingRow): Rich | null {
    switch (meeting.state) {
      case 'open':
        return this.ctx.t.promptOpened(this.ctx.stores.meetings.currentSession(meeting.id)?.record ?? false);
      case 'cancelled':
        return this.ctx.t.promptCancelled;
      case 'closed':
        return this.ctx.t.promptClosed;
      default:
        return null;
    }
  }
}
