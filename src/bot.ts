import { resolve } from 'node:path';
import type { MatrixClient } from '@vector-im/matrix-bot-sdk';
import type { ScheduledTask } from 'node-cron';
import { BotApp } from './app/bot-app.js';
import { AppContext } from './app/context.js';
import { systemClock } from './app/ports.js';
import { BbbClient } from './bbb/index.js';
import { CommandDispatcher } from './commands/dispatch.js';
import type { Config } from './config/schema.js';
import type { BotStateStore } from './db/bot-state-store.js';
import { openDatabase } from './db/open.js';
import { createStores } from './db/stores.js';
import { type HttpListener, startHttpServer } from './http/server.js';
import { startJobs } from './jobs/scheduler.js';
import type { Logger } from './log.js';
import { MatrixChatPort } from './matrix/chat/chat-port.js';
import { observeHomeserverCalls } from './matrix/chat/rate-limit.js';
import { type DeviceSecurity, secureDevice } from './matrix/e2ee/device-security.js';
import { MatrixEventIntake } from './matrix/intake/event-intake.js';
import { BotMatrixClient } from './matrix/sdk/client.js';
import {
  type CryptoStartProblem,
  classifyCryptoStartError,
  closeCrypto,
  createCryptoStore,
  cryptoStorePath,
  type LostOutcome,
  lostStoreNotice,
  setBrokenStoreAside,
  startOnNewDevice,
} from './matrix/sdk/crypto.js';
import { SqliteStorageProvider } from './matrix/sdk/storage.js';
import { instrumentBbb } from './metrics/instrument-bbb.js';
import { BotMetrics } from './metrics/metrics.js';
import { loadNotice } from './notice.js';
import { collectAfterStartup } from './startup-gc.js';

/** How long start-up waits for the sync to catch up before acting on open meetings without it. */
const FIRST_SYNC_WAIT_MS = 30_000;
/** How long a stop waits for the commands and answers being handled (the unit allows 20 s in all). */
const STOP_WAIT_MS = 10_000;

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

  // matrix-bot-sdk stores the sync token after every completed /sync: the age of the last sync.
  const storage = new SqliteStorageProvider(stores.state, {
    onSyncToken: () => {
      lastSyncAt = Date.now();
    },
  });
  const { client, lost } = await connect(config, storage, stores.state, log);
  const encryption = !!client.crypto;
  // Cross-signing, secret storage and the key backup, before the first sync reads anything encrypted.
  const security = encryption ? await secureDevice(config, client, log.child({ component: 'crypto' })) : null;
  client.on('room.event', () => {
    lastSyncAt = Date.now();
  });
  const botUserId = await client.getUserId();
  const chat = new MatrixChatPort(client, botUserId, log.child({ component: 'matrix' }), encryption);
  const ctx = new AppContext(config, stores, chat, bbb, systemClock, log, notice);
  const app = new BotApp(ctx, { timeRetention: (run) => metrics.timePurge(run)() });
  const intake = new MatrixEventIntake(
    client,
    chat,
    app,
    new CommandDispatcher(app),
    log.child({ component: 'intake' }),
    encryption,
  );
  intake.attach();

  // Start-up reconciliation: the answers the homeserver holds first, then what was sent while the bot
  // was down (held until then, in arrival order), then the bot acts on the result.
  intake.holdEvents();
  await client.start();
  await app.reconciler.run((meetings) => intake.releaseEvents(meetings ? FIRST_SYNC_WAIT_MS : 0));
  const tasks: ScheduledTask[] = startJobs(app);
  const server: HttpListener | null = config.http.enabled
    ? await startHttpServer(app, { lastSyncAt: () => lastSyncAt, metrics })
    : null;
  if (lost) await tellAdminsOnce(ctx, lost.problem, lost.outcome, recoveredBy(security));
  log.info({ userId: botUserId, encryption }, 'bot ready');
  const cancelStartupGc = collectAfterStartup(log);

  return {
    app,
    async stop() {
      cancelStartupGc();
      for (const task of tasks) await task.destroy();
      client.stop();
      await intake.settle(STOP_WAIT_MS);
      intake.detach();
      await app.close();
      if (encryption) await closeCrypto();
      await server?.close();
      observeHomeserverCalls(null);
      db.$client.close();
      log.info('bot stopped');
    },
  };
}

