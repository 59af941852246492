import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigError } from './config/load.js';
import type { Config } from './config/schema.js';
import { DIRECT_ROOM_GRACE_DAYS } from './domain/retention.js';
import { catalogue, type Language } from './i18n/index.js';

// The privacy notice (design.md §3.9) comes in two layers: the full text, a template in notices/
// filled with the operator's facts from the config, and a short first layer posted with every
// meeting. Consent is tied to the SHA-256 of the full text as filled in. This module loads, fills and
// versions it at start-up; posting it with a meeting is planning's (src/app/planning.ts).

export interface Notice {
  language: Language;
  /** The full text, placeholders filled in. */
  text: string;
  /** The version consent is tied to: SHA-256 of `text`. */
  sha256: string;
}

/** Where each placeholder's value comes from, for error messages that name the key to set. */
const PLACEHOLDER_SOURCES: Record<string, string> = {
  bbbProvider: 'notice.bbbProvider',
  bbbProviderPrivacyUrl: 'notice.bbbProviderPrivacyUrl',
  contact: 'notice.contact',
  controller: 'notice.controller',
  evidenceDays: 'retention.evidenceDaysAfterPurge',
  finalDeletion: 'notice.finalDeletion',
  dpo: 'notice.dpo',
  homeserverOperator: 'notice.homeserverOperator',
  thirdCountry: 'notice.thirdCountry',
  logRetention: 'notice.logRetention',
  meetingLegalBasis: 'notice.legalBasis',
  howAsked: 'consent.ask',
  answersShown: 'consent.showNames',
  unansweredDays: 'limits.unansweredDays',
  directRoomDays: 'retention (fixed)',
  prefix: 'matrix.commandPrefix',
  recordingRetention: 'retention.recordingDays',
  withdrawTo: 'notice.contact',
  withdrawalDeletion: 'bbb.acceptUnconfirmedDeletion',
};

/**
 * Facts the bot always shows, whatever full text the operator chose: the first layer shows the first
 * three, every message about a deletion says what "deleted" means on this BBB server.
 */
const REQUIRED_FACTS = {
  controller: 'the short notice posted with every meeting shows it',
  contact: 'the short notice posted with every meeting shows it',
  bbbProvider: 'the short notice posted with every meeting shows it',
  finalDeletion: 'every message about a deletion says what "deleted" means on your BBB server',
} as const;

const PLACEHOLDER = /\{\{\s*([A-Za-z]+)\s*\}\}/g;

/** The operator's facts, as the notice in `language` words them; undefined where the config has none. */
export function noticeFacts(config: Config, language: Language): Record<string, string | undefined> {
  const t = catalogue(language).noticeFacts;
  const { controller, contact, bbbProvider, bbbProviderPrivacyUrl, finalDeletion } = config.notice;
  const { dpo, homeserverOperator, thirdCountry, logRetention, legalBasis } = config.notice;
  return {
    dpo: contact === undefined ? dpo : t.dpo(dpo, contact),
    homeserverOperator,
    thirdCountry,
    logRetention,
    meetingLegalBasis: t.meetingLegalBasis(legalBasis),
    // Guests answer on the bot's page: only where the listener and its public address are configured.
    howAsked:
      config.http.enabled && config.http.publicUrl
        ? `${t.howAsked(config.consent.ask, config.matrix.commandPrefix)} ${t.guestsAsked}`
        : t.howAsked(config.consent.ask, config.matrix.commandPrefix),
    answersShown: t.answersShown(config.consent.ask, config.consent.showNames),
    unansweredDays: String(config.limits.unansweredDays),
    directRoomDays: String(DIRECT_ROOM_GRACE_DAYS),
    bbbProvider,
    bbbProviderPrivacyUrl,
    contact,
    controller,
    evidenceDays: String(config.retention.evidenceDaysAfterPurge),
    finalDeletion,
    prefix: config.matrix.commandPrefix,
    recordingRetention: t.recordingRetention(config.retention.recordingDays),
    withdrawTo: contact === undefined ? undefined : t.withdrawTo(contact, config.admins),
    withdrawalDeletion: t.withdrawalDeletion(!config.bbb.acceptUnconfirmedDeletion),
  };
}

/**
 * Fills `{{placeholder}}`s. Throws a ConfigError naming every placeholder that has no value (and the
 * config key to set) or that the bot does not know, so the bot never shows a notice with gaps.
 */
export function fillNotice(
  template: string,
  facts: Record<string, string | undefined>,
  source: string,
  configFile = 'the configuration',
): string {
  const problems = new Set<string>();
  const text = template.replace(PLACEHOLDER, (whole, name: string) => {
    const value = facts[name];
    if (!(name in PLACEHOLDER_SOURCES)) {
      problems.add(`${source} uses the unknown placeholder ${whole}`);
    } else if (value === undefined || value.trim() === '') {
      problems.add(
        `${PLACEHOLDER_SOURCES[name]}: missing, the notice ${source} uses {{${name}}} (set it, or point notice.* at your own text)`,
      );
    }
    return value ?? whole;
  });
  if (problems.size) throw new ConfigError(configFile, [...problems]);
  return text;
}

function hash(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Reads, fills and versions the notice for the configured language; refuses gaps (ConfigError). */
export function loadNotice(
  path: string,
  language: Language,
  config: Config,
  configFile = 'the configuration',
): Notice {
  const template = readFileSync(path, 'utf8').replace(/\r\n/g, '\n').trim();
  if (!template) throw new ConfigError(configFile, [`notice.${language}: the file ${path} is empty`]);
  const facts = noticeFacts(config, language);
  const missing = Object.entries(REQUIRED_FACTS).filter(([name]) => !facts[name]?.trim());
  if (missing.length) {
    throw new ConfigError(
      configFile,
      missing.map(([name, why]) => `${PLACEHOLDER_SOURCES[name]}: missing, ${why}`),
    );
  }
  const text = fillNotice(template, facts, path, configFile);
  return { language, text, sha256: hash(text) };
}

/** Short form of the version for people (the full hash is stored as evidence). */
export function shortVersion(sha256: string): string {
  return sha256.slice(0, 12);
}
