import { describe, expect, it } from 'vitest';
import { simulatorAs as start } from './support.js';

// The client asks the server's version and sends optional create parameters, and sendChatMessage, only where
// the server knows them; the deletion probe tells a front-end whose deletions can be confirmed from one that
// answers SUCCESS for anything (reference §3.1, §3.11, §6.1, §6.2).

const optional = {
  record: true,
  notifyRecordingIsOn: true,
  notifyRecordingAppend: 'Recorded because everyone agreed.',
  disabledFeatures: ['learningDashboard'],
  disableRecordingFormats: ['podcast', 'ai-summary'],
};

describe('optional create parameters by server version', () => {
  it('BBB 3.0.30 gets them all, and the version is asked once', async () => {
    const { sim, bbb } = await start('bbb-3.0');
    await bbb.create({ name: 'N', meetingID: 'm-1', ...optional });
    await bbb.create({ name: 'N', meetingID: 'm-2', ...optional });
    const params = sim.sessions()[0]!.params;
    expect(params).toMatchObject({
      notifyRecordingIsOn: 'true',
      notifyRecordingAppend: 'Recorded because everyone agreed.',
      disabledFeatures: 'learningDashboard',
      'meta_bbb-disable-recording-formats': 'podcast,ai-summary',
    });
    expect(sim.requests().filter((r) => r.call === 'version')).toHaveLength(1);
  });

  it('BBB 2.7 gets notifyRecordingIsOn and disabledFeatures, not the 3.0 ones', async () => {
    const { sim, bbb } = await start('bbb-2.7');
    await bbb.create({ name: 'N', meetingID: 'm-1', ...optional });
    const params = sim.sessions()[0]!.params;
    expect(params).toMatchObject({ notifyRecordingIsOn: 'true', disabledFeatures: 'learningDashboard' });
    expect(params).not.toHaveProperty('notifyRecordingAppend');
    expect(params).not.toHaveProperty('meta_bbb-disable-recording-formats');
  });

  it('BBB 2.5 gets disabledFeatures only', async () => {
    const { sim, bbb } = await start('bbb-2.5');
    await bbb.create({ name: 'N', meetingID: 'm-1', ...optional });
    const params = sim.sessions()[0]!.params;
    expect(params).toMatchObject({ disabledFeatures: 'learningDashboard' });
    expect(params).not.toHaveProperty('notifyRecordingIsOn');
    expect(params).not.toHaveProperty('notifyRecordingAppend');
  });

  it('behind Scalelite (version unknown) every parameter is passed on for the nodes', async () => {
    const { sim, bbb } = await start('scalelite');
    await bbb.create({ name: 'N', meetingID: 'm-1', ...optional });
    expect(sim.sessions()[0]!.params).toMatchObject({
      notifyRecordingIsOn: 'true',
      'meta_bbb-disable-recording-formats': 'podcast,ai-summary',
    });
  });
});

describe('sendChatMessage', () => {
  it('posts into the running meeting on BBB 3.0', async () => {
    const { sim, bbb } = await start('bbb-3.0');
    await bbb.create({ name: 'N', meetingID: 'c-1' });
    expect(await bbb.sendChatMessage('c-1', "It's ending.")).toBe('sent');
    expect(sim.sessions()[0]!.chat.map((c) => c.message)).toEqual(["It's ending."]);
    expect(await bbb.sendChatMessage('no-such-meeting', 'x')).toBe('notRunning');
  });

  it('is not even asked of BBB 2.7, and refused by Scalelite', async () => {
    const old = await start('bbb-2.7');
    await old.bbb.create({ name: 'N', meetingID: 'c-1' });
    expect(await old.bbb.sendChatMessage('c-1', 'x')).toBe('unsupported');
    expect(old.sim.requests().map((r) => r.call)).not.toContain('sendChatMessage');
    const lb = await start('scalelite');
    expect(await lb.bbb.sendChatMessage('c-1', 'x')).toBe('unsupported');
  });
});

describe('deletion probe', () => {
  it.each([
    ['bbb-3.0', 'confirms'],
    ['bbb-2.5', 'confirms'],
    ['scalelite', 'confirms'],
    ['b3lb', 'cannot-confirm'],
  ] as const)('%s: %s', async (flavour, expected) => {
    const { sim, bbb } = await start(flavour);
    const [kept] = sim.seedRecordings([{ meetingID: 'keep' }]);
    expect(await bbb.probeDeletion()).toBe(expected);
    expect(sim.recordings().map((r) => r.recordID)).toEqual([kept!.recordID]);
  });
});
