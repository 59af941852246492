import type { MemoryChat } from './memory-chat.js';

/**
 * Slows the chat port's sends whose text `matches` (as a homeserver under load would) and counts how
 * many of them were under way at once: `most` after the work is done.
 */
export function slowSends(
  chat: MemoryChat,
  matches: (text: string) => boolean,
  delayMs = 30,
): { most: number } {
  const seen = { most: 0 };
  let inFlight = 0;
  const send = chat.send.bind(chat);
  chat.send = async (roomId, message, options) => {
    if (!matches(message.text)) return send(roomId, message, options);
    inFlight++;
    seen.most = Math.max(seen.most, inFlight);
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    inFlight--;
    return send(roomId, message, options);
  };
  return seen;
}
