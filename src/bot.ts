import type { Server } from 'node:http';
import { resolve } from 'node:path';
import { MatrixClient } from '@vector-im/matrix-bot-sdk';
import type { ScheduledTask } from 'node-cron';
import { CommandDispatcher } from '../commands/dispatch.js';
import { BotApp } from './app/bot-app.js';
import { AppContext } from './app/context.js';
import { loadNotice } from './app/notice.js';
import { systemClock } from './app/ports.js';
import { BbbClient } from './bbb/index.js';
import type { Config } from './config/schema.js';
import { openDatabase } from './db/open.js';
import { createStores } from './db/stores.js';
import { startHttpServer } from './http/server.js';
import { startJobs } from './jobs/scheduler.js';
import type { Logger } from './log.js';
import { MatrixChatPort } from './matrix/chat-port.js';
import { MatrixEventIntake } from './matrix/event-intake.js';
import { observeHomeserverCalls } from './matrix/rate-limit.js';
import { SqliteStorageProvider } from './matrix/storage.js';
import { instrumentBbb } from './metrics/instrument-bbb.js';
import { BotMetrics } from './metrics/metrics.js';

export interface RunningBot {
  app: BotApp;
  stop(): Promise<void>;
}

/** The composition root (design.md §5): config → database → BBB client → Matrix → HTTP → jobs. */
export async function startBot(config: Config, log: Logger): Promise<RunningBot> {
  const db = openDatabase(config.database.path);
  const stores = createStores(db);
  const notice = loadNotice(resolve(config.notice[config.language]), config.language, config);
  log.info({ language: notice.language, version: notice.sha256.slice(0, 12) }, 'privacy notice loaded');

  let lastSyncAt: number | null = null;
  const metrics = new BotMetrics({ db, lastSyncAt: () => lastSyncAt });
  stores.audit.observe(metrics.onAudit);
  observeHomeserverCalls(metrics.homeserver);
  const bbbClient = new BbbClient({
    url: config.bbb.url,
    secret: config.bbb.secret,
    algorithm: config.bbb.checksumAlgorithm,
    timeoutMs: config.bbb.timeoutMs,
    logger: log.child({ component: 'bbb' }),
  });
  const bbb = instrumentBbb(bbbClient, metrics);

  const storage = new SqliteStorageProvider(stores.state);
  // matrix-bot-sdk stores the sync token after every completed /sync: the age of the last sync.
  const storeSyncToken = storage.setSyncToken.bind(storage);
  storage.setSyncToken = (token) => {
    lastSyncAt = Date.now();
    storeSyncToken(token);
  };
  const client = new MatrixClient(config.matrix.homeserverUrl, config.matrix.accessToken, storage);
  client.on('room.event', () => {
    lastSyncAt = Date.now();
  });
  const botUserId = await client.getUserId();
  const chat = new MatrixChatPort(client, botUserId, log.child({ component: 'matrix' }));
  const ctx = new AppContext(config, stores, chat, bbb, systemClock, log, notice);
  const app = new BotApp(ctx);
  app.retention.run = metrics.timePurge(app.retention.run.bind(app.retention));
  new MatrixEventIntake(
    client,
    chat,
    app,
    new CommandDispatcher(app),
    log.child({ component: 'intake' }),
  ).attach();

  await client.start();
  await app.reconciler.run();
  const tasks: ScheduledTask[] = startJobs(app, app.retention);
  const server: Server | null = config.http.enabled
    ? await startHttpServer(app, { lastSyncAt: () => lastSyncAt, metrics })
    : null;
  log.info({ userId: botUserId }, 'bot ready');

  return {
    app,
    async stop() {
      for (const task of tasks) await task.destroy();
      client.stop();
      await app.close();
      await new Promise<void>((done) => (server ? server.close(() => done()) : done()));
      observeHomeserverCalls(null);
      db.$client.close();
      log.info('bot stopped');
    },
  };
}
