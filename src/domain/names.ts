// Names are data, never markup (design.md §3.10): a display name or a title is shown on one line,
// without characters that change how the text around it reads, and no longer than a name needs.

/** The most code points of a display name shown anywhere; longer ones end in "…". */
export const MAX_NAME_LENGTH = 64;

const ZWJ = '\u200d';
/** Line and paragraph breaks and control characters: they would start a new line. */
const BREAKS = /[\p{Cc}\p{Zl}\p{Zp}]/gu;
/**
 * Format characters (bidi overrides and isolates, zero-width space and joiners, soft hyphen, tags):
 * invisible, and able to reorder or hide what follows. A joiner inside an emoji sequence stays.
 */
const FORMAT = /\p{Cf}/u;
const EMOJI = /\p{Extended_Pictographic}/u;

/**
 * One line of plain text: breaks and control characters become spaces, invisible format characters
 * go, runs of white space shrink to one, and at most `max` code points remain. Escaping for HTML is
 * the renderer's job (src/i18n/rich.ts); this makes sure what is escaped reads as what it is.
 */
export function cleanName(raw: string, max = MAX_NAME_LENGTH): string {
  const chars = [...raw.normalize('NFC').replace(BREAKS, ' ')];
  const kept = chars.filter((c, i) => {
    if (!FORMAT.test(c)) return true;
    return c === ZWJ && EMOJI.test(chars[i - 1] ?? '') && EMOJI.test(chars[i + 1] ?? '');
  });
  const line = kept.join('').replace(/\s+/gu, ' ').trim();
  const points = [...line];
  return points.length <= max
    ? line
    : `${points
        .slice(0, max - 1)
        .join('')
        .trimEnd()}…`;
}
