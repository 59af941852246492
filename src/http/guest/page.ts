import type { GuestChoices } from '../../domain/guest.js';
import type { FirstLayerFacts, GuestPageText, GuestStatus } from '../../i18n/guest-page.js';
import type { Language } from '../../i18n/index.js';
import { html, type SafeHtml } from '../html.js';

export interface GuestPageModel {
  t: GuestPageText;
  language: Language;
  /** Form actions and links relative to the page's own URL (`g/<token>`): works under any path prefix. */
  token: string;
  csrf: string;
  title: string;
  guestName: string;
  organizer: string;
  when: string | null;
  meetingState: string;
  /** Whether the current session records; null before it opens. */
  recorded: boolean | null;
  status: GuestStatus;
  /** Planned with --no-record: nobody is asked anything. */
  noRecord: boolean;
  choices: GuestChoices;
  version: string;
  facts: FirstLayerFacts;
  store: string[];
  /** The full notice as paragraphs, already escaped by the message catalogue (Rich.html). */
  fullNotice: SafeHtml;
  done?: keyof GuestPageText['done'];
}

/** The first layer exactly as a guest reads it; stored with each answer as evidence (consent_texts). */
export function firstLayerText(t: GuestPageText, version: string, facts: FirstLayerFacts): string {
  return [t.firstLayerHeading(version), ...t.firstLayer(facts)].join('\n');
}

function layout(t: GuestPageText, title: string, body: SafeHtml, switcher: SafeHtml | null = null): string {
  return html`<!doctype html>
<html lang="${t.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${title}</title>
<link rel="stylesheet" href="${STYLESHEET}">
</head>
<body>
${switcher}
<main>
${body}
</main>
</body>
</html>
`.value;
}

/** Relative to /g/<token>: the stylesheet is served at /assets/guest.css. */
const STYLESHEET = '../assets/guest.css';

function languageSwitch(
  t: GuestPageText,
  current: Language,
  others: Record<Language, GuestPageText>,
): SafeHtml {
  const items = (Object.keys(others) as Language[]).map((lang) =>
    lang === current
      ? html`<li><a href="?lang=${lang}" hreflang="${lang}" lang="${lang}" aria-current="page">${others[lang].languageName}</a></li>`
      : html`<li><a href="?lang=${lang}" hreflang="${lang}" lang="${lang}">${others[lang].languageName}</a></li>`,
  );
  return html`<nav class="languages" aria-label="${t.languageSwitch}"><ul>${items}</ul></nav>`;
}

function form(action: string, m: GuestPageModel, buttons: SafeHtml, describedBy?: string): SafeHtml {
  return html`<form method="post" action="${action}"${describedBy ? html` aria-describedby="${describedBy}"` : ''}>
<input type="hidden" name="_csrf" value="${m.csrf}">
<input type="hidden" name="lang" value="${m.language}">
${buttons}
</form>`;
}

export function guestPage(m: GuestPageModel, texts: Record<Language, GuestPageText>): string {
  const { t } = m;
  const self = m.token;
  const answerForm = m.choices.answer
    ? html`${form(
        `${self}/answer`,
        m,
        html`<div class="choices">
<button type="submit" name="answer" value="agree">${t.agree}</button>
<button type="submit" name="answer" value="decline">${t.decline}</button>
</div>`,
        'change-hint',
      )}
<p id="change-hint" class="hint">${t.changeHint}</p>`
    : null;
  const joinForm = m.choices.join
    ? html`${form(`${self}/join`, m, html`<button type="submit" class="join">${t.join}</button>`, 'join-hint')}
<p id="join-hint" class="hint">${t.joinHint}</p>`
    : null;
  const withdrawForm = m.choices.withdraw
    ? html`${form(`${self}/withdraw`, m, html`<button type="submit">${t.withdraw}</button>`, 'withdraw-hint')}
<p id="withdraw-hint" class="hint">${t.withdrawHint}</p>`
    : null;
  const body = html`<h1>${m.title}</h1>
<p>${t.greeting(m.guestName)}</p>
<dl class="facts">
<dt>${t.invitedBy}</dt><dd>${m.organizer}</dd>
<dt>${t.when}</dt><dd>${m.when ?? t.whenOpen}</dd>
</dl>
<div role="status" class="done">${m.done ? html`<p>${t.done[m.done]}</p>` : null}</div>
<section aria-labelledby="first-layer">
<h2 id="first-layer">${t.firstLayerHeading(m.version)}</h2>
<ul>${t.firstLayer(m.facts).map((line) => html`<li>${line}</li>`)}</ul>
<p><a href="#full-notice">${t.fullNoticeLink}</a></p>
</section>
<section aria-labelledby="answer" class="answer">
<h2 id="answer">${t.answerHeading}</h2>
<p>${t.meetingState(m.meetingState, m.recorded)}</p>
<p><strong>${m.noRecord ? t.noRecording : t.yourAnswer[m.status]}</strong></p>
${answerForm}
${joinForm}
${withdrawForm}
</section>
<section aria-labelledby="stored">
<h2 id="stored">${t.storeHeading}</h2>
<ul>${m.store.map((line) => html`<li>${line}</li>`)}</ul>
</section>
<section aria-labelledby="full-notice" class="notice">
<h2 id="full-notice">${t.fullNoticeHeading}</h2>
${m.fullNotice}
</section>`;
  return layout(t, t.pageTitle(m.title), body, languageSwitch(t, m.language, texts));
}

/** A plain page for a refusal (not found, forged form, too many requests): says what happened, nothing more. */
export function plainPage(t: GuestPageText, heading: string, text: string): string {
  return layout(
    t,
    heading,
    html`<h1>${heading}</h1>
<p>${text}</p>`,
  );
}

/** The pages' only stylesheet (no third-party assets). Buttons share one look: no choice is nudged. */
export const GUEST_CSS = `
:root { color-scheme: light; font-family: system-ui, sans-serif; line-height: 1.5; color: #1a1a1a; background: #fff; }
body { margin: 0; }
main { max-width: 42rem; margin: 0 auto; padding: 1rem 1.25rem 3rem; }
h1 { font-size: 1.6rem; margin: 0.5rem 0; }
h2 { font-size: 1.2rem; margin-top: 2rem; }
a { color: #0645ad; }
a:focus-visible, button:focus-visible { outline: 3px solid #1a1a1a; outline-offset: 2px; }
.languages ul { display: flex; gap: 1rem; justify-content: flex-end; list-style: none; margin: 0; padding: 0.75rem 1.25rem; }
.languages a[aria-current] { font-weight: bold; color: #1a1a1a; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.25rem 1rem; }
.facts dt { font-weight: bold; }
.facts dd { margin: 0; }
.done p { border-left: 4px solid #1a1a1a; padding: 0.25rem 0.75rem; background: #f2f2f2; }
.choices { display: flex; flex-wrap: wrap; gap: 1rem; }
.choices button { flex: 1 1 12rem; }
button { font: inherit; font-weight: bold; padding: 0.75rem 1.25rem; border: 2px solid #1a1a1a; border-radius: 0.4rem; background: #fff; color: #1a1a1a; cursor: pointer; min-height: 2.75rem; }
button:hover { background: #ececec; }
button.join { background: #1a1a1a; color: #fff; }
.hint { color: #444; font-size: 0.95rem; }
.notice { border-top: 1px solid #ccc; margin-top: 2rem; }
`;
