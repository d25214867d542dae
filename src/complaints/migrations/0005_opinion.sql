-- 0005_opinion: major public-opinion events and group disputes (重大舆情, 群体性纠纷) — registration with a
-- level, the departments' response tasks, the timeline and the closure report.

-- region_code and department (the lead that registered it) scope every read.
CREATE TABLE opinion_events (
  id BIGINT PRIMARY KEY,
  region_code TEXT NOT NULL,
  department TEXT NOT NULL REFERENCES departments(code),
  title TEXT NOT NULL,
  kind TEXT NOT NULL,                 -- opinion | group_dispute
  level INTEGER NOT NULL,             -- 1 特别重大 … 4 一般
  source TEXT NOT NULL,
  summary TEXT NOT NULL,
  occurred_on TEXT NOT NULL,
  state TEXT NOT NULL,                -- open | closed
  closure_report TEXT NOT NULL,
  closed_on TEXT,
  created_by TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX opinion_events_scope ON opinion_events(region_code, department);

-- A response task of a department (scoped by region_code and that department).
CREATE TABLE opinion_tasks (
  id BIGINT PRIMARY KEY,
  event_id BIGINT NOT NULL REFERENCES opinion_events(id),
  region_code TEXT NOT NULL,
  department TEXT NOT NULL REFERENCES departments(code),
  task TEXT NOT NULL,
  due_on TEXT NOT NULL,
  state TEXT NOT NULL,                -- open | done
  result TEXT NOT NULL,
  done_on TEXT
);
CREATE INDEX opinion_tasks_scope ON opinion_tasks(region_code, department);
CREATE INDEX opinion_tasks_event ON opinion_tasks(event_id, id);

CREATE TABLE opinion_timeline (
  id BIGINT PRIMARY KEY,
  event_id BIGINT NOT NULL REFERENCES opinion_events(id),
  at BIGINT NOT NULL,
  department TEXT NOT NULL,
  entry TEXT NOT NULL
);
CREATE INDEX opinion_timeline_event ON opinion_timeline(event_id, at);
