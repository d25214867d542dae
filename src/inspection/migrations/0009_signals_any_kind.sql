-- 0009_signals_any_kind: the draw weighs every kind of subject it draws (public places, water suppliers,
-- schools … as well as institutions), so their credit grades come into subject_signals too. Registry ids
-- are unique across kinds, so subject_id still names one record; the module's C step for this migration
-- (inspection_module.c) drops subject_signals.subject_id's foreign key to institutions.
SELECT 1;
