import { describe, expect } from 'vitest';
import { join } from '../../../src/i18n/rich.js';
import { ALICE, BOB, ORGANIZER, ROOM } from '../../support/app-harness.js';
import { fullNoticeOpening, said, t } from '../../support/catalogue.js';
import { it } from '../../support/fixtures.js';

describe('consent-gated meeting', () => {
  it('records only when every invitee agreed, and gives each a personal link', async ({ h }) => {
    const { prompt } = await h.plan(`Weekly sync ${ALICE} ${BOB}`);
    expect(h.chat.inRoom(ROOM)[0]?.text.startsWith(fullNoticeOpening)).toBe(true);
    await h.agree(prompt, ORGANIZER, ALICE, BOB);

    const [session] = h.sim.sessions();
    expect(session?.record).toBe(true);
    expect(session?.autoStartRecording).toBe(true);
    expect(session?.allowStartStopRecording).toBe(false);
    expect(h.chat.inRoom(ROOM).some((m) => m.text.includes(said(t.recordingOn(3))))).toBe(true);
    for (const user of [ORGANIZER, ALICE, BOB]) {
      const links = h.chat.dmOf(user).filter((m) => m.text.includes('/join?'));
      expect(links).toMatchObject([{ text: expect.stringContaining(encodeURIComponent(user)) }]);
    }
  });

  it('opens unrecorded when one declines, and names the reason', async ({ h }) => {
    const { prompt } = await h.plan(`Retro ${ALICE} ${BOB}`, ORGANIZER);
    await h.react(ALICE, prompt, '❌');
    await h.react(BOB, prompt, '✅️'); // with U+FE0F
    expect(h.sim.sessions()[0]?.record).toBe(false);
    const declined = said(t.recordingOffReasons([t.reasonDeclined(join(['Alice']))]));
    expect(h.chat.inRoom(ROOM).some((m) => m.text.includes(declined))).toBe(true);
  });
});
