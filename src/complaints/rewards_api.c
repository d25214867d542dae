/* rewards_api.c — rewards for reports (举报奖励): the unit holding a substantiated matter proposes a
 * reward by a rule, its leader approves it (the reporter is told on the tracking page and has the rule's
 * claim period), the reward officer alone sees the reporter's identity (audited) and records the payment;
 * an unclaimed reward is forfeited by the hourly job. Routes, their SQL and the expiry in one file, not yet
 * split as opinion.c and transfers.c are (docs/complaints.md, "Rewards"); the amounts are rewards.c's pure rules. */
#define _POSIX_C_SOURCE 200809L
#include "cmp_int.h"
#include "../platform/pii/pii.h"
#include "../base/date.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HANDLERS (ROLE_ADMIN | ROLE_INSPECTOR | ROLE_LEADER | ROLE_LIAISON)
#define READERS (HANDLERS | ROLE_REWARD_OFFICER)

static const yj_table rw_t = {"complaint_rewards", "region_code", "department", NULL};
#define R_COLS                                                                                                     \
	"id, complaint_id, region_code, department, rule_code, grade, case_value_fen, insider, amount_fen, state, note," \
	" proposed_on, proposed_by, decided_on, decided_by, decision_note, claim_until, paid_on, paid_by, payment_ref,"  \
	" created_at"

static const char *const state_labels[][2] = {
	{"proposed", "待审批"}, {"approved", "已批准，待领取"}, {"refused", "不予奖励"}, {"paid", "已发放"}, {"forfeited", "逾期未领取"},
};

static json_t *row_json(store_stmt *st, void *arg)
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

static int load(store_conn *c, const yj_scope *sc, int64_t id, json_t **out)
{
	store_stmt *st;
	int rc = yj_q_one_by_id(c, &rw_t, R_COLS, sc, id, &st);
	if (rc != ST_OK)
		return rc;
	*out = row_json(st, NULL);
	store_finalize(st);
	return ST_OK;
}

static int load_all(store_conn *c, int64_t id, json_t **out)
{
	yj_scope all;
	yj_scope_unrestricted(&all);
	json_decref(*out);
	*out = NULL;
	return load(c, &all, id, out);
}

static int64_t id_of(const json_t *o, const char *k)
{
	int64_t id = 0;
	yj_id_parse(cmp_s(o, k), &id);
	return id;
}

/* ---- the rules ---- */

/* The rule code: ST_OK, ST_NOTFOUND or a failure; name (may be NULL) receives its name. */
static int rule_get(store_conn *c, const char *code, yj_cmp_reward_rule *r, char name[128])
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

static int grade_get(store_conn *c, const char *code, int grade, yj_cmp_reward_grade *g)
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

static int rules(yj_req *r)
{
	store_conn *c = store_conn_get(yj_store(r));
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
		return yj_reply_store_error(r, rc);
	}
	return yj_reply_json(r, 200, json_pack("{s:o}", "items", items));
}

/* ---- effects shared by the steps ---- */

static int audit(store_conn *c, const char *actor, const char *action, const json_t *w, const json_t *state)
{
	yj_audit_event ev = {actor, action, "complaint_reward", cmp_s(w, "id"), cmp_s(w, "region_code"), state};
	return yj_audit_append(c, &ev, NULL);
}

