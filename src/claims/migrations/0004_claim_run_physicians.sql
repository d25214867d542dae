-- 0004_claim_run_physicians: what each physician (医保医师) billed in a run, per institution — lines,
-- claims and amount screened — the denominators of physician monitoring's flag rates
-- (GET /api/v1/claims/physicians); written with the run, removed with it.
CREATE TABLE claim_run_physicians (
  run_id BIGINT NOT NULL REFERENCES claim_runs(id),
  physician_id TEXT NOT NULL,
  institution_code TEXT NOT NULL,
  dept_code TEXT NOT NULL,            -- the department of the physician's first line in the run
  lines BIGINT NOT NULL,
  claims BIGINT NOT NULL,
  amount_fen BIGINT NOT NULL,
  region_code TEXT NOT NULL REFERENCES regions(code),
  department TEXT NOT NULL,           -- 'insurance'
  PRIMARY KEY (run_id, institution_code, physician_id)
);
