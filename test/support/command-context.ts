import type { CommandServices } from '../../src/app/command-services.js';
import type { CommandContext, CommandDefinition, ParsedArgs } from '../../src/commands/command.js';
import { CommandError, textOf } from '../../src/commands/command.js';
import type { MeetingRow } from '../../src/db/meetings-store.js';
import type { RecordingRow } from '../../src/db/recordings-store.js';
import { catalogue, formatDate, formatDateTime } from '../../src/i18n/index.js';
import { join, type Rich } from '../../src/i18n/rich.js';
import { createLogger } from '../../src/log.js';
import { SAMPLE_NOTICE_FACTS } from './notice-facts.js';

// A command's context with fakes for the services it names: commands are unit-tested without the app.
// The catalogue is the real German one (the default), so tests read their expected text from it.

export const t = catalogue('de');
export const NOW = Date.parse('2026-11-26T12:00:00Z');
export const ROOM = '!room:example.org';
export const SENDER = '@alice:example.org';

export interface FakeContext extends CommandContext {
  replies: Rich[];
}

export function fakeContext(
  services: Partial<{ [K in keyof CommandServices]: Partial<CommandServices[K]> }> = {},
  overrides: Partial<CommandContext> = {},
): FakeContext {
  const replies: Rich[] = [];
  return {
    roomId: ROOM,
    sender: SENDER,
    eventId: '$command',
    prefix: '!',
    role: 'member',
    t,
    clock: { now: () => NOW },
    settings: {
      language: 'de',
      timezone: 'Europe/Berlin',
      maxInvitees: 100,
      showNames: false,
      finalDeletion: SAMPLE_NOTICE_FACTS.finalDeletion,
    },
    dateTime: (at) => formatDateTime('de', 'Europe/Berlin', at),
    date: (at) => formatDate('de', 'Europe/Berlin', at),
    log: createLogger('silent'),
    reply: async (message) => {
      replies.push(message);
    },
    chat: { fits: () => true },
    services: services as CommandServices,
    replies,
    ...overrides,
  };
}

export function args(partial: Partial<ParsedArgs> = {}): ParsedArgs {
  return { words: [], mentions: [], unresolved: [], options: {}, ...partial };
}

/** Runs a command; a CommandError becomes the text the person would read (as the dispatcher does). */
export async function run(
  command: CommandDefinition,
  c: FakeContext,
  parsed: ParsedArgs = args(),
): Promise<{ kind: 'replied' } | { kind: 'usage' | 'refusal'; text: string | null }> {
  try {
    await command.run(c, parsed);
    return { kind: 'replied' };
  } catch (error) {
    if (!(error instanceof CommandError)) throw error;
    const said = error.text && textOf(t, error.text);
    return { kind: error.kind, text: said === null ? null : join([said]).text };
  }
}

export function meetingRow(fields: Partial<MeetingRow> = {}): MeetingRow {
  return {
    id: 1,
    roomId: ROOM,
    title: 'Weekly sync',
    organizerId: SENDER,
    state: 'collecting',
    noRecord: false,
    language: 'de',
    noticeSha256: 'a'.repeat(64),
    commandEventId: '$plan',
    scheduledAt: null,
    createdAt: NOW - 60_000,
    noticeEventId: '$notice',
    promptEventId: '$prompt',
    openedAt: null,
    openedBy: null,
    closedAt: null,
    consentAsk: 'room',
    consentTextSha256: null,
    ...fields,
  };
}

export function recordingRow(fields: Partial<RecordingRow> = {}): RecordingRow {
  return {
    recordId: 'abcdef0123456789-1764158400000',
    sessionId: 1,
    meetingId: 1,
    state: 'available',
    startTime: NOW - 3_600_000,
    discoveredAt: NOW - 3_000_000,
    readyAt: NOW - 3_000_000,
    readyAnnouncedAt: null,
    deleteAfter: NOW + 30 * 86_400_000,
    purgeReason: null,
    purgeRequestedAt: null,
    purgedAt: null,
    attempts: 0,
    lastError: null,
    ...fields,
  };
}
