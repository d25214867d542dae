/* runs_store.c — the SQL of runs submitted through the API: the claim_run_jobs row (queued, its
 * progress, done or failed) and the deferral of its job, in the submitter's transaction; a partitioned
 * run's partitions (claim_run_parts), each stored in one guarded transaction, and the merge of the last. */
#include "runs_int.h"
#include "review_int.h"
#include "../platform/jobs/jobs.h"
#include "../platform/audit/audit.h"
#include "../base/id.h"

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

/* ---- partitions ---- */

static int exec_ids(store_conn *c, const char *sql, const int64_t *v, int n)
{
	store_stmt *st = store_prepare(c, sql);
	if (!st)
		return ST_ERR;
	for (int i = 0; i < n; i++)
		store_bind_int64(st, i + 1, v[i]);
	int rc = store_step(st);
	int64_t changed = rc == ST_DONE ? store_changes(st) : -1;
	store_finalize(st);
	return rc == ST_DONE ? (int)(changed > 0) : rc < 0 ? rc : ST_ERR;
}

static int merge(store_conn *c, int64_t id);

struct partition_arg {
	rv_plan *hdr;
	int parts, cross;
	const int64_t *rows;
};

static int partition_tx(store_conn *c, void *arg)
{
	struct partition_arg *a = arg;
	rv_plan *p = a->hdr;
	int rc = rv_insert_run(c, p);
	if (rc < 0)
		return rc;
	int64_t now = yj_now_ms();
	int total = a->parts + a->cross;
	for (int k = 0; k < total; k++) {
		store_stmt *st = store_prepare(c, "INSERT INTO claim_run_parts (run_id, part, state, finished_at, region_code,"
						  " department) VALUES (?, ?, ?, ?, ?, 'insurance')");
		if (!st)
			return ST_ERR;
		store_bind_int64(st, 1, p->run_id);
		store_bind_int64(st, 2, k);
		store_bind_text(st, 3, a->rows[k] ? "queued" : "done", -1);
		if (a->rows[k])
			store_bind_null(st, 4);
		else
			store_bind_int64(st, 4, now);
		store_bind_text(st, 5, p->region, -1);
		rc = store_step(st);
		store_finalize(st);
		if (rc != ST_DONE)
			return rc < 0 ? rc : ST_ERR;
		if (!a->rows[k])
			continue;
		char key[48], payload[56];
		snprintf(key, sizeof key, "%lld:%d", (long long)p->run_id, k);
		snprintf(payload, sizeof payload, "%s:%d", key, k == a->parts);
		if ((rc = yj_job_defer(c, RJ_PART_HANDLER, key, now, payload)) < 0)
			return rc;
	}
	int64_t empty = 0;
	for (int k = 0; k < total; k++)
		empty += !a->rows[k];
	int64_t v[4] = {now, empty, total, p->run_id};
	rc = exec_ids(c, "UPDATE claim_run_jobs SET state = 'partitioned', updated_at = ?, done = ?, total = ?,"
			 " line_count = 0, flag_count = 0 WHERE id = ?", v, 4);
	if (rc >= 0 && empty == total) /* no data lines at all: nothing will finish a partition */
		return merge(c, p->run_id);
	return rc < 0 ? rc : ST_OK;
}

int rj_partition(store *s, rv_plan *hdr, int parts, int cross, const int64_t *rows)
{
	struct partition_arg a = {hdr, parts, cross, rows};
	return store_tx(s, partition_tx, &a);
}

int rj_part_done(store_conn *c, int64_t id, int k)
{
	store_stmt *st = store_prepare(c, "SELECT state FROM claim_run_parts WHERE run_id = ? AND part = ?");
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, id);
	store_bind_int64(st, 2, k);
	int rc = store_step(st);
	int done = rc == ST_ROW && !strcmp(store_col_text(st, 0), "done");
	store_finalize(st);
	return rc == ST_ROW || rc == ST_DONE ? done : rc < 0 ? rc : ST_ERR;
}

static int part_physicians(store_conn *c, const rv_plan *p, int part)
{
	const yj_claims *cl = p->c;
	for (size_t i = 0; i < p->nphys; i++) {
		const rv_phys *e = &p->phys[i];
		store_stmt *st = store_prepare(c, "INSERT INTO claim_run_part_physicians (run_id, part, physician_id,"
						  " institution_code, dept_code, lines, claims, amount_fen, region_code,"
						  " department) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'insurance')");
		if (!st)
			return ST_ERR;
		store_bind_int64(st, 1, p->run_id);
		store_bind_int64(st, 2, part);
		store_bind_text(st, 3, yj_dict_str(cl->dict[YJ_D_PHYS], e->phys), -1);
		store_bind_text(st, 4, yj_dict_str(cl->dict[YJ_D_INST], e->inst), -1);
		store_bind_text(st, 5, yj_dict_str(cl->dict[YJ_D_DEPT], e->dept), -1);
		store_bind_int64(st, 6, e->lines);
		store_bind_int64(st, 7, e->claims);
		store_bind_int64(st, 8, e->amount);
		store_bind_text(st, 9, p->inst_region[e->inst][0] ? p->inst_region[e->inst] : p->region, -1);
		int rc = store_step(st);
		store_finalize(st);
		if (rc != ST_DONE)
			return rc < 0 ? rc : ST_ERR;
	}
	return ST_OK;
}

