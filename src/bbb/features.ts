import type { VersionInfo } from './types.js';

/**
 * What a BBB server knows, read from the API root's `<bbbVersion>` (reference §1, §3.1, §3.7, §6.2). A load
 * balancer (Scalelite, b3lb) reports no BBB version: then the version of the nodes behind it is unknown.
 */
export interface ServerFeatures {
  /** The `<bbbVersion>` as sent, e.g. "3.0.30"; undefined behind a load balancer. */
  bbbVersion?: string;
  /** `disabledFeatures` on create (2.5+). */
  disabledFeatures: boolean;
  /** `notifyRecordingIsOn` on create (2.6+). */
  notifyRecordingIsOn: boolean;
  /** `notifyRecordingAppend` on create (3.0, BBB PR #25708). */
  notifyRecordingAppend: boolean;
  /** `meta_bbb-disable-recording-formats` on create (3.0.30, BBB PR #25277). */
  disableRecordingFormats: boolean;
  /** The `sendChatMessage` call (3.0). */
  sendChatMessage: boolean;
}

type Version = readonly [number, number, number];

const SINCE: Record<Exclude<keyof ServerFeatures, 'bbbVersion'>, Version> = {
  disabledFeatures: [2, 5, 0],
  notifyRecordingIsOn: [2, 6, 0],
  // Merged into the 3.0 line in August 2026; the reference names no release, and a 3.0 server that does not
  // know it yet ignores it (bbb-web reads only the create parameters it knows).
  notifyRecordingAppend: [3, 0, 0],
  disableRecordingFormats: [3, 0, 30],
  sendChatMessage: [3, 0, 0],
};

/** `3.0.30`, `2.7.3-1`, `3.0.0-simulator` → [major, minor, patch]; undefined when it is no version. */
export function parseBbbVersion(text: string | undefined): Version | undefined {
  const m = text ? /^\s*(\d+)\.(\d+)(?:\.(\d+))?/.exec(text) : null;
  return m ? [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)] : undefined;
}

function atLeast(v: Version, min: Version): boolean {
  for (let i = 0; i < 3; i++) if (v[i] !== min[i]) return v[i]! > min[i]!;
  return true;
}

/**
 * Features of a server. Behind a load balancer (no version) the create parameters are all sent: a node that does
 * not know one ignores it; calls that the load balancer itself would have to route (sendChatMessage) are tried
 * and their refusal tolerated by the caller.
 */
export function featuresOf(info: VersionInfo | undefined): ServerFeatures {
  const version = parseBbbVersion(info?.bbbVersion);
  const has = (min: Version) => (version ? atLeast(version, min) : true);
  const features: ServerFeatures = {
    disabledFeatures: has(SINCE.disabledFeatures),
    notifyRecordingIsOn: has(SINCE.notifyRecordingIsOn),
    notifyRecordingAppend: has(SINCE.notifyRecordingAppend),
    disableRecordingFormats: has(SINCE.disableRecordingFormats),
    sendChatMessage: has(SINCE.sendChatMessage),
  };
  if (info?.bbbVersion) features.bbbVersion = info.bbbVersion;
  return features;
}
