-- 0001_credit: credit supervision (信用监管). Rule tables are data (point tables, thresholds →
-- consequences, the evaluation model, list entry rules, repair periods, linkage rules); the rest
-- are per-subject facts: points, consequences, credit records, grades, list entries, repairs.
-- Subjects are registry ids with their kind (institution | practitioner); region_code is the
-- subject's territory, so every row is scoped like the registry's.

-- Point table (记分标准): one behaviour per row. source says where points come from (enforcement:
-- match = violation_code; inspection: match = checklist point code; claims: match = rule_id;
-- manual: by hand only); '*' matches any code of that source. points_min..points_max is the band.
CREATE TABLE credit_point_rules (
  code TEXT PRIMARY KEY,
  subject_kind TEXT NOT NULL,          -- institution | practitioner
  behaviour TEXT NOT NULL,             -- Chinese
  points_min INTEGER NOT NULL,
  points_max INTEGER NOT NULL,
  clause TEXT NOT NULL,                -- source clause
  source TEXT NOT NULL,                -- enforcement | inspection | claims | manual
  match_code TEXT NOT NULL             -- code matched in the event, '*' for any, '' for manual
);

-- Points (记分): each with its source document; cycle_year is the natural year of occurred_on.
CREATE TABLE credit_points (
  id BIGINT PRIMARY KEY,
  subject_kind TEXT NOT NULL,
  subject_id BIGINT NOT NULL,
  region_code TEXT NOT NULL,
  rule_code TEXT NOT NULL REFERENCES credit_point_rules(code),
  points INTEGER NOT NULL,
  cycle_year INTEGER NOT NULL,
  occurred_on TEXT NOT NULL,           -- YYYY-MM-DD
  source_type TEXT NOT NULL,           -- enforcement_case | inspection_task | claim_flag | manual
  source_id TEXT NOT NULL,             -- the source object's id (manual: the document number)
  source_doc TEXT NOT NULL,            -- 文书: decision number, task id, flag id, document number
  state TEXT NOT NULL,                 -- notified 已告知 | appealed 申辩中 | confirmed 已确认 | void 已撤销
  appeal_due TEXT NOT NULL,            -- last day to appeal (申辩期限)
  appeal_reason TEXT,
  appeal_result TEXT,                  -- upheld (points stand) | accepted (points void)
  created_at BIGINT NOT NULL,
  actor TEXT NOT NULL,
  UNIQUE (source_type, source_id, subject_kind, subject_id, rule_code)
);
CREATE INDEX credit_points_subject ON credit_points(subject_kind, subject_id, cycle_year);
CREATE INDEX credit_points_region ON credit_points(region_code);

-- Thresholds → consequences (记分处理): reaching `threshold` points in a natural year starts the
-- consequence for `months` (0: until the end of that year).
CREATE TABLE credit_consequence_rules (
  code TEXT PRIMARY KEY,
  subject_kind TEXT NOT NULL,
  threshold INTEGER NOT NULL,
  consequence TEXT NOT NULL,           -- insurance_suspended | insurance_terminated | grade_review_cancelled | …
  label TEXT NOT NULL,
  months INTEGER NOT NULL,
  clause TEXT NOT NULL
);

CREATE TABLE credit_consequences (
  id BIGINT PRIMARY KEY,
  subject_kind TEXT NOT NULL,
  subject_id BIGINT NOT NULL,
  region_code TEXT NOT NULL,
  rule_code TEXT NOT NULL REFERENCES credit_consequence_rules(code),
  consequence TEXT NOT NULL,
  cycle_year INTEGER NOT NULL,
  starts_on TEXT NOT NULL,
  ends_on TEXT NOT NULL,
  state TEXT NOT NULL,                 -- in_force | lifted (its points were voided)
  created_at BIGINT NOT NULL,
  UNIQUE (subject_kind, subject_id, rule_code, cycle_year)
);
CREATE INDEX credit_consequences_region ON credit_consequences(region_code);

