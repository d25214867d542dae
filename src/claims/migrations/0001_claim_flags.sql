-- 0001_claim_flags (global migration 6 before modules): review of claims screening (医保智能监控 疑点审核). A run is one `yijian screen --db`
-- over one claims file; each flag record is the part of one engine flag that falls on one claim (a
-- readmission spans two claims, card misuse two institutions), so amounts add up per institution.
-- Flags are the insurance department's business records: department = 'insurance' lets the query
-- builder apply department remits; region_code is the institution's (registry) or else the run's.
-- global-version: 6

CREATE TABLE claim_runs (
  id BIGINT PRIMARY KEY,
  started_at BIGINT NOT NULL,
  finished_at BIGINT,                 -- NULL until the last batch of flags committed (an interrupted run)
  input_name TEXT NOT NULL,           -- claims file name (without directories)
  input_sha256 TEXT NOT NULL,         -- hex SHA-256 of the claims file
  rules_sha256 TEXT NOT NULL,         -- hex SHA-256 of rules.csv followed by item_lists.csv
  rule_count INTEGER NOT NULL,
  line_count BIGINT NOT NULL,         -- claim lines screened
  flag_count BIGINT NOT NULL,         -- engine flags (as FLAGS.csv's distinct flag_id)
  flagged_lines BIGINT NOT NULL,      -- rows of FLAGS.csv
  record_count BIGINT NOT NULL,       -- rows of claim_flags
  amount_fen BIGINT NOT NULL,         -- sum of amount at stake
  actor TEXT NOT NULL,                -- 'cli:<user>'
  region_code TEXT NOT NULL REFERENCES regions(code),
  department TEXT NOT NULL            -- 'insurance'
);
CREATE INDEX claim_runs_started ON claim_runs(started_at, id);

CREATE TABLE claim_flags (
  id BIGINT PRIMARY KEY,
  run_id BIGINT NOT NULL REFERENCES claim_runs(id),
  flag_id BIGINT NOT NULL,            -- the engine's flag id within the run (FLAGS.csv flag_id)
  rule_id TEXT NOT NULL,
  rule_type TEXT NOT NULL,
  result_type TEXT NOT NULL,          -- definite 明确 | suspicious 可疑
  claim_id TEXT NOT NULL,
  line_nos TEXT NOT NULL,             -- the claim's flagged line numbers, comma-separated
  service_date TEXT NOT NULL,         -- of the first flagged line, YYYY-MM-DD
  item_code TEXT NOT NULL,            -- of the first flagged line
  institution_code TEXT NOT NULL,     -- 统一社会信用代码
  physician_id TEXT NOT NULL,
  patient_cipher TEXT NOT NULL,       -- patient id encrypted with the pii key (never stored in clear)
  patient_hash TEXT NOT NULL,         -- keyed hash, for lookup by patient
  patient_masked TEXT NOT NULL,
  amount_fen BIGINT NOT NULL,         -- amount at stake, fen
  message TEXT NOT NULL,              -- Chinese evidence of the first flagged line
  region_code TEXT NOT NULL,
  department TEXT NOT NULL,           -- 'insurance'
  state TEXT NOT NULL,                -- pending 待审核 | confirmed 确认 | dismissed 排除
  reviewer TEXT,                      -- user id of the last review
  reviewed_at BIGINT,
  reason TEXT
);
CREATE INDEX claim_flags_run ON claim_flags(run_id, id);
CREATE INDEX claim_flags_inst ON claim_flags(institution_code, id);
CREATE INDEX claim_flags_phys ON claim_flags(physician_id, id);
CREATE INDEX claim_flags_state ON claim_flags(state, id);
CREATE INDEX claim_flags_region ON claim_flags(region_code, id);
CREATE INDEX claim_flags_patient ON claim_flags(patient_hash);

-- Every review decision, so a reopened flag keeps the reasons given before (the audit log keeps only hashes).
CREATE TABLE claim_flag_reviews (
  id BIGINT PRIMARY KEY,
  claim_flag_id BIGINT NOT NULL REFERENCES claim_flags(id),
  action TEXT NOT NULL,               -- confirm | dismiss | reopen
  actor TEXT NOT NULL,
  at BIGINT NOT NULL,
  reason TEXT NOT NULL,
  region_code TEXT NOT NULL,
  department TEXT NOT NULL
);
CREATE INDEX claim_flag_reviews_flag ON claim_flag_reviews(claim_flag_id, id);
