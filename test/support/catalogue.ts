import { commandTable } from '../../src/commands/index.js';
import { usageForms } from '../../src/commands/usage.js';
import { catalogue } from '../../src/i18n/index.js';
import { join, type Rich } from '../../src/i18n/rich.js';
import { SAMPLE_NOTICE_FACTS } from './notice-facts.js';

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

/** A placeholder for a parameter a test does not know, to split a rendered entry at. */
export const GAP = '\u0000';

/** The fixed text before and after the one parameter of a catalogue entry (e.g. `… liegt in der Vergangenheit`). */
export function around(render: (value: string) => Rich | string): [string, string] {
  const [before = '', after = ''] = said(render(GAP)).split(GAP);
  return [before, after];
}

/** How the short notice posted with every meeting begins (the words before its title). */
export const noticeOpening = around((title) => firstLayerOf({ title, version: '', fullText: '' }))[0];

type Answer = 'agreed' | 'declined' | 'withdrawn' | 'pending';

/** The room's consent prompt as the bot words it, with empty defaults for what a test does not give. */
export function roomPrompt(p: Partial<Parameters<typeof t.prompt>[0]>): string {
  const tally = { agreed: [], declined: [], withdrawn: [], pending: [] };
  const empty = {
    id: 1,
    title: '',
    organizer: plain(''),
    invitees: plain(''),
    noRecord: false,
    tally,
    namesShown: false,
  };
  return said(t.prompt({ ...empty, when: null, closedNote: null, ask: 'room', ...p }));
}

/** A person's private prompt, likewise. */
export function directPrompt(p: Partial<Parameters<typeof t.directPrompt>[0]>): string {
  const empty = {
    id: 1,
    title: '',
    organizer: plain(''),
    when: null,
    prefix: '!',
    answer: 'pending' as const,
    namesShown: false,
  };
  return said(t.directPrompt({ ...empty, closedNote: null, ...p }));
}

/** The prompt's tally line for one answer (`↩️ Widerrufen (1): Alice`), as the prompt shows it. */
export function tallyLine(answer: Answer, names: string[]): string {
  const tally = { agreed: [], declined: [], withdrawn: [], pending: [], [answer]: names };
  const prompt = roomPrompt({ title: GAP, organizer: plain(GAP), invitees: plain(GAP), tally });
  const line = prompt.split('\n').find((l) => !l.includes(GAP) && names.every((n) => l.includes(n)));
  if (!line) throw new Error(`no tally line for ${answer}`);
  return line;
}

/** The first line of the room's announcement that a meeting opened. */
export function openedLine(title: string): string {
  return said(t.meetingOpened(title, join([]), 'direct')).split('\n')[0]!;
}

/** A plain name or title as a catalogue parameter. */
export const plain = (text: string): Rich => join([text]);

/** The fixed text of an entry up to its first parameter (`Widerruf von `, `Das darf nur `). */
export function opening(render: (value: string) => Rich | string): string {
  return around(render)[0];
}

/** The opened announcement's verdict for a recorded meeting (`… alle 3 haben zugestimmt.`). */
export const recordingOn = (count: number): string => said(t.recordingOn(count));

export type Reason = 'declined' | 'withdrew' | 'pending';
const REASONS = { declined: t.reasonDeclined, withdrew: t.reasonWithdrew, pending: t.reasonPending };

/** The opened announcement's verdict for an unrecorded meeting, with its reasons in order. */
export function recordingOff(...reasons: [Reason, string][]): string {
  return said(t.recordingOffReasons(reasons.map(([why, who]) => REASONS[why](plain(who)))));
}

/** One reason of that verdict (`Alice hat widerrufen`). */
export const reason = (why: Reason, who: string): string => said(REASONS[why](plain(who)));

/** The line of a join link that says whether the session is recorded. */
export function joinLinkRecording(recording: boolean): string {
  return said(t.joinLink({ title: '', url: '', moderator: false, recording })).split('\n')[2]!;
}

/** The first line of a join link (`Dein persönlicher Link für <title> (Moderation):`). */
export function joinLinkHeading(title: string, moderator: boolean): string {
  return said(t.joinLink({ title, url: '', moderator, recording: false })).split('\n')[0]!;
}

/** A recording as messages name it (`„<title>“ vom <date>`). */
export const recordingName = (title: string, date: string): string => said(t.recordingName(title, date));

/** How the recording-ready post begins, up to the recording's date (`Die Aufzeichnung „<title>“`). */
export function recordingReadyOpening(title: string): string {
  return said(t.recordingReady(t.recordingName(title, GAP), null)).split(GAP)[0]!;
}

/** How the confirmation of a withdrawal begins for the person (`Widerruf von <who> gespeichert.`). */
export const withdrawalSaved = (who: string): string => withdrawalLines(who).saved;

/** The lines of the answer to a withdrawal after the meeting: how each begins (`Gelöscht: `, …). */
export function withdrawalLines(who: string) {
  const lines = (deleted: string[], pending: string[]) =>
    said(t.withdrawDeleted(plain(who), deleted.map(plain), pending.map(plain))).split('\n');
  return {
    saved: lines([], [])[0]!,
    /** The line for a withdrawal that found no recording to delete. */
    none: lines([], [])[1]!,
    deleted: lines([GAP], [])[1]!.split(GAP)[0]!,
    pending: lines([], [GAP])[1]!.split(GAP)[0]!,
  };
}

/** The refusal of a command someone may not use (`Das darf nur ein Admin.`). */
export const notAllowed = (who: string): string => said(t.notAllowed(who));

