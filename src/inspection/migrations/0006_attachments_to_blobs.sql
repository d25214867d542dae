-- 0006_attachments_to_blobs: inspection's attachments move to the platform's content-addressed store
-- (platform 0011), replacing the base64 TEXT of inspection_blobs that was decoded whole in memory. The rows
-- move here; the contents are decoded into chunks by this migration's C step (yj_insp_blobs_migrate in blobs_migrate.c, run
-- by the inspection module's after-step), which then drops inspection_blobs. inspection_attachments is
-- rebuilt to reference blobs (SQLite cannot re-point a foreign key in place).
INSERT INTO blobs (sha256, size, chunks, created_at)
  SELECT sha256, size, (size + 262143) / 262144, 0 FROM inspection_blobs;
CREATE TABLE inspection_attachments_v2 (
  id BIGINT PRIMARY KEY,
  task_id BIGINT NOT NULL REFERENCES inspection_tasks(id),
  sha256 TEXT NOT NULL REFERENCES blobs(sha256),
  media_type TEXT NOT NULL,
  size BIGINT NOT NULL,
  name TEXT NOT NULL,
  region_code TEXT NOT NULL,
  department TEXT NOT NULL,
  actor TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  UNIQUE (task_id, sha256)
);
INSERT INTO inspection_attachments_v2 (id, task_id, sha256, media_type, size, name, region_code, department, actor,
  created_at)
  SELECT id, task_id, sha256, media_type, size, name, region_code, department, actor, created_at
  FROM inspection_attachments;
DROP TABLE inspection_attachments;
ALTER TABLE inspection_attachments_v2 RENAME TO inspection_attachments;
-- 0002's index, on the rebuilt table: the per-user quota sums sizes by actor.
CREATE INDEX inspection_attachments_actor ON inspection_attachments(actor, size);
