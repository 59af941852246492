import { beforeEach, describe, expect, it, vi } from 'vitest';
import {
  type BbbClient,
  BbbError,
  type CreateParams,
  verifyRecordingReadyToken,
} from '../../../src/bbb/index.js';
import type { BbbSimulator } from '../../support/bbb-simulator.js';
import { bodyOf, serve } from '../../support/stand-in-servers.js';
import { clientOf, SECRET, simulator } from './support.js';

let sim: BbbSimulator;
let bbb: BbbClient;

beforeEach(async () => {
  sim = await simulator({ processingDelayMs: 50 });
  bbb = clientOf(sim);
});

const RECORD_ALL = { record: true, autoStartRecording: true, allowStartStopRecording: false } as const;

/** create → one join → optional record-button press → everyone leaves. */
async function runSession(p: Omit<CreateParams, 'name'>, opts: { join?: boolean; press?: boolean } = {}) {
  const created = await bbb.create({ name: `Meeting ${p.meetingID}`, ...p });
  if (opts.join !== false) {
    const url = bbb.joinUrl({
      meetingID: p.meetingID,
      fullName: 'Ann',
      role: 'MODERATOR',
      createTime: created.createTime,
    });
    expect((await sim.simulateJoin(url)).ok).toBe(true);
  }
  if (opts.press) sim.toggleRecording(p.meetingID);
  sim.endMeeting(p.meetingID);
  return created;
}

describe('when a recording exists', () => {
  it('appears as processing after the session ends and as published after the processing delay', async () => {
    // A delay long enough that a loaded machine still sees the processing state (50 ms was not).
    sim = await simulator({ processingDelayMs: 1500 });
    bbb = clientOf(sim);
    const { internalMeetingID } = await runSession({ meetingID: 'r-1', ...RECORD_ALL });
    const during = await bbb.getRecordings({ meetingID: ['r-1'], state: 'any' });
    expect(during.map((r) => [r.recordID, r.state])).toEqual([[internalMeetingID, 'processing']]);
    expect(await bbb.getRecordings({ meetingID: ['r-1'] })).toEqual([]);

    await vi.waitFor(
      async () => {
        const [rec] = await bbb.getRecordings({ meetingID: ['r-1'] });
        expect(rec).toMatchObject({
          recordID: internalMeetingID,
          state: 'published',
          published: true,
          participants: 1,
        });
        expect(rec?.playback[0]?.type).toBe('presentation');
        expect(rec?.playback[0]?.url).toContain(internalMeetingID);
      },
      { timeout: 10_000 },
    );
  });

  it.each([
    ['record=false', { record: false, autoStartRecording: true }, {}],
    [
      'start/stop allowed but never pressed',
      { record: true, autoStartRecording: false, allowStartStopRecording: true },
      {},
    ],
    ['auto-start but nobody joined', RECORD_ALL, { join: false }],
  ])('gives no recording for %s', async (_name, flags, opts) => {
    await runSession({ meetingID: 'r-2', ...flags }, opts);
    await sim.finishProcessing();
    expect(await bbb.getRecordings({ meetingID: ['r-2'], state: 'any' })).toEqual([]);
  });

  it('gives a recording when the moderator pressed the record button', async () => {
    await runSession({ meetingID: 'r-3', record: true, allowStartStopRecording: true }, { press: true });
    await sim.finishProcessing();
    expect(await bbb.getRecordings({ meetingID: ['r-3'] })).toHaveLength(1);
  });

  it('gives one recording per recorded session of the same meetingID', async () => {
    const a = await runSession({ meetingID: 'r-4', ...RECORD_ALL });
    const b = await runSession({ meetingID: 'r-4', ...RECORD_ALL });
    await sim.finishProcessing();
    const ids = (await bbb.getRecordings({ meetingID: ['r-4'] })).map((r) => r.recordID);
    expect(ids.sort()).toEqual([a.internalMeetingID, b.internalMeetingID].sort());
  });
});

