CREATE TABLE `guests` (
	`id` text PRIMARY KEY NOT NULL,
	`meeting_id` integer NOT NULL,
	`token_sha256` text NOT NULL,
	`display_name` text NOT NULL,
	`created_at` integer NOT NULL,
	`created_by` text NOT NULL,
	FOREIGN KEY (`meeting_id`) REFERENCES `meetings`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `guests_token_sha256_unique` ON `guests` (`token_sha256`);--> statement-breakpoint
CREATE INDEX `guests_meeting` ON `guests` (`meeting_id`);