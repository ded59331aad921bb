CREATE TABLE `neighbour_councils` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`slug` text NOT NULL,
	`name` text NOT NULL,
	`website_url` text DEFAULT '' NOT NULL,
	`sort_order` integer DEFAULT 0 NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsecond') * 1000 as integer)) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `neighbour_councils_slug_unique` ON `neighbour_councils` (`slug`);--> statement-breakpoint
CREATE TABLE `neighbour_items` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`source_id` integer NOT NULL,
	`council_id` integer NOT NULL,
	`item_key` text NOT NULL,
	`title` text NOT NULL,
	`summary` text DEFAULT '' NOT NULL,
	`link` text,
	`published_at` integer,
	`expires_at` integer,
	`area` text,
	`service_slug` text,
	`first_seen_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`source_id`) REFERENCES `neighbour_sources`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`council_id`) REFERENCES `neighbour_councils`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `neighbour_items_council_key` ON `neighbour_items` (`council_id`,`item_key`);--> statement-breakpoint
CREATE INDEX `neighbour_items_service` ON `neighbour_items` (`service_slug`,`published_at`);--> statement-breakpoint
CREATE INDEX `neighbour_items_source` ON `neighbour_items` (`source_id`);--> statement-breakpoint
CREATE TABLE `neighbour_sources` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`council_id` integer NOT NULL,
	`title` text NOT NULL,
	`url` text NOT NULL,
	`paused` integer DEFAULT false NOT NULL,
	`etag` text,
	`last_modified` text,
	`last_polled_at` integer,
	`last_success_at` integer,
	`last_error` text,
	`consecutive_failures` integer DEFAULT 0 NOT NULL,
	`next_poll_at` integer,
	`created_at` integer DEFAULT (cast(unixepoch('subsecond') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`council_id`) REFERENCES `neighbour_councils`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `neighbour_sources_council_url` ON `neighbour_sources` (`council_id`,`url`);--> statement-breakpoint
CREATE INDEX `neighbour_sources_due` ON `neighbour_sources` (`paused`,`next_poll_at`);--> statement-breakpoint
CREATE TABLE `service_keywords` (
	`service_id` integer NOT NULL,
	`phrase` text NOT NULL,
	PRIMARY KEY(`service_id`, `phrase`),
	FOREIGN KEY (`service_id`) REFERENCES `services`(`id`) ON UPDATE no action ON DELETE no action
);
