CREATE TABLE `deliveries` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`key` text NOT NULL,
	`purpose` text NOT NULL,
	`recipient_kind` text NOT NULL,
	`recipient_id` integer NOT NULL,
	`event_id` integer,
	`event_ids` text,
	`state` text DEFAULT 'queued' NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer NOT NULL,
	`lease_owner` text,
	`lease_until` integer,
	`last_error` text,
	`last_response` text,
	`sent_at` integer,
	`created_at` integer DEFAULT (cast(unixepoch('subsecond') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`event_id`) REFERENCES `notification_events`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `deliveries_key_unique` ON `deliveries` (`key`);--> statement-breakpoint
CREATE INDEX `deliveries_due` ON `deliveries` (`state`,`next_attempt_at`);--> statement-breakpoint
CREATE INDEX `deliveries_recipient` ON `deliveries` (`recipient_kind`,`recipient_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `digest_items` (
	`subscriber_id` integer NOT NULL,
	`event_id` integer NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsecond') * 1000 as integer)) NOT NULL,
	PRIMARY KEY(`subscriber_id`, `event_id`),
	FOREIGN KEY (`subscriber_id`) REFERENCES `subscribers`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`event_id`) REFERENCES `notification_events`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `notification_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`kind` text NOT NULL,
	`key` text,
	`from_seq` integer,
	`to_seq` integer,
	`place_id` integer,
	`revision_id` integer,
	`suggestion_id` integer,
	`neighbour_item_id` integer,
	`occurred_at` integer NOT NULL,
	`fanned_out_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `notification_events_key_unique` ON `notification_events` (`key`);--> statement-breakpoint
CREATE INDEX `notification_events_pending` ON `notification_events` (`fanned_out_at`,`id`);--> statement-breakpoint
CREATE INDEX `notification_events_to_seq` ON `notification_events` (`to_seq`);--> statement-breakpoint
CREATE TABLE `staff_notification_preferences` (
	`account_id` integer PRIMARY KEY NOT NULL,
	`suggestion_waiting_minutes` integer,
	`neighbour_uncovered` integer DEFAULT false NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `subscribers` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`channel` text NOT NULL,
	`email` text,
	`push_endpoint` text,
	`push_keys` text,
	`token_hash` text NOT NULL,
	`token_salt` text NOT NULL,
	`frequency` text DEFAULT 'immediate' NOT NULL,
	`digest_time` text DEFAULT '06:30' NOT NULL,
	`confirmed_at` integer,
	`last_digest_day` text,
	`created_at` integer DEFAULT (cast(unixepoch('subsecond') * 1000 as integer)) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `subscribers_token_hash_unique` ON `subscribers` (`token_hash`);--> statement-breakpoint
CREATE UNIQUE INDEX `subscribers_email` ON `subscribers` (`email`);--> statement-breakpoint
CREATE UNIQUE INDEX `subscribers_push_endpoint` ON `subscribers` (`push_endpoint`);--> statement-breakpoint
CREATE TABLE `subscriptions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`subscriber_id` integer NOT NULL,
	`target_kind` text NOT NULL,
	`target_id` integer DEFAULT 0 NOT NULL,
	`ward` text DEFAULT '' NOT NULL,
	`confirmed_at` integer,
	`created_at` integer DEFAULT (cast(unixepoch('subsecond') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`subscriber_id`) REFERENCES `subscribers`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `subscriptions_unique` ON `subscriptions` (`subscriber_id`,`target_kind`,`target_id`,`ward`);--> statement-breakpoint
CREATE INDEX `subscriptions_target` ON `subscriptions` (`target_kind`,`target_id`);--> statement-breakpoint
CREATE TABLE `webhook_attempts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`webhook_id` integer NOT NULL,
	`delivery_id` integer NOT NULL,
	`attempt` integer NOT NULL,
	`http_status` integer,
	`error` text,
	`duration_ms` integer NOT NULL,
	`attempted_at` integer NOT NULL,
	FOREIGN KEY (`webhook_id`) REFERENCES `webhooks`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`delivery_id`) REFERENCES `deliveries`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `webhook_attempts_hook` ON `webhook_attempts` (`webhook_id`,`attempted_at`);--> statement-breakpoint
CREATE TABLE `webhooks` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`url` text NOT NULL,
	`secret` text NOT NULL,
	`service_slugs` text DEFAULT '[]' NOT NULL,
	`active` integer DEFAULT true NOT NULL,
	`created_by_account_id` integer,
	`created_at` integer DEFAULT (cast(unixepoch('subsecond') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`created_by_account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
ALTER TABLE `suggestions` ADD `contact_token` text;--> statement-breakpoint
-- Everything published before notifications existed has been announced already: a baseline
-- event covers it, so the delivery worker starts from the next publish.
INSERT INTO `notification_events` (`kind`, `from_seq`, `to_seq`, `occurred_at`, `fanned_out_at`)
SELECT 'baseline', 1, coalesce(max(`publish_seq`), 0), cast(unixepoch('subsecond') * 1000 as integer), cast(unixepoch('subsecond') * 1000 as integer) FROM `revisions`;
