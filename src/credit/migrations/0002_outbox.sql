-- 0002_outbox: list entries and exits pushed to subscribed departments (joint punishment needs
-- them to know) and written as files for the provincial credit platform. A target is a URL
-- (http://… for a department's receiver, file:///dir for the platform's pick-up directory)
-- covering a territory; each list event becomes one delivery per target, retried with back-off
-- until its receiver answers 2xx; the state of every delivery is visible to administrators.
CREATE TABLE credit_outbox_targets (
  id BIGINT PRIMARY KEY,
  department TEXT NOT NULL,            -- the receiving department (its code)
  url TEXT NOT NULL,
  region_code TEXT NOT NULL,           -- the territory whose list events it receives
  active INTEGER NOT NULL,
  created_at BIGINT NOT NULL,
  actor TEXT NOT NULL
);
CREATE TABLE credit_outbox (
  id BIGINT PRIMARY KEY,
  target_id BIGINT NOT NULL REFERENCES credit_outbox_targets(id),
  event_id BIGINT NOT NULL,            -- the credit.list_* event: receivers deduplicate by it
  region_code TEXT NOT NULL,
  body TEXT NOT NULL,                  -- the JSON sent, signed as it is
  state TEXT NOT NULL,                 -- pending | delivered | failed (gave up after 20 attempts)
  attempts INTEGER NOT NULL,
  next_at BIGINT NOT NULL,             -- epoch ms of the next attempt
  last_status INTEGER,                 -- HTTP status of the last attempt (0: no answer)
  last_error TEXT,
  delivered_at BIGINT,
  created_at BIGINT NOT NULL,
  UNIQUE (target_id, event_id)
);
CREATE INDEX credit_outbox_due ON credit_outbox(state, next_at);
CREATE INDEX credit_outbox_region ON credit_outbox(region_code);
