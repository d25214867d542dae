/* clues_api.c — clues (案源): recorded from an inspection finding, a confirmed claims flag, a grid report,
 * a sensor alarm, a transfer or by hand (POST /api/v1/cases/clues), and from a complaint referred by the
 * complaints module (the complaints.clue_referred event) and from a grid member's patrol report
 * (complaints.patrol_reported, source "grid_report" as a hand-entered grid report); each is a 案件受理记录 with
 * its source, then filed (POST /api/v1/cases, cases_api.c) or not filed with a reason. Findings and flags are read
 * through their owners' headers. */
#define _POSIX_C_SOURCE 200809L
#include "enf_int.h"
#include "../inspection/inspection.h"
#include "../claims/claims.h"
#include "../registry/registry.h"
#include "../registry/registry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The subject's name and territory as sc sees it, whatever its kind: ST_OK, ST_NOTFOUND or a failure. */
static int subject_resolve(store_conn *c, const yj_scope *sc, const char *kind, int64_t id, char name[256], char region[16])
{
	yj_subject_summary s;
	int rc = yj_subject_get(c, sc, kind, id, &s);
	if (rc == ST_OK) {
		snprintf(name, 256, "%s", s.name);
		snprintf(region, 16, "%s", s.region_code);
	}
	return rc;
}

struct clue_arg {
	yj_req *r; /* reject only */
	enf_ctx x;
	int64_t id;
	json_t *out;
	yj_refusal ref;
};

static const char *str(const json_t *b, const char *k)
{
	const char *v = json_string_value(json_object_get(b, k));
	return v && *v ? v : NULL;
}

