-- Incremental pull state of each REST source (rest-source route template). The mark is the
-- (updatedAt, id) of the last item taken, in the source's order: items with an equal updatedAt are
-- ordered by id, so none is skipped or taken twice. next_cursor is the source's own cursor for the
-- next page while a pull is unfinished (NULL once caught up). Nothing here moves before the items
-- of a page are all on the broker or in quarantine.
CREATE TABLE rest_cursor (
    source_id        VARCHAR(100)  NOT NULL PRIMARY KEY,
    mark_updated_at  VARCHAR(64),
    mark_id          VARCHAR(200),
    next_cursor      VARCHAR(2000),
    pages            BIGINT        NOT NULL,
    items            BIGINT        NOT NULL,
    failures         INTEGER       NOT NULL,
    last_error       VARCHAR(2000),
    last_error_at    TIMESTAMP,
    last_success_at  TIMESTAMP,
    next_attempt_at  TIMESTAMP,
    changed_at       TIMESTAMP     NOT NULL
);
