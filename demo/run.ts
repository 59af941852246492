// Entry of `npm run demo`: the Node version first (one line and exit code 2 on an unsupported one,
// before the bot is started), then the scripted meeting in scenario.ts.
import { supportedNodeOrExit } from '../src/node-version.js';

if (supportedNodeOrExit()) await import('./scenario.js');
