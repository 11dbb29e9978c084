-- The enterprise a batched record is about (its unified social credit code: creditCode, or subjectId
-- of an enterprise's credit record), indexed, so the policy API finds an enterprise's records
-- without reading every record the hub holds. Null for records about persons.
ALTER TABLE batch_record ADD COLUMN enterprise_code VARCHAR(18);
CREATE INDEX ix_batch_record_enterprise ON batch_record (enterprise_code);
