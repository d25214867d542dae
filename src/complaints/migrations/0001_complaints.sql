-- 0001_complaints: complaints and reports (投诉举报) — categories with their handling unit and deadlines,
-- the matters with their steps, handling units, attachments, and the per-address intake counter.

-- Categories (事项分类): the responsible department is taken from the responsibility lists (权责清单,
-- registry table responsibilities; duty_ref names the row it rests on) and is editable as data.
-- Deadlines are working days (platform calendar) except feedback_days, which are calendar days (the
-- seed plans' "within one week of completion").
CREATE TABLE complaint_categories (
  code TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  kind TEXT NOT NULL,                 -- complaint | report | enquiry | emergency
  department TEXT NOT NULL REFERENCES departments(code),
  duty_ref TEXT NOT NULL,             -- responsibilities.id the mapping rests on ('' when none)
  accept_days INTEGER NOT NULL,       -- to accept (受理) after dispatch
  handle_days INTEGER NOT NULL,       -- to finish handling after acceptance
  reply_days INTEGER NOT NULL,        -- to reply to the reporter after acceptance
  feedback_days INTEGER NOT NULL,     -- calendar days to feed back to the health commission after the reply
  revisit_days INTEGER NOT NULL,      -- to revisit (回访) the reporter after the reply
  active INTEGER NOT NULL
);
INSERT INTO complaint_categories VALUES ('medical_service', '医疗服务投诉', 'complaint', 'health', '7000046', 1, 13, 13, 7, 5, 1);
INSERT INTO complaint_categories VALUES ('illegal_practice', '非法行医举报', 'report', 'health', '7000046', 1, 13, 13, 7, 5, 1);
INSERT INTO complaint_categories VALUES ('public_health', '公共场所卫生举报', 'report', 'health', '', 1, 13, 13, 7, 5, 1);
INSERT INTO complaint_categories VALUES ('medical_waste', '医疗废物举报', 'report', 'environment', '7000037', 1, 13, 13, 7, 5, 1);
INSERT INTO complaint_categories VALUES ('drug_quality', '药品质量举报', 'report', 'drug', '7000075', 1, 13, 13, 7, 5, 1);
INSERT INTO complaint_categories VALUES ('pricing', '医疗收费投诉', 'complaint', 'market', '7000055', 1, 13, 13, 7, 5, 1);
INSERT INTO complaint_categories VALUES ('insurance_fraud', '欺诈骗保举报', 'report', 'insurance', '7000066', 1, 13, 13, 7, 5, 1);
INSERT INTO complaint_categories VALUES ('enquiry', '政策咨询', 'enquiry', 'health', '', 1, 3, 3, 7, 3, 1);
INSERT INTO complaint_categories VALUES ('emergency', '紧急事项', 'emergency', 'health', '', 0, 0, 0, 7, 1, 1);

-- A matter. department is the unit that holds it now: 'health' (the dispatch desk of the health
-- commission) until it is dispatched, then the lead handling unit; it and region_code scope every read.
-- The reporter's identity and contact are sealed (pii.h) and never leave in a list.
CREATE TABLE complaints (
  id BIGINT PRIMARY KEY,
  tracking_code TEXT NOT NULL UNIQUE,
  channel TEXT NOT NULL,              -- web | phone | walk_in | hotline | open311
  category TEXT NOT NULL REFERENCES complaint_categories(code),
  title TEXT NOT NULL,
  content TEXT NOT NULL,
  region_code TEXT NOT NULL,
  department TEXT NOT NULL,
  suggested_department TEXT NOT NULL,
  subject_kind TEXT,                  -- institution | practitioner, or NULL
  subject_id BIGINT,
  subject_name TEXT NOT NULL,         -- as the reporter named it
  anonymous INTEGER NOT NULL,
  reporter_sealed TEXT,               -- yj_pii_encrypt of {name, phone, id_number}; NULL when anonymous
  phone_masked TEXT NOT NULL,         -- 138****5678, or ''
  state TEXT NOT NULL,                -- received | dispatched | accepted | replied | closed | merged | rejected
  paused INTEGER NOT NULL,
  pause_reason TEXT NOT NULL,
  paused_on TEXT,
  merged_into BIGINT,
  received_on TEXT NOT NULL,
  dispatched_on TEXT,
  accept_due TEXT,
  accepted_on TEXT,
  handle_due TEXT,
  reply_due TEXT,
  replied_on TEXT,
  feedback_due TEXT,
  fed_back_on TEXT,
  revisit_due TEXT,
  closed_on TEXT,
  reply_text TEXT NOT NULL,
  substantiated INTEGER,              -- 1 substantiated (属实), 0 not, NULL undecided
  satisfaction TEXT NOT NULL,         -- satisfied | basically | unsatisfied | ''
  supervise_level INTEGER NOT NULL,   -- 督办 ladder: 0 none, 1 reminded, 2 supervised, 3 escalated to leaders
  dispatch_round INTEGER NOT NULL,    -- returns so far: a closed to-do never reopens, so each round has its own
  referred_at BIGINT,                 -- turned into an enforcement clue
  external_ref TEXT,                  -- 12345 work-order number or the demo's reference
  address TEXT NOT NULL,              -- where, as the reporter wrote it (Open311 address_string), or ''
  lat TEXT,                           -- WGS84, as received (Open311), or NULL
  lng TEXT,
  client_id BIGINT,                   -- the Open311 client (open311_keys.id) that submitted it, or NULL
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX complaints_scope ON complaints(region_code, department);
CREATE INDEX complaints_dup ON complaints(category, subject_id, state);
CREATE INDEX complaints_dup_name ON complaints(category, region_code, subject_name); -- duplicates without a registered subject
CREATE INDEX complaints_state ON complaints(state, handle_due);
CREATE INDEX complaints_external ON complaints(external_ref);

-- The timeline the reporter follows through the tracking code: public_note is what they read.
CREATE TABLE complaint_steps (
  id BIGINT PRIMARY KEY,
  complaint_id BIGINT NOT NULL REFERENCES complaints(id),
  at BIGINT NOT NULL,
  step TEXT NOT NULL,
  public_note TEXT NOT NULL,
  actor TEXT NOT NULL
);
CREATE INDEX complaint_steps_complaint ON complaint_steps(complaint_id, id);

-- Handling units of a matter of several departments: one lead and co-handlers (协办).
CREATE TABLE complaint_units (
  complaint_id BIGINT NOT NULL REFERENCES complaints(id),
  department TEXT NOT NULL REFERENCES departments(code),
  role TEXT NOT NULL,                 -- lead | co
  PRIMARY KEY (complaint_id, department)
);

CREATE TABLE complaint_attachments (
  complaint_id BIGINT NOT NULL REFERENCES complaints(id),
  sha256 TEXT NOT NULL,
  name TEXT NOT NULL,
  media_type TEXT NOT NULL,
  size BIGINT NOT NULL,
  PRIMARY KEY (complaint_id, sha256)
);

-- Public intakes per client address (keyed hash, never the address) for the per-address limit.
CREATE TABLE complaint_intake_hits (
  id BIGINT PRIMARY KEY,
  addr_hash TEXT NOT NULL,
  at BIGINT NOT NULL
);
CREATE INDEX complaint_intake_hits_addr ON complaint_intake_hits(addr_hash, at);

-- Open311 GeoReport v2 clients: an api_key is shown once and kept as its SHA-256; a client files
-- matters in its territory and lists only its own.
CREATE TABLE open311_keys (
  id BIGINT PRIMARY KEY,
  name TEXT NOT NULL,
  key_hash TEXT NOT NULL UNIQUE,
  region_code TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  actor TEXT NOT NULL
);
CREATE INDEX complaints_client ON complaints(client_id, created_at);

-- Clue transfers between departments (线索移送/转报): the receiving department replies in writing within
-- 15 days; an unanswered transfer past its day is escalated to the health commission's leaders once.
CREATE TABLE complaint_transfers (
  id BIGINT PRIMARY KEY,
  from_department TEXT NOT NULL REFERENCES departments(code),
  to_department TEXT NOT NULL REFERENCES departments(code),
  region_code TEXT NOT NULL,
  title TEXT NOT NULL,
  content TEXT NOT NULL,
  subject_name TEXT NOT NULL,
  complaint_id BIGINT,                -- the matter it comes from, or NULL
  state TEXT NOT NULL,                -- sent | replied
  sent_on TEXT NOT NULL,
  due_on TEXT NOT NULL,               -- 15 calendar days after sent_on
  reply_text TEXT NOT NULL,
  replied_on TEXT,
  escalated_at BIGINT,                -- when the overdue transfer went to the health commission
  created_by TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX complaint_transfers_to ON complaint_transfers(to_department, state, due_on);
CREATE INDEX complaint_transfers_from ON complaint_transfers(from_department, id);
