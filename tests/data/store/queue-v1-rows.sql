-- A queue written by curator's schema version 1 (before AUTOINCREMENT): link 3, a short
-- link, was merged into link 1 and its row deleted; link 2 is in issue #1.
-- Loaded after tests/data/store/schema-1.sql (the schema at user_version 1).
INSERT INTO issue VALUES(1,1,'2023-12-27 09:00:00.000000','2023-12-27 09:00:00.000000','2023-12-27 09:00:00.000000');
INSERT INTO link VALUES(1,'https://example.com/story','https://example.com/story','https://example.com/story','link',NULL,'Story',NULL,NULL,NULL,'[]',NULL,NULL,NULL,NULL,'2023-12-27 09:00:00.000000','done',NULL,0,NULL,'2023-12-27 09:00:00.000000','pick',NULL,NULL,NULL,NULL,NULL,NULL);
INSERT INTO link VALUES(2,'https://example.com/other','https://example.com/other','https://example.com/other','link',NULL,'Other',NULL,NULL,NULL,'[]',NULL,NULL,NULL,NULL,'2023-12-27 09:00:00.000000','pending',NULL,0,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1);
INSERT INTO sighting VALUES(1,1,'Example feed','https://example.com/story','2023-12-27 09:00:00.000000',NULL);
INSERT INTO sighting VALUES(2,2,'Example feed','https://example.com/other','2023-12-27 09:00:00.000000',NULL);
INSERT INTO sighting VALUES(3,1,'manual','https://short.example/x1','2023-12-27 09:00:00.000000',NULL);
INSERT INTO issueitem VALUES(1,1,2,'Other interesting stuff',1);
