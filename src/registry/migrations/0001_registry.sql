-- 0001_registry (global migration 3 before modules): the registry of subjects (主体库) — grids, responsibility lists, institutions,
-- practitioners with their multi-institution filings, electronic licences, and the version history
-- of every registry record. Subjects are shared basic data across departments (one violation counts
-- everywhere), so they are scoped by territory only; departmental business records carry a department.
-- Dates that are calendar days (validity, verification) are ISO 'YYYY-MM-DD' text; instants are epoch ms.
-- global-version: 3

-- 网格: below towns, defined by an administrator.
CREATE TABLE grids (
  id BIGINT PRIMARY KEY,
  code TEXT NOT NULL UNIQUE,          -- town (or county) code + 3-digit sequence
  name TEXT NOT NULL,
  region_code TEXT NOT NULL REFERENCES regions(code),
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX grids_region ON grids(region_code, id);

CREATE TABLE grid_members (
  grid_id BIGINT NOT NULL REFERENCES grids(id),
  user_id BIGINT NOT NULL REFERENCES users(id),
  region_code TEXT NOT NULL,          -- the grid's, for scope
  PRIMARY KEY (grid_id, user_id)
);

-- 权责清单: one row per duty of a department, loaded from the seed lists, editable as data.
CREATE TABLE responsibilities (
  id BIGINT PRIMARY KEY,
  department TEXT NOT NULL REFERENCES departments(code),
  seq INTEGER NOT NULL,
  duty TEXT NOT NULL,
  source TEXT NOT NULL,               -- which list it came from
  updated_at BIGINT NOT NULL
);
CREATE INDEX responsibilities_dept ON responsibilities(department, seq);

-- 医疗机构 (R1.1). Codes of type/level/grade/ownership/profit are listed in registry/vocab.c.
CREATE TABLE institutions (
  id BIGINT PRIMARY KEY,
  credit_code TEXT NOT NULL UNIQUE,   -- 统一社会信用代码 (GB 32100)
  credit_code_override TEXT,          -- reason an administrator accepted a code failing its check
  licence_no TEXT UNIQUE,             -- 医疗机构执业许可证登记号 (22 characters)
  name TEXT NOT NULL,
  type TEXT NOT NULL,
  level TEXT NOT NULL,                -- 1, 2, 3 or none (未定级)
  grade TEXT NOT NULL,                -- A 甲, B 乙, C 丙 or none
  ownership TEXT NOT NULL,            -- public 公立 | private 社会办
  profit TEXT NOT NULL,               -- nonprofit | forprofit
  clinical_depts TEXT NOT NULL,       -- 诊疗科目 codes, comma-separated
  beds INTEGER NOT NULL,
  equipment TEXT NOT NULL,            -- 大型医用设备, comma-separated codes
  region_code TEXT NOT NULL REFERENCES regions(code),
  grid_id BIGINT REFERENCES grids(id),
  address TEXT,
  lng_e6 BIGINT,                      -- coordinates in micro-degrees (GCJ-02 as maps in China use)
  lat_e6 BIGINT,
  licence_valid_from TEXT,
  licence_valid_to TEXT,
  verified_on TEXT,                   -- last periodic verification (校验)
  verify_due TEXT,                    -- next verification due
  insurance_designated INTEGER NOT NULL, -- 医保定点
  state TEXT NOT NULL,                -- active | suspended | revoked | closed
  version BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX institutions_region ON institutions(region_code, id);
CREATE INDEX institutions_type ON institutions(type, id);
CREATE INDEX institutions_updated ON institutions(updated_at, id);

-- 医师、护士、药师、医技人员 (R1.2). The resident ID is stored encrypted (id_cipher, key outside
-- the database); id_hash is a keyed hash for uniqueness and exact lookup; id_masked is what most
-- callers see. region_code is the primary institution's, for scope.
CREATE TABLE practitioners (
  id BIGINT PRIMARY KEY,
  name TEXT NOT NULL,
  sex TEXT NOT NULL,                  -- M | F, from the ID number
  birth_date TEXT NOT NULL,
  id_cipher TEXT NOT NULL,
  id_hash TEXT NOT NULL UNIQUE,
  id_masked TEXT NOT NULL,
  certificate_no TEXT NOT NULL UNIQUE, -- 执业证书编码
  category TEXT NOT NULL,             -- physician | nurse | pharmacist | technician
  practice_type TEXT NOT NULL,        -- 执业类别: clinical, tcm, dental, public_health, …
  practice_scope TEXT,                -- 执业范围
  institution_id BIGINT REFERENCES institutions(id),
  region_code TEXT NOT NULL REFERENCES regions(code),
  prescription_right INTEGER NOT NULL,
  antibiotic_grade TEXT NOT NULL,     -- none | non_restricted | restricted | special
  surgical_grade INTEGER NOT NULL,    -- 0 none, 1–4
  insurance_physician INTEGER NOT NULL, -- 医保医师
  assessment_result TEXT,             -- 定期考核: pass | fail | pending
  assessment_date TEXT,
  state TEXT NOT NULL,                -- active | suspended | revoked | retired
  version BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX practitioners_region ON practitioners(region_code, id);
CREATE INDEX practitioners_institution ON practitioners(institution_id, id);
CREATE INDEX practitioners_name ON practitioners(name, id);
CREATE INDEX practitioners_updated ON practitioners(updated_at, id);

-- 多机构执业备案
CREATE TABLE practice_filings (
  id BIGINT PRIMARY KEY,
  practitioner_id BIGINT NOT NULL REFERENCES practitioners(id),
  institution_id BIGINT NOT NULL REFERENCES institutions(id),
  region_code TEXT NOT NULL,          -- the filing institution's
  start_date TEXT NOT NULL,
  end_date TEXT,
  created_at BIGINT NOT NULL,
  UNIQUE (practitioner_id, institution_id, start_date)
);
CREATE INDEX practice_filings_institution ON practice_filings(institution_id);

-- Substring search over names in portable SQL: every character bigram (and single characters, for
-- one-character queries) of a subject's name, so a query intersects posting lists instead of
-- scanning. Kept by the registry's store code in the same transaction as the name.
CREATE TABLE name_grams (
  gram TEXT NOT NULL,
  object_type TEXT NOT NULL,          -- institution | practitioner
  object_id BIGINT NOT NULL,
  PRIMARY KEY (gram, object_type, object_id)
);
CREATE INDEX name_grams_object ON name_grams(object_type, object_id);

-- 电子证照 kinds as data (at least the 35 kinds of the Zhejiang plan).
CREATE TABLE licence_kinds (
  code TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  holder_type TEXT NOT NULL,          -- institution | practitioner
  validity_years INTEGER NOT NULL,    -- 0: no expiry
  seq INTEGER NOT NULL
);

CREATE TABLE licences (
  id BIGINT PRIMARY KEY,
  kind TEXT NOT NULL REFERENCES licence_kinds(code),
  number TEXT NOT NULL UNIQUE,        -- 证照编号
  verify_code TEXT NOT NULL UNIQUE,   -- public verification code (no sign-in)
  holder_type TEXT NOT NULL,
  holder_id BIGINT NOT NULL,
  holder_name TEXT NOT NULL,
  region_code TEXT NOT NULL REFERENCES regions(code),
  issuer TEXT NOT NULL,               -- issuing authority's name
  valid_from TEXT NOT NULL,
  valid_to TEXT,                      -- NULL: no expiry
  state TEXT NOT NULL,                -- valid | suspended | revoked (expired is derived from valid_to)
  payload TEXT NOT NULL,              -- canonical JSON that was signed
  signature TEXT NOT NULL,            -- ed25519 over payload, hex
  version BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX licences_holder ON licences(holder_type, holder_id);
CREATE INDEX licences_region ON licences(region_code, id);

CREATE TABLE licence_events (
  id BIGINT PRIMARY KEY,
  licence_id BIGINT NOT NULL REFERENCES licences(id),
  action TEXT NOT NULL,               -- issue | renew | change | suspend | resume | revoke
  reason TEXT NOT NULL,
  actor TEXT NOT NULL,
  region_code TEXT NOT NULL,
  at BIGINT NOT NULL
);
CREATE INDEX licence_events_licence ON licence_events(licence_id, at);

-- Every version of every registry record: the full state after the change and the changed fields
-- with old and new values, so a record can be shown as it was on any date.
CREATE TABLE record_history (
  id BIGINT PRIMARY KEY,
  object_type TEXT NOT NULL,
  object_id BIGINT NOT NULL,
  version BIGINT NOT NULL,
  at BIGINT NOT NULL,
  actor TEXT NOT NULL,
  region_code TEXT NOT NULL,
  state TEXT NOT NULL,                -- canonical JSON of the record after the change (IDs masked)
  changes TEXT NOT NULL,              -- {"field": [old, new], …}; {} for creation
  UNIQUE (object_type, object_id, version)
);
CREATE INDEX record_history_at ON record_history(object_type, object_id, at);
