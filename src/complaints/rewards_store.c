/* rewards_store.c — the SQL of rewards for reports (举报奖励): a reward as JSON, the rules and their grades,
 * the insert and the updates of each step, the list's query and the expiry sweep's statement
 * (docs/complaints.md, "Rewards"). */
#define _POSIX_C_SOURCE 200809L
#include "rewards_int.h"

#include <stdio.h>
#include <string.h>

static const yj_table rw_t = {"complaint_rewards", "region_code", "department", NULL};
#define R_COLS                                                                                                     \
	"id, complaint_id, region_code, department, rule_code, grade, case_value_fen, insider, amount_fen, state, note," \
	" proposed_on, proposed_by, decided_on, decided_by, decision_note, claim_until, paid_on, paid_by, payment_ref,"  \
	" created_at"

static const char *const state_labels[][2] = {
	{"proposed", "待审批"}, {"approved", "已批准，待领取"}, {"refused", "不予奖励"}, {"paid", "已发放"}, {"forfeited", "逾期未领取"},
};

json_t *rwd_row_json(store_stmt *st, void *arg)
{
	(void)arg;
	const char *state = store_col_text(st, 9), *label = state;
	for (size_t i = 0; i < sizeof state_labels / sizeof state_labels[0]; i++)
		if (!strcmp(state, state_labels[i][0]))
			label = state_labels[i][1];
	json_t *o = json_pack("{s:o, s:o, s:s, s:s, s:s, s:i, s:I, s:b, s:I, s:s, s:s, s:s}", "id",
			      yj_json_id(store_col_int64(st, 0)), "complaint_id", yj_json_id(store_col_int64(st, 1)),
			      "region_code", store_col_text(st, 2), "department", store_col_text(st, 3), "rule",
			      store_col_text(st, 4), "grade", (int)store_col_int64(st, 5), "case_value_fen",
			      (json_int_t)store_col_int64(st, 6), "insider", (int)store_col_int64(st, 7), "amount_fen",
			      (json_int_t)store_col_int64(st, 8), "state", state, "state_label", label, "note",
			      store_col_text(st, 10));
	json_object_set_new(o, "proposed_on", json_string(store_col_text(st, 11)));
	json_object_set_new(o, "proposed_by", json_string(store_col_text(st, 12)));
	json_object_set_new(o, "decided_on", cmp_text_or_null(st, 13));
	json_object_set_new(o, "decided_by", cmp_text_or_null(st, 14));
	json_object_set_new(o, "decision_note", json_string(store_col_text(st, 15)));
	json_object_set_new(o, "claim_until", cmp_text_or_null(st, 16));
	json_object_set_new(o, "paid_on", cmp_text_or_null(st, 17));
	json_object_set_new(o, "paid_by", cmp_text_or_null(st, 18));
	json_object_set_new(o, "payment_ref", json_string(store_col_text(st, 19)));
	json_object_set_new(o, "created_at", json_integer(store_col_int64(st, 20)));
	return o;
}

int rwd_load(store_conn *c, const yj_scope *sc, int64_t id, json_t **out)
{
	store_stmt *st;
	int rc = yj_q_one_by_id(c, &rw_t, R_COLS, sc, id, &st);
	if (rc != ST_OK)
		return rc;
	*out = rwd_row_json(st, NULL);
	store_finalize(st);
	return ST_OK;
}

int rwd_load_all(store_conn *c, int64_t id, json_t **out)
{
	yj_scope all;
	yj_scope_unrestricted(&all);
	json_decref(*out);
	*out = NULL;
	return rwd_load(c, &all, id, out);
}

