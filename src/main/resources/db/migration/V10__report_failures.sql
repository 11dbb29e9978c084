-- A scheduled weekly report that could not be built (README "Weekly resumption report"): one row
-- per week while it fails, shown under `reports` in health (DOWN) and in /api/reports; the schedule
-- retries it after next_attempt_at (back-off doubling up to an hour). The row goes when the week's
-- report is stored.
CREATE TABLE report_failure (
    week             VARCHAR(10)   NOT NULL PRIMARY KEY,   -- ISO week 2020-W09
    attempts         INTEGER       NOT NULL,
    first_failed_at  TIMESTAMP     NOT NULL,
    last_failed_at   TIMESTAMP     NOT NULL,
    next_attempt_at  TIMESTAMP     NOT NULL,
    last_error       VARCHAR(2000) NOT NULL
);
