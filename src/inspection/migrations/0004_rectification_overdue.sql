-- 0004_rectification_overdue (global migration 14 before modules): when the periodic overdue check announced an open rectification
-- order past its deadline (the inspection.rectification_overdue event), so it announces it once.
-- global-version: 14
ALTER TABLE rectification_orders ADD COLUMN overdue_at BIGINT;
