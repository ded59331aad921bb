ALTER TABLE `neighbour_sources` ADD `kind` text DEFAULT 'council' NOT NULL;--> statement-breakpoint
ALTER TABLE `neighbour_sources` ADD `region` text;--> statement-breakpoint
ALTER TABLE `neighbour_sources` ADD `last_note` text;