/* rewards.c — rewards for reports (举报奖励), their rules and writes: first the pure rules (no store, no
 * clock): who is eligible, the amount by a rule's grade (a share of the case value with the grade's floor, the
 * insiders' bonus, the rule's floor and cap, a range when no fund was lost) and the claim period in calendar
 * months; then the steps that apply them: the unit holding a substantiated matter proposes, its leader
 * approves (the reporter is told on the tracking page), the reward officer alone sees the reporter's identity
 * (audited) and records the payment, and the hourly job forfeits what is unclaimed. The SQL is in
 * rewards_store.c, the routes in rewards_api.c (docs/complaints.md, "Rewards"). */
#define _POSIX_C_SOURCE 200809L
#include "rewards_int.h"
#include "../platform/pii/pii.h"
#include "../base/date.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int64_t yj_cmp_reward_amount(const yj_cmp_reward_rule *rule, const yj_cmp_reward_grade *grade, int64_t value_fen,
			     int insider, int64_t no_loss_fen)
{
	int64_t amount;
	if (value_fen < 0)
		return -1;
	if (value_fen == 0) {
		/* No fund lost: the reward is set within the rule's range, not computed. */
		if (no_loss_fen < rule->no_loss_min_fen || no_loss_fen > rule->no_loss_max_fen)
			return -1;
		amount = no_loss_fen;
	} else {
		if (!grade)
			return -1;
		/* value × ‰ without overflow for any case value below 9.2e15 fen / 1000 */
		amount = value_fen / 1000 * grade->permille + value_fen % 1000 * grade->permille / 1000;
		if (amount < grade->floor_fen)
			amount = grade->floor_fen;
	}
	if (insider)
		amount += amount / 1000 * rule->insider_bonus_permille + amount % 1000 * rule->insider_bonus_permille / 1000;
	if (amount < rule->min_fen)
		amount = rule->min_fen;
	if (amount > rule->max_fen)
		amount = rule->max_fen;
	return amount / 100 * 100; /* paid in whole yuan, rounded down */
}

const char *yj_cmp_reward_refusal(const char *state, int substantiated, int anonymous, int named_target, int specific_clues,
				  int evidence)
{
	if (!state || (strcmp(state, "replied") && strcmp(state, "closed")))
		return "举报尚未办结答复，办结并认定属实后才能申请奖励。";
	if (!substantiated)
		return "举报未被认定属实，不符合奖励条件。";
	if (anonymous)
		return "匿名举报未留存举报人身份，无法核发奖励。";
	if (!named_target || !specific_clues || !evidence)
		return "奖励条件：举报有明确的被举报对象、具体的违法线索并提供了证据；请核实后再申请。";
	return NULL;
}

int64_t yj_cmp_add_months(int64_t day, int months)
{
	int y, m, d;
	yj_civil_from_days(day, &y, &m, &d);
	int64_t mi = (int64_t)y * 12 + (m - 1) + months;
	int64_t ny = mi >= 0 ? mi / 12 : (mi - 11) / 12;
	int nm = (int)(mi - ny * 12) + 1, last = yj_date_month_days(ny, nm);
	/* the same day of the month, or the month's last day when it is shorter (31 Dec + 2 → 28/29 Feb) */
	return yj_days_from_civil(ny, nm, d > last ? last : d);
}

/* ---- the steps ---- */

