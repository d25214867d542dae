/* overdue.c — the 督办 ladder: every hour, each open matter past its running deadline (acceptance
 * while dispatched, handling once accepted; a paused clock does not run) climbs to the level its
 * lateness calls for (yj_cmp_supervise_level): a step, an audit leaf and a to-do for the leaders of
 * its territory and unit, one transaction per matter. The same job escalates unanswered clue transfers
 * (transfers.c). */
#include "cmp_int.h"
#include "../platform/jobs/jobs.h"

#include <stdio.h>
#include <string.h>

#define OVERDUE_BATCH 200

struct sup_arg {
	int64_t id;
	const char *today;
	int raised;
};

static int supervise_tx(store_conn *c, void *argp)
{
	struct sup_arg *a = argp;
	yj_scope all;
	yj_scope_unrestricted(&all);
	json_t *m = NULL;
	a->raised = 0;
	int rc = cmp_load(c, &all, a->id, &m);
	if (rc < 0)
		return rc == ST_NOTFOUND ? ST_OK : rc;
	const char *state = json_string_value(json_object_get(m, "state"));
	const char *due = json_string_value(json_object_get(m, !strcmp(state, "dispatched") ? "accept_due" : "handle_due"));
	int64_t d, t;
	int open = (!strcmp(state, "dispatched") || !strcmp(state, "accepted")) && !json_is_true(json_object_get(m, "paused"));
	if (!open || !due || yj_day_parse(due, &d) < 0 || yj_day_parse(a->today, &t) < 0) {
		json_decref(m);
		return ST_OK; /* settled or paused meanwhile */
	}
	int level = yj_cmp_supervise_level(d, t);
	if (level <= json_integer_value(json_object_get(m, "supervise_level"))) {
		json_decref(m);
		return ST_OK;
	}
	static const char *const note[] = {"", "办理已超过期限，已提醒办理部门。", "办理逾期，已对办理部门督办。",
					   "办理严重逾期，已提请领导督办。"};
	json_t *set = json_pack("{s:i}", "supervise_level", level), *state_j = json_pack("{s:i, s:s, s:s}", "supervise_level",
											   level, "deadline", due, "today", a->today);
	int64_t now = yj_now_ms();
	if ((rc = cmp_update(c, a->id, set, now)) >= 0 && (rc = cmp_step_add(c, a->id, "supervised", note[level], "system", now)) >= 0 &&
	    (rc = cmp_audit(c, "system", "complaint.supervise", a->id, json_string_value(json_object_get(m, "region_code")), state_j)) >= 0)
		rc = cmp_todo_supervise(c, m, level);
	json_decref(set);
	json_decref(state_j);
	json_decref(m);
	a->raised = rc >= 0;
	return rc < 0 ? rc : ST_OK;
}

int yj_cmp_overdue_run(store *s, const char *today, int *raised)
{
	int64_t ids[OVERDUE_BATCH], after = 0;
	size_t n;
	int rc;
	*raised = 0;
	do { /* keyset on id, so every late matter is seen once per run however many there are */
		store_conn *c = store_conn_get(s);
		if ((rc = store_begin(c, 0)) < 0)
			return rc;
		rc = cmp_overdue_ids(c, today, after, ids, OVERDUE_BATCH, &n);
		store_rollback(c);
		if (rc < 0)
			return rc;
		for (size_t i = 0; i < n; i++) {
			struct sup_arg a = {ids[i], today, 0};
			if ((rc = store_tx(s, supervise_tx, &a)) < 0)
				return rc;
			*raised += a.raised;
			after = ids[i];
		}
	} while (n == OVERDUE_BATCH);
	return ST_OK;
}

int cmp_sweep(store *s, const char *sql, const char *today, store_tx_fn one, int *count)
{
	int64_t ids[200], after = 0;
	size_t n;
	int rc;
	*count = 0;
	do { /* keyset on id: every due row is seen once per run however many there are */
		store_conn *c = store_conn_get(s);
		n = 0;
		if ((rc = store_begin(c, 0)) < 0)
			return rc;
		store_stmt *st = store_prepare(c, sql);
		if (st) {
			store_bind_text(st, 1, today, -1);
			store_bind_int64(st, 2, after);
			while (n < 200 && (rc = store_step(st)) == ST_ROW)
				ids[n++] = store_col_int64(st, 0);
			store_finalize(st);
		} else {
			rc = ST_ERR;
		}
		store_rollback(c);
		if (rc < 0)
			return rc;
		for (size_t i = 0; i < n; i++) {
			cmp_sweep_arg a = {ids[i], today, 0};
			if ((rc = store_tx(s, one, &a)) < 0)
				return rc;
			*count += a.done;
			after = ids[i];
		}
	} while (n == 200);
	return ST_OK;
}

static int overdue_job(yj_job_ctx *ctx)
{
	char today[11];
	int n = 0, e = 0, f = 0;
	yj_day_today(today);
	return yj_cmp_overdue_run(yj_job_store(ctx), today, &n) < 0 || yj_cmp_transfers_overdue_run(yj_job_store(ctx), today, &e) < 0 ||
			       yj_cmp_rewards_expire_run(yj_job_store(ctx), today, &f) < 0
		       ? YJ_ERR
		       : YJ_OK;
}

static int patrol_rate_job(yj_job_ctx *ctx)
{
	char today[11];
	int n = 0;
	yj_day_today(today);
	return yj_cmp_patrol_rate_run(yj_job_store(ctx), today, &n) < 0 ? YJ_ERR : YJ_OK;
}

/* Hourly, and at start: deadlines are days, so an hour late is soon enough. The grid reporting rate daily. */
const yj_job_def yj_cmp_jobs[] = {
	{"complaints.supervise", YJ_JOB_EVERY, 3600, overdue_job, NULL},
	{"complaints.patrol_rate", YJ_JOB_EVERY, 86400, patrol_rate_job, NULL},
	{NULL, 0, 0, NULL, NULL},
};
