/* review_store.c — the SQL of flag review: writing a run and its flag records in multi-row INSERTs,
 * finishing a run with its audit leaf, and a review decision (confirm, dismiss, reopen) with its
 * history row and audit leaf; and the handlers' reads (a flag with its history, a patient lookup, the
 * runs, the summary groups), all scoped through the query builder where a user acts. */
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
	" region_code, list_version, department, state"
#define REC_BINDS 19
#define REC_VALUES "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'insurance', 'pending')"

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
	if (rule->list && rule->list->version)
		store_bind_text(st, k++, rule->list->version, -1);
	else
		store_bind_null(st, k++);
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

int rv_insert_physicians(store_conn *c, const rv_plan *p)
{
	const yj_claims *cl = p->c;
	for (size_t i = 0; i < p->nphys; i++) {
		const rv_phys *e = &p->phys[i];
		store_stmt *st = store_prepare(c, "INSERT INTO claim_run_physicians (run_id, physician_id, institution_code,"
						  " dept_code, lines, claims, amount_fen, region_code, department)"
						  " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'insurance')");
		if (!st)
			return ST_ERR;
		const char *reg = p->inst_region[e->inst][0] ? p->inst_region[e->inst] : p->region;
		store_bind_int64(st, 1, p->run_id);
		store_bind_text(st, 2, yj_dict_str(cl->dict[YJ_D_PHYS], e->phys), -1);
		store_bind_text(st, 3, yj_dict_str(cl->dict[YJ_D_INST], e->inst), -1);
		store_bind_text(st, 4, yj_dict_str(cl->dict[YJ_D_DEPT], e->dept), -1);
		store_bind_int64(st, 5, e->lines);
		store_bind_int64(st, 6, e->claims);
		store_bind_int64(st, 7, e->amount);
		store_bind_text(st, 8, reg, -1);
		int rc = store_step(st);
		store_finalize(st);
		if (rc != ST_DONE)
			return rc < 0 ? rc : ST_ERR;
	}
	return ST_OK;
}

int rv_delete_run(store_conn *c, int64_t run_id)
{
	const char *sqls[] = {"DELETE FROM claim_flags WHERE run_id = ?", "DELETE FROM claim_run_physicians WHERE run_id = ?",
			      "DELETE FROM claim_runs WHERE id = ?"};
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
	      const char *reason, int *applied, char state_out[16])
{
	*applied = 0;
	store_stmt *st;
	int rc = yj_q_one_by_id(c, &rv_flags_table, "state, region_code, rule_id, institution_code, amount_fen, physician_id", sc, id, &st);
	if (rc != ST_OK)
		return rc;
	char state[16], region[16], rule[64], inst[64], physician[64];
	snprintf(state, sizeof state, "%s", store_col_text(st, 0));
	snprintf(physician, sizeof physician, "%s", store_col_text(st, 5));
	snprintf(region, sizeof region, "%s", store_col_text(st, 1));
	snprintf(rule, sizeof rule, "%s", store_col_text(st, 2));
	snprintf(inst, sizeof inst, "%s", store_col_text(st, 3));
	int64_t amount = store_col_int64(st, 4);
	store_finalize(st);
	snprintf(state_out, 16, "%s", state);

	int reopen = !strcmp(action, "reopen");
	const char *to = reopen ? "pending" : !strcmp(action, "confirm") ? "confirmed" : "dismissed";
	if (reopen ? !strcmp(state, "pending") : strcmp(state, "pending") != 0)
		return ST_OK; /* not applied */
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
		return ST_OK; /* a concurrent decision came first: not applied */

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
	/* physician_code (the claim's 医保医师 code) lets credit score insurance physicians' points. */
	json_t *payload = json_pack("{s:s, s:s, s:s, s:I, s:s}", "state", to, "rule_id", rule, "institution_code", inst,
				    "amount_fen", (json_int_t)amount, "physician_code", physician);
	if (rc >= 0)
		rc = yj_event_emit(c, &(yj_event){type, "claim_flag", sid, region, actor, payload}, NULL);
	json_decref(payload);
	json_decref(ev_state);
	if (rc >= 0) {
		snprintf(state_out, 16, "%s", to);
		*applied = 1;
	}
	return rc;
}

/* ---- reads for the handlers (review_api.c) ---- */

static json_t *text_or_null(store_stmt *st, int col)
{
	const char *v = store_col_text(st, col);
	return v ? json_string(v) : json_null();
}

static json_t *yuan(int64_t fen)
{
	char s[32];
	rv_yuan(fen, s);
	return json_string(s);
}

