/* test_calendar.c — calendar days and working days on the seeded work_calendar (a temporary SQLite
 * file, or YJ_TEST_DB's PostgreSQL in a schema of its own): weekdays, deadlines across 春节 and 国庆节
 * with their make-up Saturdays and Sundays, an administrator's new holiday, and the publication rule
 * of 一公开 — a completed inspection not published within 20 working days is overdue — evaluated
 * against a task inserted with an old completion date, with "today" as a parameter. */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../testdb.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/base.h"
#include "base/id.h"
#include "inspection/inspection.h"
#include "cli/modules.h"

static yj_testdb t; /* the fixture: tests/unit/testdb.h */
static store *db;

static int setup(void **state)
{
	db = yj_testdb_open(&t, "calendar");
	yj_id_seed(4242);
	return 0;
}

static int teardown(void **state)
{
	yj_testdb_close(&t);
	return 0;
}

static void days(void **state)
{
	int64_t d;
	char out[11];
	assert_int_equal(yj_day_parse("1970-01-01", &d), 0);
	assert_int_equal(d, 0);
	assert_int_equal(yj_day_parse("2026-10-01", &d), 0);
	assert_int_equal(yj_day_weekday(d), 3); /* Thursday */
	yj_day_format(d + 92, out);
	assert_string_equal(out, "2027-01-01");
	assert_int_equal(yj_day_parse("2024-02-29", &d), 0);
	assert_int_equal(yj_day_parse("2025-02-29", &d), -1);
	assert_int_equal(yj_day_parse("2025-13-01", &d), -1);
	assert_int_equal(yj_day_parse("2025-1-01", &d), -1);
	assert_int_equal(yj_day_parse("2025-01-01x", &d), -1);
	/* Asia/Shanghai: 2025-12-31T16:00Z is already 1 January. */
	yj_day_of_ms(1767196800000LL, out);
	assert_string_equal(out, "2026-01-01");
	yj_day_of_ms(1767196799999LL, out);
	assert_string_equal(out, "2025-12-31");
}

static void add(const char *from, int n, const char *want)
{
	char out[11];
	assert_int_equal(yj_workdays_add(store_conn_get(db), from, n, out), ST_OK);
	if (strcmp(out, want))
		fail_msg("%s + %d working days: got %s, want %s", from, n, out, want);
}

static void working_days(void **state)
{
	add("2025-09-30", 1, "2025-10-09");  /* 国庆节、中秋节 1–8 October 2025 */
	add("2025-09-26", 1, "2025-09-28");  /* make-up Sunday */
	add("2025-10-10", 1, "2025-10-11");  /* make-up Saturday */
	add("2025-01-20", 10, "2025-02-08"); /* across 春节 2025 with both make-up days */
	add("2025-09-01", 20, "2025-09-28");
	add("2026-09-15", 20, "2026-10-19"); /* make-up 20 September, 中秋节, 国庆节, make-up 10 October */
	add("2026-09-30", 1, "2026-10-08");
	add("2026-02-13", 5, "2026-02-27");
	add("2026-12-31", 3, "2027-01-05"); /* beyond the seeded years: weekends only */
	add("2026-10-03", 0, "2026-10-03");
	char out[11];
	assert_int_equal(yj_workdays_add(store_conn_get(db), "2026-02-30", 1, out), ST_ERR);
	assert_int_equal(yj_workdays_add(store_conn_get(db), "2026-02-01", -1, out), ST_ERR);
	int w = -1;
	assert_int_equal(yj_workday_is(store_conn_get(db), "2026-10-10", &w), ST_OK);
	assert_int_equal(w, 1);
	assert_int_equal(yj_workday_is(store_conn_get(db), "2026-10-05", &w), ST_OK);
	assert_int_equal(w, 0);
	assert_int_equal(yj_workday_is(store_conn_get(db), "2026-10-11", &w), ST_OK);
	assert_int_equal(w, 0);
	/* An administrator adds a holiday: deadlines move. */
	assert_int_equal(store_exec(store_conn_get(db), "INSERT INTO work_calendar (day, kind, name, updated_at) VALUES"
							" ('2027-01-04', 'holiday', '测试假日', 0)"),
			 ST_OK);
	add("2026-12-31", 3, "2027-01-06");
}

