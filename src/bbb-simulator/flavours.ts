/**
 * What the BBB SIMULATOR answers as, per server version or front-end (shared/reference/bbb-api.md §1 version
 * probe, §3.7 pagination, §3.11 sendChatMessage, §6 Scalelite, §6.1 b3lb, §6.2 BBB 3.0 features). This is a
 * model of observable HTTP behaviour written from that reference, not a real server or load balancer.
 */
export type SimFlavour = 'bbb-3.0' | 'bbb-2.7' | 'bbb-2.5' | 'scalelite' | 'b3lb';

export interface FlavourProfile {
  /** The API root's `<bbbVersion>`; load balancers report none (reference §1, §6). */
  bbbVersion?: string;
  /** Extra API-root elements (Scalelite's `<build>`, 3.0's GraphQL URLs are added by the server). */
  graphql: boolean;
  build?: string;
  /**
   * How a paginated getRecordings answer carries its total: none (2.5 and Scalelite ignore offset/limit and send
   * everything), or inside `<pagination>` (2.6, 2.7, 3.0; reference §3.7 correction).
   */
  pagination: 'none' | 'block';
  /** `sendChatMessage` exists (3.0, reference §3.11). */
  chat: boolean;
  /** Calls answered with FAILED `unsupportedRequest` (Scalelite: not routed, reference §6). */
  unsupported: ReadonlySet<string>;
  /** b3lb: getRecordings knows only published and unpublished; any other state gives an empty list (§6.1). */
  publishedStatesOnly: boolean;
  /** b3lb: deleteRecordings answers SUCCESS for any record ID, existing or not (§6.1). */
  deleteAnswersSuccess: boolean;
}

const none = new Set<string>();

export const FLAVOURS: Readonly<Record<SimFlavour, FlavourProfile>> = {
  'bbb-3.0': {
    bbbVersion: '3.0.30',
    graphql: true,
    pagination: 'block',
    chat: true,
    unsupported: none,
    publishedStatesOnly: false,
    deleteAnswersSuccess: false,
  },
  'bbb-2.7': {
    bbbVersion: '2.7.16',
    graphql: false,
    pagination: 'block',
    chat: false,
    unsupported: none,
    publishedStatesOnly: false,
    deleteAnswersSuccess: false,
  },
  'bbb-2.5': {
    bbbVersion: '2.5.18',
    graphql: false,
    pagination: 'none',
    chat: false,
    unsupported: none,
    publishedStatesOnly: false,
    deleteAnswersSuccess: false,
  },
  scalelite: {
    build: 'v1.6.1',
    graphql: false,
    pagination: 'none',
    chat: false,
    unsupported: new Set(['sendChatMessage', 'getRecordingTextTracks', 'putRecordingTextTrack']),
    publishedStatesOnly: false,
    deleteAnswersSuccess: false,
  },
  b3lb: {
    graphql: false,
    pagination: 'none',
    chat: false,
    // The reference does not say whether b3lb routes sendChatMessage; assumed not, as Scalelite does not.
    unsupported: new Set(['sendChatMessage']),
    publishedStatesOnly: true,
    deleteAnswersSuccess: true,
  },
};