static int clue_tx(store_conn *c, void *arg)
{
	struct clue_arg *a = arg;
	const json_t *b = a->x.body;
	const yj_principal *who = a->x.who;
	const char *source = str(b, "source"), *ref = str(b, "source_ref"), *kind = str(b, "subject_kind");
	char name[256] = "", region[16] = "", dept[32], summary[1200], today[11], actor[21], refbuf[21], fkind[16];
	int64_t subject = 0, rid = 0;
	int rc;
	yj_day_today(today);
	yj_id_format(who->user_id, actor);
	snprintf(dept, sizeof dept, "%s", who->department);
	snprintf(summary, sizeof summary, "%s", str(b, "summary") ? str(b, "summary") : "");
	if (!strcmp(source, "inspection_finding") || !strcmp(source, "claims_flag")) {
		if (!ref || yj_id_parse(ref, &rid) < 0) {
			yj_refusal_field(&a->ref, "source_ref", "请填写检查发现问题或医保疑点的编号");
			return yj_refuse_invalid(&a->ref, NULL);
		}
		yj_id_format(rid, refbuf);
		ref = refbuf;
		kind = "institution";
	}
	if (!strcmp(source, "inspection_finding")) {
		yj_insp_finding f;
		if ((rc = yj_insp_finding_get(c, &who->scope, rid, &f)) == ST_NOTFOUND) {
			yj_refusal_field(&a->ref, "source_ref", "没有这条检查发现，或不在您的辖区内");
			return yj_refuse_invalid(&a->ref, NULL);
		}
		if (rc < 0)
			return rc;
		subject = f.subject_id;
		/* the inspected subject's kind: an institution, or a public place, water supplier, … a draw took */
		snprintf(fkind, sizeof fkind, "%s", f.subject_kind);
		kind = fkind;
		snprintf(dept, sizeof dept, "%s", f.department);
		if (!summary[0])
			snprintf(summary, sizeof summary, "监督检查发现问题（%s）：%s",
				 !strcmp(f.severity, "serious") ? "严重" : !strcmp(f.severity, "minor") ? "轻微" : "一般", f.clause);
	} else if (!strcmp(source, "claims_flag")) {
		yj_claims_flag_brief f;
		if ((rc = yj_claims_flag_get(c, &who->scope, rid, &f)) == ST_NOTFOUND) {
			yj_refusal_field(&a->ref, "source_ref", "没有这条医保疑点，或不在您的辖区内");
			return yj_refuse_invalid(&a->ref, NULL);
		}
		if (rc < 0)
			return rc;
		if (strcmp(f.state, "confirmed"))
			return yj_refuse(&a->ref, 409, "state", "不能登记案源", "该医保疑点尚未确认违规，确认后才能作为案源。");
		int64_t version;
		char r16[16];
		if ((rc = yj_reg_find_key(c, &yj_institution_kind, f.institution_code, &subject, &version, r16)) == ST_NOTFOUND)
			return yj_refuse(&a->ref, 409, "subject", "不能登记案源", "该疑点的医疗机构未在主体库登记，请先登记机构。");
		if (rc < 0)
			return rc;
		snprintf(dept, sizeof dept, "%s", f.department);
		if (!summary[0])
			snprintf(summary, sizeof summary, "医保智能监控确认违规（规则 %s，金额 %.2f 元）", f.rule_id,
				 (double)f.amount_fen / 100);
	} else {
		if (!kind || !yj_subject_kind_valid(kind))
			yj_refusal_field(&a->ref, "subject_kind", "当事人类别应为主体库的一类主体：institution（医疗机构）、"
								  "practitioner（执业人员）、public_place（公共场所）等（/api/v1/registry/kinds）");
		if (yj_id_parse(str(b, "subject_id"), &subject) < 0)
			yj_refusal_field(&a->ref, "subject_id", "请填写主体库中的当事人编号");
		if (!summary[0])
			yj_refusal_field(&a->ref, "summary", "请简要写明案源内容");
		if (yj_refusal_has_fields(&a->ref))
			return yj_refuse_invalid(&a->ref, NULL);
	}
	if ((rc = subject_resolve(c, &who->scope, kind, subject, name, region)) == ST_NOTFOUND) {
		yj_refusal_field(&a->ref, "subject_id", "主体库中没有该当事人，或不在您的辖区内");
		return yj_refuse_invalid(&a->ref, NULL);
	}
	if (rc < 0)
		return rc;
	const char *received = str(b, "received_on");
	int64_t rd, td;
	yj_day_parse(today, &td);
	if (received && (yj_day_parse(received, &rd) < 0 || rd > td)) {
		yj_refusal_field(&a->ref, "received_on", "受理日期应为 YYYY-MM-DD，且不晚于今天");
		return yj_refuse_invalid(&a->ref, NULL);
	}
	enf_clue_new n = {source, ref, kind, name, summary, received ? received : today, region, dept, actor, subject};
	rc = enf_clue_insert(c, &n, &a->id);
	if (rc == ST_CONFLICT)
		return yj_refuse(&a->ref, 409, "duplicate", "案源已登记", "这条线索已经登记为案源，请在案源列表中查看。");
	if (rc < 0)
		return rc;
	store_stmt *st;
	if ((rc = yj_q_one_by_id(c, &enf_clues_t, "id", &who->scope, a->id, &st)) < 0)
		return rc;
	store_finalize(st);
	a->out = json_pack("{s:o, s:s, s:s?, s:s, s:o, s:s, s:s, s:s, s:s, s:s, s:s}", "id", yj_json_id(a->id), "source", source,
			   "source_ref", ref, "subject_kind", kind, "subject_id", yj_json_id(subject), "subject_name", name,
			   "summary", summary, "received_on", n.received_on, "state", "received", "region_code", region,
			   "department", dept);
	json_object_set_new(a->out, "source_ref", ref ? json_string(ref) : json_null());
	char no[160];
	if ((rc = enf_doc_issue(c, "case_acceptance", 0, a->id, a->out, NULL, 0, actor, a->x.public_url, no)) < 0)
		return rc;
	json_object_set_new(a->out, "acceptance_no", json_string(no));
	return ST_OK;
}

/* 1 when source may be given to the clue route (complaints come by their event). */
static int source_ok(const char *source)
{
	static const char *const ok = " inspection_finding claims_flag grid_report sensor_alarm transfer manual ";
	char probe[40];
	if (!source || strlen(source) > 30)
		return 0;
	snprintf(probe, sizeof probe, " %s ", source);
	return strstr(ok, probe) != NULL;
}
#define SOURCE_DETAIL "案源应为 inspection_finding、claims_flag、grid_report、sensor_alarm、transfer 或 manual；投诉举报由投诉模块移交"

