/* test_todos.c — the inbox's put and close on a migrated store (a temporary SQLite file, or
 * YJ_TEST_DB's PostgreSQL in a schema of its own): a put is idempotent per (kind, object) and
 * replaces the addressees; a close is done once and never undone by a retried put; a put rolled back
 * with its transaction leaves nothing; malformed to-dos are refused. */
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
#include "platform/todos/todos.h"
#include "cli/modules.h"

static yj_testdb t; /* the fixture: tests/unit/testdb.h */
static store *db;
static int64_t u1 = 7001, u2 = 7002, u3 = 7003;

static int setup(void **state)
{
	db = yj_testdb_open(&t, "todos");
	yj_id_seed(4243);
	/* Addressees must be users. */
	for (int64_t u = u1; u <= u3; u++) {
		char *sql = yj_asprintf("INSERT INTO users (id, username, display_name, password_hash, role, region_code,"
					" department, created_at, updated_at) VALUES (%lld, 'u%lld', 'u', 'x', 'inspector',"
					" '330302', 'health', 0, 0)",
					(long long)u, (long long)u);
		assert_int_equal(store_exec(store_conn_get(db), sql), ST_OK);
		free(sql);
	}
	return 0;
}

static int teardown(void **state)
{
	yj_testdb_close(&t);
	return 0;
}

static int64_t count(const char *sql, int64_t object_id)
{
	char id[21];
	int64_t n = -1;
	yj_id_format(object_id, id);
	assert_int_equal(store_query_int64(store_conn_get(db), sql, id, &n), ST_OK);
	return n;
}

static char *state_of(int64_t object_id)
{
	char id[21];
	yj_id_format(object_id, id);
	store_stmt *st = store_prepare(store_conn_get(db), "SELECT state FROM todos WHERE object_id = ?");
	assert_non_null(st);
	store_bind_text(st, 1, id, -1);
	assert_int_equal(store_step(st), ST_ROW);
	char *s = yj_strdup(store_col_text(st, 0));
	store_finalize(st);
	return s;
}

/* store_tx bodies: put (or close) the to-do in arg, then fail when asked to. */
struct op {
	const yj_todo *t;
	const char *close; /* state to close with, or NULL to put */
	int fail_after;
};

static int op_tx(store_conn *c, void *arg)
{
	struct op *o = arg;
	int rc = o->close ? yj_todo_close(c, o->t->kind, o->t->object_type, o->t->object_id, o->close) : yj_todo_put(c, o->t);
	return rc < 0 ? rc : o->fail_after ? ST_ERR : ST_OK;
}

static int run(const yj_todo *t, const char *close, int fail_after)
{
	struct op o = {t, close, fail_after};
	return store_tx(db, op_tx, &o);
}

#define ROWS "SELECT COUNT(*) FROM todos WHERE object_id = ?"
#define ADDRESSEES "SELECT COUNT(*) FROM todo_assignees a JOIN todos t ON t.id = a.todo_id WHERE t.object_id = ?"

static void put_is_idempotent_and_readdresses(void **state)
{
	int64_t team1[] = {u1, u2, u1}, team2[] = {u3};
	yj_todo t = {"inspection.task", "检查任务", "日常巡查：某诊所", "inspection_task", 9001, "/inspection/tasks/9001",
		     "2026-03-02", "330302", "health", team1, 3, NULL};
	assert_int_equal(run(&t, NULL, 0), ST_OK);
	assert_int_equal(run(&t, NULL, 0), ST_OK); /* a retry */
	assert_int_equal(count(ROWS, 9001), 1);
	assert_int_equal(count(ADDRESSEES, 9001), 2); /* the repeated member once */
	t.users = team2;
	t.nusers = 1;
	t.due_date = "2026-04-01";
	assert_int_equal(run(&t, NULL, 0), ST_OK);
	assert_int_equal(count(ROWS, 9001), 1);
	assert_int_equal(count(ADDRESSEES, 9001), 1);
	assert_int_equal(count("SELECT COUNT(*) FROM todos WHERE due_date = '2026-04-01' AND object_id = ?", 9001), 1);
	/* The same object under another kind is another to-do. */
	yj_todo p = {"inspection.publication", "结果公示", "检查结果公示：某诊所", "inspection_task", 9001, "/inspection/publications",
		     NULL, "330302", "health", NULL, 0, "leader"};
	assert_int_equal(run(&p, NULL, 0), ST_OK);
	assert_int_equal(count(ROWS, 9001), 2);
}

