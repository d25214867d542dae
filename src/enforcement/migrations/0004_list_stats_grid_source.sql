-- 0004_list_stats_grid_source: the state-filtered case list (GET /api/v1/cases?state=) by an index on (state,
-- region_code, id) — PostgreSQL also gets extended statistics on (state, region_code) from the module's C step
-- for this version (enforcement_module.c: CREATE STATISTICS is PostgreSQL's alone, and migrations' SQL runs on
-- both engines); and one source name for grid reports: the grid-patrol clues of complaints.patrol_reported were
-- recorded as "grid", hand-entered grid reports as "grid_report" — both are "grid_report" now.

CREATE INDEX enf_cases_state_region ON enf_cases(state, region_code, id);

-- A patrol clue whose id a hand-entered grid report already carries as its reference keeps its patrol id under
-- a prefix, so the unique (source, source_ref) holds; none is lost.
UPDATE enf_clues SET source = 'grid_report', source_ref = 'patrol:' || source_ref
 WHERE source = 'grid' AND EXISTS (SELECT 1 FROM enf_clues g WHERE g.source = 'grid_report' AND g.source_ref = enf_clues.source_ref);
UPDATE enf_clues SET source = 'grid_report' WHERE source = 'grid';
