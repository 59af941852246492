// Command-to-notice latency (design.md §1: "a visible answer within a second"): a user sends
// `!meeting …` and we time until that user's /sync sees the bot's privacy notice (its first layer) and
// the room's consent prompt right after it, with private prompts (consent.ask "direct", the default).
// Measured in the same run, on the same Synapse: the bare message round trip between two users (the
// floor any bot answer sits on) and `!ping` → pong through the same bot process (the bot's own fixed
// cost without meeting work), `!ping` and `!meeting` samples alternating so that both meet the same
// state of the bot and the Synapse. After each `!meeting` the bench waits (untimed) until the bot has
// asked the last invitee in their DM room (the prompt and its seeded ❌), so that one sample's trailing
// traffic does not slow the next one.
//
// Encryption on beside off, in the same run: a second pair of series where the people use an encrypting
// client (matrix-js-sdk 43 with its Rust crypto in memory, as the e2e suite's CryptoUser): a plain room
// with a bot whose encryption is off, and an encrypted room with a bot whose encryption is on, both asking in
// the room (consent.ask "room": the prompt's seeded ❌ and tally edit mark the end of a meeting's work) (the command
// goes in encrypted, the notice comes back encrypted and is decrypted by the client). Both series use the
// same client and the same event-driven wait, and their samples alternate, so load on the machine falls
// on both alike; the difference of their medians is what encryption costs. That difference spreads from run
// to run, most of it on the notice's way from Synapse into the client's timeline (docs/benchmarks.md), so
// the pair takes more samples, and the median of the paired differences (each plain sample
// against the encrypted one right after it) is printed beside the difference of the medians. Where the
// time goes is printed too: the client's send, the bot's share (server timestamps), the moment the notice
// reached the client's timeline (still encrypted in the encrypted room) and the time until the client
// showed it.
//
//   npx tsx bench/latency.ts [samples=20] [encryption pairs=60]
//
// Uses E2E_HOMESERVER_URL + E2E_REGISTRATION_SECRET when set, else scripts/synapse.sh (root on
// Debian), stopping the Synapse afterwards only if it started it.
import './node-version.js';
import { randomBytes } from 'node:crypto';
import { MatrixEventEvent, RoomEvent } from 'matrix-js-sdk';
import { type BotProcess, startBot } from '../test/e2e/support/bot-process.js';
import { CryptoUser, type SeenEvent } from '../test/e2e/support/crypto-user.js';
import {
  acceptNextInvite,
  type EventPredicate,
  type MatrixEvent,
  membership,
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
  receivePrompt,
  registerPeople,
  tallyEdit,
} from '../test/e2e/support/meeting-helpers.js';

/** Bob's latest private prompt seen, so that the next wait looks past it. */
const bobDmLast = new Map<string, string>();

import { startBbbSimulator } from '../test/support/bbb-simulator.js';
import { type LatencyStats, measureMatrixRoundTrip, summarize } from './matrix-roundtrip.js';
import {
  type LoggedRequest,
  logMark,
  requestsSince,
  sendAt,
  synapseLogPath,
  syncBefore,
} from './synapse-request-log.js';

const WARMUP = 2;
/** Figures go straight to stdout: console.log/info/debug are muted (see main). */
const print = (line: string) => process.stdout.write(`${line}\n`);

