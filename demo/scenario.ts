// `npm run demo`: the bot's main job on embedded defaults — a real local Synapse (scripts/synapse.sh,
// or E2E_HOMESERVER_URL + E2E_REGISTRATION_SECRET), the BBB simulator, a fresh SQLite file, the bot
// as its own process — and a short scripted meeting whose transcript is printed.
//
// Scenario: Olga plans "Weekly sync" with Alice and Bob; all agree; the meeting opens recorded and
// everyone gets a personal link; Alice joins, the meeting ends, the recording appears and everyone
// gets its playback link by direct message; Bob withdraws his consent and the recording is deleted.
//
// `npm run demo -- --keep` stops before the withdrawal and leaves the homeserver, the BBB simulator and
// the bot running: it prints the homeserver URL and the people's user names and passwords, so that a
// person can log in with any Matrix client and try the commands. Ctrl-C stops what the demo started.
// With DEMO_INFO_FILE set, it also writes those facts as JSON there (scripts/screenshot.sh reads them).
//
// Whatever fails (the bot dying, a timeout, Ctrl-C or SIGTERM before the end), the demo stops what it
// started and exits non-zero within seconds. DEMO_BOT_NODE_OPTIONS gives the bot process (only) extra
// Node options: test/e2e/demo-failure.test.ts makes it crash with them.

import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { type BotProcess, startBot } from '../test/e2e/support/bot-process.js';
import {
  acceptNextInvite,
  type MatrixEvent,
  messageFrom,
  TestHomeserver,
  type TestUser,
  waitForEvent,
} from '../test/e2e/support/homeserver.js';
import { acquireHomeserver, REPO_ROOT } from '../test/e2e/support/homeserver-lifecycle.js';
import { type BbbSimulator, startBbbSimulator } from '../test/support/bbb-simulator.js';

const SECRET = 'demo-bbb-secret-not-for-production';
const KEEP = process.argv.slice(2).includes('--keep');
const startedAt = Date.now();
const say = (line: string) =>
  console.log(`[${((Date.now() - startedAt) / 1000).toFixed(1).padStart(5)} s] ${line}`);

function show(who: string, event: MatrixEvent): void {
  const body = String((event.content as { body?: unknown }).body ?? '');
  // Join links are bearer credentials: the demo shows them shortened, as a careful bot log would.
  const safe = body
    .replace(/(https?:\/\/\S+\/join\?)\S+/g, '$1…')
    .replace(/(https?:\/\/\S+\/playback\/\S+\/)[^/\s]+/g, '$1…')
    .replace(/(https:\/\/matrix\.to\/#\/)\S+/g, '$1…');
  const lines = safe.split('\n');
  const clipped = lines.length > 8 ? [...lines.slice(0, 3), `  … (${lines.length - 3} more lines)`] : lines;
  say(`${who}:\n      ${clipped.join('\n      ')}`);
}

// Whatever ends the demo (the scenario's end, an error, the bot's death, Ctrl-C or SIGTERM), what it
// started is stopped, newest first, and the process exits: an HTTP server or a dead bot's pending wait
// must not keep it (and the homeserver it started) alive.
const cleanups: (() => Promise<unknown>)[] = [];
let abort: (error: Error) => void = () => {};
const aborted = new Promise<never>((_, reject) => {
  abort = reject;
});
aborted.catch(() => {}); // only ever raced
/** Waits for `work`, unless the demo is aborted first. */
const step = <T>(work: Promise<T>): Promise<T> => Promise.race([work, aborted]);
/** Set while `--keep` waits: a signal then is the normal end. */
let endKeep: (() => void) | null = null;
let signalled: NodeJS.Signals | null = null;
let signalledAt = 0;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (signalled) {
      // Ctrl-C under `npm run demo` arrives twice: from the terminal and passed on by npm.
      if (performance.now() - signalledAt < 2_000) return;
      // Another one later, while stopping: now. bot-process.ts SIGKILLs the bot on exit.
      console.error(`demo: ${signal} again, exiting at once`);
      process.exit(1);
    }
    signalled = signal;
    signalledAt = performance.now();
    if (endKeep) endKeep();
    else abort(new Error(`stopped by ${signal}`));
  });
}

/** Registers how to stop what `starting` starts (also if it is still starting when the demo ends). */
function started<T>(starting: Promise<T>, stop: (it: T) => Promise<unknown>): Promise<T> {
  cleanups.push(async () => {
    const it = await starting.catch(() => null);
    if (it !== null) await stop(it);
  });
  return step(starting);
}

async function stopAll(): Promise<void> {
  for (const stop of cleanups.reverse()) {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      stop().catch((error: unknown) => console.error('demo: while stopping:', errorText(error))),
      new Promise((resolve) => {
        timer = setTimeout(resolve, 15_000);
      }),
    ]);
    clearTimeout(timer);
  }
}

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

async function main(): Promise<void> {
  say('starting the homeserver, the BBB simulator and the bot …');
  try {
    await scenario();
  } finally {
    await stopAll();
  }
}

