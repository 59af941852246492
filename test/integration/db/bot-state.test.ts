import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BotStateStore } from '../../../src/db/bot-state-store.js';
import { openDatabase } from '../../../src/db/open.js';

describe('per-meeting bot state', () => {
  it('goes with the meeting when its evidence is pruned, and only with that meeting', () => {
    const state = new BotStateStore(openDatabase(join(mkdtempSync(join(tmpdir(), 'state-')), 'bot.db')));
    for (const id of [1, 12]) {
      state.markNoAnswer(id, `$reaction-${id}`);
      state.setPromptShown(id, `fingerprint-${id}`);
    }
    state.forgetMeetings([1]);
    expect(state.isNoAnswer(1, '$reaction-1')).toBe(false);
    expect(state.promptShown(1)).toBeUndefined();
    // Meeting 12 (whose keys share the prefix "1") keeps everything.
    expect(state.isNoAnswer(12, '$reaction-12')).toBe(true);
    expect(state.promptShown(12)).toBe('fingerprint-12');
  });
});