-- Credit records (信用档案): one entry per source fact, with its disclosure period.
CREATE TABLE credit_records (
  id BIGINT PRIMARY KEY,
  subject_kind TEXT NOT NULL,
  subject_id BIGINT NOT NULL,
  region_code TEXT NOT NULL,
  category TEXT NOT NULL,              -- licence | penalty | inspection | points | complaint | commendation
  title TEXT NOT NULL,
  source_type TEXT NOT NULL,
  source_id TEXT NOT NULL,
  source_doc TEXT NOT NULL,
  occurred_on TEXT NOT NULL,
  disclose_until TEXT NOT NULL,        -- 公示截止期
  serious INTEGER NOT NULL,
  penalty_kinds TEXT NOT NULL,         -- comma-separated (penalties), '' otherwise
  fine_fen BIGINT NOT NULL,
  department TEXT NOT NULL,
  state TEXT NOT NULL,                 -- active | void (decision revoked) | repaired (信用修复) | expired
  ended_on TEXT,                       -- day the disclosure ended (repair or expiry)
  created_at BIGINT NOT NULL,
  UNIQUE (source_type, source_id, category, subject_kind, subject_id)
);
CREATE INDEX credit_records_subject ON credit_records(subject_kind, subject_id);
CREATE INDEX credit_records_region ON credit_records(region_code);

-- Evaluation model (评价指标体系), versioned: a grade names the version that made it.
CREATE TABLE credit_models (
  version INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  grade_a INTEGER NOT NULL,            -- score ≥ grade_a → A
  grade_b INTEGER NOT NULL,
  grade_c INTEGER NOT NULL,            -- below grade_c → D
  active INTEGER NOT NULL
);
-- fn: penalties (per active penalty), serious (per serious penalty), points (per point this year),
-- complaints (per substantiated complaint), inspection (per non-compliant result), commendations
-- (per commendation, a bonus). Contribution = -min(weight, per × count) (bonus: +).
CREATE TABLE credit_indicators (
  model_version INTEGER NOT NULL REFERENCES credit_models(version),
  code TEXT NOT NULL,
  name TEXT NOT NULL,
  weight INTEGER NOT NULL,             -- most points the indicator can move the score
  fn TEXT NOT NULL,
  per INTEGER NOT NULL,
  source TEXT NOT NULL,                -- data source, as shown
  PRIMARY KEY (model_version, code)
);

CREATE TABLE credit_grades (
  subject_kind TEXT NOT NULL,
  subject_id BIGINT NOT NULL,
  region_code TEXT NOT NULL,
  score INTEGER NOT NULL,
  grade TEXT NOT NULL,
  model_version INTEGER NOT NULL,
  contributions TEXT NOT NULL,         -- JSON array [{code, name, value, count}]
  evaluated_on TEXT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (subject_kind, subject_id)
);
CREATE INDEX credit_grades_region ON credit_grades(region_code);
CREATE TABLE credit_grade_history (
  id BIGINT PRIMARY KEY,
  subject_kind TEXT NOT NULL,
  subject_id BIGINT NOT NULL,
  region_code TEXT NOT NULL,
  grade TEXT NOT NULL,
  score INTEGER NOT NULL,
  model_version INTEGER NOT NULL,
  evaluated_on TEXT NOT NULL
);
CREATE INDEX credit_grade_history_subject ON credit_grade_history(subject_kind, subject_id);

