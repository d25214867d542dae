/* police_api.c — 行刑衔接: the transfer of a case suspected of a crime to the police (行政执法机关移送涉嫌犯罪案件的
 *规定, 国务院令第310号, 2020修订): the officers' written proposal with its attachments (第6条), the leader's
 * approval within 3 days and the transfer within 24 h of it with the 案件移送书 (第5条), the police receipt (第7条),
 * their decision within 3 days (第8条) and reconsideration (第9条). Each action is a step of the case's timeline
 * and keeps the to-do of whoever acts next; the route is in oversight_api.c. */
#define _POSIX_C_SOURCE 200809L
#include "enf_int.h"
#include "../platform/attach/attach.h"
#include "../platform/todos/todos.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- 行刑衔接: transfer to the police (国务院令第310号, 2020修订) ---- */

#define TODO_TR "enforcement.police_transfer"

static const char *const tr_open_states = " proposed approved sent received not_accepted reconsidering ";

static int state_in(const char *s, const char *list)
{
	char pad[40];
	snprintf(pad, sizeof pad, " %s ", s);
	return strstr(list, pad) != NULL;
}

static int is_officer(const enf_case *k, int64_t uid)
{
	for (int i = 0; i < k->nofficers; i++)
		if (k->officers[i] == uid)
			return 1;
	return 0;
}

/* The to-do a transfer's state asks for: the leader approves, the officers send and follow the police. */
static int tr_todo(store_conn *c, const json_t *tr, const json_t *row, const enf_case *k)
{
	int64_t tid;
	yj_id_parse(enf_str(tr, "id"), &tid);
	const char *s = enf_str(tr, "state");
	if (!state_in(s, tr_open_states))
		return yj_todo_close(c, TODO_TR, "enforcement_police_transfer", tid, YJ_TODO_DONE);
	char title[400], link[64], due[11] = "";
	const char *what = "";
	int leader = 0;
	if (!strcmp(s, "proposed")) {
		what = "待审批移送（3日内）";
		snprintf(due, sizeof due, "%s", enf_str(tr, "approve_due"));
		leader = 1;
	} else if (!strcmp(s, "approved")) {
		what = "已批准，24小时内移送公安机关";
		enf_day_of_ms(json_integer_value(json_object_get(tr, "approved_at")) + 86400000LL, due);
	} else if (!strcmp(s, "sent")) {
		what = "已移送，待公安机关回执";
	} else if (!strcmp(s, "received")) {
		what = "待公安机关作出立案决定（3日内）";
		snprintf(due, sizeof due, "%s", enf_str(tr, "police_decision_due"));
	} else if (!strcmp(s, "not_accepted")) {
		what = "公安机关不予立案：3日内可提请复议";
		snprintf(due, sizeof due, "%s", enf_str(tr, "reconsider_due"));
		leader = 1;
	} else {
		what = "复议中，待公安机关复议决定（3日内）";
		snprintf(due, sizeof due, "%s", enf_str(tr, "reconsider_due"));
	}
	snprintf(title, sizeof title, "涉嫌犯罪案件移送：%s（%s）", enf_str(row, "subject_name"), what);
	snprintf(link, sizeof link, "/enforcement/cases/%s", enf_str(row, "id"));
	yj_todo t = {.kind = TODO_TR, .kind_label = "行刑衔接", .title = title, .object_type = "enforcement_police_transfer",
		     .object_id = tid, .link = link, .due_date = *due ? due : NULL, .region_code = enf_str(row, "region_code"),
		     .department = enf_str(row, "department")};
	if (leader)
		t.role = "leader";
	else {
		t.users = k->officers;
		t.nusers = (size_t)k->nofficers;
	}
	return yj_todo_put(c, &t);
}

/* The attachments of a proposal: [{kind, sha256, name}] already in the attachment store, with the
 * investigation report (310号令 第6条). The JSON text into *out (caller frees) or a refusal. */
static int attachments_check(store_conn *c, const json_t *arr, yj_refusal *f, char **out)
{
	static const char *const kinds = " investigation_report item_list test_report other ";
	size_t i;
	json_t *v;
	int report = 0;
	*out = NULL;
	if (!json_is_array(arr) || !json_array_size(arr) || json_array_size(arr) > 50) {
		yj_refusal_field(f, "attachments", "请附上涉嫌犯罪案件情况的调查报告等材料（先上传证据文件，再填写其 SHA-256）");
		return yj_refuse_invalid(f, NULL);
	}
	json_array_foreach(arr, i, v) {
		const char *k = enf_str(v, "kind"), *h = enf_str(v, "sha256");
		int64_t size;
		int rc = strlen(h) == 64 ? yj_blob_size(c, h, &size) : ST_NOTFOUND;
		if (rc < 0 && rc != ST_NOTFOUND)
			return rc;
		if (!*k || !state_in(k, kinds) || rc == ST_NOTFOUND || !*enf_str(v, "name")) {
			yj_refusal_field(f, "attachments", "每个附件需有类别（investigation_report、item_list、test_report、other）、名称和已上传文件的 SHA-256");
			return yj_refuse_invalid(f, NULL);
		}
		report |= !strcmp(k, "investigation_report");
	}
	if (!report) {
		yj_refusal_field(f, "attachments", "缺少涉嫌犯罪案件情况的调查报告（国务院令第310号第六条）");
		return yj_refuse_invalid(f, NULL);
	}
	*out = json_dumps(arr, JSON_COMPACT);
	return ST_OK;
}

