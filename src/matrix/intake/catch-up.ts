import type { MatrixClient } from '@vector-im/matrix-bot-sdk';

// Messages sent while the bot was down (design.md §3.8). After a downtime the first /sync gives each
// room only its newest events and marks the timeline `limited` when it skipped some; those are read
// here with /messages, backwards from the sync's `prev_batch`, back to where the bot had stopped.

/** Event types the bot acts on; state events and the rest are left to the sync's own state section. */
const WANTED = new Set(['m.room.message', 'm.room.encrypted', 'm.reaction', 'm.room.redaction']);
const PAGE = 100;
/** At most this many pages per room and sync (a room that busy has lost the thread anyway). */
const MAX_PAGES = 50;

// biome-ignore lint/suspicious/noExplicitAny: raw Matrix events are untyped JSON, checked field by field
type RawEvent = any;

/**
 * The events of a room the sync skipped, oldest first: every event before `prevBatch` sent at or
 * after `since` (homeserver time), of the types the bot acts on.
 */
export async function skippedEvents(
  client: Pick<MatrixClient, 'doRequest'>,
  roomId: string,
  prevBatch: string,
  since: number,
): Promise<RawEvent[]> {
  const found: RawEvent[] = [];
  const path = `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/messages`;
  let from: string | undefined = prevBatch;
  for (let page = 0; page < MAX_PAGES && from; page++) {
    const answer = await client.doRequest('GET', path, { dir: 'b', from, limit: PAGE });
    const chunk: RawEvent[] = Array.isArray(answer?.chunk) ? answer.chunk : [];
    let reached = false;
    for (const event of chunk) {
      if (typeof event?.origin_server_ts === 'number' && event.origin_server_ts < since) {
        reached = true;
        break;
      }
      if (event?.state_key === undefined && WANTED.has(event?.type)) found.push(event);
    }
    if (reached || !chunk.length || answer.end === from) break;
    from = answer.end;
  }
  return found.reverse();
}