static int todo(store_conn *c, const json_t *w, const char *kind, const char *label, const char *what, const char *role,
		const char *due)
{
	char *title = yj_asprintf("%s：%.2f 元", what, (double)json_integer_value(json_object_get(w, "amount_fen")) / 100), link[64];
	snprintf(link, sizeof link, "/rewards/%s", cmp_s(w, "id"));
	yj_todo td = {.kind = kind, .kind_label = label, .title = title, .object_type = "complaint_reward",
		      .object_id = id_of(w, "id"), .link = link, .due_date = due, .region_code = cmp_s(w, "region_code"),
		      .department = cmp_s(w, "department"), .role = role};
	int rc = yj_todo_put(c, &td);
	free(title);
	return rc;
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

/* The reward id within the caller's territory and remit, held by the caller's own department. */
static int mine(store_conn *c, cmp_op *a)
{
	const yj_principal *who = a->who;
	int rc = load(c, &who->scope, a->id, &a->out);
	if (rc == ST_NOTFOUND)
		return yj_refuse(&a->ref, 404, "not-found", "奖励不存在", "没有这项举报奖励，或它不在您的辖区和职责范围内。");
	if (rc < 0)
		return rc;
	if (strcmp(who->department, cmp_s(a->out, "department")))
		return yj_refuse(&a->ref, 403, "not-your-matter", "不是本部门的奖励",
				 "举报奖励由办理该举报的部门审批和发放，请联系该部门。");
	return ST_OK;
}

static int propose_tx(store_conn *c, void *argp)
{
	cmp_op *a = argp;
	const yj_principal *who = a->who;
	const json_t *b = a->body;
	const char *rule_code = cmp_s(b, "rule"), *note = cmp_s(b, "note");
	int64_t cid = 0, value = json_integer_value(json_object_get(b, "case_value_fen"));
	int grade_no = (int)json_integer_value(json_object_get(b, "grade")), insider = json_is_true(json_object_get(b, "insider"));
	json_t *m = NULL;
	int rc;
	if (yj_id_parse(cmp_s(b, "complaint_id"), &cid) < 0 || (rc = cmp_load(c, &who->scope, cid, &m)) == ST_NOTFOUND) {
		yj_refusal_field(&a->ref, "complaint_id", "没有这件举报，或它不在您的辖区和职责范围内");
		return yj_refuse_invalid(&a->ref, NULL);
	}
	if (rc < 0)
		return rc;
	const char *dept = cmp_s(m, "department"), *why;
	if (strcmp(who->department, dept)) {
		json_decref(m);
		return yj_refuse(&a->ref, 403, "not-your-matter", "不是本部门的件", "只有办理该举报的部门才能申请举报奖励。");
	}
	why = yj_cmp_reward_refusal(cmp_s(m, "state"), json_is_true(json_object_get(m, "substantiated")),
				    json_is_true(json_object_get(m, "anonymous")), json_is_true(json_object_get(b, "named_target")),
				    json_is_true(json_object_get(b, "specific_clues")), json_is_true(json_object_get(b, "evidence")));
	char region[16];
	snprintf(region, sizeof region, "%s", cmp_s(m, "region_code"));
	json_decref(m);
	if (why)
		return yj_refuse(&a->ref, 409, "not-eligible", "不符合奖励条件", "%s", why);
	store_stmt *st = store_prepare(c, "SELECT COUNT(*) FROM complaint_rewards WHERE complaint_id = ?");
	int64_t n = 0;
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, cid);
	if ((rc = store_step(st)) == ST_ROW)
		n = store_col_int64(st, 0);
	store_finalize(st);
	if (rc < 0)
		return rc;
	if (n)
		return yj_refuse(&a->ref, 409, "already-done", "已申请奖励", "这件举报已有奖励申请，一件举报只奖励一次。");
	yj_cmp_reward_rule rule;
	yj_cmp_reward_grade grade;
	int have_grade = 0;
	if ((rc = rule_get(c, rule_code, &rule, NULL)) == ST_NOTFOUND)
		yj_refusal_field(&a->ref, "rule", "没有这项奖励办法，请从奖励办法列表中选择");
	else if (rc < 0)
		return rc;
	else if (value > 0 && (rc = grade_get(c, rule_code, grade_no, &grade)) == ST_NOTFOUND)
		yj_refusal_field(&a->ref, "grade", "请选择奖励办法中的举报等级");
	else if (rc < 0)
		return rc;
	else
		have_grade = value > 0;
	if (value < 0)
		yj_refusal_field(&a->ref, "case_value_fen", "案值（查实的基金损失，单位：分）不能为负数；无损失时填 0");
	if (yj_refusal_has_fields(&a->ref))
		return yj_refuse_invalid(&a->ref, NULL);
	int64_t amount = yj_cmp_reward_amount(&rule, have_grade ? &grade : NULL, value, insider,
					      json_integer_value(json_object_get(b, "no_loss_amount_fen")));
	if (amount < 0) {
		char *d = yj_asprintf("未造成基金损失时，奖励金额应在 %lld 至 %lld 元之间（单位：分）", (long long)(rule.no_loss_min_fen / 100),
				      (long long)(rule.no_loss_max_fen / 100));
		yj_refusal_field(&a->ref, "no_loss_amount_fen", d);
		free(d);
		return yj_refuse_invalid(&a->ref, NULL);
	}
	char today[11], actor[21];
	int64_t id = yj_id_new(), now = yj_now_ms();
	yj_day_today(today);
	yj_id_format(who->user_id, actor);
	if (!(st = store_prepare(c, "INSERT INTO complaint_rewards (id, complaint_id, region_code, department, rule_code, grade,"
				    " case_value_fen, insider, amount_fen, state, note, proposed_on, proposed_by, decision_note,"
				    " payment_ref, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'proposed', ?, ?, ?, '',"
				    " '', ?, ?)")))
		return ST_ERR;
	store_bind_int64(st, 1, id);
	store_bind_int64(st, 2, cid);
	store_bind_text(st, 3, region, -1);
	store_bind_text(st, 4, dept = who->department, -1);
	store_bind_text(st, 5, rule_code, -1);
	store_bind_int64(st, 6, value > 0 ? grade_no : 0);
	store_bind_int64(st, 7, value);
	store_bind_int64(st, 8, insider);
	store_bind_int64(st, 9, amount);
	store_bind_text(st, 10, note, -1);
	store_bind_text(st, 11, today, -1);
	store_bind_text(st, 12, actor, -1);
	store_bind_int64(st, 13, now);
	store_bind_int64(st, 14, now);
	rc = store_step(st);
	store_finalize(st);
	if (rc < 0 || (rc = load_all(c, id, &a->out)) < 0)
		return rc;
	json_t *state = json_pack("{s:s, s:s, s:i, s:I, s:I}", "complaint_id", cmp_s(a->out, "complaint_id"), "rule", rule_code,
				  "grade", value > 0 ? grade_no : 0, "case_value_fen", (json_int_t)value, "amount_fen",
				  (json_int_t)amount);
	if ((rc = audit(c, actor, "complaint.reward.propose", a->out, state)) >= 0)
		rc = todo(c, a->out, "complaints.reward_approve", "举报奖励待审批", "举报奖励待审批", "leader", NULL);
	json_decref(state);
	return rc;
}

