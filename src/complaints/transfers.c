/* transfers.c — clue transfers between departments (线索移送/转报, R6.1): a department sends a matter
 * to another, which answers in writing within 15 days (the seed plans); the receiver finds it in its
 * to-do inbox, the sender in its outbox; an unanswered transfer past its day is escalated once to
 * the health commission's leaders by the hourly job. Routes /api/v1/transfers… (docs/complaints.md). */
#define _POSIX_C_SOURCE 200809L
#include "cmp_int.h"
#include "../platform/regions/regions.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TRANSFER_DAYS 15
/* How far back a transfer sent on paper may be recorded (补录). */
#define SENT_ON_BACK_DAYS 90
#define HANDLERS (ROLE_ADMIN | ROLE_INSPECTOR | ROLE_LEADER | ROLE_LIAISON)

/* The same table seen from each end: the receiver's remit scopes the inbox, the sender's the outbox. */
static const yj_table in_t = {"complaint_transfers", "region_code", "to_department", NULL};
static const yj_table out_t = {"complaint_transfers", "region_code", "from_department", NULL};
#define T_COLS                                                                                                  \
	"id, from_department, to_department, region_code, title, content, subject_name, complaint_id, state, sent_on," \
	" due_on, reply_text, replied_on, escalated_at, created_at"

/* A row of T_COLS; overdue: unanswered after its day, or answered after it (late). */
static json_t *row_json(store_stmt *st, void *arg)
{
	(void)arg;
	char today[11];
	yj_day_today(today);
	const char *state = store_col_text(st, 8), *due = store_col_text(st, 10), *replied = store_col_text(st, 12);
	int open = !strcmp(state, "sent");
	json_t *o = json_pack("{s:o, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:s, s:s, s:s, s:o, s:b, s:b, s:b, s:I}", "id",
			      yj_json_id(store_col_int64(st, 0)), "from_department", store_col_text(st, 1), "to_department",
			      store_col_text(st, 2), "region_code", store_col_text(st, 3), "title", store_col_text(st, 4),
			      "content", store_col_text(st, 5), "subject_name", store_col_text(st, 6), "complaint_id",
			      store_col_is_null(st, 7) ? json_null() : yj_json_id(store_col_int64(st, 7)), "state", state,
			      "sent_on", store_col_text(st, 9), "due_on", due, "reply_text", store_col_text(st, 11),
			      "replied_on", cmp_text_or_null(st, 12), "overdue", open && strcmp(today, due) > 0, "late",
			      !open && replied && strcmp(replied, due) > 0, "escalated", !store_col_is_null(st, 13),
			      "created_at", (json_int_t)store_col_int64(st, 14));
	return o;
}

/* The transfer in either box of sc: ST_OK, ST_NOTFOUND or a failure. */
static int load(store_conn *c, const yj_scope *sc, int64_t id, json_t **out)
{
	store_stmt *st;
	int rc = yj_q_one_by_id(c, &in_t, T_COLS, sc, id, &st);
	if (rc == ST_NOTFOUND)
		rc = yj_q_one_by_id(c, &out_t, T_COLS, sc, id, &st);
	if (rc != ST_OK)
		return rc;
	*out = row_json(st, NULL);
	store_finalize(st);
	return ST_OK;
}

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

static int send_tx(store_conn *c, void *argp)
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
	int64_t d, t0, id = yj_id_new(), now = yj_now_ms();
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
	store_stmt *st = store_prepare(c, "INSERT INTO complaint_transfers (id, from_department, to_department, region_code, title,"
					  " content, subject_name, complaint_id, state, sent_on, due_on, reply_text, created_by,"
					  " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'sent', ?, ?, '', ?, ?, ?)");
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, id);
	store_bind_text(st, 2, who->department, -1);
	store_bind_text(st, 3, to, -1);
	store_bind_text(st, 4, region, -1);
	store_bind_text(st, 5, cmp_s(b, "title"), -1);
	store_bind_text(st, 6, cmp_s(b, "content"), -1);
	store_bind_text(st, 7, cmp_s(b, "subject_name"), -1);
	if (complaint)
		store_bind_int64(st, 8, complaint);
	else
		store_bind_null(st, 8);
	store_bind_text(st, 9, sent, -1);
	store_bind_text(st, 10, due, -1);
	store_bind_text(st, 11, actor, -1);
	store_bind_int64(st, 12, now);
	store_bind_int64(st, 13, now);
	rc = store_step(st);
	store_finalize(st);
	yj_scope all;
	yj_scope_unrestricted(&all);
	json_decref(a->out);
	a->out = NULL;
	if (rc < 0 || (rc = load(c, &all, id, &a->out)) < 0)
		return rc;
	json_t *state = json_pack("{s:s, s:s, s:s, s:s}", "from_department", who->department, "to_department", to, "sent_on", sent,
				  "due_on", due);
	if ((rc = audit(c, actor, "complaint.transfer.send", a->out, state)) >= 0)
		rc = todo(c, a->out, "complaints.transfer", "移送待复函", "待书面复函的移送线索", to, "liaison", due);
	json_decref(state);
	return rc;
}

