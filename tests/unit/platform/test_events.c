/* test_events.c — events on a real database (a temporary SQLite file, or the PostgreSQL of
 * YJ_TEST_DB in a schema of its own): an event exists exactly when its transaction commits;
 * delivery keeps the order per subject when a subscriber fails, retries after the back-off, never
 * delivers an event twice to a subscriber (even with its cursor reset), lets other subscribers go
 * on; the lag shows in the metrics, and the overdue job announces a late rectification once. */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/base.h"
#include "cli/modules.h"
#include "../testdb.h"
#include "platform/audit/audit.h"
#include "platform/events/events.h"
#include "platform/http/http.h"
#include "inspection/inspection.h"

static yj_testdb t; /* the fixture: tests/unit/testdb.h */
static store *db;

static int64_t query_int(const char *sql, const char *bind)
{
	return yj_testdb_int(&t, sql, bind);
}

static void exec_sql(const char *sql)
{
	yj_testdb_exec_tx(&t, sql);
}

/* ---- emitting ---- */

struct emit_arg {
	const char *type, *subject;
	int fail_after; /* roll the transaction back after the emit */
	int64_t id;
};

static int emit_tx(store_conn *c, void *argp)
{
	struct emit_arg *a = argp;
	json_t *p = json_pack("{s:s}", "subject", a->subject);
	int rc = yj_event_emit(c, &(yj_event){a->type, "thing", a->subject, "330302", "7", p}, &a->id);
	json_decref(p);
	return rc < 0 ? rc : a->fail_after ? ST_ERR : ST_OK;
}

static int64_t emit(const char *type, const char *subject)
{
	struct emit_arg a = {type, subject, 0, 0};
	assert_int_equal(store_tx(db, emit_tx, &a), ST_OK);
	return a.id;
}

static void reset(void)
{
	exec_sql("DELETE FROM event_deliveries; DELETE FROM event_cursors; DELETE FROM events; DELETE FROM test_log");
}

/* ---- a subscriber that logs into its own table, in the delivery's transaction ---- */

static int64_t fail_id;	   /* the event to fail */
static int fail_times;	   /* how many more times to fail it */
static int always_fail_on; /* fail every event of subject "a" */

static int logger(store_conn *c, const yj_event_view *ev, void *arg)
{
	const char *who = arg;
	if ((ev->id == fail_id && fail_times > 0) || (always_fail_on && !strcmp(ev->subject_id, "a"))) {
		fail_times--;
		return ST_ERR;
	}
	store_stmt *st = store_prepare(c, "INSERT INTO test_log (sub, seq, event_id, subject) VALUES (?,"
					  " (SELECT COUNT(*) FROM test_log), ?, ?)");
	if (!st)
		return ST_ERR;
	store_bind_text(st, 1, who, -1);
	store_bind_int64(st, 2, ev->id);
	store_bind_text(st, 3, ev->subject_id, -1);
	int rc = store_step(st);
	store_finalize(st);
	assert_string_equal(json_string_value(json_object_get(ev->payload, "subject")), ev->subject_id);
	return rc < 0 ? rc : ST_OK;
}

static const char *const types[] = {"test.happened", NULL};
static const yj_subscriber sub_one = {"one", types, logger, "one"};
static const yj_subscriber sub_two = {"two", types, logger, "two"};

/* The ids sub received, in delivery order, as "id,id,…". */
static char *log_of(const char *sub)
{
	yj_buf b = YJ_BUF_INIT;
	store_conn *c = store_conn_get(db);
	store_stmt *st = store_prepare(c, "SELECT event_id FROM test_log WHERE sub = ? ORDER BY seq");
	assert_non_null(st);
	store_bind_text(st, 1, sub, -1);
	while (store_step(st) == ST_ROW)
		yj_buf_printf(&b, "%s%lld", b.len ? "," : "", (long long)store_col_int64(st, 0));
	store_finalize(st);
	return b.data ? yj_buf_detach(&b) : yj_strdup("");
}

