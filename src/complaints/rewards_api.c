/* rewards_api.c — the routes of rewards for reports (举报奖励): the rules, the writes of rewards.c run
 * through the complaints' one runner, the reporter's identity for the reward officer (behind the PII gate),
 * one reward and the scoped list with its export (docs/complaints.md, "Rewards"). */
#define _POSIX_C_SOURCE 200809L
#include "rewards_int.h"
#include "../platform/pii/pii.h"

#define HANDLERS (ROLE_ADMIN | ROLE_INSPECTOR | ROLE_LEADER | ROLE_LIAISON)
#define READERS (HANDLERS | ROLE_REWARD_OFFICER)

static int rules(yj_req *r)
{
	json_t *items = NULL;
	int rc = rwd_rules_json(store_conn_get(yj_store(r)), &items);
	return rc < 0 ? yj_reply_store_error(r, rc) : yj_reply_json(r, 200, json_pack("{s:o}", "items", items));
}

static int propose(yj_req *r) { return cmp_op_run(r, rwd_propose_tx, 201, NULL, NULL); }
static int decide(yj_req *r) { return cmp_op_run(r, rwd_decide_tx, 200, "id", NULL); }
static int pay(yj_req *r) { return cmp_op_run(r, rwd_pay_tx, 200, "id", NULL); }

static int reporter(yj_req *r)
{
	cmp_op a = {.who = yj_who(r)};
	if (yj_path_id_or_reply(r, "id", &a.id) < 0 || yj_pii_gate(r, ROLE_REWARD_OFFICER, "举报人身份和联系方式") < 0)
		return YJ_OK;
	int rc = yj_tx_or_reply(r, rwd_reporter_tx, &a, &a.ref);
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
	int rc = rwd_load(store_conn_get(yj_store(r)), &yj_who(r)->scope, id, &w);
	return rc == ST_NOTFOUND ? yj_reply_not_found(r) : rc < 0 ? yj_reply_store_error(r, rc) : yj_reply_json(r, 200, w);
}

/* The list's query with the request's filters (the list and its export); NULL after replying 400. */
static yj_qb *filtered(yj_req *r)
{
	int64_t cid = 0;
	const char *v = yj_query(r, "complaint_id");
	if (v && *v && yj_id_parse(v, &cid) < 0) {
		yj_reply_problem(r, 400, "validation", "参数错误", "complaint_id 应为投诉举报的编号。");
		return NULL;
	}
	return rwd_query(&yj_who(r)->scope, yj_query(r, "state"), cid);
}

static int list(yj_req *r) { return cmp_reply_list(r, filtered, rwd_row_json); }

static const yj_column export_cols[] = {
	{"complaint_id", "投诉举报编号"}, {"region_code", "行政区划代码"}, {"department", "部门"}, {"rule", "奖励规则"},
	{"grade", "奖励等级"}, {"case_value_fen", "案值（分）"}, {"amount_fen", "奖励金额（分）"}, {"state_label", "状态"},
	{"proposed_on", "拟定日期"}, {"decided_on", "决定日期"}, {"claim_until", "领取期限"}, {"paid_on", "发放日期"},
	{NULL, NULL},
};

static int export(yj_req *r)
{
	yj_qb *q = filtered(r);
	return q ? yj_reply_id_export(r, q, "id", "rewards", export_cols, rwd_row_json, NULL) : YJ_OK;
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