/* The rule code: ST_OK, ST_NOTFOUND or a failure; name (may be NULL) receives its name. */
int rwd_rule_get(store_conn *c, const char *code, yj_cmp_reward_rule *r, char name[128])
{
	store_stmt *st = store_prepare(c, "SELECT min_fen, max_fen, insider_bonus_permille, no_loss_min_fen, no_loss_max_fen,"
					  " claim_months, name FROM reward_rules WHERE code = ?");
	if (!st)
		return ST_ERR;
	store_bind_text(st, 1, code, -1);
	int rc = store_step(st);
	if (rc == ST_ROW) {
		*r = (yj_cmp_reward_rule){store_col_int64(st, 0), store_col_int64(st, 1), (int)store_col_int64(st, 2),
					  store_col_int64(st, 3), store_col_int64(st, 4), (int)store_col_int64(st, 5)};
		if (name)
			snprintf(name, 128, "%s", store_col_text(st, 6));
		rc = ST_OK;
	} else if (rc >= 0) {
		rc = ST_NOTFOUND;
	}
	store_finalize(st);
	return rc;
}

int rwd_grade_get(store_conn *c, const char *code, int grade, yj_cmp_reward_grade *g)
{
	store_stmt *st = store_prepare(c, "SELECT permille, floor_fen FROM reward_rule_grades WHERE rule_code = ? AND grade = ?");
	if (!st)
		return ST_ERR;
	store_bind_text(st, 1, code, -1);
	store_bind_int64(st, 2, grade);
	int rc = store_step(st);
	if (rc == ST_ROW) {
		*g = (yj_cmp_reward_grade){grade, (int)store_col_int64(st, 0), store_col_int64(st, 1)};
		rc = ST_OK;
	} else if (rc >= 0) {
		rc = ST_NOTFOUND;
	}
	store_finalize(st);
	return rc;
}

int rwd_rules_json(store_conn *c, json_t **out)
{
	json_t *items = json_array(), *byc = json_object();
	store_stmt *st = store_prepare(c, "SELECT code, name, basis, min_fen, max_fen, insider_bonus_permille, no_loss_min_fen,"
					  " no_loss_max_fen, claim_months FROM reward_rules ORDER BY code");
	int rc = st ? ST_OK : ST_ERR;
	while (st && (rc = store_step(st)) == ST_ROW) {
		json_t *o = json_pack("{s:s, s:s, s:s, s:I, s:I, s:i, s:I, s:I, s:i, s:[]}", "code", store_col_text(st, 0), "name",
				      store_col_text(st, 1), "basis", store_col_text(st, 2), "min_fen",
				      (json_int_t)store_col_int64(st, 3), "max_fen", (json_int_t)store_col_int64(st, 4),
				      "insider_bonus_permille", (int)store_col_int64(st, 5), "no_loss_min_fen",
				      (json_int_t)store_col_int64(st, 6), "no_loss_max_fen", (json_int_t)store_col_int64(st, 7),
				      "claim_months", (int)store_col_int64(st, 8), "grades");
		json_array_append_new(items, o);
		json_object_set(byc, store_col_text(st, 0), o);
	}
	store_finalize(st);
	st = rc < 0 ? NULL
		    : store_prepare(c, "SELECT rule_code, grade, label, permille, floor_fen FROM reward_rule_grades ORDER BY rule_code, grade");
	if (rc >= 0 && !st)
		rc = ST_ERR;
	while (st && (rc = store_step(st)) == ST_ROW) {
		json_t *o = json_object_get(byc, store_col_text(st, 0));
		if (o)
			json_array_append_new(json_object_get(o, "grades"),
					      json_pack("{s:i, s:s, s:i, s:I}", "grade", (int)store_col_int64(st, 1), "label",
							store_col_text(st, 2), "permille", (int)store_col_int64(st, 3), "floor_fen",
							(json_int_t)store_col_int64(st, 4)));
	}
	store_finalize(st);
	json_decref(byc);
	if (rc < 0) {
		json_decref(items);
		items = NULL;
	}
	*out = items;
	return rc < 0 ? rc : ST_OK;
}