static int clue_create(yj_req *r)
{
	struct clue_arg a = {.x = {yj_who(r), yj_body(r), yj_config(r)->public_url}};
	if (!source_ok(str(yj_body(r), "source")))
		return yj_reply_problem_errors(r, 422, "validation", "参数错误", "请按字段提示修改后重新提交。",
					       yj_field_errors("source", SOURCE_DETAIL));
	if (yj_tx_or_reply(r, clue_tx, &a, &a.ref) < 0)
		return YJ_OK;
	return yj_reply_json(r, 201, a.out);
}

int yj_enf_clue_record(store *s, const yj_principal *who, const json_t *body, const char *public_url, json_t **out, yj_refusal *ref)
{
	struct clue_arg a = {.x = {who, body, public_url}};
	if (!source_ok(str(body, "source"))) {
		yj_refusal_field(ref, "source", SOURCE_DETAIL);
		return yj_refuse_invalid(ref, NULL);
	}
	int rc = store_tx(s, clue_tx, &a);
	if (rc < 0) {
		*ref = a.ref;
		return rc;
	}
	*out = a.out;
	return ST_OK;
}

static json_t *clue_row(store_stmt *st, void *arg)
{
	(void)arg;
	return json_pack("{s:o, s:s, s:o, s:s, s:o, s:s, s:s, s:s, s:s, s:o, s:o, s:s, s:s}", "id", yj_json_id(store_col_int64(st, 0)),
			 "source", store_col_text(st, 1), "source_ref", enf_text(st, 2), "subject_kind", store_col_text(st, 3),
			 "subject_id", store_col_is_null(st, 4) ? json_null() : yj_json_id(store_col_int64(st, 4)), "subject_name",
			 store_col_text(st, 5), "summary", store_col_text(st, 6), "received_on", store_col_text(st, 7), "state",
			 store_col_text(st, 8), "reason", enf_text(st, 9), "case_id",
			 store_col_is_null(st, 10) ? json_null() : yj_json_id(store_col_int64(st, 10)), "region_code",
			 store_col_text(st, 11), "department", store_col_text(st, 12));
}

#define CLUE_COLS "id, source, source_ref, subject_kind, subject_id, subject_name, summary, received_on, state, reason, case_id, region_code, department"

static int clues_list(yj_req *r)
{
	int limit;
	int64_t after;
	if (yj_page_id_or_reply(r, &limit, &after) < 0)
		return YJ_OK;
	yj_qb *q = yj_q_select(&enf_clues_t, CLUE_COLS, &yj_who(r)->scope);
	const char *v;
	if ((v = yj_query(r, "state")) && *v) {
		yj_q_where(q, "state = ?");
		yj_q_text(q, v);
	}
	if ((v = yj_query(r, "source")) && *v) {
		yj_q_where(q, "source = ?");
		yj_q_text(q, v);
	}
	return yj_reply_id_page(r, q, "id", limit, after, clue_row, NULL);
}

static int reject_tx(store_conn *c, void *arg)
{
	struct clue_arg *a = arg;
	const yj_scope *sc = &yj_who(a->r)->scope;
	store_stmt *st;
	int rc = yj_q_one_by_id(c, &enf_clues_t, CLUE_COLS, sc, a->id, &st);
	if (rc < 0)
		return rc;
	json_t *o = clue_row(st, NULL);
	store_finalize(st);
	if (strcmp(json_string_value(json_object_get(o, "state")), "received")) {
		json_decref(o);
		return yj_refuse(&a->ref, 409, "state", "不能办理", "该案源已经作出立案或不予立案的决定。");
	}
	char actor[21], sid[21];
	enf_actor(a->r, actor);
	const char *reason = json_string_value(json_object_get(yj_body(a->r), "reason"));
	yj_qb *q = yj_q_update(&enf_clues_t, sc);
	yj_q_set_text(q, "state", "not_filed");
	yj_q_set_text(q, "reason", reason);
	yj_q_set_int(q, "decided_at", yj_now_ms());
	yj_q_set_text(q, "decided_by", actor);
	yj_q_where(q, "id = ?");
	yj_q_int(q, a->id);
	if (!(st = yj_q_prepare(q, c))) {
		json_decref(o);
		return ST_ERR;
	}
	rc = store_step(st);
	store_finalize(st);
	json_object_set_new(o, "state", json_string("not_filed"));
	json_object_set_new(o, "reason", json_string(reason));
	yj_id_format(a->id, sid);
	yj_audit_event ev = {actor, "enforcement.clue.not_filed", "enforcement_clue", sid,
			     json_string_value(json_object_get(o, "region_code")), o};
	if (rc >= 0)
		rc = yj_audit_append(c, &ev, NULL);
	if (rc < 0) {
		json_decref(o);
		return rc;
	}
	a->out = o;
	return ST_OK;
}

