/* cases_api.c — the case routes: filing a case from a clue (立案, by a leader), the office's case list
 * (state, overdue, officer; paged and exported), one case with its timeline and clocks, and the one
 * transition route that carries a case through the procedure. The rules (who, from where, which
 * fields) are enforcement.c's; this file applies an allowed step's effects in one transaction: the
 * case row, the step with its audit leaf, the decision events and the to-dos. */
#define _POSIX_C_SOURCE 200809L
#include "enf_int.h"
#include "../registry/registry.h"
#include "../platform/docs/docs.h"
#include "../platform/attach/attach.h"

#include <unistd.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- filing (立案) ---- */

struct file_arg {
	enf_ctx x;
	int64_t clue_id, id;
	json_t *out;
	yj_refusal ref;
};

static int flag_of(const json_t *body, const char *key)
{
	return json_is_true(json_object_get(body, key));
}

/* The officers of body: 2..8 distinct inspectors of the clue's territory, as "id,id" into csv. */
static int officers_check(store_conn *c, const json_t *arr, const char *region, yj_refusal *f, char csv[200])
{
	size_t i, len = 0;
	json_t *v;
	csv[0] = '\0';
	if (!json_is_array(arr) || json_array_size(arr) < 2 || json_array_size(arr) > ENF_MAX_OFFICERS) {
		yj_refusal_field(f, "officers", "承办人员应为 2 到 8 名执法人员（行政处罚法第四十二条：执法人员不得少于两人）");
		return yj_refuse_invalid(f, NULL);
	}
	json_array_foreach(arr, i, v) {
		int64_t id;
		yj_user_brief u;
		char p[16];
		int rc = yj_id_parse(json_string_value(v), &id) == 0 ? yj_user_brief_get(c, id, &u) : ST_NOTFOUND;
		if (rc < 0 && rc != ST_NOTFOUND)
			return rc;
		yj_region_prefix(u.region_code, p);
		if (rc == ST_NOTFOUND || strcmp(u.role, "inspector") || strncmp(region, p, strlen(p))) {
			yj_refusal_field(f, "officers", "承办人员应为负责该辖区的执法人员（监督员）的用户编号");
			return yj_refuse_invalid(f, NULL);
		}
		for (size_t j = 0; j < i; j++)
			if (json_equal(json_array_get(arr, j), v)) {
				yj_refusal_field(f, "officers", "同一执法人员不能重复列入");
				return yj_refuse_invalid(f, NULL);
			}
		len += (size_t)snprintf(csv + len, 200 - len, "%s%s", i ? "," : "", json_string_value(v));
	}
	return ST_OK;
}

