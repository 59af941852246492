import type { Rich } from '../../i18n/rich.js';

// The event contents the bot sends, built in one place so that the Matrix adapter sends exactly what
// the size checks measure. Pure: no SDK, no I/O.

/** Synapse refuses an event whose PDU (canonical JSON, UTF-8) exceeds 65,536 bytes (M_TOO_LARGE). */
export const MAX_EVENT_BYTES = 65_536;

export interface MessageOptions {
  notice?: boolean;
  replyTo?: string;
}

export function messageContent(message: Rich, options: MessageOptions = {}): Record<string, unknown> {
  const content: Record<string, unknown> = {
    ...body(message, options.notice ? 'm.notice' : 'm.text'),
    // Explicit mentions: only the people named get notified (MentionPill alone does not set this).
    'm.mentions': { user_ids: [...message.mentions] },
  };
  if (options.replyTo) content['m.relates_to'] = { 'm.in_reply_to': { event_id: options.replyTo } };
  return content;
}

/**
 * An edit carries the new text twice: as its fallback body and as `m.new_content`. It keeps the msgtype
 * of what it edits (only prompts are edited, sent as m.text): clients show an edit that turned a message
 * into an m.notice as a notice (nheko: italics).
 */
export function editContent(eventId: string, message: Rich): Record<string, unknown> {
  const fresh = body(message, 'm.text');
  return {
    msgtype: 'm.text',
    body: `* ${fresh.body}`,
    format: fresh.format,
    formatted_body: `* ${fresh.formatted_body}`,
    // An edit must not notify everyone again.
    'm.mentions': {},
    'm.new_content': { ...fresh, 'm.mentions': {} },
    'm.relates_to': { rel_type: 'm.replace', event_id: eventId },
  };
}

function body(message: Rich, msgtype: 'm.text' | 'm.notice') {
  return { msgtype, body: message.text, format: 'org.matrix.custom.html', formatted_body: message.html };
}

// Longest room ID, user ID and server name the spec allows (255 bytes each), and a version-4 event ID.
const LONG_ID = 'x'.repeat(255);
const EVENT_ID = `$${'A'.repeat(43)}`;

/**
 * Bytes of the PDU a homeserver would build around `content`: the content plus the envelope (room,
 * sender, auth and prev events, hashes, signatures), measured as Synapse measures (JSON, UTF-8).
 * Without room or sender, the longest allowed ones are assumed, so the result is an upper bound.
 */
export function eventBytes(
  content: Record<string, unknown>,
  envelope: { roomId?: string; sender?: string; type?: string } = {},
): number {
  const sender = envelope.sender ?? `@${LONG_ID.slice(1)}`;
  const server = sender.slice(sender.indexOf(':') + 1) || LONG_ID;
  const pdu = {
    auth_events: [EVENT_ID, EVENT_ID, EVENT_ID],
    content,
    depth: 9_007_199_254_740_991,
    hashes: { sha256: 'A'.repeat(43) },
    origin: server,
    origin_server_ts: 9_999_999_999_999,
    prev_events: Array.from({ length: 10 }, () => EVENT_ID),
    room_id: envelope.roomId ?? `!${LONG_ID.slice(1)}`,
    sender,
    signatures: { [server]: { 'ed25519:a_AAAA': 'A'.repeat(86) } },
    type: envelope.type ?? 'm.room.message',
    unsigned: { age_ts: 9_999_999_999_999 },
  };
  return Buffer.byteLength(JSON.stringify(pdu), 'utf8');
}

/** True if the message fits in one event both when sent and when it replaces an earlier one. */
export function fitsInEvent(message: Rich): boolean {
  return (
    eventBytes(messageContent(message, { notice: true, replyTo: EVENT_ID })) <= MAX_EVENT_BYTES &&
    eventBytes(editContent(EVENT_ID, message)) <= MAX_EVENT_BYTES
  );
}
