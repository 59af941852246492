import { parseArgs } from 'node:util';
import type { EvidenceFormat } from './format.js';
import type { EvidenceScope } from './report.js';

export const EVIDENCE_USAGE =
  'Usage: npm run evidence -- [--config <file>] [--meeting <id> | --room <roomId> | --since <date>] [--format csv|json] [--output <file>]';

export interface EvidenceArgs {
  config: string;
  scope: EvidenceScope;
  format: EvidenceFormat;
  output?: string;
}

/** Parses the command line; throws an Error whose message is for the operator. */
export function parseEvidenceArgs(argv: string[]): EvidenceArgs {
  const { values } = parseArgs({
    args: argv,
    options: {
      config: { type: 'string', short: 'c' },
      meeting: { type: 'string' },
      room: { type: 'string' },
      since: { type: 'string' },
      format: { type: 'string' },
      output: { type: 'string', short: 'o' },
    },
    strict: true,
    allowPositionals: false,
  });
  const chosen = [values.meeting, values.room, values.since].filter((v) => v !== undefined);
  if (chosen.length > 1) throw new Error('give at most one of --meeting, --room, --since');
  const scope: EvidenceScope = {};
  if (values.meeting !== undefined) {
    if (!/^#?\d+$/.test(values.meeting))
      throw new Error(`--meeting expects a meeting number like 12, not "${values.meeting}"`);
    scope.meetingId = Number(values.meeting.replace('#', ''));
  }
  if (values.room !== undefined) {
    if (!/^![^:\s]+:\S+$/.test(values.room))
      throw new Error(`--room expects a room ID like !abc:example.org, not "${values.room}"`);
    scope.roomId = values.room;
  }
  if (values.since !== undefined) {
    const at = Date.parse(values.since);
    if (Number.isNaN(at)) throw new Error(`--since expects a date like 2026-11-01, not "${values.since}"`);
    scope.since = at;
  }
  const format = values.format ?? 'csv';
  if (format !== 'csv' && format !== 'json') throw new Error(`--format is csv or json, not "${format}"`);
  return {
    config: values.config ?? 'config.json',
    scope,
    format,
    ...(values.output !== undefined ? { output: values.output } : {}),
  };
}
