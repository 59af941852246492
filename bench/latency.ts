// Command-to-notice latency (design.md §1: "a visible answer within a second"): a user sends
// `!meeting …` and we time until that user's /sync sees the bot's privacy notice (and the consent
// prompt right after it). Measured in the same run, on the same Synapse: the bare message round trip
// between two users (the floor any bot answer sits on) and `!ping` → pong through the same bot
// process (the bot's own fixed cost without meeting work).
//
//   npx tsx bench/latency.ts [samples=20]
//
// Uses E2E_HOMESERVER_URL + E2E_REGISTRATION_SECRET when set, else scripts/synapse.sh (root on
// Debian), stopping the Synapse afterwards only if it started it.
import { randomBytes } from 'node:crypto';
import { startBot } from '../test/e2e/support/bot-process.js';
import {
  type MatrixEvent,
  reactionTo,
  TestHomeserver,
  type TestUser,
  waitForEvent,
} from '../test/e2e/support/homeserver.js';
import { acquireHomeserver } from '../test/e2e/support/homeserver-lifecycle.js';
import {
  createMeetingRoom,
  isNotice,
  isPrompt,
  postFrom,
  registerPeople,
} from '../test/e2e/support/meeting-helpers.js';
import { startBbbSimulator } from '../test/support/bbb-simulator.js';
import { type LatencyStats, measureMatrixRoundTrip, summarize } from './matrix-roundtrip.js';

const WARMUP = 2;

/** Sends `text` as `user` (whose long-poll is already running) and times each predicate's first hit. */
async function timeCommand(
  user: TestUser,
  roomId: string,
  text: string,
  predicates: Parameters<typeof waitForEvent>[2][],
): Promise<{ times: number[]; events: MatrixEvent[] }> {
  // Make sure the user's sync is current, so the wait below times delivery, not catching up.
  await user.sync.syncOnce(0);
  const t0 = performance.now();
  const commandId = await user.sendText(roomId, text);
  const times: number[] = [];
  const events: MatrixEvent[] = [];
  for (const predicate of predicates) {
    events.push(await waitForEvent(user, roomId, predicate, { afterEventId: commandId, timeoutMs: 30_000 }));
    times.push(performance.now() - t0);
  }
  return { times, events };
}

function row(label: string, s: LatencyStats, base: LatencyStats): string {
  const f = (x: number) => x.toFixed(1).padStart(8);
  const ratio = `${(s.median / base.median).toFixed(1)}×`.padStart(7);
  return `${label.padEnd(34)}${f(s.median)}${f(s.p90)}${f(s.min)}${f(s.max)}${ratio}`;
}

async function main(): Promise<void> {
  const samples = Number(process.argv[2] ?? 20);
  const acquired = await acquireHomeserver();
  const hs = new TestHomeserver(acquired.info);
  const secret = randomBytes(16).toString('hex');
  const sim = await startBbbSimulator({ secret });
  const botUser = await hs.registerUser('meetbot-latency', { displayName: 'Meeting Bot' });
  const bot = await startBot({
    homeserverUrl: acquired.info.url,
    botUser,
    config: { logLevel: 'info', bbb: { url: sim.url, secret } },
  });
  try {
    const roundTrip = await measureMatrixRoundTrip(hs, { samples, warmup: WARMUP });

    const [olga, alice, bob] = (await registerPeople(hs, ['Olga', 'Alice', 'Bob'])) as [
      TestUser,
      TestUser,
      TestUser,
    ];
    const roomId = await createMeetingRoom(olga, botUser.userId, [alice, bob], 'latency bench');
    const botId = botUser.userId;

    const ping: number[] = [];
    for (let i = 0; i < WARMUP + samples; i++) {
      const [t] = (await timeCommand(olga, roomId, '!ping', [postFrom(botId, 'pong')])).times;
      if (i >= WARMUP) ping.push(t!);
    }

    const notice: number[] = [];
    const prompt: number[] = [];
    for (let i = 0; i < WARMUP + samples; i++) {
      const { times, events } = await timeCommand(
        olga,
        roomId,
        `!meeting Latency ${i + 1} ${alice.userId} ${bob.userId}`,
        [isNotice(botId), isPrompt(botId)],
      );
      const [tn, tp] = times;
      // Untimed: let the bot finish this meeting (its seeded ❌ comes last) so that one sample's
      // trailing traffic does not slow the next one down.
      await waitForEvent(olga, roomId, reactionTo(events[1]!.event_id, '❌'), { timeoutMs: 30_000 });
      if (i >= WARMUP) {
        notice.push(tn!);
        prompt.push(tp!);
      }
    }

    const pingStats = summarize(ping);
    const noticeStats = summarize(notice);
    const promptStats = summarize(prompt);
    console.log(`command-to-notice latency on ${acquired.info.url}, ${samples} samples each (ms)`);
    console.log(
      `${''.padEnd(34)}${'median'.padStart(8)}${'p90'.padStart(8)}${'min'.padStart(8)}${'max'.padStart(8)}${'ratio'.padStart(7)}`,
    );
    console.log(row('message round trip (user → user)', roundTrip, roundTrip));
    console.log(row('!ping → pong', pingStats, roundTrip));
    console.log(row('!meeting → privacy notice', noticeStats, roundTrip));
    console.log(row('!meeting → consent prompt', promptStats, roundTrip));
    console.log(
      `ratio = median / median of the bare round trip; notice p90 / round-trip p90 = ${(noticeStats.p90 / roundTrip.p90).toFixed(1)}×`,
    );
  } finally {
    await bot.dispose();
    await sim.close();
    await acquired.release();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
