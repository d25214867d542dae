/* regions_api.c — regions (GB/T 2260) and departments over HTTP: list by parent with paging and
 * export, read one. Regions are scoped like any subject: a county user sees their county's subtree. */
#define _POSIX_C_SOURCE 200809L
#include "regions.h"
#include "../auth/auth.h"
#include "../store/query.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const yj_table regions_table = {"regions", "code", NULL, "1=1"}; /* place names: reference data */

#define COLS "code, name, level, parent_code, (SELECT COUNT(*) FROM regions c WHERE c.parent_code = regions.code)"

static const yj_qparam list_params[] = {
	{"parent", "Parent region code: its direct children"},
	{"q", "Substring of the name"},
	{"level", "1 province, 2 city, 3 county, 4 town"},
	YJ_QP_PAGE,
	{NULL, NULL},
};

static const yj_qparam export_params[] = {
	{"parent", "Parent region code: its direct children"},
	{"q", "Substring of the name"},
	{"level", "1 province, 2 city, 3 county, 4 town"},
	{"format", "xlsx (default) or csv"},
	{NULL, NULL},
};

static json_t *region_json(store_stmt *st)
{
	const char *parent = store_col_text(st, 3);
	return json_pack("{s:s, s:s, s:I, s:s?, s:I}", "code", store_col_text(st, 0), "name", store_col_text(st, 1),
			 "level", (json_int_t)store_col_int64(st, 2), "parent_code", parent, "children_count",
			 (json_int_t)store_col_int64(st, 4));
}

static int valid_code(const char *s)
{
	size_t n = strlen(s);
	if (n != 6 && n != 9 && n != 12)
		return 0;
	return strspn(s, "0123456789") == n;
}

/* Builds the filtered, scoped query; replies 400 and returns NULL on a bad filter. */
static yj_qb *filtered(yj_req *r)
{
	const char *parent = yj_query(r, "parent"), *q = yj_query(r, "q"), *level = yj_query(r, "level");
	if (parent && !valid_code(parent)) {
		yj_reply_problem_errors(r, 400, "validation", "参数错误", "parent 应为 6 位或 9 位行政区划代码。",
					yj_field_errors("parent", "无效的行政区划代码"));
		return NULL;
	}
	if (level && (strlen(level) != 1 || level[0] < '1' || level[0] > '4')) {
		yj_reply_problem_errors(r, 400, "validation", "参数错误", "level 应为 1 到 4。",
					yj_field_errors("level", "应为 1–4"));
		return NULL;
	}
	yj_qb *qq = yj_q_select(&regions_table, COLS, &yj_who(r)->scope);
	if (parent) {
		yj_q_where(qq, "parent_code = ?");
		yj_q_text(qq, parent);
	}
	yj_q_words(qq, "name LIKE ?", 1, q);
	if (level) {
		yj_q_where(qq, "level = ?");
		yj_q_int(qq, level[0] - '0');
	}
	return qq;
}

static json_t *region_row(store_stmt *st, void *arg)
{
	(void)arg;
	return region_json(st);
}

/* Region lists are reference data read on every screen: each process keeps the pages it answered, keyed
 * by the caller's scope and the query, valid under the reference-data epoch read for the request
 * (yj_ref_epoch: regions change only when that epoch or the migrations change). A collision replaces. */
#define PAGE_SLOTS 512

typedef struct {
	char *key, *body;
	size_t len;
	int64_t epoch;
} page_slot;

static page_slot pages[PAGE_SLOTS];
static pthread_mutex_t pages_lock = PTHREAD_MUTEX_INITIALIZER;

/* The cache key: everything the answer depends on. Caller frees. */
static char *page_key(yj_req *r)
{
	const yj_principal *p = yj_who(r);
	const char *names[] = {"parent", "q", "level", "limit", "cursor"};
	yj_buf b = {0};
	yj_buf_printf(&b, "%s\x1f%s\x1f%s\x1f%d", p->region_code, p->department, p->role, p->scope.subject_bound);
	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		const char *v = yj_query(r, names[i]);
		yj_buf_printf(&b, "\x1f%zu:%s", v ? strlen(v) : (size_t)-1, v ? v : "");
	}
	return yj_buf_detach(&b);
}

static page_slot *page_slot_of(const char *key)
{
	uint32_t h = 2166136261u; /* FNV-1a */
	for (const unsigned char *k = (const unsigned char *)key; *k; k++)
		h = (h ^ *k) * 16777619u;
	return &pages[h % PAGE_SLOTS];
}

static int page_cached(yj_req *r, const char *key, int64_t epoch)
{
	page_slot *s = page_slot_of(key);
	char *body = NULL;
	size_t len = 0;
	pthread_mutex_lock(&pages_lock);
	if (s->key && s->epoch == epoch && strcmp(s->key, key) == 0) {
		body = yj_malloc(s->len + 1);
		memcpy(body, s->body, s->len + 1);
		len = s->len;
	}
	pthread_mutex_unlock(&pages_lock);
	if (!body)
		return 0;
	yj_reply_take(r, 200, "application/json; charset=utf-8", body, len);
	return 1;
}