describe('recording-ready callback', () => {
  let receiverUrl: string;
  let posts: { contentType: string | undefined; body: string }[];

  beforeEach(async () => {
    posts = [];
    const receiver = await serve(async (req, res) => {
      posts.push({ contentType: req.headers['content-type'], body: await bodyOf(req) });
      res.writeHead(200).end();
    });
    receiverUrl = `${receiver.url}/bbb/recording-ready`;
  });

  const tokenOf = (body: string) => new URLSearchParams(body).get('signed_parameters') ?? '';

  it('POSTs a form with an HS256 JWT that verifies with the shared secret and names the recording', async () => {
    const { internalMeetingID } = await runSession({
      meetingID: 'cb-1',
      ...RECORD_ALL,
      recordingReadyUrl: receiverUrl,
    });
    expect(posts).toEqual([]);
    await sim.finishProcessing();
    expect(posts).toHaveLength(1);
    expect(posts[0]?.contentType).toBe('application/x-www-form-urlencoded');
    const token = tokenOf(posts[0]!.body);
    expect(JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()).alg).toBe('HS256');
    expect(verifyRecordingReadyToken(token, ['old-secret', SECRET])).toEqual({
      meeting_id: 'cb-1',
      record_id: internalMeetingID,
    });
    expect(verifyRecordingReadyToken(token, ['someone-else'])).toBeNull();
    expect(sim.callbacks()).toMatchObject([
      { kind: 'recording-ready', status: 200, recordID: internalMeetingID },
    ]);
  });

  it('signs with HS512 when configured like Scalelite without SHA256', async () => {
    sim = await simulator({ jwtAlgorithm: 'HS512' });
    bbb = clientOf(sim, { algorithm: 'sha512', retries: 3 });
    await runSession({ meetingID: 'cb-2', ...RECORD_ALL, recordingReadyUrl: receiverUrl });
    await sim.finishProcessing();
    const token = tokenOf(posts[0]?.body ?? '');
    expect(JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()).alg).toBe('HS512');
    expect(verifyRecordingReadyToken(token, [SECRET])?.meeting_id).toBe('cb-2');
  });

  it('sends nothing when no recording was made', async () => {
    await runSession({ meetingID: 'cb-3', record: true, recordingReadyUrl: receiverUrl });
    await sim.finishProcessing();
    expect(posts).toEqual([]);
  });
});

describe('getRecordings filters', () => {
  beforeEach(() => {
    sim.seedRecordings([
      { recordID: 'aaa-1', meetingID: 'm-a', metadata: { 'bot-room': '!r1:hs', 'bot-meeting': '7' } },
      { recordID: 'aaa-2', meetingID: 'm-a', state: 'unpublished', metadata: { 'bot-room': '!r1:hs' } },
      { recordID: 'bbb-1', meetingID: 'm-b', metadata: { 'bot-room': '!r2:hs' } },
      { recordID: '007', meetingID: '007', state: 'deleted' },
      { recordID: 'ccc-1', meetingID: 'm-c', state: 'processing' },
    ]);
  });
  const ids = async (f: Parameters<BbbClient['getRecordings']>[0]) =>
    (await bbb.getRecordings(f)).map((r) => r.recordID);

  it('filters by meetingID list, defaulting to published and unpublished', async () => {
    expect(await ids({ meetingID: ['m-a', 'm-b'] })).toEqual(['aaa-1', 'aaa-2', 'bbb-1']);
    expect(await ids({ meetingID: ['m-c'] })).toEqual([]);
  });

  it('matches record IDs as prefixes and lets recordID win over meetingID', async () => {
    expect(await ids({ recordID: ['aaa'] })).toEqual(['aaa-1', 'aaa-2']);
    expect(await ids({ recordID: ['bbb-1'], meetingID: ['m-a'] })).toEqual(['bbb-1']);
  });

  it('filters by state, including deleted and any; IDs like 007 stay strings', async () => {
    expect(await ids({ meetingID: ['007'], state: ['deleted'] })).toEqual(['007']);
    expect(await ids({ meetingID: ['m-c', '007'], state: 'any' })).toEqual(['007', 'ccc-1']);
    expect(await ids({ meetingID: ['m-a'], state: ['unpublished'] })).toEqual(['aaa-2']);
  });

  it('filters by metadata', async () => {
    expect(await ids({ meta: { 'bot-room': '!r1:hs' } })).toEqual(['aaa-1', 'aaa-2']);
    expect(await ids({ meta: { 'bot-room': '!r1:hs', 'bot-meeting': '7' } })).toEqual(['aaa-1']);
  });

  it('pages with offset/limit and totalElements, and getAllRecordings walks every page', async () => {
    sim.seedRecordings(Array.from({ length: 23 }, () => ({ meetingID: 'many' })));
    const page = await bbb.getRecordingsPage({ meetingID: ['many'], offset: 20, limit: 10 });
    expect(page.totalElements).toBe(23);
    expect(page.recordings).toHaveLength(3);
    sim.resetRequests();
    expect(await bbb.getAllRecordings({ meetingID: ['many'] }, 10)).toHaveLength(23);
    expect(sim.requests()).toHaveLength(3);
  });
});