static int decide_tx(store_conn *c, void *argp)
{
	cmp_op *a = argp;
	const json_t *b = a->body;
	int rc = mine(c, a);
	if (rc < 0)
		return rc;
	if (strcmp(cmp_s(a->out, "state"), "proposed"))
		return yj_refuse(&a->ref, 409, "state", "奖励已审批", "这项奖励已审批（%s），不能重复审批。", cmp_s(a->out, "state_label"));
	int approved = json_is_true(json_object_get(b, "approved"));
	const char *note = cmp_s(b, "note");
	if (!approved && yj_utf8_len(note, strlen(note)) < 2) {
		yj_refusal_field(&a->ref, "note", "不予奖励时请写明理由");
		return yj_refuse_invalid(&a->ref, NULL);
	}
	yj_cmp_reward_rule rule;
	if ((rc = rule_get(c, cmp_s(a->out, "rule"), &rule, NULL)) < 0)
		return rc;
	char today[11], until[11], actor[21];
	int64_t d;
	yj_day_today(today);
	yj_day_parse(today, &d);
	yj_day_format(yj_cmp_add_months(d, rule.claim_months), until);
	yj_id_format(a->who->user_id, actor);
	const char *vals[] = {approved ? "approved" : "refused", today, actor, note, approved ? until : NULL};
	if ((rc = update(c, a->id, "UPDATE complaint_rewards SET state = ?, decided_on = ?, decided_by = ?, decision_note = ?,"
				  " claim_until = ?, updated_at = ? WHERE id = ?", vals, 5)) < 0 ||
	    (rc = load_all(c, a->id, &a->out)) < 0)
		return rc;
	json_t *state = json_pack("{s:s, s:o}", "state", vals[0], "claim_until", approved ? json_string(until) : json_null());
	rc = audit(c, actor, approved ? "complaint.reward.approve" : "complaint.reward.refuse", a->out, state);
	json_decref(state);
	if (rc >= 0)
		rc = yj_todo_close(c, "complaints.reward_approve", "complaint_reward", a->id, YJ_TODO_DONE);
	if (rc >= 0 && approved) {
		/* the notice the reporter reads on the tracking page: how much, until when, how */
		char *pn = yj_asprintf("您的举报经查属实，符合奖励条件，奖励 %lld 元。请于 %s 前携本人身份证件和查询码到办理部门领取，"
				       "逾期视为放弃。",
				       (long long)(json_integer_value(json_object_get(a->out, "amount_fen")) / 100), until);
		rc = cmp_step_add(c, id_of(a->out, "complaint_id"), "reward_notice", pn, actor, yj_now_ms());
		free(pn);
		if (rc >= 0)
			rc = todo(c, a->out, "complaints.reward_pay", "举报奖励待发放", "举报奖励待发放", "reward_officer", until);
	}
	return rc;
}

