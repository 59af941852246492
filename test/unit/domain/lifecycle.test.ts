import { describe, expect, it } from 'vitest';
import type { ConsentStatus } from '../../../src/domain/consent.js';
import {
  answerMayStillChange,
  automaticOpenTrigger,
  currentSession,
  type LifecycleEvent,
  MEETING_STATES,
  type MeetingModel,
  mayReceiveLinkTo,
  transition,
} from '../../../src/domain/lifecycle.js';
import { DAY_MS, deletionDue, evidenceCutoff, expired } from '../../../src/domain/retention.js';

describe('opening', () => {
  const now = 1_000_000;
  const trigger = (p: Partial<Parameters<typeof automaticOpenTrigger>[0]>, allAnswered: boolean) =>
    automaticOpenTrigger({ state: 'collecting', noRecord: false, scheduledAt: null, ...p }, allAnswered, now);
  it('opens when everyone answered, unless a start time is set', () => {
    expect(trigger({}, true)).toBe('all-answered');
    expect(trigger({}, false)).toBeNull();
    expect(trigger({ scheduledAt: now + 1 }, true)).toBeNull();
    expect(trigger({ scheduledAt: now }, false)).toBe('scheduled');
  });
  it('opens --no-record meetings at once or at their time, and never reopens', () => {
    expect(trigger({ noRecord: true }, false)).toBe('no-record');
    expect(trigger({ noRecord: true, scheduledAt: now + 5 }, false)).toBeNull();
    expect(trigger({ state: 'open' }, true)).toBeNull();
  });
});

const A = '@a:x';
const B = '@b:x';
const ADMIN = '@admin:x';

function model(p: Partial<MeetingModel> = {}): MeetingModel {
  return {
    state: 'collecting',
    noRecord: false,
    scheduledAt: null,
    answers: new Map<string, ConsentStatus>([
      [A, 'pending'],
      [B, 'pending'],
    ]),
    sessions: [],
    ...p,
  };
}

const types = (t: { effects: { type: string }[] }) => t.effects.map((e) => e.type);
const agreedBoth = new Map<string, ConsentStatus>([
  [A, 'agreed'],
  [B, 'agreed'],
]);
const openRecorded = model({
  state: 'open',
  answers: agreedBoth,
  sessions: [{ id: 1, record: true, state: 'running' }],
});
const cancelledAfterRun = model({
  state: 'cancelled',
  answers: agreedBoth,
  sessions: [{ id: 1, record: true, state: 'ended' }],
});
const agreedA = model({ answers: new Map<string, ConsentStatus>([...agreedBoth, [B, 'pending']]) });
/** A recorded session being ended, and the unrecorded one that replaces it. */
const endingThenUnrecorded = [
  { id: 1, record: true, state: 'ending' },
  { id: null, record: false, state: 'creating' },
];
const answer = (userId: string, given: 'agree' | 'decline', catchingUp = false): LifecycleEvent => ({
  type: 'answer',
  userId,
  answer: given,
  catchingUp,
});
const withdraw = (userId: string, actorId = userId, actorIsAdmin = false): LifecycleEvent => ({
  type: 'withdraw-requested',
  userId,
  actorId,
  actorIsAdmin,
});
/** A's ✅ is gone, redacted by `removedBy` (null: the homeserver confirms no redaction). */
const removed = (removedBy: string | null): LifecycleEvent => ({
  type: 'answer-removed',
  userId: A,
  answer: 'agree',
  removedBy,
  current: true,
});

describe('transition: answers and opening', () => {
  it('opens recorded when the last invitee agrees, unrecorded when someone declined', () => {
    const first = transition(model(), answer(A, 'agree'));
    expect(first.model.state).toBe('collecting');
    const both = transition(first.model, answer(B, 'agree'));
    expect(both.model.state).toBe('open');
    expect(both.model.sessions).toEqual([{ id: null, record: true, state: 'creating' }]);
    const declined = transition(first.model, answer(B, 'decline'));
    expect(declined.model.sessions).toEqual([{ id: null, record: false, state: 'creating' }]);
  });

  it('answers caught up at start-up never open the meeting on their own; the tick after them does', () => {
    // A ✅ completes the answers, then the same batch holds a ❌ of someone who had agreed.
    const first = transition(model(), answer(A, 'agree'));
    const both = transition(first.model, answer(B, 'agree', true));
    expect(both.model.state).toBe('collecting');
    expect(types(both)).toEqual(['record-consent']);
    const changed = transition(both.model, answer(A, 'decline', true));
    const tick = transition(changed.model, { type: 'tick', now: 0 });
    expect(tick.model.sessions).toEqual([{ id: null, record: false, state: 'creating' }]);
  });

  it('ignores answers of people who are not invited', () => {
    const t = transition(model(), answer('@stranger:x', 'agree'));
    expect(types(t)).toEqual(['ignored']);
  });

  it('links go out only once BBB confirmed the session', () => {
    const opened = model({
      state: 'open',
      answers: agreedBoth,
      sessions: [{ id: 1, record: true, state: 'creating' }],
    });
    const t = transition(opened, { type: 'session-created', sessionId: 1 });
    expect(t.model.sessions[0]?.state).toBe('running');
    expect(types(t)).toEqual(['announce-session', 'deliver-links']);
  });
});

