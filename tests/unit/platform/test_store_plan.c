/* test_store_plan.c — store_plan_each and the query builder's lists (platform/store), on both engines: a
 * scoped list built by yj_q_prepare, run more than the five times after which PostgreSQL may switch a
 * prepared statement to a generic plan, never runs on a generic plan (the name search's generic plan
 * walked the whole table, docs/benchmarks.md "Lists at 100,000 records") and answers the same rows each
 * time; a lookup by id stays a cached prepared statement. On SQLite the same calls answer the same rows. */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "../testdb.h"
#include "platform/store/query.h"

static const yj_table things = {"plan_things", "region_code", NULL, NULL};

/* The ids of the scope's things whose name has pattern, after id `after`: their count. */
static int list(store_conn *c, const yj_scope *sc, const char *pattern, int64_t after)
{
	yj_qb *q = yj_q_select(&things, "id, name", sc);
	yj_q_where(q, "name LIKE ?");
	yj_q_text(q, pattern);
	yj_q_where(q, "id > ?");
	yj_q_int(q, after);
	yj_q_tail(q, "ORDER BY id LIMIT ?");
	yj_q_int(q, 21);
	store_stmt *st = yj_q_prepare(q, c);
	assert_non_null(st);
	int n = 0, rc;
	while ((rc = store_step(st)) == ST_ROW)
		n++;
	assert_int_equal(rc, ST_DONE);
	store_finalize(st);
	return n;
}

/* Plans of the connection's named prepared statements on plan_things: generic (1) or custom (0). */
static int64_t plans(yj_testdb *t, const char *column)
{
	char sql[200];
	snprintf(sql, sizeof sql,
		 "SELECT COALESCE(SUM(%s), 0) FROM pg_prepared_statements WHERE statement LIKE '%%FROM plan_things%%' "
		 "AND statement NOT LIKE '%%pg_prepared_statements%%'",
		 column);
	return yj_testdb_int(t, sql, NULL);
}

static void test_lists_planned_with_values(void **state)
{
	(void)state;
	yj_testdb t;
	yj_testdb_open(&t, "plan");
	int pg = strcmp(store_engine(t.db), "postgresql") == 0;
	store_conn *c = store_conn_get(t.db);
	yj_testdb_exec(&t, "CREATE TABLE plan_things (id BIGINT PRIMARY KEY, name TEXT NOT NULL, region_code TEXT NOT NULL)");
	yj_testdb_exec(&t, "CREATE INDEX plan_things_region ON plan_things (region_code)");
	for (int i = 1; i <= 200; i++) {
		char sql[160];
		snprintf(sql, sizeof sql, "INSERT INTO plan_things VALUES (%d, '%s%d', '%s')", i, i % 4 ? "卫生院" : "诊所", i,
			 i % 2 ? "330302" : "330102");
		yj_testdb_exec(&t, sql);
	}
	yj_scope province, county;
	yj_scope_init(&province, "330000", "health", "*");
	yj_scope_init(&county, "330302", "health", "*");

	/* Twelve runs with changing values: the same rows as the first each time, whatever the plan. */
	for (int i = 0; i < 12; i++) {
		assert_int_equal(list(c, &province, "%卫生%", 0), 21);
		assert_int_equal(list(c, &county, "%诊所%", 0), 0); /* every fourth is a clinic, all even: 330102 */
		assert_int_equal(list(c, &county, "%卫生%", 150), 21); /* 25 odd ids after 150, a page of 21 */
		assert_int_equal(list(c, &province, "%诊所%", 180), 5);
	}
	if (pg) /* no execution of a list on a generic plan: each was planned with its values */
		assert_int_equal(plans(&t, "generic_plans"), 0);

	/* A lookup by id (one row by its key) stays a named prepared statement, its plan cached. */
	for (int i = 1; i <= 7; i++) {
		store_stmt *st = NULL;
		assert_int_equal(yj_q_one_by_id(c, &things, "name", &province, i, &st), ST_OK);
		store_finalize(st);
	}
	if (pg)
		assert_true(plans(&t, "generic_plans") + plans(&t, "custom_plans") >= 7);
	yj_testdb_close(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lists_planned_with_values),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
