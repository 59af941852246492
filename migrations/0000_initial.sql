CREATE TABLE `audit_log` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`at` integer NOT NULL,
	`actor_id` text NOT NULL,
	`action` text NOT NULL,
	`meeting_id` integer,
	`subject_id` text,
	`details` text
);
--> statement-breakpoint
CREATE INDEX `audit_subject` ON `audit_log` (`subject_id`);--> statement-breakpoint
CREATE INDEX `audit_meeting` ON `audit_log` (`meeting_id`);--> statement-breakpoint
CREATE TABLE `consent_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`meeting_id` integer NOT NULL,
	`user_id` text NOT NULL,
	`kind` text NOT NULL,
	`at` integer NOT NULL,
	`matrix_event_id` text,
	`reaction_event_id` text,
	`notice_sha256` text NOT NULL,
	`actor_id` text NOT NULL,
	`source` text NOT NULL,
	FOREIGN KEY (`meeting_id`) REFERENCES `meetings`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `consent_events_matrix_event_id_unique` ON `consent_events` (`matrix_event_id`);--> statement-breakpoint
CREATE INDEX `consent_meeting_user` ON `consent_events` (`meeting_id`,`user_id`,`id`);--> statement-breakpoint
CREATE TABLE `direct_rooms` (
	`user_id` text PRIMARY KEY NOT NULL,
	`room_id` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `invitees` (
	`meeting_id` integer NOT NULL,
	`user_id` text NOT NULL,
	`display_name` text NOT NULL,
	`is_organizer` integer DEFAULT false NOT NULL,
	`added_at` integer NOT NULL,
	`added_by` text NOT NULL,
	PRIMARY KEY(`meeting_id`, `user_id`),
	FOREIGN KEY (`meeting_id`) REFERENCES `meetings`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `invitees_user` ON `invitees` (`user_id`);--> statement-breakpoint
CREATE TABLE `kv` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `link_deliveries` (
	`session_id` integer NOT NULL,
	`user_id` text NOT NULL,
	`delivered_at` integer NOT NULL,
	`room_id` text NOT NULL,
	PRIMARY KEY(`session_id`, `user_id`),
	FOREIGN KEY (`session_id`) REFERENCES `sessions`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `meetings` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`room_id` text NOT NULL,
	`title` text NOT NULL,
	`organizer_id` text NOT NULL,
	`state` text NOT NULL,
	`no_record` integer DEFAULT false NOT NULL,
	`language` text NOT NULL,
	`notice_sha256` text NOT NULL,
	`command_event_id` text NOT NULL,
	`scheduled_at` integer,
	`created_at` integer NOT NULL,
	`notice_event_id` text,
	`prompt_event_id` text,
	`tally_event_id` text,
	`opened_at` integer,
	`opened_by` text,
	`closed_at` integer,
	FOREIGN KEY (`notice_sha256`) REFERENCES `notices`(`sha256`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `meetings_command_event_id_unique` ON `meetings` (`command_event_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `meetings_prompt_event_id_unique` ON `meetings` (`prompt_event_id`);--> statement-breakpoint
CREATE INDEX `meetings_room_state` ON `meetings` (`room_id`,`state`);--> statement-breakpoint
CREATE TABLE `notices` (
	`sha256` text PRIMARY KEY NOT NULL,
	`language` text NOT NULL,
	`text` text NOT NULL,
	`first_used_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `processed_events` (
	`event_id` text PRIMARY KEY NOT NULL,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `recordings` (
	`record_id` text PRIMARY KEY NOT NULL,
	`session_id` integer NOT NULL,
	`meeting_id` integer NOT NULL,
	`state` text NOT NULL,
	`start_time` integer,
	`discovered_at` integer NOT NULL,
	`ready_at` integer,
	`ready_announced_at` integer,
	`delete_after` integer,
	`purge_reason` text,
	`purge_requested_at` integer,
	`purged_at` integer,
	`attempts` integer DEFAULT 0 NOT NULL,
	`last_error` text,
	FOREIGN KEY (`session_id`) REFERENCES `sessions`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`meeting_id`) REFERENCES `meetings`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `recordings_state` ON `recordings` (`state`);--> statement-breakpoint
CREATE INDEX `recordings_meeting` ON `recordings` (`meeting_id`);--> statement-breakpoint
CREATE TABLE `room_notes` (
	`room_id` text NOT NULL,
	`note` text NOT NULL,
	`at` integer NOT NULL,
	PRIMARY KEY(`room_id`, `note`)
);
--> statement-breakpoint
CREATE TABLE `sessions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`meeting_id` integer NOT NULL,
	`bbb_meeting_id` text NOT NULL,
	`internal_meeting_id` text,
	`create_time` text,
	`record` integer NOT NULL,
	`created_at` integer NOT NULL,
	`confirmed_at` integer,
	`announced_at` integer,
	`ended_at` integer,
	`end_reason` text,
	FOREIGN KEY (`meeting_id`) REFERENCES `meetings`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `sessions_bbb_meeting_id_unique` ON `sessions` (`bbb_meeting_id`);--> statement-breakpoint
CREATE INDEX `sessions_meeting` ON `sessions` (`meeting_id`);