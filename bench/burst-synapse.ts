// A consent burst through the real Synapse, with private prompts (consent.ask "direct", the default):
// an organizer plans a meeting with `invitees` people in all (the organizer included; the default of
// limits.maxInvitees), the bot asks each of them in their DM room, and all of them answer ✅ there
// at once (the bench prints how long sending them took). Measured: from the last answer's send (the homeserver has it) until the
// organizer's client sees the room's announcement that the meeting opened (recorded), and until every
// person's client has their link. Real users (unique names) on the shared Synapse, the bot as a
// process (compiled), a BBB simulator as its BBB. `runs` meetings, one after another, same people.
//
//   npx tsx bench/burst-synapse.ts [invitees=100] [runs=3] [answers in flight=invitees]
import './node-version.js';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { type BotProcess, startBot } from '../test/e2e/support/bot-process.js';
import { TestHomeserver, type TestUser, waitForEvent } from '../test/e2e/support/homeserver.js';
import { acquireHomeserver } from '../test/e2e/support/homeserver-lifecycle.js';
import { isOpened, postFrom, receivePrompt } from '../test/e2e/support/meeting-helpers.js';
import { startBbbSimulator } from '../test/support/bbb-simulator.js';
import { percentile } from './matrix-roundtrip.js';
import { mapLimit } from './seed-scale.js';

const print = (line: string) => process.stdout.write(`${line}\n`);
const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
const TIMEOUT = 120_000;

async function main(): Promise<void> {
  const invitees = Number(process.argv[2] ?? 100);
  const runs = Number(process.argv[3] ?? 3);
  const inFlight = Number(process.argv[4] ?? invitees);
  const acquired = await acquireHomeserver();
  const hs = new TestHomeserver(acquired.info);
  const secret = randomBytes(16).toString('hex');
  const sim = await startBbbSimulator({ secret });
  let bot: BotProcess | undefined;
  try {
    if (spawnSync('npm', ['run', 'build'], { stdio: 'ignore' }).status !== 0)
      throw new Error('npm run build failed');
    const botUser = await hs.registerUser('meetbot-burst', { displayName: 'Meeting Bot' });
    let t = performance.now();
    const people = await mapLimit(
      Array.from({ length: invitees }, (_, i) => i),
      8,
      (i) => hs.registerUser(`burst-${i}`, { displayName: `Person ${i}` }),
    );
    const [organizer, ...others] = people as [TestUser, ...TestUser[]];
    const roomId = await organizer.createRoom({ name: 'burst bench', invite: [botUser.userId] });
    await mapLimit(others, 8, async (u) => {
      await organizer.request('POST', `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/invite`, {
        user_id: u.userId,
      });
      await u.join(roomId);
    });
    print(
      `${invitees} people registered and in one room in ${((performance.now() - t) / 1000).toFixed(1)} s`,
    );
    bot = await startBot({
      homeserverUrl: acquired.info.url,
      botUser,
      entry: 'compiled',
      // The e2e defaults ask in the room; the bot's own default is private prompts.
      config: { logLevel: 'info', consent: { ask: 'direct' }, bbb: { url: sim.url, secret } },
    });
    await waitForEvent(
      organizer,
      roomId,
      (e) =>
        e.type === 'm.room.member' &&
        e.state_key === botUser.userId &&
        (e.content as { membership?: string }).membership === 'join',
      { timeoutMs: TIMEOUT },
    );

    const opened: number[] = [];
    /** Each person's prompt of the run before: the next wait looks past it. */
    const lastPrompt = new Map<string, string>();
    const linked: number[] = [];
    for (let run = 1; run <= runs; run++) {
      const title = `Burst ${run} ${randomBytes(3).toString('hex')}`;
      t = performance.now();
      const commandId = await organizer.sendText(
        roomId,
        `!meeting ${title} ${others.map((u) => u.userId).join(' ')}`,
      );
      // Everyone's prompt in their DM room (the first run accepts the bot's DM invites).
      const prompts = await mapLimit(people, 16, (u) =>
        receivePrompt(u, botUser.userId, { afterEventId: lastPrompt.get(u.userId), timeoutMs: TIMEOUT }),
      );
      for (const [i, u] of people.entries()) lastPrompt.set(u.userId, prompts[i]!.prompt.event_id);
      const asked = performance.now() - t;
      const before = load();
      // All answers at once (or `inFlight` at a time).
      const firstSent = performance.now();
      const sentAt: number[] = [];
      const reactions = await mapLimit(people, inFlight, async (u, i) => {
        const id = await u.react(prompts[i]!.dmRoomId, prompts[i]!.prompt.event_id, '✅');
        sentAt.push(performance.now());
        return id;
      });
      const lastSent = Math.max(...sentAt);
      await waitForEvent(organizer, roomId, isOpened(botUser.userId, title), {
        afterEventId: commandId,
        timeoutMs: TIMEOUT,
      });
      const openedMs = performance.now() - lastSent;
      await mapLimit(people, 16, (u, i) =>
        waitForEvent(u, prompts[i]!.dmRoomId, postFrom(botUser.userId, '/api/join?'), {
          afterEventId: reactions[i],
          timeoutMs: TIMEOUT,
        }),
      );
      const linkedMs = performance.now() - lastSent;
      opened.push(openedMs);
      linked.push(linkedMs);
      print(
        `run ${run} (${inFlight} answers in flight): prompts in every DM ${(asked / 1000).toFixed(1)} s after the command; ${invitees} answers sent within ${((lastSent - firstSent) / 1000).toFixed(2)} s (load ${before}); ` +
          `last answer → room sees the meeting open ${openedMs.toFixed(0)} ms, → every link received ${linkedMs.toFixed(0)} ms`,
      );
      // Let the bot finish this meeting's trailing edits before the next one.
      await new Promise((r) => setTimeout(r, 5_000));
    }
    const errors = bot.records().filter((r) => typeof r.level === 'number' && r.level >= 50);
    print(
      `burst through Synapse, ${invitees} invitees, private prompts, ${runs} runs: last answer → opened median ${percentile(opened, 50).toFixed(0)} ms (min ${Math.min(...opened).toFixed(0)}, max ${Math.max(...opened).toFixed(0)}); ` +
        `→ every link median ${percentile(linked, 50).toFixed(0)} ms; ${errors.length} errors logged; goal: opened at most 1 s after the last answer`,
    );
  } finally {
    await bot?.dispose();
    await sim.close();
    await acquired.release();
  }
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
