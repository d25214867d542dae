/* test_helpers.c — the handler helpers of platform/http (helpers.c) driven through the in-process
 * dispatcher on a real store (a temporary SQLite file, or YJ_TEST_DB's PostgreSQL in a schema of
 * its own): field errors, path ids, id-keyed pages, and the transaction whose callback refuses. */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "../testdb.h"

#include "base/base.h"
#include "base/id.h"
#include "platform/http/http.h"

static yj_testdb t; /* the fixture: tests/unit/testdb.h */
static store *db;
static yj_server *srv;

static const yj_table rows_table = {"helper_rows", NULL, NULL, "1=1"};

/* ---- handlers written with the helpers, as capabilities write theirs ---- */

static int get_one(yj_req *r)
{
	int64_t id;
	if (yj_path_id_or_reply(r, "id", &id) < 0)
		return YJ_OK;
	return yj_reply_json(r, 200, json_pack("{s:o}", "id", yj_json_id(id)));
}

static json_t *row_json(store_stmt *st, void *arg)
{
	(void)arg;
	return json_pack("{s:o, s:s}", "id", yj_json_id(store_col_int64(st, 0)), "name", store_col_text(st, 1));
}

static int list_rows(yj_req *r)
{
	int limit;
	int64_t after;
	if (yj_page_id_or_reply(r, &limit, &after) < 0)
		return YJ_OK;
	yj_scope sc;
	yj_scope_unrestricted(&sc);
	yj_qb *q = yj_q_select(&rows_table, "id, name", &sc);
	return yj_reply_id_page(r, q, "id", limit, after, row_json, NULL);
}

/* The same list answering up to 3 rows without ?limit= (yj_page_id_or). */
static int list_rows3(yj_req *r)
{
	int limit;
	int64_t after;
	if (yj_page_id_or(r, 3, &limit, &after) < 0)
		return YJ_OK;
	yj_scope sc;
	yj_scope_unrestricted(&sc);
	yj_qb *q = yj_q_select(&rows_table, "id, name", &sc);
	return yj_reply_id_page(r, q, "id", limit, after, row_json, NULL);
}

static const yj_column export_cols[] = {{"id", "编号"}, {"name", "名称"}, {NULL, NULL}};

static int export_rows(yj_req *r)
{
	store_stmt *st = store_prepare(store_conn_get(yj_store(r)), "SELECT id, name FROM helper_rows ORDER BY id");
	return yj_reply_export_stmt(r, "rows", export_cols, st, row_json, NULL);
}

struct put_arg {
	yj_req *r;
	yj_refusal no;
	int attempts;
};

/* Inserts a row, then refuses when the name is "bad" (the insert must be rolled back); the first
 * attempt of "retry" notes a field error and asks for a retry, which must leave no trace. */
static int put_tx(store_conn *c, void *arg)
{
	struct put_arg *a = arg;
	const char *name = json_string_value(json_object_get(yj_body(a->r), "name"));
	a->attempts++;
	if (!strcmp(name, "retry") && a->attempts == 1) {
		yj_refusal_field(&a->no, "name", "首次尝试");
		return ST_RETRY;
	}
	store_stmt *st = store_prepare(c, "INSERT INTO helper_rows (id, name) VALUES (?, ?)");
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, yj_id_new());
	store_bind_text(st, 2, name, -1);
	int rc = store_step(st);
	store_finalize(st);
	if (rc < 0)
		return rc;
	if (!strcmp(name, "bad")) {
		yj_refusal_field(&a->no, "name", "不能为 bad");
		return yj_refuse_invalid(&a->no, NULL);
	}
	if (!strcmp(name, "late"))
		return yj_refuse(&a->no, 409, "state", "状态不允许", "第 %d 次尝试：请刷新后重试。", a->attempts);
	return yj_refusal_has_fields(&a->no) ? ST_ERR : ST_OK;
}

static int put_row(yj_req *r)
{
	struct put_arg a = {r, {0}, 0};
	if (yj_tx_or_reply(r, put_tx, &a, &a.no) < 0)
		return YJ_OK;
	return yj_reply_json(r, 201, json_pack("{s:i}", "attempts", a.attempts));
}