const signed = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(1)}`;

/** matrix-js-sdk's module-level logger prints every step through console.log/info/debug. */
function muteConsole(): void {
  for (const level of ['log', 'info', 'debug'] as const) console[level] = () => {};
}

/**
 * Where one answer's time went, in three legs that add up to about its total (wall clock against
 * the server's timestamps, one machine and one clock): the command's way into the homeserver, the bot's
 * share (the command's server timestamp → the answer's: the homeserver filing the command, the bot's
 * sync, its work, its send), and the answer's way from its server timestamp into the user's sync.
 */
interface Legs {
  total: number;
  sent: number;
  bot: number;
  delivered: number;
  /** To find the requests in the homeserver's log: the two server timestamps and when the user had the answer. */
  commandTs: number;
  answerTs: number;
  seenAt: number;
}

/** Sends `text` as `user` (whose long-poll is already running) and times each predicate's first hit. */
async function timeCommand(
  user: TestUser,
  roomId: string,
  text: string,
  predicates: Parameters<typeof waitForEvent>[2][],
): Promise<Legs[]> {
  // Make sure the user's sync is current, so the wait below times delivery, not catching up.
  await user.sync.syncOnce(0);
  const t0 = performance.now();
  const wall0 = Date.now();
  const commandId = await user.sendText(roomId, text);
  const hits: { total: number; wall: number; event: MatrixEvent }[] = [];
  for (const predicate of predicates) {
    const event = await waitForEvent(user, roomId, predicate, { afterEventId: commandId, timeoutMs: 30_000 });
    hits.push({ total: performance.now() - t0, wall: Date.now(), event });
  }
  const command = user.sync.eventsIn(roomId).find((e) => e.event_id === commandId);
  const commandTs = command?.origin_server_ts ?? Number.NaN;
  return hits.map(({ total, wall, event }) => {
    const answerTs = event.origin_server_ts ?? Number.NaN;
    return {
      total,
      sent: commandTs - wall0,
      bot: answerTs - commandTs,
      delivered: wall - answerTs,
      commandTs,
      answerTs,
      seenAt: wall,
    };
  });
}

/**
 * The first event after `afterEventId` matching `predicate` as this client sees it (decrypted),
 * resolved on the client's own timeline and decryption events, so no polling interval adds to it.
 */
function clientSees(
  u: CryptoUser,
  roomId: string,
  predicate: EventPredicate,
  afterEventId: string,
  timeoutMs = 30_000,
): Promise<SeenEvent> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const events = u.seen(roomId);
      const i = events.findIndex((e) => e.event_id === afterEventId);
      const found = events.slice(i + 1).find((e) => predicate(e));
      if (found) {
        done();
        resolve(found);
      }
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`${u.userId}: no ${predicate.name || 'event'} in ${roomId} within ${timeoutMs} ms`));
    }, timeoutMs);
    const done = () => {
      clearTimeout(timer);
      u.client.off(RoomEvent.Timeline, check);
      u.client.off(MatrixEventEvent.Decrypted, check);
    };
    u.client.on(RoomEvent.Timeline, check);
    u.client.on(MatrixEventEvent.Decrypted, check);
    check();
  });
}

/** Olga, Alice and Bob on encrypting clients, in a new room (encrypted or not) with the bot. */
async function clientRoom(hs: TestHomeserver, botId: string, encrypted: boolean) {
  const people = (await registerPeople(hs, ['Olga', 'Alice', 'Bob'])) as [TestUser, TestUser, TestUser];
  const clients = await Promise.all(people.map((p) => CryptoUser.start(p)));
  const [olga, alice, bob] = clients as [CryptoUser, CryptoUser, CryptoUser];
  const roomId = await olga.user.createRoom({
    name: `latency bench, ${encrypted ? 'encrypted' : 'plain'}`,
    encrypted,
    invite: [botId, alice.userId, bob.userId],
  });
  await Promise.all([alice, bob].map((u) => acceptNextInvite(u.user, { from: olga.userId })));
  await waitForEvent(olga.user, roomId, membership(botId, 'join'), { timeoutMs: 30_000 });
  for (const u of clients) await u.awaitMembers(roomId, [botId, ...people.map((p) => p.userId)]);
  return { olga, alice, bob, roomId, clients };
}

interface ClientSample {
  /** Command sent → notice seen, as the user waits for it. */
  total: number;
  /** Until the client's send returned (encrypting included). */
  send: number;
  /** Server timestamps: the command's arrival at Synapse → the notice's (the bot's share, its sync included). */
  bot: number;
  /** Command sent → the bot's notice in the client's timeline, still encrypted in an encrypted room. */
  arrived: number;
  /** From there until the client shows it (decrypted). */
  shown: number;
}

/**
 * Watches for the first event from `sender` to reach the client's timeline in `roomId` (before it is
 * decrypted); the returned function stops watching and gives its time (NaN if none came).
 */
function watchFirstArrival(u: CryptoUser, roomId: string, sender: string): () => number {
  let at = Number.NaN;
  const onTimeline = (event: { getSender(): string | undefined; getRoomId(): string | undefined }) => {
    if (!Number.isNaN(at) || event.getRoomId() !== roomId || event.getSender() !== sender) return;
    at = performance.now();
  };
  u.client.on(RoomEvent.Timeline, onTimeline as never);
  return () => {
    u.client.off(RoomEvent.Timeline, onTimeline as never);
    return at;
  };
}

/** One `!meeting` through an encrypting client: time to the notice, then (untimed) to the bot's last ❌. */
async function timeClientMeeting(
  c: { olga: CryptoUser; alice: CryptoUser; bob: CryptoUser; roomId: string },
  botId: string,
  title: string,
): Promise<ClientSample> {
  // The bot's next event after the command is the notice (the previous meeting's last step was awaited).
  const arrival = watchFirstArrival(c.olga, c.roomId, botId);
  const t0 = performance.now();
  const commandId = await c.olga.sendText(c.roomId, `!meeting ${title} ${c.alice.userId} ${c.bob.userId}`);
  const send = performance.now() - t0;
  const notice = await clientSees(c.olga, c.roomId, isNotice(botId), commandId);
  const total = performance.now() - t0;
  const arrived = arrival() - t0;
  const command = c.olga.seen(c.roomId).find((e) => e.event_id === commandId);
  const bot = (notice.origin_server_ts ?? Number.NaN) - (command?.origin_server_ts ?? Number.NaN);
  const prompt = await clientSees(c.olga, c.roomId, isPrompt(botId), commandId);
  // Untimed: the bot's last steps for this meeting (its seeded ❌, then the prompt's tally edit), so
  // that one sample's trailing traffic does not slow the next one down.
  await clientSees(c.olga, c.roomId, reactionTo(prompt.event_id, '❌'), prompt.event_id);
  await clientSees(c.olga, c.roomId, tallyEdit(botId, prompt.event_id, ''), prompt.event_id);
  return { total, send, bot, arrived, shown: total - arrived };
}

const stats = (xs: Legs[], leg: keyof Legs = 'total') => summarize(xs.map((x) => x[leg]));

/** The first series: round trip, !ping and !meeting of the same bot, with the ratio the goal is about. */
function printFirst(roundTrip: LatencyStats, ping: Legs[], notice: Legs[], prompt: Legs[]): void {
  const pingStats = stats(ping);
  const noticeStats = stats(notice);
  print(
    `command-to-notice latency, private prompts, ${ping.length} samples each, !ping and !meeting alternating (ms)`,
  );
  print(
    `${''.padEnd(34)}${'median'.padStart(8)}${'p90'.padStart(8)}${'min'.padStart(8)}${'max'.padStart(8)}${'ratio'.padStart(7)}`,
  );
  print(row('message round trip (user → user)', roundTrip, roundTrip));
  print(row('!ping → pong', pingStats, roundTrip));
  print(row('!meeting → privacy notice', noticeStats, roundTrip));
  print(row('!meeting → consent prompt (room)', stats(prompt), roundTrip));
  print(
    `ratio = median / median of the bare round trip; notice p90 / round-trip p90 = ${(noticeStats.p90 / roundTrip.p90).toFixed(1)}×; ` +
      `!meeting → notice / !ping → pong (medians) = ${(noticeStats.median / pingStats.median).toFixed(2)}× (goal: at most 1.0×)`,
  );
  const legs = (xs: Legs[]) =>
    (['sent', 'bot', 'delivered'] as const).map((leg) => stats(xs, leg).median.toFixed(0)).join(' + ');
  print(
    `where it went (medians, ms: the command into the homeserver + the bot's share, command's server timestamp → answer's + the answer into the user's sync): ` +
      `!ping ${legs(ping)}, !meeting → notice ${legs(notice)}`,
  );
}

/**
 * The homeserver's own work in each leg, from its request log: the command's send, the answer's send
 * (the bot's request), and the user's /sync that delivered the answer (CPU and database time: its wall
 * time is mostly the long-poll's wait); between them, the bot's own time (its /sync's end → its send's
 * start, both as the homeserver logged them). Medians of the samples whose requests were found.
 */
function printHomeserverShare(
  requests: readonly LoggedRequest[],
  people: { user: string; bot: string; roomId: string },
  ping: Legs[],
  notice: Legs[],
): void {
  if (requests.length === 0) {
    print(`the homeserver's share: its request log (${synapseLogPath()}) is not on this machine`);
    return;
  }
  const median = (xs: (number | undefined)[]) => {
    const found = xs.filter((x): x is number => x !== undefined);
    return found.length ? `${summarize(found).median.toFixed(1)}` : '?';
  };
  const shares = (xs: Legs[]) => {
    const command = xs.map((x) => sendAt(requests, people.user, people.roomId, x.commandTs)?.wallMs);
    const answers = xs.map((x) => sendAt(requests, people.bot, people.roomId, x.answerTs));
    const syncs = xs.map((x) => syncBefore(requests, people.user, x.seenAt));
    // The bot's own time: from the end of its /sync that brought the command to the start of its send.
    const own = answers.map((a) => {
      const sentAt = a && a.end - a.wallMs;
      const brought = sentAt === undefined ? undefined : syncBefore(requests, people.bot, sentAt);
      return sentAt !== undefined && brought ? sentAt - brought.end : undefined;
    });
    return (
      `command's send ${median(command)}, the bot's own time ${median(own)}, answer's send ${median(answers.map((a) => a?.wallMs))}, ` +
      `delivering /sync CPU ${median(syncs.map((r) => r?.cpuMs))} + database ${median(syncs.map((r) => r?.dbMs))}`
    );
  };
  print(`from the homeserver's request log (medians, ms): !ping: ${shares(ping)}`);
  print(`${''.padEnd(49)}!meeting → notice: ${shares(notice)}`);
}