static void assert_log(const char *sub, const int64_t *ids, size_t n)
{
	yj_buf want = YJ_BUF_INIT;
	for (size_t i = 0; i < n; i++)
		yj_buf_printf(&want, "%s%lld", i ? "," : "", (long long)ids[i]);
	char *got = log_of(sub);
	assert_string_equal(got, want.data ? want.data : "");
	free(got);
	yj_buf_free(&want);
}

/* ---- tests ---- */

static void test_same_transaction(void **state)
{
	reset();
	struct emit_arg a = {"test.happened", "x", 1, 0};
	assert_int_equal(store_tx(db, emit_tx, &a), ST_ERR);
	assert_int_equal(query_int("SELECT COUNT(*) FROM events WHERE subject_id = ?", "x"), 0);
	int64_t id1 = emit("test.happened", "x"), id2 = emit("test.other", "x");
	assert_true(id2 > id1);
	assert_int_equal(query_int("SELECT COUNT(*) FROM events WHERE subject_id = ?", "x"), 2);
	/* Not an object: refused. */
	store_conn *c = store_conn_get(db);
	json_t *arr = json_array();
	assert_int_equal(store_begin(c, 1), ST_OK);
	assert_true(yj_event_emit(c, &(yj_event){"test.happened", "thing", "x", "", NULL, arr}, NULL) < 0);
	store_rollback(c);
	json_decref(arr);
}

/* A bulk publication defers its events: none is written before the flush, the flush gives them
 * consecutive ids in emit order after the last single emit, with their payloads, and a discard
 * writes nothing. */
static int deferred_tx(store_conn *c, void *argp)
{
	int discard = *(int *)argp;
	yj_events_defer_begin(c);
	for (int i = 0; i < 700; i++) { /* more than one multi-row insert; on PostgreSQL one COPY */
		char sid[16];
		snprintf(sid, sizeof sid, "d%d", i);
		/* Texts with what COPY's text form escapes (tab, newline, carriage return, backslash). */
		json_t *p = json_pack("{s:i, s:s}", "n", i, "s", "a\\b\t \u5f20");
		int64_t id = -1;
		int rc = yj_event_emit(c, &(yj_event){"test.bulk", "thing", sid, "330302", "7\t\\\n\r", p}, &id);
		json_decref(p);
		assert_int_equal(rc, ST_OK);
		assert_int_equal(id, 0);
	}
	assert_int_equal(query_int("SELECT COUNT(*) FROM events WHERE type = ?", "test.bulk"), 0);
	if (discard) {
		yj_events_defer_discard(c);
		return ST_OK;
	}
	return yj_events_defer_flush(c);
}

static void test_deferred_emits(void **state)
{
	reset();
	int64_t before = emit("test.happened", "first");
	int discard = 1;
	assert_int_equal(store_tx(db, deferred_tx, &discard), ST_OK);
	assert_int_equal(query_int("SELECT COUNT(*) FROM events WHERE type = ?", "test.bulk"), 0);
	discard = 0;
	assert_int_equal(store_tx(db, deferred_tx, &discard), ST_OK);
	assert_int_equal(query_int("SELECT COUNT(*) FROM events WHERE type = ?", "test.bulk"), 700);
	assert_int_equal(query_int("SELECT MIN(id) FROM events WHERE type = ?", "test.bulk"), before + 1);
	assert_int_equal(query_int("SELECT MAX(id) FROM events WHERE type = ?", "test.bulk"), before + 700);
	assert_int_equal(query_int("SELECT id FROM events WHERE subject_id = ?", "d699"), before + 700);
	assert_int_equal(query_int("SELECT last_id FROM event_head WHERE id = 1", NULL), before + 700);
	assert_int_equal(query_int("SELECT COUNT(*) FROM events WHERE type = 'test.bulk' AND payload LIKE ?", "{\"n\":5,%"), 1);
	/* Each in emit order (its id from its subject's number), its texts as emitted. */
	char sql[160];
	snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM events WHERE type = 'test.bulk' AND id = %lld + 1 + CAST(substr(subject_id, 2) AS INTEGER)",
		 (long long)before);
	assert_int_equal(query_int(sql, NULL), 700);
	assert_int_equal(query_int("SELECT COUNT(*) FROM events WHERE type = 'test.bulk' AND actor = ?", "7\t\\\n\r"), 700);
	json_t *p5 = json_pack("{s:i, s:s}", "n", 5, "s", "a\\b\t \u5f20");
	char *text = json_dumps(p5, JSON_COMPACT); /* as events.c stores it */
	snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM events WHERE id = %lld AND payload = ?", (long long)before + 6);
	assert_int_equal(query_int(sql, text), 1);
	free(text);
	json_decref(p5);
	/* Single emits go on after them. */
	assert_int_equal(emit("test.happened", "after"), before + 701);
}

