// The meeting lifecycle (design.md §3) as one pure transition function: (model, event) → (model,
// effects). No I/O, no Matrix, no BBB: the application loads the model from SQLite, applies the
// event here, stores the new model together with the effects that must reach the outside world
// (as outbox intents), and only then acts.

import {
  type Answer,
  type ConsentKind,
  type ConsentStatus,
  decideRecording,
  type RecordingDecision,
} from './consent.js';

export const MEETING_STATES = ['collecting', 'open', 'closed', 'cancelled'] as const;
export type MeetingState = (typeof MEETING_STATES)[number];

/**
 * A session is one BBB meeting (one `create`).
 * - `creating`: planned and stored; BBB has not confirmed the `create` yet (retried).
 * - `running`: BBB confirmed the `create`; links may be handed out.
 * - `ending`: the bot asked BBB to end it and BBB has not confirmed yet (retried); no link to it
 *   goes out and the room is not told it ended.
 * - `ended`: BBB confirmed it is over (the `end` call, or everyone left).
 */
export const SESSION_STATES = ['creating', 'running', 'ending', 'ended'] as const;
export type SessionState = (typeof SESSION_STATES)[number];

export type OpenTrigger = 'all-answered' | 'scheduled' | 'start-command' | 'no-record';

export function isMeetingState(value: string): value is MeetingState {
  return (MEETING_STATES as readonly string[]).includes(value);
}

export function isSessionState(value: string): value is SessionState {
  return (SESSION_STATES as readonly string[]).includes(value);
}

export interface SessionModel {
  /** `null` for a session this transition plans (the store gives it its ID). */
  id: number | null;
  record: boolean;
  state: SessionState;
}

export interface MeetingModel {
  state: MeetingState;
  noRecord: boolean;
  scheduledAt: number | null;
  /** Every invitee's current answer. */
  answers: ReadonlyMap<string, ConsentStatus>;
  /** Oldest first. */
  sessions: readonly SessionModel[];
}

export type LifecycleEvent =
  /**
   * A ✅ or ❌ reaction by `userId` on the prompt. `catchingUp`: read by the start-up reconciliation
   * among other answers given while the bot was down; the meeting must not open on the state in the
   * middle of them (a later ❌ may follow), so it opens only on the `tick` after the last one.
   */
  | { type: 'answer'; userId: string; answer: Answer; catchingUp?: boolean }
  /**
   * The reaction carrying `userId`'s answer is gone. `removedBy`: who redacted it, as the homeserver
   * confirms; null when it confirms no redaction (the reaction is just not listed). `current`: it
   * carried the person's latest answer (removing an older one changes nothing).
   */
  | { type: 'answer-removed'; userId: string; answer: Answer; removedBy: string | null; current: boolean }
  /** `!withdraw` (own, or an admin's on someone's behalf). */
  | { type: 'withdraw-requested'; userId: string; actorId: string; actorIsAdmin: boolean }
  /** Reactions on the prompt the bot cannot read (its keys lost, encryption switched off). */
  | { type: 'unreadable'; count: number }
  | { type: 'invite'; userIds: readonly string[] }
  | { type: 'start' }
  | { type: 'cancel' }
  /** Time passed: a scheduled meeting may be due. */
  | { type: 'tick'; now: number }
  /** BBB confirmed the `create` of this session. */
  | { type: 'session-created'; sessionId: number }
  /** BBB confirmed this session is not running any more (`end` confirmed, or everyone left). */
  | { type: 'session-gone'; sessionId: number };

export type IgnoredReason =
  | 'not-invitee'
  | 'meeting-over'
  | 'not-current-answer'
  | 'answer-removed-by-other-after-opening'
  | 'not-collecting'
  | 'unknown-session'
  /** A removal the homeserver does not confirm: unknown, and unknown is never a removal. */
  | 'removal-unconfirmed'
  /** An answer that cannot be read changes nothing. */
  | 'unreadable';

