import { parseArgs } from 'node:util';
import { startBot } from './bot.js';
import { ConfigError, loadConfigFile } from './config/load.js';
import { createLogger, registerSecret, routeMatrixSdkLogs } from './log.js';

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
    log.fatal({ err: error }, 'start-up failed');
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
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error('fatal:', error instanceof Error ? error.message : error);
    process.exitCode = 1;
  },
);
