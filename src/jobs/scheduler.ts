import cron, { type ScheduledTask } from 'node-cron';
import type { BotApp } from '../app/bot-app.js';
import { Reminders } from './reminders.js';
import type { RetentionJob } from './retention.js';

/** The bot's clockwork, all on node-cron, each task protected against overlapping runs. */
export function startJobs(app: BotApp, retention: RetentionJob): ScheduledTask[] {
  const { ctx } = app;
  const timezone = ctx.config.timezone;
  const guarded = (name: string, fn: () => Promise<unknown>) => async () => {
    try {
      await fn();
    } catch (error) {
      ctx.log.error({ err: error, job: name }, 'job failed');
    }
  };
  const reminders = new Reminders(ctx);
  return [
    // Scheduled openings and retries of sessions BBB did not confirm: every 15 seconds.
    cron.schedule(
      '*/15 * * * * *',
      guarded('openings', () => app.tick()),
      { name: 'openings', noOverlap: true, timezone },
    ),
    // Reminders before --at meetings (reminders.minutesBefore): checked every 15 seconds.
    cron.schedule(
      '*/15 * * * * *',
      guarded('reminders', () => reminders.run()),
      { name: 'reminders', noOverlap: true, timezone },
    ),
    cron.schedule(
      ctx.config.retention.discoverySchedule,
      guarded('discovery', async () => {
        await app.discovery.closeEndedMeetings();
        await app.discovery.discoverAll();
      }),
      { name: 'discovery', noOverlap: true, timezone },
    ),
    cron.schedule(
      ctx.config.retention.purgeSchedule,
      guarded('retention', () => retention.run()),
      {
        name: 'retention',
        noOverlap: true,
        timezone,
      },
    ),
  ];
}
