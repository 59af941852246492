import { commandTable } from '../../src/commands/index.js';
import { usageForms } from '../../src/commands/usage.js';
import { catalogue } from '../../src/i18n/index.js';
import { join, type Rich } from '../../src/i18n/rich.js';

// What the bot says, for assertions: the default (German) catalogue, so a change of wording changes the
// catalogue alone, never a test. `said` is the plain body a Matrix client shows.

export const t = catalogue('de');

export function said(message: Rich | string): string {
  return typeof message === 'string' ? message : message.text;
}

/** A command's usage forms as the bot prints them (`!meeting <title> …`), each with the prefix. */
export function usageFormsOf(name: string, prefix = '!'): string[] {
  const command = commandTable.find((d) => d.name === name);
  if (!command) throw new Error(`no command ${name}`);
  return usageForms(t, command, prefix);
}

/** A command's usage line in an answer to bad arguments (its forms joined by ` | `). */
export function usageOf(name: string, prefix = '!'): string {
  return usageFormsOf(name, prefix).join(' | ');
}

/** The answer to bad arguments: the problem and the usage line. */
export function argumentError(problem: string, command: string): string {
  return said(t.argumentError(problem, usageOf(command)));
}

const GAP = '\u0000';

/** The fixed text before and after the one parameter of a catalogue entry (e.g. `… liegt in der Vergangenheit`). */
export function around(render: (value: string) => Rich | string): [string, string] {
  const [before = '', after = ''] = said(render(GAP)).split(GAP);
  return [before, after];
}

/** How the short notice posted with every meeting begins (the words before its title). */
export const noticeOpening = around((title) =>
  t.noticeFirstLayer({
    title,
    version: '',
    controller: '',
    contact: '',
    bbbProvider: '',
    recordingDays: 1,
    prefix: '!',
    fullText: '',
    ask: 'room',
    botDeletes: true,
  }),
)[0];

/** The prompt's tally line for one answer (`↩️ Widerrufen (1): Alice`), as the prompt shows it. */
export function tallyLine(answer: 'agreed' | 'declined' | 'withdrawn' | 'pending', names: string[]): string {
  const tally = { agreed: [], declined: [], withdrawn: [], pending: [], [answer]: names };
  const prompt = said(
    t.prompt({
      id: 1,
      title: GAP,
      organizer: join([GAP]),
      when: null,
      invitees: join([GAP]),
      noRecord: false,
      tally,
      closedNote: null,
      ask: 'room',
    }),
  );
  const line = prompt.split('\n').find((l) => !l.includes(GAP) && names.every((n) => l.includes(n)));
  if (!line) throw new Error(`no tally line for ${answer}`);
  return line;
}

/** The first line of the room's announcement that a meeting opened. */
export function openedLine(title: string): string {
  return said(t.meetingOpened(title, join([]), 'direct')).split('\n')[0]!;
}
