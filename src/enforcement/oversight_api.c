/* oversight_api.c — the two processes that watch a case from outside its office: 案件督办 (a higher office
 * supervises a case with its own deadline; the supervised office reports; the clock job escalates) and
 * 行刑衔接 (a case suspected of a crime goes to the police: proposal with attachments, approval within 3
 * days, transfer within 24 h with the 案件移送书, the police receipt and decision within 3 days,
 * reconsideration). Each action is a step of the case's timeline (with its audit leaf) and keeps the
 * to-dos; the deadlines are settings of enf_settings (migration 0003, with their sources). The SQL is
 * oversight_store.c's. */
#define _POSIX_C_SOURCE 200809L
#include "enf_int.h"
#include "../platform/attach/attach.h"
#include "../platform/todos/todos.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *enf_str(const json_t *b, const char *k)
{
	const char *s = json_string_value(json_object_get(b, k));
	return s ? s : "";
}

/* The county office's region prefix of a case region (a town's case belongs to its county). */
static size_t office_prefix_len(const char *region)
{
	char six[7], p[16];
	snprintf(six, sizeof six, "%s", region);
	yj_region_prefix(six, p);
	return strlen(p);
}

/* ---- 案件督办 ---- */

#define TODO_SUP "enforcement.supervised"
#define TODO_ESC "enforcement.supervision_escalated"

static int sup_todo(store_conn *c, const json_t *sup, const json_t *row, const enf_case *k)
{
	int64_t sid;
	yj_id_parse(enf_str(sup, "id"), &sid);
	char title[400], link[64];
	snprintf(title, sizeof title, "督办案件：%s（督办期限 %s，下次报告 %s）", enf_str(row, "subject_name"), enf_str(sup, "due_on"),
		 enf_str(sup, "report_due"));
	snprintf(link, sizeof link, "/enforcement/cases/%s", enf_str(row, "id"));
	yj_todo t = {.kind = TODO_SUP, .kind_label = "督办案件", .title = title, .object_type = "enforcement_supervision",
		     .object_id = sid, .link = link, .due_date = enf_str(sup, "report_due"), .region_code = enf_str(row, "region_code"),
		     .department = enf_str(row, "department"), .users = k->officers, .nusers = (size_t)k->nofficers};
	return yj_todo_put(c, &t);
}