type Lost = Extract<CryptoStartProblem, { kind: 'lost' }>;

/** What a new device got back: cross-signed, and how many room keys came from the backup. */
function recoveredBy(security: DeviceSecurity | null) {
  return {
    crossSigned: security !== null && security.crossSigning.kind !== 'unsigned',
    roomKeys: security?.backup?.kind === 'restored' ? security.backup.imported : null,
  };
}

/**
 * The Matrix client, with encryption when configured. The device's keys are opened before syncing
 * starts: a store another process holds stops the start; a lost or unreadable one is set aside, and the
 * bot logs in a new device with `matrix.password` or runs without encryption (never a crash loop, never
 * a new identity under a known device).
 */
async function connect(
  config: Config,
  storage: SqliteStorageProvider,
  state: BotStateStore,
  log: Logger,
): Promise<{ client: MatrixClient; lost: { problem: Lost; outcome: LostOutcome } | null }> {
  const plain = (token = config.matrix.accessToken) =>
    new BotMatrixClient(config.matrix.homeserverUrl, token, storage);
  if (!config.matrix.encryption) return { client: plain(), lost: null };

  const storePath = cryptoStorePath(config);
  const clog = log.child({ component: 'crypto' });
  const cryptoStore = createCryptoStore(storePath, state, clog);
  const client = new BotMatrixClient(
    config.matrix.homeserverUrl,
    config.matrix.accessToken,
    storage,
    cryptoStore,
  );
  try {
    const started = Date.now();
    await client.crypto.prepare();
    clog.info(
      { deviceId: client.crypto.clientDeviceId, ms: Date.now() - started, storePath },
      'encryption ready',
    );
    return { client, lost: null };
  } catch (error) {
    const problem = classifyCryptoStartError(error);
    if (problem?.kind === 'locked') throw new Error(`the crypto store is in use: ${problem.message}`);
    if (problem?.kind !== 'lost') throw error;
    // A key upload refused by the homeserver names no store: it is this device's.
    const deviceId = problem.deviceId ?? client.crypto.clientDeviceId;
    if (deviceId) {
      problem.deviceId = deviceId;
      problem.userId ??= await client.getUserId();
      problem.storagePath ??= await cryptoStore.getMachineStoragePath(deviceId);
    }
    await closeCrypto().catch(() => undefined);
    const movedTo = setBrokenStoreAside(problem, storePath);
    clog.error(
      { reason: problem.reason, deviceId: problem.deviceId, movedTo },
      'the encryption keys of this device are lost; a known device cannot get new keys',
    );
    const next = await startOnNewDevice({
      config,
      userId: problem.userId ?? (await client.getUserId()),
      oldDeviceId: problem.deviceId,
      makeClient: (token) => new BotMatrixClient(config.matrix.homeserverUrl, token, storage, cryptoStore),
      log: clog,
    });
    return { client: next.client ?? plain(next.accessToken), lost: { problem, outcome: next.outcome } };
  }
}

/** Each admin hears about a lost key store once per device (and once per new device), in a direct message. */
async function tellAdminsOnce(
  ctx: AppContext,
  lost: Lost,
  outcome: LostOutcome,
  recovered: Parameters<typeof lostStoreNotice>[2],
): Promise<void> {
  const notice = lostStoreNotice(lost, outcome, recovered);
  if (!ctx.stores.state.noteOnce('crypto', notice.note, ctx.now())) return;
  for (const admin of ctx.config.admins) {
    try {
      // A new room, as before the DM check (#8): this notice does not use the stored DM room.
      const dm = await ctx.chat.directRoom(admin, undefined);
      if (dm.kind === 'undeliverable') throw new Error(`no direct message reaches ${admin}: ${dm.reason}`);
      await ctx.chat.send(dm.roomId, notice.text(ctx.t), { notice: true });
    } catch (error) {
      ctx.log.error({ err: error, admin }, 'could not tell an admin about the lost key store');
    }
  }
}
