/* enf_store.c — the enforcement module's SQL: the case row and its JSON, the steps (timeline) with their
 * audit leaves, settings, the office's abbreviation, benchmarks, clues, the decision events' payload, the
 * store-backed clocks and the to-dos they put, and the statements of the filing, documents, benchmark-editor
 * and public routes (oversight_store.c holds 案件督办 and 行刑衔接's). */
#define _POSIX_C_SOURCE 200809L
#include "enf_int.h"
#include "../platform/regions/regions.h"
#include "../platform/todos/todos.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const yj_table enf_clues_t = {"enf_clues", "region_code", "department", NULL};
const yj_table enf_cases_t = {"enf_cases", "region_code", "department", NULL};
const yj_table enf_steps_t = {"enf_steps", "region_code", "department", NULL};

void enf_actor(yj_req *r, char out[21])
{
	yj_id_format(yj_who(r)->user_id, out);
}

json_t *enf_text(store_stmt *st, int col)
{
	const char *v = store_col_text(st, col);
	return v ? json_string(v) : json_null();
}

int64_t enf_setting(store_conn *c, const char *key, int64_t dflt)
{
	store_stmt *st = store_prepare(c, "SELECT value FROM enf_settings WHERE key = ?");
	int64_t v = dflt;
	if (!st)
		return dflt;
	store_bind_text(st, 1, key, -1);
	if (store_step(st) == ST_ROW)
		v = store_col_int64(st, 0);
	store_finalize(st);
	return v;
}

int yj_enf_case_count(store_conn *c, int64_t *n)
{
	store_stmt *st = store_prepare(c, "SELECT COUNT(*) FROM enf_cases");
	if (!st)
		return ST_ERR;
	int rc = store_step(st);
	*n = rc == ST_ROW ? store_col_int64(st, 0) : 0;
	store_finalize(st);
	return rc == ST_ROW ? ST_OK : rc < 0 ? rc : ST_ERR;
}

/* The dates a demo case is moved back by: decided_on, served_on, pay_due, published_on, publish_due,
 * public_until, reminded_on — in this order in both statements below. */
enum { NAGED = 7 };

static int age_tx(store_conn *c, void *arg)
{
	const int64_t *a = arg; /* {id, days} */
	char dates[NAGED][11];
	store_stmt *st = store_prepare(c, "SELECT decided_on, served_on, pay_due, published_on, publish_due, public_until, reminded_on"
					  " FROM enf_cases WHERE id = ?");
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, a[0]);
	int rc = store_step(st);
	for (size_t i = 0; rc == ST_ROW && i < NAGED; i++) {
		int64_t d;
		const char *v = store_col_text(st, (int)i);
		dates[i][0] = '\0';
		if (v && yj_day_parse(v, &d) == 0)
			yj_day_format(d - a[1], dates[i]);
	}
	store_finalize(st);
	if (rc != ST_ROW)
		return rc == ST_DONE ? ST_NOTFOUND : rc < 0 ? rc : ST_ERR;
	st = store_prepare(c, "UPDATE enf_cases SET decided_on = ?, served_on = ?, pay_due = ?, published_on = ?, publish_due = ?,"
			      " public_until = ?, reminded_on = ? WHERE id = ?");
	if (!st)
		return ST_ERR;
	for (size_t i = 0; i < NAGED; i++)
		if (dates[i][0])
			store_bind_text(st, (int)i + 1, dates[i], -1);
		else
			store_bind_null(st, (int)i + 1);
	store_bind_int64(st, NAGED + 1, a[0]);
	rc = store_step(st);
	store_finalize(st);
	return rc < 0 ? rc : ST_OK;
}

int yj_enf_demo_age(store *s, int64_t id, int days)
{
	int64_t a[2] = {id, days};
	return store_tx(s, age_tx, a);
}

/* ---- the case row ---- */