static void test_order_per_subject_and_retry(void **state)
{
	reset();
	int64_t a1 = emit("test.happened", "a"), b1 = emit("test.happened", "b"), a2 = emit("test.happened", "a");
	int64_t b2 = emit("test.happened", "b"), a3 = emit("test.happened", "a");
	emit("test.ignored", "a"); /* not one of its types */
	fail_id = a2;
	fail_times = 1;
	int64_t t = yj_now_ms();
	yj_events_policy p = {.backoff_ms = 1000};
	/* a2 fails: a3 waits behind it; b goes on. */
	assert_int_equal(yj_events_deliver(db, &sub_one, t, &p), 5);
	assert_log("one", (int64_t[]){a1, b1, b2}, 3);
	assert_int_equal(query_int("SELECT attempts FROM event_deliveries WHERE state = 'pending' AND subscriber = 'one'"
				   " AND last_error IS NOT NULL AND subject_id = ?", "a"), 1);
	assert_int_equal(query_int("SELECT COUNT(*) FROM event_deliveries WHERE state = 'pending' AND subscriber = ?", "one"), 2);
	/* A new event of a waits too. */
	int64_t a4 = emit("test.happened", "a");
	assert_int_equal(yj_events_deliver(db, &sub_one, t + 10, &p), 1);
	assert_log("one", (int64_t[]){a1, b1, b2}, 3);
	/* Before the back-off: nothing. After it: a2, then a3 and a4 in order. */
	assert_int_equal(yj_events_deliver(db, &sub_one, t + 999, &p), 0);
	assert_int_equal(yj_events_deliver(db, &sub_one, t + 1000, &p), 3);
	assert_log("one", (int64_t[]){a1, b1, b2, a2, a3, a4}, 6);
	assert_int_equal(yj_events_deliver(db, &sub_one, t + 2000, &p), 0);
	assert_int_equal(query_int("SELECT COUNT(*) FROM event_deliveries WHERE state = 'done' AND subscriber = ?", "one"), 6);
}

static void test_idempotent_redelivery(void **state)
{
	reset();
	int64_t x1 = emit("test.happened", "x"), y1 = emit("test.happened", "y");
	fail_times = 0;
	assert_int_equal(yj_events_deliver(db, &sub_one, yj_now_ms(), NULL), 2);
	/* The cursor goes back (a restore, an operator's mistake): the events come round again and
	 * the subscriber is not called twice for either. */
	exec_sql("UPDATE event_cursors SET position = 0");
	assert_int_equal(yj_events_deliver(db, &sub_one, yj_now_ms(), NULL), 2);
	assert_log("one", (int64_t[]){x1, y1}, 2);
	assert_int_equal(query_int("SELECT COUNT(*) FROM test_log WHERE sub = ?", "one"), 2);
}

