// Matrix event shape as the client-server API delivers it, plus small predicates for waitForEvent.

export interface MatrixEvent {
  event_id: string;
  type: string;
  sender: string;
  content: Record<string, unknown>;
  origin_server_ts?: number;
  state_key?: string;
  /** Top-level in room versions < 11, content.redacts from v11 on. */
  redacts?: string;
  unsigned?: Record<string, unknown>;
  /** Set by the sync tracker: the /sync response groups events by room instead. */
  room_id: string;
}

export type EventPredicate = (event: MatrixEvent) => boolean;

/** Gives a predicate a readable name: timeout errors quote it. */
export function named(description: string, predicate: EventPredicate): EventPredicate {
  return Object.defineProperty(predicate, 'name', { value: description });
}

function body(event: MatrixEvent): string | undefined {
  const b = event.content.body;
  return typeof b === 'string' ? b : undefined;
}

/** An m.room.message from `sender`, optionally whose body contains `contains` (string or pattern). */
export function messageFrom(sender: string, contains?: string | RegExp): EventPredicate {
  const what =
    contains === undefined ? '' : `, ${typeof contains === 'string' ? JSON.stringify(contains) : contains}`;
  return named(`messageFrom(${sender}${what})`, (e) => {
    if (e.type !== 'm.room.message' || e.sender !== sender) return false;
    if (contains === undefined) return true;
    const b = body(e) ?? '';
    return typeof contains === 'string' ? b.includes(contains) : contains.test(b);
  });
}

/** The membership event putting `userId` into `membership` (join, invite, leave, ban). */
export function membership(userId: string, state: 'join' | 'invite' | 'leave' | 'ban'): EventPredicate {
  return named(
    `membership(${userId}, ${state})`,
    (e) => e.type === 'm.room.member' && e.state_key === userId && e.content.membership === state,
  );
}

/** An m.reaction (annotation) on `eventId`, optionally with exactly `key`. */
export function reactionTo(eventId: string, key?: string): EventPredicate {
  return named(`reactionTo(${eventId}${key === undefined ? '' : `, ${key}`})`, (e) => {
    if (e.type !== 'm.reaction') return false;
    const rel = e.content['m.relates_to'] as
      | { rel_type?: string; event_id?: string; key?: string }
      | undefined;
    return (
      rel?.rel_type === 'm.annotation' && rel.event_id === eventId && (key === undefined || rel.key === key)
    );
  });
}

/** An edit (m.replace) of `eventId`. */
export function editOf(eventId: string): EventPredicate {
  return named(`editOf(${eventId})`, (e) => {
    const rel = e.content['m.relates_to'] as { rel_type?: string; event_id?: string } | undefined;
    return rel?.rel_type === 'm.replace' && rel.event_id === eventId;
  });
}

/** The redaction of `eventId` (either room-version layout). */
export function redactionOf(eventId: string): EventPredicate {
  return named(
    `redactionOf(${eventId})`,
    (e) => e.type === 'm.room.redaction' && (e.redacts === eventId || e.content.redacts === eventId),
  );
}

/** One line per event, for timeout messages. */
export function describeEvent(e: MatrixEvent): string {
  let detail = '';
  if (e.type === 'm.room.message') detail = JSON.stringify(body(e) ?? '').slice(0, 120);
  else if (e.type === 'm.room.member') detail = `${e.state_key} -> ${String(e.content.membership)}`;
  else if (e.type === 'm.reaction') {
    const rel = e.content['m.relates_to'] as { event_id?: string; key?: string } | undefined;
    detail = `${rel?.key ?? '?'} on ${rel?.event_id ?? '?'}`;
  } else if (e.type === 'm.room.redaction') detail = `of ${e.redacts ?? String(e.content.redacts)}`;
  return `${e.event_id} ${e.type} from ${e.sender}${detail ? `: ${detail}` : ''}`;
}
