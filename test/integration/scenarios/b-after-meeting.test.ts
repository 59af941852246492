// Audit b (design.md §3.6–3.8, §4 !withdraw, !recordings, !purge, !mydata, !evidence): withdrawal after
// the meeting, retention and restarts, tried with faults and restarts at the awkward steps.
import { describe, expect, vi } from 'vitest';
import { lines, mention } from '../../../src/i18n/rich.js';
import { ADMIN, ALICE, BOB, CAROL, DAVE, type Harness, ORGANIZER, ROOM } from '../../support/app-harness.js';
import {
  mydataHeading,
  plain,
  recordingReadyPattern,
  said,
  t,
  withdrawalLines,
  withdrawalReceivedOf,
} from '../../support/catalogue.js';
import { it } from '../../support/fixtures.js';
import {
  botState,
  callCounts,
  currentSession,
  DAY,
  dmLinks,
  endedRecordedMeeting,
  joinedRecordedMeeting,
  joinLinks,
  lastRoomText,
  recordedMeetingWithRecording,
  roomTexts,
  simState,
  tablesNaming,
} from '../recordings/support.js';

const PLAYBACK = /https?:\/\/\S+\/playback\/\S+/;
const means = (h: { config: { notice: { finalDeletion?: string } } }) =>
  t.deletionMeans(h.config.notice.finalDeletion!);

describe('a delete BBB carried out whose answer the bot never got', () => {
  it('the room, told it was not deleted yet, hears that it is gone once the bot learns it', async ({ h }) => {
    const { meetingId, recordId } = await recordedMeetingWithRecording(h);
    const bbb = h.app.ctx.bbb;
    const real = bbb.deleteRecordings.bind(bbb);
    // BBB deletes; the answer is lost on the way back (timeout, reset connection).
    vi.spyOn(bbb, 'deleteRecordings').mockImplementationOnce(async (ids) => {
      await real(ids);
      throw new Error('socket hang up');
    });
    await h.say(ALICE, '!withdraw');
    expect(simState(h, recordId)).toBe('deleted');
    const name = t.recordingName('Weekly sync', h.app.ctx.date(h.clock.now()));
    // What the bot knows: not confirmed yet.
    expect(lastRoomText(h)).toBe(said(lines([t.withdrawDeleted(plain('Alice'), [], [name]), means(h)])));

    // The discovery poll sees it deleted first: it leaves the confirmation to the purge, which tells it.
    await h.app.discovery.discoverAll();
    await h.app.tick();
    expect(botState(h, recordId)).toBe('purged');
    expect(lastRoomText(h)).toBe(said(lines([t.deletedAfterWithdrawal([name]), means(h)])));
    const audit = h.app.ctx.stores.audit.forMeeting(meetingId);
    expect(audit.filter((a) => a.action === 'recording.purged')).toHaveLength(1);
  });

  it('a restart right after BBB deleted (nothing stored yet): the new process confirms it and says so', async ({
    h,
  }) => {
    const { recordId } = await recordedMeetingWithRecording(h);
    const bbb = h.app.ctx.bbb;
    const real = bbb.deleteRecordings.bind(bbb);
    vi.spyOn(bbb, 'deleteRecordings').mockImplementationOnce(async (ids) => {
      await real(ids);
      throw new Error('process killed');
    });
    await h.say(BOB, '!withdraw');
    expect(botState(h, recordId)).toBe('purge-pending');
    h.sim.resetRequests();

    await h.restartAndReconcile();
    expect(botState(h, recordId)).toBe('purged');
    const name = t.recordingName('Weekly sync', h.app.ctx.date(h.clock.now()));
    expect(
      roomTexts(h).filter((x) => x === said(lines([t.deletedAfterWithdrawal([name]), means(h)]))),
    ).toHaveLength(1);
    // BBB already had it deleted: nothing was asked to delete twice.
    expect(callCounts(h).deleteRecordings ?? 0).toBe(0);
  });
});

