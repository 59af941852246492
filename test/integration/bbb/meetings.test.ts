import { beforeEach, describe, expect, it } from 'vitest';
import { type BbbClient, BbbError } from '../../../src/bbb/index.js';
import type { BbbSimulator } from '../../support/bbb-simulator.js';
import { clientOf, simulator } from './support.js';

let sim: BbbSimulator;
let bbb: BbbClient;
beforeEach(async () => {
  sim = await simulator();
  bbb = clientOf(sim);
});

const messageKeyOf = (p: Promise<unknown>) =>
  p.then(
    () => 'resolved',
    (err: unknown) => (err instanceof BbbError ? err.messageKey : `not a BbbError: ${String(err)}`),
  );

describe('version probe', () => {
  it('reads the API and BBB version without a checksum', async () => {
    expect(await bbb.version()).toEqual({ version: '2.0', bbbVersion: '3.0.30' });
    expect(sim.requests().map((r) => r.call)).toEqual(['version']);
  });
});

describe('create', () => {
  it('creates a session whose internal ID is sha1(meetingID)-createTime, with names that need strict encoding', async () => {
    const res = await bbb.create({ name: "O'Neil (Grüße) 🎉 a+b*", meetingID: 'Test', record: true });
    expect(res.duplicate).toBe(false);
    expect(res.internalMeetingID).toBe(`640ab2bae07bedc4c163f679a746f7ab7fb5d1fa-${res.createTime}`);
    const [session] = sim.sessions();
    expect(session).toMatchObject({
      name: "O'Neil (Grüße) 🎉 a+b*",
      record: true,
      autoStartRecording: false,
    });
  });

  it('returns the existing session on a repeat create and ignores the new parameters', async () => {
    const first = await bbb.create({
      name: 'Weekly',
      meetingID: 'team-42',
      record: true,
      autoStartRecording: true,
    });
    const again = await bbb.create({
      name: 'Renamed',
      meetingID: 'team-42',
      record: false,
      meta: { 'bot-session': '2' },
    });
    expect(again).toMatchObject({
      duplicate: true,
      createTime: first.createTime,
      internalMeetingID: first.internalMeetingID,
    });
    const info = await bbb.getMeetingInfo('team-42');
    expect(info).toMatchObject({ meetingName: 'Weekly', recording: true, metadata: {} });
    expect(sim.sessions()).toHaveLength(1);
  });

  it('fails with idNotUnique when a repeat create sends different passwords', async () => {
    await bbb.create({ name: 'A', meetingID: 'pw-1', attendeePW: 'ap-1', moderatorPW: 'mp-1' });
    expect(
      await messageKeyOf(
        bbb.create({ name: 'A', meetingID: 'pw-1', attendeePW: 'ap-2', moderatorPW: 'mp-2' }),
      ),
    ).toBe('idNotUnique');
    const same = await bbb.create({ name: 'A', meetingID: 'pw-1', attendeePW: 'ap-1', moderatorPW: 'mp-1' });
    expect(same.duplicate).toBe(true);
  });

  it('starts a new session after end, so recording settings can change', async () => {
    const first = await bbb.create({ name: 'W', meetingID: 'm-2', record: true });
    expect(await bbb.end('m-2')).toBe('ended');
    const second = await bbb.create({ name: 'W', meetingID: 'm-2', record: false });
    expect(second.duplicate).toBe(false);
    expect(second.createTime).not.toBe(first.createTime);
    expect((await bbb.getMeetingInfo('m-2')).recording).toBe(false);
  });
});

describe('checksum algorithms', () => {
  it('is refused with checksumError when the server does not accept the configured algorithm', async () => {
    const hardened = await simulator({ algorithms: ['sha256', 'sha512'] });
    const sha1 = clientOf(hardened, { algorithm: 'sha1' });
    expect(await messageKeyOf(sha1.create({ name: 'A', meetingID: 'alg-1' }))).toBe('checksumError');
    expect(hardened.sessions()).toHaveLength(0);
    const sha512 = clientOf(hardened, { algorithm: 'sha512', retries: 3 });
    expect((await sha512.create({ name: 'A', meetingID: 'alg-1' })).duplicate).toBe(false);
  });

  it('is refused with checksumError for a wrong secret', async () => {
    const wrong = clientOf(sim, { secret: 'not-the-secret', retries: 3 });
    expect(await messageKeyOf(wrong.isMeetingRunning('x'))).toBe('checksumError');
  });
});