function row(label: string, s: LatencyStats, base: LatencyStats): string {
  const f = (x: number) => x.toFixed(1).padStart(8);
  const ratio = `${(s.median / base.median).toFixed(1)}×`.padStart(7);
  return `${label.padEnd(34)}${f(s.median)}${f(s.p90)}${f(s.min)}${f(s.max)}${ratio}`;
}

async function main(): Promise<void> {
  const samples = Number(process.argv[2] ?? 20);
  const pairs = Number(process.argv[3] ?? 60);
  const acquired = await acquireHomeserver();
  const hs = new TestHomeserver(acquired.info);
  const secret = randomBytes(16).toString('hex');
  const sim = await startBbbSimulator({ secret });
  const botUser = await hs.registerUser('meetbot-latency', { displayName: 'Meeting Bot' });
  const botEncUser = await hs.registerUser('meetbot-latency-e2ee', { displayName: 'Meeting Bot' });
  const clients: CryptoUser[] = [];
  let botEnc: BotProcess | undefined;
  const botRoomUser = await hs.registerUser('meetbot-latency-room', { displayName: 'Meeting Bot' });
  let botRoom: BotProcess | undefined;
  const bot = await startBot({
    homeserverUrl: acquired.info.url,
    botUser,
    // The e2e defaults ask in the room; the bot's own default is private prompts.
    config: { logLevel: 'info', consent: { ask: 'direct' }, bbb: { url: sim.url, secret } },
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

    const logFrom = logMark();
    const ping: Legs[] = [];
    const notice: Legs[] = [];
    const prompt: Legs[] = [];
    for (let i = 0; i < WARMUP + samples; i++) {
      const [pong] = await timeCommand(olga, roomId, '!ping', [postFrom(botId, 'pong')]);
      const [noticed, prompted] = await timeCommand(
        olga,
        roomId,
        `!meeting Latency ${i + 1} ${alice.userId} ${bob.userId}`,
        [isNotice(botId), isPrompt(botId)],
      );
      // Untimed: the bot's last step for this meeting, Bob's private prompt with its seeded ❌.
      const bobs = await receivePrompt(bob, botId, {
        afterEventId: bobDmLast.get(bob.userId),
        timeoutMs: 30_000,
      });
      await waitForEvent(bob, bobs.dmRoomId, reactionTo(bobs.prompt.event_id, '❌'), { timeoutMs: 30_000 });
      bobDmLast.set(bob.userId, bobs.prompt.event_id);
      if (i >= WARMUP) {
        ping.push(pong!);
        notice.push(noticed!);
        prompt.push(prompted!);
      }
    }

    if (pairs === 0) {
      printFirst(roundTrip, ping, notice, prompt);
      printHomeserverShare(requestsSince(logFrom), { user: olga.userId, bot: botId, roomId }, ping, notice);
      return;
    }
    // Encryption off beside on, through the same encrypting client, samples alternating.
    muteConsole();
    botEnc = await startBot({
      homeserverUrl: acquired.info.url,
      botUser: botEncUser,
      config: {
        logLevel: 'info',
        matrix: { encryption: true },
        consent: { ask: 'room' },
        bbb: { url: sim.url, secret },
      },
    });
    botRoom = await startBot({
      homeserverUrl: acquired.info.url,
      botUser: botRoomUser,
      config: { logLevel: 'info', consent: { ask: 'room' }, bbb: { url: sim.url, secret } },
    });
    const plainId = botRoomUser.userId;
    const plainRoom = await clientRoom(hs, plainId, false);
    const encRoom = await clientRoom(hs, botEncUser.userId, true);
    clients.push(...plainRoom.clients, ...encRoom.clients);
    const plainNotice: ClientSample[] = [];
    const encNotice: ClientSample[] = [];
    for (let i = 0; i < WARMUP + pairs; i++) {
      const tPlain = await timeClientMeeting(plainRoom, plainId, `Plain ${i + 1}`);
      const tEnc = await timeClientMeeting(encRoom, botEncUser.userId, `Encrypted ${i + 1}`);
      if (i >= WARMUP) {
        plainNotice.push(tPlain);
        encNotice.push(tEnc);
      }
    }
    const undecryptable = encRoom.olga.undecryptable(encRoom.roomId);
    if (undecryptable.length) throw new Error(`undecryptable in the encrypted room: ${undecryptable}`);
    const encEvents = encRoom.olga.seen(encRoom.roomId).filter((e) => e.sender === botEncUser.userId);
    if (!encEvents.some((e) => e.encrypted && isNotice(botEncUser.userId)(e)))
      throw new Error('the bot with encryption on did not send its notice encrypted');

    printFirst(roundTrip, ping, notice, prompt);
    printHomeserverShare(requestsSince(logFrom), { user: olga.userId, bot: botId, roomId }, ping, notice);
    const plainStats = summarize(plainNotice.map((x) => x.total));
    const encStats = summarize(encNotice.map((x) => x.total));
    const med = (xs: ClientSample[], k: keyof ClientSample) => summarize(xs.map((x) => x[k])).median;
    print('');
    print(
      `!meeting → privacy notice through an encrypting client (matrix-js-sdk 43, Rust crypto), ${pairs} samples each, alternating (ms)`,
    );
    print(
      `${''.padEnd(34)}${'median'.padStart(8)}${'p90'.padStart(8)}${'min'.padStart(8)}${'max'.padStart(8)}${'ratio'.padStart(7)}`,
    );
    print(row('plain room, bot encryption off', plainStats, plainStats));
    print(row('encrypted room, encryption on', encStats, plainStats));
    print(
      `where it goes (medians): client send ${med(plainNotice, 'send').toFixed(1)} → ${med(encNotice, 'send').toFixed(1)} ms; command → notice at the server (the bot's share) ${med(plainNotice, 'bot').toFixed(0)} → ${med(encNotice, 'bot').toFixed(0)} ms; ` +
        `sent → notice in the client's timeline ${med(plainNotice, 'arrived').toFixed(1)} → ${med(encNotice, 'arrived').toFixed(1)} ms, then until it is shown (decrypted) ${med(plainNotice, 'shown').toFixed(1)} → ${med(encNotice, 'shown').toFixed(1)} ms`,
    );
    const paired = summarize(encNotice.map((e, i) => e.total - plainNotice[i]!.total));
    const pairedBot = summarize(encNotice.map((e, i) => e.bot - plainNotice[i]!.bot));
    print(
      `encryption cost: median ${signed(encStats.median - plainStats.median)} ms (${(encStats.median / plainStats.median).toFixed(2)}×), p90 ${signed(encStats.p90 - plainStats.p90)} ms (${(encStats.p90 / plainStats.p90).toFixed(2)}×); ` +
        `median of the ${pairs} paired differences ${signed(paired.median)} ms (the bot's share ${signed(pairedBot.median)} ms); goal: at most +20 ms median`,
    );
  } finally {
    for (const c of clients) c.stop();
    await botEnc?.dispose();
    await botRoom?.dispose();
    await bot.dispose();
    await sim.close();
    await acquired.release();
  }
}

main().then(
  // The clients' WebAssembly crypto can keep handles open after stopClient(): exit explicitly.
  () => process.exit(process.exitCode ?? 0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
