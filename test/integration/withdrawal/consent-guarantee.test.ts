// Regression tests for issue #8, defects 1–5: the consent guarantee under cancellation, BBB faults,
// event races, restarts and moderators. Each runs the real app on a SQLite file against the BBB
// simulator over HTTP (with its fault injection) and the in-memory chat port.
import { describe, expect } from 'vitest';
import { join } from '../../../src/i18n/rich.js';
import { ALICE, BOB, CAROL, DAVE, type Harness, ORGANIZER, ROOM } from '../../support/app-harness.js';
import { around, plain, said, t, withdrawalLines } from '../../support/catalogue.js';
import { it } from '../../support/fixtures.js';
import {
  botState,
  currentSession,
  endAndDiscover,
  joinAs,
  joinedRecordedMeeting,
  joinLinks,
  lastRoomText,
  openRecordedMeeting,
  roomTexts,
  simState,
} from '../recordings/support.js';

const sessionState = (h: Harness, id: number) => h.app.ctx.stores.meetings.session(id)?.state;
const bbbSession = (h: Harness, bbbMeetingId: string) =>
  h.sim.sessions().find((s) => s.meetingID === bbbMeetingId);
/** Meeting `id` opened unrecorded (in BBB and in SQLite); none of `people` got a link to a recorded session (🔴). */
const openedUnrecorded = (h: Harness, id: number, ...people: string[]) => {
  expect(h.sim.sessions()).toMatchObject([{ record: false }]);
  expect(h.app.ctx.stores.meetings.sessions(id).every((s) => !s.record)).toBe(true);
  for (const person of people) expect(h.chat.dmOf(person).some((m) => m.text.includes('🔴'))).toBe(false);
};
/** Sync with Alice and Bob; the organizer and Alice agree, then the bot goes down (Alice's ✅ returned). */
const twoAgreedThenDown = async (h: Harness) => {
  const { id, prompt } = await h.plan(`Sync ${ALICE} ${BOB}`);
  const [, alice] = await h.agree(prompt, ORGANIZER, ALICE);
  await h.restart();
  return { id, prompt, alice };
};
/** Dave is in the room (not invited) when a recorded meeting opens: its ID, prompt and session. */
const recordedWithDaveInRoom = async (h: Harness) => {
  h.chat.members.get(ROOM)?.add(DAVE);
  const id = await openRecordedMeeting(h);
  return { id, prompt: h.promptOf(id), recorded: currentSession(h, id) };
};

describe('defect 1: cancel, then withdraw', () => {
  it('deletes the recording of the cancelled meeting, with or without a reference', async ({ h }) => {
    const { session } = await joinedRecordedMeeting(h);
    await h.say(ORGANIZER, '!cancel');
    expect(lastRoomText(h)).toContain(said(t.cancelled('Weekly sync')));
    expect(bbbSession(h, session.bbbMeetingId)?.ended).toBe(true);
    await h.sim.finishProcessing();
    const [recording] = h.sim.recordings();
    expect(recording?.meetingID).toBe(session.bbbMeetingId);

    // The recording is not discovered yet: the withdrawal must still find the meeting and delete it.
    await h.say(ALICE, '!withdraw');
    expect(lastRoomText(h)).toContain(withdrawalLines('Alice').saved);
    expect(lastRoomText(h)).toContain(withdrawalLines('Alice').deleted);
    expect(simState(h, recording!.recordID)).toBe('deleted');
    expect(botState(h, recording!.recordID)).toBe('purged');
  });

  it('with #ref: a cancelled meeting whose recording BBB lists only later still gets it deleted', async ({
    h,
  }) => {
    const { id } = await joinedRecordedMeeting(h);
    h.sim.faults.set({ http500: ['getRecordings'] });
    await h.say(ORGANIZER, '!cancel');
    await h.say(BOB, `!withdraw #${id}`);
    expect(lastRoomText(h)).toContain(withdrawalLines('Bob').saved);
    expect(lastRoomText(h)).toContain(withdrawalLines('Bob').pending);
    expect(lastRoomText(h)).not.toContain(withdrawalLines('Bob').none);
    h.sim.faults.clear();
    await h.sim.finishProcessing();
    await h.app.tick();
    const [recording] = h.sim.recordings({ includeDeleted: true });
    expect(recording?.state).toBe('deleted');
    expect(lastRoomText(h)).toContain(around((name) => t.deletedAfterWithdrawal([join([name])]))[0]);
  });
});

