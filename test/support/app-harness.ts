import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Logger, pino } from 'pino';
import { BotApp } from '../../src/app/bot-app.js';
import { AppContext } from '../../src/app/context.js';
import type { BbbPort } from '../../src/app/ports.js';
import { BbbClient } from '../../src/bbb/index.js';
import { CommandDispatcher } from '../../src/commands/dispatch.js';
import { parseConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import { openDatabase } from '../../src/db/open.js';
import { createStores, type Stores } from '../../src/db/stores.js';
import type { ConsentStatus } from '../../src/domain/consent.js';
import { loadNotice } from '../../src/notice.js';
import { type BbbSimulator, type SimFlavour, startBbbSimulator } from './bbb-simulator.js';
import { MemoryChat } from './memory-chat.js';
import { SAMPLE_NOTICE_FACTS } from './notice-facts.js';

export const ROOM = '!room:test';
export const ORGANIZER = '@olga:test';
export const ALICE = '@alice:test';
export const BOB = '@bob:test';
export const CAROL = '@carol:test';
export const ADMIN = '@admin:test';
/** Not in the room: a test that invites him late adds him to its members first. */
export const DAVE = '@dave:test';
export const SECRET = 'integration-secret-0123456789';

/** A controllable clock: tests move time instead of sleeping through real minutes. */
export class TestClock {
  constructor(public t = Date.parse('2026-12-01T09:00:00Z')) {}
  now = (): number => this.t;
  advance(ms: number): void {
    this.t += ms;
  }
}

export interface Harness {
  app: BotApp;
  chat: MemoryChat;
  sim: BbbSimulator;
  clock: TestClock;
  config: Config;
  dbPath: string;
  dispatcher: CommandDispatcher;
  /** Types a command as `sender` in `roomId`; resolves when the bot has handled it. */
  say(sender: string, body: string, roomId?: string): Promise<string>;
  /** Reacts on an event as `sender`, through the same path as a live reaction. */
  react(sender: string, eventId: string, key: string, roomId?: string): Promise<string>;
  redact(sender: string, reactionEventId: string, roomId?: string): Promise<void>;
  /** A live reaction reaches the bot; `handled` settles once applied (`react` also waits for the prompt's edits). */
  reactionArrives(
    sender: string,
    eventId: string,
    key: string,
    roomId?: string,
  ): { reactionId: string; handled: Promise<void> };
  /** `sender` redacts a reaction live; settles once the bot applied it (without the prompt's edits). */
  redactionArrives(sender: string, reactionEventId: string, roomId?: string): Promise<void>;
  /** The consent prompt of meeting `id`. */
  promptOf(id: number): string;
  /** The organizer types `!meeting <args>`: the room's newest meeting, and (when read) its prompt. */
  plan(args: string, roomId?: string): Promise<{ id: number; prompt: string }>;
  /** Each of `users` reacts ✅ on `eventId`, in order; the reactions' event IDs. */
  agree<T extends string[]>(eventId: string, ...users: T): Promise<{ [K in keyof T]: string }>;
  /** What meeting `id` counts as `userId`'s answer now (`agreed`, `pending`, …). */
  answerOf(id: number, userId: string): ConsentStatus | undefined;
  /** The reaction that `userId`'s stored agreement to meeting `id` came from. */
  agreementOf(id: number, userId: string): string;
  /** Builds a second app on the same database file, as after a restart. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  /** Timeout of one BBB request (default 2000 ms); short values make simulator slowness a timeout. */
  bbbTimeoutMs?: number;
  /** Simulator processing time from session end to published recording, on the test clock (default 0). */
  processingDelayMs?: number;
  /** Wraps the BBB port and sees the stores of every (re)built app, e.g. to attach metrics. */
  decorate?: (bbb: BbbPort, stores: Stores) => BbbPort;
  /** What the BBB simulator answers as (default BBB 3.0). */
  flavour?: SimFlavour;
  /** The app's logger (default: silent), e.g. to read what the journal says. */
  log?: Logger;
}

/** The real application on a real SQLite file, the BBB simulator over HTTP, and the in-memory chat port. */
export async function createHarness(
  overrides: Record<string, unknown> = {},
  options: HarnessOptions = {},
): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'meetbot-it-'));
  const dbPath = join(dir, 'bot.db');
  const clock = new TestClock();
  const sim = await startBbbSimulator({
    secret: SECRET,
    processingDelayMs: options.processingDelayMs ?? 0,
    now: clock.now,
    ...(options.flavour ? { flavour: options.flavour } : {}),
  });
  const config = parseConfig(
    {
      matrix: { homeserverUrl: 'http://127.0.0.1:1', accessToken: 'token', allowedInviters: ['@*:test'] },
      admins: [ADMIN],
      database: { path: dbPath },
      notice: SAMPLE_NOTICE_FACTS,
      // Most suites drive the prompt in the room; the private prompts (the default) have their own.
      consent: { ask: 'room' },
      ...overrides,
      // Overrides of bbb.* keep the simulator's URL and secret.
      bbb: { url: sim.url, secret: SECRET, ...(overrides.bbb as object | undefined) },
    },
    'test-config',
    {},
  );
  const chat = new MemoryChat();
  chat.room(ROOM, [chat.botUserId, ORGANIZER, ALICE, BOB, CAROL, ADMIN]);
  chat.names.set(ORGANIZER, 'Olga').set(ALICE, 'Alice').set(BOB, 'Bob').set(CAROL, 'Carol');

  let app = build();
  let dispatcher = new CommandDispatcher(app);

  function build(): BotApp {
    const db = openDatabase(dbPath);
    const stores = createStores(db);
    const client = new BbbClient({
      url: sim.url,
      secret: SECRET,
      algorithm: 'sha256',
      retries: 1,
      retryMinDelayMs: 5,
      timeoutMs: options.bbbTimeoutMs ?? 2000,
    });
    const bbb = options.decorate ? options.decorate(client, stores) : client;
    const notice = loadNotice(config.notice[config.language], config.language, config);
    const ctx = new AppContext(
      config,
      stores,
      chat,
      bbb,
      clock,
      options.log ?? pino({ level: 'silent' }),
      notice,
    );
    return new BotApp(ctx, { promptEditDelayMs: 5 });
  }

  const harness: Harness = {
    get app() {
      return app;
    },
    chat,
    sim,
    clock,
    config,
    dbPath,
    get dispatcher() {
      return dispatcher;
    },
    async say(sender, body, roomId = ROOM) {
      const eventId = chat.nextEventId();
      await dispatcher.handle({ roomId, sender, eventId, content: { msgtype: 'm.text', body } });
      await app.prompts.flush();
      await app.playback.idle();
      return eventId;
    },
    async react(sender, eventId, key, roomId = ROOM) {
      const { reactionId, handled } = harness.reactionArrives(sender, eventId, key, roomId);
      await handled;
      await app.prompts.flush();
      return reactionId;
    },
    async redact(sender, reactionEventId, roomId = ROOM) {
      await harness.redactionArrives(sender, reactionEventId, roomId);
      await app.prompts.flush();
    },
    reactionArrives(sender, eventId, key, roomId = ROOM) {
      const reactionId = chat.addReaction(roomId, sender, eventId, key);
      const handled = app.intake.onReaction({ roomId, sender, eventId: reactionId, relatesTo: eventId, key });
      return { reactionId, handled };
    },
    redactionArrives(sender, reactionEventId, roomId = ROOM) {
      chat.removeReaction(reactionEventId, sender);
      return app.intake.onRedaction({
        roomId,
        sender,
        eventId: chat.nextEventId(),
        redacts: reactionEventId,
      });
    },
    promptOf(id) {
      const prompt = app.ctx.stores.meetings.get(id)?.promptEventId;
      if (!prompt) throw new Error(`meeting ${id} has no prompt`);
      return prompt;
    },
    async plan(args, roomId = ROOM) {
      await harness.say(ORGANIZER, `!meeting ${args}`, roomId);
      const id = Math.max(...app.ctx.stores.meetings.inRoom(roomId).map((m) => m.id));
      if (!Number.isFinite(id)) throw new Error(`no meeting in ${roomId}`);
      return {
        id,
        get prompt() {
          return harness.promptOf(id);
        },
      };
    },
    async agree(eventId, ...users) {
      const reactions: string[] = [];
      for (const user of users) reactions.push(await harness.react(user, eventId, '✅'));
      return reactions as { [K in keyof typeof users]: string };
    },
    answerOf(id, userId) {
      const meetings = app.ctx.stores.meetings;
      return meetings.model(meetings.get(id)!).answers.get(userId);
    },
    agreementOf(id, userId) {
      const agreement = app.ctx.stores.meetings
        .consentEvents(id)
        .find((e) => e.userId === userId && e.kind === 'agree')?.reactionEventId;
      if (!agreement) throw new Error(`${userId} has no agreement by reaction to meeting ${id}`);
      return agreement;
    },
    async restart() {
      await app.close();
      app.ctx.stores.db.$client.close();
      app = build();
      dispatcher = new CommandDispatcher(app);
    },
    async close() {
      await app.close();
      app.ctx.stores.db.$client.close();
      await sim.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return harness;
}
