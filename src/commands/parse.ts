import { parseArgs } from 'node:util';
import { decode } from 'html-entities';
import type { CommandDefinition, ParsedArgs } from './command.js';
import { CommandError } from './command.js';

const USER_ID = /^@[^:\s]+:[^\s]+$/;
// Clients write the ID raw or percent-encoded: @alice:example.org or %40alice%3Aexample.org.
const PILL = /<a\s+href="https:\/\/matrix\.to\/#\/((?:@|%40)[^"?/]+)(?:\?[^"]*)?"[^>]*>.*?<\/a>/gis;

/**
 * The command text of a message. Clients turn typed mentions into pills: the plain body then holds
 * only display names, so the user IDs are taken from the HTML links instead.
 */
export function commandText(content: { body?: unknown; format?: unknown; formatted_body?: unknown }): string {
  const body = typeof content.body === 'string' ? content.body : '';
  if (content.format !== 'org.matrix.custom.html' || typeof content.formatted_body !== 'string') return body;
  const withIds = content.formatted_body
    .replace(/<mx-reply>.*?<\/mx-reply>/gis, '')
    .replace(PILL, (_m, id: string) => ` ${safeDecode(id)} `)
    .replace(/<br\s*\/?>/gi, ' ')
    .replace(/<[^>]+>/g, '');
  return decode(withIds).replace(/\s+/g, ' ').trim();
}

/**
 * Splits on white space; double quotes (also „…“ and “…”) group words. Apostrophes are ordinary
 * letters here (O'Neil, geht's), which is why a shell-style splitter does not fit chat.
 */
export function tokenize(text: string): string[] {
  const tokens: string[] = [];
  const pattern = /"([^"]*)"|„([^“”]*)[“”]|“([^”]*)”|(\S+)/g;
  for (const match of text.matchAll(pattern)) {
    tokens.push(match[1] ?? match[2] ?? match[3] ?? match[4] ?? '');
  }
  return tokens;
}

export function parseArguments(definition: CommandDefinition, tokens: string[]): ParsedArgs {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: tokens,
      options: definition.options ?? {},
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    // Only an unknown option is named as such; a missing or surplus value (`--at` alone,
    // `--no-record=yes`) gets the usage line, which shows how the option is written.
    const unknown = (error as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION';
    const option = unknown ? /'(-{1,2}[^']+)'/.exec((error as Error).message)?.[1] : undefined;
    throw option ? CommandError.usage('unknownOption', option) : CommandError.usage();
  }
  const words: string[] = [];
  const mentions: string[] = [];
  const unresolved: string[] = [];
  for (const token of parsed.positionals) {
    if (USER_ID.test(token)) {
      if (!mentions.includes(token)) mentions.push(token);
    } else if (token.length > 1 && token.startsWith('@')) {
      if (!unresolved.includes(token)) unresolved.push(token);
    } else words.push(token);
  }
  return { words, mentions, unresolved, options: parsed.values as ParsedArgs['options'] };
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
