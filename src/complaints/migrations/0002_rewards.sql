-- 0002_rewards: rewards for reports (举报奖励) — the rules as data (grades of percentage with a floor,
-- a floor and cap for every reward, the insiders' bonus, the amount range when no fund was lost, the
-- claim period) and the rewards with their approval, notice, payment or forfeiture.

CREATE TABLE reward_rules (
  code TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  basis TEXT NOT NULL,                -- the document the rule rests on
  min_fen BIGINT NOT NULL,            -- no reward below this
  max_fen BIGINT NOT NULL,            -- nor above this
  insider_bonus_permille INTEGER NOT NULL, -- added for an insider (内部人员) reporter
  no_loss_min_fen BIGINT NOT NULL,    -- the range of a reward when no fund was lost (case value 0)
  no_loss_max_fen BIGINT NOT NULL,
  claim_months INTEGER NOT NULL       -- the reporter claims within this many months of the notice, or forfeits
);
-- A grade of report (how much the report proved): the share of the case value and the grade's floor.
CREATE TABLE reward_rule_grades (
  rule_code TEXT NOT NULL REFERENCES reward_rules(code),
  grade INTEGER NOT NULL,
  label TEXT NOT NULL,
  permille INTEGER NOT NULL,
  floor_fen BIGINT NOT NULL,
  PRIMARY KEY (rule_code, grade)
);
-- 医保办发〔2022〕22号: 200 to 200,000 yuan, claimed within 2 months; local grades 3 %/2 %/1 % with floors
-- 400/300/200 yuan, +20 % for insiders, 200–1,000 yuan when no fund was lost (FACTS-2.md, C).
INSERT INTO reward_rules VALUES ('insurance_fund', '医保基金举报奖励', '违法违规使用医疗保障基金举报奖励办法（医保办发〔2022〕22号）',
  20000, 20000000, 200, 20000, 100000, 2);
INSERT INTO reward_rule_grades VALUES ('insurance_fund', 1, '一级：提供直接证据，查实全部违法事实', 30, 40000);
INSERT INTO reward_rule_grades VALUES ('insurance_fund', 2, '二级：提供主要证据，查实主要违法事实', 20, 30000);
INSERT INTO reward_rule_grades VALUES ('insurance_fund', 3, '三级：提供线索，查实部分违法事实', 10, 20000);

-- A reward for a substantiated report. department and region_code are the matter's when proposed and
-- scope every read. States: proposed → approved (the reporter notified; claim_until runs) → paid, or
-- proposed → refused, or approved → forfeited (not claimed in time).
CREATE TABLE complaint_rewards (
  id BIGINT PRIMARY KEY,
  complaint_id BIGINT NOT NULL UNIQUE REFERENCES complaints(id),
  region_code TEXT NOT NULL,
  department TEXT NOT NULL,
  rule_code TEXT NOT NULL REFERENCES reward_rules(code),
  grade INTEGER NOT NULL,             -- 0 when no fund was lost
  case_value_fen BIGINT NOT NULL,     -- 案值: the fund loss established, 0 when none
  insider INTEGER NOT NULL,
  amount_fen BIGINT NOT NULL,
  state TEXT NOT NULL,                -- proposed | approved | refused | paid | forfeited
  note TEXT NOT NULL,
  proposed_on TEXT NOT NULL,
  proposed_by TEXT NOT NULL,
  decided_on TEXT,
  decided_by TEXT,
  decision_note TEXT NOT NULL,
  claim_until TEXT,                   -- the last day to claim (notice + claim_months)
  paid_on TEXT,
  paid_by TEXT,
  payment_ref TEXT NOT NULL,          -- the payment voucher's number, never the account
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX complaint_rewards_scope ON complaint_rewards(region_code, department);
CREATE INDEX complaint_rewards_claim ON complaint_rewards(state, claim_until);
