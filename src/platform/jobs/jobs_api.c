/* jobs_api.c — GET /api/v1/system/jobs: administrators see every job's schedule, who holds its
 * lease until when, and how its last run ended, so a stuck or failing job shows. Jobs belong to
 * no territory (a job serves them all), so the list is the same for every administrator. */
#include "jobs_int.h"

#include "../http/http.h"

static const yj_qparam list_params[] = {
	{"name", "Job name, e.g. inspection.rectification_overdue"},
	{"state", "scheduled or done (deferred jobs that succeeded)"},
	YJ_QP_PAGE,
	{NULL, NULL},
};

static json_t *opt_int(store_stmt *st, int col)
{
	return store_col_is_null(st, col) ? json_null() : json_integer(store_col_int64(st, col));
}

static json_t *opt_text(store_stmt *st, int col)
{
	return store_col_text(st, col) ? json_string(store_col_text(st, col)) : json_null();
}

static json_t *job_row(store_stmt *st, void *arg)
{
	int64_t until = store_col_int64(st, 7);
	return json_pack("{s:s, s:s, s:s, s:I, s:s, s:I, s:o, s:o, s:I, s:I, s:o, s:o, s:o, s:o, s:o}", "name",
			 store_col_text(st, 0), "handler", store_col_text(st, 1), "kind", store_col_text(st, 2), "schedule",
			 (json_int_t)store_col_int64(st, 3), "state", store_col_text(st, 4), "next_run_at",
			 (json_int_t)store_col_int64(st, 5), "lease_owner", opt_text(st, 6), "lease_until",
			 until ? json_integer(until) : json_null(), "failures", (json_int_t)store_col_int64(st, 8), "runs",
			 (json_int_t)store_col_int64(st, 9), "last_started_at", opt_int(st, 10), "last_finished_at",
			 opt_int(st, 11), "last_owner", opt_text(st, 12), "last_result", opt_text(st, 13), "last_error",
			 opt_text(st, 14));
}

static int list_jobs(yj_req *r)
{
	int limit;
	const char *cursor;
	if (yj_page_params(r, &limit, &cursor) < 0)
		return YJ_OK;
	const char *name = yj_query(r, "name"), *state = yj_query(r, "state");
	store_stmt *st = store_prepare(store_conn_get(yj_store(r)),
				       "SELECT name, handler, kind, schedule, state, next_run_at, lease_owner, lease_until, failures,"
				       " runs, last_started_at, last_finished_at, last_owner, last_result, last_error FROM jobs"
				       " WHERE name > ? AND (? = '' OR name = ?) AND (? = '' OR state = ?) ORDER BY name LIMIT ?");
	if (st) {
		store_bind_text(st, 1, cursor ? cursor : "", -1);
		store_bind_text(st, 2, name ? name : "", -1);
		store_bind_text(st, 3, name ? name : "", -1);
		store_bind_text(st, 4, state ? state : "", -1);
		store_bind_text(st, 5, state ? state : "", -1);
		store_bind_int64(st, 6, limit + 1);
	}
	return yj_reply_page(r, st, limit, job_row, NULL, "name");
}

const yj_route yj_job_routes[] = {
	{"GET", "/api/v1/system/jobs", list_jobs, ROLE_ADMIN, NULL, list_params, "system",
	 "List the job runner's jobs with their lease holder and last run",
	 "{items: [{name, handler, kind, schedule, state, next_run_at, lease_owner, lease_until, failures, runs,"
	 " last_started_at, last_finished_at, last_owner, last_result, last_error}], next_cursor}",
	 200},
	{0},
};