json_t *rv_flag_json(store_stmt *st)
{
	static const char *const text_keys[] = {
		NULL, NULL, NULL, "rule_id", "rule_type", "result_type", "claim_id", "line_nos", "service_date",
		"item_code", "institution_code", "physician_id", "patient_masked", NULL, "message", "region_code", "state",
	};
	json_t *o = json_object();
	json_object_set_new(o, "id", yj_json_id(store_col_int64(st, 0)));
	json_object_set_new(o, "run_id", yj_json_id(store_col_int64(st, 1)));
	json_object_set_new(o, "flag_id", json_integer(store_col_int64(st, 2)));
	for (int i = 3; i <= 16; i++)
		if (text_keys[i])
			json_object_set_new(o, text_keys[i], text_or_null(st, i));
	/* Stored as 3303**********1234; shown with the first four characters only, because a flag's
	 * message may carry the patient's age and sex, which with the last digits and the check
	 * character narrow an ID number to a few dozen candidates (docs/security.md). */
	const char *pm = json_string_value(json_object_get(o, "patient_masked"));
	if (pm) {
		char head[19];
		json_object_set_new(o, "patient_masked", json_string(yj_pii_mask_id_head(pm, head)));
	}
	int64_t fen = store_col_int64(st, 13);
	json_object_set_new(o, "amount_fen", json_integer(fen));
	json_object_set_new(o, "amount_yuan", yuan(fen));
	json_object_set_new(o, "reviewer", text_or_null(st, 17));
	json_object_set_new(o, "reviewed_at", store_col_is_null(st, 18) ? json_null() : json_integer(store_col_int64(st, 18)));
	json_object_set_new(o, "reason", text_or_null(st, 19));
	json_object_set_new(o, "list_version", text_or_null(st, 20));
	return o;
}

int rv_flag_load(store_conn *c, const yj_scope *sc, int64_t id, json_t **out)
{
	yj_qb *q = yj_q_select(&rv_flags_table, RV_FLAG_COLS, sc);
	yj_q_where(q, "id = ?");
	yj_q_int(q, id);
	store_stmt *st = yj_q_prepare(q, c);
	if (!st)
		return ST_ERR;
	int rc = store_step(st);
	if (rc != ST_ROW) {
		store_finalize(st);
		return rc == ST_DONE ? ST_NOTFOUND : rc;
	}
	json_t *o = rv_flag_json(st);
	store_finalize(st);
	q = yj_q_select(&rv_reviews_table, "action, actor, at, reason", sc);
	yj_q_where(q, "claim_flag_id = ?");
	yj_q_int(q, id);
	yj_q_tail(q, "ORDER BY id");
	st = yj_q_prepare(q, c);
	if (!st) {
		json_decref(o);
		return ST_ERR;
	}
	json_t *reviews = json_array();
	while ((rc = store_step(st)) == ST_ROW)
		json_array_append_new(reviews, json_pack("{s:s, s:s, s:I, s:s}", "action", store_col_text(st, 0), "actor",
							 store_col_text(st, 1), "at", (json_int_t)store_col_int64(st, 2),
							 "reason", store_col_text(st, 3)));
	store_finalize(st);
	json_object_set_new(o, "reviews", reviews);
	if (rc < 0) {
		json_decref(o);
		return rc;
	}
	*out = o;
	return ST_OK;
}

int rv_flag_by_patient(store_conn *c, const yj_scope *sc, const char *hash, int64_t *id, char region[16])
{
	yj_qb *q = yj_q_select(&rv_flags_table, "id, region_code", sc);
	yj_q_where(q, "patient_hash = ?");
	yj_q_text(q, hash);
	yj_q_tail(q, "ORDER BY id LIMIT 1");
	store_stmt *st = yj_q_prepare(q, c);
	if (!st)
		return ST_ERR;
	int rc = store_step(st);
	if (rc == ST_ROW) {
		*id = store_col_int64(st, 0);
		snprintf(region, 16, "%s", store_col_text(st, 1));
		rc = ST_OK;
	} else if (rc == ST_DONE) {
		rc = ST_NOTFOUND;
	}
	store_finalize(st);
	return rc;
}

int rv_flag_sealed(store_conn *c, const yj_scope *sc, int64_t id, json_t **out)
{
	store_stmt *st;
	int rc = yj_q_one_by_id(c, &rv_flags_table, "patient_cipher, patient_masked, region_code", sc, id, &st);
	if (rc != ST_OK)
		return rc;
	*out = json_pack("{s:o, s:o, s:o}", "patient_cipher", text_or_null(st, 0), "patient_masked", text_or_null(st, 1),
			 "region_code", text_or_null(st, 2));
	store_finalize(st);
	return ST_OK;
}

