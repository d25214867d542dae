/* complaints_api.c — the console's matters: entry of phone and walk-in complaints, the scoped list
 * and its export, a matter with its steps, units and attachments, the duplicates offered for merging,
 * the audited disclosure of the reporter, and one route per handling step (actions.c). */
#define _POSIX_C_SOURCE 200809L
#include "actions.h"
#include "intake.h"
#include "../platform/pii/pii.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Roles that handle matters: the desk's and the units' liaisons, inspectors, leaders, administrators. */
#define HANDLERS (ROLE_ADMIN | ROLE_INSPECTOR | ROLE_LEADER | ROLE_LIAISON)
/* Who may ask for the reporter in clear: any handler; whether it is shown depends on who took the
 * matter in hand (yj_cmp_reporter_access, docs/security.md). */
#define REPORTER_ROLES HANDLERS

static void actor_of(yj_req *r, char out[21])
{
	yj_id_format(yj_who(r)->user_id, out);
}

/* A matter as a handler sees it: the reporter reduced to anonymity and a masked phone. */
static json_t *present(json_t *m)
{
	const char *state = json_string_value(json_object_get(m, "state"));
	json_object_set_new(m, "state_label", json_string(yj_cmp_state_label(state ? state : "")));
	json_object_set_new(m, "reporter", json_pack("{s:O, s:O}", "anonymous", json_object_get(m, "anonymous"),
						     "phone_masked", json_object_get(m, "phone_masked")));
	json_object_del(m, "phone_masked");
	return m;
}

static json_t *row(store_stmt *st, void *arg)
{
	json_t *m = present(cmp_row_json(st, arg));
	json_object_del(m, "content"); /* lists stay small; the matter's page has it */
	return m;
}

static int create(yj_req *r)
{
	char actor[21];
	actor_of(r, actor);
	cmp_intake in = {.r = r, .body = yj_body(r), .sc = &yj_who(r)->scope, .is_public = 0, .actor = actor};
	cmp_intake_epoch(r, &in);
	if (yj_tx_or_reply(r, cmp_intake_tx, &in, &in.ref) < 0)
		return YJ_OK;
	return yj_reply_json(r, 201, present(in.out));
}

/* The list's filters, shared by the page and the export. YJ_ERR after replying 400. */
static int filters(yj_req *r, yj_qb *q)
{
	const char *v;
	char today[11];
	if ((v = yj_query(r, "state")) && *v) {
		yj_q_where(q, "state = ?");
		yj_q_text(q, v);
	}
	if ((v = yj_query(r, "category")) && *v) {
		yj_q_where(q, "category = ?");
		yj_q_text(q, v);
	}
	if ((v = yj_query(r, "channel")) && *v) {
		yj_q_where(q, "channel = ?");
		yj_q_text(q, v);
	}
	if ((v = yj_query(r, "subject")) && *v) { /* the subject's 一户一档 page: the matters that name it */
		int64_t sid;
		if (yj_id_parse(v, &sid) < 0) {
			yj_reply_problem(r, 400, "validation", "参数错误", "subject 应为主体编号（主体库中机构或人员的编号）。");
			return YJ_ERR;
		}
		yj_q_where(q, "subject_id = ?");
		yj_q_int(q, sid);
	}
	if ((v = yj_query(r, "region")) && *v) {
		size_t n = strlen(v);
		if ((n != 6 && n != 9) || strspn(v, "0123456789") != n) {
			yj_reply_problem(r, 400, "validation", "参数错误", "region 应为 6 位或 9 位行政区划代码。");
			return YJ_ERR;
		}
		yj_q_region(q, "region_code", v);
	}
	if ((v = yj_query(r, "overdue")) && !strcmp(v, "true")) {
		yj_day_today(today);
		yj_q_where(q, "paused = 0 AND ((state = 'dispatched' AND accept_due < ?) OR (state = 'accepted' AND handle_due < ?))");
		yj_q_text(q, today);
		yj_q_text(q, today);
	}
	return YJ_OK;
}

