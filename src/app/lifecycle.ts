import { randomBytes } from 'node:crypto';
import type { ConsentSource, MeetingRow, SessionRow } from '../db/meetings-store.js';
import type { RecordingRow } from '../db/recordings-store.js';
import { isGuestId } from '../domain/guest.js';
import {
  currentSession,
  type Effect,
  type LifecycleEvent,
  type MeetingModel,
  mayReceiveLinkTo,
  transition,
} from '../domain/lifecycle.js';
import type { AppContext } from './context.js';
import type { PromptUpdater } from './prompt-updater.js';

/** Where an event came from: stored with consent entries, and makes them idempotent. */
export interface EventMeta {
  /** The Matrix event that carried it; a replayed event changes nothing. Null for internal events. */
  eventId: string | null;
  actorId: string;
  source: ConsentSource;
  /** For answers given by reaction: the reaction, whose redaction removes the answer. */
  reactionEventId?: string | null;
  /** The reaction's key as read (after decryption in an encrypted room), kept with the evidence. */
  reactionKey?: string;
  /** For answers given on a guest's page: the first layer the guest answered on (consent_texts). */
  consentTextSha256?: string;
}

export interface Applied {
  meeting: MeetingRow;
  /** Who caused the event (the person, an admin on their behalf, a moderator, the bot). */
  actorId: string;
  before: MeetingModel;
  after: MeetingModel;
  effects: Effect[];
}

class Replay extends Error {}

/** What one run of a meeting's outbox achieved, so the room can be told the truth. */
export interface OutboxReport {
  /** Sessions BBB confirmed as ended in this run. */
  ended: SessionRow[];
  /** Sessions the bot asked BBB to end that BBB has not confirmed yet. */
  ending: SessionRow[];
  /** Recordings BBB confirmed deleted in this run (withdrawal purges). */
  deleted: RecordingRow[];
  /** Recordings, or recorded sessions whose recording BBB does not list yet, still to be deleted. */
  pendingDeletion: { startTime: number | null }[];
  /** Whether a purge intent was worked on in this run. */
  purged: boolean;
}

/** A run of the outbox that achieved nothing (yet). */
export const emptyReport = (): OutboxReport => ({
  ended: [],
  ending: [],
  deleted: [],
  pendingDeletion: [],
  purged: false,
});

/** Carries out a meeting's stored intents and says what the outside world confirmed (the outbox). */
export interface EffectRunner {
  runMeeting(meetingId: number): Promise<OutboxReport>;
}

/**
 * The one door to the lifecycle (domain/lifecycle.ts): loads the meeting's model from SQLite,
 * applies the event, and stores the new model, the consent entry and the outbox intents in ONE
 * transaction, before anything is done outside; then ({@link step}) has the effect runner carry
 * them out, which reports what BBB confirmed back through {@link apply} as events. The caller holds
 * the meeting lock.
 */
export class MeetingLifecycle {
  /** Set once when the app is wired (the runner applies BBB's confirmations through this door). */
  runner: EffectRunner | null = null;

  constructor(
    private readonly ctx: AppContext,
    private readonly prompts: Pick<PromptUpdater, 'request'>,
  ) {}

  /** Meetings whose outside actions wait while the downtime's events are handed over ({@link deferEffects}). */
  private deferred: Set<number> | null = null;

  /** Applies the event, then does what it requires outside. Null: unknown meeting, or a replay. */
  async step(
    meetingId: number,
    event: LifecycleEvent,
    meta: EventMeta,
  ): Promise<{ applied: Applied; report: OutboxReport } | null> {
    const applied = this.record(meetingId, event, meta);
    if (!applied || !this.runner) return null;
    if (this.deferred && !takesAway(applied.effects)) {
      this.deferred.add(meetingId);
      return { applied, report: emptyReport() };
    }
    const report = await this.runner.runMeeting(meetingId);
    return { applied, report };
  }

