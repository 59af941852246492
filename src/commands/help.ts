import { lines } from '../i18n/rich.js';
import type { CommandDefinition } from './command.js';
import { defineCommand } from './command.js';
import { usageForms } from './usage.js';

/** `!help` is generated from the command table, so it can never drift from what the bot accepts. */
export function helpCommand(table: () => readonly CommandDefinition[]): CommandDefinition {
  return defineCommand({
    name: 'help',
    usage: 'help [command]',
    permission: 'anyone',
    async run(c, args) {
      const { t } = c;
      const line = (d: CommandDefinition) => t.helpLine(usageForms(t, d, c.prefix), t.commands[d.name] ?? '');
      // As the dispatcher reads a command: the prefix optional, capitals as a phone keyboard types them.
      const wanted = args.words[0]?.replace(c.prefix, '').toLowerCase();
      if (wanted) {
        const found = table().find((d) => d.name === wanted);
        await c.reply(found ? line(found) : t.helpUnknown(`${c.prefix}${wanted}`));
        return;
      }
      const visible = table().filter((d) => d.permission === 'anyone' || c.role === 'admin');
      await c.reply(lines([t.helpHeader, ...visible.map(line)]));
    },
  });
}