static int64_t id_of(const json_t *o, const char *k)
{
	int64_t id = 0;
	yj_id_parse(cmp_s(o, k), &id);
	return id;
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

/* The reward id within the caller's territory and remit, held by the caller's own department. */
static int mine(store_conn *c, cmp_op *a)
{
	const yj_principal *who = a->who;
	int rc = rwd_load(c, &who->scope, a->id, &a->out);
	if (rc == ST_NOTFOUND)
		return yj_refuse(&a->ref, 404, "not-found", "奖励不存在", "没有这项举报奖励，或它不在您的辖区和职责范围内。");
	if (rc < 0)
		return rc;
	if (strcmp(who->department, cmp_s(a->out, "department")))
		return yj_refuse(&a->ref, 403, "not-your-matter", "不是本部门的奖励",
				 "举报奖励由办理该举报的部门审批和发放，请联系该部门。");
	return ST_OK;
}

int rwd_propose_tx(store_conn *c, void *argp)
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
	int64_t n = 0;
	if ((rc = rwd_count_of(c, cid, &n)) < 0)
		return rc;
	if (n)
		return yj_refuse(&a->ref, 409, "already-done", "已申请奖励", "这件举报已有奖励申请，一件举报只奖励一次。");
	yj_cmp_reward_rule rule;
	yj_cmp_reward_grade grade;
	int have_grade = 0;
	if ((rc = rwd_rule_get(c, rule_code, &rule, NULL)) == ST_NOTFOUND)
		yj_refusal_field(&a->ref, "rule", "没有这项奖励办法，请从奖励办法列表中选择");
	else if (rc < 0)
		return rc;
	else if (value > 0 && (rc = rwd_grade_get(c, rule_code, grade_no, &grade)) == ST_NOTFOUND)
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
	rwd_new row = {.id = id, .complaint_id = cid, .case_value_fen = value, .amount_fen = amount, .region_code = region,
		       .department = who->department, .rule_code = rule_code, .note = note, .proposed_on = today,
		       .proposed_by = actor, .grade = value > 0 ? grade_no : 0, .insider = insider};
	rc = rwd_insert(c, &row, now);
	if (rc < 0 || (rc = rwd_load_all(c, id, &a->out)) < 0)
		return rc;
	json_t *state = json_pack("{s:s, s:s, s:i, s:I, s:I}", "complaint_id", cmp_s(a->out, "complaint_id"), "rule", rule_code,
				  "grade", value > 0 ? grade_no : 0, "case_value_fen", (json_int_t)value, "amount_fen",
				  (json_int_t)amount);
	if ((rc = audit(c, actor, "complaint.reward.propose", a->out, state)) >= 0)
		rc = todo(c, a->out, "complaints.reward_approve", "举报奖励待审批", "举报奖励待审批", "leader", NULL);
	json_decref(state);
	return rc;
}

int rwd_decide_tx(store_conn *c, void *argp)
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
	if ((rc = rwd_rule_get(c, cmp_s(a->out, "rule"), &rule, NULL)) < 0)
		return rc;
	char today[11], until[11], actor[21];
	int64_t d;
	yj_day_today(today);
	yj_day_parse(today, &d);
	yj_day_format(yj_cmp_add_months(d, rule.claim_months), until);
	yj_id_format(a->who->user_id, actor);
	const char *state_to = approved ? "approved" : "refused";
	if ((rc = rwd_set_decided(c, a->id, state_to, today, actor, note, approved ? until : NULL)) < 0 ||
	    (rc = rwd_load_all(c, a->id, &a->out)) < 0)
		return rc;
	json_t *state = json_pack("{s:s, s:o}", "state", state_to, "claim_until", approved ? json_string(until) : json_null());
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

int rwd_pay_tx(store_conn *c, void *argp)
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
	if ((rc = rwd_set_paid(c, a->id, today, actor, ref)) < 0 ||
	    (rc = rwd_load_all(c, a->id, &a->out)) < 0)
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
int rwd_reporter_tx(store_conn *c, void *argp)
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
	{"reward.propose", rwd_propose_tx},
	{"reward.decide", rwd_decide_tx},
	{"reward.pay", rwd_pay_tx},
	{NULL, NULL},
};

static int expire_tx(store_conn *c, void *argp)
{
	cmp_sweep_arg *a = argp;
	json_t *w = NULL;
	a->done = 0;
	int rc = rwd_load_all(c, a->id, &w);
	if (rc < 0)
		return rc == ST_NOTFOUND ? ST_OK : rc;
	if (strcmp(cmp_s(w, "state"), "approved") || strcmp(a->today, cmp_s(w, "claim_until")) <= 0) {
		json_decref(w);
		return ST_OK; /* paid meanwhile */
	}
	rc = rwd_set_forfeited(c, a->id);
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
	return rwd_sweep_expired(s, today, expire_tx, forfeited);
}
