-- 0008_todos (global migration 12 before modules): the to-do inbox (待办). Capabilities put the work they create here inside the same
-- transaction as the change (src/platform/todos/todos.h): one row per kind and object, addressed to
-- users (todo_assignees rows) or to a role within the row's territory and department (role). Readers
-- see a to-do only when its region_code and department are in their scope.
-- global-version: 12
CREATE TABLE todos (
  id BIGINT PRIMARY KEY,
  kind TEXT NOT NULL,                 -- <capability>.<what>: inspection.task, inspection.rectification, …
  kind_label TEXT NOT NULL,           -- Chinese name of the kind (navigation badges)
  title TEXT NOT NULL,                -- Chinese, one line
  object_type TEXT NOT NULL,          -- inspection_task, rectification_order, …
  object_id BIGINT NOT NULL,
  link TEXT NOT NULL,                 -- console path of the object
  role TEXT,                          -- addressed to this role within region_code/department; NULL: to todo_assignees
  region_code TEXT NOT NULL,          -- the object's territory
  department TEXT NOT NULL,           -- the object's department
  due_date TEXT,                      -- 'YYYY-MM-DD' (Asia/Shanghai); NULL: no deadline
  state TEXT NOT NULL,                -- open | done | cancelled
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  closed_at BIGINT,
  UNIQUE (kind, object_type, object_id)
);
CREATE INDEX todos_role ON todos(role, state, region_code);

CREATE TABLE todo_assignees (
  todo_id BIGINT NOT NULL REFERENCES todos(id),
  user_id BIGINT NOT NULL REFERENCES users(id),
  PRIMARY KEY (todo_id, user_id)
);
CREATE INDEX todo_assignees_user ON todo_assignees(user_id, todo_id);
