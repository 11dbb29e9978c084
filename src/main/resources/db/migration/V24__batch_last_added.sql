-- When a record last joined an open batch: a batch whose records stopped coming closes after
-- govhub.batch.max-idle (BatchAssembler.sealDue) instead of waiting out its age limit.
-- Batches opened before this version have none and count from opened_at.
ALTER TABLE batch ADD COLUMN last_added_at TIMESTAMP;
