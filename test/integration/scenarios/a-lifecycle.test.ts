// Audit (helper a): design.md §3.1–3.5 and `!meeting`, `!start`, `!cancel`, `!invite`, `!status` (§4),
// tried the way outside reviewers would: orders of events, BBB faults and restarts between the steps.
// Each runs the real app on a SQLite file against the BBB simulator over HTTP and the in-memory chat.
import { describe, expect } from 'vitest';
import { startHttpServer } from '../../../src/http/server.js';
import { ALICE, BOB, CAROL, DAVE, type Harness, ORGANIZER, ROOM } from '../../support/app-harness.js';
import {
  argumentError,
  around,
  joinLinkRecording,
  namedAnswer,
  notAllowed,
  openedLine,
  plain,
  said,
  t,
  tallyCount,
  tallyLine,
  withdrawalLines,
} from '../../support/catalogue.js';
import { it } from '../../support/fixtures.js';
import { GuestWeb, guestLinksIn, organizersGuest } from '../../support/guest-web.js';
import {
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

const bbbSession = (h: Harness, bbbMeetingId: string) =>
  h.sim.sessions().find((s) => s.meetingID === bbbMeetingId);
const finalDeletion = (h: Harness) => h.config.notice.finalDeletion!;
const running = (h: Harness) => h.sim.sessions().filter((s) => !s.ended);
/** Links to a recorded session (the 🔴 line) this person received. */
const recordedLinks = (h: Harness, user: string) =>
  h.chat.dmOf(user).filter((m) => m.text.includes(joinLinkRecording(true)));
const kinds = (h: Harness, id: number, user: string) =>
  h.app.ctx.stores.meetings
    .consentEvents(id)
    .filter((e) => e.userId === user)
    .map((e) => e.kind);
/** Dave joins the room, and the organizer invites him to the running recorded meeting `id`. */
const inviteDave = async (h: Harness, id: number) => {
  h.chat.members.get(ROOM)?.add(DAVE);
  await h.say(ORGANIZER, `!invite #${id} ${DAVE}`);
};

describe('a late invitee of a running recorded meeting who never agreed (§3.4)', () => {
  it.for(['❌', '!withdraw'])(
    'his %s ends the recorded session and opens an unrecorded one; the recording everyone in it agreed to stays',
    async (how, { h }) => {
      const { id, session: recorded } = await joinedRecordedMeeting(h);
      await inviteDave(h, id);
      expect(joinLinks(h, DAVE)).toEqual([]);
      if (how === '❌') await h.react(DAVE, h.promptOf(id), '❌');
      else await h.say(DAVE, '!withdraw');

      expect(bbbSession(h, recorded.bbbMeetingId)?.ended).toBe(true);
      expect(running(h)).toMatchObject([{ record: false }]);
      // He takes part, unrecorded: one link, to the new session; never one to the recorded one.
      expect(joinLinks(h, DAVE)).toHaveLength(1);
      expect(recordedLinks(h, DAVE)).toEqual([]);
      // The recording of the session he never entered is kept: everyone in it had agreed.
      await h.sim.finishProcessing();
      await h.app.discovery.discoverAll();
      await h.app.tick();
      const [recording] = h.sim.recordings({ includeDeleted: true });
      expect(recording?.meetingID).toBe(recorded.bbbMeetingId);
      expect(recording?.state).toBe('published');
      // And nobody is told it will be deleted.
      expect(roomTexts(h)).toContainEqual(said(t.lateDeclineRestarted('Weekly sync')));
      expect(roomTexts(h).some((text) => text.includes(said(t.deletionMeans(finalDeletion(h)))))).toBe(false);
    },
  );

  it('his !withdraw after the meeting, never having answered, deletes nothing', async ({ h }) => {
    const { id, session: recorded } = await joinedRecordedMeeting(h);
    await inviteDave(h, id);
    const recordId = await endAndDiscover(h, id);
    expect(h.app.ctx.stores.meetings.get(id)?.state).toBe('closed');
    await h.say(DAVE, '!withdraw');
    expect(lastRoomText(h)).toBe(said(t.withdrawUnrecorded(plain('dave'), 'Weekly sync')));
    await h.app.tick();
    expect(simState(h, recordId)).toBe('published');
    expect(h.sim.recordings()[0]?.meetingID).toBe(recorded.bbbMeetingId);
    // Someone who had agreed still deletes it.
    await h.say(ALICE, '!withdraw');
    expect(simState(h, recordId)).toBe('deleted');
  });
});

describe('reaction keys with and without U+FE0F (§3.2)', () => {
  it('a ✅️ redacted by its author before opening is a withdrawal; a ❌️ after opening withdraws an agreement', async ({
    h,
  }) => {
    const { id, prompt } = await h.plan(`Sync ${ALICE} ${BOB}`);
    const alice = await h.react(ALICE, prompt, '✅\uFE0F');
    expect(h.answerOf(id, ALICE)).toBe('agreed');
    await h.redact(ALICE, alice);
    expect(h.answerOf(id, ALICE)).toBe('withdrawn');
    expect(h.chat.current(prompt)).toContain(tallyLine('withdrawn', ['Alice']));
    await h.agree(prompt, ALICE, ORGANIZER, BOB);
    const recorded = currentSession(h, id);
    expect(recorded.record).toBe(true);

    await h.react(BOB, prompt, '❌\uFE0F');
    expect(h.answerOf(id, BOB)).toBe('withdrawn');
    expect(bbbSession(h, recorded.bbbMeetingId)?.ended).toBe(true);
    expect(running(h)).toMatchObject([{ record: false }]);
  });

  it('a ✅️ and a ❌️ given while the bot was down are read at start-up', async ({ h }) => {
    const { id, prompt } = await h.plan(`Sync ${ALICE} ${BOB}`, ORGANIZER);
    await h.restartAndReconcile(() => {
      h.chat.addReaction(ROOM, ALICE, prompt, '✅\uFE0F');
      h.chat.addReaction(ROOM, BOB, prompt, '❌\uFE0F');
    });
    await h.app.tick();
    expect(h.answerOf(id, ALICE)).toBe('agreed');
    expect(h.answerOf(id, BOB)).toBe('declined');
    expect(running(h)).toMatchObject([{ record: false }]);
  });

  it('the same ✅ with and without U+FE0F from one person counts once', async ({ h }) => {
    const { id, prompt } = await h.plan(`Sync ${ALICE} ${BOB}`);
    await h.react(ALICE, prompt, '✅');
    await h.react(ALICE, prompt, '✅\uFE0F');
    expect(h.chat.current(prompt)).toContain(tallyCount('agreed', 1));
    expect(h.sim.sessions()).toEqual([]);
    expect(h.answerOf(id, ALICE)).toBe('agreed');
  });
});

describe('a moderator removes someone’s ✅ while the bot is down (§3.2, §3.8)', () => {
  it('before opening: after the restart the person is unanswered and asked again; the meeting waits for them', async ({
    h,
  }) => {
    const { id, prompt } = await h.plan(`Sync ${ALICE} ${BOB}`);
    const [alice] = await h.agree(prompt, ALICE);
    await h.restartAndReconcile(() => h.chat.removeReaction(alice, ORGANIZER));
    expect(h.answerOf(id, ALICE)).toBe('pending');
    expect(kinds(h, id, ALICE)).not.toContain('withdraw');
    expect(roomTexts(h)).toContainEqual(said(t.answerRemovedAskAgain(plain('Alice'), 'Sync')));
    await h.agree(prompt, ORGANIZER, BOB);
    expect(h.sim.sessions()).toEqual([]);
    await h.react(ALICE, prompt, '✅');
    expect(currentSession(h, id).record).toBe(true);
  });
});

describe('a withdrawal while BBB `end` times out (§3.5)', () => {
  it('the session is ending: nobody gets a link to it, the room is not told it ended, until BBB confirms (also across a restart)', async ({
    harness,
  }) => {
    const h = await harness({}, { bbbTimeoutMs: 150 });
    const { id, session: recorded } = await joinedRecordedMeeting(h);
    h.sim.faults.set({ slowMs: 2_000, slowCalls: ['end'] });
    await h.say(ALICE, '!withdraw');

    expect(h.app.ctx.stores.meetings.session(recorded.id)?.state).toBe('ending');
    expect(lastRoomText(h)).toContain(said(t.withdrawEnding(plain('Alice'), 'Weekly sync')));
    const endedNote = said(t.recordedSessionEnded('Weekly sync'));
    expect(roomTexts(h)).not.toContainEqual(expect.stringContaining(endedNote));
    // Everyone has a second link, to the unrecorded session.
    const successor = currentSession(h, id);
    expect(successor.record).toBe(false);
    for (const user of [ORGANIZER, ALICE, BOB]) {
      expect(joinLinks(h, user)).toHaveLength(2);
      expect(joinLinks(h, user)[1]).toContain(encodeURIComponent(successor.bbbMeetingId));
    }
    // Someone invited now is not asked to agree to a recording: his link to the unrecorded session comes at once.
    await inviteDave(h, id);
    expect(joinLinks(h, DAVE)).toHaveLength(1);
    expect(joinLinks(h, DAVE)[0]).toContain(encodeURIComponent(successor.bbbMeetingId));
    expect(recordedLinks(h, DAVE)).toEqual([]);
    expect(roomTexts(h).some((text) => text.includes(said(t.waitingForConsent(plain('dave')))))).toBe(false);
    await h.say(CAROL, '!status');
    expect(lastRoomText(h)).toContain(t.recordingStateOff);

    // A restart while it is still ending: still no link to it, still not said to have ended.
    await h.restartAndReconcile();
    await h.app.tick();
    expect(h.app.ctx.stores.meetings.session(recorded.id)?.state).toBe('ending');
    expect(roomTexts(h)).not.toContainEqual(expect.stringContaining(endedNote));
    for (const user of [ORGANIZER, ALICE, BOB]) expect(recordedLinks(h, user)).toHaveLength(1);

    // BBB answers again: the next tick ends it, and the room hears it once.
    h.sim.faults.clear();
    await h.app.tick();
    expect(bbbSession(h, recorded.bbbMeetingId)?.ended).toBe(true);
    expect(h.app.ctx.stores.meetings.session(recorded.id)?.state).toBe('ended');
    await h.app.tick();
    expect(roomTexts(h).filter((text) => text.includes(endedNote))).toHaveLength(1);
    expect(running(h)).toMatchObject([{ meetingID: successor.bbbMeetingId, record: false }]);
  });
});

describe('BBB `create` fails when the meeting opens (§3.3)', () => {
  it('a withdrawal before BBB created the recorded session: only an unrecorded session ever runs, nobody gets a 🔴 link', async ({
    h,
  }) => {
    const { id, prompt } = await h.plan(`Sync ${ALICE} ${BOB}`);
    h.sim.faults.set({ http500: ['create'] });
    await h.agree(prompt, ORGANIZER, ALICE, BOB);
    expect(h.app.ctx.stores.meetings.get(id)?.state).toBe('open');
    expect(lastRoomText(h)).toContain(said(t.bbbUnavailable));
    for (const user of [ORGANIZER, ALICE, BOB]) expect(joinLinks(h, user)).toEqual([]);
    await h.app.tick(); // still failing

    await h.say(BOB, '!withdraw');
    h.sim.faults.clear();
    await h.app.tick();
    await h.app.tick();
    expect(h.sim.sessions()).toMatchObject([{ record: false, ended: false }]);
    for (const user of [ORGANIZER, ALICE, BOB]) {
      expect(joinLinks(h, user)).toHaveLength(1);
      expect(recordedLinks(h, user)).toEqual([]);
    }
    expect(roomTexts(h).some((text) => text.includes(said(t.recordingOn(3))))).toBe(false);
  });

  it('a !cancel before BBB created it: no session runs once BBB is back, and nobody gets a link', async ({
    h,
  }) => {
    const { id } = await h.plan(`Sync ${ALICE}`);
    h.sim.faults.set({ http500: ['create'] });
    await h.agree(h.promptOf(id), ORGANIZER, ALICE);
    await h.say(ORGANIZER, '!cancel');
    expect(h.app.ctx.stores.meetings.get(id)?.state).toBe('cancelled');
    h.sim.faults.clear();
    await h.app.tick();
    await h.app.tick();
    expect(running(h)).toEqual([]);
    for (const user of [ORGANIZER, ALICE]) expect(joinLinks(h, user)).toEqual([]);
  });

  it('a restart while the create is pending: created once, announced once, one link each', async ({ h }) => {
    const { id, prompt } = await h.plan(`Sync ${ALICE}`);
    h.sim.faults.set({ refuseConnections: true });
    await h.agree(prompt, ORGANIZER, ALICE);
    expect(joinLinks(h, ALICE)).toEqual([]);
    await h.restartAndReconcile(() => h.sim.faults.clear());
    await h.app.tick();
    await h.restartAndReconcile();
    await h.app.tick();
    expect(h.sim.sessions()).toMatchObject([{ record: true, ended: false }]);
    expect(h.app.ctx.stores.meetings.sessions(id)).toHaveLength(1);
    const verdicts = roomTexts(h).filter((text) => text.includes(said(t.recordingOn(2))));
    expect(verdicts).toHaveLength(1);
    for (const user of [ORGANIZER, ALICE]) expect(recordedLinks(h, user)).toHaveLength(1);
  });
});

describe('!start (§3.3, §4)', () => {
  it('opens a --at meeting now, before its time; its time then opens nothing more', async ({ h }) => {
    const { id } = await h.plan(`Later ${ALICE} --at "2026-12-01 15:00"`, ORGANIZER, ALICE);
    expect(h.sim.sessions()).toEqual([]);
    await h.say(ORGANIZER, '!start');
    expect(h.sim.sessions()).toMatchObject([{ record: true }]);
    h.clock.advance(6 * 3600_000);
    await h.app.tick();
    expect(h.sim.sessions()).toHaveLength(1);
    expect(h.app.ctx.stores.meetings.sessions(id)).toHaveLength(1);
    expect(recordedLinks(h, ALICE)).toHaveLength(1);
  });

  it('by an invitee who is not the organizer, with the meeting named: refused, nothing opens', async ({
    h,
  }) => {
    const { id } = await h.plan(`Sync ${ALICE} ${BOB}`, ORGANIZER, ALICE);
    await h.say(BOB, `!start #${id}`);
    expect(lastRoomText(h)).toContain(notAllowed(t.whoOrganizerOrAdmin));
    expect(h.sim.sessions()).toEqual([]);
    expect(h.app.ctx.stores.meetings.get(id)?.state).toBe('collecting');
    // Bob's answer still opens it, recorded.
    await h.react(BOB, h.promptOf(id), '✅');
    expect(h.sim.sessions()).toMatchObject([{ record: true }]);
  });

  it('on a meeting already open: says so and creates nothing', async ({ h }) => {
    const id = await openRecordedMeeting(h);
    await h.say(ORGANIZER, `!start #${id}`);
    expect(lastRoomText(h)).toBe(said(t.alreadyOpen('Weekly sync')));
    // Without the reference too, when it is the room's only meeting (not "no meeting").
    await h.say(ORGANIZER, '!start');
    expect(lastRoomText(h)).toBe(said(t.alreadyOpen('Weekly sync')));
    expect(h.sim.sessions()).toHaveLength(1);
  });

  it('two at once open one session', async ({ h }) => {
    const { id } = await h.plan(`Sync ${ALICE}`, ORGANIZER);
    await Promise.all([h.say(ORGANIZER, '!start'), h.say(ORGANIZER, `!start #${id}`)]);
    expect(h.sim.sessions()).toHaveLength(1);
    expect(joinLinks(h, ALICE)).toHaveLength(1);
  });
});

describe('!cancel (§4)', () => {
  it('by an invitee who is not the organizer: refused, the recorded session keeps running', async ({ h }) => {
    const { id, session } = await joinedRecordedMeeting(h);
    await h.say(ALICE, `!cancel #${id}`);
    expect(lastRoomText(h)).toContain(notAllowed(t.whoOrganizerOrAdmin));
    expect(bbbSession(h, session.bbbMeetingId)?.ended).toBe(false);
    expect(h.app.ctx.stores.meetings.get(id)?.state).toBe('open');
  });

  it('of a running meeting while BBB `end` fails: says it is not confirmed yet, and ends it once BBB answers', async ({
    h,
  }) => {
    const { id, session } = await joinedRecordedMeeting(h);
    h.sim.faults.set({ http500: ['end'] });
    await h.say(ORGANIZER, '!cancel');
    expect(lastRoomText(h)).toBe(said(t.cancelledEnding('Weekly sync')));
    expect(h.app.ctx.stores.meetings.get(id)?.state).toBe('cancelled');
    // Nobody gets a link any more, also someone who agrees now.
    await h.restartAndReconcile(() => h.sim.faults.clear());
    await h.app.tick();
    expect(bbbSession(h, session.bbbMeetingId)?.ended).toBe(true);
    expect(running(h)).toEqual([]);
    for (const user of [ORGANIZER, ALICE, BOB]) expect(joinLinks(h, user)).toHaveLength(1);
  });
});

describe('--no-record (§3.3)', () => {
  it('with --at: opens unrecorded at its time, asks nobody, and answers on its prompt change nothing', async ({
    h,
  }) => {
    await h.say(ORGANIZER, `!meeting Quick ${ALICE} --at "2026-12-01 12:00" --no-record`);
    const id = Math.max(...h.app.ctx.stores.meetings.inRoom(ROOM).map((m) => m.id));
    expect(h.chat.reactions).toEqual([]);
    const prompt = h.app.ctx.stores.meetings.get(id)?.promptEventId;
    if (prompt) await h.react(ALICE, prompt, '✅');
    expect(h.app.ctx.stores.meetings.consentEvents(id)).toEqual([]);
    await h.app.tick();
    expect(h.sim.sessions()).toEqual([]);
    h.clock.advance(3 * 3600_000);
    await h.app.tick();
    expect(h.sim.sessions()).toMatchObject([{ record: false }]);
    expect(roomTexts(h)).toContainEqual(expect.stringContaining(said(t.recordingOffNoRecord)));
    expect(joinLinks(h, ALICE)).toHaveLength(1);
  });

  it('!invite into the open meeting: the link comes at once, nobody is asked to agree', async ({ h }) => {
    await h.say(ORGANIZER, `!meeting Quick ${ALICE} --no-record`);
    const id = Math.max(...h.app.ctx.stores.meetings.inRoom(ROOM).map((m) => m.id));
    await inviteDave(h, id);
    expect(joinLinks(h, DAVE)).toHaveLength(1);
    expect(h.chat.dmOf(DAVE).at(-1)?.text).toContain(joinLinkRecording(false));
  });

  it('with --at in the past: refused, nothing planned', async ({ h }) => {
    await h.say(ORGANIZER, `!meeting Old ${ALICE} --at "2026-11-30 10:00" --no-record`);
    expect(lastRoomText(h)).toContain(around(t.timeInPast)[1]);
    expect(h.app.ctx.stores.meetings.inRoom(ROOM)).toEqual([]);
    expect(h.sim.sessions()).toEqual([]);
  });
});

describe('!invite into a running recorded meeting, across restarts (§3.4)', () => {
  it('his ✅ given while the bot was down gives him a link to the running recorded session after the restart, once', async ({
    h,
  }) => {
    const { id, session } = await joinedRecordedMeeting(h);
    await inviteDave(h, id);
    await h.restartAndReconcile(() => h.chat.addReaction(ROOM, DAVE, h.promptOf(id), '✅'));
    await h.app.tick();
    expect(h.answerOf(id, DAVE)).toBe('agreed');
    expect(recordedLinks(h, DAVE)).toHaveLength(1);
    expect(joinLinks(h, DAVE)[0]).toContain(encodeURIComponent(session.bbbMeetingId));
    expect(running(h)).toHaveLength(1);
    await h.restartAndReconcile();
    await h.app.tick();
    expect(joinLinks(h, DAVE)).toHaveLength(1);
  });

  it('his ✅ and a withdrawal of someone else, both while the bot was down: he never gets a link to the recorded session', async ({
    h,
  }) => {
    const { id, session } = await joinedRecordedMeeting(h);
    await inviteDave(h, id);
    await h.restart();
    h.chat.addReaction(ROOM, DAVE, h.promptOf(id), '✅');
    await h.app.reconciler.run(async () => {
      await h.say(BOB, '!withdraw');
    });
    await h.app.tick();
    expect(bbbSession(h, session.bbbMeetingId)?.ended).toBe(true);
    expect(recordedLinks(h, DAVE)).toEqual([]);
    expect(joinLinks(h, DAVE)).toHaveLength(1);
    expect(joinLinks(h, DAVE)[0]).toContain(encodeURIComponent(currentSession(h, id).bbbMeetingId));
  });

  it('after his ❌ the organizer is still moderator of the unrecorded session, the others viewers', async ({
    h,
  }) => {
    const { id } = await joinedRecordedMeeting(h);
    await inviteDave(h, id);
    await h.react(DAVE, h.promptOf(id), '❌');
    const successor = currentSession(h, id);
    expect(successor.record).toBe(false);
    expect(joinLinks(h, ORGANIZER).at(-1)).toContain('role=MODERATOR');
    for (const user of [ALICE, BOB, DAVE]) {
      expect(joinLinks(h, user).at(-1)).toContain('role=VIEWER');
      expect(joinLinks(h, user).at(-1)).toContain(encodeURIComponent(successor.bbbMeetingId));
    }
  });
});

describe('answers changed before an --at meeting opens (§3.2)', () => {
  it('everyone agreed early, one changes to ❌ and then removes it: at its time it opens unrecorded, naming who did not answer', async ({
    h,
  }) => {
    const { id, prompt } = await h.plan(`Later ${ALICE} ${BOB} --at "2026-12-01 12:00"`);
    await h.agree(prompt, ORGANIZER, ALICE);
    const no = await h.react(BOB, prompt, '❌');
    await h.react(BOB, prompt, '✅');
    await h.redact(BOB, no); // an older answer: changes nothing
    expect(h.answerOf(id, BOB)).toBe('agreed');
    const [aliceNo] = [await h.react(ALICE, prompt, '❌')];
    await h.redact(ALICE, aliceNo); // her own ❌ removed: she has not answered
    expect(h.answerOf(id, ALICE)).toBe('pending');
    await h.restartAndReconcile();
    expect(h.answerOf(id, ALICE)).toBe('pending');
    h.clock.advance(3 * 3600_000);
    await h.app.tick();
    expect(h.sim.sessions()).toMatchObject([{ record: false }]);
    expect(roomTexts(h)).toContainEqual(
      expect.stringContaining(said(t.recordingOffReasons([t.reasonPending(plain('Alice'))]))),
    );
  });
});

describe('a second withdrawal while the recorded session is still ending (§3.5)', () => {
  it('is not told there were no recordings; once BBB ends the session, its recording goes', async ({ h }) => {
    const { id, session: recorded } = await joinedRecordedMeeting(h);
    h.sim.faults.set({ http500: ['end'] });
    await h.say(BOB, '!withdraw');
    await h.say(ALICE, '!withdraw');
    expect(lastRoomText(h)).toContain(withdrawalLines('Alice').saved);
    expect(lastRoomText(h)).not.toContain(withdrawalLines('Alice').none);
    expect(bbbSession(h, recorded.bbbMeetingId)?.ended).toBe(false);
    expect(running(h).filter((s) => s.record)).toHaveLength(1);

    h.sim.faults.clear();
    await h.app.tick();
    await h.sim.finishProcessing();
    await h.app.tick();
    expect(bbbSession(h, recorded.bbbMeetingId)?.ended).toBe(true);
    expect(h.sim.recordings()).toEqual([]);
    expect(h.sim.recordings({ includeDeleted: true })).toMatchObject([{ state: 'deleted' }]);
    expect(currentSession(h, id).record).toBe(false);
  });
});

describe('!invite --guest into a running recorded meeting (§3.4, §3.11)', () => {
  it.override('harnessConfig', {
    http: { enabled: true, port: 0, publicUrl: 'https://bot.example.org/meet/' },
  });

  /** A recorded meeting runs; the organizer invites a guest: the guest's browser on the page. */
  const lateGuest = async (h: Harness) => {
    const server = await startHttpServer(h.app, { lastSyncAt: () => null });
    const { id, session } = await joinedRecordedMeeting(h);
    await h.say(ORGANIZER, `!invite #${id} --guest "Erika Muster"`);
    return { id, session, guest: organizersGuest(h, server.url, 0), close: () => server.close() };
  };

  it('gets no way into the recorded session before agreeing; after ✅ on the page, the join enters it', async ({
    h,
  }) => {
    const { session, guest, close } = await lateGuest(h);
    try {
      // The page offers agree and decline, and no join button that could not let the guest in.
      const page = (await guest.open()).body;
      expect(page).toContain('value="agree"');
      expect(page).not.toContain('/join"');
      const before = await guest.click('join');
      expect(before.status).toBe(303);
      expect(before.location ?? '').not.toContain('/join?');
      await guest.click('answer', { answer: 'agree' });
      expect((await guest.open()).body).toContain('/join"');
      const join = await guest.click('join');
      expect(new URL(join.location!).searchParams.get('meetingID')).toBe(session.bbbMeetingId);
      expect((await h.sim.simulateJoin(join.location!)).ok).toBe(true);
      expect(running(h)).toHaveLength(1);
    } finally {
      await close();
    }
  });

  it('declining on the page ends the recorded session; the guest joins the unrecorded one; its recording stays', async ({
    h,
  }) => {
    const { id, session, guest, close } = await lateGuest(h);
    try {
      await guest.click('answer', { answer: 'decline' });
      expect(bbbSession(h, session.bbbMeetingId)?.ended).toBe(true);
      const successor = currentSession(h, id);
      expect(successor.record).toBe(false);
      const join = await guest.click('join');
      expect(new URL(join.location!).searchParams.get('meetingID')).toBe(successor.bbbMeetingId);
      for (const user of [ORGANIZER, ALICE, BOB])
        expect(joinLinks(h, user).at(-1)).toContain(encodeURIComponent(successor.bbbMeetingId));
      await h.sim.finishProcessing();
      await h.app.tick();
      expect(h.sim.recordings()).toMatchObject([{ meetingID: session.bbbMeetingId, state: 'published' }]);
    } finally {
      await close();
    }
  });
});

describe('a withdrawal ends the recorded session but BBB refuses the new one (§3.5)', () => {
  it('nobody gets a link until BBB creates it, the meeting is not closed meanwhile, and then everyone gets one', async ({
    h,
  }) => {
    const { id, session: recorded } = await joinedRecordedMeeting(h);
    h.sim.faults.set({ http500: ['create'] });
    await h.say(ALICE, '!withdraw');
    expect(bbbSession(h, recorded.bbbMeetingId)?.ended).toBe(true);
    // What the room hears says so: the new session is not open yet, its links come when it is.
    const told = roomTexts(h);
    expect(told).toContainEqual(
      expect.stringContaining(said(t.withdrawRestarted(plain('Alice'), 'Weekly sync', false))),
    );
    expect(told).not.toContainEqual(
      expect.stringContaining(said(t.withdrawRestarted(plain('Alice'), 'Weekly sync'))),
    );
    for (let i = 0; i < 3; i++) await h.app.tick();
    await h.app.discovery.closeEndedMeetings();
    expect(h.app.ctx.stores.meetings.get(id)?.state).toBe('open');
    for (const user of [ORGANIZER, ALICE, BOB]) expect(joinLinks(h, user)).toHaveLength(1);

    h.sim.faults.clear();
    await h.app.tick();
    const successor = currentSession(h, id);
    expect(running(h)).toMatchObject([{ meetingID: successor.bbbMeetingId, record: false }]);
    for (const user of [ORGANIZER, ALICE, BOB]) {
      expect(joinLinks(h, user)).toHaveLength(2);
      expect(joinLinks(h, user)[1]).toContain(encodeURIComponent(successor.bbbMeetingId));
    }
  });
});

describe('an --at meeting whose time came while the bot was down (§3.3, §3.8)', () => {
  it('a ❌ given meanwhile by someone who had agreed counts before it opens: unrecorded, no 🔴 link', async ({
    h,
  }) => {
    const { id, prompt } = await h.plan(
      `Later ${ALICE} ${BOB} --at "2026-12-01 12:00"`,
      ORGANIZER,
      ALICE,
      BOB,
    );
    await h.restart();
    h.clock.advance(4 * 3600_000);
    h.chat.addReaction(ROOM, ALICE, prompt, '❌');
    await h.app.reconciler.run();
    await h.app.tick();
    expect(h.answerOf(id, ALICE)).toBe('declined');
    expect(h.sim.sessions()).toMatchObject([{ record: false }]);
    for (const user of [ORGANIZER, ALICE, BOB]) {
      expect(joinLinks(h, user)).toHaveLength(1);
      expect(recordedLinks(h, user)).toEqual([]);
    }
  });

  it('a !cancel sent meanwhile is read before it opens: nothing is created', async ({ h }) => {
    const { id } = await h.plan(`Later ${ALICE} --at "2026-12-01 12:00"`, ORGANIZER, ALICE);
    await h.restart();
    h.clock.advance(4 * 3600_000);
    await h.app.reconciler.run(async () => {
      await h.say(ORGANIZER, '!cancel');
    });
    await h.app.tick();
    expect(h.app.ctx.stores.meetings.get(id)?.state).toBe('cancelled');
    expect(h.sim.sessions()).toEqual([]);
    expect(joinLinks(h, ALICE)).toEqual([]);
  });
});

describe('a guest of a --no-record meeting (§3.3: it asks no consent)', () => {
  it.override('harnessConfig', {
    http: { enabled: true, port: 0, publicUrl: 'https://bot.example.org/meet/' },
  });

  it.for(['at once', 'with --at'])(
    'planned %s: the page asks nothing, stores no answer, and joins it unrecorded once open',
    async (when, { h }) => {
      const server = await startHttpServer(h.app, { lastSyncAt: () => null });
      try {
        const at = when === 'with --at' ? ' --at "2026-12-01 12:00"' : '';
        await h.say(ORGANIZER, `!meeting Quick ${ALICE} --guest "Erika Muster"${at} --no-record`);
        const id = Math.max(...h.app.ctx.stores.meetings.inRoom(ROOM).map((m) => m.id));
        const guest = organizersGuest(h, server.url, 0);
        const page = await guest.open();
        expect(page.body).not.toContain('name="answer"');
        if (at) {
          h.clock.advance(3 * 3600_000);
          await h.app.tick();
        }
        // An answer posted all the same (with the page's anti-forgery token) is not taken.
        const csrf = GuestWeb.csrfOf((await guest.open()).body);
        await guest.post('answer', { _csrf: csrf, lang: 'de', answer: 'agree' });
        expect(h.app.ctx.stores.meetings.consentEvents(id)).toEqual([]);
        const join = await guest.click('join');
        expect(new URL(join.location!).searchParams.get('meetingID')).toBe(
          currentSession(h, id).bbbMeetingId,
        );
        expect(h.sim.sessions()).toMatchObject([{ record: false }]);
      } finally {
        await server.close();
      }
    },
  );
});

describe('--no-record with private prompts (consent.ask "direct")', () => {
  it.override('harnessConfig', { consent: { ask: 'direct' } });

  it('asks nobody by DM, and each invitee gets only their link there', async ({ h }) => {
    await h.say(ORGANIZER, `!meeting Quick ${ALICE} ${BOB} --no-record`);
    const id = Math.max(...h.app.ctx.stores.meetings.inRoom(ROOM).map((m) => m.id));
    for (const user of [ORGANIZER, ALICE, BOB]) {
      expect(h.app.ctx.stores.meetings.dmPrompt(id, user)).toBeUndefined();
      expect(h.chat.dmOf(user)).toHaveLength(1);
      expect(joinLinks(h, user)).toHaveLength(1);
    }
    expect(h.chat.reactions).toEqual([]);
    expect(h.sim.sessions()).toMatchObject([{ record: false }]);
  });
});

describe('!invite while BBB has not created the recorded session yet (§3.4)', () => {
  it('the late invitee gets no link when it is created, only after his ✅', async ({ h }) => {
    const { id, prompt } = await h.plan(`Sync ${ALICE}`);
    h.sim.faults.set({ http500: ['create'] });
    await h.agree(prompt, ORGANIZER, ALICE);
    await inviteDave(h, id);
    expect(roomTexts(h)).toContainEqual(said(t.waitingForConsent(plain('dave'))));
    h.sim.faults.clear();
    await h.app.tick();
    expect(h.sim.sessions()).toMatchObject([{ record: true }]);
    expect(recordedLinks(h, ALICE)).toHaveLength(1);
    expect(joinLinks(h, DAVE)).toEqual([]);
    await h.react(DAVE, prompt, '✅');
    expect(recordedLinks(h, DAVE)).toHaveLength(1);
    expect(h.sim.sessions()).toHaveLength(1);
  });

  it('an invitee added to a collecting --at meeting everyone else answered must answer too', async ({
    h,
  }) => {
    const { id } = await h.plan(`Later ${ALICE} --at "2026-12-01 12:00"`, ORGANIZER, ALICE);
    await inviteDave(h, id);
    expect(h.answerOf(id, DAVE)).toBe('pending');
    h.clock.advance(3 * 3600_000);
    await h.app.tick();
    expect(h.sim.sessions()).toMatchObject([{ record: false }]);
    expect(roomTexts(h)).toContainEqual(
      expect.stringContaining(said(t.recordingOffReasons([t.reasonPending(plain('dave'))]))),
    );
    // Unrecorded: he gets his link though he never answered.
    expect(joinLinks(h, DAVE)).toHaveLength(1);
  });
});

describe('a late invitee who never agreed withdraws, with private prompts', () => {
  it.override('harnessConfig', { consent: { ask: 'direct' } });

  it('the room is not told who, and hears the recording stays', async ({ h }) => {
    const { id } = await h.plan(`Weekly sync ${ALICE}`);
    for (const user of [ORGANIZER, ALICE]) {
      const prompt = h.app.ctx.stores.meetings.dmPrompt(id, user)!;
      await h.react(user, prompt.eventId, '✅', prompt.roomId);
    }
    const recorded = currentSession(h, id);
    expect(recorded.record).toBe(true);
    await inviteDave(h, id);
    const before = roomTexts(h).length;
    await h.say(DAVE, '!withdraw');
    const heard = roomTexts(h).slice(before);
    expect(heard.some((text) => namedAnswer(['dave']).test(text))).toBe(false);
    expect(heard).toContainEqual(said(t.lateDeclineRestarted('Weekly sync')));
    expect(bbbSession(h, recorded.bbbMeetingId)?.ended).toBe(true);
    expect(joinLinks(h, DAVE)).toHaveLength(1);
    expect(recordedLinks(h, DAVE)).toEqual([]);
  });
});

describe('the homeserver refuses the announcement that the meeting opened (§3.3, §3.8)', () => {
  it('it is posted later, once, and the links still go out', async ({ h }) => {
    const { prompt } = await h.plan(`Sync ${ALICE}`);
    const send = h.chat.send.bind(h.chat);
    let refused = 0;
    h.chat.send = async (roomId, message, options) => {
      if (roomId === ROOM && message.text.startsWith(openedLine('Sync')) && refused === 0) {
        refused++;
        throw Object.assign(new Error('M_UNKNOWN: try again'), { statusCode: 502 });
      }
      return send(roomId, message, options);
    };
    await h.react(ORGANIZER, prompt, '✅');
    await h.react(ALICE, prompt, '✅').catch(() => undefined);
    expect(refused).toBe(1);
    await h.app.tick();
    await h.app.tick();
    expect(recordedLinks(h, ALICE)).toHaveLength(1);
    await h.restartAndReconcile();
    await h.app.tick();
    const announced = h.chat.inRoom(ROOM).filter((m) => m.text.startsWith(openedLine('Sync')));
    expect(announced).toHaveLength(1);
    expect(announced[0]!.text).toContain(said(t.recordingOn(2)));
  });
});

describe('found, not fixed here (§3.5, §3.8)', () => {
  // Not fixed here: only HTTP 429 is retried by the chat port; a 5xx on this send loses it for good.
  it.todo(
    "'the recorded session has ended' (after BBB confirmed a retried end) is said later when its send failed",
  );
  // Not fixed here: Planning.invite stores the invitee and the lifecycle's 'invite' step in two transactions.
  it.todo(
    'a crash between storing a late invitee of an open unrecorded meeting and its step: the link still goes out',
  );
});

describe('personal join links (§3.3)', () => {
  it('carry the display name, the Matrix ID, the role and the session’s createTime, also after a late decline', async ({
    h,
  }) => {
    h.chat.names.set(ALICE, 'Alice <b>Ä</b>\u202Eevil');
    const id = await openRecordedMeeting(h, 'Sync', [ALICE]);
    const check = (user: string, name: string, role: string) => {
      const params = new URL(joinLinks(h, user).at(-1)!).searchParams;
      const session = currentSession(h, id);
      expect(params.get('meetingID')).toBe(session.bbbMeetingId);
      expect(params.get('userID')).toBe(user);
      expect(params.get('fullName')).toBe(name);
      expect(params.get('role')).toBe(role);
      expect(params.get('createTime')).toBe(session.createTime);
    };
    check(ORGANIZER, 'Olga', 'MODERATOR');
    const alice = new URL(joinLinks(h, ALICE)[0]!).searchParams.get('fullName')!;
    expect(alice).toContain('Alice');
    expect(alice).not.toMatch(/[\u202A-\u202E\u2066-\u2069]/);
    check(ALICE, alice, 'VIEWER');
    await inviteDave(h, id);
    await h.react(DAVE, h.promptOf(id), '❌');
    check(ORGANIZER, 'Olga', 'MODERATOR');
    check(ALICE, alice, 'VIEWER');
    check(DAVE, 'dave', 'VIEWER');
  });
});

describe('!cancel while a withdrawal’s end is still pending (§3.5, §4)', () => {
  it('ends both sessions once BBB answers, opens nothing new, and sends no more links', async ({ h }) => {
    const { id, session: recorded } = await joinedRecordedMeeting(h);
    h.sim.faults.set({ http500: ['end'] });
    await h.say(ALICE, '!withdraw');
    const successor = currentSession(h, id);
    await h.say(ORGANIZER, '!cancel');
    expect(lastRoomText(h)).toBe(said(t.cancelledEnding('Weekly sync')));
    const links = [ORGANIZER, ALICE, BOB].map((user) => joinLinks(h, user).length);
    h.sim.faults.clear();
    await h.app.tick();
    await h.app.tick();
    expect(bbbSession(h, recorded.bbbMeetingId)?.ended).toBe(true);
    expect(bbbSession(h, successor.bbbMeetingId)?.ended).toBe(true);
    expect(running(h)).toEqual([]);
    expect(h.sim.sessions()).toHaveLength(2);
    expect([ORGANIZER, ALICE, BOB].map((user) => joinLinks(h, user).length)).toEqual(links);
    await h.say(ORGANIZER, `!start #${id}`);
    expect(lastRoomText(h)).toBe(said(t.notCollecting('Weekly sync')));
    expect(h.sim.sessions()).toHaveLength(2);
  });
});

describe('!invite with a guest and a mention that is not in the room (§4)', () => {
  it.override('harnessConfig', {
    http: { enabled: true, port: 0, publicUrl: 'https://bot.example.org/meet/' },
  });

  it('is refused as a whole: no guest is added, no guest link is sent', async ({ h }) => {
    const { id } = await h.plan(`Sync ${ALICE}`);
    const invitees = () => h.app.ctx.stores.meetings.invitees(id).length;
    const before = invitees();
    await h.say(ORGANIZER, `!invite @stranger:test --guest "Max Mustermann"`);
    expect(lastRoomText(h)).toContain('@stranger:test');
    expect(invitees()).toBe(before);
    expect(guestLinksIn(h.chat.dmOf(ORGANIZER).map((m) => m.text))).toEqual([]);
  });
});

describe('!invite --guest into a meeting that is over (§4)', () => {
  it.override('harnessConfig', {
    http: { enabled: true, port: 0, publicUrl: 'https://bot.example.org/meet/' },
  });

  it.for(['closed', 'cancelled'])(
    'a %s meeting, named by reference: refused, nobody added',
    async (how, { h }) => {
      const { id } = await joinedRecordedMeeting(h);
      if (how === 'closed') await endAndDiscover(h, id);
      else await h.say(ORGANIZER, '!cancel');
      expect(h.app.ctx.stores.meetings.get(id)?.state).toBe(how);
      const before = h.app.ctx.stores.meetings.invitees(id).length;
      await h.say(ORGANIZER, `!invite #${id} --guest "Max Mustermann"`);
      expect(lastRoomText(h)).toBe(said(t.inviteMeetingOver('Weekly sync')));
      expect(h.app.ctx.stores.meetings.invitees(id)).toHaveLength(before);
      expect(guestLinksIn(h.chat.dmOf(ORGANIZER).map((m) => m.text))).toEqual([]);
    },
  );
});

describe('!invite with guests and people that together pass the cap (§3.10, §4)', () => {
  it.override('harnessConfig', {
    http: { enabled: true, port: 0, publicUrl: 'https://bot.example.org/meet/' },
    limits: { maxInvitees: 4 },
  });

  it('is refused as a whole: no guest is added either', async ({ h }) => {
    const { id } = await h.plan(`Sync ${ALICE}`);
    await h.say(ORGANIZER, `!invite ${BOB} ${CAROL} --guest "Max Mustermann"`);
    expect(lastRoomText(h)).toBe(argumentError(said(t.tooManyForMeeting('Sync', 2, 3, 4)), 'invite'));
    expect(h.app.ctx.stores.meetings.invitees(id)).toHaveLength(2);
    expect(guestLinksIn(h.chat.dmOf(ORGANIZER).map((m) => m.text))).toEqual([]);
  });
});

describe('a restart after every step of a recorded meeting (§3.8)', () => {
  it('loses nothing and doubles nothing: one announcement per session, one link per person and session', async ({
    h,
  }) => {
    /** Links per person and BBB session: never more than one. */
    const noDoubles = () => {
      for (const user of [ORGANIZER, ALICE, BOB, DAVE]) {
        const ids = joinLinks(h, user).map((url) => new URL(url).searchParams.get('meetingID'));
        expect(new Set(ids).size).toBe(ids.length);
      }
      const opened = h.chat.inRoom(ROOM).filter((m) => m.text.startsWith(openedLine('Sync')));
      expect(opened.length).toBeLessThanOrEqual(1);
    };
    const step = async (action: () => Promise<unknown>) => {
      await action();
      await h.restartAndReconcile();
      await h.app.tick();
      noDoubles();
    };
    h.chat.members.get(ROOM)?.add(DAVE);
    await step(() => h.say(ORGANIZER, `!meeting Sync ${ALICE} ${BOB}`));
    const id = Math.max(...h.app.ctx.stores.meetings.inRoom(ROOM).map((m) => m.id));
    const prompt = h.promptOf(id);
    await step(() => h.react(ORGANIZER, prompt, '✅'));
    await step(() => h.react(ALICE, prompt, '✅'));
    expect(h.sim.sessions()).toEqual([]);
    await step(() => h.react(BOB, prompt, '✅\uFE0F'));
    const recorded = currentSession(h, id);
    expect(recorded.record).toBe(true);
    await step(() => joinAs(h, ORGANIZER)); // BBB records from now on
    await step(() => h.say(ORGANIZER, `!invite ${DAVE}`));
    expect(joinLinks(h, DAVE)).toEqual([]);
    await step(() => h.react(DAVE, prompt, '✅'));
    expect(recordedLinks(h, DAVE)).toHaveLength(1);
    await step(() => h.say(BOB, '!withdraw'));
    expect(bbbSession(h, recorded.bbbMeetingId)?.ended).toBe(true);
    const successor = currentSession(h, id);
    expect(successor.record).toBe(false);
    for (const user of [ORGANIZER, ALICE, BOB, DAVE]) {
      expect(joinLinks(h, user).at(-1)).toContain(encodeURIComponent(successor.bbbMeetingId));
      expect(recordedLinks(h, user)).toHaveLength(1);
    }
    expect(roomTexts(h).filter((text) => text.includes(said(t.recordingOn(3))))).toHaveLength(1);
    await step(() => h.sim.finishProcessing());
    expect(h.sim.recordings()).toEqual([]);
    expect(h.sim.recordings({ includeDeleted: true })).toMatchObject([{ meetingID: recorded.bbbMeetingId }]);
    expect(running(h)).toMatchObject([{ meetingID: successor.bbbMeetingId }]);
  });
});

describe('!status of a --no-record meeting (§3.3, §4)', () => {
  it('says it is planned without recording, and counts nobody as owing an answer', async ({ h }) => {
    await h.say(ORGANIZER, `!meeting Quick ${ALICE} --no-record --at "2026-12-01 12:00"`);
    await h.say(CAROL, '!status');
    const answer = lastRoomText(h);
    expect(answer).toContain(t.stateNames.planned!);
    expect(answer).toContain(t.recordingStateOff);
    expect(answer).not.toContain(t.stateNames.collecting!);
    expect(answer).not.toContain(tallyCount('pending', 2));
  });
});