static int reply_tx(store_conn *c, void *argp)
{
	cmp_op *a = argp;
	const yj_principal *who = a->who;
	const char *text = json_string_value(json_object_get(a->body, "text"));
	json_decref(a->out);
	a->out = NULL;
	int rc = load(c, &who->scope, a->id, &a->out);
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
	store_stmt *st = store_prepare(c, "UPDATE complaint_transfers SET state = 'replied', reply_text = ?, replied_on = ?,"
					  " updated_at = ? WHERE id = ?");
	if (!st)
		return ST_ERR;
	store_bind_text(st, 1, text, -1);
	store_bind_text(st, 2, today, -1);
	store_bind_int64(st, 3, yj_now_ms());
	store_bind_int64(st, 4, a->id);
	rc = store_step(st);
	store_finalize(st);
	yj_scope all;
	yj_scope_unrestricted(&all);
	json_decref(a->out);
	a->out = NULL;
	if (rc < 0 || (rc = load(c, &all, a->id, &a->out)) < 0)
		return rc;
	json_t *state = json_pack("{s:s, s:b}", "replied_on", today, "late", json_is_true(json_object_get(a->out, "late")));
	if ((rc = audit(c, actor, "complaint.transfer.reply", a->out, state)) >= 0 &&
	    (rc = yj_todo_close(c, "complaints.transfer", "complaint_transfer", a->id, YJ_TODO_DONE)) >= 0)
		rc = yj_todo_close(c, "complaints.transfer_overdue", "complaint_transfer", a->id, YJ_TODO_DONE);
	json_decref(state);
	return rc;
}

static int send(yj_req *r) { return cmp_op_run(r, send_tx, 201, NULL, NULL); }
static int reply(yj_req *r) { return cmp_op_run(r, reply_tx, 200, "id", NULL); }

static int get(yj_req *r)
{
	int64_t id;
	json_t *t = NULL;
	if (yj_path_id_or_reply(r, "id", &id) < 0)
		return YJ_OK;
	int rc = load(store_conn_get(yj_store(r)), &yj_who(r)->scope, id, &t);
	return rc == ST_NOTFOUND ? yj_reply_not_found(r) : rc < 0 ? yj_reply_store_error(r, rc) : yj_reply_json(r, 200, t);
}

static int list(yj_req *r)
{
	int limit;
	int64_t after;
	const char *box = yj_query(r, "box"), *v;
	if (box && strcmp(box, "in") && strcmp(box, "out"))
		return yj_reply_problem(r, 400, "validation", "参数错误", "box 应为 in（收到的移送）或 out（发出的移送）。");
	if (yj_page_id_or_reply(r, &limit, &after) < 0)
		return YJ_OK;
	yj_qb *q = yj_q_select(box && !strcmp(box, "out") ? &out_t : &in_t, T_COLS, &yj_who(r)->scope);
	if ((v = yj_query(r, "state")) && *v) {
		yj_q_where(q, "state = ?");
		yj_q_text(q, v);
	}
	if ((v = yj_query(r, "overdue")) && !strcmp(v, "true")) {
		char today[11];
		yj_day_today(today);
		yj_q_where(q, "((state = 'sent' AND due_on < ?) OR (state = 'replied' AND replied_on > due_on))");
		yj_q_text(q, today);
	}
	return yj_reply_id_page(r, q, "id", limit, after, row_json, NULL);
}

/* ---- the hourly escalation (called by the 督办 job, overdue.c) ---- */


static int escalate_tx(store_conn *c, void *argp)
{
	cmp_sweep_arg *a = argp;
	yj_scope all;
	yj_scope_unrestricted(&all);
	json_t *t = NULL;
	a->done = 0;
	int rc = load(c, &all, a->id, &t);
	if (rc < 0)
		return rc == ST_NOTFOUND ? ST_OK : rc;
	if (strcmp(cmp_s(t, "state"), "sent") || json_is_true(json_object_get(t, "escalated")) ||
	    strcmp(a->today, cmp_s(t, "due_on")) <= 0) {
		json_decref(t);
		return ST_OK; /* answered or escalated meanwhile */
	}
	store_stmt *st = store_prepare(c, "UPDATE complaint_transfers SET escalated_at = ?, updated_at = ? WHERE id = ?");
	if (!st) {
		json_decref(t);
		return ST_ERR;
	}
	int64_t now = yj_now_ms();
	store_bind_int64(st, 1, now);
	store_bind_int64(st, 2, now);
	store_bind_int64(st, 3, a->id);
	rc = store_step(st);
	store_finalize(st);
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
	return cmp_sweep(s,
			 "SELECT id FROM complaint_transfers WHERE state = 'sent' AND due_on < ? AND escalated_at IS NULL AND id > ? ORDER BY id LIMIT 200",
			 today, escalate_tx, escalated);
}

