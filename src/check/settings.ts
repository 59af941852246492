import { statSync } from 'node:fs';
import { decodeRecoveryKey, isPlaceholderKey } from '../config/recovery-key.js';
import type { Config } from '../config/schema.js';

// Settings that parse but are certainly wrong: values left in from config.example.json, and an inviter
// list nobody on the bot's own server matches. Both the check and the start refuse them, naming the key.

/** A CheckResult of checks.ts (not imported from there: checks.ts runs these). */
export interface SettingsResult {
  name: 'inviters';
  status: 'ok' | 'warn' | 'fail';
  message: string;
}

/** The example's values that would otherwise pass (a name and an address are valid strings). */
const EXAMPLE_NOTICE: Partial<Record<keyof Config['notice'], string>> = {
  controller: 'Example GmbH, Example Street 1, 10115 Berlin, Germany',
  contact: 'privacy@example.org',
  bbbProvider: 'Example Hosting GmbH, Host Road 2, 01099 Dresden, Germany',
  bbbProviderPrivacyUrl: 'https://hosting.example.org/privacy',
  finalDeletion:
    'BigBlueButton moves a deleted recording to a trash folder; Example Hosting empties it every night, and backups are overwritten after 14 days.',
  dpo: 'Data Protection Officer, Example GmbH, dpo@example.org',
  homeserverOperator: 'Example GmbH (own Matrix homeserver), Example Street 1, 10115 Berlin, Germany',
  thirdCountry:
    'The BBB server and the Matrix homeserver are in Germany; no data is transferred to third countries.',
  logRetention: "The bot's log is kept for two weeks, backups of its database for one month.",
};

/** example.com/.org/.net and the .example top-level domain are reserved: no real server has them. */
const RESERVED = /(^|\.)example\.(com|org|net)$|\.example$/i;
const PLACEHOLDER = /replace[_-]?me|remove[_-]?me/i;

/** The server part of a user ID or of an inviter glob ("@*:example.org" → "example.org"). */
function serverOf(id: string): string {
  const colon = id.indexOf(':');
  return colon < 0 ? '' : id.slice(colon + 1);
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return '';
  }
}

/** One line per example value left in, naming its key; empty when there is none. */
export function exampleValueProblems(config: Config): string[] {
  const problems: string[] = [];
  for (const [key, example] of Object.entries(EXAMPLE_NOTICE)) {
    if (config.notice[key as keyof Config['notice']] === example)
      problems.push(
        `notice.${key}: still the example's value (it would be shown in every room's privacy notice): set your organisation's`,
      );
  }
  const reservedIds = (key: string, ids: readonly string[]) =>
    ids.forEach((id, i) => {
      if (RESERVED.test(serverOf(id)))
        problems.push(
          `${key}[${i}]: "${id}" is on the example domain ${serverOf(id)}, which no real server has: put your own people's Matrix IDs here`,
        );
    });
  reservedIds('admins', config.admins);
  reservedIds('matrix.allowedInviters', config.matrix.allowedInviters);
  reservedIds('matrix.ignoredUsers', config.matrix.ignoredUsers);
  const secrets: [string, string | undefined, string][] = [
    ['matrix.accessToken', config.matrix.accessToken, "set the bot's access token (or MATRIX_ACCESS_TOKEN)"],
    [
      'matrix.password',
      config.matrix.password,
      "set the bot account's password (or MATRIX_PASSWORD), or remove the key: without it lost keys mean running unencrypted until you give the bot a new token",
    ],
    ['bbb.secret', config.bbb.secret, 'set the secret `bbb-conf --secret` prints (or BBB_SECRET)'],
  ];
  for (const [key, value, fix] of secrets)
    if (value !== undefined && PLACEHOLDER.test(value))
      problems.push(`${key}: still the example's placeholder: ${fix}`);
  // The example's recovery key is a valid one (all zero bytes): anyone could read what it protects.
  if (config.matrix.recoveryKey && isPlaceholderKey(decodeRecoveryKey(config.matrix.recoveryKey)))
    problems.push(
      "matrix.recoveryKey: still the example's placeholder, which anyone can read: make your own with `npm run recovery-key` (or MATRIX_RECOVERY_KEY), or remove the key",
    );
  const urls: [string, string | undefined][] = [
    ['matrix.homeserverUrl', config.matrix.homeserverUrl],
    ['bbb.url', config.bbb.url],
    ['http.publicUrl', config.http.enabled ? config.http.publicUrl : undefined],
  ];
  for (const [key, url] of urls)
    if (url !== undefined && RESERVED.test(hostOf(url)))
      problems.push(
        `${key}: ${url} is on an example domain, which no real server has: set your server's URL`,
      );
  return problems;
}

function globMatches(glob: string, text: string): boolean {
  const pattern = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${pattern}$`).test(text);
}

/**
 * Who may invite the bot: `matrix.allowedInviters` and the admins. When none of them can be a user of
 * the bot's own server, the bot leaves every room its own server's people invite it to, without a word
 * to them: certainly not meant.
 */
export function checkInviters(config: Config, botUserId: string): SettingsResult {
  const server = serverOf(botUserId);
  const { allowedInviters } = config.matrix;
  const local = (entry: string) =>
    entry.includes(':') ? globMatches(serverOf(entry), server) : entry.includes('*');
  const matching = [...allowedInviters, ...config.admins].filter(local);
  if (matching.length > 0) {
    return {
      name: 'inviters',
      status: 'ok',
      message: `people of ${server} may invite the bot (${matching.slice(0, 3).join(', ')}${matching.length > 3 ? ', …' : ''})`,
    };
  }
  if (allowedInviters.length === 0 && config.admins.length === 0) {
    // Maybe meant (no new rooms), but rarely: said, not refused.
    return {
      name: 'inviters',
      status: 'warn',
      message: `nobody may invite the bot (matrix.allowedInviters and admins are empty): it leaves every room it is invited to; add e.g. "@*:${server}" to matrix.allowedInviters`,
    };
  }
  const listed = allowedInviters.length ? allowedInviters.map((e) => `"${e}"`).join(', ') : 'empty';
  return {
    name: 'inviters',
    status: 'fail',
    message: `matrix.allowedInviters (${listed}) and admins match nobody on the bot's server ${server}: the bot would leave every room they invite it to; add e.g. "@*:${server}" to matrix.allowedInviters`,
  };
}

/** A config file every user of the machine can read exposes the tokens and secrets in it. */
export function configFileProblem(file: string): string | null {
  let mode: number;
  try {
    mode = statSync(file).mode;
  } catch {
    return null;
  }
  if ((mode & 0o004) === 0) return null;
  const octal = (mode & 0o777).toString(8).padStart(4, '0');
  return `${file} is readable by every user of this machine (mode ${octal}) and holds the bot's access token and secrets: chmod 600 ${file} (or 640 with the bot's group)`;
}
