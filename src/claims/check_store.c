/* check_store.c — the SQL of the real-time check's history: each recorded claim of a patient as CSV
 * lines keyed by the patient's keyed hash (claim_history; no patient id is stored), read per check
 * and pruned to CK_HISTORY_DAYS when the patient's next claim is recorded. */
#include "check_int.h"

#include <stdlib.h>
#include <string.h>

int ck_history_load(store_conn *c, const char *hash, ck_hist **out, int *n)
{
	*out = NULL;
	*n = 0;
	store_stmt *st = store_prepare(c, "SELECT claim_id, last_day, lines_csv FROM claim_history WHERE patient_hash = ?"
					  " ORDER BY first_day, claim_id");
	if (!st)
		return ST_ERR;
	store_bind_text(st, 1, hash, -1);
	int rc, cap = 0;
	while ((rc = store_step(st)) == ST_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 8;
			*out = yj_realloc(*out, sizeof **out * (size_t)cap);
		}
		(*out)[(*n)++] = (ck_hist){yj_strdup(store_col_text(st, 0)), yj_strdup(store_col_text(st, 2)),
					   (int32_t)store_col_int64(st, 1)};
	}
	store_finalize(st);
	if (rc != ST_DONE) {
		ck_hist_free(*out, *n);
		*out = NULL;
		*n = 0;
		return rc < 0 ? rc : ST_ERR;
	}
	return ST_OK;
}

int ck_history_record(store_conn *c, const ck_claim *cl, const char *result, int64_t now_ms)
{
	store_stmt *st = store_prepare(c, "DELETE FROM claim_history WHERE patient_hash = ? AND (claim_id = ? OR last_day < ?)");
	if (!st)
		return ST_ERR;
	store_bind_text(st, 1, cl->patient_hash, -1);
	store_bind_text(st, 2, cl->claim_id, -1);
	store_bind_int64(st, 3, (int64_t)cl->first_day - CK_HISTORY_DAYS);
	int rc = store_step(st);
	store_finalize(st);
	if (rc != ST_DONE)
		return rc < 0 ? rc : ST_ERR;
	st = store_prepare(c, "INSERT INTO claim_history (patient_hash, claim_id, institution_code, first_day, last_day,"
			      " lines_csv, result, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
	if (!st)
		return ST_ERR;
	store_bind_text(st, 1, cl->patient_hash, -1);
	store_bind_text(st, 2, cl->claim_id, -1);
	store_bind_text(st, 3, cl->institution, -1);
	store_bind_int64(st, 4, cl->first_day);
	store_bind_int64(st, 5, cl->last_day);
	store_bind_text(st, 6, cl->csv, -1);
	store_bind_text(st, 7, result, -1);
	store_bind_int64(st, 8, now_ms);
	rc = store_step(st);
	store_finalize(st);
	return rc == ST_DONE ? ST_OK : rc < 0 ? rc : ST_ERR;
}