static int pay_tx(store_conn *c, void *argp)
{
	cmp_op *a = argp;
	const char *ref = cmp_s(a->body, "payment_ref");
	int rc = mine(c, a);
	if (rc < 0)
		return rc;
	char today[11], actor[21];
	yj_day_today(today);
	if (!strcmp(cmp_s(a->out, "state"), "approved") && strcmp(today, cmp_s(a->out, "claim_until")) > 0)
		return yj_refuse(&a->ref, 409, "claim-expired", "已过领取期限",
				 "领取期限已于 %s 届满，视为放弃奖励，不能再发放。", cmp_s(a->out, "claim_until"));
	if (strcmp(cmp_s(a->out, "state"), "approved"))
		return yj_refuse(&a->ref, 409, "state", "不能发放", "这项奖励%s，只有已批准待领取的奖励才能发放。", cmp_s(a->out, "state_label"));
	for (const char *k = ref; *k; k++)
		if ((unsigned char)*k < 0x20)
			yj_refusal_field(&a->ref, "payment_ref", "凭证号不能含有控制字符");
	if (!*ref)
		yj_refusal_field(&a->ref, "payment_ref", "请填写支付凭证号");
	if (yj_refusal_has_fields(&a->ref))
		return yj_refuse_invalid(&a->ref, NULL);
	yj_id_format(a->who->user_id, actor);
	const char *vals[] = {today, actor, ref};
	if ((rc = update(c, a->id, "UPDATE complaint_rewards SET state = 'paid', paid_on = ?, paid_by = ?, payment_ref = ?,"
				  " updated_at = ? WHERE id = ?", vals, 3)) < 0 ||
	    (rc = load_all(c, a->id, &a->out)) < 0)
		return rc;
	json_t *state = json_pack("{s:s, s:s}", "paid_on", today, "payment_ref", ref);
	if ((rc = audit(c, actor, "complaint.reward.pay", a->out, state)) >= 0 &&
	    (rc = yj_todo_close(c, "complaints.reward_pay", "complaint_reward", a->id, YJ_TODO_DONE)) >= 0)
		rc = cmp_step_add(c, id_of(a->out, "complaint_id"), "reward_paid", "举报奖励已发放。", actor, yj_now_ms());
	json_decref(state);
	return rc;
}

/* The reporter's name and phone for paying the reward: only the reward officer of the department, once
 * the reward is approved; every view is an audit leaf naming the field, never the value. */
static int reporter_tx(store_conn *c, void *argp)
{
	cmp_op *a = argp;
	int rc = mine(c, a);
	if (rc < 0)
		return rc;
	const char *state = cmp_s(a->out, "state");
	if (strcmp(state, "approved") && strcmp(state, "paid"))
		return yj_refuse(&a->ref, 409, "state", "奖励未批准", "这项奖励%s；批准后才能查看举报人身份以便发放。", cmp_s(a->out, "state_label"));
	char *sealed = NULL, actor[21];
	if ((rc = cmp_reporter_sealed(c, id_of(a->out, "complaint_id"), &sealed)) < 0)
		return rc;
	yj_pii_free(a->clear);
	a->clear = sealed ? yj_pii_decrypt(sealed) : NULL;
	free(sealed);
	if (!a->clear)
		return ST_ERR;
	yj_id_format(a->who->user_id, actor);
	json_t *st = json_pack("{s:s}", "field", "reporter");
	rc = audit(c, actor, "complaint.reward.reporter.disclose", a->out, st);
	json_decref(st);
	return rc;
}

const cmp_op_def cmp_reward_ops[] = {
	{"reward.propose", propose_tx},
	{"reward.decide", decide_tx},
	{"reward.pay", pay_tx},
	{NULL, NULL},
};

static int propose(yj_req *r) { return cmp_op_run(r, propose_tx, 201, NULL, NULL); }
static int decide(yj_req *r) { return cmp_op_run(r, decide_tx, 200, "id", NULL); }
static int pay(yj_req *r) { return cmp_op_run(r, pay_tx, 200, "id", NULL); }

