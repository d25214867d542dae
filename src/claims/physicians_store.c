/* physicians_store.c — the SQL of physician monitoring: a run's physicians (claim_run_physicians)
 * joined in C with the run's flag records grouped by physician and institution, and one
 * physician's rows across runs; all through the query builder, so territory and remit apply. */
#include "physicians_int.h"
#include "review_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const yj_table ph_table = {"claim_run_physicians", "region_code", "department", NULL};

static ph_row *find(ph_row *v, size_t n, const char *phys, const char *inst)
{
	for (size_t i = 0; i < n; i++) /* a run's physicians in scope: thousands, once per group */
		if (!strcmp(v[i].physician, phys) && !strcmp(v[i].institution, inst))
			return &v[i];
	return NULL;
}

int ph_load_run(store_conn *c, const yj_scope *sc, int64_t run, ph_row **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	yj_qb *q = yj_q_select(&ph_table, "physician_id, institution_code, dept_code, lines, claims, amount_fen", sc);
	yj_q_where(q, "run_id = ?");
	yj_q_int(q, run);
	yj_q_tail(q, "ORDER BY institution_code, physician_id");
	store_stmt *st = yj_q_prepare(q, c);
	if (!st)
		return ST_ERR;
	size_t cap = 0;
	ph_row *v = NULL;
	int rc;
	while ((rc = store_step(st)) == ST_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			v = yj_realloc(v, sizeof *v * cap);
		}
		ph_row *r = &v[(*n)++];
		memset(r, 0, sizeof *r);
		snprintf(r->physician, sizeof r->physician, "%s", store_col_text(st, 0));
		snprintf(r->institution, sizeof r->institution, "%s", store_col_text(st, 1));
		snprintf(r->dept, sizeof r->dept, "%s", store_col_text(st, 2));
		r->lines = store_col_int64(st, 3);
		r->claims = store_col_int64(st, 4);
		r->amount = store_col_int64(st, 5);
	}
	store_finalize(st);
	if (rc < 0)
		goto fail;
	q = yj_q_select(&rv_flags_table,
			"physician_id, institution_code, COUNT(*), COUNT(DISTINCT claim_id), SUM(amount_fen),"
			" SUM(CASE WHEN state = 'confirmed' THEN 1 ELSE 0 END),"
			" SUM(CASE WHEN state = 'confirmed' THEN amount_fen ELSE 0 END)",
			sc);
	yj_q_where(q, "run_id = ?");
	yj_q_int(q, run);
	yj_q_tail(q, "GROUP BY physician_id, institution_code");
	st = yj_q_prepare(q, c);
	if (!st) {
		rc = ST_ERR;
		goto fail;
	}
	while ((rc = store_step(st)) == ST_ROW) {
		ph_row *r = find(v, *n, store_col_text(st, 0), store_col_text(st, 1));
		if (!r) /* flags of a run stored before physicians were counted */
			continue;
		r->records = store_col_int64(st, 2);
		r->flagged_claims = store_col_int64(st, 3);
		r->flagged_amount = store_col_int64(st, 4);
		r->confirmed = store_col_int64(st, 5);
		r->confirmed_amount = store_col_int64(st, 6);
	}
	store_finalize(st);
	if (rc < 0)
		goto fail;
	*out = v;
	return ST_OK;
fail:
	free(v);
	*n = 0;
	return rc;
}

int ph_trend(store_conn *c, const yj_scope *sc, const char *physician, const char *institution, int limit,
	     json_t **out)
{
	*out = NULL;
	yj_qb *q = yj_q_select(&ph_table, "run_id, institution_code, dept_code, lines, claims, amount_fen", sc);
	yj_q_where(q, "physician_id = ?");
	yj_q_text(q, physician);
	if (institution) {
		yj_q_where(q, "institution_code = ?");
		yj_q_text(q, institution);
	}
	yj_q_tail(q, "ORDER BY run_id DESC LIMIT ?");
	yj_q_int(q, limit);
	store_stmt *st = yj_q_prepare(q, c);
	if (!st)
		return ST_ERR;
	json_t *items = json_array();
	int rc;
	while ((rc = store_step(st)) == ST_ROW) {
		int64_t claims = store_col_int64(st, 4);
		json_array_insert_new(items, 0, json_pack("{s:o, s:s, s:s, s:I, s:I, s:I}", "run_id",
							  yj_json_id(store_col_int64(st, 0)), "institution_code",
							  store_col_text(st, 1), "dept_code", store_col_text(st, 2), "lines",
							  (json_int_t)store_col_int64(st, 3), "claims", (json_int_t)claims,
							  "amount_fen", (json_int_t)store_col_int64(st, 5)));
	}
	store_finalize(st);
	if (rc < 0)
		goto fail;
	/* Each point's flags and the run's start, one small query per run (at most `limit`). */
	size_t i;
	json_t *it;
	json_array_foreach(items, i, it)
	{
		int64_t run = strtoll(json_string_value(json_object_get(it, "run_id")), NULL, 10);
		q = yj_q_select(&rv_flags_table, "COUNT(DISTINCT claim_id), COALESCE(SUM(amount_fen), 0), COUNT(*)", sc);
		yj_q_where(q, "run_id = ? AND physician_id = ? AND institution_code = ?");
		yj_q_int(q, run);
		yj_q_text(q, physician);
		yj_q_text(q, json_string_value(json_object_get(it, "institution_code")));
		st = yj_q_prepare(q, c);
		if (!st) {
			rc = ST_ERR;
			goto fail;
		}
		if ((rc = store_step(st)) == ST_ROW) {
			int64_t fc = store_col_int64(st, 0), claims = json_integer_value(json_object_get(it, "claims"));
			json_object_set_new(it, "flagged_claims", json_integer(fc));
			json_object_set_new(it, "flagged_amount_fen", json_integer(store_col_int64(st, 1)));
			json_object_set_new(it, "flag_records", json_integer(store_col_int64(st, 2)));
			json_object_set_new(it, "rate", json_real(claims ? (double)(long long)((double)fc / (double)claims * 10000 + 0.5) / 10000 : 0));
		}
		store_finalize(st);
		if (rc < 0)
			goto fail;
		q = yj_q_select(&rv_runs_table, "started_at, input_name", sc);
		yj_q_where(q, "id = ?");
		yj_q_int(q, run);
		st = yj_q_prepare(q, c);
		if (!st) {
			rc = ST_ERR;
			goto fail;
		}
		if ((rc = store_step(st)) == ST_ROW) {
			json_object_set_new(it, "started_at", json_integer(store_col_int64(st, 0)));
			json_object_set_new(it, "input_name", json_string(store_col_text(st, 1)));
		}
		store_finalize(st);
		if (rc < 0)
			goto fail;
	}
	*out = items;
	return ST_OK;
fail:
	json_decref(items);
	return rc;
}
