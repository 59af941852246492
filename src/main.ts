import { parseArgs } from 'node:util';
import { startBot } from './bot.js';
import { ConfigError, loadConfigFile } from './config/load.js';
import { createLogger, type Logger, registerSecret, routeMatrixSdkLogs } from './log.js';

// `npm start` reads ./config.json, or the file given with `--config <file>`. Configuration problems
// end the process with a message naming each bad key, never with a stack trace.
async function main(): Promise<number> {
  let file = 'config.json';
  try {
    const { values } = parseArgs({ options: { config: { type: 'string', short: 'c' } }, strict: true });
    if (values.config) file = values.config;
  } catch (error) {
    console.error(`${(error as Error).message}\nUsage: npm start -- [--config <file>]`);
    return 2;
  }

  let config: ReturnType<typeof loadConfigFile>;
  try {
    config = loadConfigFile(file);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      return 2;
    }
    throw error;
  }
  registerSecret(config.matrix.accessToken);
  registerSecret(config.bbb.secret);
  const log = createLogger(config.logLevel);
  routeMatrixSdkLogs(log);

  let bot: Awaited<ReturnType<typeof startBot>>;
  try {
    bot = await startBot(config, log);
  } catch (error) {
    if (error instanceof ConfigError) {
      // e.g. the privacy notice uses a fact the configuration does not give
      console.error(new ConfigError(file, error.problems).message);
      await flush(log);
      return 2;
    }
    log.fatal({ err: error }, 'start-up failed');
    await flush(log);
    return 1;
  }
  await new Promise<void>((resolve) => {
    const shutdown = (signal: string) => {
      log.info({ signal }, 'shutting down');
      bot.stop().then(resolve, (error: unknown) => {
        log.error({ err: error }, 'error during shutdown');
        resolve();
      });
    };
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    process.once('SIGINT', () => shutdown('SIGINT'));
  });
  await flush(log);
  return 0;
}

function flush(log: Logger): Promise<void> {
  return new Promise((resolve) => log.flush(() => resolve()));
}

// Exit explicitly: matrix-bot-sdk's stop() leaves its /sync long-poll open for up to 30 s, which
// would keep the process alive after everything of ours has been closed.
main().then(
  (code) => {
    process.exit(code);
  },
  (error: unknown) => {
    console.error('fatal:', error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
