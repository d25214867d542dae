-- 0005_team_members: an inspection team as rows, one per member, instead of the comma list
-- inspection_tasks.team that every reader matched with LIKE. member_order keeps the leader first (0).
-- Existing teams move over by a recursive walk of the list one character at a time (substr and ||
-- only, so the same SQL runs on SQLite and PostgreSQL); the column then goes.
CREATE TABLE inspection_task_members (
  task_id BIGINT NOT NULL REFERENCES inspection_tasks(id),
  member_order INTEGER NOT NULL,
  user_id BIGINT NOT NULL,
  PRIMARY KEY (task_id, user_id)
);
CREATE INDEX inspection_task_members_user ON inspection_task_members(user_id, task_id);
WITH RECURSIVE walk(task_id, rest, tok, n, emit) AS (
  SELECT id, team || ',', CAST('' AS TEXT), 0, CAST(NULL AS TEXT) FROM inspection_tasks
  UNION ALL
  SELECT task_id, substr(rest, 2),
         CASE WHEN substr(rest, 1, 1) = ',' THEN CAST('' AS TEXT) ELSE tok || substr(rest, 1, 1) END,
         CASE WHEN substr(rest, 1, 1) = ',' THEN n + 1 ELSE n END,
         CASE WHEN substr(rest, 1, 1) = ',' THEN tok ELSE CAST(NULL AS TEXT) END
  FROM walk WHERE rest <> ''
)
INSERT INTO inspection_task_members (task_id, member_order, user_id)
  SELECT task_id, MIN(n) - 1, CAST(emit AS BIGINT) FROM walk WHERE emit IS NOT NULL AND emit <> ''
  GROUP BY task_id, emit;
ALTER TABLE inspection_tasks DROP COLUMN team;