static int clue_reject(yj_req *r)
{
	struct clue_arg a = {.r = r};
	if (yj_path_id_or_reply(r, "id", &a.id) < 0 || yj_tx_or_reply(r, reject_tx, &a, &a.ref) < 0)
		return YJ_OK;
	return yj_reply_json(r, 200, a.out);
}

/* ---- complaints.clue_referred (docs/events.md): a clue with source "complaint" and the complaint id ---- */
int enf_on_clue_referred(store_conn *c, const yj_event_view *ev, void *arg);
int enf_on_clue_referred(store_conn *c, const yj_event_view *ev, void *arg)
{
	(void)arg;
	const json_t *p = ev->payload;
	const char *kind = json_string_value(json_object_get(p, "subject_kind"));
	const char *cid = json_string_value(json_object_get(p, "complaint_id"));
	const char *dept = json_string_value(json_object_get(p, "department"));
	const char *received = json_string_value(json_object_get(p, "received_on"));
	const char *category = json_string_value(json_object_get(p, "category"));
	int64_t subject = 0, id;
	char name[256] = "", region[16] = "", summary[300], today[11];
	if (!cid || !kind)
		return ST_OK; /* not a clue this module can record; nothing to retry */
	yj_scope all;
	yj_scope_unrestricted(&all);
	if (yj_id_parse(json_string_value(json_object_get(p, "subject_id")), &subject) == 0) {
		int rc = subject_resolve(c, &all, kind, subject, name, region);
		if (rc < 0 && rc != ST_NOTFOUND)
			return rc;
		if (rc == ST_NOTFOUND)
			subject = 0;
	}
	if (!region[0])
		snprintf(region, sizeof region, "%s", ev->region_code ? ev->region_code : "");
	if (!name[0])
		snprintf(name, sizeof name, "（投诉举报未指明已登记的当事人）");
	snprintf(summary, sizeof summary, "投诉举报移交（类别：%s）", category ? category : "未分类");
	yj_day_today(today);
	/* Delivered again (at least once): the clue exists already. Asked first, because a failed insert
	 * would abort the whole transaction on PostgreSQL. */
	int seen;
	int rc = enf_clue_seen(c, "complaint", cid, &seen);
	if (rc < 0 || seen)
		return rc < 0 ? rc : ST_OK;
	enf_clue_new n = {"complaint", cid, kind, name, summary, received && yj_day_parse(received, NULL) == 0 ? received : today,
			  region, dept ? dept : "health", "system", subject};
	if ((rc = enf_clue_insert(c, &n, &id)) < 0)
		return rc;
	json_t *row = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "subject_kind", kind, "subject_name", name, "source",
				"complaint", "received_on", n.received_on, "summary", summary, "region_code", region, "department",
				n.dept);
	rc = enf_doc_issue(c, "case_acceptance", 0, id, row, NULL, 0, "system", NULL, NULL);
	json_decref(row);
	return rc;
}

/* ---- complaints.patrol_reported (docs/events.md): a grid member's report (协管信息) becomes a clue with source
 * "grid_report" (the one name of a grid member's report, entered by hand or by patrol) and the patrol id; once per patrol however often the event is delivered ---- */
