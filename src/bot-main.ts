import { startBot } from './bot.js';
import { formatResult } from './check/report.js';
import { configFileProblem, exampleValueProblems } from './check/settings.js';
import { runStartupChecks } from './check/startup.js';
import { configFileFromArgs } from './config/args.js';
import { ConfigError, loadConfigFile } from './config/load.js';
import { createLogger, type Logger, registerSecret, routeMatrixSdkLogs } from './log.js';
import { applyStoredSession } from './matrix/sdk/session.js';
import { cryptoStorePath, sessionFilePath } from './matrix/sdk/store-paths.js';

// `npm start` reads ./config.json, or the file given with `--config <file>`. Configuration problems
// end the process with a message naming each bad key, never with a stack trace.
async function main(): Promise<number> {
  const file = configFileFromArgs('npm start -- [--config <file>]');
  if (file === null) return 2;

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
  // Values left in from config.example.json parse, but are certainly wrong: named like a config error.
  const examples = exampleValueProblems(config);
  if (examples.length > 0) {
    console.error(new ConfigError(file, examples).message);
    return 2;
  }
  registerSecret(config.matrix.accessToken);
  registerSecret(config.matrix.password);
  registerSecret(config.matrix.recoveryKey);
  registerSecret(config.bbb.secret);
  const log = createLogger(config.logLevel);
  routeMatrixSdkLogs(log);
  const readable = configFileProblem(file);
  if (readable) log.warn({ check: 'config' }, readable);
  // The session of a device the bot logged in itself (lost keys) stands in for matrix.accessToken.
  config = await applyStoredSession(config, sessionFilePath(cryptoStorePath(config)), log);

  // The preflight checks (`npm run check`): what is certainly wrong stops the start with the same line.
  const checks = await runStartupChecks(config, log);
  if (checks.failures.length > 0) {
    for (const failure of checks.failures) {
      console.error(formatResult(failure));
      // A fact the notice needs and the config lacks is a configuration error: named like one, too.
      if (failure.configProblems) console.error(new ConfigError(file, failure.configProblems).message);
      log.fatal({ check: failure.name }, failure.message);
    }
    await flush(log);
    // 2 like a config error: restarting cannot help (the systemd unit does not restart on 2).
    return 2;
  }

  let bot: Awaited<ReturnType<typeof startBot>>;
  try {
    bot = await startBot(config, log);
  } catch (error) {
    checks.stop();
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
      checks.stop();
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
