CREATE TABLE `dm_prompts` (
	`meeting_id` integer NOT NULL,
	`user_id` text NOT NULL,
	`room_id` text NOT NULL,
	`event_id` text NOT NULL,
	`posted_at` integer NOT NULL,
	`shown` text,
	PRIMARY KEY(`meeting_id`, `user_id`),
	FOREIGN KEY (`meeting_id`) REFERENCES `meetings`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `dm_prompts_event_id_unique` ON `dm_prompts` (`event_id`);--> statement-breakpoint
CREATE INDEX `dm_prompts_user` ON `dm_prompts` (`user_id`);--> statement-breakpoint
ALTER TABLE `meetings` ADD `consent_ask` text DEFAULT 'room' NOT NULL;