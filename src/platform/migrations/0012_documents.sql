-- 0012_documents: the document facility (src/platform/docs/docs.h). doc_counters holds one row per office
-- (机关代字), kind code (类别代字) and year whose last_seq is taken and raised inside the issuing transaction, so
-- 文号 have no gap and no duplicate across every process sharing the database; documents holds one row per
-- issued 文书, whose PDF is in blobs under its SHA-256 (never rendered again) and whose model is kept as issued.
CREATE TABLE doc_counters (
  office TEXT NOT NULL,
  kind_code TEXT NOT NULL,
  year INTEGER NOT NULL,
  last_seq BIGINT NOT NULL,
  PRIMARY KEY (office, kind_code, year)
);
CREATE TABLE documents (
  id BIGINT PRIMARY KEY,
  number TEXT NOT NULL UNIQUE,        -- 文号, e.g. 温鹿卫医罚〔2026〕12号
  office TEXT NOT NULL,
  kind_code TEXT NOT NULL,
  year INTEGER NOT NULL,
  seq BIGINT NOT NULL,
  kind TEXT NOT NULL,                 -- penalty_decision, inspection_record, licence, …
  title TEXT NOT NULL,
  subject_type TEXT NOT NULL,         -- what the document is about: enforcement_case, …
  subject_id TEXT NOT NULL,
  institution_id BIGINT,              -- the institution concerned (its users may download), or NULL
  region_code TEXT NOT NULL,          -- territory (scope)
  department TEXT NOT NULL,           -- department (scope)
  sha256 TEXT NOT NULL REFERENCES blobs(sha256),
  size BIGINT NOT NULL,
  pages INTEGER NOT NULL,
  model TEXT NOT NULL,                -- the document model as issued (canonical JSON)
  issued_at BIGINT NOT NULL,
  issued_by TEXT NOT NULL,            -- actor as in audit leaves
  UNIQUE (office, kind_code, year, seq)
);
CREATE INDEX documents_subject ON documents (subject_type, subject_id, kind, issued_at);
CREATE INDEX documents_sha256 ON documents (sha256);
