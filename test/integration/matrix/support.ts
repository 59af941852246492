// A homeserver stand-in for the bot's sends (rate limits, errors) and the real Matrix chat port on it;
// the bot's event intake on a stand-in client.
import { pino } from 'pino';
import { MatrixChatPort } from '../../../src/matrix/chat/chat-port.js';
import { MatrixEventIntake } from '../../../src/matrix/intake/event-intake.js';
import { BotMatrixClient } from '../../../src/matrix/sdk/client.js';
import type { Harness } from '../../support/app-harness.js';
import { json, serve } from '../../support/stand-in-servers.js';

/**
 * Answers every request (a send) with 429 M_LIMIT_EXCEEDED asking to wait `waitMs` while `limited` is
 * above 0 (counting down), with `failWith` when set, else with a new event ID. `arrivals`: when each came.
 */
export async function sendingHomeserver(waitMs: number) {
  const hs = {
    url: '',
    arrivals: [] as number[],
    paths: [] as string[],
    limited: 0,
    /** Answers this many requests first as a proxy does while the homeserver behind it restarts. */
    badGateway: 0,
    failWith: undefined as [number, object] | undefined,
  };
  ({ url: hs.url } = await serve((req, res) => {
    hs.arrivals.push(Date.now());
    hs.paths.push(`${req.method} ${req.url}`);
    if (hs.failWith) return json(res, ...hs.failWith);
    if (hs.badGateway-- > 0) {
      res.writeHead(502, { 'content-type': 'text/html' }).end('<html><body>502 Bad Gateway</body></html>');
      return;
    }
    if (hs.limited-- > 0)
      return json(res, 429, {
        errcode: 'M_LIMIT_EXCEEDED',
        error: 'Too many requests',
        retry_after_ms: waitMs,
      });
    json(res, 200, { event_id: `$sent${hs.arrivals.length}` });
  }));
  return hs;
}

/** The bot's chat port on a client of the homeserver at `url`. */
export const chatPortOn = (url: string): MatrixChatPort =>
  new MatrixChatPort(new BotMatrixClient(url, 'token'), '@bot:test', pino({ level: 'silent' }));

/** The bot's event intake on `client` (matrix-bot-sdk's or a stand-in), handing events to the harness's app. */
export function intakeOn(
  h: Harness,
  client: object,
  log = pino({ level: 'silent' }),
  encryption = false,
  retryMs?: number[],
) {
  const chat = h.chat as unknown as MatrixChatPort;
  return new MatrixEventIntake(client as never, chat, h.app, h.dispatcher, log, encryption, retryMs);
}
