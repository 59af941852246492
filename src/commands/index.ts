import cancel from './cancel.js';
import type { CommandDefinition } from './command.js';
import evidence from './evidence.js';
import { helpCommand } from './help.js';
import invite from './invite.js';
import meeting from './meeting.js';
import mydata from './mydata.js';
import notice from './notice.js';
import ping from './ping.js';
import purge from './purge.js';
import recordings from './recordings.js';
import start from './start.js';
import status from './status.js';
import withdraw from './withdraw.js';

/** The command table: the one place that says which commands exist (help is generated from it). */
export const commandTable: readonly CommandDefinition[] = [
  meeting,
  status,
  start,
  cancel,
  invite,
  withdraw,
  recordings,
  purge,
  mydata,
  notice,
  evidence,
  ping,
  helpCommand(() => commandTable),
];
