// Entry of `npm start`, `npm run start:prod` and the systemd unit. It imports nothing but the version
// check: on an unsupported Node one line and exit code 2, before any native module is loaded; the bot
// itself is in bot-main.ts.
import { supportedNodeOrExit } from './node-version.js';

if (supportedNodeOrExit()) await import('./bot-main.js');
