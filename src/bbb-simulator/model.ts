/**
 * Meetings, sessions and recordings of the BBB simulator, and the API call handlers. HTTP-agnostic: the server
 * in ./server.ts feeds raw query strings in and writes the returned answers out.
 * Behaviour follows shared/reference/bbb-api.md §3 (calls) and §4 (lifecycle and recording semantics).
 */
import { randomBytes } from 'node:crypto';
import type { FlavourProfile } from './flavours.js';
import {
  el,
  failedXml,
  responseXml,
  type SimChecksumAlgorithm,
  sha1Hex,
  verifyChecksum,
  type XmlElement,
} from './protocol.js';

export type SimRecordingState = 'processing' | 'processed' | 'published' | 'unpublished' | 'deleted';
export type SimRole = 'MODERATOR' | 'VIEWER';

export interface SimJoin {
  fullName: string;
  userID?: string;
  role: SimRole;
  /** createTime of the session joined. */
  createTime: string;
  at: number;
}

export interface SimSession {
  meetingID: string;
  internalMeetingID: string;
  createTime: string;
  name: string;
  record: boolean;
  autoStartRecording: boolean;
  allowStartStopRecording: boolean;
  /** Every raw create parameter of the FIRST create (duplicates change nothing, reference §4.1). */
  params: Record<string, string>;
  /** `meta_` parameters, names lower-cased as BBB does. */
  metadata: Record<string, string>;
  attendeePW: string;
  moderatorPW: string;
  ended: boolean;
  /** Ended through the `end` call (not naturally). */
  forciblyEnded: boolean;
  endTime?: number;
  joins: SimJoin[];
  /** Whether recording is running now (the live state the HTTP API does not expose, reference §4.6). */
  recordingOn: boolean;
  /** Recording marks: intervals between start and pause (reference §4.4). */
  marks: { start: number; stop?: number }[];
  /** Lines posted into the public chat through `sendChatMessage` (3.0, reference §3.11), in order. */
  chat: { message: string; userName?: string; at: number }[];
}

export interface SimPlayback {
  type: string;
  url: string;
  /** Minutes. */
  length: number;
  processingTime: number;
}

export interface SimRecording {
  recordID: string;
  meetingID: string;
  internalMeetingID: string;
  name: string;
  state: SimRecordingState;
  published: boolean;
  startTime: number;
  endTime: number;
  participants: number;
  metadata: Record<string, string>;
  playback: SimPlayback[];
  /** When processing completes (epoch ms of the simulator clock); absent once done. */
  readyAt?: number;
}

export interface SimCallback {
  kind: 'recording-ready' | 'end';
  url: string;
  recordID?: string;
  meetingID: string;
  /** HTTP status of the receiver's answer, or the error when it could not be reached. */
  status?: number;
  error?: string;
}

export interface SimAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface ModelOptions {
  secret: string;
  algorithms: ReadonlySet<SimChecksumAlgorithm>;
  processingDelayMs: number;
  now: () => number;
  /** Origin of the simulator, e.g. http://127.0.0.1:1234 (for playback and redirect URLs). */
  origin: () => string;
  /** Called when a recording was published (the server sends the recording-ready POST). */
  onPublished: (rec: SimRecording, session: SimSession | undefined) => void;
  /** Called when a session ended (the server sends the end callback and schedules processing). */
  onEnded: (session: SimSession, rec: SimRecording | undefined) => void;
  dropDeletes: () => boolean;
  /** The server version or front-end answered as (flavours.ts). */
  profile: FlavourProfile;
}

const XML_HEADERS = { 'content-type': 'text/xml; charset=utf-8' };
const ok = (children: XmlElement[]): SimAnswer => ({
  status: 200,
  headers: XML_HEADERS,
  body: responseXml('SUCCESS', children),
});
const failed = (key: string, message: string): SimAnswer => ({
  status: 200,
  headers: XML_HEADERS,
  body: failedXml(key, message),
});
const CHECKSUM_ERROR = failed('checksumError', 'Checksums do not match');
const READY_URL_KEYS = ['bbb-recording-ready-url', 'bn-recording-ready-url', 'canvas-recording-ready-url'];
const ALL_STATES: SimRecordingState[] = ['processing', 'processed', 'published', 'unpublished', 'deleted'];

