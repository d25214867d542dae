-- 0007_subject_kind: a task's subject may be a record of any kind of the registry (an institution, or a
-- public place, water supplier, school … drawn from yj_subject_directory), so tasks and findings say which
-- kind their subject_id is; rows before this were institutions. The module's C step for this migration
-- (inspection_module.c) then drops inspection_tasks.subject_id's foreign key to institutions, which
-- refused every other kind.
ALTER TABLE inspection_tasks ADD COLUMN subject_kind TEXT NOT NULL DEFAULT 'institution';
ALTER TABLE inspection_findings ADD COLUMN subject_kind TEXT NOT NULL DEFAULT 'institution';