describe('the tick and the purge job retrying the same deletion at once', () => {
  it('delete it once in the record: one audit entry, one message to the room', async ({ h }) => {
    const { meetingId, recordId } = await recordedMeetingWithRecording(h);
    h.sim.faults.set({ http500: ['deleteRecordings'] });
    await h.say(ALICE, '!withdraw');
    expect(botState(h, recordId)).toBe('purge-pending');
    h.sim.faults.clear();

    await Promise.all([h.app.retention.run(), h.app.tick()]);
    expect(botState(h, recordId)).toBe('purged');
    const purged = h.app.ctx.stores.audit
      .forMeeting(meetingId)
      .filter((a) => a.action === 'recording.purged');
    expect(purged).toHaveLength(1);
    const name = t.recordingName('Weekly sync', h.app.ctx.date(h.clock.now()));
    const told = said(lines([t.deletedAfterWithdrawal([name]), means(h)]));
    expect(roomTexts(h).filter((x) => x === told)).toHaveLength(1);
  });
});

describe('a restart while the end of a recorded session is still unconfirmed', () => {
  it('the room, told the session is being ended, hears once that it ended when the new process ends it', async ({
    h,
  }) => {
    const { session } = await joinedRecordedMeeting(h);
    h.sim.faults.set({ http500: ['end'] });
    await h.say(ALICE, '!withdraw');
    expect(lastRoomText(h)).toContain(said(t.withdrawEnding(plain('Alice'), 'Weekly sync')));
    await h.restartAndReconcile(() => h.sim.faults.clear());
    expect(h.sim.sessions().find((s) => s.meetingID === session.bbbMeetingId)?.ended).toBe(true);
    await h.app.tick();
    const ended = said(t.recordedSessionEnded('Weekly sync'));
    expect(roomTexts(h).filter((x) => x.includes(ended))).toHaveLength(1);
  });
});

describe('a restart right after BBB ended the recorded session (the end not stored yet)', () => {
  it('the new process learns it ended, says so once, and deletes its recording', async ({ h }) => {
    const { session } = await joinedRecordedMeeting(h);
    const bbb = h.app.ctx.bbb;
    const real = bbb.end.bind(bbb);
    vi.spyOn(bbb, 'end').mockImplementationOnce(async (meetingId) => {
      await real(meetingId);
      throw new Error('process killed');
    });
    await h.say(ALICE, '!withdraw');
    expect(h.app.ctx.stores.meetings.session(session.id)?.state).toBe('ending');
    await h.sim.finishProcessing();

    await h.restartAndReconcile();
    await h.app.tick();
    expect(h.app.ctx.stores.meetings.session(session.id)?.state).toBe('ended');
    const ended = said(t.recordedSessionEnded('Weekly sync'));
    expect(roomTexts(h).filter((x) => x.includes(ended))).toHaveLength(1);
    expect(h.sim.recordings()).toEqual([]);
    expect(h.sim.recordings({ includeDeleted: true })).toMatchObject([{ state: 'deleted' }]);
  });
});

describe('a restart in the middle of a purge run', () => {
  it.override('harnessConfig', { retention: { recordingDays: 1 } });

  it('what was stored stays purged; what BBB deleted unstored is confirmed by the next run, nothing twice', async ({
    h,
  }) => {
    const { meetingId } = await recordedMeetingWithRecording(h, 'Series');
    const session = h.app.ctx.stores.meetings.sessions(meetingId)[0]!;
    h.sim.seedRecordings(
      Array.from({ length: 59 }, () => ({ meetingID: session.bbbMeetingId, name: 'Series' })),
    );
    await h.app.discovery.discoverAll();
    expect(h.app.ctx.stores.recordings.ofMeeting(meetingId)).toHaveLength(60);
    h.clock.advance(2 * DAY);
    const bbb = h.app.ctx.bbb;
    const real = bbb.deleteRecordings.bind(bbb);
    // The first batch of 50 goes through; BBB deletes the second, and the process dies before it
    // stores that.
    vi.spyOn(bbb, 'deleteRecordings')
      .mockImplementationOnce((ids) => real(ids))
      .mockImplementationOnce(async (ids) => {
        await real(ids);
        throw new Error('process killed');
      });
    const run = await h.app.retention.run();
    expect(run.deleted).toHaveLength(50);
    const rows = h.app.ctx.stores.recordings.ofMeeting(meetingId);
    expect(rows.filter((r) => r.state === 'purged')).toHaveLength(50);
    expect(rows.filter((r) => r.state === 'purge-pending')).toHaveLength(10);
    expect(h.sim.recordings().filter((r) => r.meetingID === session.bbbMeetingId)).toHaveLength(0);

    await h.restartAndReconcile();
    await h.app.discovery.discoverAll();
    h.sim.resetRequests();
    const next = await h.app.retention.run();
    expect(next.deleted).toHaveLength(10);
    // BBB lists them as deleted: confirmed without deleting again; each purge audited once.
    expect(callCounts(h).deleteRecordings ?? 0).toBe(0);
    const audited = h.app.ctx.stores.audit
      .forMeeting(meetingId)
      .filter((a) => a.action === 'recording.purged');
    expect(audited).toHaveLength(60);
    expect(h.app.ctx.stores.recordings.ofMeeting(meetingId).every((r) => r.state === 'purged')).toBe(true);
  });
});

