-- Whether the hub database's last run ended with an orderly close (HubDatabaseRecovery): after one
-- that did not (SIGKILL, power loss), embedded H2's indexes are built again from their rows before
-- the hub uses them. restore_ddl holds the statements that add foreign keys back while a rebuild has
-- them dropped, so that a crash in the middle of it loses none.
CREATE TABLE store_run (
    id          INTEGER        NOT NULL PRIMARY KEY,
    opened_at   TIMESTAMP      NOT NULL,
    closed_at   TIMESTAMP,
    restore_ddl VARCHAR(1000000)
);