static int list(yj_req *r)
{
	int limit;
	int64_t after;
	if (yj_page_id_or_reply(r, &limit, &after) < 0)
		return YJ_OK;
	yj_qb *q = yj_q_select(&cmp_t, CMP_COLS, &yj_who(r)->scope);
	if (filters(r, q) < 0) {
		yj_q_free(q);
		return YJ_OK;
	}
	return yj_reply_id_page(r, q, "id", limit, after, row, NULL);
}

static const yj_column export_cols[] = {
	{"tracking_code", "查询码"}, {"received_on", "登记日期"}, {"channel", "来源"},	  {"category", "分类"},
	{"title", "标题"},	     {"region_code", "事发地"},	 {"department", "办理部门"}, {"state_label", "状态"},
	{"reply_due", "答复期限"},   {"replied_on", "答复日期"}, {"satisfaction", "满意度"}, {NULL, NULL},
};

static int export(yj_req *r)
{
	yj_qb *q = yj_q_select(&cmp_t, CMP_COLS, &yj_who(r)->scope);
	if (filters(r, q) < 0) {
		yj_q_free(q);
		return YJ_OK;
	}
	yj_q_tail(q, "ORDER BY id");
	return yj_reply_export_stmt(r, "complaints", export_cols, yj_q_prepare(q, store_conn_get(yj_store(r))), row, NULL);
}

static int get(yj_req *r)
{
	int64_t id;
	if (yj_path_id_or_reply(r, "id", &id) < 0)
		return YJ_OK;
	store_conn *c = store_conn_get(yj_store(r));
	json_t *m = NULL, *steps = NULL, *units = NULL, *files = NULL;
	int rc = store_begin(c, 0);
	if (rc >= 0 && (rc = cmp_load_as_unit(c, &yj_who(r)->scope, yj_who(r)->department, id, &m)) >= 0 &&
	    (rc = cmp_steps_json(c, id, 0, &steps)) >= 0 &&
	    (rc = cmp_units_json(c, id, &units)) >= 0)
		rc = cmp_attachments_json(c, id, &files);
	store_rollback(c);
	if (rc < 0) {
		json_decref(m);
		json_decref(steps);
		json_decref(units);
		return rc == ST_NOTFOUND ? yj_reply_not_found(r) : yj_reply_store_error(r, rc);
	}
	json_object_set_new(m, "steps", steps);
	json_object_set_new(m, "units", units);
	json_object_set_new(m, "attachments", files);
	return yj_reply_json(r, 200, present(m));
}

static int duplicates(yj_req *r)
{
	int64_t id;
	if (yj_path_id_or_reply(r, "id", &id) < 0)
		return YJ_OK;
	store_conn *c = store_conn_get(yj_store(r));
	json_t *m = NULL, *items = NULL;
	int rc = store_begin(c, 0);
	if (rc >= 0 && (rc = cmp_load(c, &yj_who(r)->scope, id, &m)) >= 0)
		rc = cmp_duplicates(c, &yj_who(r)->scope, m, yj_now_ms() - (int64_t)YJ_CMP_DUP_WINDOW_DAYS * YJ_DAY_MS, &items);
	store_rollback(c);
	json_decref(m);
	if (rc < 0)
		return rc == ST_NOTFOUND ? yj_reply_not_found(r) : yj_reply_store_error(r, rc);
	return yj_reply_json(r, 200, json_pack("{s:o, s:i, s:i}", "items", items, "threshold_permille",
					       YJ_CMP_DUP_THRESHOLD, "window_days", YJ_CMP_DUP_WINDOW_DAYS));
}

static int categories(yj_req *r)
{
	json_t *items = NULL;
	int rc = cmp_categories_json(store_conn_get(yj_store(r)), &items);
	return rc < 0 ? yj_reply_store_error(r, rc) : yj_reply_json(r, 200, json_pack("{s:o}", "items", items));
}

