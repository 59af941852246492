CREATE TABLE `consent_texts` (
	`sha256` text PRIMARY KEY NOT NULL,
	`notice_sha256` text NOT NULL,
	`language` text NOT NULL,
	`text` text NOT NULL,
	`first_used_at` integer NOT NULL,
	FOREIGN KEY (`notice_sha256`) REFERENCES `notices`(`sha256`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
ALTER TABLE `consent_events` ADD `consent_text_sha256` text;--> statement-breakpoint
ALTER TABLE `dm_prompts` ADD `consent_text_sha256` text;--> statement-breakpoint
ALTER TABLE `meetings` ADD `consent_text_sha256` text;