describe('a withdrawal while BBB is still processing the recording', () => {
  it.override('harnessOptions', { processingDelayMs: 60 * 60_000 });

  it('deletes it; it is never announced, published, nor linked to anyone', async ({ h }) => {
    const { id, session } = await joinedRecordedMeeting(h);
    h.sim.endMeeting(session.bbbMeetingId);
    await h.app.discovery.closeEndedMeetings();
    await h.app.discovery.discoverAll();
    const [processing] = h.sim.recordings();
    expect(botState(h, processing!.recordID)).toBe('processing');

    await h.say(ALICE, '!withdraw');
    expect(simState(h, processing!.recordID)).toBe('deleted');
    expect(botState(h, processing!.recordID)).toBe('purged');
    const name = t.recordingName('Weekly sync', h.app.ctx.date(h.clock.now()));
    expect(lastRoomText(h)).toBe(said(lines([t.withdrawDeleted(plain('Alice'), [name], []), means(h)])));

    // Processing would have ended now: nothing is published, announced or sent.
    h.clock.advance(61 * 60_000);
    await h.sim.finishProcessing();
    await h.app.discovery.discoverAll();
    await h.app.tick();
    await h.app.playback.idle();
    expect(h.sim.recordings()).toEqual([]);
    expect(roomTexts(h).some((x) => recordingReadyPattern.test(x))).toBe(false);
    for (const user of [ORGANIZER, ALICE, BOB]) {
      expect(dmLinks(h, user, PLAYBACK)).toEqual([]);
    }
    expect(h.app.ctx.stores.meetings.get(id)?.state).toBe('closed');
  });
});

/** A recorded meeting in `roomId` everyone agreed to by DM, joined, ended, its recording discovered. */
async function recordedInRoom(h: Harness, roomId: string, title: string, invitees: string[]) {
  await h.say(ORGANIZER, `!meeting ${title} ${invitees.join(' ')}`, roomId);
  const meetings = h.app.ctx.stores.meetings;
  const id = Math.max(...meetings.inRoom(roomId).map((m) => m.id));
  for (const user of [ORGANIZER, ...invitees]) {
    const prompt = meetings.dmPrompt(id, user)!;
    await h.react(user, prompt.eventId, '✅', prompt.roomId);
  }
  const session = meetings.currentSession(id)!;
  expect(session.record).toBe(true);
  const link = joinLinks(h, ORGANIZER).find((l) => l.includes(encodeURIComponent(session.bbbMeetingId)))!;
  expect((await h.sim.simulateJoin(link)).ok).toBe(true);
  h.sim.endMeeting(session.bbbMeetingId);
  await h.sim.finishProcessing();
  await h.app.discovery.closeEndedMeetings();
  await h.app.discovery.discoverAll();
  await h.app.playback.idle();
  const [recording] = h.app.ctx.stores.recordings.ofMeeting(id);
  expect(recording?.state).toBe('available');
  return { id, recordId: recording!.recordId };
}