enum { T_TEXT, T_INT, T_BOOL, T_ID, T_IDS, T_CSV };
struct col_def {
	const char *name;
	int type;
};
static const struct col_def case_cols[] = {
	{"id", T_ID}, {"clue_id", T_ID}, {"state", T_TEXT}, {"prior_state", T_TEXT}, {"subject_kind", T_TEXT},
	{"subject_id", T_ID}, {"subject_name", T_TEXT}, {"subject_code", T_TEXT}, {"officers", T_IDS},
	{"approved_by", T_TEXT}, {"filed_on", T_TEXT}, {"decision_due", T_TEXT}, {"paused_on", T_TEXT},
	{"paused_days", T_INT}, {"extended_days", T_INT}, {"serious", T_BOOL}, {"t_public_interest", T_BOOL},
	{"t_hearing_rights", T_BOOL}, {"t_complex", T_BOOL}, {"t_other_law", T_BOOL}, {"suspect_crime", T_BOOL},
	{"violation_code", T_TEXT}, {"benchmark_version", T_INT}, {"tier", T_TEXT}, {"penalty_kinds", T_CSV},
	{"fine_fen", T_INT}, {"confiscation_fen", T_INT}, {"facts", T_TEXT}, {"deviation_reason", T_TEXT},
	{"outside_band", T_BOOL}, {"hearing_trigger", T_BOOL}, {"legal_ok_seq", T_INT}, {"proposal_seq", T_INT},
	{"hearing_seq", T_INT}, {"collective_seq", T_INT}, {"statement_due", T_TEXT}, {"hearing_request_due", T_TEXT},
	{"decision_no", T_TEXT}, {"decided_on", T_TEXT}, {"no_penalty_ground", T_TEXT}, {"served_on", T_TEXT},
	{"pay_due", T_TEXT}, {"paid_fen", T_INT}, {"reminded_on", T_TEXT}, {"court_applied_on", T_TEXT},
	{"published_on", T_TEXT}, {"publish_due", T_TEXT}, {"public_until", T_TEXT}, {"withdrawn_on", T_TEXT},
	{"transferred_to", T_TEXT}, {"closed_on", T_TEXT}, {"region_code", T_TEXT}, {"department", T_TEXT},
	{"version", T_INT}, {"created_at", T_INT}, {"updated_at", T_INT}, {"responsible_id", T_ID},
};
#define NCOLS (sizeof case_cols / sizeof case_cols[0])

/* The list row: what the console's lists, queues and the export show, and the ids that link a row to its
 * case, clue and subject. The full row is the case page's: 59 keys, mostly null on a list, were 43 % of the
 * list's time as JSON (docs/benchmarks.md). */
static const struct col_def list_cols[] = {
	{"id", T_ID},	       {"clue_id", T_ID},	 {"state", T_TEXT},	    {"subject_kind", T_TEXT},
	{"subject_id", T_ID},  {"subject_name", T_TEXT}, {"filed_on", T_TEXT},	    {"decision_due", T_TEXT},
	{"violation_code", T_TEXT}, {"fine_fen", T_INT}, {"decision_no", T_TEXT}, {"decided_on", T_TEXT},
	{"closed_on", T_TEXT}, {"region_code", T_TEXT}, {"department", T_TEXT},
};
#define NLIST (sizeof list_cols / sizeof list_cols[0])

const char *const enf_case_cols =
	"id, clue_id, state, prior_state, subject_kind, subject_id, subject_name, subject_code, officers, approved_by,"
	" filed_on, decision_due, paused_on, paused_days, extended_days, serious, t_public_interest, t_hearing_rights,"
	" t_complex, t_other_law, suspect_crime, violation_code, benchmark_version, tier, penalty_kinds, fine_fen,"
	" confiscation_fen, facts, deviation_reason, outside_band, hearing_trigger, legal_ok_seq, proposal_seq,"
	" hearing_seq, collective_seq, statement_due, hearing_request_due, decision_no, decided_on, no_penalty_ground,"
	" served_on, pay_due, paid_fen, reminded_on, court_applied_on, published_on, publish_due, public_until,"
	" withdrawn_on, transferred_to, closed_on, region_code, department, version, created_at, updated_at, responsible_id";

const char *const enf_case_list_cols = "id, clue_id, state, subject_kind, subject_id, subject_name, filed_on, decision_due,"
				       " violation_code, fine_fen, decision_no, decided_on, closed_on, region_code, department";

static json_t *csv_array(const char *s)
{
	json_t *a = json_array();
	while (s && *s) {
		const char *e = strchr(s, ',');
		size_t n = e ? (size_t)(e - s) : strlen(s);
		if (n)
			json_array_append_new(a, json_stringn(s, n));
		s = e ? e + 1 : s + n;
	}
	return a;
}

static void col_copy(store_stmt *st, int col, char *out, size_t cap)
{
	snprintf(out, cap, "%s", store_col_is_null(st, col) ? "" : store_col_text(st, col));
}