  /**
   * Start-up: while the events sent during the downtime are handed over, what they require outside
   * waits until the last of them is applied (a `!start` and then a `!withdraw`, both sent while the bot
   * was down, must not send the withdrawn person a link to the recorded session in between). A
   * withdrawal or a cancellation is still carried out at once: it only takes away, and its message says
   * what was done.
   */
  deferEffects(): void {
    this.deferred = new Set();
  }

  /** Ends {@link deferEffects}; returns the meetings whose outside actions wait for the caller to run. */
  resumeEffects(): number[] {
    const waiting = [...(this.deferred ?? [])];
    this.deferred = null;
    return waiting;
  }

  /**
   * Applies the event and stores its outside actions without carrying them out yet: for the
   * start-up reconciliation, which runs the outbox once after the last answer read (an action between
   * two of them could act on an answer a later one replaces).
   */
  record(meetingId: number, event: LifecycleEvent, meta: EventMeta): Applied | null {
    const applied = this.apply(meetingId, event, meta);
    if (applied) this.prompts.request(meetingId);
    return applied;
  }

  /** Null when the meeting is unknown or the event was applied before (a replay). */
  apply(meetingId: number, event: LifecycleEvent, meta: EventMeta): Applied | null {
    const { meetings } = this.ctx.stores;
    const meeting = meetings.get(meetingId);
    if (!meeting) return null;
    const before = meetings.model(meeting);
    const { model: after, effects } = transition(before, event);
    try {
      this.ctx.stores.db.$client.transaction(() =>
        this.persist(meeting, before, after, effects, event, meta),
      )();
    } catch (error) {
      if (error instanceof Replay) return null;
      throw error;
    }
    if (after.state !== before.state) {
      this.ctx.log.info(
        { meetingId, from: before.state, to: after.state, event: event.type },
        'meeting state changed',
      );
    }
    for (const effect of effects) {
      if (effect.type === 'ignored' || effect.type === 'refused') {
        this.ctx.log.info(
          { meetingId, event: event.type, reason: effect.type === 'ignored' ? effect.reason : effect.reason },
          'lifecycle event changed nothing',
        );
      }
    }
    return { meeting: meetings.get(meetingId)!, actorId: meta.actorId, before, after, effects };
  }