describe('defect 2: BBB end fails during a withdrawal', () => {
  it('the session is ending, retried until BBB confirms; no link to it, the room is told the truth', async ({
    h,
  }) => {
    const { id, session: recorded } = await joinedRecordedMeeting(h);
    h.sim.faults.set({ http500: ['end'] });
    await h.say(ALICE, '!withdraw');

    // Still running in BBB: the bot says so instead of claiming it ended.
    expect(bbbSession(h, recorded.bbbMeetingId)?.ended).toBe(false);
    expect(sessionState(h, recorded.id)).toBe('ending');
    expect(lastRoomText(h)).toContain(said(t.withdrawEnding(join(['Alice']), 'Weekly sync')));
    const ended = around((title) => t.withdrawRestarted(join(['Alice']), title))[1];
    expect(roomTexts(h).some((text) => text.includes(ended))).toBe(false);
    // A new unrecorded session is open with new links; nobody gets a link to the ending one again.
    const successor = currentSession(h, id);
    expect(successor.record).toBe(false);
    expect(joinLinks(h, BOB)).toHaveLength(2);
    await h.react(CAROL, h.promptOf(id), '✅'); // nothing changes for a stranger
    await h.app.tick(); // BBB still failing
    expect(bbbSession(h, recorded.bbbMeetingId)?.ended).toBe(false);
    expect(h.app.ctx.stores.outbox.byKey(`end:${recorded.id}`)?.attempts).toBeGreaterThanOrEqual(2);

    // BBB recovers: the next tick ends it, the room hears it, the recording goes.
    h.sim.faults.clear();
    await h.app.tick();
    expect(bbbSession(h, recorded.bbbMeetingId)?.ended).toBe(true);
    expect(sessionState(h, recorded.id)).toBe('ended');
    expect(roomTexts(h)).toContainEqual(expect.stringContaining(said(t.recordedSessionEnded('Weekly sync'))));
    await h.sim.finishProcessing();
    await h.app.tick();
    expect(h.sim.recordings()).toHaveLength(0);
    expect(h.sim.recordings({ includeDeleted: true })[0]?.state).toBe('deleted');
  });

  it('a restart while the end is pending resumes it from SQLite', async ({ h }) => {
    const { session: recorded } = await joinedRecordedMeeting(h);
    h.sim.faults.set({ http500: ['end'] });
    await h.say(ALICE, '!withdraw');
    await h.restartAndReconcile(() => h.sim.faults.clear());
    await h.app.tick();
    expect(bbbSession(h, recorded.bbbMeetingId)?.ended).toBe(true);
    expect(sessionState(h, recorded.id)).toBe('ended');
  });
});

describe('defect 3: a removed ✅ queued behind a busy meeting', () => {
  it('is applied in delivery order: the ✅ and then its removal, so it never counts', async ({ h }) => {
    const { id, prompt } = await h.plan(`Sync ${ALICE} ${BOB}`, ORGANIZER);
    // The meeting is busy (another event of it is being applied, e.g. a slow BBB call).
    let release!: () => void;
    const busy = h.app.ctx.withMeeting(id, () => new Promise<void>((r) => (release = r)));
    const reaction = h.reactionArrives(ALICE, prompt, '✅');
    const redaction = h.redactionArrives(ALICE, reaction.reactionId);
    release();
    await Promise.all([busy, reaction.handled, redaction]);
    await h.app.prompts.flush();

    expect(h.sim.sessions()).toHaveLength(0);
    // Alice agreed and withdrew; when Bob agrees, everyone answered: it opens, but unrecorded.
    await h.react(BOB, prompt, '✅');
    expect(currentSession(h, id).record).toBe(false);
    expect(h.sim.sessions()[0]?.record).toBe(false);
  });
});