static int file_tx(store_conn *c, void *arg)
{
	struct file_arg *a = arg;
	const json_t *b = a->x.body;
	const yj_scope *sc = &a->x.who->scope;
	store_stmt *st;
	int rc = yj_q_one_by_id(c, &enf_clues_t, "state, subject_kind, subject_id, subject_name, region_code, department, source,"
				" summary", sc, a->clue_id, &st);
	if (rc == ST_NOTFOUND) {
		yj_refusal_field(&a->ref, "clue_id", "没有这条案源，或不在您的辖区内");
		return yj_refuse_invalid(&a->ref, NULL);
	}
	if (rc < 0)
		return rc;
	char state[16], kind[16], region[16], dept[32], name[256];
	int64_t subject_id = store_col_is_null(st, 2) ? 0 : store_col_int64(st, 2);
	snprintf(state, sizeof state, "%s", store_col_text(st, 0));
	snprintf(kind, sizeof kind, "%s", store_col_text(st, 1));
	snprintf(name, sizeof name, "%s", store_col_text(st, 3));
	snprintf(region, sizeof region, "%s", store_col_text(st, 4));
	snprintf(dept, sizeof dept, "%s", store_col_text(st, 5));
	char source[32], summary[1200];
	snprintf(source, sizeof source, "%s", store_col_text(st, 6));
	snprintf(summary, sizeof summary, "%s", store_col_text(st, 7));
	store_finalize(st);
	if (strcmp(state, "received"))
		return yj_refuse(&a->ref, 409, "state", "不能立案", "该案源已%s，不能再次立案。",
				 !strcmp(state, "filed") ? "立案" : "决定不予立案");
	if (!subject_id) {
		yj_refusal_field(&a->ref, "clue_id", "案源未关联已登记的当事人，请先在主体库登记并补录案源");
		return yj_refuse_invalid(&a->ref, NULL);
	}
	char officers[200], today[11], filed_on[11], due[11], actor[21], code[32] = "";
	if ((rc = officers_check(c, json_object_get(b, "officers"), region, &a->ref, officers)) != ST_OK)
		return rc;
	yj_day_today(today);
	const char *fo = json_string_value(json_object_get(b, "filed_on"));
	int64_t fd, td;
	yj_day_parse(today, &td);
	if (fo && (yj_day_parse(fo, &fd) < 0 || fd > td || fd < td - 365)) {
		yj_refusal_field(&a->ref, "filed_on", "立案日期应为今天或一年内的日期（YYYY-MM-DD），补录纸质案件时填写");
		return yj_refuse_invalid(&a->ref, NULL);
	}
	snprintf(filed_on, sizeof filed_on, "%s", fo ? fo : today);
	if ((rc = enf_period_end(c, filed_on, (int)enf_setting(c, "decision_days", 90), 0, due)) < 0)
		return rc;
	if (strcmp(kind, "practitioner")) { /* an organisation of any kind: its unified social credit code */
		yj_subject_summary sum;
		if (yj_subject_get(c, sc, kind, subject_id, &sum) == ST_OK)
			snprintf(code, sizeof code, "%s", sum.credit_code);
	}
	yj_id_format(a->x.who->user_id, actor);
	a->id = yj_id_new();
	int64_t now = yj_now_ms();
	enf_case_new n = {a->id, a->clue_id, subject_id, now, kind, name, code, officers, actor, filed_on, due, region, dept,
			  flag_of(b, "serious"), flag_of(b, "t_public_interest"), flag_of(b, "t_complex"), flag_of(b, "t_other_law"),
			  flag_of(b, "suspect_crime")};
	if ((rc = enf_case_insert(c, &n)) < 0)
		return rc;
	yj_qb *q = yj_q_update(&enf_clues_t, sc);
	yj_q_set_text(q, "state", "filed");
	yj_q_set_int(q, "case_id", a->id);
	yj_q_set_int(q, "decided_at", now);
	yj_q_set_text(q, "decided_by", actor);
	yj_q_where(q, "id = ?");
	yj_q_int(q, a->clue_id);
	if (!(st = yj_q_prepare(q, c)))
		return ST_ERR;
	rc = store_step(st);
	store_finalize(st);
	if (rc < 0)
		return rc;
	json_t *data = json_pack("{s:s, s:s, s:s, s:b, s:b, s:b, s:b}", "clue_id", json_string_value(json_object_get(b, "clue_id")),
				 "officers", officers, "decision_due", due, "serious", flag_of(b, "serious"), "t_public_interest",
				 flag_of(b, "t_public_interest"), "t_complex", flag_of(b, "t_complex"), "suspect_crime",
				 flag_of(b, "suspect_crime"));
	if (json_string_value(json_object_get(b, "opinion")))
		json_object_set(data, "opinion", json_object_get(b, "opinion"));
	json_t *row = NULL, *clue = json_pack("{s:s, s:s}", "source", source, "summary", summary);
	json_object_set(clue, "opinion", json_object_get(data, "opinion"));
	if ((rc = enf_step_append(c, a->id, "file", "received", "filed", actor, filed_on, data, region, dept, NULL)) < 0 ||
	    (rc = enf_todos_sync(c, a->id)) < 0 || (rc = enf_case_load(c, sc, a->id, &row, NULL)) < 0 ||
	    (rc = enf_doc_issue(c, "filing_report", a->id, a->clue_id, row, clue, 1, actor, a->x.public_url, NULL)) < 0) {
		json_decref(row);
		json_decref(clue);
		return rc;
	}
	json_decref(clue);
	json_decref(row);
	return enf_case_load(c, sc, a->id, &a->out, NULL);
}

