// Nothing a person says while the bot is down is lost (design.md §3.8), on the real Synapse: the bot
// process is stopped, Bob sends `!withdraw`, the bot starts again and carries it out, also when the
// sync after the downtime is `limited` (more traffic than one sync timeline holds), also after a ✅
// he gave while it was down (the meeting must not open recorded on it), and also when the
// command is older than the bot's age limit for commands (`matrix.commandMaxAgeMinutes`, shortened
// here so that "11 minutes of bot time" pass in seconds: 4 s against a 3 s limit, as 11 min against 10).
import { readFileSync, writeFileSync } from 'node:fs';
import { expect } from 'vitest';
import { catalogue } from '../../src/i18n/index.js';
import { recordingReadyOpening } from '../support/catalogue.js';
import { describeWorld, FAST_RETENTION, worldTest } from './support/fixtures.js';
import { type TestUser, waitForEvent } from './support/homeserver.js';
import {
  bodyOf,
  isOpened,
  type MeetingWorld,
  olgaAliceBob,
  planMeeting,
  postFrom,
  receiveLink,
  replyTo,
  runningRecordedMeeting,
  sessionsNamed,
  untilRecordingDeleted,
  wait,
} from './support/meeting-helpers.js';

const de = catalogue('de');
/** The words before the time in "(Deine Anfrage kam am <time> an, …)". */
const receivedAtPrefix = de.receivedAt('\u0000').text.split('\u0000')[0]!;

const it = worldTest({ retention: FAST_RETENTION });

describeWorld(it, 'commands sent while the bot was down', () => {
  /** A recorded meeting that ran; the bot announced its recording as ready. */
  async function recordedMeetingWithRecording(w: MeetingWorld, title: string) {
    const { olga, alice, bob, roomId, session } = await runningRecordedMeeting(w, title);
    w.sim.endMeeting(session.meetingID);
    await waitForEvent(olga, roomId, postFrom(w.botUser.userId, recordingReadyOpening(title)), wait);
    return { olga, alice, bob, roomId, meetingID: session.meetingID };
  }

  const recordingState = (w: MeetingWorld, meetingID: string) =>
    w.sim.recordings({ includeDeleted: true }).find((r) => r.meetingID === meetingID)?.state;

  async function expectWithdrawn(
    w: MeetingWorld,
    olga: TestUser,
    roomId: string,
    commandId: string,
    meetingID: string,
  ) {
    const answer = await waitForEvent(olga, roomId, replyTo(w.botUser.userId, commandId), {
      timeoutMs: 60_000,
    });
    expect(bodyOf(answer)).toContain('Bob');
    await untilRecordingDeleted(w.sim, meetingID);
    return answer;
  }

  it('a limited sync: the !withdraw before the traffic is read and carried out', async ({ w }) => {
    const title = 'Downtime busy';
    const { olga, alice, bob, roomId, meetingID } = await recordedMeetingWithRecording(w, title);
    await w.bot.stop();
    const commandId = await bob.sendText(roomId, '!withdraw');
    // More than one sync timeline holds (Synapse gives 10 events a room by default).
    for (let i = 0; i < 30; i++) await (i % 2 ? olga : alice).sendText(roomId, `chatter ${i}`);
    expect(recordingState(w, meetingID)).toBe('published');

    await w.bot.restart({ readyTimeoutMs: 60_000 });
    await expectWithdrawn(w, olga, roomId, commandId, meetingID);
    expect(w.bot.lines().some((l) => l.includes('read the events a limited sync skipped'))).toBe(true);
  });

  it('11 minutes of bot time later: !withdraw is carried out and says when it arrived; an organizer command is only answered', async ({
    w,
    botId,
  }) => {
    const title = 'Downtime long';
    const { olga, alice, bob, roomId, meetingID } = await recordedMeetingWithRecording(w, title);
    await w.bot.stop();
    const config = JSON.parse(readFileSync(w.bot.configPath, 'utf8'));
    config.matrix.commandMaxAgeMinutes = 0.05;
    writeFileSync(w.bot.configPath, JSON.stringify(config));

    const commandId = await bob.sendText(roomId, '!withdraw');
    const meetingId = await olga.sendText(roomId, `!meeting Too late ${alice.userId}`);
    await new Promise((resolve) => setTimeout(resolve, 4_000));

    await w.bot.restart({ readyTimeoutMs: 60_000 });
    const answer = await expectWithdrawn(w, olga, roomId, commandId, meetingID);
    expect(bodyOf(answer)).toContain(receivedAtPrefix);
    const refused = await waitForEvent(olga, roomId, replyTo(botId, meetingId), wait);
    const [before] = de.receivedWhileOffline('!meeting', '\u0000').text.split('\u0000');
    expect(bodyOf(refused)).toContain(before!);
    expect(sessionsNamed(w.sim, 'Too late')).toHaveLength(0);
    expect(olga.sync.eventsIn(roomId).some(postFrom(botId, 'Too late'))).toBe(false);
  });

  it('a ✅ and then a !withdraw, both sent while the bot was down: it opens unrecorded, no link to a recorded session', async ({
    w,
    botId,
  }) => {
    const title = 'Downtime changed mind';
    const { olga, alice, bob, roomId } = await olgaAliceBob(w, title);
    const m = await planMeeting(olga, roomId, botId, title, [alice, bob]);
    for (const u of [olga, alice]) await u.react(roomId, m.prompt.event_id, '✅');
    await w.bot.stop();
    await bob.react(roomId, m.prompt.event_id, '✅');
    const commandId = await bob.sendText(roomId, '!withdraw');

    await w.bot.restart({ readyTimeoutMs: 60_000 });
    await waitForEvent(olga, roomId, replyTo(botId, commandId), { timeoutMs: 60_000 });
    await waitForEvent(olga, roomId, isOpened(botId, title), wait);
    const link = await receiveLink(bob, botId);
    expect(await w.sim.simulateJoin(link.url.toString())).toMatchObject({ ok: true });
    const sessions = sessionsNamed(w.sim, title);
    expect(sessions).toHaveLength(1);
    expect(sessions[0]?.record).toBe(false);
  });
});
