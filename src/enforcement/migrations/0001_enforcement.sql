-- 0001_enforcement: administrative penalty cases (行政处罚案件). Clues (案源) with their acceptance record
-- (案件受理记录), cases with their state and clocks, the steps of each case (the timeline of the
-- full-process record; the audit log holds their hashes), the documents issued for them, and the settings every number of docs/enforcement.md is read from (defaults with sources).

CREATE TABLE enf_clues (
  id BIGINT PRIMARY KEY,
  source TEXT NOT NULL,               -- inspection_finding | claims_flag | complaint | grid_report | sensor_alarm | transfer | manual
  source_ref TEXT,                    -- the source object's id (finding, flag, complaint); NULL for grid/sensor/manual
  subject_kind TEXT NOT NULL,         -- institution | practitioner
  subject_id BIGINT,                  -- registry id; NULL when the matter names no registered subject
  subject_name TEXT NOT NULL,
  summary TEXT NOT NULL,              -- what was reported (not from a complaint: its text stays with complaints)
  received_on TEXT NOT NULL,          -- YYYY-MM-DD
  state TEXT NOT NULL,                -- received 待处理 | filed 已立案 | not_filed 不予立案
  reason TEXT,                        -- why not filed
  case_id BIGINT,
  region_code TEXT NOT NULL,
  department TEXT NOT NULL,
  actor TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  decided_at BIGINT,
  decided_by TEXT
);
CREATE UNIQUE INDEX enf_clues_source ON enf_clues(source, source_ref);
CREATE INDEX enf_clues_region ON enf_clues(region_code, id);

