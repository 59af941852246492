import { createHmac } from 'node:crypto';
import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { BotApp } from '../../app/bot-app.js';
import type { GuestAccess } from '../../app/guests.js';
import { namesShown } from '../../app/views.js';
import { hashGuestToken } from '../../db/guests-store.js';
import { type ConsentKind, currentStatuses } from '../../domain/consent.js';
import { guestChoices } from '../../domain/guest.js';
import { type GuestPageText, guestLanguage, guestPageText } from '../../i18n/guest-page.js';
import { formatDateTime, type Language } from '../../i18n/index.js';
import { paragraphs } from '../../i18n/rich.js';
import { noticeFacts, shortVersion } from '../../notice.js';
import { type SafeHtml, trusted } from '../html.js';
import { firstLayerText, GUEST_CSS, guestPage, plainPage } from './page.js';

/** Requests per minute: per client address (a whole office may sit behind one) and per guest link. */
export const GUEST_RATE_LIMITS = { perAddress: 120, perToken: 30, windowMs: 60_000 } as const;

type TokenRequest = FastifyRequest<{
  Params: { token: string };
  Querystring: { lang?: string; done?: string };
  Body: Record<string, unknown> | undefined;
}>;

const DONE = new Set(['agree', 'decline', 'withdraw', 'unchanged']);

/**
 * The guests' pages (design.md §3.11) under `/g/<token>`: server-rendered, no script, usable without
 * JavaScript. Every form post carries an anti-forgery token bound to the guest's link (double submit:
 * a signed cookie holds the secret); requests are rate-limited per address and per link; an unknown,
 * malformed or pruned token gets the same plain not-found page.
 */
