import type { Catalogue, TallyView } from './de.js';
import { blocks, bold, bullets, code, href, join, lines, link, type Piece, type Rich, rich } from './rich.js';

const tallyLine = (label: string, people: Piece[], total = people.length): Rich | null =>
  total
    ? join([
        `${label} (${total})`,
        people.length ? join([': ', join(people, ', ')]) : '',
        total > people.length && people.length ? ` and ${total - people.length} more` : '',
      ])
    : null;
const present = (items: (Rich | null)[]) => lines(items.filter((x): x is Rich => x !== null));

/** The unrecorded session that follows an ended recorded one: open, or waiting for BigBlueButton. */
const successorEn = (opened: boolean) =>
  opened
    ? 'a new unrecorded session is open. New links follow'
    : 'a new unrecorded session will be opened as soon as BigBlueButton takes it. The new links follow then';

export const en: Catalogue = {
  languageTag: 'en-GB',
  pong: rich`pong`,
  receivedWhileOffline: (command, at) =>
    rich`Your ${code(command)} arrived on ${at}, while I was offline. I do not carry out commands that old; send it again if it still holds.`,
  receivedAt: (at) => rich`(Your request arrived on ${at}, while I was offline.)`,
  editsNotRead: (command) =>
    rich`I do not read edited messages as commands. Please send ${code(command)} as a new message.`,
  usage: (usage) => rich`Usage: ${code(usage)}`,
  argumentError: (problem, usage) => rich`${problem}. Usage: ${code(usage)}`,
  unknownOption: (option) => `Unknown option ${option}`,
  unresolvedMentions: (mentions, server) =>
    `I cannot tell who is meant by ${mentions} (write the full Matrix ID, e.g. @name:${server}, or pick the person with your client's mention feature)`,
  missingTitle: 'A title is missing',
  badTime: (input) => `Could not understand the time "${input}" (try "tomorrow 10:00" or "2026-12-01 14:30")`,
  timeInDstGap: (input, zone) =>
    `The time "${input}" does not exist in the time zone ${zone} (clocks go forward); please choose another time`,
  timeWithoutClock: (input) => `"${input}" gives no time of day (try "tomorrow 10:00")`,
  timeInPast: (when) => `${when} is in the past`,
  titleTooLong: (max) => `The title may be at most ${max} characters long`,
  tooManyInvitees: (max) => `At most ${max} invitees per meeting`,
  tooManyRoomMembers: (members, max) =>
    `This room has ${members} members, a meeting at most ${max} invitees: please name the invitees`,
  tooManyForMeeting: (title, current, adding, max) =>
    `${title} already has ${current} invitees; ${adding} more would exceed ${max}, the most per meeting`,
  andMore: (n) => rich` and ${n} more`,
  unknownUsers: (users) => `These people are not in this room: ${users}`,
  notAllowed: (who) => rich`Only ${who} may do that.`,
  whoOrganizerOrAdmin: 'the organizer of the meeting or an admin',
  whoAdmin: 'an admin',
  whoOrganizer: 'the organizer of the meeting',
  whoParticipant: 'an invitee of the meeting',
  internalError: rich`That did not work (internal error). Please try again later.`,
  bbbUnavailable: rich`The BigBlueButton server cannot be reached right now. I keep trying.`,
  encryptedRoom: rich`This room is end-to-end encrypted. I cannot read messages or reactions here, so I cannot collect consent. Please use me in an unencrypted room.`,
  noMeeting: rich`There is no such meeting in this room.`,
  undecryptable: (who) =>
    rich`${who}, I could not decrypt your message (its key never reached me). Please send it again.`,
  unreadableAnswersIntro:
    "Some answers to invitations cannot be read by me (for example because my device's keys were lost or encryption was switched off).",
  unreadableAnswers: (meetings) =>
    rich`${"Some answers to invitations cannot be read by me (for example because my device's keys were lost or encryption was switched off)."} I changed nothing: every stored answer, recording and session stays as it was, and nobody is taken to have withdrawn. Affected: ${join(meetings, ', ')}.`,
  cryptoStoreLost: (reason, loginFailure) =>
    loginFailure
      ? rich`The end-to-end encryption keys of my device are lost or damaged (${reason}). Logging in a new device with the configured password failed (${loginFailure}). For now I only work in unencrypted rooms. To fix it, check ${code('matrix.password')} and restart me, or create a new access token (a new device) for me, put it into the configuration and restart me. The old key folder was moved aside.`
      : rich`The end-to-end encryption keys of my device are lost or damaged (${reason}). For now I only work in unencrypted rooms. To fix it, put my account's password into ${code('matrix.password')} and restart me (I then log in a new device myself), or create a new access token (a new device) for me, put it into the configuration and restart me. The old key folder was moved aside.`,
  cryptoNewDevice: (reason, oldDevice, newDevice, oldRemoved, recovered) =>
    rich`The end-to-end encryption keys of my device were lost or damaged (${reason}). So I logged in as a new device and encrypt again: old device ${code(oldDevice)}, new device ${code(newDevice)}. ${oldRemoved ? 'I logged the old device out.' : "I could not log the old device out; please remove it in my account's session list."} ${
      recovered.roomKeys === null
        ? 'Messages encrypted for the old device stay unreadable to me.'
        : `I restored ${recovered.roomKeys} room keys from the key backup: messages encrypted for the old device stay readable to me.`
    } ${
      recovered.crossSigned
        ? "The new device is cross-signed with my account's keys from secret storage, so your clients see it as verified by me."
        : rich`The new device is not cross-signed: clients that exclude unverified devices (Element) neither send me their keys nor show my messages. Set ${code('matrix.recoveryKey')} and restart me.`
    }`,
  ambiguousMeeting: (choices) => rich`There are several meetings here; please give a number: ${choices}`,
  meetingRef: (id, title) => rich`#${id} ${bold(title)}`,

  noticeFacts: {
    recordingRetention: (days) =>
      `deleted automatically ${days === 1 ? '1 day' : `${days} days`} after they were made`,
    withdrawTo: (contact, admins) =>
      admins.length ? `${contact} or to the bot's admins (${admins.join(', ')})` : contact,
    dpo: (dpo, contact) => dpo ?? `No data protection officer is appointed; please contact ${contact}.`,
    meetingLegalBasis: (basis) =>
      basis === 'colleagues'
        ? 'The meetings serve the cooperation among employees; the legal basis is the performance of the employment relationship (Art. 6(1)(b) GDPR, Art. 88 GDPR) and our legitimate interest in simple and fast internal communication (Art. 6(1)(f) GDPR).'
        : 'The meetings serve the communication with prospective or existing contractual partners and customers (Art. 6(1)(b) GDPR) and our legitimate interest in simple and fast communication (Art. 6(1)(f) GDPR).',
    howAsked: (ask, prefix) =>
      ask === 'direct'
        ? `Before the meeting, the bot asks each invitee in a direct message whether it may be recorded. You answer there with the reaction ✅ (yes) or ❌ (no); there you can change your answer until the meeting opens and withdraw it with ${prefix}withdraw.`
        : "Before the meeting, the bot asks in the meeting's chat room whether it may be recorded. You answer with the reaction ✅ (yes) or ❌ (no) to that question; you may change your answer until the meeting opens. Reactions are visible to everyone in the chat room.",
    guestsAsked:
      "Guests without a Matrix account answer on the bot's web page, which they reach through their personal link (the person planning the meeting forwards it); there they can change their answer until the meeting opens, join the meeting and withdraw at any time. For them the bot stores the name the planning person entered, a guest ID instead of a Matrix ID, and the link only as a checksum; the link stops working once the meeting's evidence is deleted. To protect the page against abuse, the bot counts requests per IP address for one minute in memory; it does not store the addresses.",
    answersShown: (ask, showNames) =>
      ask === 'room'
        ? 'Everyone in the chat room sees who answered what (from the reactions); the bot also names it in its summary. The legal basis is our legitimate interest in a traceable procedure (Art. 6(1)(f) GDPR).'
        : showNames
          ? "The bot names in the meeting's chat room who answered what, as provided for by our works agreement (Art. 88 GDPR, Art. 6(1)(f) GDPR)."
          : "Only you, the bot and the bot's admins (in the consent evidence) see your answer; in the meeting's chat room the bot gives only the number of agreements, refusals and missing answers. Who has not answered yet is told only to the person who planned the meeting, by direct message (Art. 6(1)(f) GDPR).",
    // bbb.acceptUnconfirmedDeletion (issue 22): behind a front-end like b3lb the bot cannot delete.
    withdrawalDeletion: (confirmed) =>
      confirmed
        ? "If an invitee withdraws their consent, the bot has the provider delete the meeting's recordings at once, and repeats this until the provider confirms the deletion (section 2)."
        : "The BigBlueButton server used here cannot confirm deletions, so the bot deletes no recordings there: if an invitee withdraws their consent, the controller deletes the meeting's recordings on request (contact above).",
  },
  noticeFirstLayer: (p) =>
    blocks([
      bold(
        rich`Privacy notice for the video conference "${p.title}" (version ${code(p.version)}) – the essentials:`,
      ),
      bullets([
        rich`Controller: ${p.controller}. Contact: ${p.contact}`,
        rich`Purpose: the invitees can watch the meeting later. A recording holds names, audio and video, the conversation, shared screens and chat, on the BigBlueButton server of ${p.bbbProvider}.`,
        rich`Voluntary: it is recorded only if everyone agrees. Whoever declines still takes part, without any drawback.`,
        p.ask === 'room'
          ? rich`Answers are reactions here: everyone in the room sees them.`
          : p.namesShown
            ? rich`Each person is asked by direct message; the bot names here who answered what.`
            : rich`Each person is asked by direct message; only they, the bot and the admins (in the evidence) see their answer, this room counts only.`,
        p.botDeletes
          ? rich`Withdraw at any time with ${code(`${p.prefix}withdraw`)} here or informally to ${p.contact}; the recordings are then deleted.`
          : rich`Withdraw at any time with ${code(`${p.prefix}withdraw`)} here or informally to ${p.contact}; the bot cannot delete anything on this BigBlueButton server: have recordings deleted through ${p.contact}.`,
        rich`Deleted after ${p.recordingDays === 1 ? '1 day' : `${p.recordingDays} days`}. Only those who agreed get the link to watch it, by direct message; it works without login.`,
      ]),
      link(p.fullText, 'Full privacy notice'),
    ]),
  noticeFullHeader: (version) =>
    bold(
      rich`Full privacy notice, version ${code(version)} (applies to the meetings in this room until a new version appears):`,
    ),
  prompt: (p) =>
    present([
      rich`Meeting #${p.id} ${bold(p.title)} by ${p.organizer}${p.when ? ` on ${p.when}` : ''}.`,
      p.noRecord
        ? rich`This meeting will not be recorded. Invited: ${p.invitees}`
        : p.ask === 'direct'
          ? p.namesShown
            ? rich`Invited: ${p.invitees}. I ask each person by direct message whether it may be recorded; they answer there, and this room sees who answered what. It is recorded only if everyone agrees.`
            : rich`Invited: ${p.invitees}. I ask each person by direct message whether it may be recorded; they answer there, and this room sees counts only. It is recorded only if everyone agrees.`
          : rich`${p.invitees}: may this meeting be recorded? React with ✅ (yes) or ❌ (no); your answer refers to the notice above.`,
      p.noRecord ? null : tallyLine('✅ Agreed', p.tally.agreed, p.tally.totals?.agreed),
      p.noRecord ? null : tallyLine('❌ Declined', p.tally.declined, p.tally.totals?.declined),
      p.noRecord ? null : tallyLine('↩️ Withdrew', p.tally.withdrawn, p.tally.totals?.withdrawn),
      p.noRecord ? null : tallyLine('⏳ Pending', p.tally.pending, p.tally.totals?.pending),
      p.closedNote,
    ]),
  directPrompt: (p) =>
    present([
      rich`Meeting #${p.id} ${bold(p.title)} by ${p.organizer}${p.when ? ` on ${p.when}` : ''}: may it be recorded? React here with ✅ (yes) or ❌ (no).`,
      rich`It is your free choice. If you decline, you still take part, without any drawback; the meeting is then not recorded. ${p.namesShown ? "The bot names your answer in the meeting's room, with your name." : "Only you and the bot see your answer (and the admins in the consent evidence); the meeting's room sees counts only."} You can change it until the meeting opens and withdraw it at any time with ${code(`${p.prefix}withdraw`)} here. It refers to the privacy notice above.`,
      rich`Your answer: ${
        { agreed: '✅ agreed', declined: '❌ declined', withdrawn: '↩️ withdrawn', pending: '⏳ none yet' }[
          p.answer
        ]
      }`,
      p.closedNote,
    ]),
  promptUndeliverable: (who, organizer, title) =>
    rich`${organizer}: I could not ask ${who} about ${bold(title)} by direct message; I keep trying. Until then, this answer is missing.`,
  promptOpened: (recording) => (recording ? rich`▶️ Opened, recorded.` : rich`▶️ Opened, not recorded.`),
  promptCancelled: rich`✖️ Cancelled.`,
  promptClosed: rich`⏹️ Ended.`,

  recordingOn: (count) => rich`Recording ON – all ${count} agreed.`,
  recordingOffNoRecord: rich`Recording OFF – the meeting was planned without recording.`,
  recordingOffNotAll: rich`Recording OFF – not everyone agreed.`,
  recordingOffReasons: (reasons) => rich`Recording OFF – ${join(reasons, ', ')}.`,
  reasonDeclined: (who) => rich`${who} declined`,
  reasonWithdrew: (who) => rich`${who} withdrew`,
  reasonPending: (who) => rich`${who} did not answer`,
  meetingOpened: (title, statement, delivery) =>
    lines([
      rich`The meeting ${bold(title)} is open.`,
      statement,
      delivery === 'direct'
        ? rich`Everyone gets their personal join link in a direct message.`
        : rich`The personal join links follow here in the room.`,
    ]),
  joinLink: (p) =>
    lines([
      rich`Your personal link for ${bold(p.title)}${p.moderator ? ' (moderator)' : ''}:`,
      p.url,
      p.recording ? rich`🔴 This session is recorded.` : rich`This session is not recorded.`,
      rich`Do not pass it on: whoever has it joins under your name.`,
    ]),
  joinLinkInRoom: (who, url) => rich`${who}: ${url}`,
  waitingForConsent: (who) =>
    rich`${who}: this meeting is running with recording. With ✅ above you agree and get your link to the running session. With ❌ you decline: then the recorded session ends, a new one without recording begins, and everyone, you included, gets a link to it. Declining costs you nothing.`,
  waitingForConsentDirect: (who) =>
    rich`${who}: this meeting is running with recording. With ✅ in our direct chat you agree and get your link to the running session. With ❌ you decline: then the recorded session ends, a new one without recording begins, and everyone, you included, gets a link to it. Declining costs you nothing.`,
  linkUndeliverable: (who, organizer, title) =>
    rich`${organizer}: I could not deliver ${who}'s link to ${bold(title)} (no direct message possible); I keep trying.`,
  mydataUndeliverable: rich`I could not send you a direct message, and I do not read out your data in front of the others here.`,
  reminder: (p) =>
    present([
      rich`⏰ ${p.ref} starts in ${p.minutes === 1 ? '1 minute' : `${p.minutes} minutes`} (${p.when}).`,
      p.pending === null
        ? null
        : p.pending.length
          ? rich`No answer yet from ${join(p.pending, ', ')}: please answer above with ✅ or ❌. Without everyone's answer, nothing is recorded.`
          : rich`Everyone has answered.`,
    ]),
  reminderCounts: (p) =>
    lines([
      rich`⏰ ${p.ref} starts in ${p.minutes === 1 ? '1 minute' : `${p.minutes} minutes`} (${p.when}).`,
      p.pending
        ? rich`${p.pending === 1 ? '1 answer is' : `${p.pending} answers are`} still missing; whoever has not answered gets a reminder by direct message. Without everyone's answer, nothing is recorded.`
        : rich`Everyone has answered.`,
    ]),
  reminderDirect: (p) =>
    rich`⏰ ${p.ref} starts in ${p.minutes === 1 ? '1 minute' : `${p.minutes} minutes`} (${p.when}), and you have not answered yet: please react above with ✅ or ❌. Without everyone's answer, nothing is recorded.`,
  statusPending: (ref, pending) =>
    pending.length
      ? rich`${ref}: no answer yet from ${join(pending, ', ')}.`
      : rich`${ref}: everyone has answered.`,
  started: (title) => rich`${bold(title)} is opening now.`,
  alreadyOpen: (title) => rich`${bold(title)} is already open.`,
  notCollecting: (title) => rich`${bold(title)} is no longer being planned.`,
  inviteMeetingOver: (title) => rich`${bold(title)} is over or cancelled; I invite nobody to it any more.`,
  meetingExpired: (title, days, prefix) =>
    rich`${bold(title)} has expired: after ${days === 1 ? '1 day' : `${days} days`} not everyone had answered, and nobody opened it with ${code(`${prefix}start`)}. It will not take place; its consent data is deleted as for a cancelled meeting.`,
  cancelled: (title) => rich`${bold(title)} was cancelled.`,
  invited: (title, who) => rich`${who} invited to ${bold(title)}.`,
  alreadyInvited: (who) => rich`Already invited: ${who}.`,
  guestsNeedHttp: (keys) =>
    `Guests without a Matrix account answer on a web page of the bot; the configuration lacks: ${keys.join(', ')} (the address at which guests reach the bot). Please ask an admin of the bot to add it`,
  guestNameInvalid: "A guest's name is empty",
  guestLinksUndeliverable: rich`I send the guests' personal links only to you, by direct message, and none reaches you now. I invited nobody.`,
  guestsInvited: (title, names) =>
    rich`Guests invited to ${bold(title)}: ${names.join(', ')}. I am sending you their links by direct message.`,
  guestLinks: (title, links) =>
    blocks([
      rich`Personal links for the guests of ${bold(title)}. Please give each link only to its person (e.g. by e-mail): it is their access to consent and to the meeting.`,
      bullets(links.map((l) => rich`${l.name}: ${href(l.url)}`)),
    ]),

  status: (p) =>
    present([
      rich`${p.ref}: ${p.state}${p.when ? `, ${p.when}` : ''}${p.recording ? ` – ${p.recording}` : ''}`,
      tallyLine('✅ Agreed', p.tally.agreed, p.tally.totals?.agreed),
      tallyLine('❌ Declined', p.tally.declined, p.tally.totals?.declined),
      tallyLine('↩️ Withdrew', p.tally.withdrawn, p.tally.totals?.withdrawn),
      tallyLine('⏳ Pending', p.tally.pending, p.tally.totals?.pending),
    ]),
  statusLatest: rich`No meeting is planned or open here right now; the latest one was:`,
  stateNames: {
    collecting: 'collecting consent',
    planned: 'planned',
    open: 'open',
    closed: 'ended',
    cancelled: 'cancelled',
  },
  recordingStateOn: 'recorded',
  recordingStateOff: 'not recorded',

  withdrawNothing: rich`You have no meeting here for which a withdrawal would change anything.`,
  withdrawNothingFor: (who) => rich`${who} has no meeting here for which a withdrawal would change anything.`,
  withdrawBeforeOpen: (who, title) =>
    rich`Withdrawal by ${who} stored: ${bold(title)} will take place unrecorded unless ${who} agrees again.`,
  withdrawRestarted: (who, title, opened = true) =>
    rich`Withdrawal by ${who}: the recorded session of ${bold(title)} was ended and ${successorEn(opened)}; the ended session's recording will be deleted.`,
  withdrawEnding: (who, title) =>
    rich`Withdrawal by ${who}: the recorded session of ${bold(title)} is being ended; BigBlueButton has not confirmed the end yet, I keep trying and will say when it did. A new unrecorded session is being opened; its links follow. The recording will be deleted.`,
  lateDeclineRestarted: (title, opened = true) =>
    rich`Someone invited late does not want to be recorded: the recorded session of ${bold(title)} was ended and ${successorEn(opened)}, for everyone. The ended session's recording stays; everyone in it had agreed.`,
  lateDeclineEnding: (title) =>
    rich`Someone invited late does not want to be recorded: the recorded session of ${bold(title)} is being ended; BigBlueButton has not confirmed the end yet, I keep trying and will say when it did. A new session without recording is being opened; its links follow, for everyone. The ended session's recording stays; everyone in it had agreed.`,
  withdrawalReceivedRestarted: (title, opened = true) =>
    rich`A withdrawal was received: the recorded session of ${bold(title)} was ended and ${successorEn(opened)}; the ended session's recording will be deleted.`,
  withdrawalReceivedEnding: (title) =>
    rich`A withdrawal was received: the recorded session of ${bold(title)} is being ended; BigBlueButton has not confirmed the end yet, I keep trying and will say when it did. A new unrecorded session is being opened; its links follow. The recording will be deleted.`,
  withdrawalReceivedDeleted: (title, deleted, pending) =>
    present([
      rich`A withdrawal for ${bold(title)} was received; the recordings are being deleted.`,
      deleted.length ? rich`Deleted: ${join(deleted, ', ')}.` : null,
      pending.length
        ? rich`Not deleted yet (BBB unreachable or still processing), retried automatically: ${join(pending, ', ')}.`
        : null,
    ]),
  withdrawalReceivedWithoutDeletion: (title, restarted, contact) =>
    rich`A withdrawal for ${bold(title)} was received.${restarted ? ' The recorded session is being ended and a new unrecorded one opened; new links follow.' : ''} The bot cannot delete recordings on this BigBlueButton server: ${contact} has them deleted.`,
  withdrawDetailsByDm: rich`Stored. I sent the details by direct message.`,
  withdrawOnBehalfTold: (admin) =>
    rich`${admin} entered your withdrawal for you (for example after your e-mail).`,
  recordedSessionEnded: (title) =>
    rich`The recorded session of ${bold(title)} has now ended (confirmed by BigBlueButton).`,
  cancelledEnding: (title) =>
    rich`${bold(title)} was cancelled. BigBlueButton has not confirmed the end of the running session yet; I keep trying.`,
  answerRemovedAskAgain: (who, title) =>
    rich`The answer of ${who} for ${bold(title)} was removed by someone else. ${who}, please answer again with ✅ or ❌.`,
  withdrawUnrecorded: (who, title) => rich`Withdrawal by ${who} for ${bold(title)} stored.`,
  withdrawDeleted: (who, deleted, pending) =>
    present([
      rich`Withdrawal by ${who} stored.`,
      deleted.length ? rich`Deleted: ${join(deleted, ', ')}.` : null,
      pending.length
        ? rich`Not deleted yet (BBB unreachable or still processing), retried automatically: ${join(pending, ', ')}.`
        : null,
      !deleted.length && !pending.length ? rich`There were no recordings.` : null,
    ]),
  deletedAfterWithdrawal: (names) => rich`Now also deleted after the withdrawal: ${join(names, ', ')}.`,
  withdrawOnBehalf: (admin) => rich`(Entered by ${admin}.)`,
  recordingName: (title, date) => rich`"${title}" of ${date}`,

  playbackLink: (name, url, deleteOn) =>
    lines([
      rich`The recording ${name} is ready. Watch it here:`,
      href(url),
      deleteOn
        ? rich`It will be deleted on ${deleteOn}. The link works without logging in: do not pass it on.`
        : rich`It is kept until consent is withdrawn. The link works without logging in: do not pass it on.`,
    ]),
  playbackLinks: (items) =>
    lines([
      rich`Your links to the recordings (they work without logging in: do not pass them on):`,
      ...items.map((i) => rich`${i.name}${i.deleteOn ? ` (deleted on ${i.deleteOn})` : ''}: ${href(i.url)}`),
    ]),
  recordingReady: (name, deleteOn) =>
    deleteOn
      ? rich`The recording ${name} is ready; it will be deleted on ${deleteOn}. Everyone who agreed gets the link to watch it by direct message.`
      : rich`The recording ${name} is ready; it is kept until consent is withdrawn. Everyone who agreed gets the link to watch it by direct message.`,
  recordingsLinksSent: rich`I sent you the links to watch them by direct message.`,
  recordingsNone: rich`There are no recordings in this room.`,
  recordingsHeader: rich`Recordings in this room:`,
  recordingLine: (p) =>
    rich`${code(p.ref)} ${p.name}: ${p.state}, ${p.age} old${p.deleteOn ? `, deleted on ${p.deleteOn}` : ''}`,
  recordingStates: {
    processing: 'processing',
    available: 'available',
    'purge-pending': 'deletion pending',
    purged: 'deleted',
  },
  days: (n) => (n === 1 ? '1 day' : `${n} days`),
  hours: (n) => (n === 1 ? '1 hour' : `${n} hours`),

  purgeReport: (deleted, failed) =>
    present([
      deleted.length ? rich`Deleted (${deleted.length}): ${join(deleted, ', ')}.` : rich`Nothing deleted.`,
      failed.length ? rich`Not deleted (${failed.length}): ${join(failed, ', ')}.` : null,
    ]),
  purgeFailedItem: (name, why) => rich`${name} (${why})`,
  purgeNothingExpired: rich`No expired recordings.`,
  purgeProgress: (done, total) => rich`Deleting … ${done}/${total}`,
  deletionMeans: (what) => rich`Deleted means: ${what}`,

  mydataSent: (who) => rich`${who}, I sent you the answer in a direct message.`,
  answerOnPrompt: (who, title, prompt) =>
    rich`${who}, a reaction on the privacy notice does not count as an answer: please react with ✅ or ❌ on the ${link(prompt, `question about "${title}"`)}.`,
  noticeSent: rich`I sent you the full privacy notice in a direct message.`,
  noticeUndeliverable: rich`I could not send you a direct message. The full notice stands in every room where I planned a meeting, before its first short notice.`,
  evidenceSent: (meetings) =>
    rich`I sent you the evidence report (${String(meetings)} meeting${meetings === 1 ? '' : 's'}) in a direct message.`,
  evidenceFile: (file) =>
    rich`Consent evidence report (GDPR Art. 7(1)): ${code(file)}. It contains personal data; share it only with those entitled to it.`,
  evidenceNone: rich`This room has no meetings I hold evidence for.`,
  mydata: (p) =>
    lines([
      rich`What I store about ${code(p.userId)} (Art. 15 GDPR):`,
      p.meetings.length ? rich`Meetings: ${join(p.meetings, '; ')}` : rich`Meetings: none`,
      p.consents.length ? rich`Consent evidence: ${join(p.consents, '; ')}` : rich`Consent evidence: none`,
      rich`Join links delivered: ${p.deliveries}; recordings of your meetings: ${p.recordings}; audit log entries: ${p.audit}.`,
      rich`Stored are the Matrix ID, display name, times, the notice version and Matrix event IDs. Everything in detail, with when each item is deleted, is in the file ${code(p.file)} (JSON) to keep. Withdraw at any time with ${code(`${p.prefix}withdraw`)}.`,
    ]),
  consentEntry: (p) => rich`${p.kind} on ${p.at} (${p.meeting}, notice ${p.version})`,
  consentKinds: { agree: 'agreement', decline: 'refusal', withdraw: 'withdrawal', reset: 'answer removed' },

  helpHeader: rich`Commands:`,
  helpLine: (forms, summary) =>
    rich`${join(
      forms.map((f) => code(f)),
      ' · ',
    )} – ${summary}`,
  helpUnknown: (name) => rich`There is no command ${code(name)}.`,
  usages: {
    help: ['help [command]'],
    ping: ['ping'],
    meeting: ['meeting <title> [@user …] [--guest "<name>" …] [--at "<time>"] [--no-record]'],
    status: ['status [#meeting]'],
    start: ['start [#meeting]'],
    cancel: ['cancel [#meeting]'],
    invite: ['invite [#meeting] @user … [--guest "<name>" …]'],
    withdraw: ['withdraw [@user] [#meeting]', 'withdraw --guest "<name>" [#meeting]'],
    recordings: ['recordings'],
    purge: ['purge #meeting', 'purge <recording>', 'purge --expired'],
    mydata: ['mydata'],
    notice: ['notice'],
    evidence: ['evidence [#meeting] [--format csv|json]'],
  },
  commands: {
    help: 'Shows this help, or the help of one command',
    ping: 'Checks that the bot answers',
    meeting:
      'Plans a meeting; invitees are the people named, or everyone in the room. --guest "Name" invites guests without a Matrix account (they answer on a web page), --at sets the start, --no-record skips recording',
    status: 'Shows how many agreed, declined, withdrew or have not answered',
    start: 'Opens the meeting now',
    cancel: 'Cancels the meeting',
    invite:
      'Invites more people, with --guest "Name" also guests without a Matrix account (they must answer too)',
    withdraw: 'Withdraws your consent (admins: on behalf of someone, also a guest)',
    recordings: "Lists this room's recordings with age and deletion date",
    purge: 'Deletes recordings now (admins only)',
    mydata: 'Shows what the bot stores about you',
    notice: 'Sends you the full privacy notice by direct message',
    evidence: "Sends the consent evidence of this room's meetings as a file by direct message (admins only)",
  },
  // ----- Behind a front-end that cannot confirm deletions (bbb.acceptUnconfirmedDeletion, issue 22) -----
  withoutDeletion: {
    restarted: (who, title, contact) =>
      rich`Withdrawal by ${who}: the recorded session of ${bold(title)} was ended and a new unrecorded session is open. New links follow. The bot cannot delete recordings on this BigBlueButton server: ${contact} has them deleted.`,
    ending: (who, title, contact) =>
      rich`Withdrawal by ${who}: the recorded session of ${bold(title)} is being ended; BigBlueButton has not confirmed the end yet, I keep trying and will say when it did. A new unrecorded session is being opened; its links follow. The bot cannot delete recordings on this BigBlueButton server: ${contact} has them deleted.`,
    after: (who, title, contact) =>
      rich`Withdrawal by ${who} for ${bold(title)} stored. The bot cannot delete recordings on this BigBlueButton server: ${contact} has them deleted.`,
  },
  // ----- What people see inside the BBB meeting (issue 22): plain text, BBB shows no markup -----
  inMeeting: {
    recorded: (prefix) =>
      `This session is recorded because every invitee agreed in the chat. Withdraw at any time with ${prefix}withdraw in the chat: this session then ends and the meeting continues unrecorded.`,
    unrecorded: () => 'This session is not recorded.',
    endingAfterWithdrawal: () =>
      'This session is ending because someone withdrew their consent to the recording. New links to an unrecorded session are in the chat (Matrix).',
  },
};

export type { TallyView };