describe('defect 4: live events after a restart wait for the reconciliation', () => {
  it('a ✅ removed while the bot was down is withdrawn before a live ✅ can open the meeting', async ({
    h,
  }) => {
    const { id, prompt, alice } = await twoAgreedThenDown(h);
    // While down: Alice removed her ✅.
    h.chat.removeReaction(alice);
    // Start-up (bot.ts): the answers the homeserver holds are read, then Bob's ✅ arrives with the sync.
    await h.app.reconciler.run(() => h.reactionArrives(BOB, prompt, '✅').handled);
    await h.app.prompts.flush();

    // Bob's link is to an unrecorded session; nobody got a link to a recorded one.
    openedUnrecorded(h, id, BOB);
  });
});

describe('found by the property test: a ✅ and a `!withdraw` both sent while the bot was down', () => {
  it('the withdrawal applies before the meeting opens: nobody gets a link to a recorded session', async ({
    h,
  }) => {
    const { id, prompt } = await twoAgreedThenDown(h);
    // While down: Bob agrees, then changes his mind with `!withdraw`; the sync delivers the command.
    h.chat.addReaction(ROOM, BOB, prompt, '✅');
    await h.app.reconciler.run(async () => {
      await h.say(BOB, '!withdraw');
    });
    await h.app.prompts.flush();

    // Everyone answered: the meeting opened, unrecorded.
    openedUnrecorded(h, id, ORGANIZER, ALICE, BOB);
  });
});

describe('found by the property test: a `!start` and then a `!withdraw`, both sent while the bot was down', () => {
  it('nothing is done outside until both are applied: no link to a recorded session', async ({ h }) => {
    const { id, prompt } = await h.plan(`Sync ${ALICE} ${BOB}`, ORGANIZER);
    await h.restart();
    // While down: Alice and Bob agree, the organizer starts the meeting and then withdraws.
    h.chat.addReaction(ROOM, ALICE, prompt, '✅');
    h.chat.addReaction(ROOM, BOB, prompt, '✅');
    await h.app.reconciler.run(async () => {
      await h.say(ORGANIZER, '!start');
      await h.say(ORGANIZER, '!withdraw');
    });
    await h.app.prompts.flush();

    // BBB ran no recorded session (the one `!start` asked for was never created), and nobody got a link to one.
    expect(h.sim.sessions()).toMatchObject([{ record: false }]);
    for (const person of [ORGANIZER, ALICE, BOB])
      expect(h.chat.dmOf(person).some((m) => m.text.includes('🔴'))).toBe(false);
    expect(h.app.ctx.stores.meetings.get(id)?.state).toBe('open');
  });
});

describe('start-up: a withdrawal or a cancellation sent while the bot was down', () => {
  it.for(['!withdraw', '!cancel'])(
    '%s ends the recorded session at once, while the downtime is still handed over',
    async (command, { h }) => {
      const id = await openRecordedMeeting(h);
      const recorded = currentSession(h, id);
      await h.restart();
      let endedMeanwhile: boolean | undefined;
      await h.app.reconciler.run(async () => {
        await h.say(ORGANIZER, command);
        endedMeanwhile = bbbSession(h, recorded.bbbMeetingId)?.ended;
      });
      expect(endedMeanwhile).toBe(true);
    },
  );
});

describe('found by the property test: a ✅ removed while the bot was down, on a cancelled meeting', () => {
  it('is a withdrawal after the restart too, and the recording goes', async ({ h }) => {
    const { id, session } = await joinedRecordedMeeting(h);
    await h.say(ORGANIZER, '!cancel');
    await h.sim.finishProcessing();
    const olgaReaction = h.agreementOf(id, ORGANIZER);
    await h.restartAndReconcile(() => h.chat.removeReaction(olgaReaction, ORGANIZER));
    await h.app.tick();
    const recordings = h.sim
      .recordings({ includeDeleted: true })
      .filter((r) => r.meetingID === session.bbbMeetingId);
    expect(recordings).toMatchObject([{ state: 'deleted' }]);
  });
});

