ALTER TABLE `suggestions` ADD `kind` text DEFAULT 'change' NOT NULL;--> statement-breakpoint
ALTER TABLE `suggestions` ADD `reviewed_by_account_id` integer REFERENCES accounts(id);--> statement-breakpoint
CREATE UNIQUE INDEX `revisions_published_suggestion` ON `revisions` (`suggestion_id`) WHERE "revisions"."publish_seq" IS NOT NULL;