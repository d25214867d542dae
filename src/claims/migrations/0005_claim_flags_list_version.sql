-- 0005_claim_flags_list_version: each stored flag keeps the catalogue version (`yijian rules import`'s
-- list_version, docs/claims.md "Catalogues") of the rule's list that produced it, as FLAGS.csv does, so a
-- reviewer sees which edition of the province's catalogue a flag rests on. NULL: a hand-edited list, a
-- rule without a list, or a flag stored before this column.
ALTER TABLE claim_flags ADD COLUMN list_version TEXT;
