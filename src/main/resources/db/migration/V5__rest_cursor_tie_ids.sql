-- The REST mark keeps every id taken at its updatedAt (a JSON array), not one id: tied items are
-- then recognised whatever order the source gives their ids.
ALTER TABLE rest_cursor ALTER COLUMN mark_id SET DATA TYPE TEXT;