  private persist(
    meeting: MeetingRow,
    before: MeetingModel,
    after: MeetingModel,
    effects: Effect[],
    event: LifecycleEvent,
    meta: EventMeta,
  ): void {
    const { meetings, audit, outbox, state } = this.ctx.stores;
    const now = this.ctx.now();
    // A reaction by someone who is not invited is no answer (design §3.2), and stays none: if the
    // person is invited later, start-up reconciliation must not count it as their answer either.
    if (meta.reactionEventId && effects.some((e) => e.type === 'ignored' && e.reason === 'not-invitee')) {
      state.markNoAnswer(meeting.id, meta.reactionEventId);
    }
    for (const effect of effects) {
      if (effect.type !== 'record-consent') continue;
      const stored = meetings.appendConsent({
        meetingId: meeting.id,
        userId: effect.userId,
        kind: effect.kind,
        at: now,
        matrixEventId: meta.eventId,
        reactionEventId:
          effect.kind === 'agree' || effect.kind === 'decline' ? (meta.reactionEventId ?? null) : null,
        noticeSha256: meeting.noticeSha256,
        consentTextSha256: meta.consentTextSha256 ?? meetings.consentTextOf(meeting, effect.userId),
        actorId: meta.actorId,
        source: meta.source,
      });
      if (!stored) throw new Replay();
      audit.append({
        at: now,
        actorId: meta.actorId,
        action: `consent.${effect.kind}`,
        meetingId: meeting.id,
        subjectId: effect.userId,
        details: {
          eventId: meta.eventId,
          ...(meta.reactionKey !== undefined ? { key: meta.reactionKey } : {}),
          source: meta.source,
          notice: meeting.noticeSha256,
        },
      });
      if (effect.kind === 'withdraw' && meta.actorId !== effect.userId) {
        audit.append({
          at: now,
          actorId: meta.actorId,
          action: 'admin.withdraw',
          meetingId: meeting.id,
          subjectId: effect.userId,
        });
      }
    }
    if (after.state !== before.state) {
      const opened = effects.find((e) => e.type === 'opened');
      meetings.setState(meeting.id, after.state, {
        ...(opened ? { openedAt: now, openedBy: opened.trigger } : {}),
        ...(after.state === 'closed' || after.state === 'cancelled' ? { closedAt: now } : {}),
      });
      const action =
        after.state === 'open'
          ? 'meeting.opened'
          : after.state === 'closed'
            ? 'meeting.closed'
            : 'meeting.cancelled';
      audit.append({
        at: now,
        actorId: meta.actorId,
        action,
        meetingId: meeting.id,
        ...(opened ? { details: { trigger: opened.trigger, record: opened.record } } : {}),
      });
    }
    const endReason =
      event.type === 'cancel' ? 'cancelled' : event.type === 'session-gone' ? 'ended' : 'withdrawal';
    const firstSession = before.sessions.length === 0;
    for (const s of after.sessions) {
      if (s.id === null) {
        const row = meetings.insertSession({
          meetingId: meeting.id,
          bbbMeetingId: newBbbMeetingId(meeting.id),
          record: s.record,
          now,
          // A successor session is announced by the withdrawal's own message.
          announcedAt: firstSession ? null : now,
        });
        audit.append({
          at: now,
          actorId: this.ctx.chat.botUserId,
          action: 'session.planned',
          meetingId: meeting.id,
          details: { sessionId: row.id, record: s.record },
        });
        continue;
      }
      const old = before.sessions.find((b) => b.id === s.id);
      if (old?.state === s.state) continue;
      meetings.updateSession(s.id, {
        state: s.state,
        ...(s.state === 'ending' ? { endReason } : {}),
        ...(s.state === 'ended' ? { endedAt: now } : {}),
      });
      if (s.state === 'ended' && old?.state !== 'ending')
        meetings.updateSession(s.id, { endReason: 'ended' });
    }
    for (const effect of effects) {
      if (effect.type === 'end-session') {
        outbox.add({ kind: 'end-session', meetingId: meeting.id, sessionId: effect.sessionId }, now);
      } else if (effect.type === 'purge-recordings') {
        outbox.add({ kind: 'purge-recordings', meetingId: meeting.id }, now);
      } else if (effect.type === 'deliver-links') {
        this.planLinks(meeting, after, now);
      }
    }
  }

  /** One deliver-link intent per eligible invitee of the running current session (checked again at sending). */
  private planLinks(meeting: MeetingRow, model: MeetingModel, now: number): void {
    const session = currentSession(model);
    if (!session || session.id === null) return;
    const delivered = this.ctx.stores.meetings.delivered(session.id);
    for (const [userId, status] of model.answers) {
      // A guest has no Matrix room to send to: their page makes a fresh link at each click.
      if (isGuestId(userId) || delivered.has(userId) || !mayReceiveLinkTo(session, status)) continue;
      this.ctx.stores.outbox.add(
        { kind: 'deliver-link', meetingId: meeting.id, sessionId: session.id, userId },
        now,
      );
    }
  }
}

/** BBB meeting IDs: stable prefix for operators, unguessable suffix, within [A-Za-z0-9_-]. */
export function newBbbMeetingId(meetingId: number): string {
  return `meetbot-${meetingId}-${randomBytes(6).toString('hex')}`;
}

/** Effects that only take away (a withdrawal, a cancellation): carried out at once even at start-up. */
function takesAway(effects: readonly Effect[]): boolean {
  return effects.some(
    (e) => (e.type === 'record-consent' && e.kind === 'withdraw') || e.type === 'cancelled',
  );
}
