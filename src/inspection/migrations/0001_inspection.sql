-- 0001_inspection (global migration 8 before modules; its working-day calendar is platform 0005): double random, one public (双随机、一公开) and field inspection (R3, R4.1) — the item
-- list (抽查事项清单), the inspector directory (执法检查人员名录库) with declared conflicts, risk signals of
-- subjects, plans, verifiable draws, tasks with checklist results, findings and attachments, rectification
-- orders, and the subject records that credit will read. The subject directory
-- (检查对象名录库) is not a table: it is derived from the registry's institutions by type, region and state.
-- Business rows carry region_code (the subject's, or the plan's territory) and department for scope.
-- Calendar days are 'YYYY-MM-DD' text (Asia/Shanghai); instants are UTC epoch ms.
-- global-version: 8

-- 抽查事项清单. subject_types: comma-separated institution type codes of the registry (registry/vocab.c), or
-- the non-medical subject types public_place, water_supply, school, employer (not held by the registry yet).
-- checklist: JSON array [{"code", "point", "clause"}] — each check point with the legal clause it tests.
CREATE TABLE inspection_items (
  id BIGINT PRIMARY KEY,
  code TEXT NOT NULL UNIQUE,
  department TEXT NOT NULL REFERENCES departments(code),
  name TEXT NOT NULL,
  legal_basis TEXT NOT NULL,
  subject_types TEXT NOT NULL,
  checklist TEXT NOT NULL,
  ratio_permille INTEGER NOT NULL,    -- default sampling ratio, ‰
  coverage_years INTEGER NOT NULL,    -- every subject inspected at least once per N years
  active INTEGER NOT NULL,
  updated_at BIGINT NOT NULL
);

