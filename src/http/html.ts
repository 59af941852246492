import { encode } from 'html-entities';

/** Markup this module made: interpolated into `html` as is. Everything else is escaped. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

type Value = SafeHtml | string | number | null | undefined | false | readonly Value[];

function render(value: Value): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  // html-entities, the same escaper as the Matrix messages' HTML bodies (src/i18n/rich.ts).
  return encode(String(value), { mode: 'specialChars', level: 'html5' });
}

/**
 * Tagged template for the server-rendered pages: every interpolated value is escaped (names and
 * titles are data, never markup) unless it is SafeHtml made by this tag; arrays are concatenated.
 */
export function html(strings: TemplateStringsArray, ...values: Value[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] ?? '');
  });
  return new SafeHtml(out);
}

/** Markup produced by the message catalogue's own escaping (Rich.html), e.g. the notice's paragraphs. */
export function trusted(markup: string): SafeHtml {
  return new SafeHtml(markup);
}
