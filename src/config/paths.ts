import { existsSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from './schema.js';

// Where the files named in the configuration are. A path written in the config file is taken from the
// config file's folder (so `--config /etc/meetbot/config.json` reads the same files from any working
// folder); a default the file leaves out (the shipped notices, data/bot.db) from the application's
// folder, where the release keeps notices/.

/** The folder holding the application's package.json, found from this module (src/ or dist/src/). */
export const APP_ROOT = findAppRoot(dirname(fileURLToPath(import.meta.url)));

function findAppRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(resolve(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return process.cwd();
  }
}

type PathKey = readonly ['notice', 'de' | 'en'] | readonly ['database', 'path'];
const PATH_KEYS: PathKey[] = [
  ['notice', 'de'],
  ['notice', 'en'],
  ['database', 'path'],
];

function written(raw: unknown, section: string, key: string): boolean {
  const parent = (raw as Record<string, unknown> | null)?.[section];
  return (
    typeof parent === 'object' && parent !== null && (parent as Record<string, unknown>)[key] !== undefined
  );
}

/** The config with every file path absolute: written ones from `configDir`, defaults from APP_ROOT. */
export function resolveConfigPaths(config: Config, raw: unknown, configDir: string): Config {
  const from = (section: string, key: string) => (written(raw, section, key) ? configDir : APP_ROOT);
  const abs = (base: string, path: string) => (isAbsolute(path) ? path : resolve(base, path));
  const out: Config = {
    ...config,
    matrix: { ...config.matrix },
    notice: { ...config.notice },
    database: { ...config.database },
  };
  for (const [section, key] of PATH_KEYS) {
    if (section === 'database' && config.database.path === ':memory:') continue;
    const target = out[section] as Record<string, string>;
    target[key] = abs(from(section, key), target[key] as string);
  }
  if (config.matrix.cryptoStorePath !== undefined)
    out.matrix.cryptoStorePath = abs(configDir, config.matrix.cryptoStorePath);
  return out;
}
