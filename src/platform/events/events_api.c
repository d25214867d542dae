/* events_api.c — GET /api/v1/system/events: administrators see the events of their territory,
 * newest first, each with its delivery state for every subscriber of its type, so a stuck
 * subscriber shows where it stopped and why. One statement for the page, one for its deliveries. */
#include "events_int.h"

#include <stdlib.h>
#include <string.h>

#include "../../base/id.h"
#include "../http/http.h"
#include "../store/query.h"

static const yj_table events_table = {"events", "region_code", NULL, NULL}; /* admins only: no subject set */

static const yj_qparam list_params[] = {
	{"type", "Event type, e.g. inspection.task_completed"},
	{"subject_type", "Subject type, e.g. inspection_task"},
	{"subject_id", "Subject id (with subject_type)"},
	YJ_QP_PAGE,
	{NULL, NULL},
};

static json_t *event_json(store_stmt *st)
{
	json_t *payload = json_loads(store_col_text(st, 7) ? store_col_text(st, 7) : "{}", 0, NULL);
	return json_pack("{s:o, s:s, s:s, s:s, s:s, s:s, s:I, s:o, s:o}", "id", yj_json_id(store_col_int64(st, 0)),
			 "type", store_col_text(st, 1), "subject_type", store_col_text(st, 2), "subject_id",
			 store_col_text(st, 3), "region_code", store_col_text(st, 4), "actor", store_col_text(st, 5), "at",
			 (json_int_t)store_col_int64(st, 6), "payload", payload ? payload : json_object(), "deliveries",
			 json_object());
}

static int subscribes(const yj_subscriber *sub, const char *type)
{
	for (const char *const *t = sub->types; *t; t++)
		if (strcmp(*t, type) == 0)
			return 1;
	return 0;
}

/* Every subscriber of the item's type starts as "queued" (not yet read past its cursor). */
static void queued(json_t *item)
{
	size_t n;
	const yj_subscriber *const *subs = yj_events_subscribers(&n);
	const char *type = json_string_value(json_object_get(item, "type"));
	json_t *d = json_object_get(item, "deliveries");
	for (size_t i = 0; i < n; i++)
		if (subscribes(subs[i], type))
			json_object_set_new(d, subs[i]->name, json_pack("{s:s, s:i}", "state", "queued", "attempts", 0));
}

/* Fills the deliveries of items (ids from lo to hi) with one statement. */
static int attach_deliveries(store_conn *c, json_t *items, int64_t lo, int64_t hi)
{
	store_stmt *st = store_prepare(c, "SELECT event_id, subscriber, state, attempts, next_at, last_error"
					  " FROM event_deliveries WHERE event_id >= ? AND event_id <= ?");
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, lo);
	store_bind_int64(st, 2, hi);
	int rc;
	while ((rc = store_step(st)) == ST_ROW) {
		char id[21];
		yj_id_format(store_col_int64(st, 0), id);
		size_t i;
		json_t *item;
		json_array_foreach(items, i, item) {
			if (strcmp(json_string_value(json_object_get(item, "id")), id) != 0)
				continue;
			json_t *d = json_pack("{s:s, s:I}", "state", store_col_text(st, 2), "attempts",
					      (json_int_t)store_col_int64(st, 3));
			if (strcmp(store_col_text(st, 2), "pending") == 0 && store_col_int64(st, 4))
				json_object_set_new(d, "next_attempt_at", json_integer(store_col_int64(st, 4)));
			if (store_col_text(st, 5))
				json_object_set_new(d, "last_error", json_string(store_col_text(st, 5)));
			json_object_set_new(json_object_get(item, "deliveries"), store_col_text(st, 1), d);
		}
	}
	store_finalize(st);
	return rc < 0 ? rc : ST_OK;
}

static yj_qb *filtered(yj_req *r, int64_t before, int limit)
{
	yj_qb *q = yj_q_select(&events_table, "id, type, subject_type, subject_id, region_code, actor, at, payload",
			       &yj_who(r)->scope);
	static const char *const filters[][2] = {
		{"type", "type = ?"}, {"subject_type", "subject_type = ?"}, {"subject_id", "subject_id = ?"}};
	for (size_t i = 0; i < 3; i++) {
		const char *v = yj_query(r, filters[i][0]);
		if (v && *v) {
			yj_q_where(q, filters[i][1]);
			yj_q_text(q, v);
		}
	}
	if (before) {
		yj_q_where(q, "id < ?");
		yj_q_int(q, before);
	}
	yj_q_tail(q, "ORDER BY id DESC LIMIT ?");
	yj_q_int(q, limit + 1);
	return q;
}

static int list_events(yj_req *r)
{
	int limit;
	const char *cursor;
	int64_t before = 0;
	if (yj_page_params(r, &limit, &cursor) < 0)
		return YJ_OK;
	if (cursor && (yj_id_parse(cursor, &before) < 0 || before <= 0))
		return yj_reply_problem(r, 400, "validation", "参数错误", "cursor 无效，请使用上一页返回的 next_cursor。");
	store_conn *c = store_conn_get(yj_store(r));
	json_t *items = json_array(), *next = json_null();
	int64_t lo = 0, hi = 0;
	int rc = store_begin(c, 0);
	if (rc < 0)
		goto done;
	store_stmt *st = yj_q_prepare(filtered(r, before, limit), c);
	if (!st) {
		rc = ST_ERR;
		goto end;
	}
	while ((rc = store_step(st)) == ST_ROW) {
		if (json_array_size(items) == (size_t)limit) {
			json_decref(next);
			next = yj_cursor_json(json_string_value(json_object_get(json_array_get(items, limit - 1), "id")));
			break;
		}
		int64_t id = store_col_int64(st, 0);
		hi = hi ? hi : id;
		lo = id;
		json_t *item = event_json(st);
		queued(item);
		json_array_append_new(items, item);
	}
	store_finalize(st);
	if (rc >= 0 && json_array_size(items))
		rc = attach_deliveries(c, items, lo, hi);
end:
	store_rollback(c);
done:
	if (rc < 0) {
		json_decref(items);
		json_decref(next);
		return yj_reply_store_error(r, rc);
	}
	return yj_reply_json(r, 200, json_pack("{s:o, s:o}", "items", items, "next_cursor", next));
}

const yj_route yj_event_routes[] = {
	{"GET", "/api/v1/system/events", list_events, ROLE_ADMIN, NULL, list_params, "system",
	 "List events between capabilities in the caller's territory, newest first, with each subscriber's delivery state",
	 "{items: [{id, type, subject_type, subject_id, region_code, actor, at, payload,"
	 " deliveries: {subscriber: {state, attempts, next_attempt_at?, last_error?}}}], next_cursor}",
	 200},
	{0},
};