static int sup_tx(store_conn *c, void *arg)
{
	struct ov_arg *a = arg;
	const json_t *b = a->body;
	const char *action = enf_str(b, "action");
	json_t *row = NULL, *sup = NULL;
	enf_case k;
	char today[11], actor[21], next[11];
	yj_day_today(today);
	yj_id_format(a->who->user_id, actor);
	int rc = enf_case_load(c, &a->who->scope, a->id, &row, &k);
	if (rc < 0)
		return rc;
	if ((rc = enf_sup_latest(c, a->id, &sup)) < 0)
		goto out;
	int live = sup && strcmp(enf_str(sup, "state"), "lifted");
	int higher = a->who->role_bit == ROLE_LEADER &&
		     strlen(a->who->scope.region_prefix) < office_prefix_len(enf_str(row, "region_code"));
	int64_t every = enf_setting(c, "supervision_report_days", 15);
	if (!strcmp(action, "start")) {
		if (!higher) {
			rc = yj_refuse(&a->ref, 409, "transition", "不能督办", "案件督办由上级机关的负责人发起，请由上级卫生健康行政部门办理");
			goto out;
		}
		if (live) {
			rc = yj_refuse(&a->ref, 409, "transition", "已在督办中", "本案已在督办中（%s），如需调整请先解除督办", enf_str(sup, "due_on"));
			goto out;
		}
		if (!*enf_str(b, "reason"))
			yj_refusal_field(&a->ref, "reason", "请填写督办事由");
		int64_t d, t;
		if (yj_day_parse(enf_str(b, "due_on"), &d) < 0 || yj_day_parse(today, &t) < 0 || d <= t)
			yj_refusal_field(&a->ref, "due_on", "请填写今天以后的督办期限（YYYY-MM-DD）");
		if (yj_refusal_has_fields(&a->ref)) {
			rc = yj_refuse_invalid(&a->ref, NULL);
			goto out;
		}
		yj_day_format(t + every, next);
		if (strcmp(next, enf_str(b, "due_on")) > 0)
			snprintf(next, sizeof next, "%s", enf_str(b, "due_on"));
		enf_sup_new n = {a->id, a->who->region_code, a->who->department, actor, enf_str(b, "reason"), today,
				 enf_str(b, "due_on"), next, enf_str(row, "region_code"), enf_str(row, "department")};
		if ((rc = enf_sup_insert(c, &n)) < 0)
			goto out;
		rc = enf_side_step(c, a->id, row, "supervise", k.state, k.state, actor, today,
			       json_pack("{s:s, s:s, s:s}", "reason", enf_str(b, "reason"), "due_on", enf_str(b, "due_on"), "office",
					 a->who->region_code));
	} else if (!strcmp(action, "report")) {
		int own = (a->who->role_bit == ROLE_LEADER && !higher);
		for (int i = 0; i < k.nofficers; i++)
			own |= k.officers[i] == a->who->user_id;
		if (!live || !own) {
			rc = yj_refuse(&a->ref, 409, "transition", "不能报告", "%s",
				       !live ? "本案不在督办中，无需报告" : "督办报告由本案承办人员或承办机关负责人提交");
			goto out;
		}
		if (!*enf_str(b, "progress")) {
			yj_refusal_field(&a->ref, "progress", "请填写案件办理进展");
			rc = yj_refuse_invalid(&a->ref, NULL);
			goto out;
		}
		int64_t t;
		yj_day_parse(today, &t);
		yj_day_format(t + every, next);
		int64_t sid;
		yj_id_parse(enf_str(sup, "id"), &sid);
		if ((rc = enf_sup_report(c, sid, today, next)) < 0)
			goto out;
		json_t *data = json_pack("{s:s, s:s, s:s}", "progress", enf_str(b, "progress"), "due_on", enf_str(sup, "due_on"), "state",
					 enf_state_label(k.state));
		char no[160];
		if ((rc = enf_doc_issue(c, "supervision_report", a->id, 0, row, data, 0, actor, NULL, no)) < 0) {
			json_decref(data);
			goto out;
		}
		json_object_set_new(data, "number", json_string(no));
		rc = enf_side_step(c, a->id, row, "supervision_report", k.state, k.state, actor, today, data);
	} else if (!strcmp(action, "lift")) {
		if (!live || !higher) {
			rc = yj_refuse(&a->ref, 409, "transition", "不能解除督办", "%s",
				       !live ? "本案不在督办中" : "解除督办由上级机关的负责人办理");
			goto out;
		}
		if (!*enf_str(b, "reason")) {
			yj_refusal_field(&a->ref, "reason", "请填写解除督办的理由（如已办结）");
			rc = yj_refuse_invalid(&a->ref, NULL);
			goto out;
		}
		int64_t sid;
		yj_id_parse(enf_str(sup, "id"), &sid);
		if ((rc = enf_sup_lift(c, sid, today, enf_str(b, "reason"))) < 0 ||
		    (rc = yj_todo_close(c, TODO_SUP, "enforcement_supervision", sid, YJ_TODO_DONE)) < 0 ||
		    (rc = yj_todo_close(c, TODO_ESC, "enforcement_supervision", sid, YJ_TODO_DONE)) < 0)
			goto out;
		rc = enf_side_step(c, a->id, row, "supervision_lift", k.state, k.state, actor, today,
			       json_pack("{s:s}", "reason", enf_str(b, "reason")));
	} else {
		yj_refusal_field(&a->ref, "action", "督办操作应为 start、report 或 lift");
		rc = yj_refuse_invalid(&a->ref, NULL);
	}
	if (rc >= 0 && strcmp(action, "lift")) {
		json_decref(sup);
		if ((rc = enf_sup_latest(c, a->id, &sup)) >= 0)
			rc = sup_todo(c, sup, row, &k);
	}
	if (rc >= 0)
		rc = enf_case_full(c, &a->who->scope, a->id, &a->out);
out:
	json_decref(sup);
	json_decref(row);
	return rc;
}

