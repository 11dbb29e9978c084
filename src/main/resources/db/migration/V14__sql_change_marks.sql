-- SQL sources read by change time (sql-source.yaml, ChangePolling): two (changed, key) positions per
-- source, kept as text so that the next query binds them back exactly (nanoseconds, the key's kind).
-- The head reads every row after it; the tail reads rows again a late-commit window behind the
-- source's clock. Replaces the key watermark, which lost rows committed out of key order and updates.
CREATE TABLE sql_change_mark (
    source_id      VARCHAR(100)  NOT NULL PRIMARY KEY,
    head_at        VARCHAR(40)   NOT NULL,
    head_key       VARCHAR(250),
    tail_at        VARCHAR(40)   NOT NULL,
    tail_key       VARCHAR(250),
    head_moved_at  TIMESTAMP     NOT NULL,
    tail_moved_at  TIMESTAMP     NOT NULL
);
DROP TABLE source_watermark;
