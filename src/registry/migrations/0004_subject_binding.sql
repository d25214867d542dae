-- 0004_subject_binding (before modules: part of global migration 11): the subject binding (主体绑定)
-- of grid members.
-- global-version: 11

-- A grid member's subjects are read on every request: its grids, then their institutions.
CREATE INDEX grid_members_user ON grid_members(user_id, grid_id);
CREATE INDEX institutions_grid ON institutions(grid_id, id);
