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

import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { startBot } from '../test/e2e/support/bot-process.js';
import {
  acceptNextInvite,
  type MatrixEvent,
  messageFrom,
  TestHomeserver,
  type TestUser,
  waitForEvent,
} from '../test/e2e/support/homeserver.js';
import { acquireHomeserver, REPO_ROOT } from '../test/e2e/support/homeserver-lifecycle.js';
import { startBbbSimulator } from '../test/support/bbb-simulator.js';

const SECRET = 'demo-bbb-secret-not-for-production';
const KEEP = process.argv.slice(2).includes('--keep');
const started = Date.now();
const say = (line: string) =>
  console.log(`[${((Date.now() - started) / 1000).toFixed(1).padStart(5)} s] ${line}`);

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

async function main(): Promise<void> {
  say('starting the homeserver, the BBB simulator and the bot …');
  const acquired = await acquireHomeserver();
  const hs = new TestHomeserver(acquired.info);
  const sim = await startBbbSimulator({ secret: SECRET, processingDelayMs: 1500 });
  const botUser = await hs.registerUser('meetbot', { displayName: 'Meeting-Bot' });
  const olga = await hs.registerUser('olga', { displayName: 'Olga' });
  const alice = await hs.registerUser('alice', { displayName: 'Alice' });
  const bob = await hs.registerUser('bob', { displayName: 'Bob' });
  const bot = await startBot({
    homeserverUrl: acquired.info.url,
    botUser,
    config: {
      bbb: { url: sim.url, secret: SECRET },
      retention: { discoverySchedule: '*/2 * * * * *' },
      language: process.env.DEMO_LANG === 'en' ? 'en' : 'de',
      logLevel: 'info',
    },
  });
  const fromBot = (text: string | RegExp) => messageFrom(botUser.userId, text);
  try {
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
        homeserverUrl: acquired.info.url,
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
    const columns = [
      'type',
      'state',
      'record',
      'bbb_meeting_id',
      'user_id',
      'answer',
      'at',
      'matrix_event_id',
    ];
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
  } finally {
    await bot.dispose();
    await sim.close();
    await acquired.release();
  }
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
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  say('stopping …');
}

main().catch((error: unknown) => {
  console.error('demo failed:', error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