static int reporter(yj_req *r)
{
	cmp_op a = {.who = yj_who(r)};
	if (yj_path_id_or_reply(r, "id", &a.id) < 0 || yj_pii_gate(r, ROLE_REWARD_OFFICER, "举报人身份和联系方式") < 0)
		return YJ_OK;
	int rc = yj_tx_or_reply(r, reporter_tx, &a, &a.ref);
	json_decref(a.out);
	if (rc < 0) {
		yj_pii_free(a.clear);
		return YJ_OK;
	}
	json_t *who = json_loads(a.clear, 0, NULL);
	yj_pii_free(a.clear);
	if (!who)
		return yj_reply_store_error(r, ST_ERR);
	return yj_reply_json(r, 200, json_pack("{s:s, s:o}", "id", yj_param(r, "id"), "reporter", who));
}

static int get(yj_req *r)
{
	int64_t id;
	json_t *w = NULL;
	if (yj_path_id_or_reply(r, "id", &id) < 0)
		return YJ_OK;
	int rc = load(store_conn_get(yj_store(r)), &yj_who(r)->scope, id, &w);
	return rc == ST_NOTFOUND ? yj_reply_not_found(r) : rc < 0 ? yj_reply_store_error(r, rc) : yj_reply_json(r, 200, w);
}

/* The list's query with the request's filters (the list and its export); NULL after replying 400. */
static yj_qb *filtered(yj_req *r)
{
	int64_t cid;
	const char *v;
	yj_qb *q = yj_q_select(&rw_t, R_COLS, &yj_who(r)->scope);
	if ((v = yj_query(r, "state")) && *v) {
		yj_q_where(q, "state = ?");
		yj_q_text(q, v);
	}
	if ((v = yj_query(r, "complaint_id")) && *v) {
		if (yj_id_parse(v, &cid) < 0) {
			yj_q_free(q);
			yj_reply_problem(r, 400, "validation", "参数错误", "complaint_id 应为投诉举报的编号。");
			return NULL;
		}
		yj_q_where(q, "complaint_id = ?");
		yj_q_int(q, cid);
	}
	return q;
}

static int list(yj_req *r)
{
	int limit;
	int64_t after;
	if (yj_page_id_or_reply(r, &limit, &after) < 0)
		return YJ_OK;
	yj_qb *q = filtered(r);
	return q ? yj_reply_id_page(r, q, "id", limit, after, row_json, NULL) : YJ_OK;
}

static const yj_column export_cols[] = {
	{"complaint_id", "投诉举报编号"}, {"region_code", "行政区划代码"}, {"department", "部门"}, {"rule", "奖励规则"},
	{"grade", "奖励等级"}, {"case_value_fen", "案值（分）"}, {"amount_fen", "奖励金额（分）"}, {"state_label", "状态"},
	{"proposed_on", "拟定日期"}, {"decided_on", "决定日期"}, {"claim_until", "领取期限"}, {"paid_on", "发放日期"},
	{NULL, NULL},
};

static int export(yj_req *r)
{
	yj_qb *q = filtered(r);
	return q ? yj_reply_id_export(r, q, "id", "rewards", export_cols, row_json, NULL) : YJ_OK;
}

/* ---- the expiry (called by the hourly job, overdue.c) ---- */


static int expire_tx(store_conn *c, void *argp)
{
	cmp_sweep_arg *a = argp;
	json_t *w = NULL;
	a->done = 0;
	int rc = load_all(c, a->id, &w);
	if (rc < 0)
		return rc == ST_NOTFOUND ? ST_OK : rc;
	if (strcmp(cmp_s(w, "state"), "approved") || strcmp(a->today, cmp_s(w, "claim_until")) <= 0) {
		json_decref(w);
		return ST_OK; /* paid meanwhile */
	}
	const char *vals[] = {NULL};
	rc = update(c, a->id, "UPDATE complaint_rewards SET state = 'forfeited', updated_at = ? WHERE id = ?", vals, 0);
	json_t *state = json_pack("{s:s, s:s}", "claim_until", cmp_s(w, "claim_until"), "today", a->today);
	if (rc >= 0 && (rc = audit(c, "system", "complaint.reward.forfeit", w, state)) >= 0 &&
	    (rc = yj_todo_close(c, "complaints.reward_pay", "complaint_reward", a->id, YJ_TODO_CANCELLED)) >= 0)
		rc = cmp_step_add(c, id_of(w, "complaint_id"), "reward_forfeited", "举报奖励逾期未领取，视为放弃。", "system",
				  yj_now_ms());
	json_decref(state);
	json_decref(w);
	a->done = rc >= 0;
	return rc < 0 ? rc : ST_OK;
}

