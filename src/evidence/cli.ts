// Entry of `npm run evidence`: the Node version first (one line and exit code 2 on an unsupported one,
// before better-sqlite3 is loaded), then the report in cli-main.ts.
import { supportedNodeOrExit } from '../node-version.js';

if (supportedNodeOrExit()) await import('./cli-main.js');