/* ---- the reporter in clear: audited, rate limited, only for the handler and the desk's revisit ---- */

struct reporter_arg {
	yj_req *r;
	int64_t id;
	char *clear;
	yj_refusal ref;
};

static int reporter_tx(store_conn *c, void *arg)
{
	struct reporter_arg *a = arg;
	json_t *m = NULL;
	char *sealed = NULL, actor[21];
	int rc = cmp_load(c, &yj_who(a->r)->scope, a->id, &m);
	if (rc == ST_NOTFOUND)
		return yj_refuse(&a->ref, 404, "not-found", "投诉举报不存在", "没有这件投诉举报，或它不在您的辖区和职责范围内。");
	if (rc < 0)
		return rc;
	const yj_principal *who = yj_who(a->r);
	const char *dept = json_string_value(json_object_get(m, "department"));
	const char *mstate = json_string_value(json_object_get(m, "state"));
	char accepted_by[21];
	actor_of(a->r, actor);
	if (json_is_true(json_object_get(m, "anonymous"))) {
		json_decref(m);
		return yj_refuse(&a->ref, 404, "anonymous", "匿名投诉举报", "这是匿名投诉举报，没有保存投诉人的身份和联系方式。");
	}
	if ((rc = cmp_accepted_by(c, a->id, accepted_by)) < 0)
		goto done;
	switch (yj_cmp_reporter_access(mstate ? mstate : "", !strcmp(who->department, dept), !strcmp(accepted_by, actor),
				       !strcmp(who->department, CMP_DESK) && who->role_bit == ROLE_LIAISON)) {
	case YJ_CMP_REPORTER_OK:
		break;
	case YJ_CMP_REPORTER_OTHER_DEPT:
		json_decref(m);
		return yj_refuse(&a->ref, 403, "not-your-matter", "不是本部门的件", "只有正在办理该件的部门才能查看投诉人的联系方式。");
	case YJ_CMP_REPORTER_NOT_HANDLER:
		json_decref(m);
		return yj_refuse(&a->ref, 403, "not-the-handler", "不是本件的承办人",
				 "投诉人的姓名和电话只向受理本件的承办人（办理和答复期间）及卫生健康委回访人员（答复后）显示；"
				 "其他人员请查看脱敏号码，或联系承办人。");
	}
	if ((rc = cmp_reporter_sealed(c, a->id, &sealed)) >= 0) {
		yj_pii_free(a->clear);
		a->clear = sealed ? yj_pii_decrypt(sealed) : NULL;
		free(sealed);
		/* The leaf records who saw whose identity; its state names the field, never the value. */
		json_t *state = json_pack("{s:s}", "field", "reporter");
		rc = a->clear ? cmp_audit(c, actor, "complaint.reporter.disclose", a->id,
					  json_string_value(json_object_get(m, "region_code")), state)
			      : ST_ERR;
		json_decref(state);
	}
done:
	json_decref(m);
	return rc;
}

static int reporter(yj_req *r)
{
	struct reporter_arg a = {.r = r};
	if (yj_path_id_or_reply(r, "id", &a.id) < 0 || yj_pii_gate(r, REPORTER_ROLES, "投诉人身份和联系方式") < 0)
		return YJ_OK;
	if (yj_tx_or_reply(r, reporter_tx, &a, &a.ref) < 0) {
		yj_pii_free(a.clear);
		return YJ_OK;
	}
	json_t *who = json_loads(a.clear, 0, NULL);
	yj_pii_free(a.clear);
	if (!who)
		return yj_reply_store_error(r, ST_ERR);
	return yj_reply_json(r, 200, json_pack("{s:s, s:o}", "id", yj_param(r, "id"), "reporter", who));
}

/* ---- the handling steps ---- */