async function scenario(): Promise<void> {
  const acquired = await started(acquireHomeserver(), (a) => a.release());
  const hs = new TestHomeserver(acquired.info);
  const sim = await started(startBbbSimulator({ secret: SECRET, processingDelayMs: 1500 }), (s) => s.close());
  const botUser = await step(hs.registerUser('meetbot', { displayName: 'Meeting-Bot' }));
  const olga = await step(hs.registerUser('olga', { displayName: 'Olga' }));
  const alice = await step(hs.registerUser('alice', { displayName: 'Alice' }));
  const bob = await step(hs.registerUser('bob', { displayName: 'Bob' }));
  const botOptions = process.env.DEMO_BOT_NODE_OPTIONS;
  const bot = await started(
    startBot({
      homeserverUrl: acquired.info.url,
      botUser,
      config: {
        bbb: { url: sim.url, secret: SECRET },
        retention: { discoverySchedule: '*/2 * * * * *' },
        language: process.env.DEMO_LANG === 'en' ? 'en' : 'de',
        logLevel: 'info',
      },
      // Node options for the bot process only: how the tests make the bot crash on purpose.
      env: botOptions ? { NODE_OPTIONS: botOptions } : undefined,
    }),
    (b) => b.dispose(),
  );
  // A bot that dies ends the demo at once, rather than each wait below running into its timeout.
  void bot
    .whenExited()
    .then((info) =>
      abort(
        new Error(
          `the bot exited (code ${info.code}, signal ${info.signal}); its last lines:\n${bot.tail(15)}`,
        ),
      ),
    );
  await step(meeting(bot, botUser, olga, alice, bob, sim, acquired.info.url));
}