/* The columns of st by their definitions, in order, then state_label (the state is column 2 of both). */
static json_t *cols_json(store_stmt *st, const struct col_def *defs, size_t n)
{
	json_t *o = json_object();
	for (size_t i = 0; i < n; i++) {
		int col = (int)i;
		json_t *v;
		if (store_col_is_null(st, col))
			v = json_null();
		else if (defs[i].type == T_INT)
			v = json_integer(store_col_int64(st, col));
		else if (defs[i].type == T_BOOL)
			v = json_boolean(store_col_int64(st, col));
		else if (defs[i].type == T_ID)
			v = yj_json_id(store_col_int64(st, col));
		else if (defs[i].type == T_IDS || defs[i].type == T_CSV)
			v = csv_array(store_col_text(st, col));
		else
			v = json_string(store_col_text(st, col));
		json_object_set_new(o, defs[i].name, v);
	}
	json_object_set_new(o, "state_label", json_string(enf_state_label(store_col_text(st, 2))));
	return o;
}

json_t *enf_case_list_json(store_stmt *st)
{
	return cols_json(st, list_cols, NLIST);
}

json_t *enf_case_json(store_stmt *st, enf_case *k)
{
	json_t *o = cols_json(st, case_cols, NCOLS);
	if (k) {
		memset(k, 0, sizeof *k);
		col_copy(st, 2, k->state, sizeof k->state);
		col_copy(st, 3, k->prior_state, sizeof k->prior_state);
		json_t *ids = csv_array(store_col_text(st, 8)), *v;
		size_t i;
		json_array_foreach(ids, i, v) if (k->nofficers < ENF_MAX_OFFICERS && yj_id_parse(json_string_value(v),
											&k->officers[k->nofficers]) == 0)
			k->nofficers++;
		json_decref(ids);
		k->serious = (int)store_col_int64(st, 15);
		k->t_public_interest = (int)store_col_int64(st, 16);
		k->t_hearing_rights = (int)store_col_int64(st, 17);
		k->t_complex = (int)store_col_int64(st, 18);
		k->t_other_law = (int)store_col_int64(st, 19);
		k->suspect_crime = (int)store_col_int64(st, 20);
		k->fine_fen = store_col_int64(st, 25);
		k->outside_band = (int)store_col_int64(st, 29);
		k->hearing_trigger = (int)store_col_int64(st, 30);
		k->legal_ok_seq = (int)store_col_int64(st, 31);
		k->proposal_seq = (int)store_col_int64(st, 32);
		k->hearing_seq = (int)store_col_int64(st, 33);
		k->collective_seq = (int)store_col_int64(st, 34);
		col_copy(st, 35, k->statement_due, sizeof k->statement_due);
		col_copy(st, 36, k->hearing_request_due, sizeof k->hearing_request_due);
		k->no_penalty = !store_col_is_null(st, 39);
		col_copy(st, 41, k->pay_due, sizeof k->pay_due);
		k->paid_fen = store_col_int64(st, 42);
		k->transferred = !store_col_is_null(st, 49);
		col_copy(st, 11, k->decision_due, sizeof k->decision_due);
	}
	return o;
}

int enf_case_load(store_conn *c, const yj_scope *sc, int64_t id, json_t **row, enf_case *k)
{
	store_stmt *st;
	int rc = yj_q_one_by_id(c, &enf_cases_t, enf_case_cols, sc, id, &st);
	if (rc != ST_OK)
		return rc;
	*row = enf_case_json(st, k);
	if (k)
		snprintf(k->decided_on, sizeof k->decided_on, "%s",
			 json_string_value(json_object_get(*row, "decided_on")) ? json_string_value(json_object_get(*row, "decided_on")) : "");
	char reminded[11];
	col_copy(st, 43, reminded, sizeof reminded);
	store_finalize(st);
	if (k && reminded[0]) {
		int64_t d;
		if (yj_day_parse(reminded, &d) == 0)
			yj_day_format(d + enf_setting(c, "court_after_remind_days", 10), k->court_ready_on);
	}
	/* A late fee is shown, never stored: it grows each day (art. 72). */
	const char *due = json_string_value(json_object_get(*row, "pay_due"));
	int64_t dd, td;
	char today[11];
	yj_day_today(today);
	if (due && yj_day_parse(due, &dd) == 0 && yj_day_parse(today, &td) == 0) {
		int64_t owed = json_integer_value(json_object_get(*row, "fine_fen")) -
			       json_integer_value(json_object_get(*row, "paid_fen"));
		json_object_set_new(*row, "late_fee_fen",
				    json_integer(enf_late_fee(owed, td - dd, enf_setting(c, "late_fee_permille_per_day", 30))));
	}
	return ST_OK;
}

