-- 0003_oversight: 案件督办 (a higher office supervises a case with its own deadline, the supervised office's
-- reports and escalation) and 行刑衔接 (the transfer of a case suspected of a crime to the police: approval,
-- 案件移送书 with attachments, the police receipt and decision, reconsideration), each with its clocks.

CREATE TABLE enf_supervisions (
  id BIGINT PRIMARY KEY,
  case_id BIGINT NOT NULL REFERENCES enf_cases(id),
  state TEXT NOT NULL,                -- active 督办中 | escalated 已升级督办 | lifted 已解除
  office_region TEXT NOT NULL,        -- the supervising (higher) office's territory
  office_department TEXT NOT NULL,
  supervisor TEXT NOT NULL,           -- the leader who ordered it
  reason TEXT NOT NULL,
  started_on TEXT NOT NULL,
  due_on TEXT NOT NULL,               -- the supervising office's own deadline (督办期限)
  report_due TEXT NOT NULL,           -- the next 督办报告 is due (every supervision_report_days)
  reports INTEGER NOT NULL DEFAULT 0,
  last_report_on TEXT,
  escalated_on TEXT,
  escalation_reason TEXT,
  lifted_on TEXT,
  lift_reason TEXT,
  region_code TEXT NOT NULL,          -- the case's
  department TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX enf_supervisions_case ON enf_supervisions(case_id, id);
CREATE INDEX enf_supervisions_state ON enf_supervisions(state, due_on);

CREATE TABLE enf_police_transfers (
  id BIGINT PRIMARY KEY,
  case_id BIGINT NOT NULL REFERENCES enf_cases(id),
  state TEXT NOT NULL,                -- proposed 待审批 | not_approved 不批准 | approved 已批准待移送 | sent 已移送待回执
                                      -- | received 公安已接收 | accepted 公安已立案 | not_accepted 公安不予立案
                                      -- | reconsidering 复议中 | upheld 复议维持不予立案 | reversed 复议后立案
  reason TEXT NOT NULL,               -- the facts suggesting a crime (涉嫌犯罪的事实)
  charge TEXT NOT NULL,               -- the suspected offence (涉嫌罪名)
  attachments TEXT NOT NULL,          -- JSON [{name, sha256}] in the attachment store (案件调查报告, 证据, 检验报告 …)
  proposed_by TEXT NOT NULL,
  proposed_on TEXT NOT NULL,
  approve_due TEXT NOT NULL,          -- 3 days from the proposal (国务院令第310号 第5条)
  approved_by TEXT,
  approved_at BIGINT,                 -- ms; transfer within 24 h of it
  approval_opinion TEXT,
  receiving_org TEXT,
  sent_at BIGINT,
  letter_no TEXT,                     -- the 案件移送书's number
  receipt_on TEXT,                    -- the police receipt (回执)
  receipt_no TEXT,
  police_decision_due TEXT,           -- 3 days from receipt (第8条)
  police_decision TEXT,               -- accepted | not_accepted
  police_decided_on TEXT,
  police_reason TEXT,
  reconsider_requested_on TEXT,       -- within 3 days of the not-accepted notice (第9条)
  reconsider_reason TEXT,
  reconsider_due TEXT,                -- the police decide within 3 days
  reconsider_result TEXT,             -- upheld | reversed
  reconsider_on TEXT,
  region_code TEXT NOT NULL,
  department TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX enf_police_transfers_case ON enf_police_transfers(case_id, id);

INSERT INTO enf_settings VALUES ('supervision_report_days', 15, '督办案件进展报告间隔天数（本系统默认，可配置，U）');
INSERT INTO enf_settings VALUES ('transfer_approve_days', 3, '行政执法机关移送涉嫌犯罪案件的规定（国务院令第310号，2020修订）第5条：3日内作出批准或不批准的决定');
INSERT INTO enf_settings VALUES ('transfer_send_hours', 24, '同上第5条：批准移送的，应当在24小时内向同级公安机关移送');
INSERT INTO enf_settings VALUES ('police_decide_days', 3, '同上第8条：公安机关应当自接受移送之日起3日内作出立案或不予立案的决定');
INSERT INTO enf_settings VALUES ('reconsider_request_days', 3, '同上第9条：收到不予立案通知书之日起3日内提请复议');
INSERT INTO enf_settings VALUES ('reconsider_decide_days', 3, '同上第9条：公安机关应当自收到复议申请之日起3日内作出决定');
