/** Public types of the BBB client. Field meanings follow shared/reference/bbb-api.md §3. */

export type ChecksumAlgorithm = 'sha1' | 'sha256' | 'sha384' | 'sha512';

export type RecordingState = 'processing' | 'processed' | 'published' | 'unpublished' | 'deleted';

export interface CreateParams {
  name: string;
  /** 2–256 characters, no comma; stay within [A-Za-z0-9_-] (reference §1). */
  meetingID: string;
  /** Makes the meeting recordable; it does not start recording (reference §4.3). */
  record?: boolean;
  /** Recording starts when the first user joins (reference §4.4). */
  autoStartRecording?: boolean;
  /** Shows the moderator's record/pause button (server default true, reference §4.4). */
  allowStartStopRecording?: boolean;
  /** 2.6+: consent dialog while recording runs. Sent only to servers that know it (features.ts). */
  notifyRecordingIsOn?: boolean;
  /** 3.0: plain text shown beneath that dialog; sent only with `notifyRecordingIsOn` and where known. */
  notifyRecordingAppend?: string;
  /** 2.5+: client features switched off, e.g. `learningDashboard` (reference §3.1); where known. */
  disabledFeatures?: string[];
  /**
   * 3.0.30+: recording formats not to produce, sent as `meta_bbb-disable-recording-formats` (reference §6.2);
   * where known.
   */
  disableRecordingFormats?: string[];
  /** Sent as `meta_<key>`; BBB lower-cases the names on output (reference §1). Use lower-case names with hyphens. */
  meta?: Record<string, string>;
  /** Sent as `meta_bbb-recording-ready-url` (reference §5.1). */
  recordingReadyUrl?: string;
  /** Minutes; 0 = no limit. */
  duration?: number;
  welcome?: string;
  logoutURL?: string;
  meetingExpireIfNoUserJoinedInMinutes?: number;
  meetingExpireWhenLastUserLeftInMinutes?: number;
  /**
   * @deprecated Prefer `role` on join. If sent, a repeat create with different passwords fails with
   * `idNotUnique` instead of `duplicateWarning` (reference §4.1).
   */
  attendeePW?: string;
  /** @deprecated See `attendeePW`. */
  moderatorPW?: string;
}

export interface CreateResult {
  meetingID: string;
  internalMeetingID: string;
  /** Epoch ms as sent by BBB; pin it on join URLs so old links cannot enter a later session (reference §3.2). */
  createTime: string;
  /**
   * True when a not-ended meeting with this meetingID already existed: the response describes the EXISTING
   * session and every new parameter (record flags, meta, …) was ignored (reference §4.1).
   */
  duplicate: boolean;
  moderatorPW?: string;
  attendeePW?: string;
}

export interface JoinParams {
  meetingID: string;
  fullName: string;
  role: 'MODERATOR' | 'VIEWER';
  userID?: string;
  createTime?: string;
  redirect?: boolean;
}

export interface Attendee {
  userID: string;
  fullName: string;
  role: 'MODERATOR' | 'VIEWER';
  isPresenter: boolean;
  customdata: Record<string, string>;
}

export interface MeetingInfo {
  meetingID: string;
  internalMeetingID: string;
  meetingName: string;
  createTime: string;
  running: boolean;
  hasUserJoined: boolean;
  /**
   * The create-time `record` flag (`Meeting.isRecord()`), NOT "recording right now": the API has no live
   * recording state (reference §3.4, §4.6).
   */
  recording: boolean;
  hasBeenForciblyEnded: boolean;
  /** Epoch ms; 0 when unknown. */
  startTime: number;
  /** Epoch ms; 0 while running. */
  endTime: number;
  duration: number;
  participantCount: number;
  moderatorCount: number;
  attendees: Attendee[];
  /** Keys as BBB returns them (lower-cased `meta_` names). */
  metadata: Record<string, string>;
  isBreakout: boolean;
  moderatorPW?: string;
  attendeePW?: string;
}

export interface PreviewImage {
  url: string;
  width?: number;
  height?: number;
  alt?: string;
}

export interface PlaybackFormat {
  /** e.g. `presentation`, `video`, `podcast`. */
  type: string;
  url: string;
  /** Minutes (reference §3.7). */
  length: number;
  /** Milliseconds, when reported. */
  processingTime?: number;
  previewImages: PreviewImage[];
}

export interface Recording {
  /** The internalMeetingID of the recorded session; always a string (reference §1). */
  recordID: string;
  meetingID: string;
  internalMeetingID: string;
  name: string;
  /** Unknown future states are passed through unchanged. */
  state: RecordingState;
  published: boolean;
  isBreakout: boolean;
  /** Epoch ms. */
  startTime: number;
  /** Epoch ms. */
  endTime: number;
  participants: number;
  metadata: Record<string, string>;
  playback: PlaybackFormat[];
}

export interface RecordingFilter {
  /** External meeting IDs. Ignored by BBB when `recordID` is present (reference §3.7). */
  meetingID?: string[];
  /** Record IDs; BBB also matches them as PREFIXES (reference §3.7). */
  recordID?: string[];
  /** Default on BBB: published,unpublished. `deleted` and `any` show soft-deleted recordings (§3.9). */
  state?: RecordingState[] | 'any';
  /** `meta_<name>` filters; comma lists and `%` wildcards at the ends are BBB features (§3.7). */
  meta?: Record<string, string>;
  /** 2.6+ pagination (offset ≥ 0, limit 1–100); Scalelite ignores it (§6). */
  offset?: number;
  limit?: number;
}

export interface RecordingPage {
  recordings: Recording[];
  /** Only present with valid offset/limit on BBB 2.6+ (reference §3.7). */
  totalElements?: number;
}

export interface VersionInfo {
  /** API version, "2.0". */
  version: string;
  /** BBB release; Scalelite never reports it (reference §1, §6). */
  bbbVersion?: string;
}
