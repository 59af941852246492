import { randomBytes } from 'node:crypto';
import pRetry from 'p-retry';
import type { Logger } from 'pino';
import { signedUrl } from './checksum.js';
import { encodeStrict, type ParamValue } from './encoding.js';
import { BbbError, BbbUnavailableError, type BbbUnavailableKind } from './errors.js';
import { featuresOf, type ServerFeatures } from './features.js';
import { toCreateResult, toMeetingInfo, toRecordingPage, toVersionInfo } from './normalise.js';
import type {
  ChecksumAlgorithm,
  CreateParams,
  CreateResult,
  JoinParams,
  MeetingInfo,
  Recording,
  RecordingFilter,
  RecordingPage,
  VersionInfo,
} from './types.js';
import { bool, list, obj, parseEnvelope, type XmlNode } from './xml.js';

export interface BbbClientOptions {
  /** Base like `https://bbb.example.com/bigbluebutton/`; with or without trailing slash or `/api`. */
  url: string;
  secret: string;
  /** Must be one the server accepts: nothing announces it (reference §2.2). sha256 is the safe default. */
  algorithm: ChecksumAlgorithm;
  /** Per attempt, including reading the body. Default 10000. */
  timeoutMs?: number;
  /** Retries for network errors, timeouts and HTTP 5xx on idempotent calls. Default 3. */
  retries?: number;
  /** First backoff delay; doubles per retry (randomised, capped at 5 s). Default 250. */
  retryMinDelayMs?: number;
  /** Maximum record IDs per delete/publish/update request (also bounded by URL length). Default 50. */
  batchSize?: number;
  logger?: Logger;
  fetch?: typeof fetch;
}

export interface DeleteRecordingsResult {
  /** Deleted by this call, confirmed by listing afterwards. */
  deleted: string[];
  /** Unknown to the server, or already in state `deleted`, before this call. */
  alreadyGone: string[];
  /**
   * The server answered SUCCESS but still lists the recording as not deleted (bbb-web reports success even when
   * moving the files failed). Retry later.
   */
  failed: string[];
}

interface CallOptions {
  /** Safe to repeat: retried on network errors, timeouts and 5xx. */
  idempotent: boolean;
  /** Logged with the call name; nothing else from the request is ever logged. */
  meetingID?: string | undefined;
}

