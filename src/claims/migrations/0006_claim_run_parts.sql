-- 0006_claim_run_parts: a large run submitted through the API is screened in partitions by patient hash, each a
-- deferred job ("claims.screen_part") taken by lease by any `serve` on the database. A partition's flags, its
-- row here and its physicians' denominators are written in one transaction guarded by this row's state, so a
-- partition re-run after its lease expired stores nothing twice and loses nothing; the last partition to finish
-- sums claim_run_part_physicians into claim_run_physicians (the merge step for what spans patients).
CREATE TABLE claim_run_parts (
  run_id BIGINT NOT NULL REFERENCES claim_run_jobs(id),
  part INTEGER NOT NULL,              -- 0 .. parts-1: fnv1a(patient_id) mod parts
  state TEXT NOT NULL,                -- queued | done
  line_count BIGINT NOT NULL DEFAULT 0,
  flag_count BIGINT NOT NULL DEFAULT 0,
  record_count BIGINT NOT NULL DEFAULT 0,
  finished_at BIGINT,
  region_code TEXT NOT NULL REFERENCES regions(code),
  department TEXT NOT NULL,           -- 'insurance'
  PRIMARY KEY (run_id, part)
);
CREATE TABLE claim_run_part_physicians (
  run_id BIGINT NOT NULL,
  part INTEGER NOT NULL,
  physician_id TEXT NOT NULL,
  institution_code TEXT NOT NULL,
  dept_code TEXT NOT NULL,
  lines BIGINT NOT NULL,
  claims BIGINT NOT NULL,             -- a claim is one patient's, so partitions' claims are disjoint: sums are exact
  amount_fen BIGINT NOT NULL,
  region_code TEXT NOT NULL REFERENCES regions(code),
  department TEXT NOT NULL,
  PRIMARY KEY (run_id, part, institution_code, physician_id)
);
