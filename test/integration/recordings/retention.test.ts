// The retention and purge job (design.md §3.7): expired recordings go, young ones stay, null keeps
// them until withdrawal, nothing is marked purged before BBB confirmed, runs never overlap, and
// consent evidence is pruned a configured time after the last recording went.
import { describe, expect, vi } from 'vitest';
import { type Harness, ROOM } from '../../support/app-harness.js';
import { recordingReadyPattern, said, t } from '../../support/catalogue.js';
import { it } from '../../support/fixtures.js';
import {
  botState,
  callCounts,
  DAY,
  endedRecordedMeeting,
  lastRoomText,
  recordedMeetingWithRecording,
  roomTexts,
  simState,
} from './support.js';

describe('recording discovery', () => {
  it('announces a finished recording once, with its deletion date', async ({ h }) => {
    const { recordId } = await recordedMeetingWithRecording(h);
    const row = h.app.ctx.stores.recordings.get(recordId)!;
    expect(row.state).toBe('available');
    expect(row.deleteAfter).toBe(row.startTime! + 30 * DAY);
    const date = h.app.ctx.date(h.clock.now());
    const deleteOn = h.app.ctx.date(row.deleteAfter!);
    expect(lastRoomText(h)).toBe(said(t.recordingReady(t.recordingName('Weekly sync', date), deleteOn)));
    await h.app.discovery.discoverAll();
    await h.app.discovery.discoverAll();
    expect(roomTexts(h).filter((text) => recordingReadyPattern.test(text))).toHaveLength(1);
  });

  it('a recording still processing is announced only when BBB has published it', async ({ h }) => {
    const { meetingId, recordId } = await recordedMeetingWithRecording(h, 'Retro');
    const session = h.app.ctx.stores.meetings.sessions(meetingId)[0]!;
    const [late] = h.sim.seedRecordings([
      {
        meetingID: session.bbbMeetingId,
        name: 'Retro',
        state: 'processing',
        readyAt: h.clock.now() + 60 * 60_000,
      },
    ]);
    await h.app.discovery.discoverAll();
    expect(botState(h, late!.recordID)).toBe('processing');
    expect(roomTexts(h).filter((text) => recordingReadyPattern.test(text))).toHaveLength(1); // only recordId's
    h.clock.advance(61 * 60_000);
    await h.app.discovery.discoverAll();
    expect(botState(h, late!.recordID)).toBe('available');
    expect(botState(h, recordId)).toBe('available');
    expect(roomTexts(h).filter((text) => recordingReadyPattern.test(text))).toHaveLength(2);
  });
});

