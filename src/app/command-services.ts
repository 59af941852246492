import type { ConsentRow, MeetingRow, SessionRow } from '../db/meetings-store.js';
import type { RecordingRow } from '../db/recordings-store.js';
import type { MeetingState } from '../domain/lifecycle.js';
import { buildEvidence, type EvidenceReport, type EvidenceScope } from '../evidence/report.js';
import type { Rich } from '../i18n/rich.js';
import type { BotApp } from './bot-app.js';
import { type Guests, guestsUnavailable } from './guests.js';
import { fullNoticeMessage } from './notice-posting.js';
import type { Planning } from './planning.js';
import type { ChatPort } from './ports.js';
import type { PurgeOutcome } from './purge.js';
import type { RetentionRun } from './retention.js';
import { type SubjectAccess, subjectAccess } from './subject-access.js';
import type { MeetingView } from './views.js';
import { readMeeting } from './views.js';
import type { WithdrawalOrigin, WithdrawalRequest } from './withdrawal.js';

/** The rows commands read, as the services hand them out (commands import no store). */
export type { MeetingRow, RecordingRow };

type Progress = (done: number, total: number) => void;

/** What `!mydata` shows a person about themselves (design.md §3.10). */
export interface PersonalData {
  meetings: MeetingRow[];
  consents: ConsentRow[];
  deliveries: number;
  /** Audit entries about the person (before this request's own). */
  audit: number;
  /** Everything the database holds about them, with when each item goes: the file they get. */
  copy: SubjectAccess;
}

/**
 * What chat commands may do, grouped by service: the app's operations they call, and the store reads
 * and audit entries they need. Commands see nothing else of the app; each names the groups it uses.
 */
export interface CommandServices {
  meetings: {
    get(id: number): MeetingRow | undefined;
    /** The room's meetings, newest first, in one of `states` (all without). */
    inRoom(roomId: string, states?: MeetingState[]): MeetingRow[];
    view(meeting: MeetingRow): MeetingView;
    currentSession(meetingId: number): SessionRow | undefined;
  };
  planning: Pick<Planning, 'plan' | 'start' | 'cancel' | 'invite'>;
  members: Pick<ChatPort, 'botUserId' | 'joinedMembers'>;
  withdrawal: {
    /** The meetings of this person in this room (undefined: in any room) a withdrawal still changes. */
    withdrawable(userId: string, roomId: string | undefined): MeetingRow[];
    isInvited(meetingId: number, userId: string): boolean;
    /** Whether this room is the person's DM room with the bot. */
    isDirectRoom(userId: string, roomId: string): boolean;
    /**
     * Withdraws under the meeting's lock and tells it to whom it concerns (the room, the person, an
     * admin acting for them); the reply for the command's room, or null when nothing changed.
     */
    withdraw(meetingId: number, request: WithdrawalRequest, origin: WithdrawalOrigin): Promise<Rich | null>;
  };
  recordings: {
    inRoom(roomId: string): (RecordingRow & { title: string })[];
    ofMeeting(meetingId: number): RecordingRow[];
    /** Learns the meeting's recordings from BBB now (the poll may not have seen them yet), announcing none. */
    discoverMeeting(meetingId: number): Promise<void>;
    dueForPurge(): RecordingRow[];
    /** Sends the caller's playback links by direct message; how many were sent. */
    sendLinks(userId: string, roomId: string): Promise<number>;
    purge(rows: RecordingRow[], actorId: string, onProgress: Progress): Promise<PurgeOutcome>;
    /** The retention job itself (same code, same lock as the schedule). */
    runRetention(onProgress: Progress): Promise<RetentionRun>;
    notePurge(actorId: string, details: { target: string; deleted: number; failed: number }): void;
  };
  /** The caller's own direct-message room and what reaches them there. */
  direct: Pick<ChatPort, 'send' | 'sendFile'> & {
    /** Throws UndeliverableError when no direct message can reach them. */
    roomOf(userId: string): Promise<string>;
    /** A private message to a person; false when no direct message can reach them. */
    tell(userId: string, message: Rich, key?: string): Promise<boolean>;
  };
  notice: {
    /** The full privacy notice of the current version, as a message. */
    fullText(): Rich;
  };
  /** A progress message edited in place. */
  progress: Pick<ChatPort, 'send' | 'edit'>;
  personal: {
    /** Reads what the bot holds about a person, and notes in the audit log that they asked. */
    dataOf(userId: string): PersonalData;
  };
  /** Guests without a Matrix account (design.md §3.11). */
  guests: {
    /** The config keys inviting guests needs and lacks; null when guests can be invited. */
    unavailable(): string[] | null;
    invite: Guests['invite'];
    /** The guests of a meeting, by ID and name. */
    ofMeeting(meetingId: number): { id: string; displayName: string }[];
    linksReach: Guests['linksReach'];
    sendLinks: Guests['sendLinks'];
  };
  evidence: {
    report(scope: EvidenceScope): EvidenceReport;
    noteSent(actorId: string, meetingIds: number[], format: string): void;
  };
}

