-- 0011_blobs: the content-addressed store of attachments and evidence (platform/attach/attach.h): each
-- content once by its SHA-256, in chunks of 256 KiB (BYTEA: a BLOB in SQLite, bytea in PostgreSQL), so every
-- process sees every file and a backup of the database holds them. Capabilities move their contents here in
-- their own migrations (inspection 0006).
CREATE TABLE blobs (
  sha256 TEXT PRIMARY KEY,
  size BIGINT NOT NULL,
  chunks BIGINT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE TABLE blob_chunks (
  sha256 TEXT NOT NULL REFERENCES blobs(sha256),
  seq BIGINT NOT NULL,
  data BYTEA NOT NULL,
  PRIMARY KEY (sha256, seq)
);