/* The merge, in the last partition's transaction: physicians' denominators summed over partitions, the
 * run finished, its audit leaf with the summed totals, the job row done. */
static int merge(store_conn *c, int64_t id)
{
	int64_t now = yj_now_ms(), v[2] = {id, id};
	int rc = exec_ids(c, "INSERT INTO claim_run_physicians (run_id, physician_id, institution_code, dept_code, lines,"
			     " claims, amount_fen, region_code, department) SELECT ?, physician_id, institution_code,"
			     " MIN(dept_code), SUM(lines), SUM(claims), SUM(amount_fen), MIN(region_code), 'insurance'"
			     " FROM claim_run_part_physicians WHERE run_id = ? GROUP BY institution_code, physician_id", v, 2);
	int64_t w[2] = {now, id};
	if (rc >= 0)
		rc = exec_ids(c, "UPDATE claim_runs SET finished_at = ? WHERE id = ?", w, 2);
	if (rc >= 0)
		rc = exec_ids(c, "UPDATE claim_run_jobs SET state = 'done', updated_at = ? WHERE id = ?", w, 2);
	if (rc < 0)
		return rc;
	store_stmt *st = store_prepare(c, "SELECT input_name, input_sha256, rules_sha256, line_count, flag_count,"
					  " flagged_lines, record_count, amount_fen, actor, region_code FROM claim_runs WHERE id = ?");
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, id);
	rc = store_step(st);
	if (rc != ST_ROW) {
		store_finalize(st);
		return rc < 0 ? rc : ST_ERR;
	}
	char sid[21], actor[64], region[16];
	yj_id_format(id, sid);
	snprintf(actor, sizeof actor, "%s", store_col_text(st, 8));
	snprintf(region, sizeof region, "%s", store_col_text(st, 9));
	json_t *state = json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:s}", "input_name", store_col_text(st, 0),
				  "input_sha256", store_col_text(st, 1), "rules_sha256", store_col_text(st, 2), "lines",
				  (json_int_t)store_col_int64(st, 3), "flags", (json_int_t)store_col_int64(st, 4),
				  "flagged_lines", (json_int_t)store_col_int64(st, 5), "records",
				  (json_int_t)store_col_int64(st, 6), "amount_fen", (json_int_t)store_col_int64(st, 7),
				  "region_code", region);
	store_finalize(st);
	yj_audit_event ev = {actor, "claims.screen", "claim_run", sid, region, state};
	rc = yj_audit_append(c, &ev, NULL);
	json_decref(state);
	return rc;
}

int rj_part_tx(store_conn *c, rv_plan *p, void *arg)
{
	rj_part_arg *a = arg;
	a->stored = a->merged = 0;
	int64_t now = yj_now_ms();
	/* The guard: only the run that turns the partition done stores it (on PostgreSQL a second run waits on
	 * the row and then changes nothing), so a partition re-run after its lease expired adds nothing. */
	int64_t g[6] = {(int64_t)p->c->n, p->flag_count, (int64_t)p->nrec, now, p->run_id, a->part};
	int rc = exec_ids(c, "UPDATE claim_run_parts SET state = 'done', line_count = ?, flag_count = ?, record_count = ?,"
			     " finished_at = ? WHERE run_id = ? AND part = ? AND state <> 'done'", g, 6);
	if (rc <= 0)
		return rc;
	a->stored = 1;
	if ((rc = rv_insert_records(c, p, 0, p->nrec, a->per_insert)) < 0 ||
	    (!a->cross && (rc = part_physicians(c, p, a->part)) < 0))
		return rc;
	int64_t lines = a->cross ? 0 : (int64_t)p->c->n; /* the cross partition's lines are the others' too */
	/* The job row first: it serialises the partitions' last steps, so the count below sees every other
	 * partition's commit and exactly one partition merges. */
	int64_t j[4] = {lines, p->flag_count, now, p->run_id};
	if ((rc = exec_ids(c, "UPDATE claim_run_jobs SET done = done + 1, line_count = line_count + ?,"
			      " flag_count = flag_count + ?, updated_at = ? WHERE id = ?", j, 4)) < 0)
		return rc;
	int64_t r[6] = {lines, p->flag_count, p->flagged_lines, (int64_t)p->nrec, p->amount_fen, p->run_id};
	if ((rc = exec_ids(c, "UPDATE claim_runs SET line_count = line_count + ?, flag_count = flag_count + ?,"
			      " flagged_lines = flagged_lines + ?, record_count = record_count + ?, amount_fen = amount_fen + ?"
			      " WHERE id = ?", r, 6)) < 0)
		return rc;
	store_stmt *st = store_prepare(c, "SELECT COUNT(*) FROM claim_run_parts WHERE run_id = ? AND state <> 'done'");
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, p->run_id);
	rc = store_step(st);
	int64_t left = rc == ST_ROW ? store_col_int64(st, 0) : -1;
	store_finalize(st);
	if (left < 0)
		return rc < 0 ? rc : ST_ERR;
	if (left)
		return ST_OK;
	a->merged = 1;
	return merge(c, p->run_id);
}
