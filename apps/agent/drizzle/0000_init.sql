CREATE TABLE `alerts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`time` integer NOT NULL,
	`server` text NOT NULL,
	`origin_id` integer NOT NULL,
	`module` text NOT NULL,
	`event_id` integer NOT NULL,
	`level` text NOT NULL,
	`key` text NOT NULL,
	`args_json` text NOT NULL,
	`message` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `alerts_origin` ON `alerts` (`server`,`origin_id`);--> statement-breakpoint
CREATE TABLE `audit` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`time` integer NOT NULL,
	`actor` text NOT NULL,
	`operation` text NOT NULL,
	`params_json` text NOT NULL,
	`outcome` text NOT NULL,
	`message` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `config_versions` (
	`version` integer PRIMARY KEY NOT NULL,
	`hash` text NOT NULL,
	`config_json` text NOT NULL,
	`applied_by` text NOT NULL,
	`applied_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `settings` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL
);