static int case_file(yj_req *r)
{
	struct file_arg a = {.x = {yj_who(r), yj_body(r), yj_config(r)->public_url}};
	if (yj_id_parse(json_string_value(json_object_get(yj_body(r), "clue_id")), &a.clue_id) < 0)
		return yj_reply_problem_errors(r, 422, "validation", "参数错误", "请按字段提示修改后重新提交。",
					       yj_field_errors("clue_id", "请填写案源编号（字符串）"));
	if (yj_tx_or_reply(r, file_tx, &a, &a.ref) < 0)
		return YJ_OK;
	return yj_reply_json(r, 201, a.out);
}

int yj_enf_case_file(store *s, const yj_principal *who, const json_t *body, const char *public_url, json_t **out, yj_refusal *ref)
{
	struct file_arg a = {.x = {who, body, public_url}};
	if (yj_id_parse(json_string_value(json_object_get(body, "clue_id")), &a.clue_id) < 0) {
		yj_refusal_field(ref, "clue_id", "请填写案源编号（字符串）");
		return yj_refuse_invalid(ref, NULL);
	}
	int rc = store_tx(s, file_tx, &a);
	if (rc < 0) {
		*ref = a.ref;
		return rc;
	}
	*out = a.out;
	return ST_OK;
}

/* ---- list, export, one case ---- */

static json_t *case_row(store_stmt *st, void *arg)
{
	(void)arg;
	json_t *o = enf_case_list_json(st);
	char today[11];
	yj_day_today(today);
	const char *due = json_string_value(json_object_get(o, "decision_due"));
	json_object_set_new(o, "overdue", json_boolean(enf_state_before_decision(json_string_value(json_object_get(o, "state"))) &&
						      due && strcmp(today, due) > 0));
	return o;
}

/* What ?q= looks in: the party's name and the decision number (words), the case's and its clue's
 * numbers (a word of digits). The words are LIKE scans of the cases in the caller's scope, which stay
 * fast at an office's size (docs/benchmarks.md); the registry's name grams are the registry's. */
static const char *const search_cols[] = {"subject_name", "decision_no", NULL};
static const char *const search_ids[] = {"id", "clue_id", NULL};

/* The list's query from ?q=, ?state=, ?overdue=, ?subject=, ?officer= (an id or "me"); NULL after replying 400. */
static yj_qb *list_query(yj_req *r)
{
	const char *v;
	char today[11], pat[40];
	if (yj_search_q_or_reply(r, &v) < 0)
		return NULL;
	yj_qb *q = yj_q_select(&enf_cases_t, enf_case_list_cols, &yj_who(r)->scope);
	yj_q_search(q, search_cols, search_ids, v);
	if ((v = yj_query(r, "state")) && *v) {
		yj_q_where(q, "state = ?");
		yj_q_text(q, v);
	}
	if ((v = yj_query(r, "overdue")) && !strcmp(v, "true")) {
		yj_day_today(today);
		yj_q_where(q, "state IN ('filed', 'investigating', 'investigated', 'deliberated', 'legal_reviewed', 'discussed',"
			      " 'notified', 'hearing_requested', 'heard') AND decision_due < ?");
		yj_q_text(q, today);
	}
	if ((v = yj_query(r, "subject")) && *v) { /* the subject's 一户一档 page: its cases, as an institution or a practitioner */
		int64_t sid;
		if (yj_id_parse(v, &sid) < 0) {
			yj_q_free(q);
			yj_reply_problem(r, 400, "validation", "参数错误", "subject 应为主体编号（主体库中机构或人员的编号）。");
			return NULL;
		}
		yj_q_where(q, "subject_id = ?");
		yj_q_int(q, sid);
	}
	if ((v = yj_query(r, "officer")) && *v) {
		int64_t id = yj_who(r)->user_id;
		if (strcmp(v, "me") && yj_id_parse(v, &id) < 0) {
			yj_q_free(q);
			yj_reply_problem(r, 400, "validation", "参数错误", "officer 应为用户编号或 me。");
			return NULL;
		}
		char sid[21];
		yj_id_format(id, sid);
		snprintf(pat, sizeof pat, "%%,%s,%%", sid);
		yj_q_where(q, "(',' || officers || ',') LIKE ?");
		yj_q_text(q, pat);
	}
	return q;
}

static int cases_list(yj_req *r)
{
	int limit;
	int64_t after;
	if (yj_page_id_or_reply(r, &limit, &after) < 0)
		return YJ_OK;
	yj_qb *q = list_query(r);
	return q ? yj_reply_id_page(r, q, "id", limit, after, case_row, NULL) : YJ_OK;
}