/** A tally line's label and count without the names (`✅ Zugestimmt (2)`). */
export function tallyCount(answer: Answer, count: number): string {
  const names = Array.from({ length: count }, (_, i) => `Person${i}`);
  const line = tallyLine(answer, names);
  return line.slice(0, line.indexOf(')') + 1);
}

/** How every post about someone's withdrawal begins (`Widerruf von Alice`). */
export function withdrawalOf(who: string): string {
  return opening((w) => t.withdrawUnrecorded(plain(w), '')) + who;
}

/** The last line of a person's private prompt: what they answered (`Deine Antwort: ✅ zugestimmt`). */
export function yourAnswer(answer: Answer): string {
  return directPrompt({ answer }).split('\n').at(-1)!;
}

/** Who has not answered yet, as status and reminders list them (`Noch keine Antwort von Alice, Bob`). */
export function noAnswerFrom(names: string[]): string {
  const [, list = ''] = said(t.statusPending(plain(GAP), names.map(plain))).split(GAP);
  return list.replace(/^\W+/, '').replace(/\.$/, '');
}

export const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Text that would tell someone's answer: a name with a reason (`Alice hat abgelehnt`), a tally line
 * with names (`✅ Zugestimmt (2): …`) or a withdrawal post. Where answers are private, no room post may match.
 */
export function namedAnswer(names: string[]): RegExp {
  const who = `(${names.map(escapeRegExp).join('|')})`;
  const reasons = (['declined', 'withdrew', 'pending'] as const).map((r) =>
    escapeRegExp(reason(r, GAP)).replace(GAP, who),
  );
  const counts = (['agreed', 'declined', 'withdrawn', 'pending'] as const).map(
    (a) => `${escapeRegExp(tallyCount(a, 1)).replace('\\(1\\)', '\\(\\d+\\)')}: `,
  );
  return new RegExp([...reasons, ...counts, escapeRegExp(withdrawalOf(''))].join('|'));
}

/** How the full notice's post begins (`Vollständiger Datenschutzhinweis, Fassung `). */
export const fullNoticeOpening = opening(t.noticeFullHeader);

/**
 * A meeting's first layer as the bot posts it with the sample notice facts (test/support/notice-facts.ts),
 * 30 days' retention and the `!` prefix unless given.
 */
export function firstLayerOf(
  p: Pick<FirstLayer, 'title' | 'version' | 'fullText'> & Partial<FirstLayer>,
): string {
  const { controller, contact, bbbProvider } = SAMPLE_NOTICE_FACTS;
  const facts = {
    controller,
    contact,
    bbbProvider,
    recordingDays: 30,
    prefix: '!',
    ask: 'room' as const,
    namesShown: true,
  };
  return said(t.noticeFirstLayer({ ...facts, botDeletes: true, ...p }));
}
type FirstLayer = Parameters<typeof t.noticeFirstLayer>[0];

/** `und 97 weitere` as a pattern: where a long list of names is cut short. */
export const andMorePattern = escapeRegExp(said(t.andMore(0))).replace('0', '\\d+');

/** The room prompt's second line around its invitees (`<invitees>: Darf die Besprechung …`). */
export const promptInviteesLine = (noRecord: boolean) =>
  around((invitees) => roomPrompt({ invitees: plain(invitees), noRecord }).split('\n')[1]!);
export const inviteesLine = promptInviteesLine(false);

/** The reminder's line around who has not answered (`Noch keine Antwort von <names>: Bitte …`). */
export const reminderPendingLine = around(
  (names) =>
    said(t.reminder({ ref: plain('#1'), minutes: 10, when: '', pending: [plain(names)] })).split('\n')[1]!,
);

/** The first line of the answer to !mydata (`Auskunft (Art. 15 DSGVO) über <user>:`). */
export const mydataHeading = (userId: string): string =>
  said(
    t.mydata({
      userId,
      meetings: [],
      consents: [],
      deliveries: 0,
      audit: 0,
      recordings: 0,
      file: '',
      prefix: '!',
    }),
  ).split('\n')[0]!;

/** The private prompt's question after the organizer (`: Darf sie aufgezeichnet werden? …`). */
export const directPromptQuestion = around(
  (organizer) => directPrompt({ organizer: plain(organizer) }).split('\n')[0]!,
)[1];

/** How the line naming deleted recordings begins (`Gelöscht: `). */
export const deletedOpening = withdrawalLines('').deleted;

/** How the room learns of a withdrawal whose recordings are deleted (`Ein Widerruf zu <title>`). */
export const withdrawalReceivedOf = (title: string): string =>
  opening((x) => t.withdrawalReceivedDeleted(x, [], [])) + title;

/** The room's post that a recording is ready (with or without a deletion date), whatever its name. */
export const recordingReadyPattern = (() => {
  const [before = '', withDate = ''] = said(t.recordingReady(plain(GAP), GAP)).split(GAP);
  const [, kept = ''] = said(t.recordingReady(plain(GAP), null)).split(GAP);
  let common = 0;
  while (common < withDate.length && withDate[common] === kept[common]) common++;
  return new RegExp(`^${escapeRegExp(before)}.*${escapeRegExp(withDate.slice(0, common))}`);
})();

/** How the verdict for an unrecorded meeting begins, whatever the reasons (`Aufzeichnung AUS – `). */
export const recordingOffOpening = opening((r) => t.recordingOffReasons([plain(r)]));

/** Any verdict on recording, on or off (`Aufzeichnung AN – `, `Aufzeichnung AUS – `). */
export const recordingVerdictPattern = new RegExp(
  [said(t.recordingOn(0)).split('0')[0]!, recordingOffOpening].map(escapeRegExp).join('|'),
);