static void test_failing_subscriber_blocks_only_itself(void **state)
{
	reset();
	int64_t a1 = emit("test.happened", "a"), b1 = emit("test.happened", "b");
	always_fail_on = 1;
	int64_t t = yj_now_ms();
	assert_int_equal(yj_events_deliver(db, &sub_one, t, NULL), 2);
	assert_int_equal(yj_events_deliver(db, &sub_two, t, NULL), 2);
	assert_log("one", (int64_t[]){b1}, 1);
	assert_log("two", (int64_t[]){b1}, 1);
	always_fail_on = 0;
	/* The lag: one's and two's a1, failed once each. */
	yj_events_subscribe(&sub_one);
	yj_events_subscribe(&sub_two);
	yj_buf m = YJ_BUF_INIT;
	yj_events_metrics(db, &m);
	assert_non_null(strstr(m.data, "yijian_events_undelivered{subscriber=\"one\"} 1\n"));
	assert_non_null(strstr(m.data, "yijian_events_oldest_undelivered_seconds{subscriber=\"two\"}"));
	yj_buf_free(&m);
	/* Retried after the back-off (5 s by default) it goes through; both now have everything. */
	assert_int_equal(yj_events_deliver(db, &sub_one, t + 5000, NULL), 1);
	assert_int_equal(yj_events_deliver(db, &sub_two, t + 5000, NULL), 1);
	assert_log("one", (int64_t[]){b1, a1}, 2);
	assert_int_equal(query_int("SELECT attempts FROM event_deliveries WHERE subscriber = 'two' AND state = 'done'"
				   " AND subject_id = ?", "a"), 2);
	m = (yj_buf)YJ_BUF_INIT;
	yj_events_metrics(db, &m);
	assert_non_null(strstr(m.data, "yijian_events_undelivered{subscriber=\"one\"} 0\n"));
	yj_buf_free(&m);
}

/* Ids commit in order: a second appender waits for the first transaction's end, so no reader can
 * see event n + 1 before event n. */
struct slow_arg {
	int64_t id;
	atomic_int emitted;
};

static int slow_tx(store_conn *c, void *argp)
{
	struct slow_arg *a = argp;
	int rc = yj_event_emit(c, &(yj_event){"test.happened", "thing", "slow", "", NULL, NULL}, &a->id);
	a->emitted = 1;
	struct timespec ts = {0, 300 * 1000000L};
	nanosleep(&ts, NULL); /* holds event_head's lock (SQLite: the writer) meanwhile */
	return rc;
}

static void *slow_main(void *argp)
{
	assert_int_equal(store_tx(db, slow_tx, argp), ST_OK);
	return NULL;
}

static void test_ids_commit_in_order(void **state)
{
	reset();
	struct slow_arg a = {0, 0};
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, slow_main, &a), 0);
	while (!a.emitted) {
		struct timespec ts = {0, 1000000L};
		nanosleep(&ts, NULL);
	}
	uint64_t t0 = yj_mono_ns();
	int64_t next = emit("test.happened", "fast");
	uint64_t waited_ms = (yj_mono_ns() - t0) / 1000000u;
	pthread_join(th, NULL);
	assert_int_equal(next, a.id + 1);
	assert_true(waited_ms >= 200); /* it waited for the first to commit */
}

/* Two deliverers of one subscriber at once (a process that lost its lease and the one that took
 * over): each event still reaches the subscriber once. */
static int slow_logger(store_conn *c, const yj_event_view *ev, void *arg)
{
	struct timespec ts = {0, 3 * 1000000L};
	nanosleep(&ts, NULL);
	return logger(c, ev, arg);
}

static const yj_subscriber sub_slow = {"slow", types, slow_logger, "slow"};

static void *deliver_main(void *arg)
{
	assert_true(yj_events_deliver(db, &sub_slow, yj_now_ms(), NULL) >= 0);
	return NULL;
}

