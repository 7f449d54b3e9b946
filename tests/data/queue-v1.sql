-- A queue written by curator's schema version 1 (before AUTOINCREMENT): link 3, a short
-- link, was merged into link 1 and its row deleted; link 2 is in issue #1.
PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
CREATE TABLE sourcestate (
	id INTEGER NOT NULL, 
	kind VARCHAR NOT NULL, 
	ref VARCHAR NOT NULL, 
	name VARCHAR NOT NULL, 
	etag VARCHAR, 
	last_modified VARCHAR, 
	last_fetched DATETIME, 
	last_status VARCHAR, 
	last_error VARCHAR, 
	failures INTEGER NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (kind, ref)
);
CREATE TABLE issue (
	id INTEGER NOT NULL, 
	number INTEGER NOT NULL, 
	published_at DATETIME NOT NULL, 
	since DATETIME NOT NULL, 
	until DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (number)
);
INSERT INTO issue VALUES(1,1,'2023-12-27 09:00:00.000000','2023-12-27 09:00:00.000000','2023-12-27 09:00:00.000000');
CREATE TABLE link (
	id INTEGER NOT NULL, 
	"key" VARCHAR NOT NULL, 
	url VARCHAR NOT NULL, 
	canonical_url VARCHAR NOT NULL, 
	kind VARCHAR NOT NULL, 
	arxiv_id VARCHAR, 
	title VARCHAR, 
	summary VARCHAR, 
	source VARCHAR, 
	site_name VARCHAR, 
	authors JSON NOT NULL, 
	published DATETIME, 
	category VARCHAR, 
	code_url VARCHAR, 
	note VARCHAR, 
	first_seen DATETIME NOT NULL, 
	status VARCHAR NOT NULL, 
	error VARCHAR, 
	attempts INTEGER NOT NULL, 
	next_attempt_at DATETIME, 
	enriched_at DATETIME, 
	decision VARCHAR, 
	section VARCHAR, 
	position INTEGER, 
	user_title VARCHAR, 
	user_summary VARCHAR, 
	user_url VARCHAR, 
	issue_id INTEGER, 
	PRIMARY KEY (id), 
	UNIQUE ("key"), 
	FOREIGN KEY(issue_id) REFERENCES issue (id)
);
INSERT INTO link VALUES(1,'https://example.com/story','https://example.com/story','https://example.com/story','link',NULL,'Story',NULL,NULL,NULL,'[]',NULL,NULL,NULL,NULL,'2023-12-27 09:00:00.000000','done',NULL,0,NULL,'2023-12-27 09:00:00.000000','pick',NULL,NULL,NULL,NULL,NULL,NULL);
INSERT INTO link VALUES(2,'https://example.com/other','https://example.com/other','https://example.com/other','link',NULL,'Other',NULL,NULL,NULL,'[]',NULL,NULL,NULL,NULL,'2023-12-27 09:00:00.000000','pending',NULL,0,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1);
CREATE TABLE sighting (
	id INTEGER NOT NULL, 
	link_id INTEGER NOT NULL, 
	source VARCHAR NOT NULL, 
	url VARCHAR NOT NULL, 
	seen_at DATETIME NOT NULL, 
	note VARCHAR, 
	PRIMARY KEY (id), 
	FOREIGN KEY(link_id) REFERENCES link (id)
);
INSERT INTO sighting VALUES(1,1,'Example feed','https://example.com/story','2023-12-27 09:00:00.000000',NULL);
INSERT INTO sighting VALUES(2,2,'Example feed','https://example.com/other','2023-12-27 09:00:00.000000',NULL);
INSERT INTO sighting VALUES(3,1,'manual','https://short.example/x1','2023-12-27 09:00:00.000000',NULL);
CREATE TABLE issueitem (
	id INTEGER NOT NULL, 
	issue_id INTEGER NOT NULL, 
	link_id INTEGER NOT NULL, 
	section VARCHAR NOT NULL, 
	position INTEGER NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(issue_id) REFERENCES issue (id), 
	FOREIGN KEY(link_id) REFERENCES link (id)
);
INSERT INTO issueitem VALUES(1,1,2,'Other interesting stuff',1);
CREATE INDEX ix_link_first_seen ON link (first_seen);
CREATE INDEX ix_link_issue_id ON link (issue_id);
CREATE INDEX ix_link_decision ON link (decision);
CREATE INDEX ix_link_status ON link (status);
CREATE INDEX ix_sighting_link_id ON sighting (link_id);
CREATE INDEX ix_issueitem_issue_id ON issueitem (issue_id);
CREATE INDEX ix_issueitem_link_id ON issueitem (link_id);
COMMIT;
PRAGMA user_version=1;
