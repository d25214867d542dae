/* review_store.c — the SQL of flag review: writing a run and its flag records in multi-row INSERTs,
 * finishing a run with its audit leaf, and a review decision (confirm, dismiss, reopen) with its
 * history row and audit leaf, all scoped through the query builder where a user acts. */
#define _POSIX_C_SOURCE 200809L
#include "review_int.h"
#include "../base/base.h"
#include "../base/id.h"
#include "../platform/audit/audit.h"
#include "../platform/events/events.h"
#include "../platform/pii/pii.h"
#include "../platform/regions/regions.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const yj_table rv_runs_table = {"claim_runs", NULL, "department", NULL};
const yj_table rv_flags_table = {"claim_flags", "region_code", "department", NULL};
const yj_table rv_reviews_table = {"claim_flag_reviews", "region_code", "department", NULL};

int rv_region_exists(store_conn *c, const char *code)
{
	return yj_region_exists(c, code);
}

int rv_insert_run(store_conn *c, const rv_plan *p)
{
	store_stmt *st = store_prepare(
		c, "INSERT INTO claim_runs (id, started_at, finished_at, input_name, input_sha256, rules_sha256, rule_count,"
		   " line_count, flag_count, flagged_lines, record_count, amount_fen, actor, region_code, department)"
		   " VALUES (?, ?, NULL, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, 'insurance')");
	if (!st)
		return ST_ERR;
	int k = 1;
	store_bind_int64(st, k++, p->run_id);
	store_bind_int64(st, k++, p->o->started_at);
	store_bind_text(st, k++, p->input_name, -1);
	store_bind_text(st, k++, p->input_sha, -1);
	store_bind_text(st, k++, p->rules_sha, -1);
	store_bind_int64(st, k++, p->rs->n);
	store_bind_int64(st, k++, p->line_count);
	store_bind_int64(st, k++, p->flag_count);
	store_bind_int64(st, k++, p->flagged_lines);
	store_bind_int64(st, k++, p->amount_fen);
	store_bind_text(st, k++, p->o->actor, -1);
	store_bind_text(st, k++, p->region, -1);
	int rc = store_step(st);
	store_finalize(st);
	return rc == ST_DONE ? ST_OK : rc;
}

#define REC_COLS                                                                                                   \
	"id, run_id, flag_id, rule_id, rule_type, result_type, claim_id, line_nos, service_date, item_code,"    \
	" institution_code, physician_id, patient_cipher, patient_hash, patient_masked, amount_fen, message,"   \
	" region_code, department, state"
#define REC_BINDS 18
#define REC_VALUES "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'insurance', 'pending')"

static char *insert_sql(int rows)
{
	yj_buf b = YJ_BUF_INIT;
	yj_buf_puts(&b, "INSERT INTO claim_flags (" REC_COLS ") VALUES ");
	for (int i = 0; i < rows; i++)
		yj_buf_puts(&b, i ? ", " REC_VALUES : REC_VALUES);
	return yj_buf_detach(&b);
}

static void put_date(char out[16], int32_t d)
{
	out[0] = 0;
	if (d == YJ_NO_DATE)
		return;
	yj_day_format(d, out);
}

