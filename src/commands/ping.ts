import { defineCommand } from './command.js';

export default defineCommand({
  name: 'ping',
  usage: 'ping',
  permission: 'anyone',
  async run(c) {
    await c.reply(c.t.pong);
  },
});
