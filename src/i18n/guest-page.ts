import type { Language } from './index.js';

// What a guest's web page says (design.md §3.11), in both languages. Guests are addressed formally
// (Sie): they are customers, applicants, partners. Values arrive as plain strings; the page escapes.

export type GuestStatus = 'pending' | 'agreed' | 'declined' | 'withdrawn';

export interface FirstLayerFacts {
  controller: string;
  contact: string;
  bbbProvider: string;
  recordingDays: number | null;
  /** Whether the meeting's room sees who answered what (consent.ask "room" or consent.showNames). */
  namesShown: boolean;
  /** Whether the bot can delete recordings on this BBB server (not behind b3lb, see bbb.acceptUnconfirmedDeletion). */
  botDeletes: boolean;
}

export interface GuestPageText {
  lang: string;
  languageName: string;
  languageSwitch: string;
  pageTitle: (title: string) => string;
  greeting: (name: string) => string;
  invitedBy: string;
  when: string;
  whenOpen: string;
  firstLayerHeading: (version: string) => string;
  firstLayer: (p: FirstLayerFacts) => string[];
  fullNoticeHeading: string;
  fullNoticeLink: string;
  answerHeading: string;
  yourAnswer: Record<GuestStatus, string>;
  /** In place of the answer, for a meeting planned with --no-record: there is nothing to answer. */
  noRecording: string;
  meetingState: (state: string, recorded: boolean | null) => string;
  agree: string;
  decline: string;
  changeHint: string;
  join: string;
  joinHint: string;
  withdraw: string;
  withdrawHint: string;
  done: Record<'agree' | 'decline' | 'withdraw' | 'unchanged', string>;
  storeHeading: string;
  store: (p: { evidenceDays: number; recordingDays: number | null; unansweredDays: number }) => string[];
  notFoundTitle: string;
  notFound: string;
  forgedTitle: string;
  forged: string;
  tooManyTitle: string;
  tooMany: string;
  failedTitle: string;
  failed: string;
}

const days = (n: number, one: string, many: string) => (n === 1 ? `1 ${one}` : `${n} ${many}`);