describe('!withdraw in the DM with the bot', () => {
  it.override('harnessConfig', { consent: { ask: 'direct' } });
  const OTHER = '!other:test';

  it('a new chat of the person alone with the bot is their DM too: every meeting, also of a room they left', async ({
    h,
  }) => {
    const { recordId } = await recordedInRoom(h, ROOM, 'Weekly sync', [ALICE]);
    h.chat.leave(ROOM, ALICE);
    // She left the bot's DM room too, and starts a new chat with the bot (invites it; it joins).
    h.chat.leave(h.app.ctx.stores.state.directRoom(ALICE)!, ALICE);
    const NEW_DM = '!alice-new-chat:test';
    h.chat.room(NEW_DM, [h.chat.botUserId, ALICE]);

    await h.say(ALICE, '!withdraw', NEW_DM);
    expect(simState(h, recordId)).toBe('deleted');
    const reply = h.chat.inRoom(NEW_DM).at(-1)!.text;
    expect(reply).toContain(withdrawalLines('Alice').saved);
    expect(reply).toContain(said(t.recordingName('Weekly sync', h.app.ctx.date(h.clock.now()))));
  });

  it('an admin’s !withdraw @user in the admin’s DM covers the person’s meetings in every room, logged with the admin', async ({
    h,
  }) => {
    h.chat.room(OTHER, [h.chat.botUserId, ORGANIZER, BOB]);
    const first = await recordedInRoom(h, ROOM, 'Weekly sync', [BOB]);
    const second = await recordedInRoom(h, OTHER, 'Retro', [BOB]);
    const adminDm = await h.app.directRooms.get(ADMIN);
    const bobBefore = h.chat.dmOf(BOB).length;

    await h.say(ADMIN, `!withdraw ${BOB}`, adminDm);

    expect(simState(h, first.recordId)).toBe('deleted');
    expect(simState(h, second.recordId)).toBe('deleted');
    const confirmation = h.chat.inRoom(adminDm).at(-1)!.text;
    expect(confirmation).toContain(said(t.withdrawOnBehalf(plain(ADMIN))));
    const date = h.app.ctx.date(h.clock.now());
    for (const title of ['Weekly sync', 'Retro']) {
      expect(confirmation).toContain(said(t.recordingName(title, date)));
    }
    const told = h.chat
      .dmOf(BOB)
      .slice(bobBefore)
      .map((m) => m.text);
    expect(told).toHaveLength(2);
    for (const text of told) expect(text).toContain(said(t.withdrawOnBehalfTold(plain(ADMIN))));
    for (const meetingId of [first.id, second.id]) {
      const ledger = h.app.ctx.stores.meetings.consentEvents(meetingId).filter((e) => e.kind === 'withdraw');
      expect(ledger).toMatchObject([{ userId: BOB, actorId: ADMIN }]);
    }
  });

  it('a meeting room the bot can no longer post in does not stop the withdrawal from the others', async ({
    h,
  }) => {
    h.chat.room(OTHER, [h.chat.botUserId, ORGANIZER, ALICE]);
    const first = await recordedInRoom(h, ROOM, 'Weekly sync', [ALICE]);
    const second = await recordedInRoom(h, OTHER, 'Retro', [ALICE]);
    // The bot was removed from the other room (the homeserver refuses its messages there).
    const send = h.chat.send.bind(h.chat);
    vi.spyOn(h.chat, 'send').mockImplementation(async (roomId, message, options) => {
      if (roomId === OTHER) throw Object.assign(new Error('M_FORBIDDEN: not in room'), { statusCode: 403 });
      return send(roomId, message, options);
    });
    const dm = h.app.ctx.stores.state.directRoom(ALICE)!;
    const before = h.chat.inRoom(dm).length;

    await h.say(ALICE, '!withdraw', dm);

    expect(simState(h, first.recordId)).toBe('deleted');
    expect(simState(h, second.recordId)).toBe('deleted');
    const reply = h.chat
      .inRoom(dm)
      .slice(before)
      .map((m) => m.text)
      .join('\n');
    const date = h.app.ctx.date(h.clock.now());
    for (const title of ['Weekly sync', 'Retro']) {
      expect(reply).toContain(said(t.recordingName(title, date)));
    }
    expect(reply).not.toContain(said(t.internalError));
    // The meeting's room the bot is still in hears of it, naming nobody.
    expect(lastRoomText(h)).toContain(withdrawalReceivedOf('Weekly sync'));
  });
});