int enf_steps_load(store_conn *c, int64_t id, json_t **out)
{
	store_stmt *st = store_prepare(c, "SELECT seq, action, from_state, to_state, actor, day, at, data, audit_index"
					  " FROM enf_steps WHERE case_id = ? ORDER BY seq");
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, id);
	json_t *arr = json_array();
	int rc;
	while ((rc = store_step(st)) == ST_ROW) {
		const enf_action *a = enf_action_find(store_col_text(st, 1));
		json_t *data = json_loads(store_col_text(st, 7), 0, NULL);
		json_array_append_new(arr, json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:o, s:o}", "seq",
						     (json_int_t)store_col_int64(st, 0), "action", store_col_text(st, 1), "label",
						     a ? a->label : !strcmp(store_col_text(st, 1), "file") ? "立案" : store_col_text(st, 1), "from", store_col_text(st, 2), "to",
						     store_col_text(st, 3), "actor", store_col_text(st, 4), "day",
						     store_col_text(st, 5), "at", (json_int_t)store_col_int64(st, 6), "data",
						     data ? data : json_object(), "audit_index",
						     store_col_is_null(st, 8) ? json_null() : json_integer(store_col_int64(st, 8))));
	}
	store_finalize(st);
	if (rc < 0) {
		json_decref(arr);
		return rc;
	}
	*out = arr;
	return ST_OK;
}

int enf_step_append(store_conn *c, int64_t case_id, const char *action, const char *from, const char *to,
		    const char *actor, const char *today, json_t *data, const char *region, const char *dept, int *seq)
{
	int rc = ST_ERR;
	int64_t n = 0, idx = 0;
	char sid[21];
	store_stmt *st = store_prepare(c, "SELECT COALESCE(MAX(seq), 0) FROM enf_steps WHERE case_id = ?");
	if (!st)
		goto fail;
	store_bind_int64(st, 1, case_id);
	if ((rc = store_step(st)) == ST_ROW)
		n = store_col_int64(st, 0) + 1;
	store_finalize(st);
	if (rc < 0)
		goto fail;
	yj_id_format(case_id, sid);
	json_t *state = json_pack("{s:s, s:I, s:s, s:s, s:s, s:O}", "case_id", sid, "seq", (json_int_t)n, "action", action,
				  "from", from, "to", to, "data", data);
	yj_audit_event ev = {actor, "enforcement.case.step", "enforcement_case", sid, region, state};
	rc = yj_audit_append(c, &ev, &idx);
	json_decref(state);
	if (rc < 0)
		goto fail;
	char *text = json_dumps(data, JSON_COMPACT | JSON_SORT_KEYS);
	rc = ST_ERR;
	if ((st = store_prepare(c, "INSERT INTO enf_steps (id, case_id, seq, action, from_state, to_state, actor, day, at,"
				   " data, audit_index, region_code, department) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"))) {
		store_bind_int64(st, 1, yj_id_new());
		store_bind_int64(st, 2, case_id);
		store_bind_int64(st, 3, n);
		store_bind_text(st, 4, action, -1);
		store_bind_text(st, 5, from, -1);
		store_bind_text(st, 6, to, -1);
		store_bind_text(st, 7, actor, -1);
		store_bind_text(st, 8, today, -1);
		store_bind_int64(st, 9, yj_now_ms());
		store_bind_text(st, 10, text, -1);
		store_bind_int64(st, 11, idx);
		store_bind_text(st, 12, region, -1);
		store_bind_text(st, 13, dept, -1);
		rc = store_step(st);
		store_finalize(st);
	}
	free(text);
	if (rc < 0)
		goto fail;
	if (seq)
		*seq = (int)n;
	json_decref(data);
	return ST_OK;
fail:
	json_decref(data);
	return rc < 0 ? rc : ST_ERR;
}

/* The first character (UTF-8) of s into out at *len. */
static void first_char(const char *s, char *out, size_t cap, size_t *len)
{
	size_t n = 1;
	unsigned char b = (unsigned char)s[0];
	if (!b)
		return;
	if (b >= 0xF0)
		n = 4;
	else if (b >= 0xE0)
		n = 3;
	else if (b >= 0xC0)
		n = 2;
	if (*len + n < cap) {
		memcpy(out + *len, s, n);
		*len += n;
		out[*len] = '\0';
	}
}