int yj_cmp_rewards_expire_run(store *s, const char *today, int *forfeited)
{
	return cmp_sweep(s,
			 "SELECT id FROM complaint_rewards WHERE state = 'approved' AND claim_until < ? AND id > ? ORDER BY id LIMIT 200",
			 today, expire_tx, forfeited);
}

static const yj_field propose_body[] = {
	{"complaint_id", F_STRING, 1, 20, "The substantiated report, held by the caller's department"},
	{"rule", F_STRING, 1, 32, "The reward rule (GET /api/v1/reward-rules), e.g. insurance_fund"},
	{"grade", F_INT, 0, 0, "The rule's grade of the report (1 the highest); unused when case_value_fen is 0"},
	{"case_value_fen", F_INT, 1, 0, "The case value (案值: the fund loss established), fen; 0 when none"},
	{"no_loss_amount_fen", F_INT, 0, 0, "The reward when case_value_fen is 0, within the rule's range, fen"},
	{"insider", F_BOOL, 0, 0, "The reporter is an insider (内部人员): the rule's bonus applies"},
	{"named_target", F_BOOL, 1, 0, "The report named its target (明确的被举报对象)"},
	{"specific_clues", F_BOOL, 1, 0, "The report gave specific clues (具体违法线索)"},
	{"evidence", F_BOOL, 1, 0, "The report came with evidence (证据)"},
	{"note", F_STRING, 0, 1000, "Why, for the approving leader"},
	{NULL, 0, 0, 0, NULL},
};
static const yj_field decide_body[] = {
	{"approved", F_BOOL, 1, 0, "true: approve (the reporter is notified and the claim period starts); false: refuse"},
	{"note", F_STRING, 0, 1000, "The decision's note; required when refusing"},
	{NULL, 0, 0, 0, NULL},
};
static const yj_field pay_body[] = {
	{"payment_ref", F_STRING, 1, 64, "The payment voucher's number (not the account)"},
	{NULL, 0, 0, 0, NULL},
};
static const yj_qparam list_q[] = {
	{"state", "proposed | approved | refused | paid | forfeited"},
	{"complaint_id", "The rewards of one report"},
	YJ_QP_PAGE,
	{NULL, NULL},
};

static const yj_qparam export_q[] = {
	{"state", "proposed | approved | refused | paid | forfeited"},
	{"complaint_id", "The rewards of one report"},
	{"format", "xlsx (default), csv or count"},
	{NULL, NULL},
};

const yj_route yj_cmp_reward_routes[] = {
	{"GET", "/api/v1/reward-rules", rules, READERS, NULL, NULL, "complaints",
	 "The reward rules (举报奖励办法) with their grades, floors and caps", "{items}", 200},
	{"GET", "/api/v1/rewards", list, READERS, NULL, list_q, "complaints", "Rewards for reports in the caller's scope",
	 "{items, next_cursor}", 200},
	{"POST", "/api/v1/rewards", propose, HANDLERS, propose_body, NULL, "complaints",
	 "Propose a reward for a substantiated report held by the caller's department; the amount follows the rule",
	 "The reward", 201},
	{"GET", "/api/v1/rewards/export", export, READERS, NULL, export_q, "complaints",
	 "The rewards of the list's filters as Excel or CSV (?format=count: their number)", "file", 200},
	{"GET", "/api/v1/rewards/{id}", get, READERS, NULL, NULL, "complaints", "One reward", "The reward", 200},
	{"POST", "/api/v1/rewards/{id}/decision", decide, ROLE_LEADER, decide_body, NULL, "complaints",
	 "The department leader approves (the reporter is notified; the claim period starts) or refuses", "The reward", 200},
	{"POST", "/api/v1/rewards/{id}/payment", pay, ROLE_REWARD_OFFICER, pay_body, NULL, "complaints",
	 "The reward officer records the payment, within the claim period", "The reward", 200},
	{"GET", "/api/v1/rewards/{id}/reporter", reporter, ROLE_REWARD_OFFICER, NULL, NULL, "complaints",
	 "The reporter's name and phone for paying: the reward officer only, audited and rate limited", "{id, reporter}", 200},
	{NULL, NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL, 0},
};
