import { blocks, bold, bullets, code, href, join, lines, link, type Piece, type Rich, rich } from './rich.js';

// German is the default catalogue and the source of truth for the message set; `en.ts` must provide
// the same keys (enforced by its type). Names, titles and links arrive as Rich pieces, already safe.

export interface TallyView {
  agreed: Piece[];
  declined: Piece[];
  withdrawn: Piece[];
  pending: Piece[];
  /** Set when the lists name only some people (large meetings): how many each list really has. */
  totals?: { agreed: number; declined: number; withdrawn: number; pending: number };
}

/** "✅ Zugestimmt (3): A, B, C"; in large meetings "✅ Zugestimmt (97)" or "… (12): A, B und 10 weitere". */
const tallyLine = (label: string, people: Piece[], total = people.length): Rich | null =>
  total
    ? join([
        `${label} (${total})`,
        people.length ? join([': ', join(people, ', ')]) : '',
        total > people.length && people.length ? ` und ${total - people.length} weitere` : '',
      ])
    : null;

/** The unrecorded session that follows an ended recorded one: open, or waiting for BigBlueButton. */
const successorDe = (opened: boolean) =>
  opened
    ? 'eine neue Sitzung ohne Aufzeichnung ist eröffnet. Neue Links kommen gleich'
    : 'eine neue Sitzung ohne Aufzeichnung wird eröffnet, sobald BigBlueButton sie annimmt. Die neuen Links kommen dann';

