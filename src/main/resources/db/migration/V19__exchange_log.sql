-- The exchange log (issue 15, items 9-12; docs/exchange-log.md): one row per exchange or human
-- action, appended only. Each row carries the hash of the row before it and its own hash, signed
-- with the hub's Ed25519 key, so an export shows any row edited, deleted, inserted or reordered.
-- Time is kept as epoch milliseconds: what was hashed is what is read back, whatever the zone.
CREATE TABLE exchange_log (
    seq            BIGINT        NOT NULL PRIMARY KEY,
    logged_at_ms   BIGINT        NOT NULL,
    actor          VARCHAR(200)  NOT NULL,
    action         VARCHAR(200)  NOT NULL,
    resource       VARCHAR(1000) NOT NULL,
    department     VARCHAR(64),
    batch_id       VARCHAR(100),
    payload_sha256 VARCHAR(64),
    outcome        VARCHAR(2000) NOT NULL,
    prev_hash      VARCHAR(64)   NOT NULL,
    entry_hash     VARCHAR(64)   NOT NULL,
    signature      VARCHAR(200)  NOT NULL
);
CREATE INDEX ix_exchange_log_department ON exchange_log (department, seq);
CREATE INDEX ix_exchange_log_batch ON exchange_log (batch_id, seq);
CREATE INDEX ix_exchange_log_time ON exchange_log (logged_at_ms);

-- The chain's head: appends lock this one row (SELECT ... FOR UPDATE), so concurrent writers take
-- turns and every entry follows exactly one predecessor (no forks).
CREATE TABLE exchange_log_head (
    id        INTEGER     NOT NULL PRIMARY KEY,
    last_seq  BIGINT      NOT NULL,
    last_hash VARCHAR(64) NOT NULL
);
INSERT INTO exchange_log_head (id, last_seq, last_hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
