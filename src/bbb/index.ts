/** Public surface of the typed BBB client (shared/reference/bbb-api.md). */
export { checksum, signedUrl } from './checksum.js';
export { BbbClient, type BbbClientOptions, batchRecordIds, type DeleteRecordingsResult } from './client.js';
export { buildQuery, encodeStrict, type ParamValue } from './encoding.js';
export { BbbError, type BbbErrorDetail, BbbUnavailableError, type BbbUnavailableKind } from './errors.js';
export { featuresOf, parseBbbVersion, type ServerFeatures } from './features.js';
export { type RecordingReadyClaims, verifyRecordingReadyToken } from './recording-ready-jwt.js';
export type {
  Attendee,
  ChecksumAlgorithm,
  CreateParams,
  CreateResult,
  JoinParams,
  MeetingInfo,
  PlaybackFormat,
  PreviewImage,
  Recording,
  RecordingFilter,
  RecordingPage,
  RecordingState,
  VersionInfo,
} from './types.js';
