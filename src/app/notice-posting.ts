import { createHash } from 'node:crypto';
import { join, paragraphs, type Rich } from '../i18n/rich.js';
import { noticeFacts, shortVersion } from '../notice.js';
import type { AppContext } from './context.js';
import { namesShown } from './views.js';

// Posting the layered notice (design.md §3.9): in a meeting's room, and in each invitee's DM room
// when consent is asked privately.

/** A link to one event that Matrix clients open in place (matrix.to, with a server to find the room). */
export function permalink(roomId: string, eventId: string, viaUserId: string): string {
  const via = viaUserId.slice(viaUserId.indexOf(':') + 1);
  return `https://matrix.to/#/${encodeURIComponent(roomId)}/${encodeURIComponent(eventId)}?via=${encodeURIComponent(via)}`;
}

/** The full text as a message: a header line, then the text (its plain body is header + blank line + text). */
export function fullNoticeMessage(ctx: AppContext, text: string, sha256: string): Rich {
  return join([ctx.t.noticeFullHeader(shortVersion(sha256)), paragraphs(text)], '\n\n');
}

/**
 * Posts the privacy notice of a meeting in its room (or in an invitee's DM room, `roomId`): the full
 * text once per room and notice version, then the short first layer that links to it. Returns the
 * first layer's event ID. Resumable: the full text's event ID is stored before the first layer is
 * sent, and both sends are keyed.
 */
export async function postNotice(
  ctx: AppContext,
  meeting: { id: number; roomId: string; title: string; noticeSha256: string; consentAsk: string },
  roomId = meeting.roomId,
): Promise<string> {
  const key = `notice-full:${roomId}:${meeting.noticeSha256}`;
  let fullEventId = ctx.stores.state.read(key);
  if (!fullEventId) {
    const text = ctx.stores.meetings.noticeText(meeting.noticeSha256) ?? ctx.notice.text;
    fullEventId = await ctx.chat.send(roomId, fullNoticeMessage(ctx, text, meeting.noticeSha256), {
      notice: true,
      key: `notice-full:${meeting.noticeSha256}`,
    });
    ctx.stores.state.write(key, fullEventId);
  }
  return ctx.chat.send(
    roomId,
    firstLayerMessage(ctx, meeting, roomId, fullEventId),
    // A plain message, not m.notice: people should read this one (clients show notices subdued).
    { key: `notice:${meeting.id}` },
  );
}

type NoticedMeeting = { id: number; roomId: string; title: string; noticeSha256: string; consentAsk: string };

/** The first layer as posted in `roomId`, linking to the full text posted there. */
function firstLayerMessage(
  ctx: AppContext,
  meeting: NoticedMeeting,
  roomId: string,
  fullEventId: string,
): Rich {
  const facts = noticeFacts(ctx.config, ctx.language);
  return ctx.t.noticeFirstLayer({
    title: meeting.title,
    version: shortVersion(meeting.noticeSha256),
    controller: facts.controller ?? '',
    contact: facts.contact ?? '',
    bbbProvider: facts.bbbProvider ?? '',
    recordingDays: ctx.config.retention.recordingDays,
    prefix: ctx.config.matrix.commandPrefix,
    fullText: permalink(roomId, fullEventId, ctx.chat.botUserId),
    ask: meeting.consentAsk === 'direct' ? 'direct' : 'room',
    namesShown: namesShown(ctx.config.consent.showNames, meeting),
    botDeletes: !ctx.config.bbb.acceptUnconfirmedDeletion,
  });
}

/**
 * Stores what people answer on in `roomId` (design.md §3.1): the first layer posted there and the
 * prompt, as one text keyed by its SHA-256, beside the notice version. Returns the SHA-256.
 */
export function storeConsentText(
  ctx: AppContext,
  meeting: NoticedMeeting,
  roomId: string,
  prompt: Rich,
): string {
  const fullEventId = ctx.stores.state.read(`notice-full:${roomId}:${meeting.noticeSha256}`) ?? '';
  const text = `${firstLayerMessage(ctx, meeting, roomId, fullEventId).text}\n\n${prompt.text}`;
  return ctx.stores.meetings.storeConsentText(
    {
      sha256: createHash('sha256').update(text, 'utf8').digest('hex'),
      noticeSha256: meeting.noticeSha256,
      language: ctx.language,
      text,
    },
    ctx.now(),
  );
}
