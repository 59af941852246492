// `npm run demo`: the bot's main job on embedded defaults — a real local Synapse (scripts/synapse.sh,
// or E2E_HOMESERVER_URL + E2E_REGISTRATION_SECRET), the BBB simulator, a fresh SQLite file, the bot
// as its own process — and a short scripted meeting whose transcript is printed.
//
// Scenario: Olga plans "Weekly sync" with Alice and Bob; all agree; the meeting opens recorded and
// everyone gets a personal link; Alice joins, the meeting ends, the recording appears; Bob withdraws
// his consent and the recording is deleted.

import { execFile } from 'node:child_process';
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
const started = Date.now();
const say = (line: string) =>
  console.log(`[${((Date.now() - started) / 1000).toFixed(1).padStart(5)} s] ${line}`);

function show(who: string, event: MatrixEvent): void {
  const body = String((event.content as { body?: unknown }).body ?? '');
  // Join links are bearer credentials: the demo shows them shortened, as a careful bot log would.
  const safe = body.replace(/(https?:\/\/\S+\/join\?)\S+/g, '$1…');
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
    show(
      'bot',
      await waitForEvent(olga, roomId, fromBot(/Datenschutzhinweis|Privacy notice/), {
        afterEventId: commandId,
        timeoutMs: 20_000,
      }),
    );
    const prompt = await waitForEvent(olga, roomId, fromBot(/✅/), {
      afterEventId: commandId,
      timeoutMs: 20_000,
    });
    show('bot', prompt);

    for (const [name, user] of [
      ['Olga', olga],
      ['Alice', alice],
      ['Bob', bob],
    ] as [string, TestUser][]) {
      say(`${name} reacts ✅`);
      await user.react(roomId, prompt.event_id, '✅');
    }
    show('bot', await waitForEvent(olga, roomId, fromBot(/eröffnet|is open/), { timeoutMs: 20_000 }));

    const links: Record<string, string> = {};
    for (const [name, user] of [
      ['Olga', olga],
      ['Alice', alice],
      ['Bob', bob],
    ] as [string, TestUser][]) {
      const dm = await acceptNextInvite(user, { from: botUser.userId, timeoutMs: 20_000 });
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

    say('Bob: !withdraw');
    const withdrawId = await bob.sendText(roomId, '!withdraw');
    show(
      'bot',
      await waitForEvent(bob, roomId, fromBot(/Widerruf|Withdrawal/), {
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
      await waitForEvent(olga, roomId, fromBot(/#1/), { afterEventId: statusId, timeoutMs: 20_000 }),
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

main().catch((error: unknown) => {
  console.error('demo failed:', error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
