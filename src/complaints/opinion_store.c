/* opinion_store.c — the SQL of public-opinion events (重大舆情): the events, their tasks and timeline as
 * JSON, the inserts and updates the writes in opinion.c make, and the list's query (docs/complaints.md,
 * "Public-opinion events"). */
#define _POSIX_C_SOURCE 200809L
#include "opinion_int.h"
#include "../base/date.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const yj_table ev_t = {"opinion_events", "region_code", "department", NULL};
static const yj_table task_t = {"opinion_tasks", "region_code", "department", NULL};
#define E_COLS "id, region_code, department, title, kind, level, source, summary, occurred_on, state, closure_report, closed_on, created_at"
#define T_COLS "id, event_id, region_code, department, task, due_on, state, result, done_on"

json_t *opn_event_json(store_stmt *st, void *arg)
{
	(void)arg;
	int64_t level = store_col_int64(st, 5);
	return json_pack("{s:o, s:s, s:s, s:s, s:s, s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:I}", "id",
			 yj_json_id(store_col_int64(st, 0)), "region_code", store_col_text(st, 1), "department",
			 store_col_text(st, 2), "title", store_col_text(st, 3), "kind", store_col_text(st, 4), "level",
			 (int)level, "level_label", opn_level_label(level), "source", store_col_text(st, 6), "summary",
			 store_col_text(st, 7), "occurred_on", store_col_text(st, 8), "state", store_col_text(st, 9),
			 "closure_report", store_col_text(st, 10), "closed_on", cmp_text_or_null(st, 11), "created_at",
			 (json_int_t)store_col_int64(st, 12));
}

static json_t *opn_task_json(store_stmt *st, void *arg)
{
	(void)arg;
	char today[11];
	yj_day_today(today);
	const char *state = store_col_text(st, 6), *due = store_col_text(st, 5);
	return json_pack("{s:o, s:o, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:b}", "id", yj_json_id(store_col_int64(st, 0)), "event_id",
			 yj_json_id(store_col_int64(st, 1)), "region_code", store_col_text(st, 2), "department",
			 store_col_text(st, 3), "task", store_col_text(st, 4), "due_on", due, "state", state, "result",
			 store_col_text(st, 7), "done_on", cmp_text_or_null(st, 8), "overdue", !strcmp(state, "open") && strcmp(today, due) > 0);
}

/* The event with its tasks and timeline, whoever owns the tasks (the event's readers follow them). */
int opn_load(store_conn *c, const yj_scope *sc, int64_t id, json_t **out)
{
	store_stmt *st;
	int rc = yj_q_one_by_id(c, &ev_t, E_COLS, sc, id, &st);
	if (rc != ST_OK)
		return rc;
	json_decref(*out);
	*out = opn_event_json(st, NULL);
	store_finalize(st);
	json_t *tasks = json_array(), *timeline = json_array();
	json_object_set_new(*out, "tasks", tasks);
	json_object_set_new(*out, "timeline", timeline);
	if (!(st = store_prepare(c, "SELECT " T_COLS " FROM opinion_tasks WHERE event_id = ? ORDER BY id")))
		return ST_ERR;
	store_bind_int64(st, 1, id);
	while ((rc = store_step(st)) == ST_ROW)
		json_array_append_new(tasks, opn_task_json(st, NULL));
	store_finalize(st);
	if (rc < 0 || !(st = store_prepare(c, "SELECT at, department, entry FROM opinion_timeline WHERE event_id = ? ORDER BY at, id")))
		return rc < 0 ? rc : ST_ERR;
	store_bind_int64(st, 1, id);
	while ((rc = store_step(st)) == ST_ROW)
		json_array_append_new(timeline, json_pack("{s:I, s:s, s:s}", "at", (json_int_t)store_col_int64(st, 0), "department",
							  store_col_text(st, 1), "entry", store_col_text(st, 2)));
	store_finalize(st);
	return rc < 0 ? rc : ST_OK;
}

/* As load, and also an event one of whose tasks the caller's department owns within its territory. */
int opn_load_as_party(store_conn *c, const yj_scope *sc, int64_t id, json_t **out)
{
	int rc = opn_load(c, sc, id, out);
	if (rc != ST_NOTFOUND || (rc = cmp_party_task(c, &task_t, "event_id", sc, id)) != ST_OK)
		return rc;
	yj_scope all;
	yj_scope_unrestricted(&all);
	return opn_load(c, &all, id, out);
}

