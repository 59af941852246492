import { index, integer, primaryKey, sqliteTable, text } from './drizzle.js';

// Times are epoch milliseconds (integer). The consent ledger and the audit log are append-only:
// the code never updates or deletes their rows, except the retention job pruning evidence of
// meetings whose recordings are all gone (design.md §3.7).

/** The exact notice texts consent was given to, keyed by their SHA-256. */
export const notices = sqliteTable('notices', {
  sha256: text('sha256').primaryKey(),
  language: text('language').notNull(),
  text: text('text').notNull(),
  firstUsedAt: integer('first_used_at').notNull(),
});

/**
 * What people answered on: the first layer of the notice and the consent prompt as posted, keyed by
 * the SHA-256 of that text (identical texts once), with the notice version they belong to.
 */
export const consentTexts = sqliteTable('consent_texts', {
  sha256: text('sha256').primaryKey(),
  noticeSha256: text('notice_sha256')
    .notNull()
    .references(() => notices.sha256),
  language: text('language').notNull(),
  text: text('text').notNull(),
  firstUsedAt: integer('first_used_at').notNull(),
});

export const meetings = sqliteTable(
  'meetings',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    roomId: text('room_id').notNull(),
    title: text('title').notNull(),
    organizerId: text('organizer_id').notNull(),
    /** planned | collecting | open | cancelled | closed (see domain/lifecycle.ts) */
    state: text('state').notNull(),
    noRecord: integer('no_record', { mode: 'boolean' }).notNull().default(false),
    language: text('language').notNull(),
    noticeSha256: text('notice_sha256')
      .notNull()
      .references(() => notices.sha256),
    /** The command event that planned it: makes planning idempotent across restarts. */
    commandEventId: text('command_event_id').notNull().unique(),
    scheduledAt: integer('scheduled_at'),
    createdAt: integer('created_at').notNull(),
    noticeEventId: text('notice_event_id'),
    /** The consent prompt, which is also the live tally (edited in place). */
    promptEventId: text('prompt_event_id').unique(),
    openedAt: integer('opened_at'),
    /** Why it opened: all-answered | scheduled | start-command | no-record */
    openedBy: text('opened_by'),
    closedAt: integer('closed_at'),
    /**
     * Where consent is asked: direct (a prompt in each invitee's DM room, see `dm_prompts`) or room
     * (the prompt above). Kept per meeting: a config change does not move the prompts of a planned one.
     */
    consentAsk: text('consent_ask').notNull().default('room'),
    /** The first layer and prompt as posted in the room (see consent_texts). */
    consentTextSha256: text('consent_text_sha256'),
  },
  (t) => [index('meetings_room_state').on(t.roomId, t.state)],
);

export const invitees = sqliteTable(
  'invitees',
  {
    meetingId: integer('meeting_id')
      .notNull()
      .references(() => meetings.id, { onDelete: 'cascade' }),
    userId: text('user_id').notNull(),
    displayName: text('display_name').notNull(),
    isOrganizer: integer('is_organizer', { mode: 'boolean' }).notNull().default(false),
    addedAt: integer('added_at').notNull(),
    addedBy: text('added_by').notNull(),
  },
  (t) => [primaryKey({ columns: [t.meetingId, t.userId] }), index('invitees_user').on(t.userId)],
);

/**
 * Guests: invitees without a Matrix account (design.md §3.11). The guest's ID (`guest:…`) stands in
 * the invitees table like a Matrix ID, so every rule counts guests. The token in their link is a
 * credential: only its SHA-256 is kept, and the row goes with the meeting when its evidence is pruned.
 */
export const guests = sqliteTable(
  'guests',
  {
    id: text('id').primaryKey(),
    meetingId: integer('meeting_id')
      .notNull()
      .references(() => meetings.id, { onDelete: 'cascade' }),
    tokenSha256: text('token_sha256').notNull().unique(),
    displayName: text('display_name').notNull(),
    createdAt: integer('created_at').notNull(),
    createdBy: text('created_by').notNull(),
  },
  (t) => [index('guests_meeting').on(t.meetingId)],
);

/** Append-only consent evidence: who, when, which notice, through which Matrix event, done by whom. */
export const consentEvents = sqliteTable(
  'consent_events',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    meetingId: integer('meeting_id')
      .notNull()
      .references(() => meetings.id, { onDelete: 'cascade' }),
    userId: text('user_id').notNull(),
    /** agree | decline | withdraw | reset (see domain/consent.ts CONSENT_KINDS) */
    kind: text('kind').notNull(),
    at: integer('at').notNull(),
    /** The reaction, redaction or command event; unique so a replayed event counts once. */
    matrixEventId: text('matrix_event_id').unique(),
    /** For agree/decline by reaction: the reaction event whose redaction withdraws it. */
    reactionEventId: text('reaction_event_id'),
    noticeSha256: text('notice_sha256').notNull(),
    /** The first layer and prompt the person answered on (consent_texts); null before they were stored. */
    consentTextSha256: text('consent_text_sha256'),
    actorId: text('actor_id').notNull(),
    /** reaction | redaction | command | reconcile */
    source: text('source').notNull(),
  },
  (t) => [index('consent_meeting_user').on(t.meetingId, t.userId, t.id)],
);

