-- 0011_subject_binding: the subject binding (主体绑定) of institution users and grid members. An
-- institution user sees its own institution and what belongs to it (staff, licences, inspection tasks,
-- findings, rectification orders); a grid member the same of every institution in its grids. The binding
-- of an institution user is set by an administrator (`yijian user add --institution`, the users API). No
-- foreign key: platform tables name no capability's table; the registry resolves and checks the
-- institution when the binding is set, through the hook it registers (platform/auth/auth.h).
ALTER TABLE users ADD COLUMN institution_id BIGINT;

-- A grid member's subjects are read on every request: its grids, then their institutions.
CREATE INDEX grid_members_user ON grid_members(user_id, grid_id);
CREATE INDEX institutions_grid ON institutions(grid_id, id);

-- 整改报告: what an institution reports it has done about a rectification order (its only write), the
-- latest report kept on the order; each submission is an audit leaf.
ALTER TABLE rectification_orders ADD COLUMN report TEXT;
ALTER TABLE rectification_orders ADD COLUMN reported_at BIGINT;
ALTER TABLE rectification_orders ADD COLUMN reported_by TEXT;
