// What people see inside the BBB meeting (design.md §2, §3.5): the create call of a recorded session carries
// BBB's recording dialog with our text, the formats switch and the dashboard switch; an unrecorded one says so in
// its welcome text; before a withdrawal ends a recorded session, a line in the meeting's chat says why, naming
// nobody. Against the BBB simulator over HTTP, as BBB 3.0 (default) and as BBB 2.7.
import { describe, expect } from 'vitest';
import { catalogue } from '../../../src/i18n/index.js';
import { person } from '../../../src/i18n/rich.js';
import { ALICE, BOB, ROOM } from '../../support/app-harness.js';
import { firstLayerOf, withdrawalLines } from '../../support/catalogue.js';
import { it } from '../../support/fixtures.js';
import { SAMPLE_NOTICE_FACTS } from '../../support/notice-facts.js';
import {
  currentSession,
  endedRecordedMeeting,
  joinAs,
  lastRoomText,
  openRecordedMeeting,
} from '../recordings/support.js';

const t = catalogue('de').inMeeting;

describe('BBB 3.0', () => {
  it('creates a recorded session with the recording dialog, our text, only the covered formats and no dashboard', async ({
    h,
  }) => {
    await openRecordedMeeting(h);
    const [session] = h.sim.sessions();
    expect(session?.params).toMatchObject({
      record: 'true',
      notifyRecordingIsOn: 'true',
      notifyRecordingAppend: t.recorded('!'),
      welcome: t.recorded('!'),
      disabledFeatures: 'learningDashboard',
      'meta_bbb-disable-recording-formats': 'screenshare,podcast,notes,ai-summary',
    });
  });

  it('switches off every format not in bbb.recordingFormats', async ({ harness }) => {
    const h = await harness({ bbb: { recordingFormats: ['presentation'] } });
    await openRecordedMeeting(h);
    expect(h.sim.sessions()[0]?.params['meta_bbb-disable-recording-formats']).toBe(
      'video,screenshare,podcast,notes,ai-summary',
    );
  });

  it('says in the welcome text of an unrecorded session that it is not recorded, without the recording dialog', async ({
    h,
  }) => {
    await h.plan(`Planning ${ALICE} --no-record`);
    const [session] = h.sim.sessions();
    expect(session?.record).toBe(false);
    expect(session?.params.welcome).toBe(t.unrecorded());
    expect(session?.params.disabledFeatures).toBe('learningDashboard');
    expect(session?.params).not.toHaveProperty('notifyRecordingIsOn');
    expect(session?.params).not.toHaveProperty('meta_bbb-disable-recording-formats');
  });

  it('posts a line naming nobody into the meeting chat before a withdrawal ends the recorded session', async ({
    h,
  }) => {
    const id = await openRecordedMeeting(h);
    const recorded = currentSession(h, id);
    await joinAs(h, ALICE);
    h.sim.resetRequests();

    await h.say(BOB, '!withdraw');

    const calls = h.sim.requests().map((r) => r.call);
    expect(calls.indexOf('sendChatMessage')).toBeGreaterThanOrEqual(0);
    expect(calls.indexOf('sendChatMessage')).toBeLessThan(calls.indexOf('end'));
    const ended = h.sim.sessions().find((s) => s.meetingID === recorded.bbbMeetingId && s.record)!;
    expect(ended.ended).toBe(true);
    expect(ended.chat.map((c) => c.message)).toEqual([t.endingAfterWithdrawal()]);
    for (const name of ['Bob', BOB, 'Alice']) expect(ended.chat[0]?.message).not.toContain(name);
    // The new, unrecorded session gets no such line.
    const next = h.sim.sessions().find((s) => !s.record)!;
    expect(next.chat).toEqual([]);
    expect(next.params.welcome).toBe(t.unrecorded());
  });
});

describe('BBB 2.7', () => {
  it('gets no 3.0 parameters and no chat line, and the withdrawal still ends the session', async ({
    harness,
  }) => {
    const h = await harness({}, { flavour: 'bbb-2.7' });
    const id = await openRecordedMeeting(h);
    const recorded = currentSession(h, id);
    const params = h.sim.sessions()[0]!.params;
    expect(params).toMatchObject({ notifyRecordingIsOn: 'true', welcome: t.recorded('!') });
    expect(params).not.toHaveProperty('notifyRecordingAppend');
    expect(params).not.toHaveProperty('meta_bbb-disable-recording-formats');
    await joinAs(h, ALICE);
    await h.say(BOB, '!withdraw');
    expect(h.sim.requests().map((r) => r.call)).not.toContain('sendChatMessage');
    expect(h.sim.sessions().find((s) => s.meetingID === recorded.bbbMeetingId && s.record)?.ended).toBe(true);
  });
});

describe('behind b3lb, accepted with bbb.acceptUnconfirmedDeletion', () => {
  it.override('harnessConfig', { bbb: { acceptUnconfirmedDeletion: true } });
  it.override('harnessOptions', { flavour: 'b3lb' });
  const de = catalogue('de');
  const bob = person(BOB, 'Bob');

  it('promises no deletion: not in the first layer, not when a withdrawal ends the recorded session', async ({
    h,
  }) => {
    const id = await openRecordedMeeting(h);
    const texts = h.chat.inRoom(ROOM).map((m) => m.text);
    expect(texts.some((t) => t.includes(de.noticeFacts.withdrawalDeletion(false)))).toBe(true); // full text
    // The first layer's withdrawal line is the one for a server where the bot cannot delete.
    const layer = (botDeletes: boolean) => firstLayerOf({ title: '', version: '', fullText: '', botDeletes });
    const only = (a: string, b: string) => a.split('\n').find((line) => !b.split('\n').includes(line))!;
    expect(texts.some((text) => text.includes(only(layer(false), layer(true))))).toBe(true);
    expect(texts.some((text) => text.includes(only(layer(true), layer(false))))).toBe(false);
    expect(texts.some((t) => t.includes(de.noticeFacts.withdrawalDeletion(true)))).toBe(false);
    await joinAs(h, ALICE);
    await h.say(BOB, '!withdraw');
    expect(lastRoomText(h)).toBe(
      de.withoutDeletion.restarted(bob, 'Weekly sync', SAMPLE_NOTICE_FACTS.contact).text,
    );
    expect(currentSession(h, id).record).toBe(false);
  });

  it('finds no recording there (b3lb lists nothing for state=any), and says so instead of "no recordings"', async ({
    h,
  }) => {
    const { id } = await endedRecordedMeeting(h);
    await h.app.discovery.closeEndedMeetings();
    await h.app.discovery.discoverAll();
    expect(h.sim.recordings()).toHaveLength(1); // it exists on the server …
    expect(h.app.ctx.stores.recordings.ofMeeting(id)).toEqual([]); // … and the bot cannot see it
    await h.say(BOB, `!withdraw #${id}`);
    expect(lastRoomText(h)).toBe(
      de.withoutDeletion.after(bob, 'Weekly sync', SAMPLE_NOTICE_FACTS.contact).text,
    );
    expect(lastRoomText(h)).not.toContain(withdrawalLines('Bob').none);
  });
});
