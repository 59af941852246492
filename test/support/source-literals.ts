// The literal text of a TypeScript source: its string literals and the fixed parts of its template
// literals (split at each `${…}`), comments skipped. A small scanner, enough for the catalogue's and the
// tests' own sources (no regular expression literal there holds a quote or backtick).

export function stringLiterals(source: string): string[] {
  return scan(source).literals;
}

/** The source with its comments blanked out (strings, regular expressions and code stay). */
export function withoutComments(source: string): string {
  let text = '';
  let from = 0;
  for (const [start, end] of scan(source).comments) {
    text += source.slice(from, start);
    from = end;
  }
  return text + source.slice(from);
}

function scan(source: string): { literals: string[]; comments: [number, number][] } {
  const out: string[] = [];
  const comments: [number, number][] = [];
  let i = 0;

  // Scans code until an unmatched `}` (the end of a `${…}`) or the end; returns the index after it.
  function code(): number {
    let depth = 0;
    while (i < source.length) {
      const c = source[i]!;
      const next = source[i + 1];
      if (c === '/' && next === '/') {
        const end = source.indexOf('\n', i);
        comments.push([i, end < 0 ? source.length : end]);
        i = end < 0 ? source.length : end;
      } else if (c === '/' && next === '*') {
        const end = source.indexOf('*/', i + 2);
        comments.push([i, end < 0 ? source.length : end + 2]);
        i = end < 0 ? source.length : end + 2;
      } else if (c === "'" || c === '"' || c === '`') {
        literal(c);
      } else if (c === '{') {
        depth++;
        i++;
      } else if (c === '}') {
        i++;
        if (depth-- === 0) return i;
      } else i++;
    }
    return i;
  }

  // A quoted string ends at its quote or the line's end; a template at its backtick, split at each `${…}`.
  function literal(quote: string): void {
    const template = quote === '`';
    let text = '';
    i++;
    while (i < source.length && source[i] !== quote && (template || source[i] !== '\n')) {
      if (source[i] === '\\') {
        text += unescapeChar(source[i + 1]!);
        i += 2;
      } else if (template && source[i] === '$' && source[i + 1] === '{') {
        out.push(text);
        text = '';
        i += 2;
        code();
      } else text += source[i++];
    }
    i++;
    out.push(text);
  }

  code();
  return { literals: out, comments };
}

function unescapeChar(c: string): string {
  return c === 'n' ? '\n' : c === 't' ? '\t' : c;
}