describe('defect 5: a moderator cannot withdraw for someone else', () => {
  it('before opening: the person is unanswered and asked again, not withdrawn', async ({ h }) => {
    const { id, prompt } = await h.plan(`Sync ${ALICE} ${BOB}`);
    const alice = await h.react(ALICE, prompt, '✅');
    await h.redact(ORGANIZER, alice); // the organizer moderates the room
    expect(h.answerOf(id, ALICE)).toBe('pending');
    expect(lastRoomText(h)).toBe(said(t.answerRemovedAskAgain(plain('Alice'), 'Sync')));
    expect(h.app.ctx.stores.meetings.consentEvents(id).some((e) => e.kind === 'withdraw')).toBe(false);
    // Not everyone answered any more: it does not open when the others do.
    await h.agree(prompt, ORGANIZER, BOB);
    expect(h.sim.sessions()).toHaveLength(0);
    await h.react(ALICE, prompt, '✅');
    expect(currentSession(h, id).record).toBe(true);
  });

  it('after opening: changes nothing, deletes nothing, and is logged', async ({ h }) => {
    const { id } = await joinedRecordedMeeting(h);
    const aliceReaction = h.agreementOf(id, ALICE);
    const before = roomTexts(h).length;
    await h.redact(ORGANIZER, aliceReaction);
    expect(h.sim.sessions()).toMatchObject([{ ended: false }]);
    expect(currentSession(h, id).record).toBe(true);
    expect(roomTexts(h).length).toBe(before);
    const audit = h.app.ctx.stores.audit.forMeeting(id);
    expect(audit.some((a) => a.action === 'consent.redaction-ignored')).toBe(true);
    expect(audit.some((a) => a.action === 'consent.withdraw')).toBe(false);
  });

  it('while the bot was down: the reconciliation asks who removed it (a moderator: nothing after opening)', async ({
    h,
  }) => {
    const { id } = await joinedRecordedMeeting(h);
    const aliceReaction = h.agreementOf(id, ALICE);
    await h.restartAndReconcile(() => h.chat.removeReaction(aliceReaction, ORGANIZER));
    expect(h.sim.sessions()).toMatchObject([{ ended: false }]);
    expect(h.app.ctx.stores.meetings.consentEvents(id).some((e) => e.kind === 'withdraw')).toBe(false);
  });
});

describe('found by the property test: a late invitee whose ✅ predates the !invite', () => {
  const withdrawals = (h: Harness, id: number) =>
    h.app.ctx.stores.meetings.consentEvents(id).filter((e) => e.kind === 'withdraw');

  it('that ✅ is no answer and removing it no withdrawal; his ✅ after the invite is, and its removal deletes every recording', async ({
    h,
  }) => {
    const { id, prompt, recorded } = await recordedWithDaveInRoom(h);
    await joinAs(h, ORGANIZER);
    // Dave, not invited, reacts ✅ on the prompt: a bystander's reaction changes nothing (design §3.2).
    const early = await h.react(DAVE, prompt, '✅');
    await h.say(ORGANIZER, `!invite #${id} ${DAVE}`);
    // Invited, he must answer: the ✅ he gave before does not count, and he gets no link yet.
    expect(h.answerOf(id, DAVE)).toBe('pending');
    expect(joinLinks(h, DAVE)).toEqual([]);
    // Removing that ✅ withdraws nothing he had given: the recorded session goes on.
    await h.redact(DAVE, early);
    expect(withdrawals(h, id)).toEqual([]);
    expect(bbbSession(h, recorded.bbbMeetingId)?.ended).toBe(false);

    // Now he answers as an invitee: agreement stored, link to the recorded session.
    const late = await h.react(DAVE, prompt, '✅');
    expect(h.answerOf(id, DAVE)).toBe('agreed');
    expect(joinLinks(h, DAVE)).toHaveLength(1);
    const recordId = await endAndDiscover(h, id);
    expect(simState(h, recordId)).toBe('published');

    // After the meeting, removing this ✅ is his withdrawal: every recording of the meeting goes (§3.6).
    await h.redact(DAVE, late);
    expect(withdrawals(h, id).map((e) => e.userId)).toEqual([DAVE]);
    expect(simState(h, recordId)).toBe('deleted');
    expect(lastRoomText(h)).toContain(withdrawalLines('Dave').deleted);
  });

  it('a restart does not turn the ✅ he gave before the !invite into an agreement', async ({ h }) => {
    const { id, prompt } = await recordedWithDaveInRoom(h);
    await h.react(DAVE, prompt, '✅');
    await h.say(ORGANIZER, `!invite #${id} ${DAVE}`);
    await h.restartAndReconcile();
    expect(h.answerOf(id, DAVE)).toBe('pending');
    expect(joinLinks(h, DAVE)).toEqual([]);
    // Still so when the meeting lasts longer than the bot remembers handled events (30 days).
    h.clock.advance(40 * 24 * 60 * 60 * 1000);
    await h.app.retention.run();
    await h.restartAndReconcile();
    expect(h.answerOf(id, DAVE)).toBe('pending');
    expect(joinLinks(h, DAVE)).toEqual([]);
  });
});