/* Binds record i at parameter base+1 … base+REC_BINDS. */
static void bind_record(store_stmt *st, int base, rv_plan *p, size_t i)
{
	const yj_claims *c = p->c;
	const rv_rec *r = &p->rec[i];
	const yj_flag *f = &p->res->f[p->rows[r->first]];
	const yj_rule *rule = &p->rs->r[f->rule];
	int32_t row = f->row, pat = c->patient[row];
	const char *patient = yj_dict_str(c->dict[YJ_D_PATIENT], pat);
	if (!p->patient_cipher[pat])
		p->patient_cipher[pat] = yj_pii_encrypt(patient);
	char hash[65], masked[256], date[16], lines[512];
	yj_pii_hash(patient, hash);
	if (strlen(patient) < sizeof masked)
		yj_pii_mask_id(patient, masked);
	else
		snprintf(masked, sizeof masked, "%s", "****");
	put_date(date, c->service[row]);
	/* Line numbers of the record, ascending; a record rarely spans more than a few lines. */
	size_t ln = 0;
	lines[0] = 0;
	for (int32_t k = 0; k < r->n && ln < sizeof lines - 16; k++) {
		int32_t rr = p->res->f[p->rows[r->first + k]].row;
		ln += (size_t)snprintf(lines + ln, sizeof lines - ln, "%s%d", k ? "," : "", c->line_no[rr]);
	}
	if (ln >= sizeof lines - 16)
		snprintf(lines + ln, sizeof lines - ln, ",…");
	char *msg = yj_flag_message(c, p->rs, f);
	int k = base + 1;
	store_bind_int64(st, k++, yj_id_new());
	store_bind_int64(st, k++, p->run_id);
	store_bind_int64(st, k++, (int64_t)f->flag + 1); /* 1-based, as FLAGS.csv */
	store_bind_text(st, k++, rule->id, -1);
	store_bind_text(st, k++, rule->type_name, -1);
	store_bind_text(st, k++, rule->definite ? "definite" : "suspicious", -1);
	store_bind_text(st, k++, yj_dict_str(c->dict[YJ_D_CLAIM], c->claim[row]), -1);
	store_bind_text(st, k++, lines, -1);
	store_bind_text(st, k++, date, -1);
	store_bind_text(st, k++, yj_dict_str(c->dict[YJ_D_ITEM], c->item[row]), -1);
	store_bind_text(st, k++, yj_dict_str(c->dict[YJ_D_INST], c->inst[row]), -1);
	store_bind_text(st, k++, yj_dict_str(c->dict[YJ_D_PHYS], c->phys[row]), -1);
	store_bind_text(st, k++, p->patient_cipher[pat], -1);
	store_bind_text(st, k++, hash, -1);
	store_bind_text(st, k++, masked, -1);
	store_bind_int64(st, k++, r->amount);
	store_bind_text(st, k++, msg, -1);
	const char *region = p->inst_region[c->inst[row]];
	store_bind_text(st, k++, *region ? region : p->region, -1);
	free(msg);
}

int rv_insert_records(store_conn *c, rv_plan *p, size_t from, size_t to, int per_insert)
{
	char *full_sql = insert_sql(per_insert);
	int rc = ST_OK;
	for (size_t i = from; i < to && rc >= 0;) {
		int rows = to - i >= (size_t)per_insert ? per_insert : (int)(to - i);
		char *part = rows == per_insert ? NULL : insert_sql(rows);
		store_stmt *st = store_prepare(c, part ? part : full_sql);
		free(part);
		if (!st) {
			rc = ST_ERR;
			break;
		}
		for (int k = 0; k < rows; k++)
			bind_record(st, k * REC_BINDS, p, i + (size_t)k);
		int s = store_step(st);
		store_finalize(st);
		rc = s == ST_DONE ? ST_OK : s;
		i += (size_t)rows;
	}
	free(full_sql);
	return rc;
}

int rv_finish_run(store_conn *c, const rv_plan *p)
{
	store_stmt *st = store_prepare(c, "UPDATE claim_runs SET finished_at = ?, record_count = ? WHERE id = ?");
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, yj_now_ms());
	store_bind_int64(st, 2, (int64_t)p->nrec);
	store_bind_int64(st, 3, p->run_id);
	int rc = store_step(st);
	store_finalize(st);
	if (rc != ST_DONE)
		return rc < 0 ? rc : ST_ERR;
	char id[21];
	yj_id_format(p->run_id, id);
	json_t *state = json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:s}", "input_name", p->input_name,
				  "input_sha256", p->input_sha, "rules_sha256", p->rules_sha, "lines",
				  (json_int_t)p->line_count, "flags", (json_int_t)p->flag_count, "flagged_lines",
				  (json_int_t)p->flagged_lines, "records", (json_int_t)p->nrec, "amount_fen",
				  (json_int_t)p->amount_fen, "region_code", p->region);
	yj_audit_event ev = {p->o->actor, "claims.screen", "claim_run", id, p->region, state};
	rc = yj_audit_append(c, &ev, NULL);
	json_decref(state);
	return rc;
}

int rv_delete_run(store_conn *c, int64_t run_id)
{
	const char *sqls[] = {"DELETE FROM claim_flags WHERE run_id = ?", "DELETE FROM claim_runs WHERE id = ?"};
	for (size_t i = 0; i < YJ_ARRAY_LEN(sqls); i++) {
		store_stmt *st = store_prepare(c, sqls[i]);
		if (!st)
			return ST_ERR;
		store_bind_int64(st, 1, run_id);
		int rc = store_step(st);
		store_finalize(st);
		if (rc < 0)
			return rc;
	}
	return ST_OK;
}

/* ---- review decisions ---- */