function password(): string {
  return randomBytes(6).toString('base64url');
}

function flag(params: URLSearchParams, name: string, fallback: boolean): boolean {
  const v = params.get(name);
  return v === null ? fallback : v === 'true';
}

function minutes(params: URLSearchParams, name: string, fallback: number): number {
  const v = params.get(name);
  return v !== null && /^\d+$/.test(v) ? Number(v) : fallback;
}

function list(value: string | null): string[] {
  return value === null ? [] : value.split(',').filter((s) => s !== '');
}

/** bbb-web's meta filters: exact value, comma lists, `%` wildcards at the start and/or end (reference §3.7). */
function metaMatches(actual: string | undefined, wanted: string): boolean {
  if (actual === undefined) return false;
  return wanted.split(',').some((w) => {
    const starts = w.endsWith('%');
    const ends = w.startsWith('%');
    const core = w.replace(/^%/, '').replace(/%$/, '');
    if (starts && ends) return actual.includes(core);
    if (starts) return actual.startsWith(core);
    if (ends) return actual.endsWith(core);
    return actual === w;
  });
}

export class SimModel {
  readonly sessionList: SimSession[] = [];
  readonly recordingList: SimRecording[] = [];
  readonly #recordingsById = new Map<string, SimRecording>();
  #seeded = 0;

  constructor(private readonly opts: ModelOptions) {}

  // ------------------------------------------------------------------------------------------- lookups & clock

  liveSession(meetingID: string): SimSession | undefined {
    return this.sessionList.find((s) => s.meetingID === meetingID && !s.ended);
  }

  latestSession(meetingID: string): SimSession | undefined {
    return this.sessionList.findLast((s) => s.meetingID === meetingID);
  }

  sessionByInternalId(id: string): SimSession | undefined {
    return this.sessionList.find((s) => s.internalMeetingID === id);
  }

  /**
   * Applies everything due on the simulator clock: expiry of never-joined meetings
   * (`meetingExpireIfNoUserJoinedInMinutes`, default 5), `duration` caps, and finished processing.
   */
  tick(): void {
    const now = this.opts.now();
    for (const s of this.sessionList) {
      if (s.ended) continue;
      const created = Number(s.createTime);
      const expireMin = minutes(new URLSearchParams(s.params), 'meetingExpireIfNoUserJoinedInMinutes', 5);
      const duration = minutes(new URLSearchParams(s.params), 'duration', 0);
      if (s.joins.length === 0 && expireMin > 0 && now >= created + expireMin * 60_000)
        this.endSession(s, false);
      else if (duration > 0 && now >= created + duration * 60_000) this.endSession(s, false);
    }
    for (const r of this.recordingList) {
      if (r.readyAt !== undefined && now >= r.readyAt) this.completeProcessing(r);
    }
  }

  // ------------------------------------------------------------------------------------------- lifecycle