export type Effect =
  /** Append to the consent ledger. */
  | { type: 'record-consent'; userId: string; kind: ConsentKind }
  | { type: 'opened'; trigger: OpenTrigger; record: boolean }
  /** Call BBB `create` for the planned session (retried until confirmed). */
  | { type: 'create-session' }
  /** Outbox: BBB `end` of this session, retried until confirmed. */
  | { type: 'end-session'; sessionId: number }
  /** Outbox: delete every recording of every recorded session of the meeting, retried until done. */
  | { type: 'purge-recordings' }
  /** Outbox: hand each eligible invitee their link to the current session. */
  | { type: 'deliver-links' }
  /** The room is told the session's recording decision. */
  | { type: 'announce-session' }
  /** Someone else removed this person's answer before opening: ask them again. */
  | { type: 'ask-again'; userId: string }
  /** The session BBB confirmed as ended had been ended on the bot's request. */
  | { type: 'session-ended'; sessionId: number; wasCurrent: boolean }
  | { type: 'closed' }
  | { type: 'cancelled' }
  | { type: 'refused'; reason: 'not-allowed' }
  | { type: 'ignored'; reason: IgnoredReason };

export interface Transition {
  model: MeetingModel;
  effects: Effect[];
}

/** The session links are handed out for: the newest one that is being created or runs. */
export function currentSession(model: MeetingModel): SessionModel | undefined {
  return model.sessions.findLast((s) => s.state === 'creating' || s.state === 'running');
}

export function decision(model: MeetingModel): RecordingDecision {
  return decideRecording(model.answers, model.noRecord);
}

/** True when some session of the meeting was (or is) recorded and BBB may hold its recording. */
export function hadRecordedSession(model: MeetingModel): boolean {
  return model.sessions.some((s) => s.record);
}

/**
 * Whether a collecting meeting opens now, and why. A meeting with `--at` waits for its time even
 * when everyone answered early (a BBB meeting nobody joins expires after a few minutes); without
 * `--at` it opens as soon as every invitee answered. `--no-record` asks nothing and opens at once.
 */
export function automaticOpenTrigger(
  m: { state: MeetingState; noRecord: boolean; scheduledAt: number | null },
  everyoneAnswered: boolean,
  now: number,
): OpenTrigger | null {
  if (m.state !== 'collecting') return null;
  const due = m.scheduledAt === null || now >= m.scheduledAt;
  if (!due) return null;
  if (m.noRecord) return 'no-record';
  if (m.scheduledAt !== null) return 'scheduled';
  return everyoneAnswered ? 'all-answered' : null;
}

export function isActive(state: MeetingState): boolean {
  return state === 'collecting' || state === 'open';
}

/**
 * Whether a meeting (as stored) still takes invitees: a closed or cancelled one asks nobody anything
 * any more; someone added then would never have answered, yet could withdraw what everyone agreed to.
 */
export function takesInvitees(meeting: { state: string } | undefined): boolean {
  return !!meeting && isMeetingState(meeting.state) && isActive(meeting.state);
}

/**
 * Whether a reaction of this person on the prompt, or the removal of one, can still change the
 * meeting: in an active meeting any answer can; in a closed or cancelled one only an agreement can
 * still be withdrawn (its ✅ removed, or replaced by ❌), every other answer is final. The start-up
 * reconciliation reads from the homeserver only the prompts where this holds for someone.
 */
export function answerMayStillChange(state: MeetingState, status: ConsentStatus): boolean {
  return isActive(state) || status === 'agreed';
}

/** The lifecycle: every path (intake, commands, reconciliation, jobs) applies its events here. */
export function transition(model: MeetingModel, event: LifecycleEvent): Transition {
  switch (event.type) {
    case 'answer':
      return onAnswer(model, event.userId, event.answer, event.catchingUp ?? false);
    case 'answer-removed':
      return event.current
        ? onAnswerRemoved(model, event.userId, event.answer, event.removedBy)
        : ignored(model, 'not-current-answer');
    case 'unreadable':
      return ignored(model, 'unreadable');
    case 'withdraw-requested':
      if (event.actorId !== event.userId && !event.actorIsAdmin) {
        return { model, effects: [{ type: 'refused', reason: 'not-allowed' }] };
      }
      return withdraw(model, event.userId);
    case 'invite':
      return onInvite(model, event.userIds);
    case 'start':
      return model.state === 'collecting' ? open(model, 'start-command') : ignored(model, 'not-collecting');
    case 'cancel':
      return onCancel(model);
    case 'tick': {
      const trigger = automaticOpenTrigger(model, everyoneAnswered(model), event.now);
      return trigger ? open(model, trigger) : { model, effects: [] };
    }
    case 'session-created':
      return onSessionCreated(model, event.sessionId);
    case 'session-gone':
      return onSessionGone(model, event.sessionId);
  }
}