static void page_keep(yj_req *r, const char *key, int64_t epoch)
{
	size_t len;
	const char *body = yj_reply_body(r, &len);
	/* From the replica the answer may predate the epoch read on the primary: answer it, keep nothing. */
	if (!body || yj_on_replica(r))
		return;
	page_slot *s = page_slot_of(key);
	char *k = yj_strdup(key), *b = yj_malloc(len + 1);
	memcpy(b, body, len);
	b[len] = '\0';
	pthread_mutex_lock(&pages_lock);
	char *old_k = s->key, *old_b = s->body;
	s->key = k;
	s->body = b;
	s->len = len;
	s->epoch = epoch;
	pthread_mutex_unlock(&pages_lock);
	free(old_k);
	free(old_b);
}

static int list_regions_uncached(yj_req *r);

static int list_regions(yj_req *r)
{
	int64_t epoch;
	if (!yj_ref_epoch(r, &epoch))
		return list_regions_uncached(r);
	char *key = page_key(r);
	int rc = YJ_OK;
	if (!page_cached(r, key, epoch) && (rc = list_regions_uncached(r)) == YJ_OK)
		page_keep(r, key, epoch);
	free(key);
	return rc;
}

static int list_regions_uncached(yj_req *r)
{
	int limit;
	const char *cursor;
	if (yj_page_params(r, &limit, &cursor) < 0)
		return YJ_OK;
	yj_qb *q = filtered(r);
	if (!q)
		return YJ_OK;
	if (cursor) {
		yj_q_where(q, "code > ?");
		yj_q_text(q, cursor);
	}
	yj_q_tail(q, "ORDER BY code LIMIT ?");
	yj_q_int(q, limit + 1);
	return yj_reply_page(r, yj_q_prepare(q, store_conn_get(yj_store(r))), limit, region_row, NULL, "code");
}

static const yj_column export_cols[] = {
	{"code", "行政区划代码"}, {"name", "名称"}, {"level", "级别"}, {"parent_code", "上级代码"},
	{"children_count", "下级数量"}, {NULL, NULL},
};

static int export_regions(yj_req *r)
{
	yj_qb *q = filtered(r);
	if (!q)
		return YJ_OK;
	yj_q_tail(q, "ORDER BY code"); /* every row: the export streams */
	return yj_reply_export_stmt(r, "regions", export_cols, yj_q_prepare(q, store_conn_get(yj_store(r))), region_row,
				    NULL);
}

static int get_region(yj_req *r)
{
	const char *code = yj_param(r, "code");
	if (!valid_code(code))
		return yj_reply_not_found(r);
	yj_qb *q = yj_q_select(&regions_table, COLS, &yj_who(r)->scope);
	yj_q_where(q, "code = ?");
	yj_q_text(q, code);
	store_stmt *st = yj_q_prepare(q, store_conn_get(yj_store(r)));
	if (!st)
		return yj_reply_store_error(r, ST_ERR);
	int rc = store_step(st);
	json_t *j = rc == ST_ROW ? region_json(st) : NULL;
	store_finalize(st);
	if (rc == ST_DONE)
		return yj_reply_not_found(r);
	if (rc < 0)
		return yj_reply_store_error(r, rc);
	return yj_reply_json(r, 200, j);
}

static int list_departments(yj_req *r)
{
	store_stmt *st = store_prepare(store_conn_get(yj_store(r)), "SELECT code, name, remit FROM departments ORDER BY code");
	if (!st)
		return yj_reply_store_error(r, ST_ERR);
	json_t *items = json_array();
	int rc;
	while ((rc = store_step(st)) == ST_ROW)
		json_array_append_new(items, json_pack("{s:s, s:s, s:s}", "code", store_col_text(st, 0), "name",
						       store_col_text(st, 1), "remit", store_col_text(st, 2)));
	store_finalize(st);
	if (rc < 0) {
		json_decref(items);
		return yj_reply_store_error(r, rc);
	}
	return yj_reply_json(r, 200, json_pack("{s:o, s:n}", "items", items, "next_cursor"));
}

const yj_route yj_region_routes[] = {
	{"GET", "/api/v1/regions", list_regions, ROLE_ANY, NULL, list_params, "regions",
	 "List regions in the caller's territory, optionally children of a parent", "{items, next_cursor}", 200},
	{"GET", "/api/v1/regions/export", export_regions, ROLE_ANY, NULL, export_params, "regions",
	 "Export the filtered region list as Excel or CSV", "An .xlsx or .csv file", 200},
	{"GET", "/api/v1/regions/{code}", get_region, ROLE_ANY, NULL, NULL, "regions", "Read one region", "The region",
	 200},
	{"GET", "/api/v1/departments", list_departments, ROLE_ANY, NULL, NULL, "regions",
	 "List departments and their remits", "{items, next_cursor}", 200},
	{0},
};