int yj_cmp_seed_transfer(store_conn *c, const char *ref, const char *from, const char *to, const char *region,
			 const char *title, const char *content, const char *sent_on, const char *reply, const char *replied_on,
			 const char *actor)
{
	/* the demo's reference is the title's tail: a re-run finds it and adds nothing */
	store_stmt *st = store_prepare(c, "SELECT COUNT(*) FROM complaint_transfers WHERE title = ?");
	char *full = yj_asprintf("%s（%s）", title, ref);
	int64_t d, n = 0, id = yj_id_new(), now = yj_now_ms();
	char due[11];
	int rc = ST_ERR;
	if (!st || yj_day_parse(sent_on, &d) < 0)
		goto done;
	store_bind_text(st, 1, full, -1);
	if ((rc = store_step(st)) == ST_ROW)
		n = store_col_int64(st, 0);
	store_finalize(st);
	st = NULL;
	if (rc < 0 || n) {
		rc = rc < 0 ? rc : 0;
		goto done;
	}
	yj_day_format(d + TRANSFER_DAYS, due);
	if (!(st = store_prepare(c, "INSERT INTO complaint_transfers (id, from_department, to_department, region_code, title,"
				    " content, subject_name, state, sent_on, due_on, reply_text, replied_on, created_by, created_at,"
				    " updated_at) VALUES (?, ?, ?, ?, ?, ?, '', ?, ?, ?, ?, ?, ?, ?, ?)"))) {
		rc = ST_ERR;
		goto done;
	}
	store_bind_int64(st, 1, id);
	store_bind_text(st, 2, from, -1);
	store_bind_text(st, 3, to, -1);
	store_bind_text(st, 4, region, -1);
	store_bind_text(st, 5, full, -1);
	store_bind_text(st, 6, content, -1);
	store_bind_text(st, 7, reply ? "replied" : "sent", -1);
	store_bind_text(st, 8, sent_on, -1);
	store_bind_text(st, 9, due, -1);
	store_bind_text(st, 10, reply ? reply : "", -1);
	store_bind_text(st, 11, replied_on, -1);
	store_bind_text(st, 12, actor, -1);
	store_bind_int64(st, 13, now);
	store_bind_int64(st, 14, now);
	rc = store_step(st);
	store_finalize(st);
	st = NULL;
	json_t *t = NULL;
	yj_scope all;
	yj_scope_unrestricted(&all);
	if (rc >= 0 && (rc = load(c, &all, id, &t)) >= 0) {
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

static const yj_field send_body[] = {
	{"to_department", F_STRING, 1, 32, "The receiving department (another than the caller's)"},
	{"title", F_STRING, 1, 100, "One line on the matter"},
	{"content", F_STRING, 1, 5000, "The facts and clues transferred"},
	{"region_code", F_STRING, 1, 12, "Where (GB/T 2260), within the caller's territory"},
	{"subject_name", F_STRING, 0, 200, "The institution or person concerned"},
	{"complaint_id", F_STRING, 0, 20, "The complaint it comes from, if any"},
	{"sent_on", F_STRING, 0, 10, "The day the letter was sent, when recorded afterwards (YYYY-MM-DD, up to 90 days back; default today)"},
	{NULL, 0, 0, 0, NULL},
};
static const yj_field reply_body[] = {
	{"text", F_STRING, 1, 5000, "The written reply (复函): what was found and done"},
	{NULL, 0, 0, 0, NULL},
};
static const yj_qparam list_q[] = {
	{"box", "in (default: transfers to the caller's department) or out (from it)"},
	{"state", "sent | replied"},
	{"overdue", "true: unanswered after the due day, or answered late"},
	YJ_QP_PAGE,
	{NULL, NULL},
};

const yj_route yj_cmp_transfer_routes[] = {
	{"GET", "/api/v1/transfers", list, HANDLERS, NULL, list_q, "complaints",
	 "Clue transfers received (box=in) or sent (box=out) by the caller's department", "{items, next_cursor}", 200},
	{"POST", "/api/v1/transfers", send, HANDLERS, send_body, NULL, "complaints",
	 "Transfer a matter to another department, which replies in writing within 15 days", "The transfer", 201},
	{"GET", "/api/v1/transfers/{id}", get, HANDLERS, NULL, NULL, "complaints", "One transfer, from either end",
	 "The transfer", 200},
	{"POST", "/api/v1/transfers/{id}/reply", reply, HANDLERS, reply_body, NULL, "complaints",
	 "The receiving department's written reply (复函)", "The transfer", 200},
	{NULL, NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL, 0},
};