static int act(yj_req *r, enum yj_cmp_action action)
{
	cmp_act a = {.body = yj_body(r), .who = yj_who(r), .action = action};
	actor_of(r, a.actor);
	if (yj_path_id_or_reply(r, "id", &a.id) < 0)
		return YJ_OK;
	int rc = yj_tx_or_reply(r, cmp_act_tx, &a, &a.ref);
	json_decref(a.audit_state);
	if (rc < 0) {
		json_decref(a.m);
		return YJ_OK;
	}
	json_t *m = NULL;
	store_conn *c = store_conn_get(yj_store(r));
	json_decref(a.m);
	/* Answer with the matter as it now stands (a handler may since have lost sight of it by
	 * handing it on, so read it unrestricted: the change was theirs). */
	yj_scope all;
	yj_scope_unrestricted(&all);
	rc = cmp_load(c, &all, a.id, &m);
	return rc < 0 ? yj_reply_store_error(r, rc) : yj_reply_json(r, 200, present(m));
}

static int dispatch(yj_req *r) { return act(r, YJ_CMP_DISPATCH); }
static int return_(yj_req *r) { return act(r, YJ_CMP_RETURN); }
static int accept(yj_req *r) { return act(r, YJ_CMP_ACCEPT); }
static int reject(yj_req *r) { return act(r, YJ_CMP_REJECT); }
static int pause_(yj_req *r) { return act(r, YJ_CMP_PAUSE); }
static int resume(yj_req *r) { return act(r, YJ_CMP_RESUME); }
static int reply(yj_req *r) { return act(r, YJ_CMP_REPLY); }
static int feedback(yj_req *r) { return act(r, YJ_CMP_FEEDBACK); }
static int revisit(yj_req *r) { return act(r, YJ_CMP_REVISIT); }
static int merge(yj_req *r) { return act(r, YJ_CMP_MERGE); }
static int refer(yj_req *r) { return act(r, YJ_CMP_REFER); }

static const yj_field create_body[] = {
	{"channel", F_STRING, 1, 16, "phone | walk_in | letter | hotline"},
	{"category", F_STRING, 1, 32, "Category code (GET /api/v1/complaint-categories)"},
	{"title", F_STRING, 1, 100, "One line on the matter"},
	{"content", F_STRING, 1, 5000, "What happened, where and when"},
	{"region_code", F_STRING, 1, 12, "Where it happened (GB/T 2260), within the caller's territory"},
	{"subject_name", F_STRING, 0, 200, "The institution or person complained about"},
	{"subject_credit_code", F_STRING, 0, 18, "Its unified social credit code, when known"},
	{"anonymous", F_BOOL, 0, 0, "Anonymous; default false"},
	{"reporter_name", F_STRING, 0, 50, "Reporter's name (sealed)"},
	{"reporter_phone", F_STRING, 0, 20, "Reporter's phone (sealed, shown masked)"},
	{"external_ref", F_STRING, 0, 64, "12345 work-order number or other reference"},
	{"attachments", F_ARRAY, 0, 0, "Up to 5 files [{name, content_base64}]"},
	{NULL, 0, 0, 0, NULL},
};
static const yj_field dispatch_body[] = {
	{"department", F_STRING, 0, 32, "Lead handling unit (default: the category's department)"},
	{"co_departments", F_ARRAY, 0, 0, "Co-handling departments (协办), up to 5"},
	{NULL, 0, 0, 0, NULL},
};
static const yj_field reason_body[] = {
	{"reason", F_STRING, 1, 500, "Why (shown to the reporter)"},
	{NULL, 0, 0, 0, NULL},
};
static const yj_field reply_body[] = {
	{"text", F_STRING, 1, 5000, "The reply to the reporter: facts found, result, basis"},
	{"substantiated", F_BOOL, 1, 0, "Whether the matter was found true (属实)"},
	{NULL, 0, 0, 0, NULL},
};
static const yj_field revisit_body[] = {
	{"satisfaction", F_STRING, 1, 16, "satisfied | basically | unsatisfied"},
	{NULL, 0, 0, 0, NULL},
};
static const yj_field merge_body[] = {
	{"into", F_STRING, 1, 20, "Id of the open matter of the same category to merge into"},
	{NULL, 0, 0, 0, NULL},
};
static const yj_qparam list_params[] = {
	{"state", "received | dispatched | accepted | replied | closed | merged | rejected"},
	{"category", "Category code"},
	{"channel", "web | phone | walk_in | letter | hotline | open311"},
	{"region", "Territory code (6 or 9 digits): the matters in its subtree"},
	{"overdue", "true: past the acceptance or handling deadline"},
	{"subject", "Registry id of the subject complained about"},
	YJ_QP_PAGE,
	{NULL, NULL},
};
static const yj_qparam export_params[] = {
	{"state", "As the list"}, {"category", "As the list"}, {"channel", "As the list"},
	{"region", "As the list"}, {"overdue", "As the list"}, {"subject", "As the list"}, {"format", "xlsx (default) or csv"},
	{NULL, NULL},
};