function ignored(model: MeetingModel, reason: IgnoredReason): Transition {
  return { model, effects: [{ type: 'ignored', reason }] };
}

function everyoneAnswered(model: MeetingModel): boolean {
  return [...model.answers.values()].every((s) => s !== 'pending');
}

function withAnswer(model: MeetingModel, userId: string, status: ConsentStatus): MeetingModel {
  const answers = new Map(model.answers);
  answers.set(userId, status);
  return { ...model, answers };
}

function withSession(model: MeetingModel, id: number, state: SessionState): MeetingModel {
  return { ...model, sessions: model.sessions.map((s) => (s.id === id ? { ...s, state } : s)) };
}

/** Opens a collecting meeting without `--at` once nobody is left to answer. */
function openIfAllAnswered(t: Transition): Transition {
  const trigger = automaticOpenTrigger(t.model, everyoneAnswered(t.model), Number.NEGATIVE_INFINITY);
  if (trigger !== 'all-answered') return t;
  const opened = open(t.model, trigger);
  return { model: opened.model, effects: [...t.effects, ...opened.effects] };
}

function open(model: MeetingModel, trigger: OpenTrigger): Transition {
  const record = decision(model).record;
  return {
    model: {
      ...model,
      state: 'open',
      sessions: [...model.sessions, { id: null, record, state: 'creating' }],
    },
    effects: [{ type: 'opened', trigger, record }, { type: 'create-session' }],
  };
}

function onAnswer(model: MeetingModel, userId: string, answer: Answer, catchingUp: boolean): Transition {
  const status = model.answers.get(userId);
  if (status === undefined) return ignored(model, 'not-invitee');
  // After opening, a ❌ from someone who had agreed withdraws that agreement, with all its effects.
  if (model.state !== 'collecting' && answer === 'decline' && status === 'agreed') {
    return withdraw(model, userId);
  }
  if (model.state === 'closed' || model.state === 'cancelled') {
    // A finished meeting takes no new answers; a ✅ re-given by someone who agreed is stored all the
    // same, so that removing it later is their withdrawal (and deletes the recordings).
    if (answer === 'agree' && status === 'agreed') {
      return { model, effects: [{ type: 'record-consent', userId, kind: 'agree' }] };
    }
    return ignored(model, 'meeting-over');
  }
  const next = withAnswer(model, userId, answer === 'agree' ? 'agreed' : 'declined');
  const effects: Effect[] = [{ type: 'record-consent', userId, kind: answer }];
  if (model.state === 'collecting') {
    return catchingUp ? { model: next, effects } : openIfAllAnswered({ model: next, effects });
  }
  // A late invitee without a link to the running recorded session declines: a decline, not an
  // exclusion (design §3.4). The recorded session ends and an unrecorded one opens for everyone;
  // its recording stays, everyone in it had agreed.
  if (answer === 'decline') return restartUnrecorded({ model: next, effects });
  // Open: a late invitee of a recorded session gets their link only now, after ✅.
  if (answer === 'agree') effects.push({ type: 'deliver-links' });
  return { model: next, effects };
}

function onAnswerRemoved(
  model: MeetingModel,
  userId: string,
  answer: Answer,
  removedBy: string | null,
): Transition {
  if (removedBy === null) return ignored(model, 'removal-unconfirmed');
  const status = model.answers.get(userId);
  if (status === undefined) return ignored(model, 'not-invitee');
  const current = answer === 'agree' ? 'agreed' : 'declined';
  if (status !== current) return ignored(model, 'not-current-answer');
  if (removedBy === userId) {
    // Removing one's own ✅ is a withdrawal; removing one's own ❌ before opening un-answers.
    if (answer === 'agree') return withdraw(model, userId);
    if (model.state !== 'collecting') return ignored(model, 'meeting-over');
    return {
      model: withAnswer(model, userId, 'pending'),
      effects: [{ type: 'record-consent', userId, kind: 'reset' }],
    };
  }
  // A moderator cannot withdraw for someone else. Before opening the person is asked again;
  // afterwards the redaction changes nothing (it is logged).
  if (model.state !== 'collecting') return ignored(model, 'answer-removed-by-other-after-opening');
  return {
    model: withAnswer(model, userId, 'pending'),
    effects: [
      { type: 'record-consent', userId, kind: 'reset' },
      { type: 'ask-again', userId },
    ],
  };
}