const de: GuestPageText = {
  lang: 'de',
  languageName: 'Deutsch',
  languageSwitch: 'Sprache',
  pageTitle: (title) => `Einladung: ${title}`,
  greeting: (name) => `Guten Tag, ${name}: Sie sind zu dieser Videokonferenz eingeladen.`,
  invitedBy: 'Eingeladen von',
  when: 'Beginn',
  whenOpen: 'sobald alle geantwortet haben oder die einladende Person beginnt',
  firstLayerHeading: (version) => `Datenschutz: das Wichtigste (Fassung ${version})`,
  firstLayer: (p) => [
    `Verantwortlich: ${p.controller}. Kontakt: ${p.contact}.`,
    `Zweck: Die Eingeladenen können die Besprechung später ansehen. Aufgezeichnet wird nur, wenn alle Eingeladenen zustimmen, Sie eingeschlossen. Die Aufzeichnung enthält Namen, Ton und Bild, das Gespräch, geteilte Bildschirme und den Chat; sie liegt auf dem BigBlueButton-Server von ${p.bbbProvider}.`,
    `Ihre Zustimmung ist freiwillig. Wenn Sie nicht zustimmen, nehmen Sie trotzdem teil; die Besprechung wird dann nicht aufgezeichnet. ${p.namesShown ? 'Ihre Antwort sehen die anderen Eingeladenen im Chatraum der Besprechung, mit Ihrem Namen.' : 'Ihre Antwort sehen nur Sie, der Bot und seine Admins im Nachweis; die anderen Eingeladenen sehen nur, wie viele zugestimmt haben.'}`,
    p.botDeletes
      ? `Sie können jederzeit widerrufen, mit dem Knopf auf dieser Seite oder formlos an ${p.contact}; die Aufzeichnungen werden dann gelöscht.`
      : `Sie können jederzeit widerrufen, mit dem Knopf auf dieser Seite oder formlos an ${p.contact}; der Bot kann auf diesem BigBlueButton-Server nichts löschen: Löschen Sie Aufzeichnungen über ${p.contact}.`,
    `${p.recordingDays === null ? 'Aufzeichnungen bleiben bis zu einem Widerruf gespeichert.' : `Aufzeichnungen werden nach ${days(p.recordingDays, 'Tag', 'Tagen')} gelöscht.`} Den Link zum Ansehen bekommen Eingeladene mit Matrix-Konto, die zugestimmt haben; Gäste bekommen keinen.`,
  ],
  fullNoticeHeading: 'Vollständiger Datenschutzhinweis',
  fullNoticeLink: 'Zum vollständigen Datenschutzhinweis',
  answerHeading: 'Ihre Antwort',
  yourAnswer: {
    pending: 'Sie haben noch nicht geantwortet.',
    agreed: 'Sie haben der Aufzeichnung zugestimmt.',
    declined: 'Sie haben der Aufzeichnung nicht zugestimmt; Sie nehmen ohne Aufzeichnung teil.',
    withdrawn: 'Sie haben Ihre Einwilligung widerrufen.',
  },
  noRecording: 'Diese Besprechung wird nicht aufgezeichnet: Sie müssen nichts beantworten.',
  meetingState: (state, recorded) =>
    state === 'open'
      ? recorded
        ? 'Die Besprechung läuft und wird aufgezeichnet.'
        : 'Die Besprechung läuft, ohne Aufzeichnung.'
      : state === 'closed'
        ? 'Die Besprechung ist vorbei.'
        : state === 'cancelled'
          ? 'Die Besprechung wurde abgesagt.'
          : 'Die Besprechung hat noch nicht begonnen.',
  agree: 'Ich stimme der Aufzeichnung zu',
  decline: 'Ich stimme nicht zu',
  changeHint: 'Sie können Ihre Antwort ändern, bis die Besprechung beginnt.',
  join: 'Besprechung betreten',
  joinHint: 'Der Knopf erzeugt bei jedem Klick Ihren persönlichen Zugang zum BigBlueButton-Raum.',
  withdraw: 'Einwilligung widerrufen',
  withdrawHint:
    'Eine laufende Aufzeichnung endet dann, die Besprechung geht ohne Aufzeichnung weiter; vorhandene Aufzeichnungen werden gelöscht.',
  done: {
    agree: 'Gespeichert: Sie haben zugestimmt.',
    decline: 'Gespeichert: Sie haben nicht zugestimmt.',
    withdraw: 'Gespeichert: Sie haben Ihre Einwilligung widerrufen.',
    unchanged: 'Nichts geändert: Diese Auswahl gibt es gerade nicht (mehr).',
  },
  storeHeading: 'Was wir über Sie speichern, und bis wann',
  store: (p) => [
    'Ihren Namen, wie die einladende Person ihn angegeben hat, und die Besprechung, zu der Sie eingeladen sind.',
    'Jede Antwort auf dieser Seite mit Zeitpunkt und der Fassung des Hinweises, den Sie gesehen haben (als Nachweis Ihrer Einwilligung), und wann Sie einen Zugang zur Besprechung erhalten haben.',
    'Nicht gespeichert wird Ihre IP-Adresse; sie wird nur eine Minute lang im Arbeitsspeicher gezählt, um Missbrauch zu bremsen. Ein Cookie enthält nur einen Zufallswert gegen gefälschte Formulare.',
    `Bis wann: ${p.recordingDays === null ? 'Aufzeichnungen bis zu einem Widerruf' : `Aufzeichnungen höchstens ${days(p.recordingDays, 'Tag', 'Tage')}`}. Alles andere wird ${days(p.evidenceDays, 'Tag', 'Tage')} nach dem Löschen der letzten Aufzeichnung gelöscht (ohne Aufzeichnung: nach dem Ende der Besprechung); dann funktioniert auch dieser Link nicht mehr.`,
    `Beginnt die Besprechung nie, verfällt sie nach ${days(p.unansweredDays, 'Tag', 'Tagen')} und wird wie eine abgesagte gelöscht.`,
  ],
  notFoundTitle: 'Nicht gefunden',
  notFound: 'Diese Seite gibt es nicht (mehr). Der Link ist falsch oder abgelaufen.',
  forgedTitle: 'Nicht gespeichert',
  forged:
    'Das Formular war veraltet oder kam nicht von dieser Seite. Es wurde nichts geändert. Bitte laden Sie die Seite neu und versuchen Sie es noch einmal.',
  tooManyTitle: 'Zu viele Anfragen',
  tooMany: 'Zu viele Anfragen in kurzer Zeit. Bitte versuchen Sie es in einer Minute noch einmal.',
  failedTitle: 'Nicht geklappt',
  failed: 'Das hat nicht geklappt. Bitte laden Sie die Seite neu: Sie zeigt, was gespeichert ist.',
};

