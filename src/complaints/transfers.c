/* transfers.c — clue transfers between departments (线索移送/转报, R6.1), their rules and writes: a
 * department sends a matter to another, which answers in writing within 15 days (the seed plans); the
 * receiver finds it in its to-do inbox, the sender in its outbox; an unanswered transfer past its day is
 * escalated once to the health commission's leaders by the hourly job. The SQL is in transfers_store.c,
 * the routes /api/v1/transfers… in transfers_api.c (docs/complaints.md, "Transfers"). */
#define _POSIX_C_SOURCE 200809L
#include "transfers_int.h"
#include "../platform/regions/regions.h"
#include "../base/date.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TRANSFER_DAYS 15
/* How far back a transfer sent on paper may be recorded (补录). */
#define SENT_ON_BACK_DAYS 90

static int todo(store_conn *c, const json_t *t, const char *kind, const char *label, const char *what,
		const char *department, const char *role, const char *due)
{
	int64_t id = 0;
	yj_id_parse(cmp_s(t, "id"), &id);
	char *title = yj_asprintf("%s：%s", what, cmp_s(t, "title")), link[64];
	snprintf(link, sizeof link, "/transfers/%s", cmp_s(t, "id"));
	yj_todo td = {.kind = kind, .kind_label = label, .title = title, .object_type = "complaint_transfer", .object_id = id,
		      .link = link, .due_date = due, .region_code = cmp_s(t, "region_code"), .department = department,
		      .role = role};
	int rc = yj_todo_put(c, &td);
	free(title);
	return rc;
}

static int audit(store_conn *c, const char *actor, const char *action, const json_t *t, const json_t *state)
{
	yj_audit_event ev = {actor, action, "complaint_transfer", cmp_s(t, "id"), cmp_s(t, "region_code"), state};
	return yj_audit_append(c, &ev, NULL);
}

int trf_send_tx(store_conn *c, void *argp)
{
	cmp_op *a = argp;
	const yj_principal *who = a->who;
	const json_t *b = a->body;
	const char *to = cmp_s(b, "to_department"), *region = cmp_s(b, "region_code"), *cid = json_string_value(json_object_get(b, "complaint_id"));
	char name[64];
	int rc = yj_department_name(c, to, name, sizeof name);
	if (rc < 0 && rc != ST_NOTFOUND)
		return rc;
	if (rc == ST_NOTFOUND || !strcmp(to, who->department))
		yj_refusal_field(&a->ref, "to_department", "请选择接收的其他部门（不能移送给本部门）");
	if ((rc = yj_region_exists(c, region)) < 0)
		return rc;
	if (!rc || !yj_scope_allows(&who->scope, region, NULL))
		yj_refusal_field(&a->ref, "region_code", "应为您辖区内的行政区划代码");
	for (const char *k = cmp_s(b, "title"); *k; k++)
		if ((unsigned char)*k < 0x20)
			yj_refusal_field(&a->ref, "title", "标题不能含有控制字符");
	if (yj_utf8_len(cmp_s(b, "content"), strlen(cmp_s(b, "content"))) < 5)
		yj_refusal_field(&a->ref, "content", "请用至少 5 个字写明移送的事实和线索");
	int64_t complaint = 0;
	if (cid) {
		json_t *m = NULL;
		if (yj_id_parse(cid, &complaint) < 0 || (rc = cmp_load(c, &who->scope, complaint, &m)) == ST_NOTFOUND)
			yj_refusal_field(&a->ref, "complaint_id", "没有这件投诉举报，或它不在您的辖区和职责范围内");
		else if (rc < 0)
			return rc;
		json_decref(m);
	}
	/* A letter sent on paper may be recorded afterwards (补录): its 15 days run from the day it was sent. */
	char today[11], sent[11], due[11], actor[21];
	int64_t d, t0, id = yj_id_new();
	const char *sent_on = json_string_value(json_object_get(b, "sent_on"));
	yj_day_today(today);
	yj_day_parse(today, &t0);
	d = t0;
	if (sent_on && (yj_day_parse(sent_on, &d) < 0 || d > t0 || d < t0 - SENT_ON_BACK_DAYS)) {
		yj_refusal_field(&a->ref, "sent_on", "应为移送函发出的日期 YYYY-MM-DD，不晚于今天，不早于 90 天前；当天移送不填");
		d = t0;
	}
	if (yj_refusal_has_fields(&a->ref))
		return yj_refuse_invalid(&a->ref, NULL);
	yj_day_format(d, sent);
	yj_day_format(d + TRANSFER_DAYS, due);
	yj_id_format(who->user_id, actor);
	trf_row row = {.id = id, .complaint = complaint, .from = who->department, .to = to, .region = region,
		       .title = cmp_s(b, "title"), .content = cmp_s(b, "content"), .subject_name = cmp_s(b, "subject_name"),
		       .sent_on = sent, .due_on = due, .actor = actor};
	rc = trf_insert(c, &row);
	yj_scope all;
	yj_scope_unrestricted(&all);
	json_decref(a->out);
	a->out = NULL;
	if (rc < 0 || (rc = trf_load(c, &all, id, &a->out)) < 0)
		return rc;
	json_t *state = json_pack("{s:s, s:s, s:s, s:s}", "from_department", who->department, "to_department", to, "sent_on", sent,
				  "due_on", due);
	if ((rc = audit(c, actor, "complaint.transfer.send", a->out, state)) >= 0)
		rc = todo(c, a->out, "complaints.transfer", "移送待复函", "待书面复函的移送线索", to, "liaison", due);
	json_decref(state);
	return rc;
}

