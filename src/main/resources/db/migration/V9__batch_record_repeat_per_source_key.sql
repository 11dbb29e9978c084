-- A repeat is the same content from the same source under the same source key (a re-read after a
-- crash, a redelivery), not merely the same content: two declarations whose mapped fields happen to
-- be equal are two records, and both are shared.
ALTER TABLE batch_record DROP CONSTRAINT uq_batch_record_content;
ALTER TABLE batch_record ADD CONSTRAINT uq_batch_record_repeat UNIQUE (source_id, source_record_key, content_hash);
CREATE INDEX ix_batch_record_hash ON batch_record (content_hash);