const en: GuestPageText = {
  lang: 'en',
  languageName: 'English',
  languageSwitch: 'Language',
  pageTitle: (title) => `Invitation: ${title}`,
  greeting: (name) => `Hello ${name}: you are invited to this video meeting.`,
  invitedBy: 'Invited by',
  when: 'Starts',
  whenOpen: 'once everyone has answered or the organizer starts it',
  firstLayerHeading: (version) => `Privacy: the essentials (version ${version})`,
  firstLayer: (p) => [
    `Controller: ${p.controller}. Contact: ${p.contact}.`,
    `Purpose: the invitees can watch the meeting later. The meeting is recorded only if every invitee agrees, you included. A recording holds names, sound and video, the conversation, shared screens and the chat; it is kept on the BigBlueButton server of ${p.bbbProvider}.`,
    `Agreeing is voluntary. If you do not agree, you still take part; the meeting is then not recorded. ${p.namesShown ? "The other invitees see your answer, with your name, in the meeting's chat room." : 'Only you, the bot and its admins (in the evidence) see your answer; the other invitees see only how many agreed.'}`,
    p.botDeletes
      ? `You can withdraw at any time, with the button on this page or informally to ${p.contact}; the recordings are then deleted.`
      : `You can withdraw at any time, with the button on this page or informally to ${p.contact}; the bot cannot delete anything on this BigBlueButton server: have recordings deleted through ${p.contact}.`,
    `${p.recordingDays === null ? 'Recordings are kept until someone withdraws.' : `Recordings are deleted after ${days(p.recordingDays, 'day', 'days')}.`} The playback link goes to invitees with a Matrix account who agreed; guests get none.`,
  ],
  fullNoticeHeading: 'Full privacy notice',
  fullNoticeLink: 'Go to the full privacy notice',
  answerHeading: 'Your answer',
  yourAnswer: {
    pending: 'You have not answered yet.',
    agreed: 'You agreed to the recording.',
    declined: 'You did not agree to the recording; you take part unrecorded.',
    withdrawn: 'You withdrew your consent.',
  },
  noRecording: 'This meeting will not be recorded: there is nothing to answer.',
  meetingState: (state, recorded) =>
    state === 'open'
      ? recorded
        ? 'The meeting is running and being recorded.'
        : 'The meeting is running, not recorded.'
      : state === 'closed'
        ? 'The meeting is over.'
        : state === 'cancelled'
          ? 'The meeting was cancelled.'
          : 'The meeting has not started yet.',
  agree: 'I agree to the recording',
  decline: 'I do not agree',
  changeHint: 'You can change your answer until the meeting starts.',
  join: 'Join the meeting',
  joinHint: 'Each click makes your personal entry to the BigBlueButton room.',
  withdraw: 'Withdraw my consent',
  withdrawHint:
    'A running recording then stops and the meeting goes on unrecorded; existing recordings are deleted.',
  done: {
    agree: 'Saved: you agreed.',
    decline: 'Saved: you did not agree.',
    withdraw: 'Saved: you withdrew your consent.',
    unchanged: 'Nothing changed: this choice is not available (any more).',
  },
  storeHeading: 'What we store about you, and until when',
  store: (p) => [
    'Your name as the organizer gave it, and the meeting you are invited to.',
    'Each answer on this page with its time and the version of the notice you saw (as evidence of your consent), and when you were given an entry to the meeting.',
    'Your IP address is not stored; it is only counted in memory for one minute to slow down abuse. A cookie holds only a random value against forged forms.',
    `Until when: ${p.recordingDays === null ? 'recordings until someone withdraws' : `recordings at most ${days(p.recordingDays, 'day', 'days')}`}. Everything else is deleted ${days(p.evidenceDays, 'day', 'days')} after the last recording was deleted (nothing recorded: after the meeting ended); then this link stops working too.`,
    `If the meeting never starts, it expires after ${days(p.unansweredDays, 'day', 'days')} and is deleted like a cancelled one.`,
  ],
  notFoundTitle: 'Not found',
  notFound: 'This page does not exist (any more). The link is wrong or has expired.',
  forgedTitle: 'Not saved',
  forged:
    'The form was out of date or did not come from this page. Nothing was changed. Please reload the page and try again.',
  tooManyTitle: 'Too many requests',
  tooMany: 'Too many requests in a short time. Please try again in a minute.',
  failedTitle: 'That did not work',
  failed: 'That did not work. Please reload the page: it shows what is stored.',
};

export const guestPageText: Record<Language, GuestPageText> = { de, en };

/** The page's language: an explicit choice (the switch), else the browser's preference, else the bot's. */
export function guestLanguage(
  choice: string | undefined,
  acceptLanguage: string | undefined,
  fallback: Language,
): Language {
  if (choice === 'de' || choice === 'en') return choice;
  const ranked = (acceptLanguage ?? '')
    .split(',')
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      return { base: tag.toLowerCase().split('-')[0], q: q ? Number(q.slice(2)) : 1, index };
    })
    .filter((x) => x.q > 0 && (x.base === 'de' || x.base === 'en'))
    .sort((a, b) => b.q - a.q || a.index - b.index);
  return (ranked[0]?.base as Language | undefined) ?? fallback;
}