int enf_on_patrol_reported(store_conn *c, const yj_event_view *ev, void *arg);
int enf_on_patrol_reported(store_conn *c, const yj_event_view *ev, void *arg)
{
	(void)arg;
	const json_t *p = ev->payload;
	const char *pid = json_string_value(json_object_get(p, "patrol_id"));
	const char *kind = json_string_value(json_object_get(p, "subject_kind"));
	const char *dept = json_string_value(json_object_get(p, "department"));
	const char *reported = json_string_value(json_object_get(p, "reported_on"));
	const char *grid = json_string_value(json_object_get(p, "grid_code"));
	int64_t subject = 0, id;
	char name[256] = "", region[16] = "", summary[600], today[11];
	if (!pid || !kind || (strcmp(kind, "institution") && strcmp(kind, "practitioner")))
		return ST_OK; /* not a clue this module can record; nothing to retry */
	int seen;
	int rc = enf_clue_seen(c, "grid_report", pid, &seen);
	if (rc < 0 || seen)
		return rc < 0 ? rc : ST_OK;
	yj_scope all;
	yj_scope_unrestricted(&all);
	if (yj_id_parse(json_string_value(json_object_get(p, "subject_id")), &subject) == 0) {
		rc = subject_resolve(c, &all, kind, subject, name, region);
		if (rc < 0 && rc != ST_NOTFOUND)
			return rc;
		if (rc == ST_NOTFOUND)
			subject = 0;
	}
	/* the subject's territory, as for every other source; else the patrol's (a town: its county's office) */
	if (!region[0])
		snprintf(region, sizeof region, "%s", ev->region_code ? ev->region_code : "");
	if (!name[0])
		snprintf(name, sizeof name, "（网格巡查报告的主体未在主体库登记）");
	/* the checklist codes only: the member's own words stay with the patrol */
	yj_buf b = YJ_BUF_INIT;
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(p, "problems"), i, v) yj_buf_printf(&b, "%s%s", i ? "、" : "", json_string_value(v) ? json_string_value(v) : "");
	yj_buf_puts(&b, "");
	snprintf(summary, sizeof summary, "网格巡查报告疑似违法（网格 %s，巡查记录 %s；不符合项：%s）", grid ? grid : "—", pid,
		 b.len ? b.data : "—");
	yj_buf_free(&b);
	yj_day_today(today);
	enf_clue_new n = {"grid_report", pid, kind, name, summary, reported && yj_day_parse(reported, NULL) == 0 ? reported : today,
			  region, dept ? dept : "health", "system", subject};
	if ((rc = enf_clue_insert(c, &n, &id)) < 0)
		return rc;
	json_t *row = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "subject_kind", kind, "subject_name", name, "source", "grid_report",
				"received_on", n.received_on, "summary", summary, "region_code", region, "department", n.dept);
	rc = enf_doc_issue(c, "case_acceptance", 0, id, row, NULL, 0, "system", NULL, NULL);
	json_decref(row);
	return rc;
}

static const yj_field clue_body[] = {
	{"source", F_STRING, 1, 30, "inspection_finding, claims_flag, grid_report, sensor_alarm, transfer or manual"},
	{"source_ref", F_STRING, 0, 20, "The finding's or flag's id"},
	{"subject_kind", F_STRING, 0, 20, "A registry kind: institution, practitioner, public_place, water_supply, … (GET /api/v1/registry/kinds; not for findings and flags)"},
	{"subject_id", F_STRING, 0, 20, "The registry id of the party"},
	{"summary", F_STRING, 0, 1000, "What was reported"},
	{"received_on", F_STRING, 0, 10, "YYYY-MM-DD (default today)"},
	{NULL, 0, 0, 0, NULL},
};
static const yj_field reject_body[] = {
	{"reason", F_STRING, 1, 1000, "Why no case is filed"},
	{NULL, 0, 0, 0, NULL},
};
static const yj_qparam clue_q[] = {
	{"state", "received, filed or not_filed"}, {"source", "The source kind"}, YJ_QP_PAGE, {NULL, NULL}};

#define CLUE_WRITERS (ROLE_INSPECTOR | ROLE_LEADER | ROLE_INSURANCE_ANALYST)
#define CASE_READERS (ROLE_INSPECTOR | ROLE_LEADER | ROLE_LEGAL_REVIEWER | ROLE_ADMIN)

const yj_route yj_enf_clue_routes[] = {
	{"POST", "/api/v1/cases/clues", clue_create, CLUE_WRITERS, clue_body, NULL, "enforcement",
	 "Record a clue (案源) with its acceptance record, from a finding, a confirmed claims flag or by hand", "The clue", 201},
	{"GET", "/api/v1/cases/clues", clues_list, CASE_READERS | ROLE_INSURANCE_ANALYST, NULL, clue_q, "enforcement",
	 "Clues in the caller's scope", "{items, next_cursor}", 0},
	{"POST", "/api/v1/cases/clues/{id}/reject", clue_reject, ROLE_LEADER, reject_body, NULL, "enforcement",
	 "Decide not to file a case on a clue (不予立案) with the reason", "The clue", 0},
	{NULL, NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL, 0},
};
