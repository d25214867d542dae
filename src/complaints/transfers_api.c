/* transfers_api.c — the routes of clue transfers between departments (线索移送): send and reply through
 * the complaints' one runner, one transfer from either end, and the inbox and outbox with their overdue
 * filter (docs/complaints.md, "Transfers"). */
#define _POSIX_C_SOURCE 200809L
#include "transfers_int.h"

#include <string.h>

#define HANDLERS (ROLE_ADMIN | ROLE_INSPECTOR | ROLE_LEADER | ROLE_LIAISON)

static int send(yj_req *r) { return cmp_op_run(r, trf_send_tx, 201, NULL, NULL); }
static int reply(yj_req *r) { return cmp_op_run(r, trf_reply_tx, 200, "id", NULL); }

static int get(yj_req *r)
{
	int64_t id;
	json_t *t = NULL;
	if (yj_path_id_or_reply(r, "id", &id) < 0)
		return YJ_OK;
	int rc = trf_load(store_conn_get(yj_store(r)), &yj_who(r)->scope, id, &t);
	return rc == ST_NOTFOUND ? yj_reply_not_found(r) : rc < 0 ? yj_reply_store_error(r, rc) : yj_reply_json(r, 200, t);
}

/* The list's query with the request's filters (the list and its export); NULL after replying 400. */
static yj_qb *filtered(yj_req *r)
{
	const char *box = yj_query(r, "box"), *overdue = yj_query(r, "overdue");
	if (box && strcmp(box, "in") && strcmp(box, "out")) {
		yj_reply_problem(r, 400, "validation", "参数错误", "box 应为 in（收到的移送）或 out（发出的移送）。");
		return NULL;
	}
	return trf_box_query(&yj_who(r)->scope, box && !strcmp(box, "out"), yj_query(r, "state"),
			     overdue && !strcmp(overdue, "true"));
}

static int list(yj_req *r) { return cmp_reply_list(r, filtered, trf_row_json); }

static const yj_column export_cols[] = {
	{"title", "标题"}, {"from_department", "移送部门"}, {"to_department", "接收部门"}, {"region_code", "行政区划代码"},
	{"subject_name", "涉及对象"}, {"content", "移送内容"}, {"sent_on", "移送日期"}, {"due_on", "答复期限"},
	{"state", "状态"}, {"replied_on", "答复日期"}, {"reply_text", "答复内容"}, {"overdue", "已逾期"}, {NULL, NULL},
};

static int export(yj_req *r)
{
	yj_qb *q = filtered(r);
	return q ? yj_reply_id_export(r, q, "id", "transfers", export_cols, trf_row_json, NULL) : YJ_OK;
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

static const yj_qparam export_q[] = {
	{"box", "in (default: transfers to the caller's department) or out (from it)"},
	{"state", "sent | replied"},
	{"overdue", "true: unanswered after the due day, or answered late"},
	{"format", "xlsx (default), csv or count"},
	{NULL, NULL},
};

const yj_route yj_cmp_transfer_routes[] = {
	{"GET", "/api/v1/transfers", list, HANDLERS, NULL, list_q, "complaints",
	 "Clue transfers received (box=in) or sent (box=out) by the caller's department", "{items, next_cursor}", 200},
	{"POST", "/api/v1/transfers", send, HANDLERS, send_body, NULL, "complaints",
	 "Transfer a matter to another department, which replies in writing within 15 days", "The transfer", 201},
	{"GET", "/api/v1/transfers/export", export, HANDLERS, NULL, export_q, "complaints",
	 "The transfers of the list's filters as Excel or CSV (?format=count: their number)", "file", 200},
	{"GET", "/api/v1/transfers/{id}", get, HANDLERS, NULL, NULL, "complaints", "One transfer, from either end",
	 "The transfer", 200},
	{"POST", "/api/v1/transfers/{id}/reply", reply, HANDLERS, reply_body, NULL, "complaints",
	 "The receiving department's written reply (复函)", "The transfer", 200},
	{NULL, NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL, 0},
};