void enf_office_abbr(store_conn *c, const char *region, char out[32])
{
	yj_region r, p;
	size_t len = 0;
	out[0] = '\0';
	if (yj_region_get(c, region, &r) != ST_OK)
		return;
	/* a town's cases belong to its county's office */
	while (r.level > 3 && r.parent_code[0] && yj_region_get(c, r.parent_code, &p) == ST_OK)
		r = p;
	/* A county's office: city's first character + its own (温州市鹿城区 → 温鹿); a city's: its first. */
	if (r.level >= 3 && r.parent_code[0] && yj_region_get(c, r.parent_code, &p) == ST_OK)
		first_char(p.name, out, 32, &len);
	first_char(r.name, out, 32, &len);
}

int enf_benchmark_get(store_conn *c, const char *code, int64_t *version, char **tiers, int *double_penalty,
		      int64_t *legal_max, char name[256])
{
	store_stmt *st = store_prepare(c, "SELECT version, tiers, double_penalty, legal_max_fen, name FROM enf_benchmarks"
					  " WHERE code = ? AND active = 1 ORDER BY version DESC LIMIT 1");
	if (!st)
		return ST_ERR;
	store_bind_text(st, 1, code, -1);
	int rc = store_step(st);
	if (rc == ST_ROW) {
		*version = store_col_int64(st, 0);
		*tiers = yj_strdup(store_col_text(st, 1));
		*double_penalty = (int)store_col_int64(st, 2);
		*legal_max = store_col_int64(st, 3);
		snprintf(name, 256, "%s", store_col_text(st, 4));
	}
	store_finalize(st);
	return rc == ST_ROW ? ST_OK : rc == ST_DONE ? ST_NOTFOUND : rc;
}

int enf_clue_insert(store_conn *c, const enf_clue_new *n, int64_t *id)
{
	*id = yj_id_new();
	store_stmt *st = store_prepare(c, "INSERT INTO enf_clues (id, source, source_ref, subject_kind, subject_id, subject_name,"
					  " summary, received_on, state, region_code, department, actor, created_at)"
					  " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'received', ?, ?, ?, ?)");
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, *id);
	store_bind_text(st, 2, n->source, -1);
	store_bind_text(st, 3, n->source_ref, -1);
	store_bind_text(st, 4, n->subject_kind, -1);
	if (n->subject_id)
		store_bind_int64(st, 5, n->subject_id);
	else
		store_bind_null(st, 5);
	store_bind_text(st, 6, n->subject_name, -1);
	store_bind_text(st, 7, n->summary, -1);
	store_bind_text(st, 8, n->received_on, -1);
	store_bind_text(st, 9, n->region, -1);
	store_bind_text(st, 10, n->dept, -1);
	store_bind_text(st, 11, n->actor, -1);
	store_bind_int64(st, 12, yj_now_ms());
	int rc = store_step(st);
	store_finalize(st);
	if (rc < 0)
		return rc;
	char sid[21];
	yj_id_format(*id, sid);
	json_t *state = json_pack("{s:s, s:s?, s:s, s:s, s:s}", "source", n->source, "source_ref", n->source_ref,
				  "subject_kind", n->subject_kind, "received_on", n->received_on, "state", "received");
	yj_audit_event ev = {n->actor, "enforcement.clue.receive", "enforcement_clue", sid, n->region, state};
	rc = yj_audit_append(c, &ev, NULL);
	json_decref(state);
	return rc;
}

/* ---- the decision events (docs/events.md) ---- */

int enf_decision_event(store_conn *c, const char *actor, const char *type, int64_t case_id, const char *reason)
{
	yj_scope all;
	yj_scope_unrestricted(&all);
	json_t *row = NULL;
	int rc = enf_case_load(c, &all, case_id, &row, NULL);
	if (rc < 0)
		return rc;
	json_t *p = json_pack("{s:O, s:O, s:O, s:O, s:O, s:O, s:I, s:b, s:O, s:O, s:O}", "case_id", json_object_get(row, "id"),
			      "decision_no", json_object_get(row, "decision_no"), "subject_kind",
			      json_object_get(row, "subject_kind"), "subject_id", json_object_get(row, "subject_id"),
			      "violation_code", json_object_get(row, "violation_code"), "penalty_kinds",
			      json_object_get(row, "penalty_kinds"), "fine_fen",
			      (json_int_t)json_integer_value(json_object_get(row, "fine_fen")), "serious",
			      json_is_true(json_object_get(row, "serious")), "decided_on", json_object_get(row, "decided_on"),
			      "public_until", json_object_get(row, "public_until"), "department",
			      json_object_get(row, "department"));
	if (reason)
		json_object_set_new(p, "reason", json_string(reason));
	char sid[21];
	yj_id_format(case_id, sid);
	yj_event ev = {type, "enforcement_case", sid, json_string_value(json_object_get(row, "region_code")), actor, p};
	rc = yj_event_emit(c, &ev, NULL);
	/* 双罚: the responsible person is penalised by the same decision; the credit side sees both. */
	const json_t *resp = json_object_get(row, "responsible_id");
	if (rc >= 0 && json_is_string(resp)) {
		json_object_set_new(p, "subject_kind", json_string("practitioner"));
		json_object_set_new(p, "subject_id", json_string(json_string_value(resp)));
		rc = yj_event_emit(c, &ev, NULL);
	}
	json_decref(p);
	json_decref(row);
	return rc;
}

