import { stringify } from 'csv-stringify/sync';
import type { EvidenceReport } from './report.js';

export type EvidenceFormat = 'csv' | 'json';

/**
 * One CSV table for spreadsheets: a row per meeting, session, invitee, consent event, recording,
 * notice version and first layer with prompt (column `type`), the columns that do not apply left empty. Times are ISO 8601 UTC.
 */
export const CSV_COLUMNS = [
  'type',
  'meeting_id',
  'meeting_title',
  'room_id',
  'state',
  'session_id',
  'record',
  'bbb_meeting_id',
  'internal_meeting_id',
  'user_id',
  'display_name',
  'answer',
  'at',
  'until',
  'matrix_event_id',
  'notice_version',
  'consent_text_version',
  'actor',
  'source',
  'recording_id',
  'deletion_rule',
  'deleted_at',
  'deleted_by',
  'detail',
  'text',
] as const;

type Column = (typeof CSV_COLUMNS)[number];
type Row = Partial<Record<Column, string | number | boolean | null>>;

export function evidenceCsv(report: EvidenceReport): string {
  const rows: Row[] = [];
  for (const m of report.meetings) {
    const base = { meeting_id: m.id, meeting_title: m.title, room_id: m.roomId };
    rows.push({
      type: 'meeting',
      ...base,
      state: m.state,
      record: m.noRecord ? false : null,
      user_id: m.organizer,
      at: m.plannedAt,
      until: m.closedAt,
      notice_version: m.noticeVersion,
      detail: [
        m.noRecord ? 'planned with --no-record' : null,
        m.scheduledAt ? `scheduled for ${m.scheduledAt}` : null,
        m.openedAt ? `opened ${m.openedAt} (${m.openedBy ?? '?'})` : null,
      ]
        .filter(Boolean)
        .join('; '),
    });
    for (const s of m.sessions) {
      rows.push({
        type: 'session',
        ...base,
        session_id: s.id,
        record: s.record,
        bbb_meeting_id: s.bbbMeetingId,
        internal_meeting_id: s.internalMeetingId,
        at: s.createdAt,
        until: s.endedAt,
        detail: [
          s.confirmedAt ? `confirmed by BBB ${s.confirmedAt}` : 'not confirmed by BBB',
          s.endReason ? `end: ${s.endReason}` : null,
        ]
          .filter(Boolean)
          .join('; '),
      });
    }
    for (const i of m.invitees) {
      rows.push({
        type: 'invitee',
        ...base,
        user_id: i.userId,
        display_name: i.displayName,
        answer: i.finalAnswer ?? 'none',
        at: i.addedAt,
        actor: i.addedBy,
        detail: i.organizer ? 'organizer' : null,
      });
      for (const c of i.consents) {
        rows.push({
          type: 'consent',
          ...base,
          user_id: i.userId,
          display_name: i.displayName,
          answer: c.answer,
          at: c.at,
          matrix_event_id: c.matrixEventId,
          notice_version: c.noticeVersion,
          consent_text_version: c.consentTextVersion,
          actor: c.actor,
          source: c.source,
        });
      }
    }
    for (const r of m.recordings) {
      rows.push({
        type: 'recording',
        ...base,
        state: r.state,
        session_id: r.sessionId,
        bbb_meeting_id: m.sessions.find((s) => s.id === r.sessionId)?.bbbMeetingId ?? null,
        internal_meeting_id: r.recordId,
        recording_id: r.recordId,
        at: r.discoveredAt,
        until: r.deleteAfter,
        deletion_rule: r.deletionRule,
        deleted_at: r.deletedAt,
        deleted_by: r.deletedBy,
        detail: [
          r.startTime ? `recorded ${r.startTime}` : null,
          r.withdrawnBy.length ? `withdrawn by ${r.withdrawnBy.join(', ')}` : null,
          r.deletionRequestedAt ? `deletion requested ${r.deletionRequestedAt}` : null,
          r.lastError && r.state !== 'purged' ? `last error: ${r.lastError}` : null,
        ]
          .filter(Boolean)
          .join('; '),
      });
    }
  }
  for (const n of report.notices) {
    rows.push({
      type: 'notice',
      notice_version: n.version,
      at: n.firstUsedAt,
      detail: n.language,
      text: n.text,
    });
  }
  for (const t of report.consentTexts) {
    rows.push({
      type: 'consent-text',
      notice_version: t.noticeVersion,
      consent_text_version: t.version,
      at: t.firstUsedAt,
      detail: `${t.language}: first layer and prompt as posted`,
      text: t.text,
    });
  }
  return stringify(rows, {
    header: true,
    columns: [...CSV_COLUMNS],
    cast: { boolean: (value) => (value ? 'true' : 'false'), string: neutralise },
  });
}

/**
 * A cell a spreadsheet would run as a formula (a title or display name like `=HYPERLINK(…)`, which can
 * send data elsewhere when the DPO opens the file) starts with a quote instead (OWASP's CSV injection
 * rule: =, +, -, @, tab, carriage return). The quote shows in the cell; nothing runs. Matrix user IDs
 * in the spec's grammar stay as they are: they start with @, but hold no parenthesis, quote or pipe,
 * so no function call or DDE link can be made of them.
 */
export function neutralise(value: string): string {
  if (MATRIX_USER_ID.test(value)) return value;
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

const MATRIX_USER_ID = /^@[a-z0-9._=\-/+]+:[A-Za-z0-9.-]+(:\d{1,5})?$/;

export function evidenceJson(report: EvidenceReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

export function formatEvidence(report: EvidenceReport, format: EvidenceFormat): string {
  return format === 'json' ? evidenceJson(report) : evidenceCsv(report);
}