static void test_concurrent_deliverers(void **state)
{
	reset();
	for (int i = 0; i < 30; i++)
		emit("test.happened", i % 2 ? "p" : "q");
	pthread_t th[2];
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&th[i], NULL, deliver_main, NULL), 0);
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	assert_int_equal(query_int("SELECT COUNT(*) FROM test_log WHERE sub = ?", "slow"), 30);
	assert_int_equal(query_int("SELECT COUNT(DISTINCT event_id) FROM test_log WHERE sub = ?", "slow"), 30);
}

/* The listing, in process: an administrator of 330302 sees its events with each subscriber's state. */
static int as_admin(yj_req *r, yj_principal *out)
{
	memset(out, 0, sizeof *out);
	out->user_id = 7;
	snprintf(out->username, sizeof out->username, "ev.admin");
	snprintf(out->role, sizeof out->role, "admin");
	out->role_bit = ROLE_ADMIN;
	snprintf(out->region_code, sizeof out->region_code, "330302");
	snprintf(out->department, sizeof out->department, "health");
	yj_scope_init(&out->scope, "330302", "health", "*");
	return 1;
}

extern const yj_route yj_event_routes[];

static json_t *list(yj_server *srv, const char *url)
{
	char *body = NULL;
	int status = yj_server_dispatch(srv, "GET", url, NULL, NULL, 0, &body);
	assert_int_equal(status, 200);
	json_t *j = json_loads(body, 0, NULL);
	free(body);
	assert_non_null(j);
	return j;
}

static json_t *item_of(json_t *page, int64_t id)
{
	size_t i;
	json_t *it;
	char want[21];
	snprintf(want, sizeof want, "%lld", (long long)id);
	json_array_foreach(json_object_get(page, "items"), i, it) {
		if (!strcmp(json_string_value(json_object_get(it, "id")), want))
			return it;
	}
	return NULL;
}

static void test_listing(void **state)
{
	reset();
	yj_events_subscribe(&sub_one);
	yj_events_subscribe(&sub_two);
	int64_t a = emit("test.happened", "a"), b = emit("test.happened", "b");
	struct emit_arg other = {"test.happened", "c", 0, 0};
	assert_int_equal(store_tx(db, emit_tx, &other), ST_OK);
	exec_sql("UPDATE events SET region_code = '330303' WHERE subject_id = 'c'");
	always_fail_on = 1;
	assert_int_equal(yj_events_deliver(db, &sub_one, yj_now_ms(), NULL), 3);
	always_fail_on = 0;
	static const yj_route *const tables[] = {yj_event_routes};
	static const yj_auth_hooks hooks = {as_admin, NULL};
	yj_http_config cfg = {0};
	yj_server *srv = yj_server_new(&cfg, db, tables, 1, &hooks, t.dir);
	json_t *page = list(srv, "/api/v1/system/events");
	assert_int_equal(json_array_size(json_object_get(page, "items")), 2); /* c is in 330303 */
	json_t *ia = item_of(page, a), *ib = item_of(page, b);
	assert_non_null(ia);
	assert_non_null(ib);
	json_t *da = json_object_get(ia, "deliveries"), *db1 = json_object_get(ib, "deliveries");
	assert_string_equal(json_string_value(json_object_get(json_object_get(da, "one"), "state")), "pending");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(da, "one"), "attempts")), 1);
	assert_non_null(json_object_get(json_object_get(da, "one"), "next_attempt_at"));
	assert_non_null(json_object_get(json_object_get(da, "one"), "last_error"));
	assert_string_equal(json_string_value(json_object_get(json_object_get(da, "two"), "state")), "queued");
	assert_string_equal(json_string_value(json_object_get(json_object_get(db1, "one"), "state")), "done");
	assert_null(json_object_get(da, "slow")); /* not subscribed in this process */
	json_decref(page);
	page = list(srv, "/api/v1/system/events?limit=1");
	assert_int_equal(json_array_size(json_object_get(page, "items")), 1);
	assert_non_null(item_of(page, b)); /* newest first */
	assert_true(json_is_string(json_object_get(page, "next_cursor")));
	json_decref(page);
	yj_server_free(srv);
}