/** The services for commands, over the running app. */
export function commandServices(app: BotApp): CommandServices {
  const { ctx } = app;
  const { meetings, recordings, audit } = ctx.stores;
  return {
    meetings: {
      get: (id) => meetings.get(id),
      inRoom: (roomId, states) => meetings.inRoom(roomId, states),
      view: (meeting) => readMeeting(ctx, meeting),
      currentSession: (meetingId) => meetings.currentSession(meetingId),
    },
    planning: app.planning,
    members: {
      botUserId: ctx.chat.botUserId,
      joinedMembers: (roomId) => ctx.chat.joinedMembers(roomId),
    },
    withdrawal: {
      withdrawable: (userId, roomId) => app.withdrawal.withdrawable(userId, roomId),
      isInvited: (meetingId, userId) => meetings.invitees(meetingId).some((i) => i.userId === userId),
      isDirectRoom: (userId, roomId) => ctx.stores.state.directRoom(userId) === roomId,
      withdraw: (meetingId, request, origin) =>
        ctx.withMeeting(meetingId, async () => {
          const outcome = await app.withdrawal.withdraw(meetings.get(meetingId)!, request);
          return outcome && app.withdrawal.tell(outcome, origin);
        }),
    },
    recordings: {
      inRoom: (roomId) => recordings.inRoom(roomId),
      ofMeeting: (meetingId) => recordings.ofMeeting(meetingId),
      discoverMeeting: async (meetingId) => {
        await app.discovery.discoverMeeting(meetingId, false);
      },
      dueForPurge: () => recordings.dueForPurge(ctx.now()),
      sendLinks: (userId, roomId) => app.playback.sendOnRequest(userId, roomId),
      purge: (rows, actorId, onProgress) => app.purger.purge(rows, 'admin', actorId, onProgress),
      runRetention: (onProgress) => app.retention.run(onProgress),
      notePurge: (actorId, details) =>
        audit.append({ at: ctx.now(), actorId, action: 'admin.purge', details }),
    },
    direct: {
      roomOf: (userId) => app.directRooms.get(userId),
      send: (roomId, message, options) => ctx.chat.send(roomId, message, options),
      sendFile: (roomId, file) => ctx.chat.sendFile(roomId, file),
      tell: (userId, message, key) => app.direct.tell(userId, message, key),
    },
    notice: {
      fullText: () => fullNoticeMessage(ctx, ctx.notice.text, ctx.notice.sha256),
    },
    progress: {
      send: (roomId, message, options) => ctx.chat.send(roomId, message, options),
      edit: (roomId, eventId, message) => ctx.chat.edit(roomId, eventId, message),
    },
    personal: {
      dataOf: (userId) => {
        const data = {
          meetings: meetings.ofUser(userId),
          consents: meetings.consentEventsOfUser(userId),
          deliveries: meetings.deliveriesOfUser(userId),
          audit: audit.countAbout(userId),
          copy: subjectAccess(ctx, userId),
        };
        audit.append({ at: ctx.now(), actorId: userId, action: 'user.mydata', subjectId: userId });
        return data;
      },
    },
    guests: {
      unavailable: () => guestsUnavailable(ctx),
      invite: (meeting, names, actorId) => app.guests.invite(meeting, names, actorId),
      ofMeeting: (meetingId) => ctx.stores.guests.ofMeeting(meetingId),
      linksReach: (organizerId) => app.guests.linksReach(organizerId),
      sendLinks: (organizerId, title, links) => app.guests.sendLinks(organizerId, title, links),
    },
    evidence: {
      report: (scope) => buildEvidence(ctx.stores.db, scope, ctx.now()),
      noteSent: (actorId, meetingIds, format) =>
        audit.append({
          at: ctx.now(),
          actorId,
          action: 'admin.evidence',
          details: { meetings: meetingIds, format },
        }),
    },
  };
}
