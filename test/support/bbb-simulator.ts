// The BBB simulator lives in src/bbb-simulator (an operator can start it: `npm run bbb-simulator`);
// tests import it from here. It is NOT a real BigBlueButton: see src/bbb-simulator/server.ts.
export * from '../../src/bbb-simulator/server.js';