static void exec_ok(const char *sql)
{
	store_conn *c = store_conn_get(db);
	if (store_exec(c, sql) != ST_OK)
		fail_msg("%s: %s", sql, store_errmsg(c));
}

static int has(json_t *items, const char *task, int *overdue)
{
	size_t i;
	json_t *v;
	json_array_foreach(items, i, v) if (!strcmp(json_string_value(json_object_get(v, "task_id")), task)) {
		*overdue = json_is_true(json_object_get(v, "overdue"));
		return 1;
	}
	return 0;
}

static void publication_overdue(void **state)
{
	exec_ok("INSERT INTO institutions (id, credit_code, name, type, level, grade, ownership, profit, clinical_depts, beds,"
		" equipment, region_code, insurance_designated, state, version, created_at, updated_at) VALUES (77, '91330302TEST00077X',"
		" '测试诊所', 'clinic', 'none', 'none', 'private', 'forprofit', '03', 0, '', '330302', 0, 'active', 1, 0, 0)");
	/* Completed on 2025-09-01 (a Monday): due 20 working days later, 2025-09-28 (the make-up Sunday). */
	char due[11];
	assert_int_equal(yj_workdays_add(store_conn_get(db), "2025-09-01", YJ_PUBLISH_WORKING_DAYS, due), ST_OK);
	assert_string_equal(due, "2025-09-28");
	char *sql = yj_asprintf("INSERT INTO inspection_tasks (id, kind, item_ids, subject_id, subject_name, subject_code,"
				" region_code, department, state, outcome, completed_at, completed_on, publish_due,"
				" published_at, created_by, created_at, updated_at) VALUES (%s, 'patrol', '', 77, '测试诊所',"
				" '91330302TEST00077X', '330302', 'health', 'completed', 'compliant', 1756656000000,"
				" '2025-09-01', '%s', %s, 'test', 0, 0)",
				"%s", due, "%s");
	char *a = yj_asprintf(sql, "9001", "NULL"), *b = yj_asprintf(sql, "9002", "1757000000000");
	exec_ok(a);
	exec_ok(b);
	free(sql);
	free(a);
	free(b);
	yj_scope all, lc, lw;
	yj_scope_unrestricted(&all);
	yj_scope_init(&lc, "330302", "health", "*");
	yj_scope_init(&lw, "330303", "health", "*");
	json_t *items = NULL;
	int overdue = -1;
	/* On the deadline it is not overdue; the day after it is; a published result never is listed. */
	assert_int_equal(yj_insp_publications(store_conn_get(db), &lc, "2025-09-28", 0, 100, &items), ST_OK);
	assert_true(has(items, "9001", &overdue));
	assert_int_equal(overdue, 0);
	assert_false(has(items, "9002", &overdue));
	json_decref(items);
	assert_int_equal(yj_insp_publications(store_conn_get(db), &lc, "2025-09-28", 1, 100, &items), ST_OK);
	assert_false(has(items, "9001", &overdue));
	json_decref(items);
	assert_int_equal(yj_insp_publications(store_conn_get(db), &all, "2025-09-29", 1, 100, &items), ST_OK);
	assert_true(has(items, "9001", &overdue));
	assert_int_equal(overdue, 1);
	json_decref(items);
	/* Outside the territory: not seen at all. */
	assert_int_equal(yj_insp_publications(store_conn_get(db), &lw, "2025-10-20", 1, 100, &items), ST_OK);
	assert_false(has(items, "9001", &overdue));
	json_decref(items);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(days),
		cmocka_unit_test(working_days),
		cmocka_unit_test(publication_overdue),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