/* ---- clocks ---- */

int enf_period_end(store_conn *c, const char *from, int n, int working, char out[11])
{
	int64_t d;
	if (yj_day_parse(from, &d) < 0 || n < 0 || n > 1000)
		return ST_ERR;
	if (working)
		return yj_workdays_add(c, from, n, out);
	yj_day_format(d + n, out);
	/* 民事诉讼法 art. 85: a period whose last day is a rest day or holiday ends on the next working day. */
	for (int i = 0; i < 60; i++) {
		int is = 0, rc = yj_workday_is(c, out, &is);
		if (rc < 0)
			return rc;
		if (is)
			return ST_OK;
		yj_day_format(++d + n, out);
	}
	return ST_ERR;
}

#define TODO_CASE "enforcement.case"

int enf_todos_sync(store_conn *c, int64_t case_id)
{
	yj_scope all;
	yj_scope_unrestricted(&all);
	json_t *row = NULL;
	enf_case k;
	int rc = enf_case_load(c, &all, case_id, &row, &k);
	if (rc < 0)
		return rc;
	const char *state = k.state;
	if (!strcmp(state, "closed") || !strcmp(state, "revoked") || !strcmp(state, "transferred")) {
		json_decref(row);
		return yj_todo_close(c, TODO_CASE, "enforcement_case", case_id, YJ_TODO_DONE);
	}
	/* The due date the officers work to: the decision deadline before the decision, the payment
	 * deadline after it, else none. */
	const char *due = enf_state_before_decision(state) ? k.decision_due : k.pay_due[0] ? k.pay_due : NULL;
	char title[400], link[64], sid[21];
	yj_id_format(case_id, sid);
	snprintf(title, sizeof title, "行政处罚案件：%s（%s）", json_string_value(json_object_get(row, "subject_name")),
		 enf_state_label(state));
	snprintf(link, sizeof link, "/enforcement/cases/%s", sid);
	yj_todo t = {.kind = TODO_CASE, .kind_label = "处罚案件", .title = title, .object_type = "enforcement_case",
		     .object_id = case_id, .link = link, .due_date = due && *due ? due : NULL,
		     .region_code = json_string_value(json_object_get(row, "region_code")),
		     .department = json_string_value(json_object_get(row, "department")), .users = k.officers,
		     .nusers = (size_t)k.nofficers};
	rc = yj_todo_put(c, &t);
	json_decref(row);
	return rc;
}

struct clock_arg {
	int64_t id;
	const char *today;
	int touched;
};

/* A case whose deadline is near or past: the leaders' to-do (supervision of the office), keyed per case. */
static int clock_tx(store_conn *c, void *argp)
{
	struct clock_arg *a = argp;
	yj_scope all;
	yj_scope_unrestricted(&all);
	json_t *row = NULL;
	enf_case k;
	int rc = enf_case_load(c, &all, a->id, &row, &k);
	if (rc < 0)
		return rc == ST_NOTFOUND ? ST_OK : rc;
	char title[400], link[64], sid[21];
	int overdue = strcmp(a->today, k.decision_due) > 0;
	yj_id_format(a->id, sid);
	snprintf(title, sizeof title, "%s：%s，办案期限 %s", overdue ? "处罚案件已超期" : "处罚案件临近办案期限",
		 json_string_value(json_object_get(row, "subject_name")), k.decision_due);
	snprintf(link, sizeof link, "/enforcement/cases/%s", sid);
	yj_todo t = {.kind = "enforcement.deadline", .kind_label = "办案期限", .title = title,
		     .object_type = "enforcement_case", .object_id = a->id, .link = link, .due_date = k.decision_due,
		     .region_code = json_string_value(json_object_get(row, "region_code")),
		     .department = json_string_value(json_object_get(row, "department")), .role = "leader"};
	rc = yj_todo_put(c, &t);
	if (rc >= 0) {
		/* the officers' own to-do gets the same title, so their inbox says it too */
		t.kind = TODO_CASE;
		t.kind_label = "处罚案件";
		t.role = NULL;
		t.users = k.officers;
		t.nusers = (size_t)k.nofficers;
		rc = yj_todo_put(c, &t);
	}
	json_decref(row);
	a->touched += rc >= 0 ? 2 : 0;
	return rc;
}

