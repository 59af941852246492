import { encode } from 'html-entities';
import { cleanName } from '../domain/names.js';

const escapeHtml = (text: string): string => encode(text, { mode: 'specialChars', level: 'html5' });

/**
 * A message in both Matrix formats. Every piece of text is escaped for the HTML body, so user input
 * (titles, display names) can never inject markup; only the helpers below produce tags.
 */
export interface Rich {
  readonly text: string;
  readonly html: string;
  /** Users this message mentions (for `m.mentions`, so notifications fire). */
  readonly mentions: readonly string[];
}

export type Piece = Rich | string | number;

function toRich(piece: Piece): Rich {
  if (typeof piece === 'object') return piece;
  const text = String(piece);
  return { text, html: escapeHtml(text).replace(/\n/g, '<br>'), mentions: [] };
}

export function join(pieces: readonly Piece[], separator: Piece = ''): Rich {
  const parts = pieces.map(toRich);
  const sep = toRich(separator);
  return {
    text: parts.map((p) => p.text).join(sep.text),
    html: parts.map((p) => p.html).join(sep.html),
    mentions: [...new Set(parts.flatMap((p) => p.mentions))],
  };
}

/** Tagged template: `rich\`Hello ${bold(name)}\``. */
export function rich(strings: TemplateStringsArray, ...values: Piece[]): Rich {
  const pieces: Piece[] = [];
  strings.forEach((s, i) => {
    pieces.push(s);
    if (i < values.length) pieces.push(values[i] as Piece);
  });
  return join(pieces);
}

export function bold(piece: Piece): Rich {
  const r = toRich(piece);
  return { ...r, html: `<b>${r.html}</b>` };
}

export function code(piece: Piece): Rich {
  const r = toRich(piece);
  return { ...r, html: `<code>${r.html}</code>` };
}

/** A display name as shown: one clean line (see domain/names.ts); the user ID if nothing is left. */
function shownName(userId: string, displayName: string): string {
  return cleanName(displayName) || cleanName(userId);
}

/** A user pill: clients render the matrix.to link as a mention. */
export function mention(userId: string, name: string): Rich {
  const href = `https://matrix.to/#/${encodeURIComponent(userId)}`;
  const displayName = shownName(userId, name);
  return {
    text: displayName,
    html: `<a href="${escapeHtml(href)}">${escapeHtml(displayName)}</a>`,
    mentions: [userId],
  };
}

/** A named person without notifying them (for tallies that are edited often). */
export function person(userId: string, displayName: string): Rich {
  const r = toRich(shownName(userId, displayName));
  return { ...r, html: `<span title="${escapeHtml(userId)}">${r.html}</span>` };
}

export function link(url: string, label: Piece): Rich {
  const r = toRich(label);
  return {
    text: `${r.text}: ${url}`,
    html: `<a href="${escapeHtml(url)}">${r.html}</a>`,
    mentions: r.mentions,
  };
}

/** A URL shown as itself and clickable. */
export function href(url: string): Rich {
  return { text: url, html: `<a href="${escapeHtml(url)}">${escapeHtml(url)}</a>`, mentions: [] };
}

/** Lines in the plain body; in HTML the pieces follow each other (for block elements such as lists). */
export function blocks(items: readonly Piece[]): Rich {
  const parts = items.map(toRich);
  return {
    text: parts.map((p) => p.text).join('\n'),
    html: parts.map((p) => p.html).join(''),
    mentions: [...new Set(parts.flatMap((p) => p.mentions))],
  };
}

export function lines(items: readonly Piece[]): Rich {
  return join(items, '\n');
}

export function bullets(items: readonly Piece[]): Rich {
  const parts = items.map(toRich);
  return {
    text: parts.map((p) => `• ${p.text}`).join('\n'),
    html: `<ul>${parts.map((p) => `<li>${p.html}</li>`).join('')}</ul>`,
    mentions: [...new Set(parts.flatMap((p) => p.mentions))],
  };
}

/** http(s) URLs in plain text, optionally in angle brackets; trailing punctuation is not part of them. */
const URL_IN_TEXT = /<(https?:\/\/[^\s<>]+)>|(https?:\/\/[^\s<>]*[^\s<>.,;:!?)"'])/g;

/** Escapes plain text for HTML and turns its URLs into real links (`<https://…>` included). */
export function linkify(text: string): string {
  let html = '';
  let last = 0;
  for (const m of text.matchAll(URL_IN_TEXT)) {
    const url = (m[1] ?? m[2]) as string;
    html += escapeHtml(text.slice(last, m.index));
    html += `<a href="${escapeHtml(url)}">${escapeHtml(url)}</a>`;
    last = m.index + m[0].length;
  }
  return html + escapeHtml(text.slice(last));
}

/** A numbered heading of a document ("1.2 Zweck und Rechtsgrundlagen"): one short line. */
const HEADING = /^\d+(\.\d+)*\s+\S[^\n]{0,80}$/;

/** Paragraphs of a plain text document (the privacy notice), kept readable in both formats. */
export function paragraphs(document: string): Rich {
  const blocks = document
    .trim()
    .split(/\n\s*\n/)
    .map((b) => b.trim());
  return {
    text: blocks.join('\n\n'),
    html: blocks
      .map((b) =>
        HEADING.test(b) ? `<p><b>${escapeHtml(b)}</b></p>` : `<p>${linkify(b).replace(/\n/g, '<br>')}</p>`,
      )
      .join(''),
    mentions: [],
  };
}
