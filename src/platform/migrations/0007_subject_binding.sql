-- 0007_subject_binding (before modules: part of global migration 11): the subject binding (主体绑定) of institution users and grid members. An
-- institution user sees its own institution and what belongs to it (staff, licences, inspection tasks,
-- findings, rectification orders); a grid member the same of every institution in its grids. The binding
-- of an institution user is set by an administrator (`yijian user add --institution`, the users API). No
-- foreign key: platform tables name no capability's table; the registry resolves and checks the
-- institution when the binding is set, through the hook it registers (platform/auth/auth.h).
-- global-version: 11
ALTER TABLE users ADD COLUMN institution_id BIGINT;