/* Sets the reward's state and the columns of set (text or NULL values) by a fixed statement per step. */
static int update(store_conn *c, int64_t id, const char *sql, const char *const *vals, size_t n)
{
	store_stmt *st = store_prepare(c, sql);
	if (!st)
		return ST_ERR;
	for (size_t i = 0; i < n; i++)
		vals[i] ? store_bind_text(st, (int)i + 1, vals[i], -1) : store_bind_null(st, (int)i + 1);
	store_bind_int64(st, (int)n + 1, yj_now_ms());
	store_bind_int64(st, (int)n + 2, id);
	int rc = store_step(st);
	store_finalize(st);
	return rc < 0 ? rc : ST_OK;
}

int rwd_count_of(store_conn *c, int64_t cid, int64_t *n)
{
	store_stmt *st = store_prepare(c, "SELECT COUNT(*) FROM complaint_rewards WHERE complaint_id = ?");
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, cid);
	int rc = store_step(st);
	*n = rc == ST_ROW ? store_col_int64(st, 0) : 0;
	store_finalize(st);
	return rc < 0 ? rc : ST_OK;
}

int rwd_insert(store_conn *c, const rwd_new *w, int64_t now)
{
	store_stmt *st = store_prepare(c, "INSERT INTO complaint_rewards (id, complaint_id, region_code, department, rule_code, grade,"
					  " case_value_fen, insider, amount_fen, state, note, proposed_on, proposed_by, decision_note,"
					  " payment_ref, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'proposed', ?, ?, ?, '',"
					  " '', ?, ?)");
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, w->id);
	store_bind_int64(st, 2, w->complaint_id);
	store_bind_text(st, 3, w->region_code, -1);
	store_bind_text(st, 4, w->department, -1);
	store_bind_text(st, 5, w->rule_code, -1);
	store_bind_int64(st, 6, w->grade);
	store_bind_int64(st, 7, w->case_value_fen);
	store_bind_int64(st, 8, w->insider);
	store_bind_int64(st, 9, w->amount_fen);
	store_bind_text(st, 10, w->note, -1);
	store_bind_text(st, 11, w->proposed_on, -1);
	store_bind_text(st, 12, w->proposed_by, -1);
	store_bind_int64(st, 13, now);
	store_bind_int64(st, 14, now);
	int rc = store_step(st);
	store_finalize(st);
	return rc < 0 ? rc : ST_OK;
}

int rwd_set_decided(store_conn *c, int64_t id, const char *state, const char *today, const char *actor, const char *note,
		    const char *claim_until)
{
	const char *vals[] = {state, today, actor, note, claim_until};
	return update(c, id, "UPDATE complaint_rewards SET state = ?, decided_on = ?, decided_by = ?, decision_note = ?,"
			     " claim_until = ?, updated_at = ? WHERE id = ?", vals, 5);
}

int rwd_set_paid(store_conn *c, int64_t id, const char *today, const char *actor, const char *payment_ref)
{
	const char *vals[] = {today, actor, payment_ref};
	return update(c, id, "UPDATE complaint_rewards SET state = 'paid', paid_on = ?, paid_by = ?, payment_ref = ?,"
			     " updated_at = ? WHERE id = ?", vals, 3);
}

int rwd_set_forfeited(store_conn *c, int64_t id)
{
	const char *vals[] = {NULL};
	return update(c, id, "UPDATE complaint_rewards SET state = 'forfeited', updated_at = ? WHERE id = ?", vals, 0);
}

yj_qb *rwd_query(const yj_scope *sc, const char *state, int64_t cid)
{
	yj_qb *q = yj_q_select(&rw_t, R_COLS, sc);
	if (state && *state) {
		yj_q_where(q, "state = ?");
		yj_q_text(q, state);
	}
	if (cid) {
		yj_q_where(q, "complaint_id = ?");
		yj_q_int(q, cid);
	}
	return q;
}

int rwd_sweep_expired(store *s, const char *today, store_tx_fn one, int *count)
{
	return cmp_sweep(s,
			 "SELECT id FROM complaint_rewards WHERE state = 'approved' AND claim_until < ? AND id > ? ORDER BY id LIMIT 200",
			 today, one, count);
}