static const yj_column export_cols[] = {
	{"id", "案件编号"},	    {"subject_name", "当事人"},	   {"state_label", "状态"},
	{"filed_on", "立案日期"},   {"decision_due", "办案期限"},	   {"violation_code", "违法行为"},
	{"fine_fen", "罚款（分）"}, {"decision_no", "处罚决定书文号"}, {"decided_on", "决定日期"},
	{"closed_on", "结案日期"},  {NULL, NULL},
};

static int cases_export(yj_req *r)
{
	yj_qb *q = list_query(r);
	if (!q)
		return YJ_OK;
	yj_q_tail(q, "ORDER BY id");
	return yj_reply_export_stmt(r, "cases", export_cols, yj_q_prepare(q, store_conn_get(yj_store(r))), case_row, NULL);
}

/* The case with its timeline, clocks and the actions its state allows. */
int enf_case_full(store_conn *c, const yj_scope *sc, int64_t id, json_t **out)
{
	enf_case k;
	json_t *row = NULL, *steps = NULL;
	int rc = enf_case_load(c, sc, id, &row, &k);
	if (rc < 0)
		return rc;
	if ((rc = enf_steps_load(c, id, &steps)) < 0) {
		json_decref(row);
		return rc;
	}
	char today[11];
	yj_day_today(today);
	int64_t td, dd;
	json_object_set_new(row, "timeline", steps);
	json_object_set_new(row, "legal_review_required", json_boolean(enf_legal_review_required(&k)));
	json_object_set_new(row, "overdue", json_boolean(enf_state_before_decision(k.state) && strcmp(today, k.decision_due) > 0));
	if (enf_state_before_decision(k.state) && yj_day_parse(today, &td) == 0 && yj_day_parse(k.decision_due, &dd) == 0)
		json_object_set_new(row, "days_left", json_integer(dd - td));
	json_t *acts = json_array();
	static const char *const names[] = {"investigate", "add_evidence", "conclude", "deliberate", "legal_review",
					    "collective_discussion", "notify", "request_hearing", "hold_hearing", "decide",
					    "decide_no_penalty", "serve", "publish", "record_payment", "remind", "apply_court",
					    "close", "transfer", "suspend", "resume", "extend", "revoke", "change_decision", NULL};
	for (const char *const *n = names; *n; n++) {
		const enf_action *a = enf_action_find(*n);
		/* offered when the state allows it; role and clocks are checked when it is taken */
		if (enf_action_from(a, k.state))
			json_array_append_new(acts, json_pack("{s:s, s:s}", "action", a->name, "label", a->label));
	}
	json_object_set_new(row, "actions", acts);
	if ((rc = enf_oversight_json(c, id, today, row)) < 0) {
		json_decref(row);
		return rc;
	}
	*out = row;
	return ST_OK;
}

static int case_get(yj_req *r)
{
	int64_t id;
	json_t *o = NULL;
	if (yj_path_id_or_reply(r, "id", &id) < 0)
		return YJ_OK;
	int rc = enf_case_full(store_conn_get(yj_store(r)), &yj_who(r)->scope, id, &o);
	return rc < 0 ? yj_reply_store_error(r, rc) : yj_reply_json(r, 200, o);
}


/* ---- the case's documents (issued through platform/docs; enf_docs.c) ---- */

/* The case in the caller's scope and its clue id; YJ_ERR after replying 404 or the store error. */
static int case_or_reply(yj_req *r, int64_t *id, int64_t *clue)
{
	json_t *row = NULL;
	if (yj_path_id_or_reply(r, "id", id) < 0)
		return YJ_ERR;
	int rc = enf_case_load(store_conn_get(yj_store(r)), &yj_who(r)->scope, *id, &row, NULL);
	if (rc < 0) {
		yj_reply_store_error(r, rc);
		return YJ_ERR;
	}
	yj_id_parse(json_string_value(json_object_get(row, "clue_id")), clue);
	json_decref(row);
	return YJ_OK;
}

