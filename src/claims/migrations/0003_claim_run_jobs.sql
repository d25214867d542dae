-- 0003_claim_run_jobs: screening runs submitted through the API (POST /api/v1/claims/runs): the
-- uploaded claims file, streamed to the spool directory, screened by a deferred job
-- ("claims.screen_run") whose progress is this row; when done, the run and its flags are in
-- claim_runs/claim_flags under the same id.
CREATE TABLE claim_run_jobs (
  id BIGINT PRIMARY KEY,              -- = claim_runs.id once stored
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  actor TEXT NOT NULL,                -- user id of the submitter
  input_name TEXT NOT NULL,           -- the file name given (?name=), or 'upload.csv'
  input_path TEXT NOT NULL,           -- the spooled file (deleted when the run ends)
  bytes BIGINT NOT NULL,
  state TEXT NOT NULL,                -- queued | loading | screening | storing | done | failed
  done BIGINT NOT NULL DEFAULT 0,     -- flag records stored so far
  total BIGINT NOT NULL DEFAULT 0,    -- flag records to store (known once screened)
  line_count BIGINT,
  flag_count BIGINT,
  error TEXT,                         -- why it failed (Chinese)
  region_code TEXT NOT NULL REFERENCES regions(code),
  department TEXT NOT NULL            -- 'insurance'
);
CREATE INDEX claim_run_jobs_created ON claim_run_jobs(created_at, id);