int rv_decide(store_conn *c, const yj_scope *sc, int64_t id, const char *action, const char *actor,
	      const char *reason, char state_out[16])
{
	store_stmt *st;
	int rc = yj_q_one_by_id(c, &rv_flags_table, "state, region_code, rule_id, institution_code, amount_fen", sc, id, &st);
	if (rc != ST_OK)
		return rc;
	char state[16], region[16], rule[64], inst[64];
	snprintf(state, sizeof state, "%s", store_col_text(st, 0));
	snprintf(region, sizeof region, "%s", store_col_text(st, 1));
	snprintf(rule, sizeof rule, "%s", store_col_text(st, 2));
	snprintf(inst, sizeof inst, "%s", store_col_text(st, 3));
	int64_t amount = store_col_int64(st, 4);
	store_finalize(st);
	snprintf(state_out, 16, "%s", state);

	int reopen = !strcmp(action, "reopen");
	const char *to = reopen ? "pending" : !strcmp(action, "confirm") ? "confirmed" : "dismissed";
	if (reopen ? !strcmp(state, "pending") : strcmp(state, "pending") != 0)
		return RV_STATE;
	int64_t now = yj_now_ms();
	yj_qb *q = yj_q_update(&rv_flags_table, sc);
	yj_q_set_text(q, "state", to);
	if (reopen) {
		yj_q_set_text(q, "reviewer", NULL);
		yj_q_set_text(q, "reason", NULL);
		yj_q_set_text(q, "reviewed_at", NULL); /* the reopening stays in claim_flag_reviews */
	} else {
		yj_q_set_text(q, "reviewer", actor);
		yj_q_set_text(q, "reason", reason);
		yj_q_set_int(q, "reviewed_at", now);
	}
	yj_q_where(q, "id = ? AND state = ?"); /* a concurrent decision makes this change nothing */
	yj_q_int(q, id);
	yj_q_text(q, state);
	st = yj_q_prepare(q, c);
	if (!st)
		return ST_ERR;
	rc = store_step(st);
	int64_t changed = store_changes(st);
	store_finalize(st);
	if (rc < 0)
		return rc;
	if (changed != 1)
		return RV_STATE;

	st = store_prepare(c, "INSERT INTO claim_flag_reviews (id, claim_flag_id, action, actor, at, reason, region_code,"
			      " department) VALUES (?, ?, ?, ?, ?, ?, ?, 'insurance')");
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, yj_id_new());
	store_bind_int64(st, 2, id);
	store_bind_text(st, 3, action, -1);
	store_bind_text(st, 4, actor, -1);
	store_bind_int64(st, 5, now);
	store_bind_text(st, 6, reason, -1);
	store_bind_text(st, 7, region, -1);
	rc = store_step(st);
	store_finalize(st);
	if (rc != ST_DONE)
		return rc < 0 ? rc : ST_ERR;

	char sid[21], act[32];
	yj_id_format(id, sid);
	snprintf(act, sizeof act, "claims.flag.%s", action);
	json_t *ev_state = json_pack("{s:s, s:s, s:s, s:s, s:I}", "state", to, "reason", reason, "rule_id", rule,
				     "institution_code", inst, "amount_fen", (json_int_t)amount);
	yj_audit_event ev = {actor, act, "claim_flag", sid, region, ev_state};
	rc = yj_audit_append(c, &ev, NULL);
	/* The event leaves out the reviewer's free-text reason: subscribers need the decision, not the words. */
	const char *type = reopen			? "claims.flag_reopened"
			   : !strcmp(to, "confirmed") ? "claims.flag_confirmed"
						      : "claims.flag_dismissed";
	json_t *payload = json_pack("{s:s, s:s, s:s, s:I}", "state", to, "rule_id", rule, "institution_code", inst, "amount_fen",
				    (json_int_t)amount);
	if (rc >= 0)
		rc = yj_event_emit(c, &(yj_event){type, "claim_flag", sid, region, actor, payload}, NULL);
	json_decref(payload);
	json_decref(ev_state);
	if (rc >= 0)
		snprintf(state_out, 16, "%s", to);
	return rc;
}

int yj_claims_flag_get(store_conn *c, const yj_scope *sc, int64_t id, yj_claims_flag_brief *out)
{
	store_stmt *st;
	int rc = yj_q_one_by_id(c, &rv_flags_table, "id, amount_fen, state, rule_id, institution_code, region_code, department",
				sc, id, &st);
	if (rc != ST_OK)
		return rc;
	out->id = store_col_int64(st, 0);
	out->amount_fen = store_col_int64(st, 1);
	snprintf(out->state, sizeof out->state, "%s", store_col_text(st, 2));
	snprintf(out->rule_id, sizeof out->rule_id, "%s", store_col_text(st, 3));
	snprintf(out->institution_code, sizeof out->institution_code, "%s", store_col_text(st, 4));
	snprintf(out->region_code, sizeof out->region_code, "%s", store_col_text(st, 5));
	snprintf(out->department, sizeof out->department, "%s", store_col_text(st, 6));
	store_finalize(st);
	return ST_OK;
}
