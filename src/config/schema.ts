import { validate as validateCron } from 'node-cron';
import { z } from 'zod';
import { decodeRecoveryKey } from './recovery-key.js';

function isRecoveryKey(text: string): boolean {
  try {
    decodeRecoveryKey(text);
    return true;
  } catch {
    return false;
  }
}

// One schema for validation, defaults and documentation: `describe()` texts feed the configuration
// reference in the README (scripts/config-docs.ts), and a test keeps the two in step.

const matrixUserId = z
  .string()
  .regex(/^@[^:\s]+:\S+$/, 'a Matrix user ID like @alice:example.org')
  .describe('Matrix user ID');

// Only http(s): `new URL('matrix.example.org:8448')` parses with the scheme "matrix.example.org:", and
// such a URL would be retried for ever instead of being named.
const httpUrl = () => z.url({ protocol: /^https?$/ });

const cronExpression = z
  .string()
  .refine((expr) => validateCron(expr), 'a cron expression like "*/15 * * * *"');

export const configSchema = z.strictObject({
  matrix: z
    .strictObject({
      homeserverUrl: httpUrl().describe(
        'Client-server API base URL of the homeserver, e.g. https://matrix.example.org',
      ),
      accessToken: z.string().min(1).describe('Access token of the bot account'),
      password: z
        .string()
        .min(1)
        .optional()
        .describe(
          'Password of the bot account, only for automatic recovery: when the encryption keys are lost or damaged, the bot logs in a new device with it (and removes the old one) instead of running unencrypted. Not needed otherwise',
        ),
      recoveryKey: z
        .string()
        .refine(
          (text) => isRecoveryKey(text),
          'a recovery key as Element shows it, e.g. made by `npm run recovery-key`',
        )
        .optional()
        .describe(
          "Recovery key of the bot account's secret storage: with it the bot keeps its cross-signing keys and a backup of its room keys on the homeserver, so that a new device (lost key store) is cross-signed again and reads earlier encrypted messages. Made by `npm run recovery-key`, or Element's recovery key of the account. Never logged",
        ),
      commandPrefix: z
        .string()
        .min(1)
        .max(16)
        .regex(/^\S+$/, 'a prefix without spaces')
        .default('!')
        .describe('Prefix of chat commands (another bot may already own "!meeting")'),
      commandMaxAgeMinutes: z
        .number()
        .positive()
        .default(10)
        .describe(
          'A command the bot reads only this many minutes after it was sent (it was offline) is answered, not carried out: the answer says when it was received and asks to send it again if still wanted. !withdraw and !mydata are carried out whatever their age',
        ),
      allowedInviters: z
        .array(z.string().min(1))
        .default([])
        .describe(
          'Who may invite the bot into a room: user IDs or globs like "@*:example.org". Admins always may. Empty: admins only',
        ),
      ignoredUsers: z
        .array(z.string().min(1))
        .default([])
        .describe(
          'Room members a !meeting that names nobody leaves out (other bots in the rooms: they never answer, so the meeting would never be recorded): user IDs or globs like "@*bot:example.org". Named in a command, they are invited',
        ),
      joinLinkDelivery: z
        .enum(['direct', 'room'])
        .default('direct')
        .describe(
          '"direct": each person gets their own join link in a direct-message room (default). "room": links are posted in the meeting room, where anyone could use another person\'s link',
        ),
      encryption: z
        .boolean()
        .default(true)
        .describe(
          'End-to-end encryption: work in encrypted rooms and create the direct-message rooms for join links encrypted. Off: encrypted rooms are refused with a notice',
        ),
      cryptoStorePath: z
        .string()
        .min(1)
        .optional()
        .describe(
          'Folder of the encryption keys of the bot\'s device (keep it with the database; losing it means a new device). Default: "crypto" beside the database file',
        ),
    })
    .describe('The Matrix side'),
  admins: z
    .array(matrixUserId)
    .default([])
    .describe('Matrix IDs allowed to !withdraw for others, !purge, and !start/!cancel any meeting'),
  language: z.enum(['de', 'en']).default('de').describe('Language of what the bot says: "de" or "en"'),
  timezone: z
    .string()
    .default('Europe/Berlin')
    .refine((tz) => {
      try {
        new Intl.DateTimeFormat('en', { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    }, 'an IANA time zone like "Europe/Berlin"')
    .describe('Time zone for --at times and the dates the bot writes'),
  bbb: z
    .strictObject({
      url: httpUrl().describe('BBB (or Scalelite) base URL, e.g. https://bbb.example.org/bigbluebutton/'),
      secret: z.string().min(8).describe('Shared secret of the BBB server (bbb-conf --secret)'),
      checksumAlgorithm: z
        .enum(['sha1', 'sha256', 'sha384', 'sha512'])
        .default('sha256')
        .describe('Checksum algorithm; must be one the server accepts (Scalelite: not sha384)'),
      timeoutMs: z
        .number()
        .int()
        .min(100)
        .max(120_000)
        .default(10_000)
        .describe('Timeout of one BBB request'),
      recordingFormats: z
        .array(z.string().regex(/^[a-z0-9-]+$/, 'a BBB recording format name like "presentation"'))
        .min(1)
        .default(['presentation', 'video'])
        .describe(
          'Recording formats the notice covers. On servers that can switch formats per meeting (BBB 3.0.30+), every other known format (screenshare, podcast, notes, ai-summary, …) is switched off for recorded sessions',
        ),
      disabledFeatures: z
        .array(z.string().regex(/^[A-Za-z]+$/, 'a BBB feature name like "learningDashboard"'))
        .default(['learningDashboard'])
        .describe(
          'BBB client features switched off in every session (create parameter disabledFeatures, BBB 2.5+). The default keeps the Learning Analytics Dashboard, which shows moderators per-person activity, off',
        ),
      acceptUnconfirmedDeletion: z
        .boolean()
        .default(false)
        .describe(
          'Run behind a front-end that answers SUCCESS to deleting any recording, even one that does not exist (b3lb): the bot cannot confirm a deletion there, nor find recordings to delete. Off: the start-up check refuses such a front-end. On: it is accepted, and the notice says that the bot cannot delete recordings there and whom to ask instead',
        ),
    })
    .describe('The BigBlueButton server'),
  retention: z
    .strictObject({
      recordingDays: z
        .number()
        .int()
        .min(1)
        .default(30)
        .describe(
          'Days a recording is kept (always a number: a recording kept until someone withdraws would have no end). Lowered, it applies to the recordings already kept at the next run of the purge job (their deletion dates come forward); raised, it keeps nothing longer than announced',
        ),
      evidenceDaysAfterPurge: z
        .number()
        .int()
        .min(0)
        .default(365)
        .describe("Days consent evidence is kept after a meeting's last recording is gone"),
      purgeSchedule: cronExpression
        .default('*/15 * * * *')
        .describe('node-cron schedule of the retention and purge job'),
      discoverySchedule: cronExpression
        .default('*/2 * * * *')
        .describe('node-cron schedule of recording discovery (getRecordings polling)'),
    })
    .prefault({})
    .describe('Recording retention and purge'),
  consent: z
    .strictObject({
      ask: z
        .enum(['direct', 'room'])
        .default('direct')
        .describe(
          '"direct" (default): each invitee gets the first layer of the notice and the consent prompt in their direct-message room with the bot and answers there; the meeting\'s room sees counts only. "room": the prompt stands in the meeting\'s room, where every client shows who reacted with what (the first layer says so)',
        ),
      showNames: z
        .boolean()
        .default(false)
        .describe(
          'Show in the meeting\'s room who agreed, declined or withdrew (with "direct"). Off by default: only counts; turn on only where a works agreement allows it',
        ),
    })
    .prefault({})
    .describe('How consent is asked for'),
  limits: z
    .strictObject({
      maxInvitees: z
        .number()
        .int()
        .min(2)
        .max(1000)
        .default(100)
        .describe(
          'Most invitees of one meeting, organizer included (also for a meeting of "everyone in the room", and after !invite). Large meetings get a compact consent prompt (counts, then names as far as they fit) that stays within the homeserver\'s 64 KiB event limit; up to 100, every invitee is notified even with the longest Matrix IDs',
        ),
      unansweredDays: z
        .number()
        .int()
        .min(1)
        .default(14)
        .describe(
          'A meeting planned without --at that never opens (someone never answers) expires after this many days: cancelled, and its evidence then pruned like that of any cancelled meeting',
        ),
    })
    .prefault({})
    .describe('Bounds on what one command may ask for'),
  notice: z
    .strictObject({
      de: z
        .string()
        .min(1)
        .default('notices/privacy-notice.de.txt')
        .describe('German privacy notice (text file)'),
      en: z
        .string()
        .min(1)
        .default('notices/privacy-notice.en.txt')
        .describe('English privacy notice (text file)'),
      controller: z
        .string()
        .min(1)
        .optional()
        .describe(
          'Who is responsible for the processing (the controller): name and postal address. Shown in the notice; required by the shipped notice texts',
        ),
      contact: z
        .string()
        .min(1)
        .optional()
        .describe(
          'How people reach the controller or data-protection officer (e-mail address, Matrix ID). Shown in the notice; required by the shipped notice texts',
        ),
      bbbProvider: z
        .string()
        .min(1)
        .optional()
        .describe(
          'Who runs the BBB server: name and postal address. Shown in the notice; required by the shipped notice texts',
        ),
      finalDeletion: z
        .string()
        .min(1)
        .optional()
        .describe(
          'What "deleted" means on your BBB server, in the notice\'s language: what the provider does after a delete (plain BBB moves the files to a trash folder, the raw media stay until a clean-up) and when the files are finally gone, backups included. Shown in the notice and in every message about a deletion; required',
        ),
      dpo: z
        .string()
        .min(1)
        .optional()
        .describe(
          'The data-protection officer, if one is appointed: name or office and how to reach them (shown in the notice as its own contact). Without it the notice says none is appointed and names notice.contact',
        ),
      homeserverOperator: z
        .string()
        .min(1)
        .optional()
        .describe(
          'Who runs the Matrix homeserver the chat and the bot use (a recipient of the data): name and postal address. Required by the shipped notice texts',
        ),
      thirdCountry: z
        .string()
        .min(1)
        .optional()
        .describe(
          'Where the BBB server and the homeserver process the data and whether any of it leaves the EU/EEA (and on which safeguard), in the notice\'s language, e.g. "Both servers are in Germany; no data is transferred to third countries." Required by the shipped notice texts',
        ),
      logRetention: z
        .string()
        .min(1)
        .optional()
        .describe(
          "How long the bot's log (journal) and the backups of its database are kept, in the notice's language, e.g. \"The bot's log is kept for 14 days, backups of its database for 30 days.\" Required by the shipped notice texts",
        ),
      legalBasis: z
        .enum(['colleagues', 'customers'])
        .default('colleagues')
        .describe(
          'Who meets through the bot, for the legal basis the notice states for the meetings themselves: "colleagues" (employees among themselves) or "customers" (contractual partners and customers)',
        ),
      bbbProviderPrivacyUrl: httpUrl()
        .optional()
        .describe(
          "The BBB provider's privacy policy. Shown in the notice; required by the shipped notice texts",
        ),
    })
    .prefault({})
    .describe('Privacy notice files (DSGVO Art. 13/14); consent is tied to the SHA-256 of the text'),
  reminders: z
    .strictObject({
      minutesBefore: z
        .number()
        .int()
        .min(0)
        .max(24 * 60)
        .default(10)
        .describe(
          'A meeting planned with --at gets a reminder in its room this many minutes before, naming who has not answered; 0 turns reminders off',
        ),
    })
    .prefault({})
    .describe('Reminders before scheduled meetings'),
  database: z
    .strictObject({
      path: z.string().min(1).default('data/bot.db').describe('SQLite database file (created if missing)'),
    })
    .prefault({})
    .describe('Storage'),
  http: z
    .strictObject({
      enabled: z
        .boolean()
        .default(false)
        .describe('Start the HTTP listener (recording-ready callback, /healthz, /metrics, guest pages)'),
      host: z.string().default('127.0.0.1').describe('Address to listen on'),
      port: z.number().int().min(0).max(65_535).default(8080).describe('Port to listen on'),
      publicUrl: httpUrl()
        .optional()
        .describe(
          'URL at which BBB and guests reach this listener; enables the recording-ready callback and guest invitations',
        ),
      trustProxy: z
        .boolean()
        .default(false)
        .describe(
          'Behind a reverse proxy: take the client address from X-Forwarded-For (rate limits per address)',
        ),
    })
    .prefault({})
    .describe('Optional HTTP listener'),
  logLevel: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace'])
    .default('info')
    .describe('Log level'),
});

export type Config = z.infer<typeof configSchema>;

/** Environment variables that may carry secrets instead of the file; when set, they win over the file. */
export const secretEnvironment = [
  { path: ['matrix', 'accessToken'], variable: 'MATRIX_ACCESS_TOKEN' },
  { path: ['matrix', 'password'], variable: 'MATRIX_PASSWORD' },
  { path: ['matrix', 'recoveryKey'], variable: 'MATRIX_RECOVERY_KEY' },
  { path: ['bbb', 'secret'], variable: 'BBB_SECRET' },
] as const;