describe('!purge of a meeting whose recording the bot has not polled yet', () => {
  it('asks BBB, deletes it and says so, instead of saying there is none', async ({ h }) => {
    const { id } = await endedRecordedMeeting(h); // BBB has it; the discovery poll has not run
    const [recording] = h.sim.recordings();
    await h.say(ADMIN, `!purge #${id}`);
    expect(simState(h, recording!.recordID)).toBe('deleted');
    const name = t.recordingName('Weekly sync', h.app.ctx.date(h.clock.now()));
    expect(lastRoomText(h)).toContain(said(t.purgeReport([name], [])));
    // It is never announced as ready, nor its playback link sent, then or afterwards.
    await h.app.discovery.closeEndedMeetings();
    await h.app.discovery.discoverAll();
    await h.app.playback.idle();
    expect(roomTexts(h).some((x) => recordingReadyPattern.test(x))).toBe(false);
    for (const user of [ORGANIZER, ALICE, BOB]) expect(dmLinks(h, user, PLAYBACK)).toEqual([]);
  });
});

describe('commands read long after they were sent (the bot was down)', () => {
  it('an admin’s !purge read 11 minutes late is answered, not carried out', async ({ h }) => {
    const { meetingId, recordId } = await recordedMeetingWithRecording(h);
    const sentAt = h.clock.now() - 11 * 60_000;
    const eventId = h.chat.nextEventId();
    await h.dispatcher.handle({
      roomId: ROOM,
      sender: ADMIN,
      eventId,
      content: { msgtype: 'm.text', body: `!purge #${meetingId}` },
      sentAt,
    });
    expect(h.chat.inRoom(ROOM).find((m) => m.replyTo === eventId)?.text).toBe(
      said(t.receivedWhileOffline('!purge', h.app.ctx.dateTime(sentAt))),
    );
    expect(simState(h, recordId)).toBe('published');
    expect(botState(h, recordId)).toBe('available');
  });

  it('a !mydata sent three days before the bot came back is answered by DM, saying when it arrived', async ({
    h,
  }) => {
    await recordedMeetingWithRecording(h);
    const sentAt = h.clock.now() - 3 * DAY;
    const eventId = h.chat.nextEventId();
    await h.dispatcher.handle({
      roomId: ROOM,
      sender: ALICE,
      eventId,
      content: { msgtype: 'm.text', body: '!mydata' },
      sentAt,
    });
    const reply = h.chat.inRoom(ROOM).find((m) => m.replyTo === eventId)!;
    expect(reply.text).toBe(
      said(lines([t.receivedAt(h.app.ctx.dateTime(sentAt)), t.mydataSent(mention(ALICE, 'Alice'))])),
    );
    const dm = h.app.ctx.stores.state.directRoom(ALICE)!;
    expect(h.chat.inRoom(dm).at(-1)?.text).toContain(mydataHeading(ALICE));
    expect(h.chat.files.filter((f) => f.roomId === dm)).toHaveLength(1);
  });
});

describe('a cancelled meeting whose session ran', () => {
  it.override('harnessConfig', { retention: { recordingDays: 2, evidenceDaysAfterPurge: 3 } });

  it('owns its recording: listed, deleted on its date, its evidence pruned after the period', async ({
    h,
  }) => {
    const { id, session } = await joinedRecordedMeeting(h);
    await h.say(ORGANIZER, '!cancel');
    expect(h.app.ctx.stores.meetings.get(id)?.state).toBe('cancelled');
    expect(h.sim.sessions().find((s) => s.meetingID === session.bbbMeetingId)?.ended).toBe(true);
    await h.sim.finishProcessing();
    await h.app.discovery.discoverAll();
    const [recording] = h.app.ctx.stores.recordings.ofMeeting(id);
    expect(recording?.state).toBe('available');
    await h.say(CAROL, '!recordings');
    expect(lastRoomText(h)).toContain(said(t.recordingName('Weekly sync', h.app.ctx.date(h.clock.now()))));

    h.clock.advance(2 * DAY - 60_000);
    expect((await h.app.retention.run()).deleted).toEqual([]);
    h.clock.advance(60_000);
    expect((await h.app.retention.run()).deleted.map((r) => r.recordId)).toEqual([recording!.recordId]);
    expect(simState(h, recording!.recordId)).toBe('deleted');

    // Evidence outlives the recording by three days, and the session's end by the 14 days a recording
    // may still appear in BBB: then it goes, and (after the DM rooms' grace) every row naming them.
    h.clock.advance(12 * DAY - 2 * 60_000);
    expect((await h.app.retention.run()).prunedMeetings).toBe(0);
    expect(h.app.ctx.stores.meetings.consentEvents(id).length).toBeGreaterThan(0);
    h.clock.advance(3 * 60_000);
    expect((await h.app.retention.run()).prunedMeetings).toBe(1);
    expect(h.app.ctx.stores.meetings.get(id)).toBeUndefined();
    h.clock.advance(31 * DAY);
    await h.app.retention.run();
    expect(tablesNaming(h, ALICE, BOB)).toEqual([]);
  });
});