/** A failure worth another attempt; converted to {@link BbbUnavailableError} when retries are used up. */
class TransientError extends Error {
  constructor(
    readonly kind: BbbUnavailableKind,
    message: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const NOT_FOUND_KEYS = new Set(['notFound', 'invalidMeetingIdentifier']);
/** Keeps request URLs well below common 8 KiB proxy limits. */
const RECORD_ID_QUERY_BUDGET = 4000;
const META_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
const FEATURES_MAX_AGE_MS = 60 * 60_000;

function metaParams(meta: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(meta ?? {})) {
    // Metadata names become XML element names in BBB's responses (reference §1).
    if (!META_NAME.test(key)) throw new RangeError(`invalid BBB metadata name: ${JSON.stringify(key)}`);
    out[`meta_${key}`] = value;
  }
  return out;
}

/** Splits IDs into batches of at most `size` whose comma-joined, encoded value stays within the URL budget. */
export function batchRecordIds(
  ids: readonly string[],
  size: number,
  budget = RECORD_ID_QUERY_BUDGET,
): string[][] {
  const batches: string[][] = [];
  let current: string[] = [];
  let length = 0;
  for (const id of ids) {
    const cost = encodeStrict(id).length + 3; // 3 = encoded comma
    if (current.length > 0 && (current.length >= size || length + cost > budget)) {
      batches.push(current);
      current = [];
      length = 0;
    }
    current.push(id);
    length += cost;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

function unique(ids: readonly string[]): string[] {
  return [...new Set(ids)];
}

/**
 * Typed client for the BBB HTTP API (reference §7.5): configurable checksum algorithm, strict encoding, typed and
 * normalised responses, {@link BbbError} for FAILED answers and {@link BbbUnavailableError} when the server cannot
 * be used. Every parameter goes in the URL query, never in a POST body (reference §2.3.5).
 */
export class BbbClient {
  readonly apiBase: string;
  readonly #secret: string;
  readonly #algorithm: ChecksumAlgorithm;
  readonly #timeoutMs: number;
  readonly #retries: number;
  readonly #retryMinDelayMs: number;
  readonly #batchSize: number;
  readonly #log: Logger | undefined;
  readonly #fetch: typeof fetch;
  #features: Promise<ServerFeatures> | undefined;
  #featuresAt: number | undefined;

  constructor(opts: BbbClientOptions) {
    if (!opts.secret) throw new RangeError('BBB secret must not be empty');
    this.apiBase = BbbClient.normaliseApiBase(opts.url);
    this.#secret = opts.secret;
    this.#algorithm = opts.algorithm;
    this.#timeoutMs = opts.timeoutMs ?? 10_000;
    this.#retries = opts.retries ?? 3;
    this.#retryMinDelayMs = opts.retryMinDelayMs ?? 250;
    this.#batchSize = Math.max(1, opts.batchSize ?? 50);
    this.#log = opts.logger?.child({ component: 'bbb' });
    this.#fetch = opts.fetch ?? globalThis.fetch;
  }

  /** `https://h/bigbluebutton`, `…/bigbluebutton/`, `…/bigbluebutton/api` and `…/api/` → `…/bigbluebutton/api`. */
  static normaliseApiBase(url: string): string {
    const parsed = new URL(url);
    parsed.search = '';
    parsed.hash = '';
    const path = parsed.pathname.replace(/\/+$/, '');
    parsed.pathname = path.endsWith('/api') ? path : `${path}/api`;
    return parsed.toString().replace(/\/+$/, '');
  }

  /**
   * Creates the meeting, or returns the running one. On a duplicate (`duplicate: true`) BBB ignores every new
   * parameter, recording flags included: to change them, `end` and create again (reference §4.1).
   * Idempotent by BBB semantics, so it is retried like a read.
   */
  async create(p: CreateParams): Promise<CreateResult> {
    const gated =
      p.notifyRecordingIsOn !== undefined ||
      p.notifyRecordingAppend !== undefined ||
      (p.disabledFeatures?.length ?? 0) > 0 ||
      (p.disableRecordingFormats?.length ?? 0) > 0;
    // Optional parameters go only to servers that know them; the version is asked only when one is set.
    const known = gated ? await this.features() : undefined;
    const notify = known?.notifyRecordingIsOn ? p.notifyRecordingIsOn : undefined;
    const params: Record<string, ParamValue> = {
      name: p.name,
      meetingID: p.meetingID,
      record: p.record,
      autoStartRecording: p.autoStartRecording,
      allowStartStopRecording: p.allowStartStopRecording,
      notifyRecordingIsOn: notify,
      notifyRecordingAppend: notify && known?.notifyRecordingAppend ? p.notifyRecordingAppend : undefined,
      disabledFeatures:
        known?.disabledFeatures && p.disabledFeatures?.length ? p.disabledFeatures : undefined,
      duration: p.duration,
      welcome: p.welcome,
      logoutURL: p.logoutURL,
      meetingExpireIfNoUserJoinedInMinutes: p.meetingExpireIfNoUserJoinedInMinutes,
      meetingExpireWhenLastUserLeftInMinutes: p.meetingExpireWhenLastUserLeftInMinutes,
      attendeePW: p.attendeePW,
      moderatorPW: p.moderatorPW,
      ...metaParams(p.meta),
      'meta_bbb-recording-ready-url': p.recordingReadyUrl,
      'meta_bbb-disable-recording-formats':
        known?.disableRecordingFormats && p.disableRecordingFormats?.length
          ? p.disableRecordingFormats
          : undefined,
    };
    const r = await this.#call('create', params, { idempotent: true, meetingID: p.meetingID });
    return toCreateResult(r);
  }

  /**
   * Signed join URL for the user's browser; no request is made. It is a bearer credential: never log it, and
   * pin `createTime` so it cannot enter a later session of the same meetingID (reference §3.2).
   */
  joinUrl(p: JoinParams): string {
    if (p.role !== 'MODERATOR' && p.role !== 'VIEWER')
      throw new RangeError('role must be MODERATOR or VIEWER');
    const params: Record<string, ParamValue> = {
      fullName: p.fullName,
      meetingID: p.meetingID,
      role: p.role,
      userID: p.userID,
      createTime: p.createTime,
      redirect: p.redirect,
    };
    this.#log?.debug({ call: 'join', meetingID: p.meetingID }, 'bbb join url signed');
    return signedUrl(this.apiBase, 'join', params, this.#secret, this.#algorithm);
  }

  /** True once someone is in the meeting; false for created-but-never-joined and unknown IDs (reference §3.3). */
  async isMeetingRunning(meetingID: string): Promise<boolean> {
    const r = await this.#call('isMeetingRunning', { meetingID }, { idempotent: true, meetingID });
    return bool(r.running);
  }

  /** Throws BbbError `notFound` for an unknown meeting. */
  async getMeetingInfo(meetingID: string): Promise<MeetingInfo> {
    const r = await this.#call('getMeetingInfo', { meetingID }, { idempotent: true, meetingID });
    return toMeetingInfo(r);
  }

  /**
   * Every meeting the server (or Scalelite) holds right now; `noMeetings` gives `[]` (reference §3.5). No
   * parameters, so it is the cheapest signed read-only call: the preflight check uses it to prove the secret
   * and the checksum algorithm.
   */
  async getMeetings(): Promise<MeetingInfo[]> {
    const r = await this.#call('getMeetings', {}, { idempotent: true });
    return list(obj(r.meetings).meeting).map((m) => toMeetingInfo(obj(m)));
  }

  /**
   * Ends the meeting. BBB answers `sentEndMeetingRequest` and ends it asynchronously (reference §3.6).
   * An unknown meeting (`notFound`) means it is already gone, which is not an error here. `password` (the
   * moderatorPW from create) is only needed by old servers.
   */
  async end(meetingID: string, opts: { password?: string } = {}): Promise<'ended' | 'alreadyGone'> {
    try {
      await this.#call('end', { meetingID, password: opts.password }, { idempotent: true, meetingID });
      return 'ended';
    } catch (err) {
      if (err instanceof BbbError && NOT_FOUND_KEYS.has(err.messageKey)) return 'alreadyGone';
      throw err;
    }
  }

  /** One page (or everything, see {@link RecordingFilter}). `noRecordings` gives `[]`. */
  async getRecordings(f: RecordingFilter): Promise<Recording[]> {
    return (await this.getRecordingsPage(f)).recordings;
  }

  /**
   * Like {@link getRecordings}, with `totalElements` when the server paginated. An empty `meetingID` or
   * `recordID` list matches nothing and sends no request: BBB would read a missing filter as "everything".
   */
  async getRecordingsPage(f: RecordingFilter): Promise<RecordingPage> {
    if (f.meetingID?.length === 0 || f.recordID?.length === 0) return { recordings: [] };
    const params: Record<string, ParamValue> = {
      meetingID: f.meetingID,
      recordID: f.recordID,
      state: f.state,
      ...metaParams(f.meta),
      offset: f.offset,
      limit: f.limit,
    };
    const meetingID = f.meetingID?.length === 1 ? f.meetingID[0] : undefined;
    const r = await this.#call('getRecordings', params, { idempotent: true, meetingID });
    return toRecordingPage(r);
  }

  /**
   * Every recording matching `f`, paging with offset/limit (2.6+). Stops at an empty or short page, at the
   * reported total, or at a page that brings nothing new: a server that ignores pagination (Scalelite, reference
   * §6) sends everything at once, and BBB 3.0's total can be larger than what its pages hold (issue #24132).
   */
  async getAllRecordings(f: Omit<RecordingFilter, 'offset' | 'limit'>, pageSize = 100): Promise<Recording[]> {
    const byId = new Map<string, Recording>();
    for (let offset = 0; ; offset += pageSize) {
      const page = await this.getRecordingsPage({ ...f, offset, limit: pageSize });
      const before = byId.size;
      for (const r of page.recordings) if (!byId.has(r.recordID)) byId.set(r.recordID, r);
      const all = [...byId.values()];
      if (page.totalElements === undefined || page.recordings.length < pageSize) return all;
      if (byId.size === before || offset + pageSize >= page.totalElements) return all;
    }
  }

  /**
   * Soft delete on BBB, real delete on Scalelite (reference §3.9). Per batch: list the IDs (`state=any`) to
   * learn which are already gone (BBB answers `notFound` only when NONE of a batch exists, so a bare delete
   * cannot tell), delete the rest, then list again to confirm, because bbb-web reports success even when
   * moving the files failed.
   */
  async deleteRecordings(recordIDs: string[]): Promise<DeleteRecordingsResult> {
    const result: DeleteRecordingsResult = { deleted: [], alreadyGone: [], failed: [] };
    for (const batch of batchRecordIds(unique(recordIDs), this.#batchSize)) {
      const before = await this.#states(batch);
      const present = batch.filter((id) => {
        const state = before.get(id);
        return state !== undefined && state !== 'deleted';
      });
      result.alreadyGone.push(...batch.filter((id) => !present.includes(id)));
      if (present.length === 0) continue;
      try {
        await this.#call('deleteRecordings', { recordID: present }, { idempotent: true });
      } catch (err) {
        if (err instanceof BbbError && NOT_FOUND_KEYS.has(err.messageKey)) {
          result.alreadyGone.push(...present); // deleted by someone else in between
          continue;
        }
        throw err;
      }
      const after = await this.#states(present);
      for (const id of present) {
        const state = after.get(id);
        (state === undefined || state === 'deleted' ? result.deleted : result.failed).push(id);
      }
    }
    return result;
  }

  /** Moves recordings between published and unpublished (the only possible moves, reference §3.8). */
  async publishRecordings(recordIDs: string[], publish: boolean): Promise<void> {
    for (const batch of batchRecordIds(unique(recordIDs), this.#batchSize)) {
      await this.#call('publishRecordings', { recordID: batch, publish }, { idempotent: true });
    }
  }

  /** Adds or replaces `meta_<name>`; an empty value removes that key (reference §3.10). */
  async updateRecordings(recordIDs: string[], meta: Record<string, string>): Promise<void> {
    const metaQuery = metaParams(meta);
    for (const batch of batchRecordIds(unique(recordIDs), this.#batchSize)) {
      await this.#call('updateRecordings', { recordID: batch, ...metaQuery }, { idempotent: true });
    }
  }

  /** `GET /bigbluebutton/api` needs no checksum (reference §1). Scalelite reports no bbbVersion. */
  async version(): Promise<VersionInfo> {
    const r = await this.#request('version', this.apiBase, { idempotent: true });
    return toVersionInfo(r);
  }

  /**
   * What the server knows, from its version (asked once an hour at most, and again after a failed probe). A server
   * whose root cannot be read counts as one of unknown version, like a load balancer.
   */
  features(): Promise<ServerFeatures> {
    // Asked again after a while: the server may have been upgraded while the bot runs.
    if (this.#featuresAt !== undefined && Date.now() - this.#featuresAt > FEATURES_MAX_AGE_MS) {
      this.#features = undefined;
      this.#featuresAt = undefined;
    }
    this.#featuresAt ??= Date.now();
    this.#features ??= this.version().then(
      (info) => featuresOf(info),
      (error: unknown) => {
        this.#features = undefined;
        this.#featuresAt = undefined;
        this.#log?.warn(
          { err: error },
          'bbb version unknown; optional parameters sent as to a load balancer',
        );
        return featuresOf(undefined);
      },
    );
    return this.#features;
  }

  /**
   * A system line into the running meeting's public chat (3.0, reference §3.11; 1–500 characters, shown as plain
   * text). `unsupported` where the server or the load balancer in front of it has no such call; `notRunning` when
   * no meeting runs under that ID. Not repeated on failure: a retry could post the line twice.
   */
  async sendChatMessage(
    meetingID: string,
    message: string,
    userName?: string,
  ): Promise<'sent' | 'unsupported' | 'notRunning'> {
    if (message.length < 1 || message.length > 500)
      throw new RangeError('chat message must be 1–500 characters');
    if (!(await this.features()).sendChatMessage) return 'unsupported';
    try {
      await this.#call('sendChatMessage', { meetingID, message, userName }, { idempotent: false, meetingID });
      return 'sent';
    } catch (err) {
      if (err instanceof BbbError && err.messageKey === 'unsupportedRequest') return 'unsupported';
      if (err instanceof BbbError && NOT_FOUND_KEYS.has(err.messageKey)) return 'notRunning';
      if (err instanceof BbbUnavailableError && err.kind === 'http' && err.status === 404)
        return 'unsupported';
      throw err;
    }
  }

  /**
   * Asks the server to delete a recording that cannot exist (a random ID of the usual form). BBB and Scalelite
   * answer `notFound`: their answers to deletions can be trusted (`confirms`). A front-end that answers SUCCESS
   * (b3lb, reference §6.1) says so for any ID, so no answer of it confirms a deletion (`cannot-confirm`).
   */
  async probeDeletion(): Promise<'confirms' | 'cannot-confirm'> {
    const recordID = `${randomBytes(20).toString('hex')}-${Date.now()}`;
    try {
      await this.#call('deleteRecordings', { recordID }, { idempotent: true });
      return 'cannot-confirm';
    } catch (err) {
      if (err instanceof BbbError && NOT_FOUND_KEYS.has(err.messageKey)) return 'confirms';
      throw err;
    }
  }

  /** Exact-ID states of `ids` (getRecordings matches prefixes, so longer IDs are filtered out). */
  async #states(ids: string[]): Promise<Map<string, string>> {
    const wanted = new Set(ids);
    const { recordings } = await this.getRecordingsPage({ recordID: ids, state: 'any' });
    return new Map(recordings.filter((r) => wanted.has(r.recordID)).map((r) => [r.recordID, r.state]));
  }

  #call(call: string, params: Record<string, ParamValue>, opts: CallOptions): Promise<XmlNode> {
    return this.#request(call, signedUrl(this.apiBase, call, params, this.#secret, this.#algorithm), opts);
  }

  /** `url` carries the checksum: it never leaves this method (no logs, no error messages). */
  async #request(call: string, url: string, opts: CallOptions): Promise<XmlNode> {
    const logCtx = opts.meetingID === undefined ? { call } : { call, meetingID: opts.meetingID };
    this.#log?.debug(logCtx, 'bbb request');
    let attempts = 0;
    try {
      return await pRetry(
        async () => {
          attempts += 1;
          return parseEnvelope(call, await this.#fetchText(call, url));
        },
        {
          retries: opts.idempotent ? this.#retries : 0,
          minTimeout: this.#retryMinDelayMs,
          maxTimeout: 5_000,
          factor: 2,
          randomize: true,
          shouldRetry: ({ error }) => error instanceof TransientError,
          onFailedAttempt: ({ error, attemptNumber, retriesLeft }) => {
            if (error instanceof TransientError && retriesLeft > 0 && opts.idempotent) {
              this.#log?.warn(
                { ...logCtx, attempt: attemptNumber, kind: error.kind },
                'bbb request failed, retrying',
              );
            }
          },
        },
      );
    } catch (err) {
      if (err instanceof TransientError) {
        this.#log?.warn({ ...logCtx, attempts, kind: err.kind }, 'bbb unavailable');
        const status = err.status === undefined ? {} : { status: err.status };
        throw new BbbUnavailableError(call, err.kind, err.message, { ...status, attempts, cause: err.cause });
      }
      if (err instanceof BbbError)
        this.#log?.debug({ ...logCtx, messageKey: err.messageKey }, 'bbb call failed');
      throw err;
    }
  }

  async #fetchText(call: string, url: string): Promise<string> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.#timeoutMs);
    try {
      const res = await this.#fetch(url, { method: 'GET', signal: controller.signal });
      if (res.status >= 500) {
        await res.body?.cancel();
        throw new TransientError('http', `HTTP ${res.status}`, res.status);
      }
      if (!res.ok) {
        await res.body?.cancel();
        throw new BbbUnavailableError(call, 'http', `HTTP ${res.status}`, { status: res.status });
      }
      return await res.text();
    } catch (err) {
      if (err instanceof TransientError) throw err;
      if (err instanceof BbbUnavailableError) throw err;
      if (controller.signal.aborted) {
        throw new TransientError('timeout', `no answer within ${this.#timeoutMs} ms`);
      }
      // fetch rejects with a TypeError ("fetch failed") for refused/reset connections and DNS errors.
      throw new TransientError('network', err instanceof Error ? err.message : 'network error', undefined, {
        cause: err instanceof Error ? (err.cause ?? err) : err,
      });
    } finally {
      clearTimeout(timer);
    }
  }
}
