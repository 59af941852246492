// `!meeting` stores the meeting, its guests and the evidence that it was planned in one transaction:
// a failure (or a crash) part-way leaves nothing behind that a restart would go on asking with.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { catalogue } from '../../../src/i18n/index.js';
import { ALICE, createHarness, type Harness, ORGANIZER, ROOM } from '../../support/app-harness.js';

const t = catalogue('de');
const HTTP = { http: { enabled: true, port: 0, publicUrl: 'https://bot.example.org/meet/' } };

let h: Harness;
afterEach(() => h.close());

describe('planning a meeting with guests', () => {
  it('stores nothing when storing a guest fails, so a restart asks nobody without them', async () => {
    h = await createHarness(HTTP);
    const guests = h.app.ctx.stores.guests;
    vi.spyOn(guests, 'create').mockImplementationOnce(() => {
      throw new Error('disk full');
    });

    await h.say(ORGANIZER, `!meeting Weekly sync ${ALICE} --guest "Erika Muster"`);

    const count = (sql: string) => h.app.ctx.stores.db.$client.prepare(`select count(*) as n ${sql}`).get();
    expect(h.chat.inRoom(ROOM).map((m) => m.text)).toEqual([t.internalError.text]);
    expect(count('from meetings')).toEqual({ n: 0 });
    expect(count('from invitees')).toEqual({ n: 0 });
    expect(count("from audit_log where action like 'meeting.%'")).toEqual({ n: 0 });

    await h.restartAndReconcile();
    expect(h.app.ctx.stores.meetings.inStates(['collecting', 'open'])).toEqual([]);
    expect(h.chat.inRoom(ROOM)).toHaveLength(1);
  });
});
