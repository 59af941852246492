import type {
  Attendee,
  CreateResult,
  MeetingInfo,
  PlaybackFormat,
  Recording,
  RecordingPage,
  RecordingState,
  VersionInfo,
} from './types.js';
import { attr, bool, list, num, obj, optNum, optText, stringMap, text, type XmlNode } from './xml.js';

/**
 * Mapping of parsed `<response>` elements to the typed results. Tolerant: unknown elements are ignored and
 * missing ones get neutral values, because BBB adds elements over time (reference §3.7).
 */

export function toCreateResult(r: XmlNode): CreateResult {
  const result: CreateResult = {
    meetingID: text(r.meetingID),
    internalMeetingID: text(r.internalMeetingID),
    createTime: text(r.createTime),
    duplicate: text(r.messageKey) === 'duplicateWarning',
  };
  // Left out of the response when empty (reference §3.1).
  const moderatorPW = optText(r.moderatorPW);
  const attendeePW = optText(r.attendeePW);
  if (moderatorPW !== undefined) result.moderatorPW = moderatorPW;
  if (attendeePW !== undefined) result.attendeePW = attendeePW;
  return result;
}

function toAttendee(a: unknown): Attendee {
  const n = obj(a);
  return {
    userID: text(n.userID),
    fullName: text(n.fullName),
    role: text(n.role).toUpperCase() === 'MODERATOR' ? 'MODERATOR' : 'VIEWER',
    isPresenter: bool(n.isPresenter),
    customdata: stringMap(n.customdata),
  };
}

export function toMeetingInfo(r: XmlNode): MeetingInfo {
  const info: MeetingInfo = {
    meetingID: text(r.meetingID),
    internalMeetingID: text(r.internalMeetingID),
    meetingName: text(r.meetingName),
    createTime: text(r.createTime),
    running: bool(r.running),
    hasUserJoined: bool(r.hasUserJoined),
    recording: bool(r.recording),
    hasBeenForciblyEnded: bool(r.hasBeenForciblyEnded),
    startTime: num(r.startTime),
    endTime: num(r.endTime),
    duration: num(r.duration),
    participantCount: num(r.participantCount),
    moderatorCount: num(r.moderatorCount),
    attendees: list(obj(r.attendees).attendee).map(toAttendee),
    metadata: stringMap(r.metadata),
    isBreakout: bool(r.isBreakout),
  };
  const moderatorPW = optText(r.moderatorPW);
  const attendeePW = optText(r.attendeePW);
  if (moderatorPW !== undefined) info.moderatorPW = moderatorPW;
  if (attendeePW !== undefined) info.attendeePW = attendeePW;
  return info;
}

function toPlayback(f: unknown): PlaybackFormat {
  const n = obj(f);
  const format: PlaybackFormat = {
    type: text(n.type),
    url: text(n.url),
    length: num(n.length),
    previewImages: list(obj(obj(n.preview).images).image).map((img) => {
      const image: PlaybackFormat['previewImages'][number] = { url: text(img).trim() };
      const width = optNum(attr(img, 'width'));
      const height = optNum(attr(img, 'height'));
      const alt = attr(img, 'alt');
      if (width !== undefined) image.width = width;
      if (height !== undefined) image.height = height;
      if (alt !== undefined) image.alt = alt;
      return image;
    }),
  };
  const processingTime = optNum(n.processingTime);
  if (processingTime !== undefined) format.processingTime = processingTime;
  return format;
}

/**
 * Very old servers, and very old recordings imported into Scalelite, send no `<state>` (reference §3.7). Such a
 * listing only ever held finished recordings, so `<published>` tells which of the two it is; an empty state would
 * look like one still processing, for ever.
 */
function stateOf(n: XmlNode): RecordingState {
  const state = text(n.state).trim();
  if (state !== '') return state as RecordingState;
  return bool(n.published) ? 'published' : 'unpublished';
}

export function toRecording(rec: unknown): Recording {
  const n = obj(rec);
  return {
    recordID: text(n.recordID),
    meetingID: text(n.meetingID),
    internalMeetingID: text(n.internalMeetingID) || text(n.recordID),
    name: text(n.name),
    state: stateOf(n),
    published: bool(n.published),
    isBreakout: bool(n.isBreakout),
    startTime: num(n.startTime),
    endTime: num(n.endTime),
    participants: num(n.participants),
    metadata: stringMap(n.metadata),
    // `<playback>` holds one `<format>` per enabled workflow (presentation, video, …).
    playback: list(obj(n.playback).format).map(toPlayback),
  };
}

/**
 * `noRecordings` is a SUCCESS with an empty or missing `<recordings>` (reference §3.7). The total of a paginated
 * answer is a top-level `<totalElements>` in the documented shape, and inside `<pagination>` on BBB 2.6, 2.7 and
 * 3.0 (BBB PR #16513): read either.
 */
export function toRecordingPage(r: XmlNode): RecordingPage {
  const page: RecordingPage = { recordings: list(obj(r.recordings).recording).map(toRecording) };
  const total = optNum(r.totalElements) ?? optNum(obj(r.pagination).totalElements);
  if (total !== undefined) page.totalElements = total;
  return page;
}

export function toVersionInfo(r: XmlNode): VersionInfo {
  const info: VersionInfo = { version: text(r.version) };
  const bbbVersion = optText(r.bbbVersion);
  if (bbbVersion !== undefined) info.bbbVersion = bbbVersion;
  return info;
}