static int tr_propose(store_conn *c, struct ov_arg *a, const json_t *row, const enf_case *k, const json_t *tr, const char *actor,
		      const char *today)
{
	const json_t *b = a->body;
	char *att = NULL, due[11];
	if (!is_officer(k, a->who->user_id))
		return yj_refuse(&a->ref, 409, "transition", "不能提出移送", "移送涉嫌犯罪案件的书面报告由本案承办人员提出");
	if (tr && state_in(enf_str(tr, "state"), tr_open_states))
		return yj_refuse(&a->ref, 409, "transition", "移送办理中", "本案已有办理中的移送，请在其办结后再提出");
	if (state_in(k->state, " closed revoked transferred "))
		return yj_refuse(&a->ref, 409, "transition", "不能提出移送", "案件已%s，不能再提出移送", enf_state_label(k->state));
	if (!*enf_str(b, "reason"))
		yj_refusal_field(&a->ref, "reason", "请写明涉嫌犯罪的事实");
	if (!*enf_str(b, "charge"))
		yj_refusal_field(&a->ref, "charge", "请写明涉嫌罪名（如非法行医罪）");
	int rc = attachments_check(c, json_object_get(b, "attachments"), &a->ref, &att);
	if (rc < 0 || yj_refusal_has_fields(&a->ref)) {
		free(att);
		return rc < 0 ? rc : yj_refuse_invalid(&a->ref, NULL);
	}
	if ((rc = enf_days_after(c, today, enf_setting(c, "transfer_approve_days", 3), due)) < 0) {
		free(att);
		return rc;
	}
	enf_tr_new n = {a->id, enf_str(b, "reason"), enf_str(b, "charge"), att, actor, today, due, enf_str(row, "region_code"),
			enf_str(row, "department")};
	rc = enf_tr_insert(c, &n);
	json_t *data = json_pack("{s:s, s:s, s:s, s:o}", "reason", enf_str(b, "reason"), "charge", enf_str(b, "charge"), "approve_due", due,
				 "attachments", json_loads(att, 0, NULL));
	free(att);
	if (rc < 0) {
		json_decref(data);
		return rc;
	}
	if ((rc = enf_case_suspect_set(c, a->id, 1)) < 0) {
		json_decref(data);
		return rc;
	}
	return enf_side_step(c, a->id, row, "police_transfer_propose", k->state, k->state, actor, today, data);
}