function withdraw(model: MeetingModel, userId: string): Transition {
  if (!model.answers.has(userId)) return ignored(model, 'not-invitee');
  // Only someone who agreed was in a recorded session: a late invitee who never agreed withdraws
  // nothing recorded, and (as with his ❌) the recording everyone in it agreed to stays (§3.4).
  const hadAgreed = model.answers.get(userId) === 'agreed';
  let next = withAnswer(model, userId, 'withdrawn');
  const effects: Effect[] = [{ type: 'record-consent', userId, kind: 'withdraw' }];
  if (model.state === 'collecting') {
    // It will open unrecorded unless the person agrees again.
    return openIfAllAnswered({ model: next, effects });
  }
  ({ model: next } = restartUnrecorded({ model: next, effects }));
  // A cancelled meeting may still have a recorded session whose end is being retried.
  for (const s of next.sessions) {
    if (s.record && s.id !== null && (s.state === 'running' || s.state === 'creating')) {
      next = withSession(next, s.id, 'ending');
      effects.push({ type: 'end-session', sessionId: s.id });
    }
  }
  if (hadAgreed && hadRecordedSession(next)) effects.push({ type: 'purge-recordings' });
  return { model: next, effects };
}

/**
 * In an open meeting whose current session is recorded: BBB cannot stop a recording, so that
 * session ends and an unrecorded one opens, with new links for everyone. Otherwise nothing.
 */
function restartUnrecorded(t: Transition): Transition {
  const running = currentSession(t.model);
  if (t.model.state !== 'open' || !running?.record || running.id === null) return t;
  let next = withSession(t.model, running.id, 'ending');
  next = { ...next, sessions: [...next.sessions, { id: null, record: false, state: 'creating' }] };
  t.effects.push({ type: 'end-session', sessionId: running.id }, { type: 'create-session' });
  return { model: next, effects: t.effects };
}

function onInvite(model: MeetingModel, userIds: readonly string[]): Transition {
  if (!isActive(model.state)) return ignored(model, 'meeting-over');
  const answers = new Map(model.answers);
  for (const id of userIds) if (!answers.has(id)) answers.set(id, 'pending');
  const next = { ...model, answers };
  // In an open meeting an unrecorded session's link goes out at once; a recorded one's after ✅.
  return { model: next, effects: model.state === 'open' ? [{ type: 'deliver-links' }] : [] };
}

function onCancel(model: MeetingModel): Transition {
  if (!isActive(model.state)) return ignored(model, 'meeting-over');
  let next: MeetingModel = { ...model, state: 'cancelled' };
  const effects: Effect[] = [{ type: 'cancelled' }];
  for (const s of model.sessions) {
    if (s.id !== null && (s.state === 'creating' || s.state === 'running')) {
      next = withSession(next, s.id, 'ending');
      effects.push({ type: 'end-session', sessionId: s.id });
    }
  }
  return { model: next, effects };
}

function onSessionCreated(model: MeetingModel, sessionId: number): Transition {
  const session = model.sessions.find((s) => s.id === sessionId);
  if (!session) return ignored(model, 'unknown-session');
  if (session.state !== 'creating') return { model, effects: [] };
  const next = withSession(model, sessionId, 'running');
  if (model.state !== 'open') {
    // Cancelled while BBB was being asked: the session it created must end at once.
    return {
      model: withSession(next, sessionId, 'ending'),
      effects: [{ type: 'end-session', sessionId }],
    };
  }
  return { model: next, effects: [{ type: 'announce-session' }, { type: 'deliver-links' }] };
}

function onSessionGone(model: MeetingModel, sessionId: number): Transition {
  const session = model.sessions.find((s) => s.id === sessionId);
  if (!session) return ignored(model, 'unknown-session');
  if (session.state === 'ended') return { model, effects: [] };
  const wasCurrent = currentSession(model)?.id === sessionId;
  let next = withSession(model, sessionId, 'ended');
  const effects: Effect[] = [{ type: 'session-ended', sessionId, wasCurrent }];
  if (wasCurrent && model.state === 'open') {
    next = { ...next, state: 'closed' };
    effects.push({ type: 'closed' });
  }
  return { model: next, effects };
}

/** Who may receive a link to a session: nobody to an unfinished or ending one; to a recorded one only with agreement. */
export function mayReceiveLinkTo(session: SessionModel, status: ConsentStatus | undefined): boolean {
  if (session.state !== 'running' || status === undefined) return false;
  return !session.record || status === 'agreed';
}
