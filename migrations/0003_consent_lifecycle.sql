CREATE TABLE `intents` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`key` text NOT NULL,
	`kind` text NOT NULL,
	`meeting_id` integer NOT NULL,
	`session_id` integer,
	`user_id` text,
	`created_at` integer NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`last_attempt_at` integer,
	`last_error` text,
	`done_at` integer,
	`outcome` text,
	FOREIGN KEY (`meeting_id`) REFERENCES `meetings`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `intents_key_unique` ON `intents` (`key`);--> statement-breakpoint
CREATE INDEX `intents_pending` ON `intents` (`done_at`,`kind`);--> statement-breakpoint
CREATE INDEX `intents_meeting` ON `intents` (`meeting_id`);--> statement-breakpoint
ALTER TABLE `sessions` ADD `state` text DEFAULT 'running' NOT NULL;--> statement-breakpoint
UPDATE `sessions` SET `state` = CASE
  WHEN `ended_at` IS NULL AND `confirmed_at` IS NULL THEN 'creating'
  WHEN `ended_at` IS NULL THEN 'running'
  WHEN `record` = 1 AND `confirmed_at` IS NOT NULL AND `end_reason` IN ('withdrawal', 'cancelled') THEN 'ending'
  ELSE 'ended'
END;--> statement-breakpoint
INSERT OR IGNORE INTO `intents` (`key`, `kind`, `meeting_id`, `session_id`, `created_at`)
  SELECT 'end:' || `id`, 'end-session', `meeting_id`, `id`, CAST(strftime('%s', 'now') AS integer) * 1000
  FROM `sessions` WHERE `state` = 'ending';--> statement-breakpoint
INSERT OR IGNORE INTO `intents` (`key`, `kind`, `meeting_id`, `created_at`)
  SELECT DISTINCT 'purge:' || s.`meeting_id`, 'purge-recordings', s.`meeting_id`, CAST(strftime('%s', 'now') AS integer) * 1000
  FROM `sessions` s JOIN `consent_events` c ON c.`meeting_id` = s.`meeting_id`
  WHERE s.`record` = 1 AND s.`confirmed_at` IS NOT NULL AND c.`kind` = 'withdraw' AND c.`at` >= s.`created_at`;
