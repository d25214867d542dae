-- 0003_subject_binding (before modules: part of global migration 11).
-- global-version: 11

-- 整改报告: what an institution reports it has done about a rectification order (its only write), the
-- latest report kept on the order; each submission is an audit leaf.
ALTER TABLE rectification_orders ADD COLUMN report TEXT;
ALTER TABLE rectification_orders ADD COLUMN reported_at BIGINT;
ALTER TABLE rectification_orders ADD COLUMN reported_by TEXT;