int opn_timeline_add(store_conn *c, int64_t id, const char *department, const char *entry)
{
	store_stmt *st = store_prepare(c, "INSERT INTO opinion_timeline (id, event_id, at, department, entry) VALUES (?, ?, ?, ?, ?)");
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, yj_id_new());
	store_bind_int64(st, 2, id);
	store_bind_int64(st, 3, yj_now_ms());
	store_bind_text(st, 4, department, -1);
	store_bind_text(st, 5, entry, -1);
	int rc = store_step(st);
	store_finalize(st);
	return rc < 0 ? rc : ST_OK;
}

int opn_task_load(store_conn *c, const yj_scope *sc, int64_t task, json_t **out)
{
	store_stmt *st;
	int rc = yj_q_one_by_id(c, &task_t, T_COLS, sc, task, &st);
	if (rc == ST_OK) {
		json_decref(*out);
		*out = opn_task_json(st, NULL);
		store_finalize(st);
	}
	return rc;
}

int opn_event_insert(store_conn *c, int64_t id, const char *department, const json_t *b, const char *actor, int64_t now)
{
	store_stmt *st = store_prepare(c, "INSERT INTO opinion_events (id, region_code, department, title, kind, level, source, summary,"
					  " occurred_on, state, closure_report, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', '', ?, ?)");
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, id);
	store_bind_text(st, 2, cmp_s(b, "region_code"), -1);
	store_bind_text(st, 3, department, -1);
	store_bind_text(st, 4, cmp_s(b, "title"), -1);
	store_bind_text(st, 5, cmp_s(b, "kind"), -1);
	store_bind_int64(st, 6, json_integer_value(json_object_get(b, "level")));
	store_bind_text(st, 7, cmp_s(b, "source"), -1);
	store_bind_text(st, 8, cmp_s(b, "summary"), -1);
	store_bind_text(st, 9, cmp_s(b, "occurred_on"), -1);
	store_bind_text(st, 10, actor, -1);
	store_bind_int64(st, 11, now);
	int rc = store_step(st);
	store_finalize(st);
	return rc < 0 ? rc : ST_OK;
}

int opn_task_insert(store_conn *c, int64_t id, const char *region, const json_t *t, int64_t *tid)
{
	store_stmt *st = store_prepare(c, "INSERT INTO opinion_tasks (id, event_id, region_code, department, task, due_on, state, result)"
					  " VALUES (?, ?, ?, ?, ?, ?, 'open', '')");
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, *tid = yj_id_new());
	store_bind_int64(st, 2, id);
	store_bind_text(st, 3, region, -1);
	store_bind_text(st, 4, cmp_s(t, "department"), -1);
	store_bind_text(st, 5, cmp_s(t, "task"), -1);
	store_bind_text(st, 6, cmp_s(t, "due_on"), -1);
	int rc = store_step(st);
	store_finalize(st);
	return rc < 0 ? rc : ST_OK;
}

/* One UPDATE of a text and a day on the row id: the task done, the event closed. */
static int set_done(store_conn *c, const char *sql, const char *text, const char *day, int64_t id)
{
	store_stmt *st = store_prepare(c, sql);
	if (!st)
		return ST_ERR;
	store_bind_text(st, 1, text, -1);
	store_bind_text(st, 2, day, -1);
	store_bind_int64(st, 3, id);
	int rc = store_step(st);
	store_finalize(st);
	return rc < 0 ? rc : ST_OK;
}

int opn_task_done(store_conn *c, int64_t task, const char *result, const char *today)
{
	return set_done(c, "UPDATE opinion_tasks SET state = 'done', result = ?, done_on = ? WHERE id = ?", result, today, task);
}

int opn_event_close(store_conn *c, int64_t id, const char *report, const char *today)
{
	return set_done(c, "UPDATE opinion_events SET state = 'closed', closure_report = ?, closed_on = ? WHERE id = ?", report, today, id);
}

yj_qb *opn_events_query(const yj_scope *sc, const char *state, const char *region)
{
	yj_qb *q = yj_q_select(&ev_t, E_COLS, sc);
	if (state && *state) {
		yj_q_where(q, "state = ?");
		yj_q_text(q, state);
	}
	if (region && *region)
		yj_q_region(q, "region_code", region);
	return q;
}
