CREATE TABLE `import_runs` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` integer,
	`service_id` integer NOT NULL,
	`source` text NOT NULL,
	`file_name` text NOT NULL,
	`plan` text NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsecond') * 1000 as integer)) NOT NULL,
	`applied_at` integer,
	`change_set_id` integer,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`service_id`) REFERENCES `services`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`change_set_id`) REFERENCES `change_sets`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `setting_revisions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`key` text NOT NULL,
	`value` text NOT NULL,
	`summary` text NOT NULL,
	`author_account_id` integer,
	`created_at` integer DEFAULT (cast(unixepoch('subsecond') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`author_account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `setting_revisions_key` ON `setting_revisions` (`key`,`id`);--> statement-breakpoint
ALTER TABLE `services` ADD `statuses` text;--> statement-breakpoint
ALTER TABLE `services` ADD `retired` integer DEFAULT false NOT NULL;