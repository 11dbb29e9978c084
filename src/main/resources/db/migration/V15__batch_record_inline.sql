-- Each record is stored once, inline with its row: on H2, TEXT is a CLOB kept in separate LOB maps
-- (three more writes per record); CHARACTER VARYING of up to 1,000,000 characters is kept in the row.
-- PostgreSQL keeps either inline (TOAST beyond 2 KB) and accepts the same statement.
ALTER TABLE batch_record ALTER COLUMN record SET DATA TYPE VARCHAR(1000000);
-- Repeats are looked up by source and key, the leading columns of uq_batch_record_repeat (V9): the
-- index by content hash alone cost a random write per record and served nothing else.
DROP INDEX ix_batch_record_hash;
