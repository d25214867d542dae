-- 0007_name_grams_numeric: the name index (name_grams) as numbers. A gram is one BIGINT, (kind << 42) |
-- (first code point << 21) | second code point — kind 1 + the kind's place in yj_reg_kinds (record.h),
-- second 0 for the gram of a name's last character — and a name has its distinct bigrams and that one
-- last-character gram, no other single characters (they were half the rows): a one-character query
-- reads the range of grams that start with it (registry/record_names.c). The text key's comparisons
-- (collation, two varlenas before the id) were most of an import's server time on PostgreSQL
-- (docs/benchmarks.md, "Issue 15: the name index as numeric bigrams"). The C step (registry_module.c)
-- keeps the table in its primary key where the engine can and writes every record's grams anew.
DROP TABLE name_grams;
CREATE TABLE name_grams (
  gram BIGINT NOT NULL,
  object_id BIGINT NOT NULL,
  PRIMARY KEY (gram, object_id)
);
