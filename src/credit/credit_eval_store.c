/* credit_eval_store.c — the evaluation (信用评价) and the nightly job: the active model's indicators
 * read from credit_indicators, a subject's counts scored into a grade with each indicator's
 * contribution, credit.grade_changed on a change; nightly, expired disclosures and list
 * publications end on their day and every subject with credit facts is evaluated again. */
#define _POSIX_C_SOURCE 200809L
#include "credit_int.h"
#include "../platform/jobs/jobs.h"
#include "credit_outbox.h"
#include "../base/date.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct credit_model {
	int version, a, b, c;
	size_t n;
	credit_indicator ind[32];
} credit_model;

static int model_load(store_conn *c, credit_model *m)
{
	memset(m, 0, sizeof *m);
	store_stmt *st = credit_prep(c, "SELECT version, grade_a, grade_b, grade_c FROM credit_models WHERE active = 1"
					" ORDER BY version DESC LIMIT 1", NULL);
	if (!st)
		return ST_ERR;
	int rc = store_step(st);
	if (rc == ST_ROW) {
		m->version = (int)store_col_int64(st, 0);
		m->a = (int)store_col_int64(st, 1);
		m->b = (int)store_col_int64(st, 2);
		m->c = (int)store_col_int64(st, 3);
	}
	store_finalize(st);
	if (rc != ST_ROW)
		return rc < 0 ? rc : ST_ERR;
	st = credit_prep(c, "SELECT code, name, weight, fn, per, source FROM credit_indicators WHERE model_version = ?"
			    " ORDER BY code", "i", (int64_t)m->version);
	if (!st)
		return ST_ERR;
	while (m->n < 32 && (rc = store_step(st)) == ST_ROW) {
		credit_indicator *x = &m->ind[m->n++];
		snprintf(x->code, sizeof x->code, "%s", store_col_text(st, 0));
		snprintf(x->name, sizeof x->name, "%s", store_col_text(st, 1));
		x->weight = (int)store_col_int64(st, 2);
		snprintf(x->fn, sizeof x->fn, "%s", store_col_text(st, 3));
		x->per = (int)store_col_int64(st, 4);
		snprintf(x->source, sizeof x->source, "%s", store_col_text(st, 5));
	}
	store_finalize(st);
	return rc < 0 ? rc : ST_OK;
}

int yj_credit_evaluate(store_conn *c, const char *kind, int64_t id, const char *region, const char *today,
		       char grade_out[2])
{
	credit_model m;
	credit_counts k;
	int rc = model_load(c, &m);
	if (rc < 0 || (rc = credit_counts_load(c, kind, id, today, &k)) < 0)
		return rc;
	json_t *contrib = NULL;
	int score = credit_score(m.ind, m.n, &k, &contrib);
	char grade[2] = {credit_grade_of(score, m.a, m.b, m.c), 0}, before[2] = "";
	if (grade_out)
		snprintf(grade_out, 2, "%s", grade);
	rc = credit_grade_get(c, kind, id, before);
	if (rc < 0 && rc != ST_NOTFOUND) {
		json_decref(contrib);
		return rc;
	}
	char *text = json_dumps(contrib, JSON_COMPACT);
	json_decref(contrib);
	rc = credit_exec(c, NULL,
			 "INSERT INTO credit_grades (subject_kind, subject_id, region_code, score, grade, model_version,"
			 " contributions, evaluated_on, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (subject_kind,"
			 " subject_id) DO UPDATE SET region_code = excluded.region_code, score = excluded.score, grade ="
			 " excluded.grade, model_version = excluded.model_version, contributions = excluded.contributions,"
			 " evaluated_on = excluded.evaluated_on, updated_at = excluded.updated_at",
			 "titititti", kind, id, region, (int64_t)score, grade, (int64_t)m.version, text ? text : "[]", today,
			 yj_now_ms());
	free(text);
	if (rc < 0 || !strcmp(before, grade))
		return rc;
	int64_t hid = yj_id_new();
	rc = credit_exec(c, NULL, "INSERT INTO credit_grade_history (id, subject_kind, subject_id, region_code, grade, score,"
				  " model_version, evaluated_on) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
			 "itittiit", hid, kind, id, region, grade, (int64_t)score, (int64_t)m.version, today);
	if (rc < 0)
		return rc;
	char sid[21];
	yj_id_format(id, sid);
	json_t *state = json_pack("{s:s, s:s, s:s, s:s, s:i, s:i, s:s}", "subject_kind", kind, "subject_id", sid, "grade", grade,
				  "before", before, "score", score, "model_version", m.version, "evaluated_on", today);
	rc = credit_audit(c, "system", "credit.grade.change", kind, id, region, state);
	json_decref(state);
	if (rc < 0)
		return rc;
	return credit_emit(c, "system", "credit.grade_changed", kind, sid, region,
			   json_pack("{s:s, s:s, s:s, s:i, s:i, s:s}", "subject_kind", kind, "subject_id", sid, "grade", grade,
				     "score", score, "model_version", m.version, "evaluated_on", today));
}

/* ---- the nightly job ---- */

/* Ends, on their day, the disclosures past their end (公示期满) and the list publications past
 * theirs, each with an audit leaf. */