struct esc_arg {
	int64_t id, case_id;
	const char *today;
};

static int escalate_tx(store_conn *c, void *arg)
{
	struct esc_arg *a = arg;
	json_t *row = NULL, *sup = NULL;
	enf_case k;
	yj_scope all;
	yj_scope_unrestricted(&all);
	char why[200], title[400], link[64];
	int rc = enf_case_load(c, &all, a->case_id, &row, &k);
	if (rc < 0 || (rc = enf_sup_latest(c, a->case_id, &sup)) < 0)
		goto out;
	if (!sup || strcmp(enf_str(sup, "state"), "active"))
		goto out; /* lifted or escalated meanwhile */
	snprintf(why, sizeof why, "%s", strcmp(enf_str(sup, "due_on"), a->today) < 0 ? "超过督办期限未办结" : "未按期报送督办报告");
	if ((rc = enf_sup_escalate(c, a->id, a->today, why)) < 0)
		goto out;
	snprintf(title, sizeof title, "督办升级：%s（%s，督办期限 %s）", enf_str(row, "subject_name"), why, enf_str(sup, "due_on"));
	snprintf(link, sizeof link, "/enforcement/cases/%s", enf_str(row, "id"));
	yj_todo t = {.kind = TODO_ESC, .kind_label = "督办升级", .title = title, .object_type = "enforcement_supervision",
		     .object_id = a->id, .link = link, .due_date = a->today, .region_code = enf_str(sup, "office_region"),
		     .department = enf_str(sup, "office_department"), .role = "leader"};
	if ((rc = yj_todo_put(c, &t)) < 0)
		goto out;
	rc = enf_side_step(c, a->case_id, row, "supervision_escalate", k.state, k.state, "system", a->today,
		       json_pack("{s:s}", "reason", why));
out:
	json_decref(row);
	json_decref(sup);
	return rc;
}

/* Escalation (the clock job): an active supervision whose own deadline has passed with the case still open,
 * or whose report is overdue, becomes escalated, with a to-do for the supervising office's leaders. */
int enf_supervision_clock_run(store *s, const char *today, int *n)
{
	store_conn *c = store_conn_get(s);
	int64_t ids[200], cases[200];
	size_t m = 0;
	*n = 0;
	int rc = enf_sup_due(c, today, ids, cases, 200, &m);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < m; i++) {
		struct esc_arg a = {ids[i], cases[i], today};
		if ((rc = store_tx(s, escalate_tx, &a)) < 0)
			return rc;
		(*n)++;
	}
	return ST_OK;
}

/* The supervision and the police transfer on the case page, with their clocks (cases_api.c calls it). */
int enf_oversight_json(store_conn *c, int64_t case_id, const char *today, json_t *row)
{
	json_t *sup = NULL, *tr = NULL;
	int rc = enf_sup_latest(c, case_id, &sup);
	if (rc < 0 || (rc = enf_tr_latest(c, case_id, &tr)) < 0) {
		json_decref(sup);
		return rc;
	}
	if (sup)
		json_object_set_new(sup, "overdue", json_boolean(strcmp(enf_str(sup, "state"), "lifted") &&
								  (strcmp(today, enf_str(sup, "report_due")) > 0 ||
								   strcmp(today, enf_str(sup, "due_on")) > 0)));
	if (tr) {
		const char *s = enf_str(tr, "state");
		int over = 0;
		if (!strcmp(s, "proposed"))
			over = strcmp(today, enf_str(tr, "approve_due")) > 0;
		else if (!strcmp(s, "approved"))
			over = yj_now_ms() - json_integer_value(json_object_get(tr, "approved_at")) > 24 * 3600000LL;
		else if (!strcmp(s, "received"))
			over = strcmp(today, enf_str(tr, "police_decision_due")) > 0;
		else if (!strcmp(s, "not_accepted") || !strcmp(s, "reconsidering"))
			over = strcmp(today, enf_str(tr, "reconsider_due")) > 0;
		json_object_set_new(tr, "overdue", json_boolean(over));
	}
	json_object_set_new(row, "supervision", sup ? sup : json_null());
	json_object_set_new(row, "police_transfer", tr ? tr : json_null());
	return ST_OK;
}

