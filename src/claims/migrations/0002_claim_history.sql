-- 0002_claim_history: the patients' recent claims that the real-time check (POST /api/v1/claims/check,
-- 事前/事中审核) screens a new claim against. Keyed by the patient id's keyed hash (pii): no patient id
-- is stored; lines_csv holds the claim's lines in the loader's column order with the patient id
-- replaced by its keyed hash. A patient's claims older than 62 days before the newest are pruned when it is
-- recorded (docs/claims.md, "Real-time check").
CREATE TABLE claim_history (
  patient_hash TEXT NOT NULL,
  claim_id TEXT NOT NULL,
  institution_code TEXT NOT NULL,
  first_day INTEGER NOT NULL,          -- earliest date of the claim, days since 1970-01-01
  last_day INTEGER NOT NULL,           -- latest date (service or discharge)
  lines_csv TEXT NOT NULL,
  result TEXT NOT NULL,                -- pass | flag: what the check answered when it was recorded
  recorded_at BIGINT NOT NULL,
  PRIMARY KEY (patient_hash, claim_id)
);
