-- Files in an FTP drop folder that the hub does not take yet (no done marker, an upload in progress,
-- a marker without its file, a name outside the source's pattern), with why and since when: health
-- and /api/admin/sources list them, and "since" survives a restart. A row goes when the file does.
CREATE TABLE source_file_waiting (
    source_id   VARCHAR(100)  NOT NULL,
    file_name   VARCHAR(500)  NOT NULL,
    reason      VARCHAR(1000) NOT NULL,
    file_size   BIGINT,
    since       TIMESTAMP     NOT NULL,
    PRIMARY KEY (source_id, file_name)
);
