import type { RecordingRow } from '../db/recordings-store.js';
import type { AppContext } from './context.js';

export interface PurgeOutcome {
  deleted: RecordingRow[];
  failed: { recording: RecordingRow; reason: string }[];
}

const BATCH = 50;

/**
 * Deletes recordings in BBB and records the result. A recording is marked purged only when BBB
 * confirmed it (the client lists after deleting); everything else stays purge-pending for the next
 * run. One code path for withdrawal, `!purge` and the retention job.
 */
export class Purger {
  constructor(private readonly ctx: AppContext) {}

  async purge(
    rows: RecordingRow[],
    reason: string,
    actorId: string,
    onProgress?: (done: number, total: number) => void,
  ): Promise<PurgeOutcome> {
    const { recordings, audit } = this.ctx.stores;
    const outcome: PurgeOutcome = { deleted: [], failed: [] };
    const pending = rows.filter((r) => r.state !== 'purged');
    recordings.requestPurge(
      pending.filter((r) => r.state !== 'purge-pending').map((r) => r.recordId),
      reason,
      this.ctx.now(),
    );
    for (let i = 0; i < pending.length; i += BATCH) {
      const batch = pending.slice(i, i + BATCH);
      const ids = batch.map((r) => r.recordId);
      try {
        const result = await this.ctx.bbb.deleteRecordings(ids);
        const gone = new Set([...result.deleted, ...result.alreadyGone]);
        const marked = recordings.markPurged([...gone], this.ctx.now());
        recordings.markPurgeFailed(result.failed, 'BBB still lists it after deleting');
        for (const row of batch) {
          if (gone.has(row.recordId)) outcome.deleted.push(row);
          else outcome.failed.push({ recording: row, reason: 'still listed by BBB' });
        }
        // Recorded once: a concurrent run (the tick beside the purge job) may have marked some first.
        for (const id of marked) {
          this.ctx.log.info(
            { meetingId: batch.find((r) => r.recordId === id)?.meetingId, recordId: id, reason },
            'recording deletion confirmed by BBB',
          );
          audit.append({
            at: this.ctx.now(),
            actorId,
            action: 'recording.purged',
            meetingId: batch.find((r) => r.recordId === id)?.meetingId ?? null,
            details: { recordId: id, reason },
          });
        }
      } catch (error) {
        const why = error instanceof Error ? error.message : String(error);
        recordings.markPurgeFailed(ids, why);
        for (const row of batch) outcome.failed.push({ recording: row, reason: why });
        this.ctx.log.warn(
          { err: error, count: ids.length },
          'BBB delete failed; recordings stay purge-pending',
        );
      }
      onProgress?.(Math.min(i + BATCH, pending.length), pending.length);
    }
    return outcome;
  }
}
