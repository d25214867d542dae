-- 0006_name_grams_key: the name index (name_grams) in its primary key alone. A record's old grams are
-- found again from its old name when it is renamed (registry/record_names.c, reg_index_name), so the
-- index by (object_type, object_id) goes: it was a B-tree more for each of the ~24 gram rows of every
-- name an import writes. The C step (registry_module.c) then keeps the table's rows in the primary
-- key's B-tree where the engine can (store_key_only_table), rows carried over.
DROP INDEX name_grams_object;