export async function registerGuestPages(server: FastifyInstance, app: BotApp): Promise<void> {
  const { ctx } = app;
  const texts = guestPageText;
  // Derived from the BBB secret so that a restart keeps open pages' forms valid; never sent anywhere.
  const key = (purpose: string) => createHmac('sha256', ctx.config.bbb.secret).update(purpose).digest();
  const secure = ctx.config.http.publicUrl?.startsWith('https:') ?? false;

  server.get('/assets/guest.css', async (_req, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(GUEST_CSS),
  );

  await server.register(async (scope) => {
    await scope.register(cookie, { secret: key('meetbot guest cookie').toString('hex') });
    await scope.register(csrf, {
      cookieKey: 'guest_csrf',
      cookieOpts: { signed: true, httpOnly: true, sameSite: 'strict', path: '/', secure },
      // Bound to the link: a token taken from one guest's page does not work on another's.
      getUserInfo: (req) => tokenHash((req as TokenRequest).params.token ?? ''),
      csrfOpts: { hmacKey: key('meetbot guest csrf') },
    });
    // Two registrations, each with its own store: one request counts against both limits.
    await scope.register(rateLimit, {
      global: true,
      max: GUEST_RATE_LIMITS.perAddress,
      timeWindow: GUEST_RATE_LIMITS.windowMs,
    });

    const languageOf = (req: TokenRequest): Language => {
      const chosen = typeof req.body?.lang === 'string' ? req.body.lang : req.query.lang;
      return guestLanguage(chosen, req.headers['accept-language'], ctx.language);
    };

    scope.setErrorHandler((error, req, reply) => {
      const t = texts[languageOf(req as TokenRequest)];
      const code = (error as { statusCode?: number }).statusCode ?? 500;
      if (code === 429) return sendPage(reply, 429, plainPage(t, t.tooManyTitle, t.tooMany));
      if (code === 403) return sendPage(reply, 403, plainPage(t, t.forgedTitle, t.forged));
      if (code === 404) return sendPage(reply, 404, plainPage(t, t.notFoundTitle, t.notFound));
      if (code >= 500) ctx.log.error({ err: error }, 'guest page failed');
      return sendPage(reply, code, plainPage(t, t.failedTitle, t.failed));
    });

    const notFound = (req: TokenRequest, reply: FastifyReply) => {
      const t = texts[languageOf(req)];
      return sendPage(reply, 404, plainPage(t, t.notFoundTitle, t.notFound));
    };

    const facts = noticeFacts(ctx.config, ctx.language);
    const notices = new Map<string, SafeHtml>();

    /** The first layer's facts and text in the page's language: what the guest answers on. */
    const firstLayer = (t: GuestPageText, access: GuestAccess) => {
      const version = shortVersion(access.meeting.noticeSha256);
      const layerFacts = {
        controller: facts.controller ?? '',
        contact: facts.contact ?? '',
        bbbProvider: facts.bbbProvider ?? '',
        recordingDays: ctx.config.retention.recordingDays,
        // Who sees an answer depends on the meeting (consent.ask) and the config (consent.showNames).
        namesShown: namesShown(ctx.config.consent.showNames, access.meeting),
        botDeletes: !ctx.config.bbb.acceptUnconfirmedDeletion,
      };
      return { facts: layerFacts, version, text: firstLayerText(t, version, layerFacts) };
    };

    /** The full notice the meeting was planned with, as paragraphs (escaped by the catalogue's helper). */
    const fullNotice = (sha256: string): SafeHtml => {
      let page = notices.get(sha256);
      if (!page) {
        const text = ctx.stores.meetings.noticeText(sha256) ?? ctx.notice.text;
        page = trusted(paragraphs(text).html);
        notices.set(sha256, page);
      }
      return page;
    };

    await scope.register(async (inner) => {
      await inner.register(rateLimit, {
        global: true,
        max: GUEST_RATE_LIMITS.perToken,
        timeWindow: GUEST_RATE_LIMITS.windowMs,
        keyGenerator: (req) => `token:${tokenHash((req as TokenRequest).params.token ?? '')}`,
      });

      inner.get('/g/:token', async (req: TokenRequest, reply) => {
        const access = app.guests.find(req.params.token);
        if (!access) return notFound(req, reply);
        const language = languageOf(req);
        const t = texts[language];
        const { guest, meeting } = access;
        const { meetings, guests } = ctx.stores;
        // Only what this page shows: the guest's own answer, never the others' (design.md §3.11).
        const answers = guests.answers(meeting.id, guest.id) as { userId: string; kind: ConsentKind }[];
        const status = currentStatuses([guest.id], answers).get(guest.id) ?? 'pending';
        const session = meeting.state === 'open' ? meetings.currentSession(meeting.id) : undefined;
        const organizer = guests.organizerName(meeting.id);
        const layer = firstLayer(t, access);
        const done = req.query.done && DONE.has(req.query.done) ? req.query.done : undefined;
        reply.header('cache-control', 'no-store');
        return sendPage(
          reply,
          200,
          guestPage(
            {
              t,
              language,
              token: req.params.token,
              csrf: reply.generateCsrf({ userInfo: tokenHash(req.params.token) }),
              title: meeting.title,
              guestName: guest.displayName,
              organizer: organizer ?? meeting.organizerId,
              when:
                meeting.scheduledAt === null
                  ? null
                  : formatDateTime(language, ctx.config.timezone, meeting.scheduledAt),
              meetingState: meeting.state,
              recorded: session ? session.record : null,
              status,
              noRecord: meeting.noRecord,
              choices: guestChoices(meeting.state, status, meeting.noRecord, session ? session.record : null),
              version: layer.version,
              facts: layer.facts,
              store: t.store({
                evidenceDays: ctx.config.retention.evidenceDaysAfterPurge,
                recordingDays: ctx.config.retention.recordingDays,
                unansweredDays: ctx.config.limits.unansweredDays,
              }),
              fullNotice: fullNotice(meeting.noticeSha256),
              done: done as GuestPageModelDone,
            },
            texts,
          ),
        );
      });

      const back = (req: TokenRequest, reply: FastifyReply, done: string) =>
        // Relative to /g/<token>/<action>: back to the page, under any path prefix.
        reply.redirect(`../${req.params.token}?lang=${languageOf(req)}&done=${done}`, 303);

      const posted = { preHandler: inner.csrfProtection };

      inner.post('/g/:token/answer', posted, async (req: TokenRequest, reply) => {
        const access = app.guests.find(req.params.token);
        if (!access) return notFound(req, reply);
        const answer = req.body?.answer;
        if (answer !== 'agree' && answer !== 'decline') return back(req, reply, 'unchanged');
        const language = languageOf(req);
        const { text } = firstLayer(texts[language], access);
        const changed = await app.guests.answer(req.params.token, answer, { language, text });
        return back(req, reply, changed ? answer : 'unchanged');
      });

      inner.post('/g/:token/withdraw', posted, async (req: TokenRequest, reply) => {
        if (!app.guests.find(req.params.token)) return notFound(req, reply);
        const changed = await app.guests.withdraw(req.params.token);
        return back(req, reply, changed ? 'withdraw' : 'unchanged');
      });

      inner.post('/g/:token/join', posted, async (req: TokenRequest, reply) => {
        if (!app.guests.find(req.params.token)) return notFound(req, reply);
        const url = await app.guests.joinUrl(req.params.token);
        if (!url) return back(req, reply, 'unchanged');
        reply.header('cache-control', 'no-store');
        return reply.redirect(url, 303);
      });
    });
  });
}

type GuestPageModelDone = 'agree' | 'decline' | 'withdraw' | 'unchanged' | undefined;

const tokenHash = hashGuestToken;

function sendPage(reply: FastifyReply, code: number, page: string) {
  return reply.code(code).type('text/html; charset=utf-8').send(page);
}
