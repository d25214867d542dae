-- 0014_rectification_overdue: when the periodic overdue check announced an open rectification
-- order past its deadline (the inspection.rectification_overdue event), so it announces it once.
ALTER TABLE rectification_orders ADD COLUMN overdue_at BIGINT;