int enf_clock_run(store *s, const char *today, int *touched)
{
	store_conn *c = store_conn_get(s);
	int64_t td, ids[500];
	size_t n = 0;
	*touched = 0;
	if (yj_day_parse(today, &td) < 0)
		return ST_ERR;
	int rc = store_begin(c, 0);
	if (rc < 0)
		return rc;
	char horizon[11];
	yj_day_format(td + enf_setting(c, "reminder_days", 10), horizon);
	store_stmt *st = store_prepare(c, "SELECT id FROM enf_cases WHERE state IN ('filed', 'investigating', 'investigated',"
					  " 'deliberated', 'legal_reviewed', 'discussed', 'notified', 'hearing_requested', 'heard')"
					  " AND decision_due <= ? ORDER BY decision_due, id LIMIT 500");
	if (!st) {
		store_rollback(c);
		return ST_ERR;
	}
	store_bind_text(st, 1, horizon, -1);
	while (n < 500 && (rc = store_step(st)) == ST_ROW)
		ids[n++] = store_col_int64(st, 0);
	store_finalize(st);
	store_rollback(c);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < n; i++) {
		struct clock_arg a = {ids[i], today, 0};
		if ((rc = store_tx(s, clock_tx, &a)) < 0)
			return rc;
		*touched += a.touched;
	}
	return ST_OK;
}

/* ---- the statements of the case, clue, benchmark and public routes (cases_api.c, clues_api.c,
 * benchmarks_api.c, public_api.c) ---- */

int enf_case_insert(store_conn *c, const enf_case_new *n)
{
	store_stmt *st = store_prepare(c, "INSERT INTO enf_cases (id, clue_id, state, subject_kind, subject_id, subject_name, subject_code,"
					  " officers, approved_by, filed_on, decision_due, serious, t_public_interest, t_complex, t_other_law,"
					  " suspect_crime, region_code, department, created_at, updated_at)"
					  " VALUES (?, ?, 'filed', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, n->id);
	store_bind_int64(st, 2, n->clue_id);
	store_bind_text(st, 3, n->subject_kind, -1);
	store_bind_int64(st, 4, n->subject_id);
	store_bind_text(st, 5, n->subject_name, -1);
	store_bind_text(st, 6, n->subject_code, -1);
	store_bind_text(st, 7, n->officers, -1);
	store_bind_text(st, 8, n->approved_by, -1);
	store_bind_text(st, 9, n->filed_on, -1);
	store_bind_text(st, 10, n->decision_due, -1);
	store_bind_int64(st, 11, n->serious);
	store_bind_int64(st, 12, n->t_public_interest);
	store_bind_int64(st, 13, n->t_complex);
	store_bind_int64(st, 14, n->t_other_law);
	store_bind_int64(st, 15, n->suspect_crime);
	store_bind_text(st, 16, n->region, -1);
	store_bind_text(st, 17, n->dept, -1);
	store_bind_int64(st, 18, n->now);
	store_bind_int64(st, 19, n->now);
	int rc = store_step(st);
	store_finalize(st);
	return rc < 0 ? rc : ST_OK;
}

store_stmt *enf_documents_query(store_conn *c, int64_t case_id, int64_t clue_id)
{
	store_stmt *st = store_prepare(c, "SELECT doc_id, kind, title, number, step_seq, created_at FROM enf_documents"
					  " WHERE case_id = ? OR (case_id IS NULL AND clue_id = ?) ORDER BY created_at, id");
	if (st) {
		store_bind_int64(st, 1, case_id);
		store_bind_int64(st, 2, clue_id);
	}
	return st;
}

int enf_document_of_case(store_conn *c, int64_t doc, int64_t case_id, int64_t clue_id, int *yes)
{
	*yes = 0;
	store_stmt *st = store_prepare(c, "SELECT COUNT(*) FROM enf_documents WHERE doc_id = ? AND (case_id = ? OR (case_id IS NULL"
					  " AND clue_id = ?))");
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, doc);
	store_bind_int64(st, 2, case_id);
	store_bind_int64(st, 3, clue_id);
	int rc = store_step(st);
	*yes = rc == ST_ROW && store_col_int64(st, 0) > 0;
	store_finalize(st);
	return rc < 0 ? rc : ST_OK;
}