describe('join, isMeetingRunning, getMeetingInfo', () => {
  it('reports running only after someone joined, with attendees, roles and user IDs', async () => {
    const { createTime } = await bbb.create({ name: 'W', meetingID: 'm-3' });
    expect(await bbb.isMeetingRunning('m-3')).toBe(false);
    expect((await bbb.getMeetingInfo('m-3')).hasUserJoined).toBe(false);

    const mod = bbb.joinUrl({
      meetingID: 'm-3',
      fullName: "Zoë O'Brien",
      role: 'MODERATOR',
      userID: '@zoe:hs',
      createTime,
    });
    const viewer = bbb.joinUrl({
      meetingID: 'm-3',
      fullName: 'Bob (guest)',
      role: 'VIEWER',
      userID: '@bob:hs',
      createTime,
    });
    expect(await sim.simulateJoin(mod)).toMatchObject({ ok: true, status: 302 });
    expect(await sim.simulateJoin(viewer)).toMatchObject({ ok: true });

    expect(await bbb.isMeetingRunning('m-3')).toBe(true);
    const info = await bbb.getMeetingInfo('m-3');
    expect(info).toMatchObject({ running: true, participantCount: 2, moderatorCount: 1, createTime });
    expect(info.attendees.map(({ userID, fullName, role }) => ({ userID, fullName, role }))).toEqual([
      { userID: '@zoe:hs', fullName: "Zoë O'Brien", role: 'MODERATOR' },
      { userID: '@bob:hs', fullName: 'Bob (guest)', role: 'VIEWER' },
    ]);
    expect(sim.sessions()[0]?.joins.map((j) => j.role)).toEqual(['MODERATOR', 'VIEWER']);
  });

  it('answers XML with redirect=false', async () => {
    const { createTime } = await bbb.create({ name: 'W', meetingID: 'm-4' });
    const res = await fetch(
      bbb.joinUrl({ meetingID: 'm-4', fullName: 'A', role: 'VIEWER', createTime, redirect: false }),
    );
    expect(await res.text()).toContain('<messageKey>successfullyJoined</messageKey>');
  });

  it('refuses a tampered join URL, an unknown meeting and an old link after a new session started', async () => {
    const old = await bbb.create({ name: 'W', meetingID: 'm-5' });
    const oldLink = bbb.joinUrl({
      meetingID: 'm-5',
      fullName: 'Eve',
      role: 'VIEWER',
      createTime: old.createTime,
    });
    const tampered = oldLink.replace('role=VIEWER', 'role=MODERATOR');
    expect(await sim.simulateJoin(tampered)).toMatchObject({ ok: false, messageKey: 'checksumError' });
    expect(
      await sim.simulateJoin(bbb.joinUrl({ meetingID: 'nope', fullName: 'Eve', role: 'VIEWER' })),
    ).toMatchObject({ ok: false, messageKey: 'notFound' });

    await bbb.end('m-5');
    expect(await sim.simulateJoin(oldLink)).toMatchObject({ ok: false, messageKey: 'meetingForciblyEnded' });
    await bbb.create({ name: 'W', meetingID: 'm-5' });
    expect(await sim.simulateJoin(oldLink)).toMatchObject({
      ok: false,
      messageKey: 'mismatchCreateTimeParam',
    });
    expect(sim.sessions().flatMap((s) => s.joins)).toEqual([]);
  });

  it('reports an unknown meeting as not running, and getMeetingInfo as notFound', async () => {
    expect(await bbb.isMeetingRunning('ghost')).toBe(false);
    expect(await messageKeyOf(bbb.getMeetingInfo('ghost'))).toBe('notFound');
  });
});

describe('getMeetings', () => {
  it('lists running meetings, and none (noMeetings) as an empty list', async () => {
    expect(await bbb.getMeetings()).toEqual([]);
    await bbb.create({ name: 'Weekly', meetingID: 'm-list-1' });
    await bbb.create({ name: 'Daily', meetingID: 'm-list-2' });
    const listed = await bbb.getMeetings();
    expect(listed.map((m) => [m.meetingID, m.meetingName]).sort()).toEqual([
      ['m-list-1', 'Weekly'],
      ['m-list-2', 'Daily'],
    ]);
    await bbb.end('m-list-1');
    expect((await bbb.getMeetings()).map((m) => m.meetingID)).toEqual(['m-list-2']);
  });

  it('is refused with checksumError for a wrong secret', async () => {
    const wrong = clientOf(sim, { secret: 'not-the-secret' });
    expect(await messageKeyOf(wrong.getMeetings())).toBe('checksumError');
  });
});

describe('end', () => {
  it('ends a meeting and reports an unknown or already ended one as alreadyGone', async () => {
    const { createTime } = await bbb.create({ name: 'W', meetingID: 'm-6' });
    await sim.simulateJoin(bbb.joinUrl({ meetingID: 'm-6', fullName: 'A', role: 'MODERATOR', createTime }));
    expect(await bbb.end('m-6')).toBe('ended');
    expect(await bbb.isMeetingRunning('m-6')).toBe(false);
    expect(await bbb.end('m-6')).toBe('alreadyGone');
    expect(await bbb.end('never-created')).toBe('alreadyGone');
  });
});

describe('expiry on the simulator clock', () => {
  it('ends a never-joined meeting after meetingExpireIfNoUserJoinedInMinutes; create then opens a new session', async () => {
    let clock = 1_700_000_000_000;
    const client = clientOf(await simulator({ now: () => clock }), { retries: 3 });
    const first = await client.create({
      name: 'W',
      meetingID: 'exp-1',
      meetingExpireIfNoUserJoinedInMinutes: 2,
    });
    clock += 119_000;
    expect((await client.create({ name: 'W', meetingID: 'exp-1' })).duplicate).toBe(true);
    clock += 2_000;
    const second = await client.create({ name: 'W', meetingID: 'exp-1' });
    expect(second.duplicate).toBe(false);
    expect(Number(second.createTime)).toBe(clock);
    expect(first.createTime).toBe('1700000000000');
  });
});
