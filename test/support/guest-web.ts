// A guest's browser without a browser, for the integration tests: GET the page, keep the anti-forgery
// cookie, post the page's forms. The e2e tests drive the same pages in a real Chromium.
import { type Harness, ORGANIZER } from './app-harness.js';

/** The guest links the organizer received by DM (newest last). */
export function guestLinksIn(texts: readonly string[]): string[] {
  return texts.flatMap((t) => [...t.matchAll(/https?:\/\/\S+\/g\/[A-Za-z0-9_-]{43}/g)].map((m) => m[0]));
}

/**
 * The organizer's guest link number `which` (default: the newest) as the guest's browser on the
 * listener at `base`, the public URL's path (`http.publicUrl`, a reverse proxy's prefix) taken off.
 */
export function organizersGuest(h: Harness, base: string, which = -1): GuestWeb {
  const link = guestLinksIn(h.chat.dmOf(ORGANIZER).map((m) => m.text)).at(which);
  if (!link) throw new Error(`no guest link number ${which} in the organizer's DM`);
  const prefix = new URL(h.config.http.publicUrl ?? 'http://x/').pathname.replace(/\/$/, '');
  const url = new URL(link);
  url.pathname = url.pathname.slice(prefix.length);
  return new GuestWeb(base, url.href);
}

export interface PageResponse {
  status: number;
  headers: Headers;
  body: string;
  location: string | null;
}

export class GuestWeb {
  private cookie = '';

  /** `base`: the listener's URL; `link`: a guest link (only its path is used). */
  constructor(
    private readonly base: string,
    link: string,
  ) {
    this.path = new URL(link).pathname;
  }

  readonly path: string;

  async open(query = '', headers: Record<string, string> = {}): Promise<PageResponse> {
    return this.request('GET', `${this.path}${query}`, undefined, headers);
  }

  /** The anti-forgery token of the page as last served. */
  static csrfOf(page: string): string {
    const m = /name="_csrf" value="([^"]+)"/.exec(page);
    if (!m) throw new Error('no form on the page');
    return m[1] as string;
  }

  /** Opens the page and posts one of its forms, as a click on the button would. */
  async click(
    action: 'answer' | 'join' | 'withdraw',
    fields: Record<string, string> = {},
  ): Promise<PageResponse> {
    const page = await this.open();
    return this.post(action, { _csrf: GuestWeb.csrfOf(page.body), lang: 'de', ...fields });
  }

  post(action: string, fields: Record<string, string>, withCookie = true): Promise<PageResponse> {
    return this.request('POST', `${this.path}/${action}`, new URLSearchParams(fields).toString(), {
      'content-type': 'application/x-www-form-urlencoded',
      ...(withCookie ? {} : { cookie: '' }),
    });
  }

  private async request(
    method: string,
    path: string,
    body: string | undefined,
    headers: Record<string, string>,
  ): Promise<PageResponse> {
    const res = await fetch(`${this.base}${path}`, {
      method,
      body,
      redirect: 'manual',
      headers: { ...(this.cookie ? { cookie: this.cookie } : {}), ...headers },
    });
    const set = res.headers.getSetCookie();
    if (set.length) this.cookie = set.map((c) => c.split(';')[0]).join('; ');
    return {
      status: res.status,
      headers: res.headers,
      body: await res.text(),
      location: res.headers.get('location'),
    };
  }
}
