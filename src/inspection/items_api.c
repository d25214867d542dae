/* items_api.c — the reference data of double random: the item list (抽查事项清单) that administrators
 * edit, the inspector directory (执法检查人员名录库) with declared conflicts of interest, the risk
 * signals of subjects (the complaints count administrators fill until complaints feed it; the credit
 * grade comes from credit.grade_changed, credit_signals.c): the handlers and their validation; the SQL
 * is items_store.c (the working-day calendar is platform/calendar). */
#define _POSIX_C_SOURCE 200809L
#include "insp_int.h"
#include "../registry/registry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An institution type, or another kind of subject of the registry (public places, water suppliers,
 * schools, employers, … pharmacies: the draw takes their records as subjects). */
static int type_known(const char *t)
{
	if (yj_vocab_find(&yj_voc_institution_type, t))
		return 1;
	return strcmp(t, "institution") && strcmp(t, "practitioner") && yj_subject_kind_valid(t);
}

/* ---- items ---- */

static int items_list(yj_req *r)
{
	const char *v = yj_query(r, "active");
	json_t *items = NULL;
	int rc = insp_items_list(store_conn_get(yj_store(r)), &yj_who(r)->scope, v && !strcmp(v, "true"), &items);
	if (rc < 0)
		return yj_reply_store_error(r, rc);
	return yj_reply_json(r, 200, json_pack("{s:o, s:n}", "items", items, "next_cursor"));
}

static int item_get(yj_req *r)
{
	int64_t id;
	json_t *o = NULL;
	if (yj_path_id_or_reply(r, "id", &id) < 0)
		return YJ_OK;
	int rc = insp_item_load(store_conn_get(yj_store(r)), &yj_who(r)->scope, id, &o);
	return rc < 0 ? yj_reply_store_error(r, rc) : yj_reply_json(r, 200, o);
}

