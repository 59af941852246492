import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { configFileFromArgs } from '../config/args.js';
import { ConfigError, loadConfigFile } from '../config/load.js';
import { cryptoStorePath, sessionFilePath } from '../matrix/sdk/store-paths.js';
import { type CheckResult, runChecks } from './checks.js';
import { allOk, formatResult } from './report.js';
import { configFileProblem, exampleValueProblems } from './settings.js';

// `npm run check -- --config <file>`: one line per item, exit 0 only when every item is OK.
async function main(): Promise<number> {
  const file = configFileFromArgs('npm run check -- [--config <file>]');
  if (file === null) return 2;
  let config: ReturnType<typeof loadConfigFile>;
  try {
    config = loadConfigFile(file);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    print({ name: 'config', status: 'fail', message: error.message.replace(/\n\s*/g, ' ') });
    return 1;
  }
  // Every path as the bot uses it: relative ones in the file are taken from the file's folder.
  const path = resolve(file);
  const examples = exampleValueProblems(config);
  if (examples.length > 0) {
    // Like a broken config: the servers named there are not asked.
    print({ name: 'config', status: 'fail', message: `${path}: ${examples.join('; ')}` });
    return 1;
  }
  const readable = configFileProblem(path);
  const configResult: CheckResult = readable
    ? { name: 'config', status: 'warn', message: readable }
    : {
        name: 'config',
        status: 'ok',
        message: `${path}: language ${config.language}, BBB checksum ${config.bbb.checksumAlgorithm}, ${config.admins.length} admin(s); database ${config.database.path}, crypto store ${cryptoStorePath(config)}, notice ${config.notice[config.language]}`,
      };
  print(configResult);
  // The token the bot would use: the session of a device it logged in itself, when that still applies.
  const sessionFile = sessionFilePath(cryptoStorePath(config));
  if (existsSync(sessionFile)) {
    const [{ applyStoredSession }, { createLogger }] = await Promise.all([
      import('../matrix/sdk/session.js'),
      import('../log.js'),
    ]);
    config = await applyStoredSession(config, sessionFile, createLogger('silent'), fetch, { readOnly: true });
  }
  const results = await runChecks(config);
  for (const result of results) print(result);
  return allOk([configResult, ...results]) ? 0 : 1;
}

function print(result: CheckResult): void {
  process.stdout.write(`${formatResult(result)}\n`);
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error('check failed:', error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
