-- 急用先行: batches are per schema AND priority class; delivery takes class 1 first.
ALTER TABLE batch ADD COLUMN priority_class INTEGER DEFAULT 3 NOT NULL;
CREATE INDEX ix_batch_due ON batch (status, priority_class, sealed_at);
