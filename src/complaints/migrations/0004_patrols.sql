-- 0004_patrols: grid patrols (网格巡查, R17) — a grid member's check-in at a subject of its grids with a
-- short checklist and photos, and the report (协管信息) of a suspected violation for the inspectors.

-- region_code is the grid's (a town), department the health commission's: both scope every read; a grid
-- member sees the patrols of its grids' subjects (subject_id).
CREATE TABLE grid_patrols (
  id BIGINT PRIMARY KEY,
  grid_id BIGINT NOT NULL,            -- registry grids.id (read through registry.h)
  grid_code TEXT NOT NULL,
  region_code TEXT NOT NULL,
  department TEXT NOT NULL,
  subject_id BIGINT NOT NULL,         -- the institution patrolled
  member_id BIGINT NOT NULL,          -- the grid member (users.id)
  patrolled_on TEXT NOT NULL,
  lat TEXT NOT NULL,
  lng TEXT NOT NULL,
  checklist TEXT NOT NULL,            -- JSON object: item code → true (in order) | false (a problem)
  problems INTEGER NOT NULL,          -- items found wanting
  note TEXT NOT NULL,
  state TEXT NOT NULL,                -- clear | found | reported
  report_text TEXT NOT NULL,
  reported_at BIGINT,
  created_at BIGINT NOT NULL
);
CREATE INDEX grid_patrols_scope ON grid_patrols(region_code, department);
CREATE INDEX grid_patrols_grid ON grid_patrols(grid_id, patrolled_on);
CREATE INDEX grid_patrols_subject ON grid_patrols(subject_id);

CREATE TABLE grid_patrol_photos (
  patrol_id BIGINT NOT NULL REFERENCES grid_patrols(id),
  sha256 TEXT NOT NULL,               -- the blob (platform attach)
  name TEXT NOT NULL,
  media_type TEXT NOT NULL,
  size BIGINT NOT NULL,
  PRIMARY KEY (patrol_id, sha256)
);