describe('transition: withdrawal', () => {
  it('before opening: the meeting will open unrecorded', () => {
    const t = transition(agreedA, withdraw(A));
    expect(t.model.answers.get(A)).toBe('withdrawn');
    expect(t.model.state).toBe('collecting');
  });

  it('during a recorded session: that session is ending (not ended), an unrecorded one is planned, recordings go', () => {
    const t = transition(openRecorded, withdraw(B));
    expect(t.model.sessions).toEqual(endingThenUnrecorded);
    expect(types(t)).toEqual(['record-consent', 'end-session', 'create-session', 'purge-recordings']);
    expect(currentSession(t.model)).toEqual({ id: null, record: false, state: 'creating' });
  });

  it('of a cancelled meeting whose session ran: its recordings are deleted', () => {
    const t = transition(cancelledAfterRun, withdraw(A));
    expect(types(t)).toEqual(['record-consent', 'purge-recordings']);
  });

  it('after the meeting: a ✅ re-given is stored, so that removing it is a withdrawal', () => {
    const again = transition(cancelledAfterRun, answer(A, 'agree'));
    expect(again.effects).toEqual([{ type: 'record-consent', userId: A, kind: 'agree' }]);
    expect(types(transition(again.model, removed(A)))).toEqual(['record-consent', 'purge-recordings']);
  });

  it('by someone else is refused unless they are an admin', () => {
    expect(types(transition(openRecorded, withdraw(A, B)))).toEqual(['refused']);
    const byAdmin = transition(openRecorded, withdraw(A, ADMIN, true));
    expect(byAdmin.model.answers.get(A)).toBe('withdrawn');
  });

  it('a ❌ replacing a ✅ after opening is a withdrawal', () => {
    const t = transition(openRecorded, answer(A, 'decline'));
    expect(t.model.answers.get(A)).toBe('withdrawn');
    expect(types(t)).toContain('end-session');
  });
});

describe('transition: redactions', () => {
  it("removing one's own ✅ withdraws", () => {
    const t = transition(agreedA, removed(A));
    expect(t.model.answers.get(A)).toBe('withdrawn');
  });
  it("a moderator removing someone's ✅ before opening makes them unanswered and asks again", () => {
    const t = transition(agreedA, removed('@mod:x'));
    expect(t.model.answers.get(A)).toBe('pending');
    expect(types(t)).toEqual(['record-consent', 'ask-again']);
  });
  it("a moderator removing someone's ✅ after opening changes nothing", () => {
    const t = transition(openRecorded, removed('@mod:x'));
    expect(t.model).toBe(openRecorded);
    expect(t.effects).toEqual([{ type: 'ignored', reason: 'answer-removed-by-other-after-opening' }]);
  });
});

describe('transition: cancel and ending', () => {
  it('cancelling ends running sessions through the outbox; they are ending until BBB confirms', () => {
    const t = transition(openRecorded, { type: 'cancel' });
    expect(t.model.state).toBe('cancelled');
    expect(t.model.sessions[0]?.state).toBe('ending');
    expect(types(t)).toEqual(['cancelled', 'end-session']);
    const gone = transition(t.model, { type: 'session-gone', sessionId: 1 });
    expect(gone.model.sessions[0]?.state).toBe('ended');
    expect(gone.model.state).toBe('cancelled');
  });
  it('the current session ending by itself closes the meeting', () => {
    const t = transition(openRecorded, { type: 'session-gone', sessionId: 1 });
    expect(t.model.state).toBe('closed');
  });
  it('nobody gets a link to a session that is not running, or to a recorded one without agreement', () => {
    expect(mayReceiveLinkTo({ id: 1, record: true, state: 'ending' }, 'agreed')).toBe(false);
    expect(mayReceiveLinkTo({ id: 1, record: true, state: 'running' }, 'withdrawn')).toBe(false);
    expect(mayReceiveLinkTo({ id: 1, record: true, state: 'running' }, 'agreed')).toBe(true);
    expect(mayReceiveLinkTo({ id: 1, record: false, state: 'running' }, 'declined')).toBe(true);
  });
});

