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
import { SqliteStorageProvider } from './matrix/storage.js';

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

  const bbb = new BbbClient({
    url: config.bbb.url,
    secret: config.bbb.secret,
    algorithm: config.bbb.checksumAlgorithm,
    timeoutMs: config.bbb.timeoutMs,
    logger: log.child({ component: 'bbb' }),
  });

  const client = new MatrixClient(
    config.matrix.homeserverUrl,
    config.matrix.accessToken,
    new SqliteStorageProvider(stores.state),
  );
  let lastSyncAt: number | null = null;
  client.on('room.event', () => {
    lastSyncAt = Date.now();
  });
  const botUserId = await client.getUserId();
  const chat = new MatrixChatPort(client, botUserId, log.child({ component: 'matrix' }));
  const ctx = new AppContext(config, stores, chat, bbb, systemClock, log, notice);
  const app = new BotApp(ctx);
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
    ? await startHttpServer(app, { lastSyncAt: () => lastSyncAt })
    : null;
  log.info({ userId: botUserId }, 'bot ready');

  return {
    app,
    async stop() {
      for (const task of tasks) await task.destroy();
      client.stop();
      await app.close();
      await new Promise<void>((done) => (server ? server.close(() => done()) : done()));
      db.$client.close();
      log.info('bot stopped');
    },
  };
}