describe('deleteRecordings', () => {
  const outcome = (deleted: string[], alreadyGone: string[], failed: string[]) => ({
    deleted,
    alreadyGone,
    failed,
  });

  it('soft-deletes: gone from the default listing, still listed with state=deleted', async () => {
    const [a, b] = sim.seedRecordings([{ meetingID: 'd-1' }, { meetingID: 'd-1' }]);
    const res = await bbb.deleteRecordings([a!.recordID]);
    expect(res).toEqual(outcome([a!.recordID], [], []));
    expect((await bbb.getRecordings({ meetingID: ['d-1'] })).map((r) => r.recordID)).toEqual([b!.recordID]);
    expect(
      (await bbb.getRecordings({ meetingID: ['d-1'], state: ['deleted'] })).map((r) => r.recordID),
    ).toEqual([a!.recordID]);
    expect(sim.recordings({ includeDeleted: true })).toHaveLength(2);
  });

  it('reports unknown and already deleted IDs as alreadyGone, also in a batch mixed with existing ones', async () => {
    const [a, b] = sim.seedRecordings([{ meetingID: 'd-2' }, { meetingID: 'd-2', state: 'deleted' }]);
    expect(await bbb.deleteRecordings(['unknown-1'])).toEqual(outcome([], ['unknown-1'], []));
    const res = await bbb.deleteRecordings([a!.recordID, 'unknown-2', b!.recordID]);
    expect(res.deleted).toEqual([a!.recordID]);
    expect(res.alreadyGone.sort()).toEqual([b!.recordID, 'unknown-2'].sort());
  });

  it('does not delete a longer ID that merely starts with the requested one', async () => {
    const [long] = sim.seedRecordings([{ recordID: 'abc-123-x', meetingID: 'd-3' }]);
    expect(await bbb.deleteRecordings(['abc-123'])).toMatchObject({ deleted: [], alreadyGone: ['abc-123'] });
    expect(sim.recordings().map((r) => r.recordID)).toContain(long!.recordID);
  });

  it('deletes many recordings in batches of at most 50 IDs', async () => {
    const seeded = sim.seedRecordings(Array.from({ length: 120 }, () => ({ meetingID: 'd-4' })));
    sim.resetRequests();
    const res = await bbb.deleteRecordings(seeded.map((r) => r.recordID));
    expect(res.deleted).toHaveLength(120);
    expect(sim.requests().filter((r) => r.call === 'deleteRecordings')).toHaveLength(3);
    expect(sim.recordings()).toEqual([]);
  });

  it('reports a delete the server acknowledged but did not carry out as failed', async () => {
    const [a] = sim.seedRecordings([{ meetingID: 'd-5' }]);
    sim.faults.set({ dropDeletes: true });
    expect(await bbb.deleteRecordings([a!.recordID])).toEqual(outcome([], [], [a!.recordID]));
    sim.faults.clear();
    expect(await bbb.deleteRecordings([a!.recordID])).toEqual(outcome([a!.recordID], [], []));
  });
});

describe('publishRecordings and updateRecordings', () => {
  const listed = async (recordID: string) => (await bbb.getRecordings({ recordID: [recordID] }))[0];

  it('unpublishes and republishes', async () => {
    const [a] = sim.seedRecordings([{ meetingID: 'p-1' }]);
    await bbb.publishRecordings([a!.recordID], false);
    expect(await listed(a!.recordID)).toMatchObject({ state: 'unpublished', published: false });
    await bbb.publishRecordings([a!.recordID], true);
    expect(await listed(a!.recordID)).toMatchObject({ state: 'published', published: true });
  });

  it('fails with notFound for unknown IDs', async () => {
    await expect(bbb.publishRecordings(['nope'], true)).rejects.toMatchObject({ messageKey: 'notFound' });
    await expect(bbb.updateRecordings(['nope'], { a: 'b' })).rejects.toBeInstanceOf(BbbError);
  });

  it('adds, replaces and removes metadata', async () => {
    const [a] = sim.seedRecordings([{ meetingID: 'u-1', metadata: { keep: '1', drop: 'x' } }]);
    await bbb.updateRecordings([a!.recordID], { 'bot-purge-after': '2026-12-26', drop: '' });
    expect((await listed(a!.recordID))?.metadata).toEqual({
      keep: '1',
      'bot-purge-after': '2026-12-26',
    });
  });
});