#define STEP(path, fn, body, summary)                                                                   \
	{"POST", "/api/v1/complaints/{id}/" path, fn, HANDLERS, body, NULL, "complaints", summary, "The matter", 200}

const yj_route yj_cmp_routes[] = {
	{"GET", "/api/v1/complaint-categories", categories, ROLE_ANY, NULL, NULL, "complaints",
	 "Categories with their responsible department and deadlines (working days)", "{items}", 200},
	{"GET", "/api/v1/complaints", list, HANDLERS, NULL, list_params, "complaints",
	 "Matters in the caller's territory and remit, with filters (no reporter identity)", "{items, next_cursor}", 200},
	{"GET", "/api/v1/complaints/export", export, HANDLERS, NULL, export_params, "complaints",
	 "Export the filtered matters as Excel or CSV", "An .xlsx or .csv file", 200},
	{"POST", "/api/v1/complaints", create, HANDLERS, create_body, NULL, "complaints",
	 "Register a complaint taken by phone, letter or in person", "The matter, with duplicates offered for merging", 201},
	{"GET", "/api/v1/complaints/{id}", get, HANDLERS, NULL, NULL, "complaints",
	 "A matter with its steps, handling units and attachments", "The matter", 200},
	{"GET", "/api/v1/complaints/{id}/duplicates", duplicates, HANDLERS, NULL, NULL, "complaints",
	 "Open matters of the same subject and category that read alike (offered for merging)", "{items}", 200},
	{"GET", "/api/v1/complaints/{id}/reporter", reporter, REPORTER_ROLES, NULL, NULL, "complaints",
	 "The reporter's name and phone in clear, for the handler who accepted the matter and the desk's revisit (audited, rate limited)", "{id, reporter}", 200},
	STEP("dispatch", dispatch, dispatch_body, "Dispatch to the lead unit and co-handlers (health commission desk)"),
	STEP("return", return_, reason_body, "Return a wrongly routed matter within 5 working days of dispatch"),
	STEP("accept", accept, NULL, "Accept: the handling and reply deadlines start"),
	STEP("reject", reject, reason_body, "Refuse to accept (不予受理), with the reason"),
	STEP("pause", pause_, reason_body, "Stop the clock while waiting for the reporter"),
	STEP("resume", resume, NULL, "Restart the clock; deadlines move by the working days paused"),
	STEP("reply", reply, reply_body, "Reply to the reporter and say whether the matter was substantiated"),
	STEP("feedback", feedback, NULL, "Record the result fed back to the health commission"),
	STEP("revisit", revisit, revisit_body, "Record the revisit and satisfaction; closes the matter (desk)"),
	STEP("merge", merge, merge_body, "Merge into an open matter of the same category"),
	STEP("refer", refer, NULL, "Turn the matter into an enforcement clue (complaints.clue_referred)"),
	{NULL, NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL, 0},
};
