-- Each record is stored once, inline with its row: on H2, TEXT is a CLOB kept in separate LOB maps
-- (three more writes per record); CHARACTER VARYING of up to 1,000,000 characters is kept in the row.
-- PostgreSQL keeps either inline (TOAST beyond 2 KB) and accepts the same statement.
ALTER TABLE batch_record ALTER COLUMN record SET DATA TYPE VARCHAR(1000000);
-- Repeats are looked up by source and key, the leading columns of uq_batch_record_repeat (V9): the
-- index by content hash alone cost a random write per record and served nothing else.
DROP INDEX ix_batch_record_hash;
-- The key first: H2 looks up "source_record_key IN (…) AND source_id = ?" (a drain's records, one
-- query) by both columns only when the IN column leads the index; with source_id first it read every
-- record of the source.
ALTER TABLE batch_record DROP CONSTRAINT uq_batch_record_repeat;
ALTER TABLE batch_record ADD CONSTRAINT uq_batch_record_repeat UNIQUE (source_record_key, source_id, content_hash);
-- Which enterprises a sealed batch's records are about: one row per batch, written when it is sealed,
-- instead of an index entry per record (a random write into a large index with every record). The
-- policy API looks up an enterprise in these lists (a few bytes per record to scan) and then reads the
-- records of the batches that name it, and of the open ones.
CREATE TABLE batch_enterprise (
    batch_id  VARCHAR(36)      NOT NULL PRIMARY KEY REFERENCES batch (batch_id),
    codes     VARCHAR(1000000) NOT NULL
);
INSERT INTO batch_enterprise (batch_id, codes)
    SELECT r.batch_id, ',' || STRING_AGG(DISTINCT r.enterprise_code, ',') || ','
    FROM batch_record r JOIN batch b ON b.batch_id = r.batch_id
    WHERE b.status <> 'OPEN' AND r.enterprise_code IS NOT NULL
    GROUP BY r.batch_id;
DROP INDEX ix_batch_record_enterprise;