static const yj_field put_fields[] = {{"name", F_STRING, 1, 0, "name"}, {NULL, 0, 0, 0, NULL}};
static const yj_qparam page_params[] = {{"limit", "page size"}, {"cursor", "next_cursor"}, {"format", "f"}, {NULL, NULL}};
static const yj_route routes[] = {
	{"GET", "/t/rows/{id}", get_one, ROLE_PUBLIC, NULL, NULL, "t", "one", "row", 0},
	{"GET", "/t/rows", list_rows, ROLE_PUBLIC, NULL, page_params, "t", "list", "rows", 0},
	{"GET", "/t/rows3", list_rows3, ROLE_PUBLIC, NULL, page_params, "t", "list of 3", "rows", 0},
	{"GET", "/t/export", export_rows, ROLE_PUBLIC, NULL, page_params, "t", "export", "file", 0},
	{"POST", "/t/rows", put_row, ROLE_PUBLIC, put_fields, NULL, "t", "put", "row", 201},
	{NULL, NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL, 0},
};

static int call(const char *method, const char *url, const char *body, json_t **out)
{
	char *resp = NULL;
	static const char *const json_hdr[] = {"Content-Type", "application/json", NULL};
	int status = yj_server_dispatch(srv, method, url, body ? json_hdr : NULL, body, body ? strlen(body) : 0, &resp);
	*out = resp ? json_loads(resp, 0, NULL) : NULL;
	free(resp);
	return status;
}

static int64_t count_rows(void)
{
	int64_t n = -1;
	assert_int_equal(store_query_int64(store_conn_get(db), "SELECT COUNT(*) FROM helper_rows", NULL, &n), ST_OK);
	return n;
}

/* ---- tests ---- */

static void field_error(void **state)
{
	(void)state;
	json_t *e = json_array();
	yj_field_error(e, "a", "甲");
	yj_field_error(e, "b", "乙");
	assert_int_equal(json_array_size(e), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(e, 1), "field")), "b");
	assert_string_equal(json_string_value(json_object_get(json_array_get(e, 1), "detail")), "乙");
	assert_int_equal(json_object_size(json_array_get(e, 0)), 2);
	json_decref(e);
	e = yj_field_errors("c", "丙");
	assert_int_equal(json_array_size(e), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(e, 0), "field")), "c");
	assert_string_equal(json_string_value(json_object_get(json_array_get(e, 0), "detail")), "丙");
	json_decref(e);
}

static void path_id(void **state)
{
	(void)state;
	json_t *b;
	assert_int_equal(call("GET", "/t/rows/12345", NULL, &b), 200);
	assert_string_equal(json_string_value(json_object_get(b, "id")), "12345");
	json_decref(b);
	assert_int_equal(call("GET", "/t/rows/12x", NULL, &b), 404);
	assert_string_equal(json_string_value(json_object_get(b, "type")), "urn:yijian:problem:not-found");
	json_decref(b);
}

static void pages(void **state)
{
	(void)state;
	for (int i = 0; i < 5; i++) {
		char body[64];
		snprintf(body, sizeof body, "{\"name\":\"n%d\"}", i);
		json_t *b;
		assert_int_equal(call("POST", "/t/rows", body, &b), 201);
		json_decref(b);
	}
	int seen = 0, pages = 0;
	char url[256] = "/t/rows?limit=2";
	for (;;) {
		json_t *b;
		assert_int_equal(call("GET", url, NULL, &b), 200);
		seen += (int)json_array_size(json_object_get(b, "items"));
		pages++;
		json_t *next = json_object_get(b, "next_cursor");
		if (!json_is_string(next)) {
			json_decref(b);
			break;
		}
		snprintf(url, sizeof url, "/t/rows?limit=2&cursor=%s", json_string_value(next));
		json_decref(b);
	}
	assert_int_equal(seen, 5);
	assert_int_equal(pages, 3);
	json_t *b;
	assert_int_equal(call("GET", "/t/rows?cursor=YWJj", NULL, &b), 400); /* "abc" is no id */
	json_decref(b);
	assert_int_equal(call("GET", "/t/rows?limit=0", NULL, &b), 400);
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(b, "errors"), 0), "field")),
			    "limit");
	json_decref(b);
	/* A list with its own default page: 3 rows without ?limit=, the asked size with it, the same cursor check. */
	assert_int_equal(call("GET", "/t/rows3", NULL, &b), 200);
	assert_int_equal(json_array_size(json_object_get(b, "items")), 3);
	assert_true(json_is_string(json_object_get(b, "next_cursor")));
	char url3[256];
	snprintf(url3, sizeof url3, "/t/rows3?cursor=%s", json_string_value(json_object_get(b, "next_cursor")));
	json_decref(b);
	assert_int_equal(call("GET", url3, NULL, &b), 200);
	assert_int_equal(json_array_size(json_object_get(b, "items")), 2);
	json_decref(b);
	assert_int_equal(call("GET", "/t/rows3?limit=4", NULL, &b), 200);
	assert_int_equal(json_array_size(json_object_get(b, "items")), 4);
	json_decref(b);
	assert_int_equal(call("GET", "/t/rows3?cursor=YWJj", NULL, &b), 400);
	json_decref(b);
}