describe('found by the property test: answers given while the bot was down are all read before anything happens', () => {
  it('a ✅ completing the answers and a later ❌ of someone who had agreed: opens unrecorded, no 🔴 link', async ({
    h,
  }) => {
    // Seed 1043146187: Alice ✅ live; while down Bob ✅ and then Alice ❌ (her ✅ stays on the prompt).
    const { id, prompt } = await twoAgreedThenDown(h);
    h.chat.addReaction(ROOM, BOB, prompt, '✅');
    h.chat.addReaction(ROOM, ALICE, prompt, '❌');
    await h.app.reconciler.run();
    await h.app.prompts.flush();

    expect(h.answerOf(id, ALICE)).toBe('declined');
    openedUnrecorded(h, id, ORGANIZER, ALICE, BOB);
  });

  it('a late invitee’s ✅ and then ❌ on a running recorded meeting: no link to it reaches him', async ({
    h,
  }) => {
    const { id, prompt, recorded } = await recordedWithDaveInRoom(h);
    await h.say(ORGANIZER, `!invite #${id} ${DAVE}`);
    await h.restart();
    h.chat.addReaction(ROOM, DAVE, prompt, '✅');
    h.chat.addReaction(ROOM, DAVE, prompt, '❌');
    await h.app.reconciler.run();
    await h.app.tick();

    expect(h.answerOf(id, DAVE)).toBe('withdrawn');
    // His withdrawal ended the recorded session (he had agreed to it); he never got a link to it.
    expect(bbbSession(h, recorded.bbbMeetingId)?.ended).toBe(true);
    expect(joinLinks(h, DAVE).filter((url) => url.includes(recorded.bbbMeetingId))).toEqual([]);
  });
});

describe('found by the property test: a create that reaches BBB after the session was ended', () => {
  it('the recorded meeting BBB started again is ended at the next tick', async ({ harness }) => {
    const h = await harness({}, { bbbTimeoutMs: 150 });
    // The first create is slow: the bot gives up on it (timeout), it reaches BBB a second later.
    h.sim.faults.set({ slowMs: 1_000, slowCalls: ['create'] });
    const { id } = await h.plan(`Sync ${ALICE}`, ORGANIZER, ALICE);
    h.sim.faults.clear();
    await h.app.tick(); // the retried create is confirmed: the recorded session runs
    const session = currentSession(h, id);
    expect(session.record).toBe(true);
    await h.say(ALICE, '!withdraw');
    const running = () => h.sim.sessions().filter((s) => s.meetingID === session.bbbMeetingId && !s.ended);
    expect(running()).toEqual([]);

    await new Promise((r) => setTimeout(r, 1_200)); // the first create lands: BBB runs the meetingID again
    expect(running()).toMatchObject([{ record: true }]);
    await h.app.tick();
    expect(running()).toEqual([]);
    expect(h.app.ctx.stores.audit.forMeeting(id).map((e) => e.action)).toContain('session.late-create-ended');
  });
});