-- List entry rules (红黑榜、严重失信名单): condition among serious_penalty, revoke_licence,
-- points_at_least (param), grade (param 1 = A … 4 = D); publication months.
CREATE TABLE credit_list_rules (
  code TEXT PRIMARY KEY,
  list TEXT NOT NULL,                  -- red | black | serious
  subject_kind TEXT NOT NULL,
  condition TEXT NOT NULL,
  param INTEGER NOT NULL,
  months INTEGER NOT NULL,
  label TEXT NOT NULL,
  clause TEXT NOT NULL
);
CREATE TABLE credit_list_entries (
  id BIGINT PRIMARY KEY,
  list TEXT NOT NULL,
  subject_kind TEXT NOT NULL,
  subject_id BIGINT NOT NULL,
  region_code TEXT NOT NULL,
  rule_code TEXT NOT NULL REFERENCES credit_list_rules(code),
  entry_doc TEXT NOT NULL,             -- 列入决定书
  entered_on TEXT NOT NULL,
  publish_until TEXT NOT NULL,
  exit_doc TEXT,                       -- 移出决定书
  exited_on TEXT,
  state TEXT NOT NULL,                 -- listed | exited
  actor TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX credit_list_entries_list ON credit_list_entries(list, state);
CREATE INDEX credit_list_entries_subject ON credit_list_entries(subject_kind, subject_id);

-- Credit repair periods (国家发展改革委令第58号, 2023): minimum and maximum disclosure by penalty
-- kind; several kinds → the longest.
CREATE TABLE credit_repair_periods (
  penalty_kind TEXT PRIMARY KEY,
  min_months INTEGER NOT NULL,
  max_months INTEGER NOT NULL,
  clause TEXT NOT NULL
);
CREATE TABLE credit_repairs (
  id BIGINT PRIMARY KEY,
  record_id BIGINT NOT NULL REFERENCES credit_records(id),
  subject_kind TEXT NOT NULL,
  subject_id BIGINT NOT NULL,
  region_code TEXT NOT NULL,
  commitment TEXT NOT NULL,            -- 信用承诺书
  evidence TEXT NOT NULL,              -- evidence of correction
  state TEXT NOT NULL,                 -- applied | approved | rejected
  applied_on TEXT NOT NULL,
  decided_on TEXT,
  reason TEXT,
  actor TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX credit_repairs_region ON credit_repairs(region_code);

-- Joint punishment and 三挂钩: (subject kind, condition) → a restricted decision. condition:
-- list (param red|black|serious), grade_at_most (param A..D), consequence (param its code),
-- points_at_least (param N).
CREATE TABLE credit_decisions (
  code TEXT PRIMARY KEY,
  label TEXT NOT NULL,
  subject_kind TEXT NOT NULL
);
CREATE TABLE credit_linkage_rules (
  code TEXT PRIMARY KEY,
  subject_kind TEXT NOT NULL,
  condition TEXT NOT NULL,
  param TEXT NOT NULL,
  decision TEXT NOT NULL REFERENCES credit_decisions(code),
  reason TEXT NOT NULL,
  clause TEXT NOT NULL
);

INSERT INTO credit_point_rules VALUES
 ('INS-PEN-GEN', 'institution', '受到行政处罚（一般）', 2, 2, '医疗机构不良执业行为记分管理办法（示例：天津2010）', 'enforcement', '*'),
 ('INS-PEN-SER', 'institution', '受到行政处罚（情节严重）', 6, 6, '同上', 'enforcement', '*serious'),
 ('INS-MW-03', 'institution', '转让、买卖医疗废物', 4, 4, '《医疗废物管理条例》第十四条', 'inspection', 'MW-03'),
 ('INS-MW-04', 'institution', '医疗废物未按类别分置专用包装', 2, 2, '《医疗废物管理条例》第十六条', 'inspection', 'MW-04'),
 ('INS-MW-05', 'institution', '医疗废物暂存不规范', 1, 1, '《医疗废物管理条例》第十七条', 'inspection', 'MW-05'),
 ('INS-WASTE', 'institution', '医疗废物管理违规', 4, 4, '医疗废物管理条例；004（八）4', 'manual', ''),
 ('INS-MAN', 'institution', '其他不良执业行为（人工记分）', 1, 10, '同上', 'manual', ''),
 ('PRA-PEN-GEN', 'practitioner', '受到行政处罚（一般）', 2, 2, '医师不良执业行为记分（示例）', 'enforcement', '*'),
 ('PRA-PEN-SER', 'practitioner', '受到行政处罚（情节严重）', 6, 6, '同上', 'enforcement', '*serious'),
 ('MIP-B1', 'practitioner', '医保医师：违规行为（1–3分档）', 1, 3, '医保发〔2024〕23号', 'claims', '*'),
 ('MIP-B2', 'practitioner', '医保医师：较重违规（4–6分档）', 4, 6, '医保发〔2024〕23号', 'manual', ''),
 ('MIP-B3', 'practitioner', '医保医师：严重违规（7–9分档）', 7, 9, '医保发〔2024〕23号', 'manual', ''),
 ('MIP-B4', 'practitioner', '医保医师：欺诈骗保（10–12分档）', 10, 12, '医保发〔2024〕23号', 'manual', '');

INSERT INTO credit_consequence_rules VALUES
 ('PRA-9', 'practitioner', 9, 'insurance_suspended', '暂停医保支付资格', 3, '医保发〔2024〕23号：一个自然年度内累计记分达9分，暂停1–6个月'),
 ('PRA-12', 'practitioner', 12, 'insurance_terminated', '终止医保支付资格', 12, '医保发〔2024〕23号：累计记分达12分终止，1年内不得再次登记'),
 ('INS-12-GRADE', 'institution', 12, 'grade_review_cancelled', '取消等级评审结果', 0, '004（十九）'),
 ('INS-12-INS', 'institution', 12, 'insurance_designation_cancelled', '取消医保定点资格', 0, '004（十九）'),
 ('INS-12-SPEC', 'institution', 12, 'key_specialty_barred', '当年不得申报重点专科', 0, '004（十九）');

INSERT INTO credit_models VALUES (1, '医疗卫生信用评价模型 2026 版（配置）', 90, 75, 60, 1);
INSERT INTO credit_indicators VALUES
 (1, 'PEN', '行政处罚', 30, 'penalties', 10, '执法：行政处罚决定'),
 (1, 'SER', '情节严重的处罚', 30, 'serious', 30, '执法：情节严重/重大案件'),
 (1, 'PTS', '本年度不良执业行为记分', 24, 'points', 2, '信用：记分'),
 (1, 'CMP', '查实的投诉举报', 10, 'complaints', 2, '投诉举报：查实'),
 (1, 'INS', '监督检查不合格', 10, 'inspection', 5, '双随机：检查结果'),
 (1, 'COM', '表彰奖励', 5, 'commendations', 5, '信用：表彰');

INSERT INTO credit_list_rules VALUES
 ('RED-A', 'red', 'institution', 'grade', 1, 12, '信用评价A级且无处罚', '红黑榜管理（配置）'),
 ('BLACK-SER', 'black', 'institution', 'serious_penalty', 0, 12, '受到情节严重的行政处罚', '红黑榜管理（配置）'),
 ('BLACK-PTS', 'black', 'institution', 'points_at_least', 12, 12, '年度记分达12分', '004（十九）'),
 ('SERIOUS-REVOKE', 'serious', 'institution', 'revoke_licence', 0, 36, '被吊销执业许可证', '严重失信主体名单管理（配置）'),
 ('BLACK-PRA', 'black', 'practitioner', 'serious_penalty', 0, 12, '受到情节严重的行政处罚', '红黑榜管理（配置）'),
 ('SERIOUS-PRA', 'serious', 'practitioner', 'revoke_licence', 0, 36, '被吊销执业证书', '发改财金〔2018〕1399号');

INSERT INTO credit_repair_periods VALUES
 ('warning', 3, 36, '国家发展改革委令第58号（2023）：处罚信息最短公示3个月，最长3年'),
 ('fine', 3, 36, '同上'),
 ('confiscation', 3, 36, '同上'),
 ('suspend_practice', 6, 36, '同上（本地配置：暂停执业6个月）'),
 ('revoke_licence', 12, 36, '同上（本地配置：吊销1年）'),
 ('detention_other', 12, 36, '同上');

INSERT INTO credit_decisions VALUES
 ('inst_verification', '医疗机构校验', 'institution'),
 ('grade_review', '等级评审', 'institution'),
 ('insurance_agreement', '医保协议签订', 'institution'),
 ('key_specialty', '重点专科申报', 'institution'),
 ('public_funding', '财政资金支持', 'institution'),
 ('institution_award', '评优评先（机构）', 'institution'),
 ('bed_approval', '床位审批', 'institution'),
 ('large_equipment', '大型设备配置', 'institution'),
 ('title_promotion', '职称晋升', 'practitioner'),
 ('post_promotion', '岗位聘用与提拔', 'practitioner'),
 ('practitioner_award', '评优评先（个人）', 'practitioner'),
 ('performance_pay', '绩效分配', 'practitioner'),
 ('insurance_payment', '医保支付资格', 'practitioner');

INSERT INTO credit_linkage_rules VALUES
 ('L-BLACK-VERIFY', 'institution', 'list', 'black', 'inst_verification', '列入黑榜，校验从严', '001 三（六）；003 §15'),
 ('L-BLACK-GRADE', 'institution', 'list', 'black', 'grade_review', '列入黑榜，不得参加等级评审', '001 三（六）'),
 ('L-BLACK-FUND', 'institution', 'list', 'black', 'public_funding', '列入黑榜，限制财政资金支持', '001 三（六）'),
 ('L-BLACK-AWARD', 'institution', 'list', 'black', 'institution_award', '列入黑榜，不得评优评先', '001 三（六）'),
 ('L-SER-BED', 'institution', 'list', 'serious', 'bed_approval', '严重失信，限制床位审批', '003 任务58'),
 ('L-SER-EQUIP', 'institution', 'list', 'serious', 'large_equipment', '严重失信，限制大型设备配置', '003 任务58'),
 ('L-SER-INS', 'institution', 'list', 'serious', 'insurance_agreement', '严重失信，不得签订医保协议', '004（十九）'),
 ('L-D-GRADE', 'institution', 'grade_at_most', 'D', 'grade_review', '信用等次D级，不得参加等级评审', '003 任务51'),
 ('L-D-SPEC', 'institution', 'grade_at_most', 'D', 'key_specialty', '信用等次D级，不得申报重点专科', '003 任务51'),
 ('L-C-FUND', 'institution', 'grade_at_most', 'C', 'public_funding', '信用等次C级及以下，限制财政资金支持', '003 任务51'),
 ('L-C-AWARD', 'institution', 'grade_at_most', 'C', 'institution_award', '信用等次C级及以下，不得评优评先', '003 任务51'),
 ('L-CQ-GRADE', 'institution', 'consequence', 'grade_review_cancelled', 'grade_review', '年度记分达到阈值，取消等级评审结果', '004（十九）'),
 ('L-CQ-INS', 'institution', 'consequence', 'insurance_designation_cancelled', 'insurance_agreement', '年度记分达到阈值，取消医保定点', '004（十九）'),
 ('L-CQ-SPEC', 'institution', 'consequence', 'key_specialty_barred', 'key_specialty', '年度记分达到阈值，当年不得申报重点专科', '004（十九）'),
 ('L-PRA-SUSP', 'practitioner', 'consequence', 'insurance_suspended', 'insurance_payment', '医保医师记分达9分，暂停医保支付资格', '医保发〔2024〕23号'),
 ('L-PRA-TERM', 'practitioner', 'consequence', 'insurance_terminated', 'insurance_payment', '医保医师记分达12分，终止医保支付资格', '医保发〔2024〕23号'),
 ('L-PRA-BLACK-TITLE', 'practitioner', 'list', 'black', 'title_promotion', '列入黑榜，职称晋升受限', '001 三（六）'),
 ('L-PRA-BLACK-AWARD', 'practitioner', 'list', 'black', 'practitioner_award', '列入黑榜，不得评优评先', '001 三（六）'),
 ('L-PRA-SER-POST', 'practitioner', 'list', 'serious', 'post_promotion', '严重失信（一票否决），不得聘用提拔', '发改财金〔2018〕1399号'),
 ('L-PRA-SER-PAY', 'practitioner', 'list', 'serious', 'performance_pay', '严重失信，绩效分配受限', '001 三（六）'),
 ('L-PRA-D-TITLE', 'practitioner', 'grade_at_most', 'D', 'title_promotion', '信用等次D级，职称晋升受限', '003 任务51');