static int end_expired_tx(store_conn *c, void *arg)
{
	const char *today = arg;
	store_stmt *st = credit_prep(c, "SELECT id, region_code, disclose_until FROM credit_records WHERE state = 'active'"
					" AND disclose_until < ? ORDER BY id LIMIT 500", "t", today);
	if (!st)
		return ST_ERR;
	int64_t ids[500];
	char regions[500][16], ends[500][11];
	int n = 0, rc;
	while (n < 500 && (rc = store_step(st)) == ST_ROW) {
		ids[n] = store_col_int64(st, 0);
		snprintf(regions[n], 16, "%s", store_col_text(st, 1));
		snprintf(ends[n], 11, "%s", store_col_text(st, 2));
		n++;
	}
	store_finalize(st);
	if (rc < 0)
		return rc;
	for (int i = 0; i < n; i++) {
		/* The disclosure ended the day after its last day, whatever day the job ran. */
		if ((rc = credit_exec(c, NULL, "UPDATE credit_records SET state = 'expired', ended_on = ? WHERE id = ?", "ti",
				      ends[i], ids[i])) < 0)
			return rc;
		json_t *s = json_pack("{s:s, s:s}", "state", "expired", "disclose_until", ends[i]);
		rc = credit_audit(c, "system", "credit.record.expire", "credit_record", ids[i], regions[i], s);
		json_decref(s);
		if (rc < 0)
			return rc;
	}
	st = credit_prep(c, "SELECT id, region_code, publish_until FROM credit_list_entries WHERE state = 'listed'"
			    " AND publish_until < ? ORDER BY id LIMIT 500", "t", today);
	if (!st)
		return ST_ERR;
	int m = 0;
	while (m < 500 && (rc = store_step(st)) == ST_ROW) {
		ids[m] = store_col_int64(st, 0);
		snprintf(regions[m], 16, "%s", store_col_text(st, 1));
		snprintf(ends[m], 11, "%s", store_col_text(st, 2));
		m++;
	}
	store_finalize(st);
	if (rc < 0)
		return rc;
	for (int i = 0; i < m; i++) {
		if ((rc = credit_exec(c, NULL, "UPDATE credit_list_entries SET state = 'exited', exited_on = ?, exit_doc ="
					       " '公示期满自动移出' WHERE id = ?", "ti", ends[i], ids[i])) < 0)
			return rc;
		json_t *s = json_pack("{s:s, s:s}", "state", "exited", "publish_until", ends[i]);
		rc = credit_audit(c, "system", "credit.list.expire", "credit_list_entry", ids[i], regions[i], s);
		json_decref(s);
		if (rc < 0)
			return rc;
	}
	return n + m;
}

struct eval_one {
	char kind[16], region[16], today[11];
	int64_t id;
};

static int eval_tx(store_conn *c, void *arg)
{
	struct eval_one *e = arg;
	return yj_credit_evaluate(c, e->kind, e->id, e->region, e->today, NULL);
}

int yj_credit_nightly(store *s, const char *today, int64_t *n)
{
	if (n)
		*n = 0;
	int rc;
	do {
		rc = store_tx(s, end_expired_tx, (void *)today);
	} while (rc > 0);
	if (rc < 0)
		return rc;
	/* Every subject with a record, a point or a grade, in key order, a page at a time. */
	char kind[16] = "";
	int64_t after = 0;
	for (;;) {
		store_conn *c = store_conn_get(s);
		if ((rc = store_begin(c, 0)) < 0)
			return rc;
		store_stmt *st = credit_prep(c,
					     "SELECT subject_kind, subject_id, MAX(region_code) FROM (SELECT subject_kind, subject_id,"
					     " region_code FROM credit_records UNION ALL SELECT subject_kind, subject_id, region_code"
					     " FROM credit_points UNION ALL SELECT subject_kind, subject_id, region_code FROM"
					     " credit_grades) u WHERE subject_kind > ? OR (subject_kind = ? AND subject_id > ?)"
					     " GROUP BY subject_kind, subject_id ORDER BY subject_kind, subject_id LIMIT 1000",
					     "tti", kind, kind, after);
		if (!st) {
			store_rollback(c);
			return ST_ERR;
		}
		struct eval_one *page = calloc(1000, sizeof *page);
		int k = 0;
		while (page && k < 1000 && (rc = store_step(st)) == ST_ROW) {
			snprintf(page[k].kind, sizeof page[k].kind, "%s", store_col_text(st, 0));
			page[k].id = store_col_int64(st, 1);
			snprintf(page[k].region, sizeof page[k].region, "%s", store_col_text(st, 2));
			snprintf(page[k].today, sizeof page[k].today, "%s", today);
			k++;
		}
		store_finalize(st);
		store_rollback(c);
		if (!page)
			return ST_ERR;
		for (int i = 0; rc >= 0 && i < k; i++)
			if ((rc = store_tx(s, eval_tx, &page[i])) >= 0 && n)
				(*n)++;
		if (k) {
			snprintf(kind, sizeof kind, "%s", page[k - 1].kind);
			after = page[k - 1].id;
		}
		free(page);
		if (rc < 0)
			return rc;
		if (k < 1000)
			return ST_OK;
	}
}

static int nightly_job(yj_job_ctx *ctx)
{
	char today[11];
	yj_day_today(today);
	return yj_credit_nightly(yj_job_store(ctx), today, NULL) < 0 ? YJ_ERR : YJ_OK;
}

/* At 01:30 Asia/Shanghai: a disclosure ends on its day, and grades are fresh by morning. */
const yj_job_def yj_credit_jobs[] = {
	{"credit.nightly", YJ_JOB_DAILY, 90, nightly_job, NULL},
	/* Every second: a list entry reaches the departments at once, a failed delivery on its back-off. */
	{"credit.outbox", YJ_JOB_EVERY, 1, credit_outbox_job, NULL},
	{NULL, 0, 0, NULL, NULL},
};