int trf_reply_tx(store_conn *c, void *argp)
{
	cmp_op *a = argp;
	const yj_principal *who = a->who;
	const char *text = json_string_value(json_object_get(a->body, "text"));
	json_decref(a->out);
	a->out = NULL;
	int rc = trf_load(c, &who->scope, a->id, &a->out);
	if (rc == ST_NOTFOUND)
		return yj_refuse(&a->ref, 404, "not-found", "移送不存在", "没有这件移送，或它不在您的辖区和职责范围内。");
	if (rc < 0)
		return rc;
	if (strcmp(who->department, cmp_s(a->out, "to_department")))
		return yj_refuse(&a->ref, 403, "not-your-matter", "不是移送给本部门的件",
				 "只有接收移送的部门才能书面复函；发送部门请等待复函，逾期会报卫生健康委督办。");
	if (strcmp(cmp_s(a->out, "state"), "sent"))
		return yj_refuse(&a->ref, 409, "already-done", "已复函", "该移送已于 %s 复函，无需重复。", cmp_s(a->out, "replied_on"));
	if (!text || yj_utf8_len(text, strlen(text)) < 5) {
		yj_refusal_field(&a->ref, "text", "请写明复函内容（至少 5 个字）：核查情况和处理结果");
		return yj_refuse_invalid(&a->ref, NULL);
	}
	char today[11], actor[21];
	yj_day_today(today);
	yj_id_format(who->user_id, actor);
	rc = trf_set_replied(c, a->id, text, today);
	yj_scope all;
	yj_scope_unrestricted(&all);
	json_decref(a->out);
	a->out = NULL;
	if (rc < 0 || (rc = trf_load(c, &all, a->id, &a->out)) < 0)
		return rc;
	json_t *state = json_pack("{s:s, s:b}", "replied_on", today, "late", json_is_true(json_object_get(a->out, "late")));
	if ((rc = audit(c, actor, "complaint.transfer.reply", a->out, state)) >= 0 &&
	    (rc = yj_todo_close(c, "complaints.transfer", "complaint_transfer", a->id, YJ_TODO_DONE)) >= 0)
		rc = yj_todo_close(c, "complaints.transfer_overdue", "complaint_transfer", a->id, YJ_TODO_DONE);
	json_decref(state);
	return rc;
}

/* ---- the hourly escalation (called by the 督办 job, overdue.c) ---- */


static int escalate_tx(store_conn *c, void *argp)
{
	cmp_sweep_arg *a = argp;
	yj_scope all;
	yj_scope_unrestricted(&all);
	json_t *t = NULL;
	a->done = 0;
	int rc = trf_load(c, &all, a->id, &t);
	if (rc < 0)
		return rc == ST_NOTFOUND ? ST_OK : rc;
	if (strcmp(cmp_s(t, "state"), "sent") || json_is_true(json_object_get(t, "escalated")) ||
	    strcmp(a->today, cmp_s(t, "due_on")) <= 0) {
		json_decref(t);
		return ST_OK; /* answered or escalated meanwhile */
	}
	rc = trf_set_escalated(c, a->id);
	json_t *state = json_pack("{s:s, s:s}", "due_on", cmp_s(t, "due_on"), "today", a->today);
	if (rc >= 0 && (rc = audit(c, "system", "complaint.transfer.escalate", t, state)) >= 0)
		rc = todo(c, t, "complaints.transfer_overdue", "移送逾期", "移送逾期未复函，请督办", CMP_DESK, "leader", NULL);
	json_decref(state);
	json_decref(t);
	a->done = rc >= 0;
	return rc < 0 ? rc : ST_OK;
}

int yj_cmp_transfers_overdue_run(store *s, const char *today, int *escalated)
{
	return cmp_sweep(s, TRF_OVERDUE_SQL, today, escalate_tx, escalated);
}

int yj_cmp_seed_transfer(store_conn *c, const char *ref, const char *from, const char *to, const char *region,
			 const char *title, const char *content, const char *sent_on, const char *reply, const char *replied_on,
			 const char *actor)
{
	/* the demo's reference is the title's tail: a re-run finds it and adds nothing */
	char *full = yj_asprintf("%s（%s）", title, ref);
	int64_t d, n = 0;
	char due[11];
	int rc = ST_ERR;
	if (yj_day_parse(sent_on, &d) < 0 || (rc = trf_titled(c, full, &n)) < 0 || n) {
		rc = rc < 0 ? rc : 0;
		goto done;
	}
	yj_day_format(d + TRANSFER_DAYS, due);
	trf_row row = {.id = yj_id_new(), .from = from, .to = to, .region = region, .title = full, .content = content,
		       .sent_on = sent_on, .due_on = due, .reply = reply, .replied_on = replied_on, .actor = actor};
	int64_t id = row.id;
	rc = trf_insert(c, &row);
	json_t *t = NULL;
	yj_scope all;
	yj_scope_unrestricted(&all);
	if (rc >= 0 && (rc = trf_load(c, &all, id, &t)) >= 0) {
		json_t *state = json_pack("{s:s, s:s, s:s}", "from_department", from, "to_department", to, "due_on", due);
		if ((rc = audit(c, actor, "complaint.transfer.send", t, state)) >= 0 && !reply)
			rc = todo(c, t, "complaints.transfer", "移送待复函", "待书面复函的移送线索", to, "liaison", due);
		json_decref(state);
	}
	json_decref(t);
	rc = rc < 0 ? rc : 1;
done:
	free(full);
	return rc;
}

