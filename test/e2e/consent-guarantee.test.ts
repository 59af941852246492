// The consent guarantee end to end (issue #8), on a real homeserver with the bot as its own process
// and the BBB simulator with fault injection: cancel-then-withdraw deletes the recording; BBB `end`
// failing during a withdrawal leaves the session *ending* (the room is told the truth) until BBB
// recovers; a ✅ redacted while the bot was down is withdrawn before a live answer can open the meeting.
import { describe, expect } from 'vitest';
import { reason, tallyCount, withdrawalOf } from '../support/catalogue.js';
import { e2eHomeserver } from './support/context.js';
import { startWorld, worldTest } from './support/fixtures.js';
import { type TestUser, waitForEvent } from './support/homeserver.js';
import {
  agreedMeeting,
  BOT_TIMEOUT_MS,
  bodyOf,
  isOpened,
  type MeetingWorld,
  olgaAliceBob,
  planMeeting,
  postFrom,
  receiveLink,
  sessionsNamed,
  tallyEdit,
  until,
} from './support/meeting-helpers.js';

const hs = e2eHomeserver();
const wait = { timeoutMs: BOT_TIMEOUT_MS };
const it = worldTest({ retention: { discoverySchedule: '*/2 * * * * *', purgeSchedule: '*/3 * * * * *' } });

describe.skipIf(!hs)('the consent guarantee', () => {
  it.beforeAll(startWorld);

  /** A room with Olga, Alice, Bob and the bot; everyone agreed; Olga joined (the recording runs). */
  async function runningRecordedMeeting(w: MeetingWorld, title: string) {
    const botId = w.botUser.userId;
    const { olga, alice, bob, roomId, m } = await agreedMeeting(w, title);
    const links = new Map<TestUser, URL>();
    for (const u of [olga, alice, bob]) links.set(u, (await receiveLink(u, botId)).url);
    expect(await w.sim.simulateJoin(links.get(olga)!.toString())).toMatchObject({ ok: true });
    const [session] = sessionsNamed(w.sim, title);
    expect(session?.record).toBe(true);
    return { olga, alice, bob, roomId, session: session!, prompt: m.prompt.event_id };
  }

  it('cancel, then withdraw: the recording of the cancelled meeting is deleted', async ({ w, botId }) => {
    const title = 'Cancel then withdraw';
    const { olga, alice, roomId, session } = await runningRecordedMeeting(w, title);
    const cancelId = await olga.sendText(roomId, '!cancel');
    await waitForEvent(olga, roomId, postFrom(botId, 'wurde abgesagt'), { ...wait, afterEventId: cancelId });
    expect(sessionsNamed(w.sim, title)[0]?.ended).toBe(true);
    await until('BBB to list the recording', () =>
      w.sim.recordings().some((r) => r.meetingID === session.meetingID),
    );

    const withdrawId = await alice.sendText(roomId, '!withdraw');
    const told = await waitForEvent(olga, roomId, postFrom(botId, withdrawalOf('Alice')), {
      ...wait,
      afterEventId: withdrawId,
    });
    expect(bodyOf(told)).not.toContain('Es gab keine Aufzeichnungen');
    await until('the recording to be deleted in BBB', () =>
      w.sim
        .recordings({ includeDeleted: true })
        .filter((r) => r.meetingID === session.meetingID)
        .every((r) => r.state === 'deleted'),
    );
  });

  it('BBB end failing during a withdrawal: ending, retried, the room told only when it ended', async ({
    w,
    botId,
  }) => {
    const title = 'End fails';
    const { olga, bob, roomId, session } = await runningRecordedMeeting(w, title);
    w.sim.faults.set({ http500: ['end'] });
    try {
      const withdrawId = await bob.sendText(roomId, '!withdraw');
      const told = await waitForEvent(olga, roomId, postFrom(botId, withdrawalOf('Bob')), {
        ...wait,
        afterEventId: withdrawId,
      });
      expect(bodyOf(told)).toContain('noch nicht bestätigt');
      expect(bodyOf(told)).not.toContain('wurde beendet');
      // Still running in BBB: nothing claimed otherwise. A new unrecorded session is open.
      const sessions = sessionsNamed(w.sim, title);
      expect(sessions.find((s) => s.meetingID === session.meetingID)?.ended).toBe(false);
      await until('the unrecorded successor', () => sessionsNamed(w.sim, title).some((s) => !s.record));
    } finally {
      w.sim.faults.clear();
    }
    // BBB answers again: the frequent tick (every 15 s) ends it and the room hears it.
    const ended = await waitForEvent(olga, roomId, postFrom(botId, 'ist jetzt beendet'), {
      timeoutMs: 45_000,
    });
    expect(bodyOf(ended)).toContain(title);
    expect(sessionsNamed(w.sim, title).find((s) => s.meetingID === session.meetingID)?.ended).toBe(true);
    await until('the recording to be deleted in BBB', () => {
      const recs = w.sim
        .recordings({ includeDeleted: true })
        .filter((r) => r.meetingID === session.meetingID);
      return recs.length === 1 && recs[0]!.state === 'deleted';
    });
  }, 90_000);

  it('a ✅ redacted while the bot was down is withdrawn before a live ✅ opens the meeting', async ({
    w,
    botId,
  }) => {
    const title = 'Redacted while down';
    const { olga, alice, bob, roomId } = await olgaAliceBob(w, title);
    const m = await planMeeting(olga, roomId, botId, title, [alice, bob]);
    await olga.react(roomId, m.prompt.event_id, '✅');
    const aliceYes = await alice.react(roomId, m.prompt.event_id, '✅');
    await waitForEvent(olga, roomId, tallyEdit(botId, m.prompt.event_id, tallyCount('agreed', 2)), wait);

    await w.bot.kill();
    await alice.redact(roomId, aliceYes);
    await w.bot.restart({ readyTimeoutMs: 60_000 });
    const bobYes = await bob.react(roomId, m.prompt.event_id, '✅');
    const opened = await waitForEvent(olga, roomId, isOpened(botId, title), {
      ...wait,
      afterEventId: bobYes,
    });
    expect(bodyOf(opened)).toContain('Aufzeichnung AUS');
    expect(bodyOf(opened)).toContain(reason('withdrew', 'Alice'));
    const sessions = sessionsNamed(w.sim, title);
    expect(sessions.every((s) => !s.record)).toBe(true);
  }, 120_000);
});
