-- 0003_joint: joint enforcement actions (联合执法) with their participating departments, plan and result,
-- counted per territory and year against the local target; joint meetings (联席会议) with their decisions
-- tracked as tasks of an owner department with a deadline.

-- The yearly target of joint actions of each county-level territory, by the longest region-code prefix
-- (330300 温州市: 2 a year; 330600 绍兴市: 1). Editable data; a territory under no row has target 1.
CREATE TABLE joint_action_targets (
  region_code TEXT PRIMARY KEY,
  per_year INTEGER NOT NULL
);
INSERT INTO joint_action_targets VALUES ('330300', 2);
INSERT INTO joint_action_targets VALUES ('330600', 1);

-- An action organised by department in region_code (both scope every read); participants is a JSON array
-- of the other departments' codes. state: planned | done.
CREATE TABLE joint_actions (
  id BIGINT PRIMARY KEY,
  region_code TEXT NOT NULL,
  department TEXT NOT NULL REFERENCES departments(code),
  title TEXT NOT NULL,
  plan TEXT NOT NULL,
  participants TEXT NOT NULL,
  planned_on TEXT NOT NULL,
  state TEXT NOT NULL,
  result TEXT NOT NULL,
  done_on TEXT,
  created_by TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX joint_actions_scope ON joint_actions(region_code, department);

CREATE TABLE joint_meetings (
  id BIGINT PRIMARY KEY,
  region_code TEXT NOT NULL,
  department TEXT NOT NULL REFERENCES departments(code), -- the convener
  title TEXT NOT NULL,
  held_on TEXT NOT NULL,
  attendees TEXT NOT NULL,            -- JSON array of department codes
  minutes TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX joint_meetings_scope ON joint_meetings(region_code, department);

-- A decision of a meeting as a task of its owner department (scoped by region_code, owner_department).
CREATE TABLE joint_meeting_tasks (
  id BIGINT PRIMARY KEY,
  meeting_id BIGINT NOT NULL REFERENCES joint_meetings(id),
  region_code TEXT NOT NULL,
  owner_department TEXT NOT NULL REFERENCES departments(code),
  decision TEXT NOT NULL,
  due_on TEXT NOT NULL,
  state TEXT NOT NULL,                -- open | done
  result TEXT NOT NULL,
  done_on TEXT,
  done_by TEXT
);
CREATE INDEX joint_meeting_tasks_scope ON joint_meeting_tasks(region_code, owner_department);
CREATE INDEX joint_meeting_tasks_meeting ON joint_meeting_tasks(meeting_id, id);
