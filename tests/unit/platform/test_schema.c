/* test_schema.c — store_drop_foreign_key (platform/store/schema.c) on both engines: a column's inline
 * REFERENCES goes (rows naming no parent are then accepted), while the other columns' keys, the rows,
 * the comments of the table's text and the keys of tables referencing it stay; a second call is a no-op.
 * store_key_only_table: the rows, the key and the other indexes stay, SQLite's table is WITHOUT ROWID. */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../testdb.h"

#include <string.h>

static int drop(store_conn *c, void *arg)
{
	(void)arg;
	return store_drop_foreign_key(c, "sch_task", "subject_id");
}

static void test_drop_foreign_key(void **state)
{
	(void)state;
	yj_testdb t;
	yj_testdb_open(&t, "schema");
	yj_testdb_exec(&t, "CREATE TABLE sch_inst (id BIGINT PRIMARY KEY)");
	yj_testdb_exec(&t, "CREATE TABLE sch_plan (id BIGINT PRIMARY KEY)");
	yj_testdb_exec(&t, "CREATE TABLE sch_task (\n"
			   "  id BIGINT PRIMARY KEY,\n"
			   "  plan_id BIGINT REFERENCES sch_plan(id),\n"
			   "  item_ids TEXT NOT NULL,             -- comma-separated: (whose checklists) apply\n"
			   "  subject_id BIGINT NOT NULL REFERENCES sch_inst(id),\n"
			   "  note TEXT\n"
			   ")");
	yj_testdb_exec(&t, "CREATE TABLE sch_finding (id BIGINT PRIMARY KEY, task_id BIGINT NOT NULL REFERENCES sch_task(id))");
	yj_testdb_exec(&t, "INSERT INTO sch_inst (id) VALUES (1)");
	yj_testdb_exec(&t, "INSERT INTO sch_plan (id) VALUES (5)");
	yj_testdb_exec(&t, "INSERT INTO sch_task (id, plan_id, item_ids, subject_id) VALUES (10, 5, 'a', 1)");
	yj_testdb_exec(&t, "INSERT INTO sch_finding (id, task_id) VALUES (100, 10)");
	store_conn *c = store_conn_get(t.db);
	/* before: a subject that is no sch_inst row is refused */
	assert_int_equal(store_exec(c, "INSERT INTO sch_task (id, item_ids, subject_id) VALUES (11, 'a', 999)"), ST_CONFLICT);
	assert_int_equal(store_tx(t.db, drop, NULL), ST_OK);
	yj_testdb_exec(&t, "INSERT INTO sch_task (id, item_ids, subject_id) VALUES (11, 'a', 999)");
	/* the other keys hold: the plan's, and the finding's to the task */
	assert_int_equal(store_exec(c, "INSERT INTO sch_task (id, plan_id, item_ids, subject_id) VALUES (12, 77, 'a', 1)"),
			 ST_CONFLICT);
	assert_int_equal(store_exec(c, "INSERT INTO sch_finding (id, task_id) VALUES (101, 12345)"), ST_CONFLICT);
	assert_int_equal(yj_testdb_int(&t, "SELECT COUNT(*) FROM sch_task", NULL), 2);
	assert_int_equal(yj_testdb_int(&t, "SELECT COUNT(*) FROM sch_finding", NULL), 1);
	/* nothing left to drop */
	assert_int_equal(store_tx(t.db, drop, NULL), ST_OK);
	yj_testdb_close(&t);
}

static int key_only(store_conn *c, void *arg)
{
	(void)arg;
	return store_key_only_table(c, "sch_grams");
}

static void test_key_only_table(void **state)
{
	(void)state;
	yj_testdb t;
	yj_testdb_open(&t, "schema_key");
	yj_testdb_exec(&t, "CREATE TABLE sch_grams (\n"
			   "  gram TEXT NOT NULL,\n"
			   "  object_type TEXT NOT NULL,          -- institution | practitioner\n"
			   "  object_id BIGINT NOT NULL,\n"
			   "  PRIMARY KEY (gram, object_type, object_id)\n"
			   ")");
	yj_testdb_exec(&t, "CREATE INDEX sch_grams_id ON sch_grams(object_id)");
	yj_testdb_exec(&t, "INSERT INTO sch_grams VALUES ('王', 'practitioner', 2), ('秀英', 'practitioner', 2), "
			   "('王', 'institution', 7)");
	store_conn *c = store_conn_get(t.db);
	assert_int_equal(store_tx(t.db, key_only, NULL), ST_OK);
	assert_int_equal(yj_testdb_int(&t, "SELECT COUNT(*) FROM sch_grams", NULL), 3);
	assert_int_equal(yj_testdb_int(&t, "SELECT COUNT(*) FROM sch_grams WHERE gram = ?", "王"), 2);
	assert_int_equal(store_exec(c, "INSERT INTO sch_grams VALUES ('王', 'institution', 7)"), ST_CONFLICT);
	int pg = !strcmp(store_conn_engine(c), "postgresql");
	const char *idx = pg ? "SELECT COUNT(*) FROM pg_indexes WHERE indexname = ?"
			     : "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = ?";
	assert_int_equal(yj_testdb_int(&t, idx, "sch_grams_id"), 1);
	if (!pg) {
		assert_int_equal(yj_testdb_int(&t, "SELECT COUNT(*) FROM sqlite_master WHERE name = ? AND sql LIKE "
						   "'%WITHOUT ROWID'", "sch_grams"), 1);
		assert_int_equal(yj_testdb_int(&t, "SELECT COUNT(*) FROM sqlite_master WHERE name LIKE ?", "%keyed%"), 0);
	}
	/* so already: nothing to do */
	assert_int_equal(store_tx(t.db, key_only, NULL), ST_OK);
	assert_int_equal(yj_testdb_int(&t, "SELECT COUNT(*) FROM sch_grams", NULL), 3);
	yj_testdb_close(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_drop_foreign_key), cmocka_unit_test(test_key_only_table)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