describe('retention.recordingDays changed after recordings were made', () => {
  // §3.7: the job deletes what is older than the configured retention. A shorter period applies to the
  // recordings kept (deleting sooner than announced keeps the promise "deleted by then"); a longer one
  // does not keep anything longer than the period people agreed under.
  it('a shorter one deletes what is older than it at the next run; a longer one moves no date', async ({
    harness,
  }) => {
    const h = await harness({ retention: { recordingDays: 30 } });
    const old = await recordedMeetingWithRecording(h, 'Old sync');
    h.clock.advance(10 * DAY);
    const young = await recordedMeetingWithRecording(h, 'Young sync');
    h.clock.advance(2 * DAY); // old: 12 days, young: 2 days
    const youngDate = h.app.ctx.stores.recordings.get(young.recordId)!.deleteAfter!;

    h.config.retention.recordingDays = 7;
    await h.restart();
    const run = await h.app.retention.run();
    expect(run.deleted.map((r) => r.recordId)).toEqual([old.recordId]);
    expect(simState(h, old.recordId)).toBe('deleted');
    expect(simState(h, young.recordId)).toBe('published');
    expect(h.app.ctx.stores.recordings.get(young.recordId)!.deleteAfter).toBe(youngDate - 23 * DAY);

    h.config.retention.recordingDays = 60;
    await h.restart();
    await h.app.retention.run();
    expect(h.app.ctx.stores.recordings.get(young.recordId)!.deleteAfter).toBe(youngDate - 23 * DAY);
    h.clock.advance(5 * DAY); // young: 7 days
    expect((await h.app.retention.run()).deleted.map((r) => r.recordId)).toEqual([young.recordId]);
  });
});

describe('limits.unansweredDays', () => {
  it('an expired meeting takes no more answers: a ✅ then opens nothing and sends no link', async ({ h }) => {
    const { id, prompt } = await h.plan(`Someday ${ALICE} ${BOB}`, ORGANIZER, ALICE);
    h.clock.advance(14 * DAY);
    expect((await h.app.retention.run()).expiredMeetings).toBe(1);
    expect(h.app.ctx.stores.meetings.get(id)?.state).toBe('cancelled');
    await h.agree(prompt, BOB);
    await h.app.tick();
    expect(h.sim.sessions()).toEqual([]);
    for (const user of [ORGANIZER, ALICE, BOB]) expect(joinLinks(h, user)).toEqual([]);
    await h.say(ALICE, '!withdraw');
    expect(lastRoomText(h)).toBe(said(t.withdrawNothing));
  });
});

describe('a withdrawal in the unrecorded session that followed a late decline', () => {
  it('deletes the earlier recorded session’s recording too, and the unrecorded session goes on', async ({
    h,
  }) => {
    h.chat.members.get(ROOM)?.add(DAVE);
    const { id, session: recorded } = await joinedRecordedMeeting(h);
    await h.say(ORGANIZER, `!invite #${id} ${DAVE}`);
    await h.react(DAVE, h.promptOf(id), '❌');
    const unrecorded = currentSession(h, id);
    expect(unrecorded.record).toBe(false);
    await h.sim.finishProcessing();
    await h.app.discovery.discoverAll();
    const [recording] = h.app.ctx.stores.recordings.ofSession(recorded.id);
    expect(recording?.state).toBe('available'); // everyone in it had agreed: kept

    await h.say(ALICE, '!withdraw');
    expect(simState(h, recording!.recordId)).toBe('deleted');
    expect(botState(h, recording!.recordId)).toBe('purged');
    expect(lastRoomText(h)).toContain(said(t.recordingName('Weekly sync', h.app.ctx.date(h.clock.now()))));
    // The unrecorded session is not ended for it, and nobody gets new links.
    expect(h.sim.sessions().find((s) => s.meetingID === unrecorded.bbbMeetingId)?.ended).toBe(false);
    expect(currentSession(h, id).id).toBe(unrecorded.id);
  });
});
