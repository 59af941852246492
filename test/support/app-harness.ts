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
const MATRIX = { homeserverUrl: 'http://127.0.0.1:1', accessToken: 'token', allowedInviters: ['@*:test'] };

/** A controllable clock: tests move time instead of sleeping through real minutes. */
export class TestClock {
  constructor(public t = Date.parse('2026-12-01T09:00:00Z')) {}
  now = (): number => this.t;
  advance(ms: number): void {
    this.t += ms;
  }
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
  const clock = new TestClock();
  const sim = await startBbbSimulator({
    secret: SECRET,
    processingDelayMs: options.processingDelayMs ?? 0,
    now: clock.now,
    ...(options.flavour ? { flavour: options.flavour } : {}),
  });
  const config = parseConfig(
    {
      admins: [ADMIN],
      database: { path: join(dir, 'bot.db') },
      notice: SAMPLE_NOTICE_FACTS,
      // Most suites drive the prompt in the room; the private prompts (the default) have their own.
      consent: { ask: 'room' },
      ...overrides,
      // Overrides of matrix.* and bbb.* keep the rest: a homeserver nobody calls, the simulator's URL and secret.
      matrix: { ...MATRIX, ...(overrides.matrix as object | undefined) },
      bbb: { url: sim.url, secret: SECRET, ...(overrides.bbb as object | undefined) },
    },
    'test-config',
    {},
  );
  return new Harness(dir, sim, clock, config, options);
}

export class Harness {
  readonly chat = new MemoryChat();
  readonly dbPath: string;
  app: BotApp;
  dispatcher: CommandDispatcher;

  constructor(
    private readonly dir: string,
    readonly sim: BbbSimulator,
    readonly clock: TestClock,
    readonly config: Config,
    private readonly options: HarnessOptions,
  ) {
    this.dbPath = config.database.path;
    this.chat.room(ROOM, [this.chat.botUserId, ORGANIZER, ALICE, BOB, CAROL, ADMIN]);
    this.chat.names.set(ORGANIZER, 'Olga').set(ALICE, 'Alice').set(BOB, 'Bob').set(CAROL, 'Carol');
    this.app = this.build();
    this.dispatcher = new CommandDispatcher(this.app);
  }

  private build(): BotApp {
    const { config, options } = this;
    const db = openDatabase(this.dbPath);
    const stores = createStores(db);
    const client = new BbbClient({
      url: this.sim.url,
      secret: SECRET,
      algorithm: 'sha256',
      retries: 1,
      retryMinDelayMs: 5,
      timeoutMs: options.bbbTimeoutMs ?? 2000,
    });
    const bbb = options.decorate ? options.decorate(client, stores) : client;
    const notice = loadNotice(config.notice[config.language], config.language, config);
    const log = options.log ?? pino({ level: 'silent' });
    const ctx = new AppContext(config, stores, this.chat, bbb, this.clock, log, notice);
    return new BotApp(ctx, { promptEditDelayMs: 5 });
  }

  /** Types a command as `sender` in `roomId`; resolves when the bot has handled it. */
  async say(sender: string, body: string, roomId = ROOM): Promise<string> {
    const eventId = this.chat.nextEventId();
    await this.dispatcher.handle({ roomId, sender, eventId, content: { msgtype: 'm.text', body } });
    await this.app.prompts.flush();
    await this.app.playback.idle();
    return eventId;
  }

  /** Reacts on an event as `sender`, through the same path as a live reaction. */
  async react(sender: string, eventId: string, key: string, roomId = ROOM): Promise<string> {
    const { reactionId, handled } = this.reactionArrives(sender, eventId, key, roomId);
    await handled;
    await this.app.prompts.flush();
    return reactionId;
  }

  async redact(sender: string, reactionEventId: string, roomId = ROOM): Promise<void> {
    await this.redactionArrives(sender, reactionEventId, roomId);
    await this.app.prompts.flush();
  }

  /** A live reaction reaches the bot; `handled` settles once applied (`react` also waits for the prompt's edits). */
  reactionArrives(sender: string, eventId: string, key: string, roomId = ROOM) {
    const reactionId = this.chat.addReaction(roomId, sender, eventId, key);
    const handled = this.app.intake.onReaction({
      roomId,
      sender,
      eventId: reactionId,
      relatesTo: eventId,
      key,
    });
    return { reactionId, handled };
  }

  /** `sender` redacts a reaction live; settles once the bot applied it (without the prompt's edits). */
  redactionArrives(sender: string, reactionEventId: string, roomId = ROOM): Promise<void> {
    this.chat.removeReaction(reactionEventId, sender);
    const eventId = this.chat.nextEventId();
    return this.app.intake.onRedaction({ roomId, sender, eventId, redacts: reactionEventId });
  }

  /** The consent prompt of meeting `id`. */
  promptOf(id: number): string {
    const prompt = this.app.ctx.stores.meetings.get(id)?.promptEventId;
    if (!prompt) throw new Error(`meeting ${id} has no prompt`);
    return prompt;
  }

  /**
   * The organizer types `!meeting <args>` and each of `agreeing` reacts ✅: the room's newest meeting,
   * and (when read) its prompt.
   */
  async plan(args: string, ...agreeing: string[]): Promise<{ id: number; prompt: string }> {
    await this.say(ORGANIZER, `!meeting ${args}`);
    const id = Math.max(...this.app.ctx.stores.meetings.inRoom(ROOM).map((m) => m.id));
    if (!Number.isFinite(id)) throw new Error(`no meeting in ${ROOM}`);
    if (agreeing.length) await this.agree(this.promptOf(id), ...agreeing);
    const promptOf = () => this.promptOf(id);
    return {
      id,
      get prompt() {
        return promptOf();
      },
    };
  }

  /** Each of `users` reacts ✅ on `eventId`, in order; the reactions' event IDs. */
  async agree<T extends string[]>(eventId: string, ...users: T): Promise<{ [K in keyof T]: string }> {
    const reactions: string[] = [];
    for (const user of users) reactions.push(await this.react(user, eventId, '✅'));
    return reactions as { [K in keyof T]: string };
  }

  /** What meeting `id` counts as `userId`'s answer now (`agreed`, `pending`, …). */
  answerOf(id: number, userId: string): ConsentStatus | undefined {
    const meetings = this.app.ctx.stores.meetings;
    return meetings.model(meetings.get(id)!).answers.get(userId);
  }

  /** The reaction that `userId`'s stored agreement to meeting `id` came from. */
  agreementOf(id: number, userId: string): string {
    const agreement = this.app.ctx.stores.meetings
      .consentEvents(id)
      .find((e) => e.userId === userId && e.kind === 'agree')?.reactionEventId;
    if (!agreement) throw new Error(`${userId} has no agreement by reaction to meeting ${id}`);
    return agreement;
  }

  /** Builds a second app on the same database file, as after a restart. */
  async restart(): Promise<void> {
    await this.shutDown();
    this.app = this.build();
    this.dispatcher = new CommandDispatcher(this.app);
  }

  /** A restart as start-up does it: `whileDown` changes what the homeserver holds, then the bot reads it. */
  async restartAndReconcile(whileDown?: () => unknown): Promise<void> {
    await this.restart();
    await whileDown?.();
    await this.app.reconciler.run();
  }

  async close(): Promise<void> {
    await this.shutDown();
    await this.sim.close();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async shutDown(): Promise<void> {
    await this.app.close();
    this.app.ctx.stores.db.$client.close();
  }
}
