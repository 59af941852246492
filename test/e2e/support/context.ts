// What test files get from the global setup, via vitest's provide/inject.
import { inject } from 'vitest';
import { type HomeserverInfo, TestHomeserver } from './homeserver.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** null: no homeserver here, the e2e suite is skipped (never under CI=true). */
    homeserver: HomeserverInfo | null;
  }
}

/** The homeserver for this run, or null; use with describe.skipIf(!hs). */
export function e2eHomeserver(): TestHomeserver | null {
  const info = inject('homeserver');
  return info ? new TestHomeserver(info) : null;
}