CREATE TABLE enf_cases (
  id BIGINT PRIMARY KEY,
  clue_id BIGINT NOT NULL REFERENCES enf_clues(id),
  state TEXT NOT NULL,
  prior_state TEXT,                   -- the state a suspended (中止) case returns to
  subject_kind TEXT NOT NULL,
  subject_id BIGINT,
  subject_name TEXT NOT NULL,
  subject_code TEXT NOT NULL,         -- 统一社会信用代码 (institutions), '' otherwise
  officers TEXT NOT NULL,             -- case officers' user ids, comma-separated (≥ 2, art. 42)
  approved_by TEXT NOT NULL,          -- the leader who approved filing (立案审批)
  filed_on TEXT NOT NULL,
  decision_due TEXT NOT NULL,         -- 90 calendar days from filing (art. 60) + extensions + pauses, rolled to a working day
  paused_on TEXT,                     -- YYYY-MM-DD while suspended (中止)
  paused_days INTEGER NOT NULL DEFAULT 0,
  extended_days INTEGER NOT NULL DEFAULT 0,
  serious INTEGER NOT NULL DEFAULT 0,           -- 情节严重 / major case: collective discussion (art. 57)
  t_public_interest INTEGER NOT NULL DEFAULT 0, -- art. 58 (1)
  t_hearing_rights INTEGER NOT NULL DEFAULT 0,  -- art. 58 (2), set when a hearing is held
  t_complex INTEGER NOT NULL DEFAULT 0,         -- art. 58 (3)
  t_other_law INTEGER NOT NULL DEFAULT 0,       -- art. 58 (4)
  suspect_crime INTEGER NOT NULL DEFAULT 0,     -- 涉嫌犯罪: cannot close without a transfer record
  responsible_id BIGINT,              -- 双罚: the responsible practitioner penalised with the institution
  violation_code TEXT,
  benchmark_version INTEGER,
  tier TEXT,
  penalty_kinds TEXT,                 -- comma-separated codes (events.md)
  fine_fen BIGINT,
  confiscation_fen BIGINT,
  facts TEXT,
  deviation_reason TEXT,              -- a proposal outside the benchmark band
  outside_band INTEGER NOT NULL DEFAULT 0,
  hearing_trigger INTEGER NOT NULL DEFAULT 0,   -- art. 63
  legal_ok_seq INTEGER NOT NULL DEFAULT 0,      -- step seq of the last agreeing legal review (0: none)
  proposal_seq INTEGER NOT NULL DEFAULT 0,      -- step seq of the last proposal (conclude / amend)
  hearing_seq INTEGER NOT NULL DEFAULT 0,
  collective_seq INTEGER NOT NULL DEFAULT 0,
  statement_due TEXT,                 -- 陈述申辩 period end
  hearing_request_due TEXT,           -- 5 working days (art. 64)
  decision_no TEXT,
  decided_on TEXT,
  no_penalty_ground TEXT,
  served_on TEXT,
  pay_due TEXT,                       -- 15 days from service (art. 67)
  paid_fen BIGINT NOT NULL DEFAULT 0,
  reminded_on TEXT,                   -- 催告 (行政强制法 art. 54)
  court_applied_on TEXT,
  published_on TEXT,
  publish_due TEXT,                   -- 7 working days from the decision (双公示)
  public_until TEXT,                  -- 公示截止期
  withdrawn_on TEXT,
  transferred_to TEXT,
  closed_on TEXT,
  region_code TEXT NOT NULL,
  department TEXT NOT NULL,
  version INTEGER NOT NULL DEFAULT 1,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX enf_cases_region ON enf_cases(region_code, id);
CREATE INDEX enf_cases_state ON enf_cases(state, decision_due);
CREATE UNIQUE INDEX enf_cases_decision_no ON enf_cases(decision_no);

CREATE TABLE enf_steps (
  id BIGINT PRIMARY KEY,
  case_id BIGINT NOT NULL REFERENCES enf_cases(id),
  seq INTEGER NOT NULL,
  action TEXT NOT NULL,
  from_state TEXT NOT NULL,
  to_state TEXT NOT NULL,
  actor TEXT NOT NULL,
  day TEXT NOT NULL,
  at BIGINT NOT NULL,
  data TEXT NOT NULL,                 -- the step's fields as JSON (hashed into the audit leaf)
  audit_index BIGINT,
  region_code TEXT NOT NULL,
  department TEXT NOT NULL,
  UNIQUE (case_id, seq)
);

-- The documents issued for a clue or a case (the platform's document facility holds the PDF, its number and
-- hash; this links them to the case and says which 文书 each is).
CREATE TABLE enf_documents (
  id BIGINT PRIMARY KEY,
  case_id BIGINT,
  clue_id BIGINT NOT NULL,
  doc_id BIGINT NOT NULL,
  kind TEXT NOT NULL,                 -- case_acceptance, filing_report, prior_notice, penalty_decision, …
  title TEXT NOT NULL,
  number TEXT NOT NULL,
  step_seq INTEGER,                   -- the step that issued it
  region_code TEXT NOT NULL,
  department TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX enf_documents_case ON enf_documents(case_id, id);
CREATE INDEX enf_documents_clue ON enf_documents(clue_id, id);

-- Settings: every number the procedure counts with, a default an administrator can change, with its source.
CREATE TABLE enf_settings (
  key TEXT PRIMARY KEY,
  value BIGINT NOT NULL,
  source TEXT NOT NULL
);
INSERT INTO enf_settings VALUES ('decision_days', 90, '行政处罚法 2021 第60条（日历日）');
INSERT INTO enf_settings VALUES ('statement_working_days', 3, '陈述申辩期限：法律未定，地方常见 3 或 5 个工作日（可配置，U）');
INSERT INTO enf_settings VALUES ('hearing_request_working_days', 5, '行政处罚法 2021 第64条（第85条：工作日）');
INSERT INTO enf_settings VALUES ('pay_days', 15, '行政处罚法 2021 第67条');
INSERT INTO enf_settings VALUES ('late_fee_permille_per_day', 30, '行政处罚法 2021 第72条：每日 3%，不超过罚款数额');
INSERT INTO enf_settings VALUES ('court_after_remind_days', 10, '行政强制法 第54条：催告后十日');
INSERT INTO enf_settings VALUES ('publish_working_days', 7, '发改办财金〔2018〕424号：7个工作日内公示（S）');
INSERT INTO enf_settings VALUES ('public_months', 12, '公示期限：一般 12 个月（可配置，U；58号令最短3个月、最长3年）');
INSERT INTO enf_settings VALUES ('public_months_serious', 36, '严重情节公示期限 36 个月（58号令最长3年，S）');
INSERT INTO enf_settings VALUES ('hearing_fine_fen_org', 5000000, '较大数额（法人/其他组织）：地方标准，默认 5 万元（可配置，U）');
INSERT INTO enf_settings VALUES ('hearing_fine_fen_person', 500000, '较大数额（公民）：地方标准，默认 5 千元（可配置，U）');
INSERT INTO enf_settings VALUES ('reminder_days', 10, '办案期限届满前提醒天数（本系统默认）');
INSERT INTO enf_settings VALUES ('max_extension_days', 30, '延期每次最长天数（本系统默认，浙卫发〔2019〕44号例，S）');