static void close_once_and_stays_closed(void **state)
{
	int64_t team[] = {u1, u2};
	yj_todo t = {"inspection.rectification", "整改复查", "整改复查：某诊所", "rectification_order", 9002,
		     "/inspection/tasks/1", "2026-03-02", "330302", "health", team, 2, NULL};
	assert_int_equal(run(&t, NULL, 0), ST_OK);
	char *s = state_of(9002);
	assert_string_equal(s, "open");
	free(s);
	assert_int_equal(run(&t, YJ_TODO_DONE, 0), ST_OK);
	assert_int_equal(run(&t, YJ_TODO_CANCELLED, 0), ST_OK); /* already closed: nothing changes */
	assert_int_equal(run(&t, NULL, 0), ST_OK);		  /* a retried put does not reopen it */
	s = state_of(9002);
	assert_string_equal(s, "done");
	free(s);
	assert_int_equal(count(ROWS, 9002), 1);
	/* Closing what was never put (an object older than the inbox) is fine. */
	t.object_id = 9999;
	assert_int_equal(run(&t, YJ_TODO_DONE, 0), ST_OK);
	assert_int_equal(count(ROWS, 9999), 0);
	assert_int_equal(run(&t, YJ_TODO_OPEN, 0), ST_ERR); /* closing means done or cancelled */
}

static void rolled_back_with_its_transaction(void **state)
{
	int64_t team[] = {u1, u2};
	yj_todo t = {"inspection.task", "检查任务", "日常巡查：某诊所", "inspection_task", 9003, "/inspection/tasks/9003", NULL,
		     "330302", "health", team, 2, NULL};
	assert_int_equal(run(&t, NULL, 1), ST_ERR);
	assert_int_equal(count(ROWS, 9003), 0);
	assert_int_equal(count(ADDRESSEES, 9003), 0);
	assert_int_equal(run(&t, NULL, 0), ST_OK);
	assert_int_equal(run(&t, YJ_TODO_DONE, 1), ST_ERR);
	char *s = state_of(9003);
	assert_string_equal(s, "open");
	free(s);
}

static void malformed_refused(void **state)
{
	int64_t team[] = {u1};
	const yj_todo good = {"inspection.task", "检查任务", "标题", "inspection_task", 9004, "/x", "2026-03-02", "330302",
			      "health", team, 1, NULL};
	yj_todo t = good;
	t.role = "leader"; /* both users and a role */
	assert_int_equal(run(&t, NULL, 0), ST_ERR);
	t = good;
	t.users = NULL;
	t.nusers = 0; /* nobody */
	assert_int_equal(run(&t, NULL, 0), ST_ERR);
	t = good;
	t.due_date = "2026-3-2";
	assert_int_equal(run(&t, NULL, 0), ST_ERR);
	t = good;
	t.kind = "Inspection Task";
	assert_int_equal(run(&t, NULL, 0), ST_ERR);
	t = good;
	t.link = "inspection/tasks/1";
	assert_int_equal(run(&t, NULL, 0), ST_ERR);
	t = good;
	t.region_code = NULL;
	assert_int_equal(run(&t, NULL, 0), ST_ERR);
	assert_int_equal(count(ROWS, 9004), 0);
	assert_int_equal(run(&good, NULL, 0), ST_OK);
	assert_int_equal(count(ROWS, 9004), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(put_is_idempotent_and_readdresses),
		cmocka_unit_test(close_once_and_stays_closed),
		cmocka_unit_test(rolled_back_with_its_transaction),
		cmocka_unit_test(malformed_refused),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