export const de = {
  languageTag: 'de-DE',
  pong: rich`pong`,
  receivedWhileOffline: (command: string, at: string) =>
    rich`Dein ${code(command)} kam am ${at} an, während ich offline war. Ich führe so alte Befehle nicht aus; sende ihn noch einmal, wenn er noch gilt.`,
  receivedAt: (at: string) => rich`(Deine Anfrage kam am ${at} an, während ich offline war.)`,
  editsNotRead: (command: string) =>
    rich`Bearbeitete Nachrichten lese ich nicht als Befehl. Sende ${code(command)} bitte als neue Nachricht.`,
  usage: (usage: string) => rich`Aufruf: ${code(usage)}`,
  argumentError: (problem: string, usage: string) => rich`${problem}. Aufruf: ${code(usage)}`,
  unknownOption: (option: string) => `Unbekannte Option ${option}`,
  unresolvedMentions: (mentions: string, server: string) =>
    `Diese Erwähnung kann ich keiner Person zuordnen: ${mentions} (vollständige Matrix-ID angeben, z. B. @name:${server}, oder die Person über die Erwähnung des Chat-Programms auswählen)`,
  missingTitle: 'Es fehlt ein Titel',
  badTime: (input: string) =>
    `Zeitangabe „${input}“ nicht verstanden (z. B. „morgen 10:00“ oder „2026-12-01 14:30“)`,
  timeInDstGap: (input: string, zone: string) =>
    `Die Uhrzeit „${input}“ gibt es in der Zeitzone ${zone} nicht (Umstellung auf Sommerzeit); bitte eine andere Uhrzeit angeben`,
  timeWithoutClock: (input: string) => `„${input}“ nennt keine Uhrzeit (z. B. „morgen 10:00“)`,
  timeInPast: (when: string) => `Der Zeitpunkt ${when} liegt in der Vergangenheit`,
  titleTooLong: (max: number) => `Der Titel darf höchstens ${max} Zeichen lang sein`,
  tooManyInvitees: (max: number) => `Höchstens ${max} Eingeladene pro Besprechung`,
  tooManyRoomMembers: (members: number, max: number) =>
    `Dieser Raum hat ${members} Mitglieder, eine Besprechung höchstens ${max} Eingeladene: bitte die Eingeladenen nennen`,
  tooManyForMeeting: (title: string, current: number, adding: number, max: number) =>
    `${title} hat schon ${current} Eingeladene; mit ${adding} weiteren wären es mehr als ${max}, die Höchstzahl pro Besprechung`,
  andMore: (n: number) => rich` und ${n} weitere`,
  unknownUsers: (users: string) => `Diese Personen sind nicht in diesem Raum: ${users}`,
  notAllowed: (who: string) => rich`Das darf nur ${who}.`,
  whoOrganizerOrAdmin: 'die Person, die die Besprechung angelegt hat, oder ein Admin',
  whoAdmin: 'ein Admin',
  whoOrganizer: 'die Person, die die Besprechung angelegt hat',
  whoParticipant: 'wer zu der Besprechung eingeladen ist',
  internalError: rich`Das hat nicht geklappt (interner Fehler). Bitte später noch einmal versuchen.`,
  bbbUnavailable: rich`Der BigBlueButton-Server ist gerade nicht erreichbar. Ich versuche es weiter.`,
  encryptedRoom: rich`Dieser Raum ist Ende-zu-Ende-verschlüsselt. Ich kann hier keine Nachrichten und keine Reaktionen lesen und deshalb keine Einwilligungen einholen. Bitte nutzt mich in einem unverschlüsselten Raum.`,
  noMeeting: rich`In diesem Raum gibt es dazu keine Besprechung.`,
  undecryptable: (who: Rich) =>
    rich`${who}, deine Nachricht konnte ich nicht entschlüsseln (mir fehlt ihr Schlüssel). Bitte sende sie noch einmal.`,
  /** Without matrix.password, or when the login of a new device failed (`loginFailure`). */
  /** Start-up reconciliation found reactions it cannot read: unknown, never a removal (design §3.8). */
  unreadableAnswersIntro:
    'Einige Antworten auf Einladungen kann ich nicht lesen (z. B. weil die Schlüssel meines Geräts verloren gingen oder die Verschlüsselung abgeschaltet wurde).',
  unreadableAnswers: (meetings: Rich[]) =>
    rich`${'Einige Antworten auf Einladungen kann ich nicht lesen (z. B. weil die Schlüssel meines Geräts verloren gingen oder die Verschlüsselung abgeschaltet wurde).'} Ich habe nichts geändert: jede gespeicherte Antwort, Aufnahme und Sitzung bleibt, wie sie war, und niemandem wird ein Widerruf unterstellt. Betroffen: ${join(meetings, ', ')}.`,
  cryptoStoreLost: (reason: string, loginFailure?: string) =>
    loginFailure
      ? rich`Die Schlüssel meines Geräts für Ende-zu-Ende-Verschlüsselung sind verloren oder beschädigt (${reason}). Mich mit dem konfigurierten Passwort als neues Gerät anzumelden, ist fehlgeschlagen (${loginFailure}). Ich arbeite vorerst nur in unverschlüsselten Räumen. Abhilfe: ${code('matrix.password')} prüfen und mich neu starten, oder ein neues Zugangstoken (neues Gerät) für mich anlegen, in die Konfiguration eintragen und mich neu starten. Der alte Schlüsselordner wurde beiseitegelegt.`
      : rich`Die Schlüssel meines Geräts für Ende-zu-Ende-Verschlüsselung sind verloren oder beschädigt (${reason}). Ich arbeite vorerst nur in unverschlüsselten Räumen. Abhilfe: das Passwort meines Kontos als ${code('matrix.password')} eintragen und mich neu starten (dann melde ich mich selbst als neues Gerät an), oder ein neues Zugangstoken (neues Gerät) für mich anlegen, in die Konfiguration eintragen und mich neu starten. Der alte Schlüsselordner wurde beiseitegelegt.`,
  cryptoNewDevice: (
    reason: string,
    oldDevice: string,
    newDevice: string,
    oldRemoved: boolean,
    recovered: { crossSigned: boolean; roomKeys: number | null },
  ) =>
    rich`Die Schlüssel meines Geräts für Ende-zu-Ende-Verschlüsselung waren verloren oder beschädigt (${reason}). Ich habe mich deshalb als neues Gerät angemeldet und verschlüssele wieder: altes Gerät ${code(oldDevice)}, neues Gerät ${code(newDevice)}. ${oldRemoved ? 'Das alte Gerät habe ich abgemeldet.' : 'Das alte Gerät konnte ich nicht abmelden; bitte in der Sitzungsliste meines Kontos entfernen.'} ${
      recovered.roomKeys === null
        ? 'Nachrichten, die für das alte Gerät verschlüsselt wurden, kann ich nicht mehr lesen.'
        : `Ich habe ${recovered.roomKeys} Raumschlüssel aus der Schlüsselsicherung wiederhergestellt: Nachrichten, die für das alte Gerät verschlüsselt wurden, kann ich weiter lesen.`
    } ${
      recovered.crossSigned
        ? 'Das neue Gerät ist mit den Schlüsseln meines Kontos aus dem sicheren Speicher quersigniert; eure Clients sehen es als von mir verifiziert.'
        : rich`Das neue Gerät ist nicht quersigniert: Clients, die nicht verifizierte Geräte ausschließen (Element), schicken mir ihre Schlüssel nicht und zeigen meine Nachrichten nicht an. Bitte ${code('matrix.recoveryKey')} setzen und mich neu starten.`
    }`,
  ambiguousMeeting: (choices: Rich) =>
    rich`Hier gibt es mehrere Besprechungen, bitte eine Nummer angeben: ${choices}`,
  meetingRef: (id: number, title: string) => rich`#${id} ${bold(title)}`,

  noticeFacts: {
    recordingRetention: (days: number) =>
      `${days === 1 ? '1 Tag' : `${days} Tage`} nach der Aufnahme automatisch gelöscht`,
    withdrawTo: (contact: string, admins: string[]) =>
      admins.length ? `${contact} oder an die Admins des Bots (${admins.join(', ')})` : contact,
    dpo: (dpo: string | undefined, contact: string): string =>
      dpo ??
      `Eine Datenschutzbeauftragte oder ein Datenschutzbeauftragter ist nicht benannt; wenden Sie sich an ${contact}.`,
    meetingLegalBasis: (basis: 'colleagues' | 'customers'): string =>
      basis === 'colleagues'
        ? 'Die Besprechungen dienen der Zusammenarbeit unter Beschäftigten; Rechtsgrundlage ist die Durchführung des Beschäftigungsverhältnisses (Art. 6 Abs. 1 lit. b DSGVO, Art. 88 DSGVO) sowie unser berechtigtes Interesse an einer einfachen und schnellen internen Kommunikation (Art. 6 Abs. 1 lit. f DSGVO).'
        : 'Die Besprechungen dienen der Kommunikation mit angehenden oder bestehenden Vertragspartnern und Kunden (Art. 6 Abs. 1 lit. b DSGVO) sowie unserem berechtigten Interesse an einer einfachen und schnellen Kommunikation (Art. 6 Abs. 1 lit. f DSGVO).',
    howAsked: (ask: 'direct' | 'room', prefix: string): string =>
      ask === 'direct'
        ? `Vor der Besprechung fragt der Bot jede eingeladene Person in einer Direktnachricht, ob aufgezeichnet werden darf. Sie antworten dort mit der Reaktion ✅ (ja) oder ❌ (nein); dort können Sie die Antwort bis zur Eröffnung ändern und mit ${prefix}withdraw widerrufen.`
        : 'Vor der Besprechung fragt der Bot im Chatraum der Besprechung, ob aufgezeichnet werden darf. Sie antworten mit der Reaktion ✅ (ja) oder ❌ (nein) auf diese Frage; bis zur Eröffnung der Besprechung können Sie Ihre Antwort ändern. Reaktionen sind für alle im Chatraum sichtbar.',
    guestsAsked:
      'Gäste ohne Matrix-Konto antworten auf der Webseite des Bots, die sie über ihren persönlichen Link erreichen (die Person, die die Besprechung plant, leitet ihn weiter); dort können sie die Antwort bis zur Eröffnung ändern, der Besprechung beitreten und jederzeit widerrufen. Der Bot speichert für sie den Namen, den die planende Person eingegeben hat, eine Gast-Kennung statt einer Matrix-ID und den Link nur als Prüfsumme; der Link funktioniert nicht mehr, sobald die Nachweise der Besprechung gelöscht sind. Zum Schutz vor Missbrauch zählt der Bot Aufrufe der Seite je IP-Adresse eine Minute lang im Arbeitsspeicher; er speichert die Adressen nicht.',
    answersShown: (ask: 'direct' | 'room', showNames: boolean): string =>
      ask === 'room'
        ? 'Wer wie geantwortet hat, sehen alle Mitglieder des Chatraums (an den Reaktionen); der Bot nennt es auch in seiner Übersicht. Rechtsgrundlage dafür ist unser berechtigtes Interesse an einem nachvollziehbaren Ablauf (Art. 6 Abs. 1 lit. f DSGVO).'
        : showNames
          ? 'Wer wie geantwortet hat, nennt der Bot im Chatraum der Besprechung, wie es unsere Betriebsvereinbarung vorsieht (Art. 88 DSGVO, Art. 6 Abs. 1 lit. f DSGVO).'
          : 'Ihre Antwort sehen nur Sie, der Bot und die Admins des Bots im Einwilligungsnachweis; im Chatraum der Besprechung nennt der Bot nur die Zahl der Zustimmungen, Ablehnungen und fehlenden Antworten. Wer noch nicht geantwortet hat, erfährt nur die Person, die die Besprechung angelegt hat, per Direktnachricht (Art. 6 Abs. 1 lit. f DSGVO).',
    // bbb.acceptUnconfirmedDeletion (issue 22): behind a front-end like b3lb the bot cannot delete.
    withdrawalDeletion: (confirmed: boolean): string =>
      confirmed
        ? 'Widerruft eine eingeladene Person ihre Einwilligung, lässt der Bot die Aufzeichnungen der Besprechung sofort beim Anbieter löschen und wiederholt das, bis der Anbieter die Löschung bestätigt (Abschnitt 2).'
        : 'Der hier genutzte BigBlueButton-Server kann Löschungen nicht bestätigen, deshalb löscht der Bot dort keine Aufzeichnungen: Widerruft eine eingeladene Person ihre Einwilligung, löscht der Verantwortliche die Aufzeichnungen der Besprechung auf Anfrage (Kontakt oben).',
  },
  noticeFirstLayer: (p: {
    title: string;
    version: string;
    controller: string;
    contact: string;
    bbbProvider: string;
    recordingDays: number;
    prefix: string;
    fullText: string;
    ask: 'direct' | 'room';
    /** Whether the meeting's room names who answered what (consent.ask "room" or consent.showNames). */
    namesShown: boolean;
    /** False behind a front-end that cannot confirm deletions (bbb.acceptUnconfirmedDeletion). */
    botDeletes: boolean;
  }) =>
    blocks([
      bold(
        rich`Datenschutzhinweis zur Videokonferenz „${p.title}“ (Fassung ${code(p.version)}) – das Wichtigste:`,
      ),
      bullets([
        rich`Verantwortlich: ${p.controller}. Kontakt: ${p.contact}`,
        rich`Zweck: Die Eingeladenen können die Besprechung später ansehen. Die Aufzeichnung enthält Namen, Ton und Bild, Gespräch, geteilte Bildschirme und Chat und liegt auf dem BigBlueButton-Server von ${p.bbbProvider}.`,
        rich`Freiwillig: Aufgezeichnet wird nur, wenn alle zustimmen. Wer ablehnt, nimmt trotzdem teil, ohne jeden Nachteil.`,
        p.ask === 'room'
          ? rich`Antworten sind Reaktionen hier: Alle im Raum sehen sie.`
          : p.namesShown
            ? rich`Gefragt wird jede Person per Direktnachricht; wer wie geantwortet hat, nennt der Bot hier im Raum mit Namen.`
            : rich`Gefragt wird jede Person per Direktnachricht; ihre Antwort sehen nur sie, der Bot und die Admins im Nachweis, hier nur Zahlen.`,
        p.botDeletes
          ? rich`Widerruf jederzeit mit ${code(`${p.prefix}withdraw`)} hier oder formlos an ${p.contact}; die Aufzeichnungen werden dann gelöscht.`
          : rich`Widerruf jederzeit mit ${code(`${p.prefix}withdraw`)} hier oder formlos an ${p.contact}; der Bot kann auf diesem BigBlueButton-Server nichts löschen: Löschen Sie Aufzeichnungen über ${p.contact}.`,
        rich`Löschung nach ${p.recordingDays === 1 ? '1 Tag' : `${p.recordingDays} Tagen`}. Den Link zum Ansehen bekommt nur, wer zugestimmt hat, per Direktnachricht; er funktioniert ohne Anmeldung.`,
      ]),
      link(p.fullText, 'Vollständiger Datenschutzhinweis'),
    ]),
  noticeFullHeader: (version: string) =>
    bold(
      rich`Vollständiger Datenschutzhinweis, Fassung ${code(version)} (gilt für die Besprechungen in diesem Raum, bis eine neue Fassung erscheint):`,
    ),
  prompt: (p: {
    id: number;
    title: string;
    organizer: Rich;
    when: string | null;
    invitees: Rich;
    noRecord: boolean;
    tally: TallyView;
    closedNote: Rich | null;
    ask: 'direct' | 'room';
    /** Whether this room names who answered what (consent.ask "room" or consent.showNames). */
    namesShown: boolean;
  }) =>
    lines(
      [
        rich`Besprechung #${p.id} ${bold(p.title)} von ${p.organizer}${p.when ? ` am ${p.when}` : ''}.`,
        p.noRecord
          ? rich`Diese Besprechung wird nicht aufgezeichnet. Eingeladen: ${p.invitees}`
          : p.ask === 'direct'
            ? p.namesShown
              ? rich`Eingeladen: ${p.invitees}. Ob aufgezeichnet werden darf, frage ich jede Person per Direktnachricht; dort wird geantwortet, und hier steht, wer wie geantwortet hat. Aufgezeichnet wird nur, wenn alle zustimmen.`
              : rich`Eingeladen: ${p.invitees}. Ob aufgezeichnet werden darf, frage ich jede Person per Direktnachricht; dort wird geantwortet, und hier stehen nur die Zahlen. Aufgezeichnet wird nur, wenn alle zustimmen.`
            : rich`${p.invitees}: Darf die Besprechung aufgezeichnet werden? Reagiert mit ✅ (ja) oder ❌ (nein); die Antwort gilt für den Hinweis oben.`,
        p.noRecord ? null : tallyLine('✅ Zugestimmt', p.tally.agreed, p.tally.totals?.agreed),
        p.noRecord ? null : tallyLine('❌ Abgelehnt', p.tally.declined, p.tally.totals?.declined),
        p.noRecord ? null : tallyLine('↩️ Widerrufen', p.tally.withdrawn, p.tally.totals?.withdrawn),
        p.noRecord ? null : tallyLine('⏳ Offen', p.tally.pending, p.tally.totals?.pending),
        p.closedNote,
      ].filter((x): x is Rich => x !== null),
    ),
  /** The consent prompt in one person's DM room; `answer` is what they answered so far. */
  directPrompt: (p: {
    id: number;
    title: string;
    organizer: Rich;
    when: string | null;
    prefix: string;
    answer: 'agreed' | 'declined' | 'withdrawn' | 'pending';
    closedNote: Rich | null;
    /** Whether the meeting's room names who answered what (consent.showNames). */
    namesShown: boolean;
  }) =>
    lines(
      [
        rich`Besprechung #${p.id} ${bold(p.title)} von ${p.organizer}${p.when ? ` am ${p.when}` : ''}: Darf sie aufgezeichnet werden? Reagiere hier mit ✅ (ja) oder ❌ (nein).`,
        rich`Die Entscheidung ist freiwillig. Wer ablehnt, nimmt trotzdem teil, ohne jeden Nachteil; aufgezeichnet wird dann nicht. ${p.namesShown ? 'Deine Antwort nennt der Bot im Raum der Besprechung, mit deinem Namen.' : 'Deine Antwort sehen nur du und der Bot (und die Admins im Einwilligungsnachweis); im Raum der Besprechung stehen nur Zahlen.'} Du kannst sie bis zur Eröffnung ändern und jederzeit mit ${code(`${p.prefix}withdraw`)} hier widerrufen. Sie gilt für den Datenschutzhinweis oben.`,
        rich`Deine Antwort: ${
          {
            agreed: '✅ zugestimmt',
            declined: '❌ abgelehnt',
            withdrawn: '↩️ widerrufen',
            pending: '⏳ noch keine',
          }[p.answer]
        }`,
        p.closedNote,
      ].filter((x): x is Rich => x !== null),
    ),
  promptUndeliverable: (who: Rich, organizer: Rich, title: string) =>
    rich`${organizer}: ${who} konnte ich zu ${bold(title)} nicht per Direktnachricht fragen; ich versuche es weiter. Bis dahin fehlt diese Antwort.`,
  promptOpened: (recording: boolean) =>
    recording ? rich`▶️ Eröffnet, mit Aufzeichnung.` : rich`▶️ Eröffnet, ohne Aufzeichnung.`,
  promptCancelled: rich`✖️ Abgesagt.`,
  promptClosed: rich`⏹️ Beendet.`,

  recordingOn: (count: number) => rich`Aufzeichnung AN – alle ${count} haben zugestimmt.`,
  recordingOffNoRecord: rich`Aufzeichnung AUS – die Besprechung wurde ohne Aufzeichnung angelegt.`,
  recordingOffNotAll: rich`Aufzeichnung AUS – nicht alle haben zugestimmt.`,
  recordingOffReasons: (reasons: Rich[]) => rich`Aufzeichnung AUS – ${join(reasons, ', ')}.`,
  reasonDeclined: (who: Rich) => rich`${who} hat abgelehnt`,
  reasonWithdrew: (who: Rich) => rich`${who} hat widerrufen`,
  reasonPending: (who: Rich) => rich`${who} hat nicht geantwortet`,
  meetingOpened: (title: string, statement: Rich, delivery: 'direct' | 'room') =>
    lines([
      rich`Die Besprechung ${bold(title)} ist eröffnet.`,
      statement,
      delivery === 'direct'
        ? rich`Jede Person bekommt ihren persönlichen Zugangslink per Direktnachricht.`
        : rich`Die persönlichen Zugangslinks folgen hier im Raum.`,
    ]),
  joinLink: (p: { title: string; url: string; moderator: boolean; recording: boolean }) =>
    lines([
      rich`Dein persönlicher Link für ${bold(p.title)}${p.moderator ? ' (Moderation)' : ''}:`,
      p.url,
      p.recording
        ? rich`🔴 Diese Sitzung wird aufgezeichnet.`
        : rich`Diese Sitzung wird nicht aufgezeichnet.`,
      rich`Gib den Link nicht weiter: Wer ihn hat, tritt unter deinem Namen bei.`,
    ]),
  joinLinkInRoom: (who: Rich, url: string) => rich`${who}: ${url}`,
  waitingForConsent: (who: Rich) =>
    rich`${who}: Diese Besprechung läuft gerade mit Aufzeichnung. Mit ✅ oben stimmst du zu und bekommst deinen Link zur laufenden Sitzung. Mit ❌ lehnst du ab: Dann endet die aufgezeichnete Sitzung, eine neue ohne Aufzeichnung beginnt, und alle, auch du, bekommen einen Link dazu. Ablehnen hat für dich keinen Nachteil.`,
  waitingForConsentDirect: (who: Rich) =>
    rich`${who}: Diese Besprechung läuft gerade mit Aufzeichnung. Mit ✅ in unserer Direktnachricht stimmst du zu und bekommst deinen Link zur laufenden Sitzung. Mit ❌ lehnst du ab: Dann endet die aufgezeichnete Sitzung, eine neue ohne Aufzeichnung beginnt, und alle, auch du, bekommen einen Link dazu. Ablehnen hat für dich keinen Nachteil.`,
  linkUndeliverable: (who: Rich, organizer: Rich, title: string) =>
    rich`${organizer}: Den Link zu ${bold(title)} konnte ich ${who} nicht zustellen (keine Direktnachricht möglich); ich versuche es weiter.`,
  mydataUndeliverable: rich`Ich konnte dir keine Direktnachricht schicken; vor den anderen hier lese ich deine Daten nicht vor.`,
  reminder: (p: { ref: Rich; minutes: number; when: string; pending: Rich[] | null }) =>
    lines(
      [
        rich`⏰ ${p.ref} beginnt in ${p.minutes === 1 ? '1 Minute' : `${p.minutes} Minuten`} (${p.when}).`,
        p.pending === null
          ? null
          : p.pending.length
            ? rich`Noch keine Antwort von ${join(p.pending, ', ')}: Bitte oben mit ✅ oder ❌ antworten. Ohne Antwort aller wird nicht aufgezeichnet.`
            : rich`Alle haben geantwortet.`,
      ].filter((x): x is Rich => x !== null),
    ),
  reminderCounts: (p: { ref: Rich; minutes: number; when: string; pending: number }) =>
    lines([
      rich`⏰ ${p.ref} beginnt in ${p.minutes === 1 ? '1 Minute' : `${p.minutes} Minuten`} (${p.when}).`,
      p.pending
        ? rich`Noch ${p.pending === 1 ? 'fehlt 1 Antwort' : `fehlen ${p.pending} Antworten`}; wer noch nicht geantwortet hat, bekommt eine Erinnerung per Direktnachricht. Ohne Antwort aller wird nicht aufgezeichnet.`
        : rich`Alle haben geantwortet.`,
    ]),
  reminderDirect: (p: { ref: Rich; minutes: number; when: string }) =>
    rich`⏰ ${p.ref} beginnt in ${p.minutes === 1 ? '1 Minute' : `${p.minutes} Minuten`} (${p.when}), und du hast noch nicht geantwortet: Bitte oben mit ✅ oder ❌ reagieren. Ohne Antwort aller wird nicht aufgezeichnet.`,
  statusPending: (ref: Rich, pending: Rich[]) =>
    pending.length
      ? rich`${ref}: Noch keine Antwort von ${join(pending, ', ')}.`
      : rich`${ref}: Alle haben geantwortet.`,
  started: (title: string) => rich`${bold(title)} wird jetzt eröffnet.`,
  alreadyOpen: (title: string) => rich`${bold(title)} ist schon eröffnet.`,
  notCollecting: (title: string) => rich`${bold(title)} ist nicht mehr in Planung.`,
  inviteMeetingOver: (title: string) =>
    rich`${bold(title)} ist vorbei oder abgesagt; dazu lade ich niemanden mehr ein.`,
  meetingExpired: (title: string, days: number, prefix: string) =>
    rich`${bold(title)} ist abgelaufen: Nach ${days === 1 ? '1 Tag' : `${days} Tagen`} hatten nicht alle geantwortet, und niemand hat sie mit ${code(`${prefix}start`)} eröffnet. Sie findet nicht statt; ihre Einwilligungsdaten werden wie bei einer abgesagten Besprechung gelöscht.`,
  cancelled: (title: string) => rich`${bold(title)} wurde abgesagt.`,
  invited: (title: string, who: Rich) => rich`${who} zu ${bold(title)} eingeladen.`,
  alreadyInvited: (who: Rich) => rich`Schon eingeladen: ${who}.`,
  guestsNeedHttp: (keys: string[]) =>
    `Gäste ohne Matrix-Konto antworten auf einer Webseite des Bots; dafür fehlt in der Konfiguration: ${keys.join(', ')} (die Adresse, unter der Gäste den Bot erreichen). Bitte ein Admin des Bots ergänzen lassen`,
  guestNameInvalid: 'Der Name eines Gasts ist leer',
  guestLinksUndeliverable: rich`Die persönlichen Links der Gäste schicke ich nur dir, per Direktnachricht, und die erreicht dich gerade nicht. Ich habe niemanden eingeladen.`,
  guestsInvited: (title: string, names: string[]) =>
    rich`Gäste zu ${bold(title)} eingeladen: ${names.join(', ')}. Die Links schicke ich dir per Direktnachricht.`,
  guestLinks: (title: string, links: readonly { name: string; url: string }[]) =>
    blocks([
      rich`Persönliche Links für die Gäste von ${bold(title)}. Bitte jeden Link nur an diese Person weitergeben (z. B. per E-Mail): Er ist ihr Zugang zur Einwilligung und zur Besprechung.`,
      bullets(links.map((l) => rich`${l.name}: ${href(l.url)}`)),
    ]),

  status: (p: {
    ref: Rich;
    state: string;
    when: string | null;
    tally: TallyView;
    recording: string | null;
  }) =>
    lines(
      [
        rich`${p.ref}: ${p.state}${p.when ? `, ${p.when}` : ''}${p.recording ? ` – ${p.recording}` : ''}`,
        tallyLine('✅ Zugestimmt', p.tally.agreed, p.tally.totals?.agreed),
        tallyLine('❌ Abgelehnt', p.tally.declined, p.tally.totals?.declined),
        tallyLine('↩️ Widerrufen', p.tally.withdrawn, p.tally.totals?.withdrawn),
        tallyLine('⏳ Offen', p.tally.pending, p.tally.totals?.pending),
      ].filter((x): x is Rich => x !== null),
    ),
  statusLatest: rich`Gerade ist hier keine Besprechung geplant oder offen; die letzte war:`,
  stateNames: {
    collecting: 'Einwilligungen werden eingeholt',
    planned: 'geplant',
    open: 'eröffnet',
    closed: 'beendet',
    cancelled: 'abgesagt',
  } as Record<string, string>,
  recordingStateOn: 'mit Aufzeichnung',
  recordingStateOff: 'ohne Aufzeichnung',

  withdrawNothing: rich`Du hast hier keine Besprechung, für die ein Widerruf etwas ändern würde.`,
  withdrawNothingFor: (who: string) =>
    rich`Für ${who} gibt es hier keine Besprechung, für die ein Widerruf etwas ändern würde.`,
  withdrawBeforeOpen: (who: Rich, title: string) =>
    rich`Widerruf von ${who} gespeichert: ${bold(title)} wird ohne Aufzeichnung stattfinden, außer ${who} stimmt wieder zu.`,
  withdrawRestarted: (who: Rich, title: string, opened = true) =>
    rich`Widerruf von ${who}: Die aufgezeichnete Sitzung von ${bold(title)} wurde beendet, ${successorDe(opened)}; die Aufzeichnung der beendeten Sitzung wird gelöscht.`,
  withdrawEnding: (who: Rich, title: string) =>
    rich`Widerruf von ${who}: Die aufgezeichnete Sitzung von ${bold(title)} wird beendet; BigBlueButton hat das Ende noch nicht bestätigt, ich versuche es weiter und sage Bescheid. Eine neue Sitzung ohne Aufzeichnung wird eröffnet; ihre Links kommen gleich. Die Aufzeichnung wird gelöscht.`,
  lateDeclineRestarted: (title: string, opened = true) =>
    rich`Ein später Eingeladener möchte nicht aufgezeichnet werden: Die aufgezeichnete Sitzung von ${bold(title)} wurde beendet, ${successorDe(opened)}, für alle. Die Aufzeichnung der beendeten Sitzung bleibt, alle darin hatten zugestimmt.`,
  lateDeclineEnding: (title: string) =>
    rich`Ein später Eingeladener möchte nicht aufgezeichnet werden: Die aufgezeichnete Sitzung von ${bold(title)} wird beendet; BigBlueButton hat das Ende noch nicht bestätigt, ich versuche es weiter und sage Bescheid. Eine neue Sitzung ohne Aufzeichnung wird eröffnet; ihre Links kommen gleich, für alle. Die Aufzeichnung der beendeten Sitzung bleibt, alle darin hatten zugestimmt.`,
  withdrawalReceivedRestarted: (title: string, opened = true) =>
    rich`Ein Widerruf ist eingegangen: Die aufgezeichnete Sitzung von ${bold(title)} wurde beendet, ${successorDe(opened)}; die Aufzeichnung der beendeten Sitzung wird gelöscht.`,
  withdrawalReceivedEnding: (title: string) =>
    rich`Ein Widerruf ist eingegangen: Die aufgezeichnete Sitzung von ${bold(title)} wird beendet; BigBlueButton hat das Ende noch nicht bestätigt, ich versuche es weiter und sage Bescheid. Eine neue Sitzung ohne Aufzeichnung wird eröffnet; ihre Links kommen gleich. Die Aufzeichnung wird gelöscht.`,
  withdrawalReceivedDeleted: (title: string, deleted: Rich[], pending: Rich[]) =>
    lines(
      [
        rich`Ein Widerruf zu ${bold(title)} ist eingegangen; die Aufzeichnungen werden gelöscht.`,
        deleted.length ? rich`Gelöscht: ${join(deleted, ', ')}.` : null,
        pending.length
          ? rich`Noch nicht gelöscht (BBB nicht erreichbar oder noch in Verarbeitung), wird automatisch wiederholt: ${join(pending, ', ')}.`
          : null,
      ].filter((x): x is Rich => x !== null),
    ),
  withdrawalReceivedWithoutDeletion: (title: string, restarted: boolean, contact: string) =>
    rich`Ein Widerruf zu ${bold(title)} ist eingegangen.${restarted ? ' Die aufgezeichnete Sitzung wird beendet, eine neue ohne Aufzeichnung eröffnet; neue Links kommen gleich.' : ''} Der Bot kann auf diesem BigBlueButton-Server keine Aufzeichnungen löschen: ${contact} lässt sie löschen.`,
  withdrawDetailsByDm: rich`Gespeichert. Die Einzelheiten habe ich per Direktnachricht geschickt.`,
  withdrawOnBehalfTold: (admin: Rich) =>
    rich`${admin} hat deinen Widerruf für dich eingetragen (zum Beispiel nach deiner E-Mail).`,
  recordedSessionEnded: (title: string) =>
    rich`Die aufgezeichnete Sitzung von ${bold(title)} ist jetzt beendet (von BigBlueButton bestätigt).`,
  cancelledEnding: (title: string) =>
    rich`${bold(title)} wurde abgesagt. BigBlueButton hat das Ende der laufenden Sitzung noch nicht bestätigt; ich versuche es weiter.`,
  answerRemovedAskAgain: (who: Rich, title: string) =>
    rich`Die Antwort von ${who} zu ${bold(title)} wurde von jemand anderem entfernt. ${who}, bitte antworte noch einmal mit ✅ oder ❌.`,
  withdrawUnrecorded: (who: Rich, title: string) => rich`Widerruf von ${who} für ${bold(title)} gespeichert.`,
  withdrawDeleted: (who: Rich, deleted: Rich[], pending: Rich[]) =>
    lines(
      [
        rich`Widerruf von ${who} gespeichert.`,
        deleted.length ? rich`Gelöscht: ${join(deleted, ', ')}.` : null,
        pending.length
          ? rich`Noch nicht gelöscht (BBB nicht erreichbar oder noch in Verarbeitung), wird automatisch wiederholt: ${join(pending, ', ')}.`
          : null,
        !deleted.length && !pending.length ? rich`Es gab keine Aufzeichnungen.` : null,
      ].filter((x): x is Rich => x !== null),
    ),
  deletedAfterWithdrawal: (names: Rich[]) =>
    rich`Nach dem Widerruf jetzt auch gelöscht: ${join(names, ', ')}.`,
  withdrawOnBehalf: (admin: Rich) => rich`(Eingetragen von ${admin}.)`,
  recordingName: (title: string, date: string) => rich`„${title}“ vom ${date}`,

  playbackLink: (name: Rich, url: string, deleteOn: string | null) =>
    lines([
      rich`Die Aufzeichnung ${name} ist fertig. Hier kannst du sie ansehen:`,
      href(url),
      deleteOn
        ? rich`Sie wird am ${deleteOn} gelöscht. Der Link funktioniert ohne Anmeldung: Gib ihn nicht weiter.`
        : rich`Sie bleibt bis zu einem Widerruf gespeichert. Der Link funktioniert ohne Anmeldung: Gib ihn nicht weiter.`,
    ]),
  playbackLinks: (items: { name: Rich; url: string; deleteOn: string | null }[]) =>
    lines([
      rich`Deine Links zu den Aufzeichnungen (sie funktionieren ohne Anmeldung: Gib sie nicht weiter):`,
      ...items.map(
        (i) => rich`${i.name}${i.deleteOn ? ` (wird am ${i.deleteOn} gelöscht)` : ''}: ${href(i.url)}`,
      ),
    ]),
  recordingReady: (name: Rich, deleteOn: string | null) =>
    deleteOn
      ? rich`Die Aufzeichnung ${name} ist fertig; sie wird am ${deleteOn} gelöscht. Wer zugestimmt hat, bekommt den Link zum Ansehen per Direktnachricht.`
      : rich`Die Aufzeichnung ${name} ist fertig; sie bleibt bis zu einem Widerruf gespeichert. Wer zugestimmt hat, bekommt den Link zum Ansehen per Direktnachricht.`,
  recordingsLinksSent: rich`Die Links zum Ansehen habe ich dir per Direktnachricht geschickt.`,
  recordingsNone: rich`In diesem Raum gibt es keine Aufzeichnungen.`,
  recordingsHeader: rich`Aufzeichnungen in diesem Raum:`,
  recordingLine: (p: { ref: string; name: Rich; state: string; age: string; deleteOn: string | null }) =>
    rich`${code(p.ref)} ${p.name}: ${p.state}, ${p.age} alt${p.deleteOn ? `, wird am ${p.deleteOn} gelöscht` : ''}`,
  recordingStates: {
    processing: 'in Verarbeitung',
    available: 'verfügbar',
    'purge-pending': 'Löschung ausstehend',
    purged: 'gelöscht',
  } as Record<string, string>,
  days: (n: number) => (n === 1 ? '1 Tag' : `${n} Tagen`),
  hours: (n: number) => (n === 1 ? '1 Stunde' : `${n} Stunden`),

  purgeReport: (deleted: Rich[], failed: Rich[]) =>
    lines(
      [
        deleted.length ? rich`Gelöscht (${deleted.length}): ${join(deleted, ', ')}.` : rich`Nichts gelöscht.`,
        failed.length ? rich`Nicht gelöscht (${failed.length}): ${join(failed, ', ')}.` : null,
      ].filter((x): x is Rich => x !== null),
    ),
  purgeFailedItem: (name: Rich, why: string) => rich`${name} (${why})`,
  purgeNothingExpired: rich`Keine abgelaufenen Aufzeichnungen.`,
  purgeProgress: (done: number, total: number) => rich`Lösche … ${done}/${total}`,
  deletionMeans: (what: string) => rich`Gelöscht heißt: ${what}`,

  mydataSent: (who: Rich) => rich`${who}, ich habe dir die Auskunft per Direktnachricht geschickt.`,
  answerOnPrompt: (who: Rich, title: string, prompt: string) =>
    rich`${who}, eine Reaktion auf den Datenschutzhinweis zählt nicht als Antwort: Bitte reagiere mit ✅ oder ❌ auf die ${link(prompt, `Frage zu „${title}“`)}.`,
  noticeSent: rich`Ich habe dir den vollständigen Datenschutzhinweis per Direktnachricht geschickt.`,
  noticeUndeliverable: rich`Ich konnte dir keine Direktnachricht schicken. Der vollständige Hinweis steht in jedem Raum, in dem ich eine Besprechung angelegt habe, vor ihrem ersten Hinweis.`,
  evidenceSent: (meetings: number) =>
    rich`Ich habe dir den Nachweisbericht (${String(meetings)} Besprechung${meetings === 1 ? '' : 'en'}) per Direktnachricht geschickt.`,
  evidenceFile: (file: string) =>
    rich`Nachweisbericht zur Einwilligung (Art. 7 Abs. 1 DSGVO): ${code(file)}. Er enthält personenbezogene Daten; gib ihn nur an Berechtigte weiter.`,
  evidenceNone: rich`In diesem Raum gibt es keine Besprechungen, über die ich einen Nachweis habe.`,
  mydata: (p: {
    userId: string;
    meetings: Rich[];
    consents: Rich[];
    deliveries: number;
    audit: number;
    recordings: number;
    file: string;
    prefix: string;
  }) =>
    lines([
      rich`Auskunft (Art. 15 DSGVO) über ${code(p.userId)}:`,
      p.meetings.length ? rich`Besprechungen: ${join(p.meetings, '; ')}` : rich`Besprechungen: keine`,
      p.consents.length
        ? rich`Einwilligungs-Nachweise: ${join(p.consents, '; ')}`
        : rich`Einwilligungs-Nachweise: keine`,
      rich`Zugestellte Zugangslinks: ${p.deliveries}; Aufzeichnungen deiner Besprechungen: ${p.recordings}; Einträge im Prüfprotokoll: ${p.audit}.`,
      rich`Gespeichert werden Matrix-ID, Anzeigename, Zeitpunkte, die Fassung des Hinweises und die Matrix-Ereignis-IDs. Alles im Einzelnen, mit dem Löschdatum jedes Eintrags, steht in der Datei ${code(p.file)} (JSON) zum Aufbewahren. Widerruf jederzeit mit ${code(`${p.prefix}withdraw`)}.`,
    ]),
  consentEntry: (p: { kind: string; at: string; meeting: string; version: string }) =>
    rich`${p.kind} am ${p.at} (${p.meeting}, Hinweis ${p.version})`,
  consentKinds: {
    agree: 'Zustimmung',
    decline: 'Ablehnung',
    withdraw: 'Widerruf',
    reset: 'Antwort entfernt',
  } as Record<string, string>,

  helpHeader: rich`Befehle:`,
  helpLine: (forms: readonly string[], summary: string) =>
    rich`${join(
      forms.map((f) => code(f)),
      ' · ',
    )} – ${summary}`,
  helpUnknown: (name: string) => rich`Den Befehl ${code(name)} gibt es nicht.`,
  /** How each command is called, one entry per form, without the prefix; placeholders in this language. */
  usages: {
    help: ['help [Befehl]'],
    ping: ['ping'],
    meeting: ['meeting <Titel> [@Person …] [--guest "<Name>" …] [--at "<Zeit>"] [--no-record]'],
    status: ['status [#Besprechung]'],
    start: ['start [#Besprechung]'],
    cancel: ['cancel [#Besprechung]'],
    invite: ['invite [#Besprechung] @Person … [--guest "<Name>" …]'],
    withdraw: ['withdraw [@Person] [#Besprechung]', 'withdraw --guest "<Name>" [#Besprechung]'],
    recordings: ['recordings'],
    purge: ['purge #Besprechung', 'purge <Aufzeichnung>', 'purge --expired'],
    mydata: ['mydata'],
    notice: ['notice'],
    evidence: ['evidence [#Besprechung] [--format csv|json]'],
  } as Record<string, readonly string[]>,
  commands: {
    help: 'Zeigt diese Hilfe oder die Hilfe zu einem Befehl',
    ping: 'Prüft, ob der Bot antwortet',
    meeting:
      'Plant eine Besprechung; Eingeladene sind die genannten Personen oder alle im Raum. --guest "Name" lädt Gäste ohne Matrix-Konto ein (sie antworten auf einer Webseite), --at legt den Beginn fest, --no-record verzichtet auf Aufzeichnung',
    status: 'Zeigt, wie viele zugestimmt, abgelehnt, widerrufen oder noch nicht geantwortet haben',
    start: 'Eröffnet die Besprechung jetzt',
    cancel: 'Sagt die Besprechung ab',
    invite:
      'Lädt weitere Personen ein, mit --guest "Name" auch Gäste ohne Matrix-Konto (sie müssen ebenfalls antworten)',
    withdraw: 'Widerruft deine Einwilligung (Admins: für eine andere Person, auch einen Gast)',
    recordings: 'Listet die Aufzeichnungen dieses Raums mit Alter und Löschdatum',
    purge: 'Löscht Aufzeichnungen sofort (nur Admins)',
    mydata: 'Zeigt, was der Bot über dich speichert',
    notice: 'Schickt dir den vollständigen Datenschutzhinweis per Direktnachricht',
    evidence:
      'Schickt den Einwilligungsnachweis der Besprechungen dieses Raums als Datei per Direktnachricht (nur Admins)',
  } as Record<string, string>,
  // ----- Behind a front-end that cannot confirm deletions (bbb.acceptUnconfirmedDeletion, issue 22) -----
  withoutDeletion: {
    restarted: (who: Rich, title: string, contact: string) =>
      rich`Widerruf von ${who}: Die aufgezeichnete Sitzung von ${bold(title)} wurde beendet, eine neue Sitzung ohne Aufzeichnung ist eröffnet. Neue Links kommen gleich. Aufzeichnungen kann der Bot auf diesem BigBlueButton-Server nicht löschen: Die Löschung veranlasst ${contact}.`,
    ending: (who: Rich, title: string, contact: string) =>
      rich`Widerruf von ${who}: Die aufgezeichnete Sitzung von ${bold(title)} wird beendet; BigBlueButton hat das Ende noch nicht bestätigt, ich versuche es weiter und sage Bescheid. Eine neue Sitzung ohne Aufzeichnung wird eröffnet; ihre Links kommen gleich. Aufzeichnungen kann der Bot auf diesem BigBlueButton-Server nicht löschen: Die Löschung veranlasst ${contact}.`,
    after: (who: Rich, title: string, contact: string) =>
      rich`Widerruf von ${who} für ${bold(title)} gespeichert. Aufzeichnungen kann der Bot auf diesem BigBlueButton-Server nicht löschen: Die Löschung veranlasst ${contact}.`,
  },
  // ----- What people see inside the BBB meeting (issue 22): plain text, BBB shows no markup -----
  inMeeting: {
    /** Under BBB's recording dialog (notifyRecordingAppend) and as the welcome text of a recorded session. */
    recorded: (prefix: string): string =>
      `Diese Sitzung wird aufgezeichnet, weil alle Eingeladenen im Chat zugestimmt haben. Widerruf jederzeit mit ${prefix}withdraw im Chat: Diese Sitzung endet dann, und es geht ohne Aufzeichnung weiter.`,
    /** Welcome text of an unrecorded session. */
    unrecorded: (): string => 'Diese Sitzung wird nicht aufgezeichnet.',
    /** Posted into the meeting's chat before a withdrawal ends a recorded session; names nobody. */
    endingAfterWithdrawal: (): string =>
      'Diese Sitzung endet jetzt, weil eine Einwilligung in die Aufzeichnung widerrufen wurde. Neue Links zu einer Sitzung ohne Aufzeichnung stehen im Chat (Matrix).',
  },
};

export type Catalogue = typeof de;