describe('retention', () => {
  it('deletes after the configured days', () => {
    expect(deletionDue(0, 30)).toBe(30 * DAY_MS);
    expect(deletionDue(5, 1)).toBe(5 + DAY_MS);
  });
  it('expires a meeting without a time that did not open within the unanswered days', () => {
    const planned = { state: 'collecting', scheduledAt: null, createdAt: 0 };
    expect(expired(planned, 14, 14 * DAY_MS - 1)).toBe(false);
    expect(expired(planned, 14, 14 * DAY_MS)).toBe(true);
    // One with a time opens at its time; one that opened is not "unanswered".
    expect(expired({ ...planned, scheduledAt: 99 * DAY_MS }, 14, 20 * DAY_MS)).toBe(false);
    expect(expired({ ...planned, state: 'open' }, 14, 20 * DAY_MS)).toBe(false);
  });
  it('lets evidence go only once the configured period has passed since the last recording went', () => {
    expect(evidenceCutoff(365 * DAY_MS, 365)).toBe(0);
    expect(evidenceCutoff(400 * DAY_MS, 0)).toBe(400 * DAY_MS);
  });
});

describe('a late invitee of a running recorded session', () => {
  const C = '@c:x';
  const running = model({
    state: 'open',
    answers: new Map<string, ConsentStatus>([...agreedBoth, [C, 'pending']]),
    sessions: [{ id: 1, record: true, state: 'running' }],
  });

  it('who declines ends it and opens an unrecorded one for everyone; nothing is deleted', () => {
    const t = transition(running, answer(C, 'decline'));
    expect(types(t)).toEqual(['record-consent', 'end-session', 'create-session']);
    expect(t.model.answers.get(C)).toBe('declined');
    expect(t.model.sessions).toEqual(endingThenUnrecorded);
  });

  it('who agrees gets a link to it', () => {
    const t = transition(running, answer(C, 'agree'));
    expect(types(t)).toEqual(['record-consent', 'deliver-links']);
    expect(currentSession(t.model)?.id).toBe(1);
  });
});

describe('what the bot cannot read or confirm', () => {
  it('a removal the homeserver does not confirm changes nothing', () => {
    const t = transition(openRecorded, removed(null));
    expect(t.effects).toEqual([{ type: 'ignored', reason: 'removal-unconfirmed' }]);
    expect(t.model).toBe(openRecorded);
  });

  it('unreadable answers change nothing', () => {
    const t = transition(openRecorded, { type: 'unreadable', count: 3 });
    expect(t.effects).toEqual([{ type: 'ignored', reason: 'unreadable' }]);
    expect(t.model).toBe(openRecorded);
  });
});

describe('which answers a read at start-up can still change (answerMayStillChange)', () => {
  const STATUSES: ConsentStatus[] = ['agreed', 'declined', 'withdrawn', 'pending'];
  /** Everything a reaction on a prompt can become: each answer, given or removed, by anyone. */
  const reactionEvents = (userId: string): LifecycleEvent[] =>
    (['agree', 'decline'] as const).flatMap((answer) => [
      { type: 'answer', userId, answer },
      { type: 'answer', userId, answer, catchingUp: true },
      ...[userId, B, null].flatMap((removedBy) =>
        [true, false].map((current) => ({
          type: 'answer-removed' as const,
          userId,
          answer,
          removedBy,
          current,
        })),
      ),
    ]);
  const meeting = (state: MeetingModel['state'], status: ConsentStatus) =>
    model({
      state,
      answers: new Map([...agreedBoth, [A, status]]),
      sessions: state === 'collecting' ? [] : [{ id: 1, record: status === 'agreed', state: 'ended' }],
    });
  const changes = (m: MeetingModel, e: LifecycleEvent) => {
    const t = transition(m, e);
    return t.model !== m || t.effects.some((x) => x.type !== 'ignored');
  };

  for (const state of MEETING_STATES) {
    for (const status of STATUSES) {
      const may = answerMayStillChange(state, status);
      it(`${state}, ${status}: ${may ? 'some reaction changes the meeting' : 'no reaction changes anything'}`, () => {
        const m = meeting(state, status);
        const changed = reactionEvents(A).filter((e) => changes(m, e));
        if (may) expect(changed.length).toBeGreaterThan(0);
        else expect(changed).toEqual([]);
      });
    }
  }

  it('in a finished meeting only an agreement can change (be withdrawn)', () => {
    for (const state of ['closed', 'cancelled'] as const) {
      expect(STATUSES.filter((s) => answerMayStillChange(state, s))).toEqual(['agreed']);
    }
    expect(STATUSES.every((s) => answerMayStillChange('open', s))).toBe(true);
  });
});
