import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { AuditAction } from '../db/audit-store.js';
import type { Db } from '../db/open.js';

/**
 * The bot's Prometheus metrics (`GET /metrics`). Counters are fed at narrow seams: the audit log
 * (every consent, withdrawal, opening, discovery and deletion is appended there), a decorator around
 * the BBB port, the homeserver rate-limit wrapper and the purge job. Gauges are read from SQLite when
 * scraped. Labels are bounded sets (call names, outcomes, kinds): never user IDs, room IDs or secrets.
 */
export class BotMetrics {
  readonly registry = new Registry();

  readonly meetingsPlanned = new Counter({
    name: 'meetbot_meetings_planned_total',
    help: 'Meetings planned with !meeting',
    registers: [this.registry],
  });
  readonly meetingsOpened = new Counter({
    name: 'meetbot_meetings_opened_total',
    help: 'Meetings opened, by whether the first session records',
    labelNames: ['recorded'] as const,
    registers: [this.registry],
  });
  readonly answers = new Counter({
    name: 'meetbot_consent_answers_total',
    help: 'Consent answers stored, by kind (agree, decline, withdraw)',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  readonly withdrawals = new Counter({
    name: 'meetbot_withdrawals_total',
    help: 'Withdrawals of consent, by who asked (self, or an admin on behalf)',
    labelNames: ['by'] as const,
    registers: [this.registry],
  });
  readonly recordingsDiscovered = new Counter({
    name: 'meetbot_recordings_discovered_total',
    help: 'Recordings found in BBB',
    registers: [this.registry],
  });
  readonly recordingsDeleted = new Counter({
    name: 'meetbot_recordings_deleted_total',
    help: 'Recordings whose deletion BBB confirmed, by reason (withdrawal, retention, admin)',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  readonly purgeRuns = new Counter({
    name: 'meetbot_purge_runs_total',
    help: 'Runs of the retention and purge job, by outcome',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly purgeDuration = new Histogram({
    name: 'meetbot_purge_run_duration_seconds',
    help: 'Duration of one retention and purge run',
    buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300],
    registers: [this.registry],
  });
  readonly bbbRequests = new Counter({
    name: 'meetbot_bbb_requests_total',
    help: 'BBB API calls, by call and outcome (ok, failed = BBB answered FAILED, unavailable, error)',
    labelNames: ['call', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly bbbLatency = new Histogram({
    name: 'meetbot_bbb_request_duration_seconds',
    help: 'Latency of BBB API calls (retries included), by call and outcome',
    labelNames: ['call', 'outcome'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  readonly homeserverErrors = new Counter({
    name: 'meetbot_homeserver_errors_total',
    help: 'Homeserver calls that failed for good, by call and HTTP status (or "network")',
    labelNames: ['call', 'status'] as const,
    registers: [this.registry],
  });
  readonly rateLimitWaits = new Counter({
    name: 'meetbot_homeserver_rate_limit_waits_total',
    help: 'Times a homeserver call answered 429 and the bot waited before retrying',
    labelNames: ['call'] as const,
    registers: [this.registry],
  });
  readonly rateLimitWaitSeconds = new Counter({
    name: 'meetbot_homeserver_rate_limit_wait_seconds_total',
    help: 'Time spent waiting out homeserver 429s',
    registers: [this.registry],
  });

  constructor(
    source: {
      db: Db;
      /** Epoch ms of the last completed sync with the homeserver, or null before the first. */
      lastSyncAt: () => number | null;
      now?: () => number;
    },
    options: { processMetrics?: boolean } = {},
  ) {
    const now = source.now ?? Date.now;
    const startedAt = now();
    if (options.processMetrics ?? true)
      collectDefaultMetrics({ register: this.registry, prefix: 'meetbot_' });
    const sqlite = () => source.db.$client;
    new Gauge({
      name: 'meetbot_recordings',
      help: 'Recordings the bot knows, by state (processing, available, purge-pending, purged)',
      labelNames: ['state'] as const,
      registers: [this.registry],
      collect() {
        this.reset();
        for (const state of ['processing', 'available', 'purge-pending', 'purged']) this.set({ state }, 0);
        const rows = sqlite().prepare('select state, count(*) as n from recordings group by state').all() as {
          state: string;
          n: number;
        }[];
        for (const row of rows) this.set({ state: row.state }, row.n);
      },
    });
    new Gauge({
      name: 'meetbot_recordings_delete_failing',
      help: 'Recordings waiting for deletion whose last attempt failed (BBB unreachable, or still listed)',
      registers: [this.registry],
      collect() {
        const row = sqlite()
          .prepare(
            "select count(*) as n from recordings where state = 'purge-pending' and last_error is not null",
          )
          .get() as { n: number };
        this.set(row.n);
      },
    });
    new Gauge({
      name: 'meetbot_meetings',
      help: 'Meetings in the database, by state',
      labelNames: ['state'] as const,
      registers: [this.registry],
      collect() {
        this.reset();
        const rows = sqlite().prepare('select state, count(*) as n from meetings group by state').all() as {
          state: string;
          n: number;
        }[];
        for (const row of rows) this.set({ state: row.state }, row.n);
      },
    });
    new Gauge({
      name: 'meetbot_last_sync_age_seconds',
      help: 'Seconds since the last completed sync with the homeserver (since start-up before the first)',
      registers: [this.registry],
      collect() {
        // Before the first sync, the time since start-up: a bot that never syncs shows a growing age.
        this.set(Math.max(0, (now() - (source.lastSyncAt() ?? startedAt)) / 1000));
      },
    });
  }

  /** Counts what the audit log records (subscribe with `stores.audit.observe`). */
  onAudit = (entry: {
    action: AuditAction;
    actorId: string;
    subjectId?: string | null;
    details?: Record<string, unknown>;
  }): void => {
    switch (entry.action) {
      case 'meeting.planned':
        this.meetingsPlanned.inc();
        break;
      case 'meeting.opened':
        this.meetingsOpened.inc({ recorded: entry.details?.record === true ? 'true' : 'false' });
        break;
      case 'consent.agree':
        this.answers.inc({ kind: 'agree' });
        break;
      case 'consent.decline':
        this.answers.inc({ kind: 'decline' });
        break;
      case 'consent.withdraw':
        this.answers.inc({ kind: 'withdraw' });
        this.withdrawals.inc({ by: entry.subjectId && entry.subjectId !== entry.actorId ? 'admin' : 'self' });
        break;
      case 'recording.discovered':
        this.recordingsDiscovered.inc();
        break;
      case 'recording.purged':
        this.recordingsDeleted.inc({ reason: reasonLabel(entry.details?.reason) });
        break;
      default:
        break;
    }
  };

  /** Wraps the purge job's run: counts runs and times them. */
  timePurge<A extends unknown[], T>(run: (...args: A) => Promise<T>): (...args: A) => Promise<T> {
    return async (...args: A) => {
      const end = this.purgeDuration.startTimer();
      try {
        const result = await run(...args);
        this.purgeRuns.inc({ outcome: 'ok' });
        return result;
      } catch (error) {
        this.purgeRuns.inc({ outcome: 'error' });
        throw error;
      } finally {
        end();
      }
    };
  }

  /** Feeds the homeserver counters (register with `observeHomeserverCalls`). */
  homeserver = {
    rateLimited: (call: string, waitMs: number): void => {
      this.rateLimitWaits.inc({ call });
      this.rateLimitWaitSeconds.inc(waitMs / 1000);
    },
    failed: (call: string, status: string): void => {
      this.homeserverErrors.inc({ call, status });
    },
  };

  get contentType(): string {
    return this.registry.contentType;
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}

const REASONS = new Set(['withdrawal', 'retention', 'admin']);

function reasonLabel(reason: unknown): string {
  return typeof reason === 'string' && REASONS.has(reason) ? reason : 'other';
}
