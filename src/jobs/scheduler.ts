import cron, { type ScheduledTask } from 'node-cron';
import type { BotApp } from '../app/bot-app.js';

/**
 * The bot's clockwork, all on node-cron, each task protected against overlapping runs. Only when: what
 * each job does lives in src/app.
 */
export function startJobs(app: BotApp): ScheduledTask[] {
  const { ctx } = app;
  const timezone = ctx.config.timezone;
  const guarded = (name: string, fn: () => Promise<unknown>) => async () => {
    try {
      await fn();
    } catch (error) {
      ctx.log.error({ err: error, job: name }, 'job failed');
    }
  };
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
      guarded('reminders', () => app.reminders.run()),
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
      guarded('retention', () => app.retention.run()),
      {
        name: 'retention',
        noOverlap: true,
        timezone,
      },
    ),
  ];
}