static int case_documents(yj_req *r)
{
	int64_t id, clue;
	if (case_or_reply(r, &id, &clue) < 0)
		return YJ_OK;
	store_conn *c = store_conn_get(yj_store(r));
	store_stmt *st = enf_documents_query(c, id, clue);
	if (!st)
		return yj_reply_store_error(r, ST_ERR);
	json_t *items = json_array();
	int rc;
	while ((rc = store_step(st)) == ST_ROW) {
		yj_doc_info d;
		int64_t doc = store_col_int64(st, 0);
		char sid[21], cid[21], url[96];
		yj_id_format(doc, sid);
		yj_id_format(id, cid);
		snprintf(url, sizeof url, "/api/v1/cases/%s/documents/%s.pdf", cid, sid);
		json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:o, s:I, s:s}", "id", sid, "kind", store_col_text(st, 1), "title",
				      store_col_text(st, 2), "number", store_col_text(st, 3), "step_seq",
				      store_col_is_null(st, 4) ? json_null() : json_integer(store_col_int64(st, 4)), "issued_at",
				      (json_int_t)store_col_int64(st, 5), "pdf", url);
		if (yj_doc_get(c, NULL, doc, &d) == ST_OK) {
			json_object_set_new(o, "sha256", json_string(d.sha256));
			json_object_set_new(o, "pages", json_integer(d.pages));
			json_object_set_new(o, "size", json_integer(d.size));
		}
		json_array_append_new(items, o);
	}
	store_finalize(st);
	if (rc < 0) {
		json_decref(items);
		return yj_reply_store_error(r, rc);
	}
	return yj_reply_json(r, 200, json_pack("{s:o, s:o}", "items", items, "next_cursor", json_null()));
}

struct dl_arg {
	yj_req *r;
	yj_doc_info *d;
	int64_t case_id;
};

static int download_tx(store_conn *c, void *arg)
{
	struct dl_arg *a = arg;
	char actor[21], id[21], cid[21];
	enf_actor(a->r, actor);
	yj_id_format(a->d->id, id);
	yj_id_format(a->case_id, cid);
	json_t *state = json_pack("{s:s, s:s, s:s, s:s}", "id", id, "case_id", cid, "number", a->d->number, "sha256", a->d->sha256);
	yj_audit_event ev = {actor, "document.download", "document", id, a->d->region_code, state};
	int rc = yj_audit_append(c, &ev, NULL);
	json_decref(state);
	return rc;
}

static int case_document_pdf(yj_req *r)
{
	int64_t id, clue, doc;
	if (case_or_reply(r, &id, &clue) < 0 || yj_path_id_or_reply(r, "doc_id", &doc) < 0)
		return YJ_OK;
	store_conn *c = store_conn_get(yj_store(r));
	int n;
	int rc = enf_document_of_case(c, doc, id, clue, &n);
	yj_doc_info d;
	if (rc >= 0 && n)
		rc = yj_doc_get(c, NULL, doc, &d);
	if (rc < 0 && rc != ST_NOTFOUND)
		return yj_reply_store_error(r, rc);
	if (!n || rc == ST_NOTFOUND)
		return yj_reply_problem(r, 404, "not-found", "未找到该文书", "本案没有这份文书，请在案件的文书列表中选择。");
	struct dl_arg a = {r, &d, id};
	yj_refusal f = {0};
	if (yj_tx_or_reply(r, download_tx, &a, &f) < 0)
		return YJ_OK;
	/* The stored bytes, never a new rendering, through an unlinked temporary file. */
	char path[] = "/tmp/yijian-case-document-XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0)
		return yj_reply_store_error(r, ST_ERR);
	unlink(path);
	int64_t len = 0;
	if ((rc = yj_blob_size(c, d.sha256, &len)) < 0 || (rc = yj_blob_write(c, d.sha256, fd)) < 0) {
		close(fd);
		return yj_reply_store_error(r, rc);
	}
	char disp[128];
	snprintf(disp, sizeof disp, "attachment; filename=\"%s.pdf\"", d.kind);
	yj_add_header(r, "Content-Disposition", disp);
	yj_add_header(r, "Cache-Control", "private, no-store");
	return yj_reply_fd(r, 200, "application/pdf", fd, (size_t)len);
}