/** A BBB meeting (one `create`) belonging to a meeting; a meeting may have several. */
export const sessions = sqliteTable(
  'sessions',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    meetingId: integer('meeting_id')
      .notNull()
      .references(() => meetings.id, { onDelete: 'cascade' }),
    bbbMeetingId: text('bbb_meeting_id').notNull().unique(),
    internalMeetingId: text('internal_meeting_id'),
    createTime: text('create_time'),
    record: integer('record', { mode: 'boolean' }).notNull(),
    /** creating | running | ending | ended (see domain/lifecycle.ts SESSION_STATES) */
    state: text('state').notNull().default('running'),
    createdAt: integer('created_at').notNull(),
    /** Set once BBB confirmed the create; null means the create still has to happen. */
    confirmedAt: integer('confirmed_at'),
    /** When the room was told whether this session records (said once). */
    announcedAt: integer('announced_at'),
    endedAt: integer('ended_at'),
    endReason: text('end_reason'),
  },
  (t) => [index('sessions_meeting').on(t.meetingId)],
);

/** Join links handed out: one row per person and session, so nothing is sent twice. */
export const linkDeliveries = sqliteTable(
  'link_deliveries',
  {
    sessionId: integer('session_id')
      .notNull()
      .references(() => sessions.id, { onDelete: 'cascade' }),
    userId: text('user_id').notNull(),
    deliveredAt: integer('delivered_at').notNull(),
    roomId: text('room_id').notNull(),
  },
  (t) => [primaryKey({ columns: [t.sessionId, t.userId] })],
);

export const recordings = sqliteTable(
  'recordings',
  {
    recordId: text('record_id').primaryKey(),
    sessionId: integer('session_id')
      .notNull()
      .references(() => sessions.id),
    meetingId: integer('meeting_id')
      .notNull()
      .references(() => meetings.id),
    /** processing | available | purge-pending | purged */
    state: text('state').notNull(),
    startTime: integer('start_time'),
    discoveredAt: integer('discovered_at').notNull(),
    readyAt: integer('ready_at'),
    readyAnnouncedAt: integer('ready_announced_at'),
    deleteAfter: integer('delete_after'),
    purgeReason: text('purge_reason'),
    purgeRequestedAt: integer('purge_requested_at'),
    purgedAt: integer('purged_at'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
  },
  (t) => [
    index('recordings_state').on(t.state),
    index('recordings_meeting').on(t.meetingId),
    index('recordings_session').on(t.sessionId),
  ],
);

export const auditLog = sqliteTable(
  'audit_log',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    at: integer('at').notNull(),
    actorId: text('actor_id').notNull(),
    action: text('action').notNull(),
    meetingId: integer('meeting_id'),
    subjectId: text('subject_id'),
    details: text('details', { mode: 'json' }).$type<Record<string, unknown>>(),
  },
  (t) => [index('audit_subject').on(t.subjectId), index('audit_meeting').on(t.meetingId)],
);

/**
 * The outbox: outside actions that matter, stored as intents in the same transaction as the state
 * change that requires them, and retried until the outside world confirmed them (design.md §5).
 * `key` names what the intent is (e.g. `end:<session>`), so the same intent is never stored twice.
 */
export const intents = sqliteTable(
  'intents',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    key: text('key').notNull().unique(),
    /** end-session | purge-recordings | deliver-link (see app/outbox.ts) */
    kind: text('kind').notNull(),
    meetingId: integer('meeting_id')
      .notNull()
      .references(() => meetings.id, { onDelete: 'cascade' }),
    sessionId: integer('session_id'),
    userId: text('user_id'),
    createdAt: integer('created_at').notNull(),
    attempts: integer('attempts').notNull().default(0),
    lastAttemptAt: integer('last_attempt_at'),
    lastError: text('last_error'),
    /** Set once the outside world confirmed it (or it no longer applies, see `outcome`). */
    doneAt: integer('done_at'),
    /** confirmed | dropped (no longer applies, e.g. a link whose consent was withdrawn) */
    outcome: text('outcome'),
  },
  (t) => [index('intents_pending').on(t.doneAt, t.kind), index('intents_meeting').on(t.meetingId)],
);

/** Matrix events already handled: every handler is idempotent by event ID. */
export const processedEvents = sqliteTable('processed_events', {
  eventId: text('event_id').primaryKey(),
  at: integer('at').notNull(),
});

/** A meeting's consent prompt in one invitee's direct-message room (consent.ask "direct"). */
export const dmPrompts = sqliteTable(
  'dm_prompts',
  {
    meetingId: integer('meeting_id')
      .notNull()
      .references(() => meetings.id, { onDelete: 'cascade' }),
    userId: text('user_id').notNull(),
    roomId: text('room_id').notNull(),
    eventId: text('event_id').notNull().unique(),
    postedAt: integer('posted_at').notNull(),
    /** Fingerprint of what the prompt shows now (edits that change nothing are not sent). */
    shown: text('shown'),
    /** The first layer and prompt as posted in this DM room (see consent_texts). */
    consentTextSha256: text('consent_text_sha256'),
  },
  (t) => [primaryKey({ columns: [t.meetingId, t.userId] }), index('dm_prompts_user').on(t.userId)],
);

/** One direct-message room per person, reused for every link. */
export const directRooms = sqliteTable('direct_rooms', {
  userId: text('user_id').primaryKey(),
  roomId: text('room_id').notNull(),
  createdAt: integer('created_at').notNull(),
});

/** Rooms the bot already warned about encryption (said once, not on every message). */
export const roomNotes = sqliteTable(
  'room_notes',
  {
    roomId: text('room_id').notNull(),
    note: text('note').notNull(),
    at: integer('at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.roomId, t.note] })],
);

/** matrix-bot-sdk's storage (sync token, filter) lives here too: one state store. */
export const kv = sqliteTable('kv', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
});
