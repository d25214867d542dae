/* runs_store.c — the SQL of runs submitted through the API: the claim_run_jobs row (queued, its
 * progress, done or failed) and the deferral of its job, in the submitter's transaction. */
#include "runs_int.h"
#include "review_int.h"
#include "../platform/jobs/jobs.h"

#include <stdio.h>
#include <string.h>

const yj_table rj_table = {"claim_run_jobs", "region_code", "department", NULL};

int rj_insert(store_conn *c, int64_t id, const char *actor, const char *name, const char *path, int64_t bytes,
	      const char *region, int64_t now_ms)
{
	store_stmt *st = store_prepare(c, "INSERT INTO claim_run_jobs (id, created_at, updated_at, actor, input_name,"
					  " input_path, bytes, state, region_code, department)"
					  " VALUES (?, ?, ?, ?, ?, ?, ?, 'queued', ?, 'insurance')");
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, id);
	store_bind_int64(st, 2, now_ms);
	store_bind_int64(st, 3, now_ms);
	store_bind_text(st, 4, actor, -1);
	store_bind_text(st, 5, name, -1);
	store_bind_text(st, 6, path, -1);
	store_bind_int64(st, 7, bytes);
	store_bind_text(st, 8, region, -1);
	int rc = store_step(st);
	store_finalize(st);
	if (rc != ST_DONE)
		return rc < 0 ? rc : ST_ERR;
	char key[24], payload[24];
	snprintf(key, sizeof key, "%lld", (long long)id);
	snprintf(payload, sizeof payload, "%lld", (long long)id);
	return yj_job_defer(c, RJ_HANDLER, key, now_ms, payload);
}

int rj_get(store_conn *c, int64_t id, rj_row *out)
{
	memset(out, 0, sizeof *out);
	store_stmt *st = store_prepare(c, "SELECT state, actor, region_code, input_name, input_path FROM claim_run_jobs WHERE id = ?");
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, id);
	int rc = store_step(st);
	if (rc == ST_ROW) {
		out->id = id;
		snprintf(out->state, sizeof out->state, "%s", store_col_text(st, 0));
		snprintf(out->actor, sizeof out->actor, "%s", store_col_text(st, 1));
		snprintf(out->region, sizeof out->region, "%s", store_col_text(st, 2));
		snprintf(out->input_name, sizeof out->input_name, "%s", store_col_text(st, 3));
		snprintf(out->input_path, sizeof out->input_path, "%s", store_col_text(st, 4));
	}
	store_finalize(st);
	return rc == ST_ROW ? ST_OK : rc == ST_DONE ? ST_NOTFOUND : rc < 0 ? rc : ST_ERR;
}

struct set_arg {
	int64_t id, done, total, lines, flags;
	const char *state, *error;
};

static int set_tx(store_conn *c, void *arg)
{
	struct set_arg *a = arg;
	store_stmt *st = store_prepare(c, "UPDATE claim_run_jobs SET state = ?, updated_at = ?,"
					  " done = CASE WHEN ? >= 0 THEN ? ELSE done END,"
					  " total = CASE WHEN ? >= 0 THEN ? ELSE total END,"
					  " line_count = CASE WHEN ? >= 0 THEN ? ELSE line_count END,"
					  " flag_count = CASE WHEN ? >= 0 THEN ? ELSE flag_count END,"
					  " error = COALESCE(?, error) WHERE id = ?");
	if (!st)
		return ST_ERR;
	int k = 1;
	store_bind_text(st, k++, a->state, -1);
	store_bind_int64(st, k++, yj_now_ms());
	int64_t v[4] = {a->done, a->total, a->lines, a->flags};
	for (int i = 0; i < 4; i++) {
		store_bind_int64(st, k++, v[i]);
		store_bind_int64(st, k++, v[i]);
	}
	if (a->error)
		store_bind_text(st, k++, a->error, -1);
	else
		store_bind_null(st, k++);
	store_bind_int64(st, k++, a->id);
	int rc = store_step(st);
	store_finalize(st);
	return rc == ST_DONE ? ST_OK : rc < 0 ? rc : ST_ERR;
}

int rj_set(store *s, int64_t id, const char *state, int64_t done, int64_t total, int64_t lines, int64_t flags,
	   const char *error)
{
	struct set_arg a = {id, done, total, lines, flags, state, error};
	return store_tx(s, set_tx, &a);
}

static int drop_tx(store_conn *c, void *arg)
{
	return rv_delete_run(c, *(int64_t *)arg);
}

int rj_drop_partial(store *s, int64_t id)
{
	return store_tx(s, drop_tx, &id);
}

int rj_json(store_conn *c, const yj_scope *sc, int64_t id, json_t **out)
{
	*out = NULL;
	yj_qb *q = yj_q_select(&rj_table, "id, created_at, updated_at, input_name, bytes, state, done, total,"
					  " line_count, flag_count, error, region_code", sc);
	yj_q_where(q, "id = ?");
	yj_q_int(q, id);
	store_stmt *st = yj_q_prepare(q, c);
	if (!st)
		return ST_ERR;
	int rc = store_step(st);
	if (rc == ST_ROW) {
		int64_t done = store_col_int64(st, 6), total = store_col_int64(st, 7);
		const char *state = store_col_text(st, 5);
		json_t *o = json_pack("{s:o, s:I, s:I, s:s, s:I, s:s, s:I, s:I, s:i, s:s}", "id", yj_json_id(id), "created_at",
				      (json_int_t)store_col_int64(st, 1), "updated_at", (json_int_t)store_col_int64(st, 2),
				      "input_name", store_col_text(st, 3), "bytes", (json_int_t)store_col_int64(st, 4),
				      "state", state, "done", (json_int_t)done, "total", (json_int_t)total, "percent",
				      !strcmp(state, "done") ? 100 : total > 0 ? (int)(done * 100 / total) : 0,
				      "region_code", store_col_text(st, 11));
		json_object_set_new(o, "line_count", store_col_is_null(st, 8) ? json_null() : json_integer(store_col_int64(st, 8)));
		json_object_set_new(o, "flag_count", store_col_is_null(st, 9) ? json_null() : json_integer(store_col_int64(st, 9)));
		json_object_set_new(o, "error", store_col_is_null(st, 10) ? json_null() : json_string(store_col_text(st, 10)));
		*out = o;
	}
	store_finalize(st);
	return rc == ST_ROW ? ST_OK : rc == ST_DONE ? ST_NOTFOUND : rc < 0 ? rc : ST_ERR;
}
