import { describe, expect, it } from 'vitest';
import { type BbbClient, signedUrl } from '../../../src/bbb/index.js';
import type { BbbSimulator } from '../../support/bbb-simulator.js';
import { simulatorAs as start } from './support.js';

// The simulator answers as BBB 3.0 by default, and as 2.7, 2.5, Scalelite or b3lb when asked: the client reads
// each the way the reference says the real one answers (shared/reference/bbb-api.md §1, §3.7, §6, §6.1).

/** What the simulator answers to `call` with `query`, unparsed. */
const raw = async (s: BbbSimulator, bbb: BbbClient, call: string, query: Record<string, string>) =>
  (await fetch(signedUrl(bbb.apiBase, call, query, s.secret, 'sha256'))).text();

describe('the BBB simulator per flavour', () => {
  it('answers as BBB 3.0 by default: bbbVersion in the API root, the total inside <pagination>', async () => {
    const { sim, bbb } = await start();
    expect((await bbb.version()).bbbVersion).toBe('3.0.30');
    sim.seedRecordings(Array.from({ length: 8 }, () => ({ meetingID: 'p' })));
    const xml = await raw(sim, bbb, 'getRecordings', { meetingID: 'p', offset: '0', limit: '3' });
    expect(xml).toMatch(/<pagination><pageable>.*<\/pageable><totalElements>8<\/totalElements>/);
    expect(xml).not.toMatch(/<\/recordings><totalElements>/);
    expect(await bbb.getAllRecordings({ meetingID: ['p'] }, 3)).toHaveLength(8);
  });

  it('answers as BBB 2.5 when asked: its version, and offset/limit ignored', async () => {
    const { sim, bbb } = await start('bbb-2.5');
    expect((await bbb.version()).bbbVersion).toBe('2.5.18');
    sim.seedRecordings(Array.from({ length: 8 }, () => ({ meetingID: 'p' })));
    const page = await bbb.getRecordingsPage({ meetingID: ['p'], offset: 0, limit: 3 });
    expect(page.totalElements).toBeUndefined();
    expect(page.recordings).toHaveLength(8);
  });

  it('has sendChatMessage on 3.0 only; Scalelite answers unsupportedRequest', async () => {
    const { sim, bbb } = await start('scalelite');
    expect(await bbb.version()).toEqual({ version: '2.0' });
    expect(await raw(sim, bbb, 'sendChatMessage', { meetingID: 'x', message: 'hi' })).toContain(
      '<messageKey>unsupportedRequest</messageKey>',
    );
  });

  it('answers as b3lb when asked: nothing listed with state=any, SUCCESS for deleting an ID that does not exist', async () => {
    const { sim, bbb } = await start('b3lb');
    sim.seedRecordings([{ meetingID: 'b' }]);
    expect(await bbb.getRecordings({ meetingID: ['b'], state: 'any' })).toEqual([]);
    expect(await bbb.getRecordings({ meetingID: ['b'] })).toHaveLength(1);
    expect(await raw(sim, bbb, 'deleteRecordings', { recordID: 'no-such-recording' })).toContain(
      '<returncode>SUCCESS</returncode>',
    );
  });

  it('BBB 3.0 and Scalelite answer notFound for deleting an ID that does not exist', async () => {
    for (const flavour of ['bbb-3.0', 'scalelite'] as const) {
      const { sim, bbb } = await start(flavour);
      expect(await raw(sim, bbb, 'deleteRecordings', { recordID: 'no-such-recording' })).toContain(
        '<messageKey>notFound</messageKey>',
      );
    }
  });
});