/* ---- routes ---- */

static int run(yj_req *r, store_tx_fn fn)
{
	struct ov_arg a = {yj_who(r), yj_body(r), yj_config(r)->public_url, 0, NULL, {0}};
	if (yj_path_id_or_reply(r, "id", &a.id) < 0)
		return YJ_OK;
	if (yj_tx_or_reply(r, fn, &a, &a.ref) < 0)
		return YJ_OK;
	return yj_reply_json(r, 200, a.out);
}
static int supervision_post(yj_req *r)
{
	return run(r, sup_tx);
}
static int transfer_post(yj_req *r)
{
	return run(r, enf_police_tx);
}

static const yj_field sup_body[] = {
	{"action", F_STRING, 1, 20, "start (the higher office), report (the case's office) or lift"},
	{"reason", F_STRING, 0, 2000, "start: why supervised; lift: why lifted"},
	{"due_on", F_STRING, 0, 10, "start: the supervising office's deadline, YYYY-MM-DD"},
	{"progress", F_STRING, 0, 4000, "report: the progress of the case (督办报告)"},
	{NULL, 0, 0, 0, NULL},
};
static const yj_field tr_body[] = {
	{"action", F_STRING, 1, 24, "propose, approve, not_approve, send, receipt, police_decision, reconsider, reconsider_result"},
	{"reason", F_STRING, 0, 4000, "propose: the facts; not_approve, police_decision (not accepted), reconsider: the reason"},
	{"charge", F_STRING, 0, 200, "propose: the suspected offence"},
	{"attachments", F_ARRAY, 0, 0, "propose: [{kind, name, sha256}] uploaded files; an investigation_report is required"},
	{"opinion", F_STRING, 0, 2000, "approve: the leader's opinion"},
	{"receiving_org", F_STRING, 0, 200, "approve: the police authority receiving the case"},
	{"receipt_on", F_STRING, 0, 10, "receipt: the day the police signed the receipt"},
	{"receipt_no", F_STRING, 0, 100, "receipt: the receipt's number"},
	{"decision", F_STRING, 0, 20, "police_decision: accepted or not_accepted"},
	{"decided_on", F_STRING, 0, 10, "police_decision, reconsider_result: the day of the police decision"},
	{"result", F_STRING, 0, 20, "reconsider_result: upheld or reversed"},
	{NULL, 0, 0, 0, NULL},
};

const yj_route yj_enf_oversight_routes[] = {
	{"POST", "/api/v1/cases/{id}/supervision", supervision_post, ROLE_INSPECTOR | ROLE_LEADER, sup_body, NULL, "enforcement",
	 "案件督办: a higher office starts or lifts supervision with its own deadline; the case's office reports", "The case", 0},
	{"POST", "/api/v1/cases/{id}/police-transfer", transfer_post, ROLE_INSPECTOR | ROLE_LEADER, tr_body, NULL, "enforcement",
	 "行刑衔接: propose, approve (3 days), send (24 h, 案件移送书), the police receipt and decision, reconsideration",
	 "The case", 0},
	{NULL, NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL, 0},
};