int enf_clue_seen(store_conn *c, const char *source, const char *ref, int *seen)
{
	*seen = 0;
	store_stmt *st = store_prepare(c, "SELECT COUNT(*) FROM enf_clues WHERE source = ? AND source_ref = ?");
	if (!st)
		return ST_ERR;
	store_bind_text(st, 1, source, -1);
	store_bind_text(st, 2, ref, -1);
	int rc = store_step(st);
	*seen = rc == ST_ROW && store_col_int64(st, 0) > 0;
	store_finalize(st);
	return rc < 0 ? rc : ST_OK;
}

store_stmt *enf_benchmarks_query(store_conn *c)
{
	return store_prepare(c, "SELECT code, version, name, law, article, clause, kinds, legal_min_fen, legal_max_fen,"
				" double_penalty, tiers, review_state FROM enf_benchmarks WHERE active = 1 ORDER BY code, version");
}

int enf_benchmark_latest(store_conn *c, const char *code, enf_benchmark_row *b)
{
	b->tiers = NULL;
	store_stmt *st = store_prepare(c, "SELECT version, kinds, legal_max_fen, tiers, review_state FROM enf_benchmarks"
					  " WHERE code = ? AND active = 1 ORDER BY version DESC LIMIT 1");
	if (!st)
		return ST_ERR;
	store_bind_text(st, 1, code, -1);
	int rc = store_step(st);
	if (rc != ST_ROW) {
		store_finalize(st);
		return rc < 0 ? rc : ST_NOTFOUND;
	}
	b->version = store_col_int64(st, 0);
	b->legal_max = store_col_int64(st, 2);
	snprintf(b->kinds, sizeof b->kinds, "%s", store_col_text(st, 1));
	b->tiers = yj_strdup(store_col_text(st, 3));
	snprintf(b->review_state, sizeof b->review_state, "%s", store_col_text(st, 4));
	store_finalize(st);
	return ST_OK;
}

int enf_benchmark_next(store_conn *c, const char *code, int64_t version, const char *tiers, const char *review_state)
{
	char sql[600];
	snprintf(sql, sizeof sql, "INSERT INTO enf_benchmarks (code, version, name, law, article, clause, kinds, legal_min_fen,"
				  " legal_max_fen, double_penalty, tiers, review_state, active, updated_at) SELECT code, version + 1, name, law,"
				  " article, clause, kinds, legal_min_fen, legal_max_fen, double_penalty, ?, ?, 1, %lld FROM enf_benchmarks"
				  " WHERE code = ? AND version = ?", (long long)yj_now_ms());
	const char *p[] = {tiers, review_state, code, NULL};
	int rc = enf_exec_text(c, sql, p, version);
	if (rc < 0)
		return rc;
	const char *q[] = {code, NULL};
	return enf_exec_text(c, "UPDATE enf_benchmarks SET active = 0 WHERE code = ? AND version = ?", q, version);
}

store_stmt *enf_penalties_query(store_conn *c, const char *today, const char *region_like, int64_t before, int64_t limit)
{
	store_stmt *st = store_prepare(c, "SELECT k.id, k.subject_kind, k.subject_name, k.subject_code, k.decision_no, b.name, k.facts,"
					  " b.law, b.article, k.penalty_kinds, k.fine_fen, k.confiscation_fen, k.decided_on,"
					  " k.public_until, k.region_code, k.published_on FROM enf_cases k LEFT JOIN enf_benchmarks b"
					  " ON b.code = k.violation_code AND b.version = k.benchmark_version"
					  " WHERE k.published_on IS NOT NULL AND k.withdrawn_on IS NULL AND k.public_until >= ?"
					  " AND k.region_code LIKE ? AND k.id < ? ORDER BY k.id DESC LIMIT ?");
	if (st) {
		store_bind_text(st, 1, today, -1);
		store_bind_text(st, 2, region_like, -1);
		store_bind_int64(st, 3, before);
		store_bind_int64(st, 4, limit);
	}
	return st;
}
