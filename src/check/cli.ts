// Entry of `npm run check`: the Node version first (one line and exit code 2 on an unsupported one,
// before any native module is loaded), then the preflight checks in cli-main.ts.
import { supportedNodeOrExit } from '../node-version.js';

if (supportedNodeOrExit()) await import('./cli-main.js');