json_t *rv_run_json(store_stmt *st, void *arg)
{
	(void)arg;
	json_t *o = json_object();
	json_object_set_new(o, "id", yj_json_id(store_col_int64(st, 0)));
	json_object_set_new(o, "started_at", json_integer(store_col_int64(st, 1)));
	json_object_set_new(o, "finished_at", store_col_is_null(st, 2) ? json_null() : json_integer(store_col_int64(st, 2)));
	json_object_set_new(o, "complete", json_boolean(!store_col_is_null(st, 2)));
	json_object_set_new(o, "input_name", text_or_null(st, 3));
	json_object_set_new(o, "input_sha256", text_or_null(st, 4));
	json_object_set_new(o, "rules_sha256", text_or_null(st, 5));
	static const char *const counts[] = {"rule_count", "line_count", "flag_count", "flagged_lines", "record_count"};
	for (int i = 0; i < 5; i++)
		json_object_set_new(o, counts[i], json_integer(store_col_int64(st, 6 + i)));
	json_object_set_new(o, "amount_fen", json_integer(store_col_int64(st, 11)));
	json_object_set_new(o, "amount_yuan", yuan(store_col_int64(st, 11)));
	json_object_set_new(o, "actor", text_or_null(st, 12));
	json_object_set_new(o, "region_code", text_or_null(st, 13));
	return o;
}

yj_qb *rv_runs_select(const yj_scope *sc)
{
	return yj_q_select(&rv_runs_table, RV_RUN_COLS, sc);
}

store_stmt *rv_runs_query(store_conn *c, const yj_scope *sc, int64_t before, int limit)
{
	yj_qb *q = yj_q_select(&rv_runs_table, RV_RUN_COLS, sc);
	yj_q_where(q, "id < ?");
	yj_q_int(q, before);
	yj_q_tail(q, "ORDER BY id DESC LIMIT ?"); /* newest first */
	yj_q_int(q, limit + 1);
	return yj_q_prepare(q, c);
}

int rv_run_visible(store_conn *c, const yj_scope *sc, int64_t run)
{
	yj_qb *q = yj_q_select(&rv_runs_table, "id", sc);
	yj_q_where(q, "id = ?");
	yj_q_int(q, run);
	store_stmt *st = yj_q_prepare(q, c);
	if (!st)
		return ST_ERR;
	int rc = store_step(st);
	store_finalize(st);
	return rc == ST_ROW ? ST_OK : rc == ST_DONE ? ST_NOTFOUND : rc;
}

#define SUM_COLS(key)                                                                                          \
	key ", COUNT(*), SUM(amount_fen), SUM(CASE WHEN state = 'confirmed' THEN 1 ELSE 0 END),"                \
	    " SUM(CASE WHEN state = 'confirmed' THEN amount_fen ELSE 0 END),"                                  \
	    " SUM(CASE WHEN state = 'dismissed' THEN 1 ELSE 0 END)"

static json_t *sum_json(store_stmt *st, int first)
{
	int64_t flags = store_col_int64(st, first), amount = store_col_int64(st, first + 1);
	int64_t confirmed = store_col_int64(st, first + 2), camount = store_col_int64(st, first + 3);
	int64_t dismissed = store_col_int64(st, first + 4);
	json_t *o = json_object();
	json_object_set_new(o, "flags", json_integer(flags));
	json_object_set_new(o, "amount_fen", json_integer(amount));
	json_object_set_new(o, "amount_yuan", yuan(amount));
	json_object_set_new(o, "confirmed", json_integer(confirmed));
	json_object_set_new(o, "confirmed_amount_fen", json_integer(camount));
	json_object_set_new(o, "confirmed_amount_yuan", yuan(camount));
	json_object_set_new(o, "dismissed", json_integer(dismissed));
	json_object_set_new(o, "pending", json_integer(flags - confirmed - dismissed));
	return o;
}

int rv_summary_group(store_conn *c, const yj_scope *sc, int64_t run, const char *key_col, const char *json_key, int top,
		     json_t **out)
{
	char cols[400], tail[200];
	snprintf(cols, sizeof cols, SUM_COLS("%s"), key_col ? key_col : "COUNT(*)");
	yj_qb *q = yj_q_select(&rv_flags_table, cols, sc);
	yj_q_where(q, "run_id = ?");
	yj_q_int(q, run);
	if (key_col) {
		snprintf(tail, sizeof tail, "GROUP BY %s ORDER BY 3 DESC, 1%s", key_col, top ? " LIMIT ?" : "");
		yj_q_tail(q, tail);
		if (top)
			yj_q_int(q, top);
	}
	store_stmt *st = yj_q_prepare(q, c);
	if (!st)
		return ST_ERR;
	json_t *items = json_array();
	int rc;
	while ((rc = store_step(st)) == ST_ROW) {
		json_t *o = sum_json(st, 1);
		if (key_col)
			json_object_set_new(o, json_key, text_or_null(st, 0));
		json_array_append_new(items, o);
	}
	store_finalize(st);
	if (rc < 0) {
		json_decref(items);
		return rc;
	}
	*out = items;
	return ST_OK;
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

int yj_claims_runs_count(store_conn *c, int64_t *n)
{
	*n = 0;
	store_stmt *st = store_prepare(c, "SELECT COUNT(*) FROM claim_runs WHERE finished_at IS NOT NULL");
	if (!st)
		return ST_ERR;
	int rc = store_step(st);
	if (rc == ST_ROW)
		*n = store_col_int64(st, 0);
	store_finalize(st);
	return rc == ST_ROW ? ST_OK : rc < 0 ? rc : ST_ERR;
}