describe('retention', () => {
  it.override('harnessConfig', { retention: { recordingDays: 1 } });
  /** A recording, then two days pass: expired. */
  const expiredRecording = async (h: Harness) => {
    const { recordId } = await recordedMeetingWithRecording(h);
    h.clock.advance(2 * DAY);
    return recordId;
  };

  it('deletes expired recordings and keeps young ones', async ({ harness }) => {
    const h = await harness({ retention: { recordingDays: 30 } });
    const old = await recordedMeetingWithRecording(h, 'Old sync');
    h.clock.advance(20 * DAY);
    const young = await recordedMeetingWithRecording(h, 'Young sync');
    h.clock.advance(11 * DAY); // old: 31 days, young: 11 days

    const run = await h.app.retention.run();
    expect(run.deleted.map((r) => r.recordId)).toEqual([old.recordId]);
    expect(run.failed).toEqual([]);
    expect(simState(h, old.recordId)).toBe('deleted');
    expect(botState(h, old.recordId)).toBe('purged');
    expect(simState(h, young.recordId)).toBe('published');
    expect(botState(h, young.recordId)).toBe('available');
    const audit = h.app.ctx.stores.audit.forMeeting(old.meetingId);
    expect(audit.find((a) => a.action === 'recording.purged')?.details).toMatchObject({
      recordId: old.recordId,
      reason: 'retention',
    });

    // Exactly at the deletion date the young one goes too.
    h.clock.advance(19 * DAY);
    const later = await h.app.retention.run();
    expect(later.deleted.map((r) => r.recordId)).toEqual([young.recordId]);
  });

  it('never marks a recording purged before BBB confirmed it (delete silently dropped)', async ({ h }) => {
    const recordId = await expiredRecording(h);
    h.sim.faults.set({ dropDeletes: true });

    const run = await h.app.retention.run();
    expect(run.deleted).toEqual([]);
    expect(run.failed.map((f) => f.recording.recordId)).toEqual([recordId]);
    expect(callCounts(h).deleteRecordings).toBe(1);
    expect(simState(h, recordId)).toBe('published');
    const row = h.app.ctx.stores.recordings.get(recordId)!;
    expect(row.state).toBe('purge-pending');
    expect(row.purgedAt).toBeNull();
    expect(row.attempts).toBe(1);
    expect(row.lastError).toBeTruthy();

    h.sim.faults.clear();
    const retry = await h.app.retention.run();
    expect(retry.deleted.map((r) => r.recordId)).toEqual([recordId]);
    expect(simState(h, recordId)).toBe('deleted');
    expect(botState(h, recordId)).toBe('purged');
  });

  it('BBB answering 500 on deleteRecordings: purge-pending, deleted on a later run', async ({ h }) => {
    const recordId = await expiredRecording(h);
    h.sim.faults.set({ http500: ['deleteRecordings'] });
    const run = await h.app.retention.run();
    expect(run.failed).toHaveLength(1);
    expect(botState(h, recordId)).toBe('purge-pending');
    h.sim.faults.clear();
    await h.app.retention.run();
    expect(botState(h, recordId)).toBe('purged');
    expect(simState(h, recordId)).toBe('deleted');
  });

  it('two runs at once never overlap: the second waits for the first', async ({ h }) => {
    await expiredRecording(h);
    // Deletes are dropped, so both runs have work to do; BBB is slow, so they would overlap.
    h.sim.faults.set({ dropDeletes: true, slowMs: 40 });
    const bbb = h.app.ctx.bbb;
    const original = bbb.deleteRecordings.bind(bbb);
    let active = 0;
    let maxActive = 0;
    const spans: [number, number][] = [];
    vi.spyOn(bbb, 'deleteRecordings').mockImplementation(async (ids) => {
      active += 1;
      maxActive = Math.max(maxActive, active);
      const start = performance.now();
      try {
        return await original(ids);
      } finally {
        spans.push([start, performance.now()]);
        active -= 1;
      }
    });

    const first = h.app.retention.run();
    const second = h.app.retention.run();
    expect(h.app.retention.running).toBe(true);
    const [a, b] = await Promise.all([first, second]);
    expect(a.failed).toHaveLength(1);
    expect(b.failed).toHaveLength(1);
    expect(maxActive).toBe(1);
    expect(spans).toHaveLength(2);
    expect(spans[1]![0]).toBeGreaterThanOrEqual(spans[0]![1]);
    expect(h.app.retention.running).toBe(false);
  });

  it('prunes consent evidence evidenceDaysAfterPurge after the last recording went', async ({ harness }) => {
    const h = await harness({ retention: { recordingDays: 5, evidenceDaysAfterPurge: 10 } });
    const { meetingId, recordId } = await recordedMeetingWithRecording(h);
    const meetings = h.app.ctx.stores.meetings;
    expect(meetings.consentEvents(meetingId).length).toBeGreaterThan(0);

    h.clock.advance(6 * DAY);
    const purgeRun = await h.app.retention.run();
    expect(purgeRun.deleted.map((r) => r.recordId)).toEqual([recordId]);
    expect(purgeRun.prunedMeetings).toBe(0);
    expect(meetings.get(meetingId)).toBeDefined();

    h.clock.advance(9 * DAY);
    expect((await h.app.retention.run()).prunedMeetings).toBe(0);
    expect(meetings.consentEvents(meetingId).length).toBeGreaterThan(0);

    h.clock.advance(2 * DAY);
    const pruneRun = await h.app.retention.run();
    expect(pruneRun.prunedMeetings).toBe(1);
    expect(meetings.get(meetingId)).toBeUndefined();
    expect(meetings.consentEvents(meetingId)).toEqual([]);
    expect(meetings.invitees(meetingId)).toEqual([]);
    expect(h.app.ctx.stores.recordings.ofMeeting(meetingId)).toEqual([]);
    const audit = h.app.ctx.stores.audit.forMeeting(meetingId);
    expect(audit.map((a) => a.action)).toEqual(['evidence.pruned']);
  });

  it('keeps evidence while a recording is still kept', async ({ harness }) => {
    const h = await harness({ retention: { recordingDays: 500, evidenceDaysAfterPurge: 0 } });
    const { meetingId } = await recordedMeetingWithRecording(h);
    h.clock.advance(400 * DAY);
    expect((await h.app.retention.run()).prunedMeetings).toBe(0);
    expect(h.app.ctx.stores.meetings.consentEvents(meetingId).length).toBeGreaterThan(0);
  });

  it('does not prune the evidence of a closed recorded meeting before its recording was found', async ({
    harness,
  }) => {
    const h = await harness({ retention: { recordingDays: 5, evidenceDaysAfterPurge: 0 } });
    await endedRecordedMeeting(h);
    // The end is noticed, but BBB cannot list recordings right now.
    await h.app.discovery.closeEndedMeetings();
    h.sim.faults.set({ http500: ['getRecordings'] });
    await h.app.discovery.discoverAll().catch(() => undefined);
    h.sim.faults.clear();
    h.clock.advance(60_000);
    await h.app.retention.run();
    // The recording shows up now: the bot must still know the meeting, to delete it on time.
    await h.app.discovery.discoverAll();
    const [rec] = h.sim.recordings();
    expect(botState(h, rec!.recordID)).toBe('available');
    h.clock.advance(6 * DAY);
    await h.app.retention.run();
    expect(simState(h, rec!.recordID)).toBe('deleted');
  });

  it('survives a restart: purge-pending recordings are retried by the new process', async ({ h }) => {
    const recordId = await expiredRecording(h);
    h.sim.faults.set({ refuseConnections: true });
    await h.app.retention.run();
    expect(botState(h, recordId)).toBe('purge-pending');
    await h.restart();
    h.sim.faults.clear();
    await h.app.retention.run();
    expect(botState(h, recordId)).toBe('purged');
    expect(simState(h, recordId)).toBe('deleted');
    expect(h.chat.inRoom(ROOM).length).toBeGreaterThan(0);
  });
});
