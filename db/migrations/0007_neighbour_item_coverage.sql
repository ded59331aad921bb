CREATE TABLE `neighbour_item_dismissals` (
	`item_id` integer PRIMARY KEY NOT NULL,
	`reason` text NOT NULL,
	`account_id` integer,
	`dismissed_at` integer NOT NULL,
	FOREIGN KEY (`item_id`) REFERENCES `neighbour_items`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `staff_feed_tokens` (
	`account_id` integer PRIMARY KEY NOT NULL,
	`token_hash` text NOT NULL,
	`created_at` integer NOT NULL,
	`last_used_at` integer,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `staff_feed_tokens_token_hash_unique` ON `staff_feed_tokens` (`token_hash`);--> statement-breakpoint
ALTER TABLE `services` ADD `coverage_urgent` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `services` ADD `show_neighbours` integer DEFAULT false NOT NULL;