/* Validates the merged item (existing values overlaid by the body) into errors. */
static void item_validate(store_conn *c, const json_t *it, yj_refusal *f)
{
	const char *code = json_string_value(json_object_get(it, "code"));
	if (!code || strlen(code) < 2 || strlen(code) > 40 || strspn(code, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") != strlen(code))
		yj_refusal_field(f, "code", "事项编码应为 2–40 位大写字母、数字、- 或 _");
	const char *dept = json_string_value(json_object_get(it, "department"));
	char dname[100];
	if (!dept || yj_department_name(c, dept, dname, sizeof dname) != ST_OK)
		yj_refusal_field(f, "department", "部门代码不存在");
	static const char *const texts[][2] = {{"name", "请填写事项名称"}, {"legal_basis", "请填写检查依据（法律法规名称）"}};
	for (size_t i = 0; i < 2; i++) {
		const char *s = json_string_value(json_object_get(it, texts[i][0]));
		if (insp_blank(s) || !insp_clean(s, 0))
			yj_refusal_field(f, texts[i][0], texts[i][1]);
	}
	const json_t *types = json_object_get(it, "subject_types"), *v;
	size_t i;
	if (!json_is_array(types) || !json_array_size(types))
		yj_refusal_field(f, "subject_types", "请至少选择一种检查对象类型");
	json_array_foreach(types, i, v) if (!json_is_string(v) || !type_known(json_string_value(v))) {
		yj_refusal_field(f, "subject_types", "含未知的检查对象类型（见 /api/v1/vocab 的 institution_type）");
		break;
	}
	const json_t *cl = json_object_get(it, "checklist");
	if (!json_is_array(cl) || !json_array_size(cl))
		yj_refusal_field(f, "checklist", "请至少填写一个检查要点");
	json_array_foreach(cl, i, v) {
		const char *pc = json_string_value(json_object_get(v, "code")), *pt = json_string_value(json_object_get(v, "point")),
			   *cls = json_string_value(json_object_get(v, "clause"));
		if (!json_is_object(v) || json_object_size(v) != 3 || !pc || !*pc || strlen(pc) > 40 || !insp_clean(pc, 0) ||
		    strchr(pc, '/') || insp_blank(pt) || insp_blank(cls)) {
			char msg[300];
			snprintf(msg, sizeof msg, "第 %zu 个检查要点应为 {code, point, clause}：编码、要点内容和所依据的法律条款均须填写", i + 1);
			yj_refusal_field(f, "checklist", msg);
			break;
		}
		for (size_t j = 0; j < i; j++)
			if (!strcmp(pc, json_string_value(json_object_get(json_array_get(cl, j), "code")))) {
				yj_refusal_field(f, "checklist", "检查要点编码重复");
				break;
			}
	}
	json_int_t ratio = json_integer_value(json_object_get(it, "ratio_permille"));
	if (ratio < 1 || ratio > 1000)
		yj_refusal_field(f, "ratio_permille", "默认抽查比例应为 1‰ 到 1000‰（不超过 100%）");
	json_int_t cov = json_integer_value(json_object_get(it, "coverage_years"));
	if (cov < 1 || cov > 10)
		yj_refusal_field(f, "coverage_years", "覆盖周期应为 1 到 10 年");
}

struct item_arg {
	yj_req *r;
	int64_t id; /* 0: create */
	json_t *out;
	yj_refusal ref;
};

static int item_save_tx(store_conn *c, void *arg)
{
	struct item_arg *a = arg;
	json_t *it = NULL;
	int rc, used = 0;
	if (a->id) {
		if ((rc = insp_item_load(c, &yj_who(a->r)->scope, a->id, &it)) < 0)
			return rc;
	} else {
		it = json_pack("{s:b}", "active", 1);
	}
	json_object_update(it, yj_body(a->r));
	item_validate(c, it, &a->ref);
	const char *code = json_string_value(json_object_get(it, "code"));
	if (!a->id && code && insp_item_code_used(c, code, &used) == ST_OK && used)
		yj_refusal_field(&a->ref, "code", "事项编码已被使用");
	if (yj_refusal_has_fields(&a->ref)) {
		json_decref(it);
		return yj_refuse_invalid(&a->ref, "抽查事项不完整或有误，请按字段提示修改后重新提交。");
	}
	int replace = a->id != 0;
	if (!replace)
		a->id = yj_id_new();
	rc = insp_item_write(c, a->id, replace, it);
	json_decref(it);
	if (rc < 0)
		return rc;
	if ((rc = insp_item_load(c, &yj_who(a->r)->scope, a->id, &a->out)) < 0)
		return rc;
	return insp_audit(c, a->r, "inspection.item.save", "inspection_item", a->id, "", a->out, NULL);
}

static int item_save(yj_req *r, int64_t id)
{
	struct item_arg a = {.r = r, .id = id};
	if (yj_tx_or_reply(r, item_save_tx, &a, &a.ref) < 0) {
		json_decref(a.out);
		return YJ_OK;
	}
	return yj_reply_json(r, id ? 200 : 201, a.out);
}

static int item_create(yj_req *r)
{
	return item_save(r, 0);
}

static int item_patch(yj_req *r)
{
	int64_t id;
	if (yj_path_id_or_reply(r, "id", &id) < 0)
		return YJ_OK;
	return item_save(r, id);
}

/* ---- inspector directory ---- */

#define INSPECTORS_PAGE 2000 /* what the list answered before it had pages */
#define SIGNALS_PAGE 5000

static int inspectors_list(yj_req *r)
{
	int limit;
	int64_t after;
	json_t *items = NULL, *next = NULL;
	if (yj_page_id_or(r, INSPECTORS_PAGE, &limit, &after) < 0)
		return YJ_OK;
	int rc = insp_inspectors_page(store_conn_get(yj_store(r)), &yj_who(r)->scope, yj_query(r, "department"), after,
				      limit, &items, &next);
	if (rc < 0)
		return yj_reply_store_error(r, rc);
	return yj_reply_json(r, 200, json_pack("{s:o, s:o}", "items", items, "next_cursor", next));
}

struct insp_arg {
	yj_req *r;
	int64_t user;
	json_t *out;
	yj_refusal ref;
};

/* Runs fn for the id in the path parameter `param` and replies its out with status, or the refusal. */
static int insp_op(yj_req *r, const char *param, store_tx_fn fn, int status)
{
	struct insp_arg a = {.r = r};
	if (yj_path_id_or_reply(r, param, &a.user) < 0)
		return YJ_OK;
	if (yj_tx_or_reply(r, fn, &a, &a.ref) < 0) {
		json_decref(a.out);
		return YJ_OK;
	}
	return yj_reply_json(r, status, a.out);
}

static int inspector_put_tx(store_conn *c, void *arg)
{
	struct insp_arg *a = arg;
	const json_t *b = yj_body(a->r);
	const char *cert = json_string_value(json_object_get(b, "cert_no"));
	json_t *act = json_object_get(b, "active");
	/* The user from auth: enabled, and in the administrator's scope. */
	yj_user_brief u;
	json_t *enabled = json_object();
	int rc = yj_user_brief_get(c, a->user, &u);
	if (rc >= 0)
		rc = yj_user_names(c, &a->user, 1, 1, enabled);
	size_t on = json_object_size(enabled);
	json_decref(enabled);
	if (rc < 0)
		return rc;
	char region[16], dept[32];
	snprintf(region, sizeof region, "%s", u.region_code);
	snprintf(dept, sizeof dept, "%s", u.department);
	if (!on || !yj_scope_allows(&yj_who(a->r)->scope, region, dept))
		return ST_NOTFOUND;
	if (!cert || strlen(cert) < 4 || strlen(cert) > 32 || strspn(cert, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-") != strlen(cert))
		yj_refusal_field(&a->ref, "cert_no", "执法证号应为 4–32 位数字、大写字母或 -");
	int64_t holder = 0;
	if (cert && insp_cert_holder(c, cert, &holder) == ST_OK && holder != a->user)
		yj_refusal_field(&a->ref, "cert_no", "该执法证号已登记在其他人员名下");
	if (yj_refusal_has_fields(&a->ref))
		return yj_refuse_invalid(&a->ref, NULL);
	/* Entering someone already in the directory under another number is refused unless the caller
	 * names the number being replaced (expected_cert_no): a second entry never silently overwrites. */
	char *cur = NULL;
	if ((rc = insp_inspector_cert(c, a->user, &cur)) < 0)
		return rc;
	const char *expected = json_string_value(json_object_get(b, "expected_cert_no"));
	int clash = cur && strcmp(cur, cert) != 0 && !(expected && strcmp(expected, cur) == 0);
	if (clash) {
		rc = yj_refuse(&a->ref, 409, "conflict", "该人员已在名录中",
			       "%s 已在执法人员名录中，执法证号为 %s。如确需更换执法证号，请在名录中对该人员使用“更换执法证号”。",
			       u.display_name[0] ? u.display_name : u.username, cur);
		yj_refusal_field(&a->ref, "cert_no", "该人员已登记其他执法证号");
	}
	free(cur);
	if (clash)
		return rc;
	if ((rc = insp_inspector_save(c, a->user, cert, dept, region, act ? json_is_true(act) : 1)) < 0)
		return rc;
	if ((rc = insp_inspector_load(c, &yj_who(a->r)->scope, a->user, &a->out)) < 0)
		return rc;
	return insp_audit(c, a->r, "inspection.inspector.save", "inspector", a->user, region, a->out, NULL);
}

static int inspector_put(yj_req *r)
{
	return insp_op(r, "user_id", inspector_put_tx, 200);
}

static int inspector_get(yj_req *r)
{
	int64_t id;
	json_t *o = NULL;
	if (yj_path_id_or_reply(r, "user_id", &id) < 0)
		return YJ_OK;
	int rc = insp_inspector_load(store_conn_get(yj_store(r)), &yj_who(r)->scope, id, &o);
	return rc < 0 ? yj_reply_store_error(r, rc) : yj_reply_json(r, 200, o);
}

static int conflict_add_tx(store_conn *c, void *arg)
{
	struct insp_arg *a = arg;
	const json_t *b = yj_body(a->r);
	const yj_principal *who = yj_who(a->r);
	/* An inspector declares their own conflicts; administrators record anyone's in their scope. */
	if (who->role_bit != ROLE_ADMIN && who->user_id != a->user)
		return ST_NOTFOUND;
	json_t *ins = NULL;
	int rc = insp_inspector_load(c, &who->scope, a->user, &ins);
	if (rc < 0)
		return rc;
	char region[16], dept[32];
	snprintf(region, sizeof region, "%s", json_string_value(json_object_get(ins, "region_code")));
	snprintf(dept, sizeof dept, "%s", json_string_value(json_object_get(ins, "department")));
	json_decref(ins);
	int64_t inst = 0, d0 = 0, d1 = 0;
	const char *kind = json_string_value(json_object_get(b, "kind")), *reason = json_string_value(json_object_get(b, "reason")),
		   *sd = json_string_value(json_object_get(b, "start_date")), *ed = json_string_value(json_object_get(b, "end_date"));
	/* The institution as the caller may see it: one outside their territory is as absent as one that
	 * does not exist (a declaration must not reveal, or name, another county's subject). */
	char *iname = NULL, *icode = NULL, iregion[16];
	if (yj_id_parse(json_string_value(json_object_get(b, "institution_id")), &inst) < 0 ||
	    (rc = insp_subject(c, &who->scope, "institution", inst, &iname, &icode, iregion)) == ST_NOTFOUND)
		yj_refusal_field(&a->ref, "institution_id", "医疗机构不存在或不在本人辖区内，请填写主体库中的机构编号");
	free(iname);
	free(icode);
	if (rc < 0 && rc != ST_NOTFOUND)
		return rc;
	if (!kind || (strcmp(kind, "worked") && strcmp(kind, "relative")))
		yj_refusal_field(&a->ref, "kind", "应为 worked（曾在该机构工作）或 relative（近亲属在该机构）");
	if (insp_blank(reason) || !insp_clean(reason, 1))
		yj_refusal_field(&a->ref, "reason", "请写明回避理由");
	if (sd && yj_day_parse(sd, &d0) < 0)
		yj_refusal_field(&a->ref, "start_date", "日期格式应为 YYYY-MM-DD");
	if (ed && yj_day_parse(ed, &d1) < 0)
		yj_refusal_field(&a->ref, "end_date", "日期格式应为 YYYY-MM-DD");
	if (sd && ed && d1 < d0)
		yj_refusal_field(&a->ref, "end_date", "结束日期不能早于开始日期");
	if (kind && !strcmp(kind, "worked") && !sd)
		yj_refusal_field(&a->ref, "start_date", "曾在该机构工作的，请填写起止日期（仍在职的结束日期留空）");
	if (yj_refusal_has_fields(&a->ref))
		return yj_refuse_invalid(&a->ref, "利益冲突申报不完整或有误，请按字段提示修改后重新提交。");
	insp_conflict_new k = {.id = yj_id_new(), .user = a->user, .institution = inst, .kind = kind, .start_date = sd,
			       .end_date = ed, .reason = reason, .region = region, .department = dept};
	if ((rc = insp_conflict_insert(c, &k)) < 0)
		return rc;
	if ((rc = insp_inspector_load(c, &who->scope, a->user, &a->out)) < 0)
		return rc;
	json_t *state = json_pack("{s:s?, s:s?, s:s?, s:s?, s:s?}", "institution_id", json_string_value(json_object_get(b, "institution_id")),
				  "kind", kind, "start_date", sd, "end_date", ed, "reason", reason);
	rc = insp_audit(c, a->r, "inspection.conflict.declare", "inspector_conflict", k.id, region, state, NULL);
	json_decref(state);
	return rc;
}

static int conflict_add(yj_req *r)
{
	return insp_op(r, "user_id", conflict_add_tx, 201);
}

/* ---- risk signals ---- */

static int signals_list(yj_req *r)
{
	int limit;
	int64_t after;
	json_t *items = NULL, *next = NULL;
	if (yj_page_id_or(r, SIGNALS_PAGE, &limit, &after) < 0)
		return YJ_OK;
	int rc = insp_signals_page(store_conn_get(yj_store(r)), &yj_who(r)->scope, after, limit, &items, &next);
	if (rc < 0)
		return yj_reply_store_error(r, rc);
	return yj_reply_json(r, 200, json_pack("{s:o, s:o}", "items", items, "next_cursor", next));
}

static int signal_put_tx(store_conn *c, void *arg)
{
	struct insp_arg *a = arg;
	const json_t *b = yj_body(a->r);
	char *name = NULL, *code = NULL, region[16];
	int rc = insp_subject(c, &yj_who(a->r)->scope, "institution", a->user, &name, &code, region);
	free(name);
	free(code);
	if (rc < 0)
		return rc;
	json_int_t n = json_integer_value(json_object_get(b, "complaints"));
	if (n < 0 || n > 100000)
		yj_refusal_field(&a->ref, "complaints", "投诉举报件数应为 0 到 100000");
	if (yj_refusal_has_fields(&a->ref))
		return yj_refuse_invalid(&a->ref, NULL);
	char actor[21];
	insp_actor(a->r, actor);
	char g[2] = ""; /* the credit grade is the credit module's (credit_signals.c): kept as it is */
	if ((rc = insp_signal_put(c, a->user, region, n, g, sizeof g, actor)) < 0)
		return rc;
	a->out = json_pack("{s:o, s:I, s:s, s:s}", "subject_id", yj_json_id(a->user), "complaints", n, "credit_grade", g,
			   "region_code", region);
	return insp_audit(c, a->r, "inspection.signal.save", "subject_signal", a->user, region, a->out, NULL);
}

static int signal_put(yj_req *r)
{
	return insp_op(r, "subject_id", signal_put_tx, 200);
}

/* ---- routes ---- */

static const yj_field item_create_body[] = {
	{"code", F_STRING, 1, 40, "Item code, e.g. HEALTH-MW"},
	{"department", F_STRING, 1, 32, "Responsible department code"},
	{"name", F_STRING, 1, 200, "Item name (抽查事项)"},
	{"legal_basis", F_STRING, 1, 1000, "Laws and regulations the item enforces"},
	{"subject_types", F_ARRAY, 1, 0, "Institution type codes (vocab institution_type) or other registry kinds: public_place, water_supply, school, employer, occ_service, radiation_user, pharmacy, childcare, disinfect_maker, unit_clinic, pharma_company"},
	{"checklist", F_ARRAY, 1, 0, "Check points: [{code, point, clause}]"},
	{"ratio_permille", F_INT, 1, 0, "Default sampling ratio, ‰ (1–1000)"},
	{"coverage_years", F_INT, 1, 0, "Every subject inspected at least once per N years"},
	{"active", F_BOOL, 0, 0, "In use (default true)"},
	{NULL, 0, 0, 0, NULL},
};
static const yj_field item_patch_body[] = {
	{"department", F_STRING, 0, 32, "Responsible department code"},
	{"name", F_STRING, 0, 200, "Item name"},
	{"legal_basis", F_STRING, 0, 1000, "Legal basis"},
	{"subject_types", F_ARRAY, 0, 0, "Subject type codes"},
	{"checklist", F_ARRAY, 0, 0, "Check points: [{code, point, clause}]"},
	{"ratio_permille", F_INT, 0, 0, "Default sampling ratio, ‰"},
	{"coverage_years", F_INT, 0, 0, "Coverage period, years"},
	{"active", F_BOOL, 0, 0, "In use"},
	{NULL, 0, 0, 0, NULL},
};
static const yj_field inspector_body[] = {
	{"cert_no", F_STRING, 1, 32, "Enforcement certificate number (执法证号)"},
	{"active", F_BOOL, 0, 0, "Available for draws (default true)"},
	{"expected_cert_no", F_STRING, 0, 32,
	 "The number being replaced, for a change of an entered person's number (without it a different number is refused, 409)"},
	{NULL, 0, 0, 0, NULL},
};
static const yj_field conflict_body[] = {
	{"institution_id", F_STRING, 1, 20, "Registry institution id"},
	{"kind", F_STRING, 1, 16, "worked (worked there) or relative (a relative works there)"},
	{"start_date", F_STRING, 0, 10, "YYYY-MM-DD"},
	{"end_date", F_STRING, 0, 10, "YYYY-MM-DD; absent while ongoing"},
	{"reason", F_STRING, 1, 500, "Why the inspector must stand aside"},
	{NULL, 0, 0, 0, NULL},
};
static const yj_field signal_body[] = {
	{"complaints", F_INT, 1, 0, "Substantiated complaints in the last 12 months"},
	{NULL, 0, 0, 0, NULL},
};
static const yj_qparam items_q[] = {{"active", "true: only items in use"}, {NULL, NULL}};
static const yj_qparam inspectors_q[] = {{"department", "Department code"},
					  {"limit", "Page size, 1–200; without it up to 2,000 inspectors"},
					  {"cursor", "next_cursor of the previous page"}, {NULL, NULL}};
static const yj_qparam signals_q[] = {{"limit", "Page size, 1–200; without it up to 5,000 signals"},
				      {"cursor", "next_cursor of the previous page"}, {NULL, NULL}};

const yj_route yj_insp_item_routes[] = {
	{"GET", "/api/v1/inspection/items", items_list, ROLE_ANY, NULL, items_q, "inspection", "Inspection item list (抽查事项清单)", "{items}", 0},
	{"POST", "/api/v1/inspection/items", item_create, ROLE_ADMIN, item_create_body, NULL, "inspection", "Add an inspection item", "item", 201},
	{"GET", "/api/v1/inspection/items/{id}", item_get, ROLE_ANY, NULL, NULL, "inspection", "One inspection item with its checklist", "item", 0},
	{"PATCH", "/api/v1/inspection/items/{id}", item_patch, ROLE_ADMIN, item_patch_body, NULL, "inspection", "Change an inspection item", "item", 0},
	{"GET", "/api/v1/inspection/inspectors", inspectors_list, INSP_STAFF, NULL, inspectors_q, "inspection", "Inspector directory (执法检查人员名录库) with declared conflicts", "{items}", 0},
	{"GET", "/api/v1/inspection/inspectors/{user_id}", inspector_get, INSP_STAFF, NULL, NULL, "inspection", "One directory entry", "inspector", 0},
	{"PUT", "/api/v1/inspection/inspectors/{user_id}", inspector_put, ROLE_ADMIN, inspector_body, NULL, "inspection", "Enter a user in the directory with their certificate number", "inspector", 0},
	{"POST", "/api/v1/inspection/inspectors/{user_id}/conflicts", conflict_add, ROLE_ADMIN | ROLE_INSPECTOR, conflict_body, NULL, "inspection", "Declare a conflict of interest (the inspector, or an administrator)", "inspector", 201},
	{"GET", "/api/v1/inspection/signals", signals_list, INSP_STAFF, NULL, signals_q, "inspection", "Risk signals of subjects (complaints, credit grade)", "{items}", 0},
	{"PUT", "/api/v1/inspection/signals/{subject_id}", signal_put, ROLE_ADMIN, signal_body, NULL, "inspection", "Set a subject's complaints count (the credit grade comes from credit evaluation)", "signal", 0},
	{NULL, NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL, 0},
};