/* The streamed export holds every row, in order, under the Chinese headers; a bad format is 400. */
static void export_csv(void **state)
{
	(void)state;
	char *resp = NULL;
	assert_int_equal(yj_server_dispatch(srv, "GET", "/t/export?format=csv", NULL, NULL, 0, &resp), 200);
	assert_memory_equal(resp, "\xEF\xBB\xBF\"编号\",\"名称\"\r\n", strlen("\xEF\xBB\xBF\"编号\",\"名称\"\r\n"));
	int lines = 0;
	for (const char *p = resp; (p = strstr(p, "\r\n")); p += 2)
		lines++;
	assert_int_equal(lines, 1 + count_rows());
	assert_non_null(strstr(resp, "\"n4\"\r\n"));
	free(resp);
	assert_int_equal(yj_server_dispatch(srv, "GET", "/t/export", NULL, NULL, 0, &resp), 200);
	assert_memory_equal(resp, "PK", 2); /* an xlsx is a zip */
	free(resp);
	assert_int_equal(yj_server_dispatch(srv, "GET", "/t/export?format=pdf", NULL, NULL, 0, &resp), 400);
	free(resp);
}

static void refusal(void **state)
{
	(void)state;
	int64_t before = count_rows();
	json_t *b;
	assert_int_equal(call("POST", "/t/rows", "{\"name\":\"bad\"}", &b), 422);
	assert_string_equal(json_string_value(json_object_get(b, "type")), "urn:yijian:problem:validation");
	assert_string_equal(json_string_value(json_object_get(b, "detail")), "请按字段提示修改后重新提交。");
	json_t *errs = json_object_get(b, "errors");
	assert_int_equal(json_array_size(errs), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(errs, 0), "detail")), "不能为 bad");
	json_decref(b);
	assert_int_equal(call("POST", "/t/rows", "{\"name\":\"late\"}", &b), 409);
	assert_string_equal(json_string_value(json_object_get(b, "type")), "urn:yijian:problem:state");
	assert_string_equal(json_string_value(json_object_get(b, "title")), "状态不允许");
	assert_string_equal(json_string_value(json_object_get(b, "detail")), "第 1 次尝试：请刷新后重试。");
	assert_null(json_object_get(b, "errors"));
	json_decref(b);
	assert_int_equal(count_rows(), before); /* both refused inserts were rolled back */
	/* A retried attempt starts with an empty refusal: the first attempt's note is gone. */
	assert_int_equal(call("POST", "/t/rows", "{\"name\":\"retry\"}", &b), 201);
	assert_int_equal(json_integer_value(json_object_get(b, "attempts")), 2);
	json_decref(b);
	assert_int_equal(count_rows(), before + 1);
}

/* ---- setup ---- */

static int setup(void **state)
{
	(void)state;
	yj_id_seed(4244);
	db = yj_testdb_open(&t, "helpers");
	assert_int_equal(store_exec(store_conn_get(db), "CREATE TABLE helper_rows (id BIGINT PRIMARY KEY, name TEXT NOT NULL)"),
			 ST_OK);
	static const yj_route *const tables[] = {routes};
	yj_http_config cfg = {0};
	cfg.max_body = 1 << 20;
	srv = yj_server_new(&cfg, db, tables, 1, NULL, t.dir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	yj_server_free(srv);
	yj_testdb_close(&t);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(field_error),
		cmocka_unit_test(path_id),
		cmocka_unit_test(pages),
		cmocka_unit_test(export_csv),
		cmocka_unit_test(refusal),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
