-- 0009_jobs_events (global migration 13 before modules): the job runner's lease rows and the events capabilities send each other.
-- Portable SQL: the event id comes from a counter row (no sequence), and taking that row's lock
-- in the appending transaction makes events commit in id order, so a delivery cursor never
-- passes an event that commits later. Times are UTC epoch milliseconds.
-- global-version: 13

CREATE TABLE jobs (
  id BIGINT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,        -- periodic: the job's name; deferred: handler || ':' || key
  handler TEXT NOT NULL,            -- the registered C function's name
  kind TEXT NOT NULL,               -- 'every' (interval), 'daily' (a time in Asia/Shanghai), 'once' (deferred)
  schedule BIGINT NOT NULL,         -- every: seconds; daily: minutes after local midnight; once: 0
  payload TEXT NOT NULL DEFAULT '', -- deferred work's argument (JSON), '' for periodic jobs
  state TEXT NOT NULL,              -- 'scheduled' or 'done' (a deferred job that succeeded)
  next_run_at BIGINT NOT NULL,
  lease_owner TEXT,                 -- 'host:pid:nonce/thread' of the runner thread holding it, NULL when free
  lease_until BIGINT NOT NULL DEFAULT 0,
  failures INTEGER NOT NULL DEFAULT 0,  -- consecutive failures (drives the back-off)
  runs BIGINT NOT NULL DEFAULT 0,       -- completed runs, successful or not
  last_started_at BIGINT,
  last_finished_at BIGINT,
  last_owner TEXT,
  last_result TEXT,                 -- 'ok', 'failed' or 'interrupted'
  last_error TEXT,
  created_at BIGINT NOT NULL
);
CREATE INDEX jobs_due ON jobs(state, next_run_at);

CREATE TABLE event_head (
  id INTEGER PRIMARY KEY,           -- always 1
  last_id BIGINT NOT NULL
);
INSERT INTO event_head (id, last_id) VALUES (1, 0);

CREATE TABLE events (
  id BIGINT PRIMARY KEY,            -- from event_head: increasing in commit order
  type TEXT NOT NULL,               -- 'inspection.finding_recorded', 'registry.licence_issued', ...
  subject_type TEXT NOT NULL,       -- 'inspection_task', 'institution', ...
  subject_id TEXT NOT NULL,
  region_code TEXT NOT NULL,        -- territory of the subject ('' when none), for scope
  payload TEXT NOT NULL,            -- JSON object
  actor TEXT NOT NULL,              -- as in the audit log: user id, 'system', 'cli:<username>'
  at BIGINT NOT NULL
);
CREATE INDEX events_type ON events(type, id);
CREATE INDEX events_subject ON events(subject_type, subject_id, id);

-- How far each subscriber has read: every event of its types with id <= position was delivered
-- or is parked in event_deliveries.
CREATE TABLE event_cursors (
  subscriber TEXT PRIMARY KEY,
  position BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);

-- One row per (subscriber, event) handled: 'done', or 'pending' (failed, or waiting behind an
-- earlier pending event of the same subject), with its retry time.
CREATE TABLE event_deliveries (
  subscriber TEXT NOT NULL,
  event_id BIGINT NOT NULL REFERENCES events(id),
  subject_type TEXT NOT NULL,
  subject_id TEXT NOT NULL,
  state TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_at BIGINT NOT NULL DEFAULT 0,
  last_error TEXT,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (subscriber, event_id)
);
CREATE INDEX event_deliveries_event ON event_deliveries(event_id);
CREATE INDEX event_deliveries_pending ON event_deliveries(subscriber, state, event_id);
CREATE INDEX event_deliveries_subject ON event_deliveries(subscriber, subject_type, subject_id, state);
