-- Weekly resumption report 每周复工复产情况 (org.govhub.report).

-- The facts of every EnterpriseFiling version the hub holds, one row per batch_record row, so that
-- a week is aggregated with GROUP BY instead of parsing JSON. A filing (source_id, record_key) has
-- one row per version; the version current at a cut-off T is the one with
-- valid_from < T AND (valid_to IS NULL OR valid_to >= T). Times are epoch milliseconds (no time
-- zone in the column), dates are yyyymmdd integers (the dates as the filing gives them).
CREATE TABLE report_filing_fact (
    record_id          BIGINT       NOT NULL PRIMARY KEY,   -- batch_record.id
    source_id          VARCHAR(100) NOT NULL,
    record_key         VARCHAR(200) NOT NULL,
    valid_from         BIGINT       NOT NULL,               -- updatedAt of this version
    valid_to           BIGINT,                              -- updatedAt of the next version, NULL while current
    filed_at           BIGINT       NOT NULL,
    region_code        CHAR(6)      NOT NULL,               -- county
    city_code          CHAR(6)      NOT NULL,               -- prefecture-level city: 4 digits + 00
    industry_section   CHAR(1)      NOT NULL,
    priority_class     INTEGER      NOT NULL,
    above_designated   SMALLINT     NOT NULL,               -- 规上工业 1/0
    sme                SMALLINT     NOT NULL,               -- 中小企业 (MEDIUM, SMALL, MICRO) 1/0
    major_project      SMALLINT     NOT NULL,
    status             VARCHAR(20)  NOT NULL,
    planned_date       INTEGER,
    actual_date        INTEGER,
    employees_total    BIGINT       NOT NULL,
    employees_returned BIGINT       NOT NULL,
    capacity_percent   DECIMAL(5,2)
);
CREATE INDEX ix_report_fact_key ON report_filing_fact (source_id, record_key, valid_from);
-- no index on valid_from: a week takes most rows, and a full scan is faster than an index walk (H2 took the index, 4x slower)

-- How far the projection has read batch_record (ids below it may still be revisited for a while:
-- ids are handed out before commit, so a window behind the mark is re-read with NOT EXISTS).
CREATE TABLE report_projection (
    name     VARCHAR(50) NOT NULL PRIMARY KEY,
    last_id  BIGINT      NOT NULL
);

-- One row per generated report. A week's report is regenerated only on request; a regeneration
-- whose figures are identical (same data_sha256) is the same report and is not stored or sent again.
CREATE TABLE weekly_report (
    report_id     VARCHAR(60)  NOT NULL PRIMARY KEY,   -- resumption-2020-W07-r1
    week          VARCHAR(10)  NOT NULL,               -- ISO week 2020-W07
    revision      INTEGER      NOT NULL,
    week_start    DATE         NOT NULL,
    week_end      DATE         NOT NULL,
    generated_at  TIMESTAMP    NOT NULL,
    trigger_kind  VARCHAR(20)  NOT NULL,               -- SCHEDULE or API
    requested_by  VARCHAR(100),
    data_sha256   CHAR(64)     NOT NULL,
    filings       BIGINT       NOT NULL,
    directory     VARCHAR(1000) NOT NULL,
    manifest      TEXT         NOT NULL,
    CONSTRAINT uq_weekly_report_revision UNIQUE (week, revision)
);

-- Delivery of a report to each target (national platform, DRC/MIIT FTP drop, archive folder).
-- PENDING → DELIVERED, or RETRYING (attempts, next_attempt_at, last_error) → … → FAILED after the
-- last attempt; FAILED waits for an operator's re-send (back to PENDING with fresh attempts).
CREATE TABLE report_delivery (
    report_id        VARCHAR(60)   NOT NULL REFERENCES weekly_report (report_id),
    target           VARCHAR(40)   NOT NULL,
    status           VARCHAR(20)   NOT NULL,
    attempts         INTEGER       NOT NULL,
    next_attempt_at  TIMESTAMP,
    last_error       VARCHAR(2000),
    delivered_at     TIMESTAMP,
    receipt          VARCHAR(500),
    updated_at       TIMESTAMP     NOT NULL,
    PRIMARY KEY (report_id, target)
);
CREATE INDEX ix_report_delivery_status ON report_delivery (status, next_attempt_at);