  /** Session end (API `end`, everyone left, expiry): archive; a recording exists only with marks (§4.5). */
  endSession(s: SimSession, forcibly: boolean): SimRecording | undefined {
    if (s.ended) return undefined;
    const now = this.opts.now();
    s.ended = true;
    s.forciblyEnded = forcibly;
    s.endTime = now;
    s.recordingOn = false;
    for (const m of s.marks) m.stop ??= now;
    let rec: SimRecording | undefined;
    if (s.record && s.marks.length > 0) {
      const first = s.marks[0]!.start;
      const recordedMs = s.marks.reduce((sum, m) => sum + ((m.stop ?? now) - m.start), 0);
      rec = {
        recordID: s.internalMeetingID,
        meetingID: s.meetingID,
        internalMeetingID: s.internalMeetingID,
        name: s.name,
        state: 'processing',
        published: false,
        startTime: first,
        endTime: now,
        participants: new Set(s.joins.map((j) => j.userID ?? j.fullName)).size,
        metadata: { ...s.metadata, meetingName: s.name, meetingId: s.meetingID, isBreakout: 'false' },
        playback: [],
        readyAt: now + this.opts.processingDelayMs,
      };
      rec.playback = [this.#presentation(rec.recordID, Math.round(recordedMs / 60_000))];
      this.#addRecording(rec);
    }
    this.opts.onEnded(s, rec);
    return rec;
  }

  /** processing → processed → published, then the recording-ready callback (reference §5.1). */
  completeProcessing(r: SimRecording): void {
    if (r.readyAt === undefined) return;
    delete r.readyAt;
    if (r.state !== 'processing') return; // deleted while processing
    r.state = 'published';
    r.published = true;
    this.opts.onPublished(r, this.sessionByInternalId(r.internalMeetingID));
  }

  readyUrl(r: SimRecording): string | undefined {
    for (const key of READY_URL_KEYS) if (r.metadata[key]) return r.metadata[key];
    return undefined;
  }

  /** The moderator's record/pause button (reference §4.4): honoured only with record + allowStartStopRecording. */
  toggleRecording(meetingID: string): boolean {
    const s = this.liveSession(meetingID);
    if (!s || s.joins.length === 0) throw new Error(`no running meeting ${meetingID}`);
    if (!s.record || !s.allowStartStopRecording) return s.recordingOn;
    const now = this.opts.now();
    if (s.recordingOn) {
      const last = s.marks.at(-1);
      if (last) last.stop = now;
      s.recordingOn = false;
    } else {
      s.marks.push({ start: now });
      s.recordingOn = true;
    }
    return s.recordingOn;
  }

  seed(partial: Partial<SimRecording>): SimRecording {
    this.#seeded += 1;
    const now = this.opts.now();
    const meetingID = partial.meetingID ?? `seeded-${this.#seeded}`;
    const startTime = partial.startTime ?? now - 3_600_000;
    let internal = partial.internalMeetingID ?? `${sha1Hex(meetingID)}-${startTime - 1000 + this.#seeded}`;
    while (this.#recordingsById.has(partial.recordID ?? internal)) internal = `${internal}1`;
    const state = partial.state ?? 'published';
    const rec: SimRecording = {
      recordID: partial.recordID ?? internal,
      meetingID,
      internalMeetingID: internal,
      name: partial.name ?? meetingID,
      state,
      published: partial.published ?? state === 'published',
      startTime,
      endTime: partial.endTime ?? startTime + 1_800_000,
      participants: partial.participants ?? 1,
      metadata: partial.metadata ?? {
        meetingName: partial.name ?? meetingID,
        meetingId: meetingID,
        isBreakout: 'false',
      },
      playback: partial.playback ?? [],
    };
    if (partial.readyAt !== undefined) rec.readyAt = partial.readyAt;
    if (!partial.playback) rec.playback = [this.#presentation(rec.recordID, 30)];
    this.#addRecording(rec);
    return rec;
  }

  #addRecording(rec: SimRecording): void {
    this.recordingList.push(rec);
    this.#recordingsById.set(rec.recordID, rec);
  }

  #presentation(recordID: string, lengthMin: number): SimPlayback {
    return {
      type: 'presentation',
      url: `${this.opts.origin()}/playback/presentation/2.3/${recordID}`,
      length: lengthMin,
      processingTime: this.opts.processingDelayMs,
    };
  }

  // ------------------------------------------------------------------------------------------- API calls

  /** Dispatches one API call. `rawQuery` is the query exactly as received (checksum included). */
  handle(call: string, rawQuery: string): SimAnswer | undefined {
    const handlers: Record<string, (p: URLSearchParams) => SimAnswer> = {
      create: (p) => this.#create(p),
      join: (p) => this.#join(p),
      isMeetingRunning: (p) => this.#isMeetingRunning(p),
      getMeetingInfo: (p) => this.#getMeetingInfo(p),
      getMeetings: () => this.#getMeetings(),
      end: (p) => this.#end(p),
      getRecordings: (p) => this.#getRecordings(p),
      deleteRecordings: (p) => this.#deleteRecordings(p),
      publishRecordings: (p) => this.#publishRecordings(p),
      updateRecordings: (p) => this.#updateRecordings(p),
    };
    if (this.opts.profile.chat) handlers.sendChatMessage = (p) => this.#sendChatMessage(p);
    if (this.opts.profile.unsupported.has(call)) {
      // Scalelite's fallback route (reference §6): no checksum check, just FAILED.
      return failed('unsupportedRequest', 'This request is not supported.');
    }
    const handler = Object.hasOwn(handlers, call) ? handlers[call] : undefined;
    if (!handler) return undefined;
    if (!verifyChecksum(call, rawQuery, this.opts.secret, this.opts.algorithms)) return CHECKSUM_ERROR;
    this.tick();
    // URLSearchParams decodes `+` and `%20` alike, as the servlet container does; `.get` takes the first value
    // of a repeated key, as bbb-web does (reference §2.5).
    return handler(new URLSearchParams(rawQuery));
  }

  #create(p: URLSearchParams): SimAnswer {
    const meetingID = p.get('meetingID');
    if (!meetingID) return failed('missingParamMeetingID', 'You must specify a meeting ID for the meeting.');
    if (meetingID.includes(',')) return failed('validationError', 'Meeting ID cannot contain ,');
    if (meetingID.length < 2 || meetingID.length > 256)
      return failed('sizeError', 'Meeting ID must be 2-256 characters');
    const name = p.get('name');
    if (!name) return failed('missingParameter', 'You must provide the meeting name');
    const attendeePW = p.get('attendeePW');
    const moderatorPW = p.get('moderatorPW');

    const existing = this.liveSession(meetingID);
    if (existing) {
      // Reference §4.1: same passwords, or none sent → duplicateWarning describing the EXISTING session,
      // new parameters ignored; passwords sent but different → idNotUnique.
      const same = attendeePW === existing.attendeePW && moderatorPW === existing.moderatorPW;
      const none = attendeePW === null && moderatorPW === null;
      if (!same && !none) {
        return failed(
          'idNotUnique',
          'A meeting already exists with that meeting ID.  Please use a different meeting ID.',
        );
      }
      return ok(
        this.#createBody(
          existing,
          'duplicateWarning',
          'This conference was already in existence and may currently be in progress.',
        ),
      );
    }

