/* overdue.c — the inspection module's periodic job: open rectification orders (整改) whose
 * deadline has passed are announced once each as inspection.rectification_overdue, with an audit
 * leaf, in one transaction per order; orders closed meanwhile are left alone. */
#include "insp_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../platform/jobs/jobs.h"

#define OVERDUE_BATCH 200

/* Open orders due before today not yet announced, up to OVERDUE_BATCH ids into ids. */
static int due_orders(store *s, const char *today, int64_t *ids, size_t *n)
{
	store_conn *c = store_conn_get(s);
	*n = 0;
	int rc = store_begin(c, 0);
	if (rc < 0)
		return rc;
	store_stmt *st = store_prepare(c, "SELECT id FROM rectification_orders WHERE state = 'open' AND deadline < ?"
					  " AND overdue_at IS NULL ORDER BY deadline, id LIMIT ?");
	if (!st) {
		store_rollback(c);
		return ST_ERR;
	}
	store_bind_text(st, 1, today, -1);
	store_bind_int64(st, 2, OVERDUE_BATCH);
	while (*n < OVERDUE_BATCH && (rc = store_step(st)) == ST_ROW)
		ids[(*n)++] = store_col_int64(st, 0);
	store_finalize(st);
	store_rollback(c);
	return rc < 0 ? rc : ST_OK;
}

struct overdue_arg {
	int64_t id;
	const char *today;
	int announced;
};

static int overdue_tx(store_conn *c, void *argp)
{
	struct overdue_arg *a = argp;
	a->announced = 0;
	store_stmt *st = store_prepare(c, "SELECT task_id, subject_id, deadline, region_code, department FROM rectification_orders"
					  " WHERE id = ? AND state = 'open' AND deadline < ? AND overdue_at IS NULL");
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, a->id);
	store_bind_text(st, 2, a->today, -1);
	int rc = store_step(st);
	json_t *state = NULL;
	char region[16] = "";
	if (rc == ST_ROW) {
		state = json_pack("{s:o, s:o, s:o, s:s, s:s, s:s}", "order_id", yj_json_id(a->id), "task_id",
				  yj_json_id(store_col_int64(st, 0)), "subject_id", yj_json_id(store_col_int64(st, 1)),
				  "deadline", store_col_text(st, 2), "department", store_col_text(st, 4), "today", a->today);
		snprintf(region, sizeof region, "%s", store_col_text(st, 3));
	}
	store_finalize(st);
	if (rc != ST_ROW)
		return rc < 0 ? rc : ST_OK; /* closed or announced meanwhile */
	rc = ST_ERR;
	if ((st = store_prepare(c, "UPDATE rectification_orders SET overdue_at = ? WHERE id = ?"))) {
		store_bind_int64(st, 1, yj_now_ms());
		store_bind_int64(st, 2, a->id);
		rc = store_step(st);
		store_finalize(st);
	}
	char sid[21];
	yj_id_format(a->id, sid);
	yj_audit_event ev = {"system", "inspection.rectification.overdue", "rectification_order", sid, region, state};
	if (rc >= 0 && (rc = yj_audit_append(c, &ev, NULL)) >= 0)
		rc = insp_event(c, NULL, "inspection.rectification_overdue", "rectification_order", a->id, region, json_incref(state));
	json_decref(state);
	a->announced = rc >= 0;
	return rc < 0 ? rc : ST_OK;
}

int yj_insp_overdue_run(store *s, const char *today, int *announced)
{
	int64_t ids[OVERDUE_BATCH];
	size_t n = 0;
	*announced = 0;
	int rc;
	do {
		if ((rc = due_orders(s, today, ids, &n)) < 0)
			return rc;
		for (size_t i = 0; i < n; i++) {
			struct overdue_arg a = {ids[i], today, 0};
			if ((rc = store_tx(s, overdue_tx, &a)) < 0)
				return rc;
			*announced += a.announced;
		}
	} while (n == OVERDUE_BATCH);
	return ST_OK;
}

static int overdue_job(yj_job_ctx *ctx)
{
	char today[11];
	int n = 0;
	yj_day_today(today);
	int rc = yj_insp_overdue_run(yj_job_store(ctx), today, &n);
	return rc < 0 ? YJ_ERR : YJ_OK;
}

/* Hourly, and at start: a deadline is a day, so an hour late is soon enough and a process that was
 * down at midnight catches up when it starts. */
const yj_job_def yj_insp_jobs[] = {
	{"inspection.rectification_overdue", YJ_JOB_EVERY, 3600, overdue_job, NULL},
	{NULL, 0, 0, NULL, NULL},
};