-- 执法检查人员名录库: users holding an enforcement certificate (执法证). Department and territory are the
-- user's own (users.department, users.region_code), copied here when the entry is saved, for scope.
CREATE TABLE inspectors (
  user_id BIGINT PRIMARY KEY REFERENCES users(id),
  cert_no TEXT NOT NULL UNIQUE,       -- 执法证号
  department TEXT NOT NULL,
  region_code TEXT NOT NULL,
  active INTEGER NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX inspectors_scope ON inspectors(region_code, department);

-- Declared conflicts of interest: kind worked (an institution where the inspector worked; counts while its
-- end date lies within the plan's conflict_years) or relative (a relative's institution; always counts).
CREATE TABLE inspector_conflicts (
  id BIGINT PRIMARY KEY,
  user_id BIGINT NOT NULL REFERENCES inspectors(user_id),
  institution_id BIGINT NOT NULL REFERENCES institutions(id),
  kind TEXT NOT NULL,                 -- worked | relative
  start_date TEXT,
  end_date TEXT,                      -- NULL: still ongoing
  reason TEXT NOT NULL,
  region_code TEXT NOT NULL,          -- the inspector's
  department TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX inspector_conflicts_user ON inspector_conflicts(user_id);

-- Risk signals that other capabilities will feed later (complaints, credit grade); until then
-- administrators fill them. Past violations and the last inspection come from this migration's tasks.
CREATE TABLE subject_signals (
  subject_id BIGINT PRIMARY KEY REFERENCES institutions(id),
  region_code TEXT NOT NULL,
  complaints INTEGER NOT NULL,        -- substantiated complaints in the last 12 months
  credit_grade TEXT NOT NULL,         -- A | B | C | D (公共信用评价等次)
  updated_at BIGINT NOT NULL,
  actor TEXT NOT NULL
);
CREATE INDEX subject_signals_region ON subject_signals(region_code);

-- Plans: annual or special, over one item or several departments' items (联合抽查).
CREATE TABLE inspection_plans (
  id BIGINT PRIMARY KEY,
  name TEXT NOT NULL,
  kind TEXT NOT NULL,                 -- annual | special
  item_ids TEXT NOT NULL,             -- comma-separated inspection_items ids
  departments TEXT NOT NULL,          -- comma-separated; first = the organising department
  department TEXT NOT NULL,           -- organising department, for scope
  region_code TEXT NOT NULL REFERENCES regions(code), -- territory
  ratio_permille INTEGER NOT NULL,
  coverage_years INTEGER NOT NULL,
  start_date TEXT NOT NULL,           -- schedule
  end_date TEXT NOT NULL,
  team_size INTEGER NOT NULL,
  credit_share_permille INTEGER NOT NULL,
  conflict_years INTEGER NOT NULL,    -- a 'worked' conflict counts this many years after it ended
  weight_factors TEXT NOT NULL,       -- JSON, see docs/inspection.md
  state TEXT NOT NULL,                -- draft | committed | drawn
  created_by TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX inspection_plans_region ON inspection_plans(region_code, id);

-- Draws: committed (input and commitment fixed, audit leaf written) → drawn (witness, seed, result, bundle).
CREATE TABLE inspection_draws (
  id BIGINT PRIMARY KEY,
  plan_id BIGINT NOT NULL UNIQUE REFERENCES inspection_plans(id),
  state TEXT NOT NULL,                -- committed | drawn
  input TEXT NOT NULL,                -- canonical JSON {format, plan, subjects, inspectors}
  input_hash TEXT NOT NULL,
  secret_cipher TEXT NOT NULL,        -- the server secret, sealed with the pii key until the draw
  secret_hash TEXT NOT NULL,
  commit_leaf BIGINT NOT NULL,        -- audit leaf index of the commitment
  subject_count BIGINT NOT NULL,
  draw_count BIGINT NOT NULL,
  witness TEXT,
  server_secret TEXT,                 -- revealed after the draw
  seed TEXT,
  result TEXT,                        -- JSON {subjects: [{id, phase, inspectors}]}
  bundle TEXT,                        -- the published bundle (yijian-draw-v1)
  draw_leaf BIGINT,
  region_code TEXT NOT NULL,
  department TEXT NOT NULL,
  committed_at BIGINT NOT NULL,
  drawn_at BIGINT,
  actor TEXT NOT NULL
);
CREATE INDEX inspection_draws_drawn ON inspection_draws(state, drawn_at, id);

-- Tasks. kind: random (from a draw), patrol 日常巡查, supervision 专项督查, rectification 专项整治,
-- post_penalty 处罚后复查, flight 飞行检查, follow_up 整改复查. region_code = the subject's.
CREATE TABLE inspection_tasks (
  id BIGINT PRIMARY KEY,
  kind TEXT NOT NULL,
  draw_id BIGINT REFERENCES inspection_draws(id),
  plan_id BIGINT REFERENCES inspection_plans(id),
  item_ids TEXT NOT NULL,             -- comma-separated: whose checklists apply
  subject_id BIGINT NOT NULL REFERENCES institutions(id),
  subject_name TEXT NOT NULL,
  subject_code TEXT NOT NULL,         -- 统一社会信用代码
  region_code TEXT NOT NULL,
  department TEXT NOT NULL,
  phase TEXT,                         -- due | credit | random (draws)
  team TEXT NOT NULL,                 -- comma-separated user ids, the leader first
  source_order_id BIGINT,             -- follow_up: the rectification order it checks
  note TEXT,
  due_date TEXT,
  state TEXT NOT NULL,                -- assigned | in_progress | completed
  checkin_at BIGINT,
  checkin_lng_e6 BIGINT,
  checkin_lat_e6 BIGINT,
  signature TEXT,                     -- signed | refused
  signer_name TEXT,
  signature_note TEXT,
  outcome TEXT,                       -- compliant | non_compliant (set on completion)
  summary TEXT,
  completed_at BIGINT,
  completed_on TEXT,                  -- the completion's calendar day (Asia/Shanghai)
  publish_due TEXT,                   -- completed_on + 20 working days
  published_at BIGINT,
  created_by TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX inspection_tasks_region ON inspection_tasks(region_code, id);
CREATE INDEX inspection_tasks_subject ON inspection_tasks(subject_id, completed_at);
CREATE INDEX inspection_tasks_draw ON inspection_tasks(draw_id, id);
CREATE INDEX inspection_tasks_publish ON inspection_tasks(state, published_at, publish_due);

CREATE TABLE inspection_results (
  task_id BIGINT NOT NULL REFERENCES inspection_tasks(id),
  point_code TEXT NOT NULL,
  result TEXT NOT NULL,               -- compliant | non_compliant | not_applicable
  note TEXT,
  region_code TEXT NOT NULL,
  department TEXT NOT NULL,
  actor TEXT NOT NULL,
  at BIGINT NOT NULL,
  PRIMARY KEY (task_id, point_code)
);

CREATE TABLE inspection_findings (
  id BIGINT PRIMARY KEY,
  task_id BIGINT NOT NULL REFERENCES inspection_tasks(id),
  point_code TEXT,
  severity TEXT NOT NULL,             -- minor 轻微 | general 一般 | serious 严重
  clause TEXT NOT NULL,               -- the legal clause violated
  description TEXT NOT NULL,
  subject_id BIGINT NOT NULL,
  region_code TEXT NOT NULL,
  department TEXT NOT NULL,
  actor TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX inspection_findings_task ON inspection_findings(task_id, id);
CREATE INDEX inspection_findings_subject ON inspection_findings(subject_id);

-- Attachment contents by SHA-256, base64 in the store (so every `yijian serve` of a PostgreSQL deployment
-- reads the same files and backups hold them); the same content uploaded twice is stored once.
CREATE TABLE inspection_blobs (
  sha256 TEXT PRIMARY KEY,
  size BIGINT NOT NULL,
  content_b64 TEXT NOT NULL
);
CREATE TABLE inspection_attachments (
  id BIGINT PRIMARY KEY,
  task_id BIGINT NOT NULL REFERENCES inspection_tasks(id),
  sha256 TEXT NOT NULL REFERENCES inspection_blobs(sha256),
  media_type TEXT NOT NULL,
  size BIGINT NOT NULL,
  name TEXT NOT NULL,
  region_code TEXT NOT NULL,
  department TEXT NOT NULL,
  actor TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  UNIQUE (task_id, sha256)
);

-- 整改: orders with deadlines in working days.
CREATE TABLE rectification_orders (
  id BIGINT PRIMARY KEY,
  task_id BIGINT NOT NULL REFERENCES inspection_tasks(id),
  finding_id BIGINT REFERENCES inspection_findings(id),
  subject_id BIGINT NOT NULL,
  requirement TEXT NOT NULL,
  issued_on TEXT NOT NULL,
  working_days INTEGER NOT NULL,
  deadline TEXT NOT NULL,
  state TEXT NOT NULL,                -- open | rectified | not_rectified
  follow_up_task_id BIGINT REFERENCES inspection_tasks(id),
  closed_at BIGINT,
  close_note TEXT,
  region_code TEXT NOT NULL,
  department TEXT NOT NULL,
  actor TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX rectification_orders_state ON rectification_orders(state, deadline);

-- Results on the subject's record, for credit (kind inspection_result; more kinds will follow).
CREATE TABLE subject_records (
  id BIGINT PRIMARY KEY,
  subject_id BIGINT NOT NULL,
  kind TEXT NOT NULL,
  outcome TEXT NOT NULL,
  on_date TEXT NOT NULL,
  source_type TEXT NOT NULL,          -- inspection_task
  source_id BIGINT NOT NULL,
  detail TEXT,
  region_code TEXT NOT NULL,
  department TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  UNIQUE (kind, source_type, source_id)
);
CREATE INDEX subject_records_subject ON subject_records(subject_id, on_date);

-- Default item list (ids 8000001…): the seeds' inspection areas with their legal bases and clauses.
INSERT INTO inspection_items (id, code, department, name, legal_basis, subject_types, checklist, ratio_permille, coverage_years, active, updated_at) VALUES (8000001, 'HEALTH-MQ', 'health', '医疗机构依法执业及医疗质量安全', '《基本医疗卫生与健康促进法》《医疗机构管理条例》《医师法》《医疗纠纷预防和处理条例》', 'general_hospital,tcm_hospital,integrated_hospital,specialized_hospital,maternal_child,community_centre,township_centre,outpatient_dept,clinic,dental_clinic,tcm_clinic,internet_hospital,elderly_care,nursing_home,exam_centre,lab_centre,imaging_centre', '[{"code":"MQ-01","point":"持有有效的《医疗机构执业许可证》或诊所备案凭证，按期校验","clause":"《医疗机构管理条例》第二十二条、第二十四条"},{"code":"MQ-02","point":"按照核准登记或者备案的诊疗科目开展诊疗活动","clause":"《医疗机构管理条例》第二十七条"},{"code":"MQ-03","point":"未使用非卫生技术人员从事医疗卫生技术工作","clause":"《医疗机构管理条例》第二十八条"},{"code":"MQ-04","point":"医师按照注册的执业地点、执业类别、执业范围执业","clause":"《医师法》第十四条"},{"code":"MQ-05","point":"按规定填写并妥善保管病历资料","clause":"《医疗纠纷预防和处理条例》第十五条"}]', 50, 3, 1, 0);
INSERT INTO inspection_items (id, code, department, name, legal_basis, subject_types, checklist, ratio_permille, coverage_years, active, updated_at) VALUES (8000002, 'HEALTH-IC', 'health', '传染病防治及医院感染管理', '《传染病防治法》《医院感染管理办法》《消毒管理办法》', 'general_hospital,tcm_hospital,integrated_hospital,specialized_hospital,maternal_child,community_centre,township_centre,outpatient_dept,clinic,dental_clinic,tcm_clinic,internet_hospital,elderly_care,nursing_home,exam_centre,lab_centre,imaging_centre,blood_station,aesthetic', '[{"code":"IC-01","point":"建立传染病疫情报告制度，指定部门和人员负责，按时限报告","clause":"《传染病防治法》疫情报告有关规定；《传染病信息报告管理规范》"},{"code":"IC-02","point":"设立医院感染管理组织或专（兼）职人员，制定医院感染管理规章制度","clause":"《医院感染管理办法》第六条、第七条"},{"code":"IC-03","point":"预检分诊、发热门诊（诊室）设置符合要求","clause":"《医疗机构传染病预检分诊管理办法》第三条"},{"code":"IC-04","point":"进入人体组织、无菌器官的医疗器械、器具和物品达到灭菌水平，一次性医疗器械不重复使用","clause":"《医院感染管理办法》第十二条"},{"code":"IC-05","point":"消毒产品进货检查验收，消毒效果监测符合要求","clause":"《消毒管理办法》第四条、第六条"}]', 50, 3, 1, 0);
INSERT INTO inspection_items (id, code, department, name, legal_basis, subject_types, checklist, ratio_permille, coverage_years, active, updated_at) VALUES (8000003, 'HEALTH-MW', 'health', '医疗废物处置', '《医疗废物管理条例》《医疗卫生机构医疗废物管理办法》', 'general_hospital,tcm_hospital,integrated_hospital,specialized_hospital,maternal_child,community_centre,township_centre,outpatient_dept,clinic,dental_clinic,tcm_clinic,internet_hospital,elderly_care,nursing_home,exam_centre,lab_centre,imaging_centre,village_clinic,community_station,blood_station,aesthetic,cdc', '[{"code":"MW-01","point":"建立医疗废物管理责任制，法定代表人为第一责任人","clause":"《医疗废物管理条例》第七条"},{"code":"MW-02","point":"医疗废物登记（来源、种类、重量、交接时间、去向等），资料保存不少于3年","clause":"《医疗废物管理条例》第十二条"},{"code":"MW-03","point":"未转让、买卖医疗废物","clause":"《医疗废物管理条例》第十四条"},{"code":"MW-04","point":"按类别分置于防渗漏、防锐器穿透的专用包装物或者密闭容器内","clause":"《医疗废物管理条例》第十六条"},{"code":"MW-05","point":"建立暂时贮存设施，不露天存放，暂存时间不超过2天","clause":"《医疗废物管理条例》第十七条"}]', 50, 3, 1, 0);
INSERT INTO inspection_items (id, code, department, name, legal_basis, subject_types, checklist, ratio_permille, coverage_years, active, updated_at) VALUES (8000004, 'HEALTH-RD', 'health', '放射诊疗', '《放射性同位素与射线装置安全和防护条例》《放射诊疗管理规定》《放射工作人员职业健康管理办法》', 'general_hospital,tcm_hospital,integrated_hospital,specialized_hospital,maternal_child,dental_clinic,imaging_centre,exam_centre,outpatient_dept', '[{"code":"RD-01","point":"取得《放射诊疗许可证》，按许可范围开展放射诊疗工作","clause":"《放射诊疗管理规定》第十六条"},{"code":"RD-02","point":"放射诊疗设备和检测仪表定期稳定性检测、状态检测","clause":"《放射诊疗管理规定》第二十条"},{"code":"RD-03","point":"放射诊疗工作场所设置电离辐射警示标志和工作指示灯","clause":"《放射诊疗管理规定》第二十一条"},{"code":"RD-04","point":"放射工作人员个人剂量监测和职业健康检查，建立档案","clause":"《放射诊疗管理规定》第二十三条；《放射工作人员职业健康管理办法》第十一条、第十九条"},{"code":"RD-05","point":"为受检者配备并使用防护用品，对邻近照射野的敏感器官进行屏蔽防护","clause":"《放射诊疗管理规定》第二十五条"}]', 100, 3, 1, 0);
INSERT INTO inspection_items (id, code, department, name, legal_basis, subject_types, checklist, ratio_permille, coverage_years, active, updated_at) VALUES (8000005, 'HEALTH-BL', 'health', '采供血及临床用血', '《献血法》《血站管理办法》《医疗机构临床用血管理办法》', 'blood_station,general_hospital,tcm_hospital,integrated_hospital,specialized_hospital,maternal_child', '[{"code":"BL-01","point":"血站取得《血站执业许可证》，在许可范围内采供血","clause":"《血站管理办法》第二十二条"},{"code":"BL-02","point":"采集血液前对献血者进行健康检查，遵守采血间隔","clause":"《献血法》第九条"},{"code":"BL-03","point":"医疗机构临床用血进行核查，不将不符合国家规定标准的血液用于临床","clause":"《献血法》第十三条"},{"code":"BL-04","point":"医疗机构设立临床用血管理委员会或工作组，建立临床用血管理制度","clause":"《医疗机构临床用血管理办法》第八条"}]', 100, 3, 1, 0);
INSERT INTO inspection_items (id, code, department, name, legal_basis, subject_types, checklist, ratio_permille, coverage_years, active, updated_at) VALUES (8000006, 'HEALTH-PP', 'health', '公共场所卫生', '《公共场所卫生管理条例》《公共场所卫生管理条例实施细则》', 'public_place', '[{"code":"PP-01","point":"依法取得公共场所卫生许可证","clause":"《公共场所卫生管理条例》第八条"},{"code":"PP-02","point":"从业人员取得有效健康合格证明","clause":"《公共场所卫生管理条例》第七条"},{"code":"PP-03","point":"建立卫生管理制度和卫生管理档案，配备专（兼）职卫生管理人员","clause":"《公共场所卫生管理条例实施细则》第七条、第十条"},{"code":"PP-04","point":"按规定开展空气、微小气候、水质、采光、照明、噪声、顾客用品用具等卫生检测","clause":"《公共场所卫生管理条例实施细则》第十九条"},{"code":"PP-05","point":"公共用品用具按规定清洗、消毒、保洁，禁止重复使用一次性用品用具","clause":"《公共场所卫生管理条例实施细则》第十四条"}]', 30, 3, 1, 0);
INSERT INTO inspection_items (id, code, department, name, legal_basis, subject_types, checklist, ratio_permille, coverage_years, active, updated_at) VALUES (8000007, 'HEALTH-DW', 'health', '生活饮用水卫生', '《传染病防治法》《生活饮用水卫生监督管理办法》', 'water_supply', '[{"code":"DW-01","point":"集中式供水单位取得卫生许可证","clause":"《生活饮用水卫生监督管理办法》第七条"},{"code":"DW-02","point":"供应的饮用水符合国家生活饮用水卫生标准","clause":"《生活饮用水卫生监督管理办法》第六条"},{"code":"DW-03","point":"直接从事供、管水的人员取得健康体检合格证","clause":"《生活饮用水卫生监督管理办法》第十一条"},{"code":"DW-04","point":"涉及饮用水卫生安全的产品取得卫生许可批准文件","clause":"《生活饮用水卫生监督管理办法》第十二条"},{"code":"DW-05","point":"建立饮用水卫生管理规章制度，开展水质检测","clause":"《生活饮用水卫生监督管理办法》第八条"}]', 50, 3, 1, 0);
INSERT INTO inspection_items (id, code, department, name, legal_basis, subject_types, checklist, ratio_permille, coverage_years, active, updated_at) VALUES (8000008, 'HEALTH-SC', 'health', '学校卫生', '《学校卫生工作条例》《传染病防治法》', 'school', '[{"code":"SC-01","point":"教学建筑、环境噪声、室内微小气候、采光、照明及课桌椅设置符合国家有关标准","clause":"《学校卫生工作条例》第六条"},{"code":"SC-02","point":"学校生活饮用水和卫生设施符合卫生要求","clause":"《学校卫生工作条例》第七条"},{"code":"SC-03","point":"建立学生健康管理制度，开展学生健康检查","clause":"《学校卫生工作条例》第十四条"},{"code":"SC-04","point":"落实传染病防控措施（晨午检、因病缺课追踪登记、疫情报告）","clause":"《学校卫生工作条例》第十八条"}]', 30, 3, 1, 0);
INSERT INTO inspection_items (id, code, department, name, legal_basis, subject_types, checklist, ratio_permille, coverage_years, active, updated_at) VALUES (8000009, 'HEALTH-OH', 'health', '职业卫生', '《职业病防治法》《工作场所职业卫生管理规定》', 'employer', '[{"code":"OH-01","point":"设置或指定职业卫生管理机构或组织，配备专（兼）职职业卫生管理人员","clause":"《职业病防治法》第二十条"},{"code":"OH-02","point":"为劳动者提供符合要求的个人使用的职业病防护用品","clause":"《职业病防治法》第二十二条"},{"code":"OH-03","point":"在醒目位置设置公告栏，公布职业病防治规章制度和作业场所职业病危害因素检测结果","clause":"《职业病防治法》第二十四条"},{"code":"OH-04","point":"实施职业病危害因素日常监测，定期检测、评价","clause":"《职业病防治法》第二十六条"},{"code":"OH-05","point":"组织上岗前、在岗期间和离岗时的职业健康检查","clause":"《职业病防治法》第三十五条"}]', 30, 3, 1, 0);
INSERT INTO inspection_items (id, code, department, name, legal_basis, subject_types, checklist, ratio_permille, coverage_years, active, updated_at) VALUES (8000010, 'HEALTH-MA', 'health', '医疗美容', '《医疗美容服务管理办法》《医疗机构管理条例》', 'aesthetic,outpatient_dept,clinic', '[{"code":"MA-01","point":"取得《医疗机构执业许可证》并核准医疗美容科目后开展医疗美容服务","clause":"《医疗美容服务管理办法》第十一条；《医疗机构管理条例》第二十四条"},{"code":"MA-02","point":"按照核定的医疗美容项目分级开展，不超范围执业","clause":"《医疗机构管理条例》第二十七条"},{"code":"MA-03","point":"主诊医师具备执业医师资格并符合主诊医师条件","clause":"《医疗美容服务管理办法》第十一条"},{"code":"MA-04","point":"实施医疗美容项目前向就医者告知并取得书面同意","clause":"《医疗美容服务管理办法》第十九条"},{"code":"MA-05","point":"使用的药品、医疗器械具有合法来源","clause":"《药品管理法》第五十五条；《医疗器械监督管理条例》第五十五条"}]', 100, 3, 1, 0);
INSERT INTO inspection_items (id, code, department, name, legal_basis, subject_types, checklist, ratio_permille, coverage_years, active, updated_at) VALUES (8000011, 'HEALTH-TW', 'health', '中医养生保健服务', '《中医药法》《医疗机构管理条例》', 'tcm_wellness', '[{"code":"TW-01","point":"未以中医养生保健名义开展诊疗活动（针刺、瘢痕灸、发泡灸、牵引、扳法、中医微创类技术等）","clause":"《中医药法》第十四条；《医疗机构管理条例》第二十四条"},{"code":"TW-02","point":"未使用非卫生技术人员从事医疗卫生技术工作","clause":"《医疗机构管理条例》第二十八条"},{"code":"TW-03","point":"未发布虚假或者以中医医疗名义的养生保健宣传","clause":"《中医药法》第十九条"}]', 50, 3, 1, 0);

-- The 2025 and 2026 holiday arrangements.