int enf_police_tx(store_conn *c, void *arg)
{
	struct ov_arg *a = arg;
	const json_t *b = a->body;
	const char *action = enf_str(b, "action");
	json_t *row = NULL, *tr = NULL;
	enf_case k;
	char today[11], actor[21], due[11];
	yj_day_today(today);
	yj_id_format(a->who->user_id, actor);
	int rc = enf_case_load(c, &a->who->scope, a->id, &row, &k);
	if (rc < 0)
		return rc;
	if ((rc = enf_tr_latest(c, a->id, &tr)) < 0)
		goto out;
	const char *s = tr ? enf_str(tr, "state") : "";
	int leader = a->who->role_bit == ROLE_LEADER, officer = is_officer(&k, a->who->user_id);
	/* action: the state it needs, who may take it */
	static const struct {
		const char *action, *from, *label;
		int leader_only;
	} m[] = {{"approve", "proposed", "批准移送", 1},	    {"not_approve", "proposed", "不批准移送", 1},
		 {"send", "approved", "移送", 0},		    {"receipt", "sent", "登记公安机关回执", 0},
		 {"police_decision", "received", "登记公安机关立案决定", 0}, {"reconsider", "not_accepted", "提请复议", 1},
		 {"reconsider_result", "reconsidering", "登记复议决定", 0}};
	if (!strcmp(action, "propose")) {
		rc = tr_propose(c, a, row, &k, tr, actor, today);
		goto done;
	}
	size_t i = 0;
	while (i < sizeof m / sizeof m[0] && strcmp(m[i].action, action))
		i++;
	if (i == sizeof m / sizeof m[0]) {
		yj_refusal_field(&a->ref, "action", "移送操作应为 propose、approve、not_approve、send、receipt、police_decision、reconsider 或 reconsider_result");
		rc = yj_refuse_invalid(&a->ref, NULL);
		goto out;
	}
	if (!tr || strcmp(s, m[i].from)) {
		rc = yj_refuse(&a->ref, 409, "transition", "不能办理该环节", "%s需在移送处于“%s”时办理（当前：%s）", m[i].label,
			       m[i].from, tr ? s : "尚未提出移送");
		goto out;
	}
	if (m[i].leader_only ? !leader : !(leader || officer)) {
		rc = yj_refuse(&a->ref, 409, "transition", "不能办理该环节", "%s由%s办理", m[i].label,
			       m[i].leader_only ? "本机关负责人" : "本案承办人员或负责人");
		goto out;
	}
	json_t *data = NULL;
	if (!strcmp(action, "approve")) {
		if (!*enf_str(b, "receiving_org"))
			yj_refusal_field(&a->ref, "receiving_org", "请填写接收移送的公安机关（同级公安机关）");
		if (!*enf_str(b, "opinion"))
			yj_refusal_field(&a->ref, "opinion", "请填写审批意见");
		if (yj_refusal_has_fields(&a->ref)) {
			rc = yj_refuse_invalid(&a->ref, NULL);
			goto out;
		}
		const char *p[] = {actor, enf_str(b, "opinion"), enf_str(b, "receiving_org"), NULL};
		rc = enf_tr_update(c, tr, action, p);
		data = json_pack("{s:s, s:s, s:b}", "opinion", enf_str(b, "opinion"), "receiving_org", enf_str(b, "receiving_org"), "late",
				 strcmp(today, enf_str(tr, "approve_due")) > 0);
	} else if (!strcmp(action, "not_approve")) {
		if (!*enf_str(b, "reason")) {
			yj_refusal_field(&a->ref, "reason", "不批准移送的，应当将理由记录在案（第五条）");
			rc = yj_refuse_invalid(&a->ref, NULL);
			goto out;
		}
		const char *p[] = {actor, enf_str(b, "reason"), NULL};
		rc = enf_tr_update(c, tr, action, p);
		/* the leader decided the matter is not for the police: the case goes on administratively */
		if (rc >= 0)
			rc = enf_case_suspect_set(c, a->id, 0);
		data = json_pack("{s:s}", "reason", enf_str(b, "reason"));
	} else if (!strcmp(action, "send")) {
		int64_t late = yj_now_ms() - json_integer_value(json_object_get(tr, "approved_at")) >
			       enf_setting(c, "transfer_send_hours", 24) * 3600000LL;
		data = json_pack("{s:s, s:s, s:s, s:s, s:O, s:b}", "to", "police", "receiving_org", enf_str(tr, "receiving_org"), "reason",
				 enf_str(tr, "reason"), "charge", enf_str(tr, "charge"), "attachments", json_object_get(tr, "attachments"),
				 "late", (int)late);
		char no[160], to[260];
		snprintf(to, sizeof to, "police:%s", enf_str(tr, "receiving_org"));
		if ((rc = enf_case_transferred_set(c, a->id, to)) < 0 || (rc = enf_doc_issue(c, "transfer_letter", a->id, 0, row, data, 0, actor, NULL, no)) < 0)
			goto step;
		json_object_set_new(data, "number", json_string(no));
		const char *p[] = {no, NULL};
		if ((rc = enf_tr_update(c, tr, action, p)) < 0)
			goto step;
		/* the case leaves the office's hands: its state becomes 移送 (closing needs this record) */
		rc = enf_side_step(c, a->id, row, "police_transfer_send", k.state, "transferred", actor, today, data);
		data = NULL;
		goto done_step;
	} else if (!strcmp(action, "receipt")) {
		const char *on = enf_str(b, "receipt_on");
		int64_t d, t, sent;
		yj_day_parse(today, &t);
		char sent_day[11];
		enf_day_of_ms(json_integer_value(json_object_get(tr, "sent_at")), sent_day);
		yj_day_parse(sent_day, &sent);
		if (yj_day_parse(on, &d) < 0 || d > t || d < sent) {
			yj_refusal_field(&a->ref, "receipt_on", "请填写公安机关在回执上签收的日期（移送之日至今天）");
			rc = yj_refuse_invalid(&a->ref, NULL);
			goto out;
		}
		if ((rc = enf_days_after(c, on, enf_setting(c, "police_decide_days", 3), due)) < 0)
			goto out;
		const char *p[] = {on, *enf_str(b, "receipt_no") ? enf_str(b, "receipt_no") : "\x01", due, NULL};
		rc = enf_tr_update(c, tr, action, p);
		data = json_pack("{s:s, s:s, s:s}", "receipt_on", on, "receipt_no", enf_str(b, "receipt_no"), "police_decision_due", due);
	} else if (!strcmp(action, "police_decision")) {
		const char *dec = enf_str(b, "decision"), *on = enf_str(b, "decided_on");
		int64_t d, t, rcv;
		yj_day_parse(today, &t);
		yj_day_parse(enf_str(tr, "receipt_on"), &rcv);
		if (strcmp(dec, "accepted") && strcmp(dec, "not_accepted"))
			yj_refusal_field(&a->ref, "decision", "请选择公安机关的决定：accepted（立案）或 not_accepted（不予立案）");
		if (yj_day_parse(on, &d) < 0 || d > t || d < rcv)
			yj_refusal_field(&a->ref, "decided_on", "请填写公安机关作出决定的日期（接收之日至今天）");
		if (!strcmp(dec, "not_accepted") && !*enf_str(b, "reason"))
			yj_refusal_field(&a->ref, "reason", "请填写不予立案通知书载明的理由");
		if (yj_refusal_has_fields(&a->ref)) {
			rc = yj_refuse_invalid(&a->ref, NULL);
			goto out;
		}
		due[0] = '\0';
		if (!strcmp(dec, "not_accepted") && (rc = enf_days_after(c, today, enf_setting(c, "reconsider_request_days", 3), due)) < 0)
			goto out;
		const char *p[] = {dec, dec, on, *enf_str(b, "reason") ? enf_str(b, "reason") : "\x01", *due ? due : "\x01", NULL};
		rc = enf_tr_update(c, tr, action, p);
		data = json_pack("{s:s, s:s, s:s, s:b}", "decision", dec, "decided_on", on, "reason", enf_str(b, "reason"), "late",
				 strcmp(on, enf_str(tr, "police_decision_due")) > 0);
	} else if (!strcmp(action, "reconsider")) {
		if (strcmp(today, enf_str(tr, "reconsider_due")) > 0) {
			rc = yj_refuse(&a->ref, 409, "transition", "已过复议期限", "提请复议应在收到不予立案通知书之日起3日内（截至 %s），可建议人民检察院进行立案监督",
				       enf_str(tr, "reconsider_due"));
			goto out;
		}
		if (!*enf_str(b, "reason")) {
			yj_refusal_field(&a->ref, "reason", "请写明提请复议的理由");
			rc = yj_refuse_invalid(&a->ref, NULL);
			goto out;
		}
		if ((rc = enf_days_after(c, today, enf_setting(c, "reconsider_decide_days", 3), due)) < 0)
			goto out;
		const char *p[] = {today, enf_str(b, "reason"), due, NULL};
		rc = enf_tr_update(c, tr, action, p);
		data = json_pack("{s:s, s:s}", "reason", enf_str(b, "reason"), "reconsider_due", due);
	} else { /* reconsider_result */
		const char *res = enf_str(b, "result"), *on = enf_str(b, "decided_on");
		int64_t d, t;
		yj_day_parse(today, &t);
		if (strcmp(res, "upheld") && strcmp(res, "reversed"))
			yj_refusal_field(&a->ref, "result", "请选择复议决定：upheld（维持不予立案）或 reversed（立案）");
		if (yj_day_parse(on, &d) < 0 || d > t || strcmp(on, enf_str(tr, "reconsider_requested_on")) < 0)
			yj_refusal_field(&a->ref, "decided_on", "请填写复议决定的日期（提请复议之日至今天）");
		if (yj_refusal_has_fields(&a->ref)) {
			rc = yj_refuse_invalid(&a->ref, NULL);
			goto out;
		}
		const char *p[] = {res, res, on, NULL};
		rc = enf_tr_update(c, tr, action, p);
		data = json_pack("{s:s, s:s}", "result", res, "decided_on", on);
	}
step:
	if (rc < 0) {
		json_decref(data);
		goto out;
	}
	{
		char name[48];
		snprintf(name, sizeof name, "police_transfer_%s", action);
		rc = enf_side_step(c, a->id, row, name, k.state, k.state, actor, today, data);
	}
done_step:
done:
	if (rc < 0)
		goto out;
	json_decref(tr);
	json_decref(row);
	tr = row = NULL;
	yj_scope all;
	yj_scope_unrestricted(&all);
	if ((rc = enf_case_load(c, &all, a->id, &row, &k)) < 0 || (rc = enf_tr_latest(c, a->id, &tr)) < 0 ||
	    (rc = tr_todo(c, tr, row, &k)) < 0 || (rc = enf_todos_sync(c, a->id)) < 0)
		goto out;
	rc = enf_case_full(c, &a->who->scope, a->id, &a->out);
out:
	json_decref(tr);
	json_decref(row);
	return rc;
}

