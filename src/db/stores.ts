import { AuditStore } from './audit-store.js';
import { BotStateStore } from './bot-state-store.js';
import { GuestsStore } from './guests-store.js';
import { MeetingsStore } from './meetings-store.js';
import type { Db } from './open.js';
import { OutboxStore } from './outbox-store.js';
import { RecordingsStore } from './recordings-store.js';

export interface Stores {
  db: Db;
  meetings: MeetingsStore;
  recordings: RecordingsStore;
  audit: AuditStore;
  state: BotStateStore;
  outbox: OutboxStore;
  guests: GuestsStore;
}

/** Every store over one open database. */
export function createStores(db: Db): Stores {
  return {
    db,
    meetings: new MeetingsStore(db),
    recordings: new RecordingsStore(db),
    audit: new AuditStore(db),
    state: new BotStateStore(db),
    outbox: new OutboxStore(db),
    guests: new GuestsStore(db),
  };
}