/* The overdue job: an open order past its deadline is announced once, a closed one never. */
static void test_rectification_overdue(void **state)
{
	reset();
	exec_sql("DELETE FROM rectification_orders; DELETE FROM inspection_tasks; DELETE FROM institutions WHERE id = 5");
	/* The rows the job reads, with what their foreign keys need (columns as the registry's and inspection's migrations leave them). */
	exec_sql("INSERT INTO institutions (id, credit_code, name, type, level, grade, ownership, profit, clinical_depts, beds,"
		 " equipment, region_code, insurance_designated, state, version, created_at, updated_at) VALUES (5,"
		 " 'TESTCODE0000000005', 'x', 'clinic', 'none', 'none', 'private', 'forprofit', '', 0, '', '330302', 0,"
		 " 'active', 1, 0, 0)");
	exec_sql("INSERT INTO inspection_tasks (id, kind, item_ids, subject_id, subject_name, subject_code, region_code,"
		 " department, state, created_by, created_at, updated_at) VALUES (11, 'patrol', '', 5, 'x',"
		 " 'TESTCODE0000000005', '330302', 'health', 'completed', '1', 0, 0)");
	exec_sql("INSERT INTO rectification_orders (id, task_id, subject_id, requirement, issued_on, working_days, deadline,"
		 " state, region_code, department, actor, created_at) VALUES"
		 " (21, 11, 5, 'r', '2026-01-05', 10, '2026-01-19', 'open', '330302', 'health', '1', 0),"
		 " (22, 11, 5, 'r', '2026-01-05', 10, '2026-01-19', 'rectified', '330302', 'health', '1', 0),"
		 " (23, 11, 5, 'r', '2026-01-05', 10, '2026-01-20', 'open', '330302', 'health', '1', 0)");
	int announced = -1;
	assert_int_equal(yj_insp_overdue_run(db, "2026-01-20", &announced), ST_OK);
	assert_int_equal(announced, 1); /* 21 only: 22 is closed, 23 is due today */
	assert_int_equal(query_int("SELECT COUNT(*) FROM events WHERE type = 'inspection.rectification_overdue'"
				   " AND subject_type = 'rectification_order' AND subject_id = ?", "21"), 1);
	assert_int_equal(query_int("SELECT COUNT(*) FROM audit_leaves WHERE action = 'inspection.rectification.overdue'"
				   " AND object_id = ?", "21"), 1);
	assert_int_equal(yj_insp_overdue_run(db, "2026-01-20", &announced), ST_OK);
	assert_int_equal(announced, 0);
	assert_int_equal(yj_insp_overdue_run(db, "2026-01-21", &announced), ST_OK);
	assert_int_equal(announced, 1);
	assert_int_equal(query_int("SELECT COUNT(*) FROM events WHERE type = ?", "inspection.rectification_overdue"), 2);
}

/* ---- setup ---- */

static int setup(void **state)
{
	db = yj_testdb_open(&t, "events");
	char *err = NULL;
	char *keys = yj_asprintf("%s/keys", t.dir);
	if (yj_audit_keys_load(keys, &err) < 0)
		fail_msg("keys: %s", err);
	free(keys);
	exec_sql("CREATE TABLE test_log (sub TEXT NOT NULL, seq BIGINT NOT NULL, event_id BIGINT NOT NULL,"
		 " subject TEXT NOT NULL)");
	return 0;
}

static int teardown(void **state)
{
	yj_testdb_close(&t);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_transaction),
		cmocka_unit_test(test_ids_commit_in_order),
		cmocka_unit_test(test_deferred_emits),
		cmocka_unit_test(test_order_per_subject_and_retry),
		cmocka_unit_test(test_idempotent_redelivery),
		cmocka_unit_test(test_failing_subscriber_blocks_only_itself),
		cmocka_unit_test(test_concurrent_deliverers),
		cmocka_unit_test(test_listing),
		cmocka_unit_test(test_rectification_overdue),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