static const yj_field file_body[] = {
	{"clue_id", F_STRING, 1, 20, "The clue the case is filed from"},
	{"officers", F_ARRAY, 1, 0, "Case officers: 2–8 inspectors' user ids (art. 42)"},
	{"opinion", F_STRING, 0, 2000, "The approving leader's opinion (立案审批意见)"},
	{"filed_on", F_STRING, 0, 10, "YYYY-MM-DD when a paper case is entered later (within a year); default today"},
	{"serious", F_BOOL, 0, 0, "Major case: collective discussion before the decision"},
	{"t_public_interest", F_BOOL, 0, 0, "Art. 58 (1): concerns major public interest"},
	{"t_complex", F_BOOL, 0, 0, "Art. 58 (3): complex, several legal relations"},
	{"t_other_law", F_BOOL, 0, 0, "Art. 58 (4): legal review required by other law"},
	{"suspect_crime", F_BOOL, 0, 0, "Suspected crime: transfer to the police before closing"},
	{NULL, 0, 0, 0, NULL},
};
static const yj_qparam list_q[] = {
	{"q", "Words (up to 4; 50 characters at most) that must each occur in the party's name or the decision number,"
	      " or equal the case's or its clue's id"},
	{"state", "One state (docs/enforcement.md)"}, {"overdue", "true: only cases past their decision deadline"},
	{"officer", "A case officer's user id, or me"}, {"subject", "Registry id of the party (institution or practitioner)"},
	YJ_QP_PAGE, {NULL, NULL}};
static const yj_qparam export_q[] = {
	{"q", "Words in the party's name or decision number, or the case's or clue's id"}, {"state", "One state"},
	{"overdue", "true: only overdue cases"}, {"officer", "A user id, or me"},
	{"subject", "Registry id of the party"}, {"format", "xlsx (default) or csv"}, {NULL, NULL}};

#define CASE_READERS (ROLE_INSPECTOR | ROLE_LEADER | ROLE_LEGAL_REVIEWER | ROLE_ADMIN)
static const yj_qparam evidence_q[] = {
	{"kind", "photo, audio, video, document or record"}, {"description", "What the evidence shows"}, {NULL, NULL}};

const yj_route yj_enf_case_routes[] = {
	{"POST", "/api/v1/cases", case_file, ROLE_LEADER, file_body, NULL, "enforcement",
	 "File a case from a clue (立案, the leader's approval) with its officers; starts the 90-day clock", "The case", 201},
	{"GET", "/api/v1/cases", cases_list, CASE_READERS, NULL, list_q, "enforcement",
	 "Cases in the caller's scope, by words (q), state, overdue or officer: each item the listed columns only (id, clue_id, state,"
	 " state_label, subject_kind, subject_id, subject_name, filed_on, decision_due, overdue, violation_code, fine_fen,"
	 " decision_no, decided_on, closed_on, region_code, department); GET /api/v1/cases/{id} has the whole case",
	 "{items, next_cursor}", 0},
	{"GET", "/api/v1/cases/export", cases_export, CASE_READERS, NULL, export_q, "enforcement",
	 "Export the filtered case list as Excel or CSV", "An .xlsx or .csv file", 0},
	{"GET", "/api/v1/cases/{id}", case_get, CASE_READERS, NULL, NULL, "enforcement",
	 "One case with its timeline (the full-process record), clocks and the actions its state allows", "The case", 0},
	{"POST", "/api/v1/cases/{id}/transitions", enf_transition, ROLE_INSPECTOR | ROLE_LEADER | ROLE_LEGAL_REVIEWER,
	 enf_transition_body, NULL, "enforcement", "Take one step of the procedure ({\"action\": …})", "The case", 0},
	{"POST", "/api/v1/cases/{id}/evidence", enf_evidence_upload, ROLE_INSPECTOR, enf_evidence_body, evidence_q, "enforcement",
	 "Upload an evidence file (stored by SHA-256) and record it as a step of the investigation", "The case", 201},
	{"GET", "/api/v1/cases/{id}/documents", case_documents, CASE_READERS, NULL, NULL, "enforcement",
	 "The documents issued for the case and its clue (受理记录, 立案报告, 告知书, 决定书, 送达回执 …)",
	 "{items: [{id, kind, title, number, sha256, pages, pdf}], next_cursor}", 0},
	{"GET", "/api/v1/cases/{id}/documents/{doc_id}.pdf", case_document_pdf, CASE_READERS, NULL, NULL, "enforcement",
	 "One issued document's stored PDF (audited download)", "application/pdf", 0},
	{NULL, NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL, 0},
};
