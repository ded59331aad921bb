CREATE TABLE `change_sets` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`kind` text NOT NULL,
	`summary` text NOT NULL,
	`author_account_id` integer,
	`undoes_change_set_id` integer,
	`created_at` integer DEFAULT (cast(unixepoch('subsecond') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`author_account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`undoes_change_set_id`) REFERENCES `change_sets`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `change_sets_created` ON `change_sets` (`created_at`);--> statement-breakpoint
CREATE UNIQUE INDEX `change_sets_undoes` ON `change_sets` (`undoes_change_set_id`);--> statement-breakpoint
ALTER TABLE `places` ADD `status_reason` text;--> statement-breakpoint
ALTER TABLE `places` ADD `expected_reopening_at` integer;--> statement-breakpoint
ALTER TABLE `revisions` ADD `change_set_id` integer REFERENCES change_sets(id);--> statement-breakpoint
CREATE INDEX `revisions_change_set` ON `revisions` (`change_set_id`);