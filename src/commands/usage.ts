import type { Catalogue } from '../i18n/de.js';
import type { CommandDefinition } from './command.js';

/**
 * How a command is called, in the reader's language: every form, each with the prefix. The catalogue
 * holds the forms (placeholders translated); a unit test keeps them in step with the command table.
 */
export function usageForms(t: Catalogue, definition: CommandDefinition, prefix: string): string[] {
  return (t.usages[definition.name] ?? [definition.usage]).map((form) => `${prefix}${form}`);
}