async function meeting(
  bot: BotProcess,
  botUser: TestUser,
  olga: TestUser,
  alice: TestUser,
  bob: TestUser,
  sim: BbbSimulator,
  homeserverUrl: string,
): Promise<void> {
  const fromBot = (text: string | RegExp) => messageFrom(botUser.userId, text);
  const roomId = await olga.createRoom({
    name: 'Team',
    invite: [botUser.userId, alice.userId, bob.userId],
  });
  await acceptNextInvite(alice, { from: olga.userId });
  await acceptNextInvite(bob, { from: olga.userId });
  await waitForEvent(
    olga,
    roomId,
    (e) =>
      e.type === 'm.room.member' &&
      e.state_key === botUser.userId &&
      (e.content as { membership?: string }).membership === 'join',
    { timeoutMs: 20_000 },
  );
  say(`room ${roomId}: Olga, Alice, Bob and ${botUser.userId}`);

  const command = `!meeting Weekly sync ${alice.userId} ${bob.userId}`;
  say(`Olga: ${command}`);
  const commandId = await olga.sendText(roomId, command);
  const after = { afterEventId: commandId, timeoutMs: 20_000 };
  // The full notice comes once per room and notice version; every meeting gets the short first layer.
  show(
    'bot',
    await waitForEvent(
      olga,
      roomId,
      fromBot(/^(Vollständiger Datenschutzhinweis|Full privacy notice)/),
      after,
    ),
  );
  show(
    'bot',
    await waitForEvent(olga, roomId, fromBot(/^(Datenschutzhinweis zur|Privacy notice for)/), after),
  );
  const prompt = await waitForEvent(olga, roomId, fromBot(/^(Besprechung|Meeting) #\d+/), after);
  show('bot', prompt);

  for (const [name, user] of [
    ['Olga', olga],
    ['Alice', alice],
    ['Bob', bob],
  ] as [string, TestUser][]) {
    say(`${name} reacts ✅`);
    await user.react(roomId, prompt.event_id, '✅');
  }
  show(
    'bot',
    await waitForEvent(olga, roomId, fromBot(/^(Die Besprechung .* ist eröffnet|The meeting .* is open)/), {
      timeoutMs: 20_000,
    }),
  );

  const links: Record<string, string> = {};
  const dmRooms: Record<string, string> = {};
  for (const [name, user] of [
    ['Olga', olga],
    ['Alice', alice],
    ['Bob', bob],
  ] as [string, TestUser][]) {
    const dm = await acceptNextInvite(user, { from: botUser.userId, timeoutMs: 20_000 });
    dmRooms[name] = dm;
    const link = await waitForEvent(user, dm, fromBot(/\/join\?/), { timeoutMs: 20_000 });
    show(`bot → ${name} (direct message)`, link);
    links[name] =
      /(https?:\/\/\S+\/join\?\S+)/.exec(String((link.content as { body?: unknown }).body))?.[1] ?? '';
  }
  const session = sim.sessions()[0]!;
  say(
    `BBB simulator: session ${session.meetingID} created with record=${session.record}, autoStartRecording=${session.autoStartRecording}, allowStartStopRecording=${session.allowStartStopRecording}`,
  );
  const joined = await sim.simulateJoin(links.Alice!);
  say(
    `Alice opens her link → BBB join ${joined.ok ? 'accepted' : 'refused'} (recording starts with the first participant)`,
  );
  sim.endMeeting(session.meetingID);
  say('everyone leaves; the meeting ends; BBB processes the recording …');
  show(
    'bot',
    await waitForEvent(olga, roomId, fromBot(/Aufzeichnung .* ist fertig|recording .* is ready/i), {
      timeoutMs: 30_000,
    }),
  );
  const aliceDm = dmRooms.Alice!;
  show(
    'bot → Alice (direct message)',
    await waitForEvent(alice, aliceDm, fromBot(/\/playback\//), { timeoutMs: 30_000 }),
  );

  if (KEEP) {
    await keepRunning({
      homeserverUrl,
      roomId,
      people: { Olga: olga, Alice: alice, Bob: bob },
      dmRooms,
      botUserId: botUser.userId,
      bbbUrl: sim.url,
    });
    return;
  }

  say('Bob: !withdraw');
  const withdrawId = await bob.sendText(roomId, '!withdraw');
  show(
    'bot',
    await waitForEvent(bob, roomId, fromBot(/^(Widerruf von|Withdrawal by)/), {
      afterEventId: withdrawId,
      timeoutMs: 30_000,
    }),
  );
  const left = sim.recordings({ includeDeleted: true }).map((r) => `${r.recordID}: ${r.state}`);
  say(`BBB simulator recordings now: ${left.join(', ') || 'none'}`);

  say('Olga: !status #1');
  const statusId = await olga.sendText(roomId, '!status #1');
  show(
    'bot',
    await waitForEvent(olga, roomId, fromBot(/^(Gerade ist hier|No meeting is|#1 )/), {
      afterEventId: statusId,
      timeoutMs: 20_000,
    }),
  );
  // What the data-protection officer gets: the evidence report of this meeting (the notice text abridged).
  say('operator: npm run evidence -- --config <the bot config> --meeting 1');
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', 'src/evidence/cli.ts', '--config', bot.configPath, '--meeting', '1'],
    { cwd: REPO_ROOT },
  );
  // Abridged for the screen: the columns that tell the story, the notice version and text shortened.
  const columns = ['type', 'state', 'record', 'bbb_meeting_id', 'user_id', 'answer', 'at', 'matrix_event_id'];
  const rows = (parse(stdout, { columns: true }) as Record<string, string>[]).map((r) => ({
    ...Object.fromEntries(columns.map((c) => [c, r[c]])),
    notice: r.notice_version?.slice(0, 12),
    deleted: [r.deletion_rule, r.deleted_at, r.deleted_by].filter(Boolean).join(' '),
    ...(r.type === 'notice' ? { text: `${r.text?.slice(0, 30)}… (${r.text?.length} characters)` } : {}),
  }));
  console.log(
    stringify(rows, { header: true, columns: [...columns, 'notice', 'deleted', 'text'] }).trimEnd(),
  );
  say("demo finished: consent collected, recording made only with everyone's ✅, deleted on withdrawal.");
}

/** `--keep`: prints how to log in, then waits for Ctrl-C (or SIGTERM) before main's clean-up runs. */
async function keepRunning(info: {
  homeserverUrl: string;
  roomId: string;
  people: Record<string, TestUser>;
  dmRooms: Record<string, string>;
  botUserId: string;
  bbbUrl: string;
}): Promise<void> {
  const people = Object.entries(info.people).map(([name, u]) => ({
    name,
    userId: u.userId,
    user: u.userId.slice(1, u.userId.indexOf(':')),
    password: u.password,
    dmRoomId: info.dmRooms[name],
  }));
  console.log(
    [
      '',
      'Everything keeps running (--keep). Log in with any Matrix client (e.g. Element, nheko):',
      `  homeserver: ${info.homeserverUrl}`,
      ...people.map((p) => `  ${p.name.padEnd(6)} user ${p.user}  password ${p.password}`),
      `  the room: "Team" (${info.roomId}); the bot is ${info.botUserId}`,
      `  BBB simulator: ${info.bbbUrl}`,
      'Try !status, !recordings, !meeting Retro --at "in 15 Minuten", !withdraw, !mydata, !help.',
      'Ctrl-C stops the bot, the BBB simulator and the homeserver if the demo started it.',
    ].join('\n'),
  );
  if (process.env.DEMO_INFO_FILE) {
    writeFileSync(
      process.env.DEMO_INFO_FILE,
      `${JSON.stringify({ homeserverUrl: info.homeserverUrl, roomId: info.roomId, botUserId: info.botUserId, people }, null, 2)}\n`,
      { mode: 0o600 },
    );
  }
  await new Promise<void>((resolve) => {
    endKeep = resolve;
  });
  say('stopping …');
}

// Exit explicitly, once everything is stopped: nothing left over may keep the process alive.
main().then(
  () => process.exit(0),
  (error: unknown) => {
    if (signalled) {
      console.error(`demo stopped by ${signalled}; what it started is stopped`);
      process.exit(signalled === 'SIGINT' ? 130 : 143);
    }
    console.error('demo failed:', errorText(error));
    console.error('demo: what it started is stopped');
    process.exit(1);
  },
);
