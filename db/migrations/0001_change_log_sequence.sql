ALTER TABLE `revisions` ADD `publish_seq` integer;--> statement-breakpoint
CREATE UNIQUE INDEX `revisions_publish_seq` ON `revisions` (`publish_seq`);