    const previous = this.latestSession(meetingID);
    let createTime = this.opts.now();
    if (previous && Number(previous.createTime) >= createTime) createTime = Number(previous.createTime) + 1;
    const metadata: Record<string, string> = {};
    for (const [k, v] of p)
      if (k.startsWith('meta_') && !(k.slice(5).toLowerCase() in metadata))
        metadata[k.slice(5).toLowerCase()] = v;
    const params: Record<string, string> = {};
    for (const [k, v] of p) if (k !== 'checksum' && !(k in params)) params[k] = v;
    const session: SimSession = {
      meetingID,
      internalMeetingID: `${sha1Hex(meetingID)}-${createTime}`,
      createTime: String(createTime),
      name,
      record: flag(p, 'record', false),
      autoStartRecording: flag(p, 'autoStartRecording', false),
      allowStartStopRecording: flag(p, 'allowStartStopRecording', true),
      params,
      metadata,
      attendeePW: attendeePW ?? password(),
      moderatorPW: moderatorPW ?? password(),
      ended: false,
      forciblyEnded: false,
      joins: [],
      recordingOn: false,
      marks: [],
      chat: [],
    };
    this.sessionList.push(session);
    return ok(this.#createBody(session, '', ''));
  }

  #createBody(s: SimSession, messageKey: string, message: string): XmlElement[] {
    return [
      el('meetingID', s.meetingID),
      el('internalMeetingID', s.internalMeetingID),
      el('parentMeetingID', 'bbb-none'),
      el('attendeePW', s.attendeePW),
      el('moderatorPW', s.moderatorPW),
      el('createTime', s.createTime),
      el('voiceBridge', 70000 + (Number(s.createTime) % 10000)),
      el('dialNumber', '613-555-1234'),
      el('createDate', new Date(Number(s.createTime)).toUTCString()),
      el('hasUserJoined', s.joins.length > 0),
      el('duration', minutes(new URLSearchParams(s.params), 'duration', 0)),
      el('hasBeenForciblyEnded', s.forciblyEnded),
      el('messageKey', messageKey),
      el('message', message),
    ];
  }

  /** Returns the join outcome; the HTTP layer turns it into a redirect or XML (reference §3.2). */
  join(
    p: URLSearchParams,
  ):
    | { ok: true; session: SimSession; join: SimJoin }
    | { ok: false; key: string; message: string; session?: SimSession } {
    const fullName = p.get('fullName');
    const meetingID = p.get('meetingID');
    if (!meetingID)
      return { ok: false, key: 'missingParamMeetingID', message: 'You must specify a meeting ID.' };
    if (!fullName) return { ok: false, key: 'missingParamFullName', message: 'You must specify a name.' };
    const session = this.latestSession(meetingID);
    if (!session)
      return { ok: false, key: 'notFound', message: 'We could not find a meeting with that meeting ID' };
    if (session.ended) {
      return session.forciblyEnded
        ? {
            ok: false,
            key: 'meetingForciblyEnded',
            message: 'You can not re-join a meeting that has already been forcibly ended.',
            session,
          }
        : {
            ok: false,
            key: 'notFound',
            message: 'We could not find a meeting with that meeting ID',
            session,
          };
    }
    const createTime = p.get('createTime');
    if (createTime !== null && createTime !== session.createTime) {
      return {
        ok: false,
        key: 'mismatchCreateTimeParam',
        message: 'The createTime parameter submitted mismatches with the current meeting.',
        session,
      };
    }
    // A valid `role` overrides `password` (2.4+); otherwise the password decides (reference §3.2).
    const roleParam = p.get('role')?.toUpperCase();
    const pw = p.get('password');
    let role: SimRole | undefined;
    if (roleParam === 'MODERATOR' || roleParam === 'VIEWER') role = roleParam;
    else if (pw !== null && pw === session.moderatorPW) role = 'MODERATOR';
    else if (pw !== null && pw === session.attendeePW) role = 'VIEWER';
    if (!role)
      return {
        ok: false,
        key: 'invalidPassword',
        message:
          'You either did not supply a password or the password supplied is neither the attendee or moderator password for this conference.',
        session,
      };

    const join: SimJoin = { fullName, role, createTime: session.createTime, at: this.opts.now() };
    const userID = p.get('userID');
    if (userID !== null) join.userID = userID;
    session.joins.push(join);
    // akka-apps auto-start: recording starts when the user count reaches 1 (reference §4.4).
    if (session.record && session.autoStartRecording && !session.recordingOn) {
      session.marks.push({ start: join.at });
      session.recordingOn = true;
    }
    return { ok: true, session, join };
  }

  #join(p: URLSearchParams): SimAnswer {
    const result = this.join(p);
    const redirect = p.get('redirect') !== 'false';
    if (!redirect) {
      if (!result.ok) return failed(result.key, result.message);
      const token = randomBytes(8).toString('hex');
      return ok([
        el('messageKey', 'successfullyJoined'),
        el('message', 'You have joined successfully.'),
        el('meeting_id', result.session.internalMeetingID),
        el('user_id', `w_${randomBytes(6).toString('hex')}`),
        el('auth_token', randomBytes(6).toString('hex')),
        el('session_token', token),
        el('url', `${this.opts.origin()}/html5client/join?sessionToken=${token}`),
      ]);
    }
    if (!result.ok) {
      // A failing redirect join renders no XML: the browser goes to errorRedirectUrl (2.7+) or the logout URL
      // with errors=[{key,message}] (reference §3.0).
      const target =
        p.get('errorRedirectUrl') ??
        result.session?.params.logoutURL ??
        `${this.opts.origin()}/bigbluebutton/sim/error`;
      const errors = encodeURIComponent(JSON.stringify([{ key: result.key, message: result.message }]));
      return {
        status: 302,
        headers: { location: `${target}${target.includes('?') ? '&' : '?'}errors=${errors}` },
        body: '',
      };
    }
    const token = randomBytes(8).toString('hex');
    return {
      status: 302,
      headers: { location: `${this.opts.origin()}/html5client/join?sessionToken=${token}` },
      body: '',
    };
  }

  #isMeetingRunning(p: URLSearchParams): SimAnswer {
    const meetingID = p.get('meetingID');
    if (!meetingID) return failed('missingParamMeetingID', 'You must specify a meeting ID.');
    // No existence check: unknown → false (reference §3.3).
    const s = this.liveSession(meetingID);
    return ok([el('running', s !== undefined && s.joins.length > 0)]);
  }

  #meetingElements(s: SimSession): XmlElement[] {
    const params = new URLSearchParams(s.params);
    const moderators = s.joins.filter((j) => j.role === 'MODERATOR').length;
    return [
      el('meetingName', s.name),
      el('meetingID', s.meetingID),
      el('internalMeetingID', s.internalMeetingID),
      el('createTime', s.createTime),
      el('createDate', new Date(Number(s.createTime)).toUTCString()),
      el('voiceBridge', 70000 + (Number(s.createTime) % 10000)),
      el('dialNumber', '613-555-1234'),
      el('attendeePW', s.attendeePW),
      el('moderatorPW', s.moderatorPW),
      el('running', s.joins.length > 0 && !s.ended),
      el('duration', minutes(params, 'duration', 0)),
      el('hasUserJoined', s.joins.length > 0),
      // The create-time `record` flag, not the live state (reference §3.4).
      el('recording', s.record),
      el('hasBeenForciblyEnded', s.forciblyEnded),
      el('startTime', s.joins[0]?.at ?? 0),
      el('endTime', s.endTime ?? 0),
      el('participantCount', s.joins.length),
      el('listenerCount', 0),
      el('voiceParticipantCount', 0),
      el('videoCount', 0),
      el('maxUsers', 0),
      el('moderatorCount', moderators),
      el(
        'attendees',
        s.joins.map((j, i) =>
          el('attendee', [
            el('userID', j.userID ?? `w_${i}`),
            el('fullName', j.fullName),
            el('role', j.role),
            el('isPresenter', i === 0),
            el('isListeningOnly', false),
            el('hasJoinedVoice', false),
            el('hasVideo', false),
            el('clientType', 'HTML5'),
          ]),
        ),
      ),
      el(
        'metadata',
        Object.entries(s.metadata).map(([k, v]) => el(k, v)),
      ),
      el('isBreakout', false),
    ];
  }

  #getMeetingInfo(p: URLSearchParams): SimAnswer {
    const meetingID = p.get('meetingID');
    if (!meetingID) return failed('missingParamMeetingID', 'You must specify a meeting ID.');
    const s = this.liveSession(meetingID);
    if (!s) return failed('notFound', 'We could not find a meeting with that meeting ID');
    return ok(this.#meetingElements(s));
  }

  #getMeetings(): SimAnswer {
    const live = this.sessionList.filter((s) => !s.ended);
    if (live.length === 0)
      return ok([
        el('meetings', []),
        el('messageKey', 'noMeetings'),
        el('message', 'no meetings were found on this server'),
      ]);
    return ok([
      el(
        'meetings',
        live.map((s) => el('meeting', this.#meetingElements(s))),
      ),
    ]);
  }

  #end(p: URLSearchParams): SimAnswer {
    const meetingID = p.get('meetingID');
    if (!meetingID) return failed('missingParamMeetingID', 'You must specify a meeting ID.');
    const s = this.liveSession(meetingID);
    if (!s)
      return failed(
        'notFound',
        'We could not find a meeting with that meeting ID - perhaps the meeting is not yet running?',
      );
    // Asynchronous on a real server; the simulator ends it before answering (`password` ignored, 2.6+).
    this.endSession(s, true);
    return ok([
      el('messageKey', 'sentEndMeetingRequest'),
      el(
        'message',
        'A request to end the meeting was sent.  Please wait a few seconds, and then use the getMeetingInfo or isMeetingRunning API calls to verify that it was ended.',
      ),
    ]);
  }

  /** Filtering per reference §3.7; shared by the HTTP call and the test accessors. */
  filterRecordings(p: URLSearchParams): SimRecording[] {
    const recordIDs = list(p.get('recordID'));
    const meetingIDs = list(p.get('meetingID'));
    const stateParam = list(p.get('state'));
    // b3lb knows only published and unpublished: any other state, `any` included, matches nothing (§6.1).
    if (
      this.opts.profile.publishedStatesOnly &&
      stateParam.some((s) => s !== 'published' && s !== 'unpublished')
    )
      return [];
    const states = new Set<string>(
      stateParam.includes('any')
        ? ALL_STATES
        : stateParam.length > 0
          ? stateParam
          : ['published', 'unpublished'],
    );
    const metaFilters: [string, string][] = [];
    for (const [k, v] of p) if (k.startsWith('meta_')) metaFilters.push([k.slice(5).toLowerCase(), v]);
    // recordID wins over meetingID and also matches as a prefix (found through a sorted index, so
    // that listing by ID stays fast with tens of thousands of recordings).
    const byRecordId = recordIDs.length > 0 ? this.#prefixMatches(recordIDs) : null;
    const byMeetingId = meetingIDs.length > 0 ? new Set(meetingIDs) : null;
    return this.recordingList.filter((r) => {
      if (!states.has(r.state)) return false;
      if (byRecordId) {
        if (!byRecordId.has(r)) return false;
      } else if (byMeetingId && !byMeetingId.has(r.meetingID)) return false;
      if (metaFilters.length === 0) return true;
      const lowerMeta = Object.fromEntries(Object.entries(r.metadata).map(([k, v]) => [k.toLowerCase(), v]));
      return metaFilters.every(([k, v]) => metaMatches(lowerMeta[k], v));
    });
  }

  #sortedIds: string[] | null = null;

  /** Recordings whose ID starts with one of `prefixes`, by binary search over the sorted IDs. */
  #prefixMatches(prefixes: string[]): Set<SimRecording> {
    if (!this.#sortedIds || this.#sortedIds.length !== this.#recordingsById.size) {
      this.#sortedIds = [...this.#recordingsById.keys()].sort();
    }
    const sorted = this.#sortedIds;
    const found = new Set<SimRecording>();
    for (const prefix of prefixes) {
      let lo = 0;
      let hi = sorted.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (sorted[mid]! < prefix) lo = mid + 1;
        else hi = mid;
      }
      for (let i = lo; i < sorted.length && sorted[i]!.startsWith(prefix); i++) {
        found.add(this.#recordingsById.get(sorted[i]!)!);
      }
    }
    return found;
  }

  #recordingElement(r: SimRecording): XmlElement {
    return el('recording', [
      el('recordID', r.recordID),
      el('meetingID', r.meetingID),
      el('internalMeetingID', r.internalMeetingID),
      el('name', r.name),
      el('isBreakout', false),
      el('published', r.published),
      el('state', r.state),
      el('startTime', r.startTime),
      el('endTime', r.endTime),
      el('participants', r.participants),
      el('rawSize', 0),
      el(
        'metadata',
        Object.entries(r.metadata).map(([k, v]) => el(k, v)),
      ),
      el('size', 0),
      el(
        'playback',
        r.state === 'processing' || r.state === 'processed'
          ? []
          : r.playback.map((f) =>
              el('format', [
                el('type', f.type),
                el('url', f.url),
                el('processingTime', f.processingTime),
                el('length', f.length),
                el('size', 0),
                el('preview', [
                  el(
                    'images',
                    [1, 2, 3].map((n) =>
                      el(
                        'image',
                        `${this.opts.origin()}/presentation/${r.recordID}/thumbnails/thumb-${n}.png`,
                        {
                          width: 176,
                          height: 136,
                          alt: `Slide ${n}`,
                        },
                      ),
                    ),
                  ),
                ]),
              ]),
            ),
      ),
      el('data', []),
    ]);
  }

  #getRecordings(p: URLSearchParams): SimAnswer {
    const matches = this.filterRecordings(p);
    const offset = p.get('offset');
    const limit = p.get('limit');
    // 2.6+ pagination: valid offset ≥ 0 and limit 1–100; anything else means no pagination (reference §3.7).
    const paged =
      this.opts.profile.pagination !== 'none' &&
      offset !== null &&
      limit !== null &&
      /^\d+$/.test(offset) &&
      /^\d+$/.test(limit) &&
      Number(limit) >= 1 &&
      Number(limit) <= 100;
    const slice = paged ? matches.slice(Number(offset), Number(offset) + Number(limit)) : matches;
    if (slice.length === 0) {
      return ok([
        el('recordings', []),
        el('messageKey', 'noRecordings'),
        el('message', 'There are no recordings for the meeting(s).'),
      ]);
    }
    return ok([
      el(
        'recordings',
        slice.map((r) => this.#recordingElement(r)),
      ),
      // 2.6, 2.7 and 3.0 put the total inside a pagination block (reference §3.7, correction).
      paged
        ? el('pagination', [
            el('pageable', [
              el('offset', Number(offset)),
              el('limit', Number(limit)),
              el('paged', true),
              el('unpaged', false),
            ]),
            el('totalElements', matches.length),
            el('empty', false),
          ])
        : el('totalElements', undefined),
    ]);
  }

  #existing(p: URLSearchParams): SimRecording[] | undefined {
    const ids = list(p.get('recordID'));
    if (ids.length === 0) return undefined;
    return ids.map((id) => this.#recordingsById.get(id)).filter((r): r is SimRecording => r !== undefined);
  }

  #deleteRecordings(p: URLSearchParams): SimAnswer {
    const recs = this.#existing(p);
    if (!recs) return failed('missingParamRecordID', 'You must specify one or more a recording IDs.');
    // b3lb answers SUCCESS for any ID, existing or not (reference §6.1).
    if (recs.length === 0 && this.opts.profile.deleteAnswersSuccess) return ok([el('deleted', true)]);
    // notFound only when NONE of the IDs exists (bbb-web existsAnyRecording; Scalelite alike, reference §3.9, §8).
    if (recs.length === 0) return failed('notFound', 'We could not find recordings');
    if (!this.opts.dropDeletes()) {
      for (const r of recs) {
        r.state = 'deleted'; // soft delete: still listed with state=deleted/any (reference §3.9)
        r.published = false;
        delete r.readyAt;
      }
    }
    return ok([el('deleted', true)]);
  }

  /** 3.0: a line into the live meeting's public chat (reference §3.11); 1–500 characters. */
  #sendChatMessage(p: URLSearchParams): SimAnswer {
    const meetingID = p.get('meetingID');
    if (!meetingID) return failed('missingParamMeetingID', 'You must specify a meeting ID.');
    const message = p.get('message');
    if (!message) return failed('missingParameter', 'You must specify a message.');
    if (message.length > 500) return failed('sizeError', 'The message must be 1 to 500 characters.');
    const s = this.liveSession(meetingID);
    if (!s) return failed('notFound', 'We could not find a meeting with that meeting ID');
    const line: SimSession['chat'][number] = { message, at: this.opts.now() };
    const userName = p.get('userName');
    if (userName !== null) line.userName = userName;
    s.chat.push(line);
    return ok([]);
  }

  #publishRecordings(p: URLSearchParams): SimAnswer {
    const recs = this.#existing(p);
    if (!recs) return failed('missingParamRecordID', 'You must specify one or more a recording IDs.');
    const publish = p.get('publish');
    if (publish !== 'true' && publish !== 'false')
      return failed('missingParamPublish', 'You must specify a publish value true or false.');
    if (recs.length === 0) return failed('notFound', 'We could not find recordings');
    for (const r of recs) {
      // Only published ↔ unpublished moves exist (reference §3.8).
      if (r.state === 'published' || r.state === 'unpublished') {
        r.state = publish === 'true' ? 'published' : 'unpublished';
        r.published = publish === 'true';
      }
    }
    return ok([el('published', publish === 'true')]);
  }

  #updateRecordings(p: URLSearchParams): SimAnswer {
    const recs = this.#existing(p);
    if (!recs) return failed('missingParamRecordID', 'You must specify one or more a recording IDs.');
    if (recs.length === 0) return failed('notFound', 'We could not find recordings');
    for (const [k, v] of p) {
      if (!k.startsWith('meta_')) continue;
      const key = k.slice(5).toLowerCase();
      for (const r of recs) {
        if (v === '') delete r.metadata[key];
        else r.metadata[key] = v;
      }
    }
    return ok([el('updated', true)]);
  }
}
