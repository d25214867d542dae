/* licence_api.c — /api/v1/licences…, /api/v1/licence-kinds and the sign-in-free
 * /api/v1/public/licences/{code} and /api/v1/public/licence-key: HTTP translation over
 * licence_store.c. Scope comes from the query builder; the lifecycle from licence.c. */
#define _POSIX_C_SOURCE 200809L
#include "licence.h"
#include "record_api.h"
#include "registry.h"
#include "../base/id.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* GET /api/v1/licences/{id}/certificate.pdf: the certificate as PDF, rendered on request (licence_print.c). */
int yj_licence_certificate(yj_req *r);

/* Issuing and changing licences is the health department's; reading is anyone's in scope. */
#define WRITERS (ROLE_ADMIN | ROLE_INSPECTOR)

static int writer_department(yj_req *r)
{
	if (!strcmp(yj_who(r)->department, "health"))
		return 1;
	yj_reply_problem(r, 403, "forbidden", "无权办理证照",
			 "电子证照由卫生健康部门核发和管理，您所在部门无权办理；如需查询请使用证照列表。");
	return 0;
}

static void strip_internal(json_t *row)
{
	json_object_del(row, "payload");
	json_object_del(row, "signature");
}

/* ---- lists ---- */

/* The request's filters into f; 0, or -1 after replying 400. */
static int filters_or_reply(yj_req *r, yj_licence_filter *f)
{
	json_t *errors = json_array();
	const char *v;
	*f = (yj_licence_filter){yj_query(r, "kind"), NULL, NULL, NULL, NULL, 0, 0};
	if ((v = yj_query(r, "holder_type")) && *v) {
		if (!yj_reg_kind_named(v))
			yj_field_error(errors, "holder_type", "应为主体库的一类主体（institution、practitioner、public_place 等）");
		f->holder_type = v;
	}
	if ((v = yj_query(r, "holder")) && *v) {
		if (yj_id_parse(v, &f->holder_id) < 0)
			yj_field_error(errors, "holder", "应为持证主体的编号");
		f->has_holder = 1;
	}
	if ((v = yj_query(r, "state")) && *v) {
		if (!strcmp(v, "valid") || !strcmp(v, "expired") || !strcmp(v, "suspended") || !strcmp(v, "revoked"))
			f->state = v;
		else
			yj_field_error(errors, "state", "应为 valid、suspended、revoked 或 expired");
	}
	if ((v = yj_query(r, "region")) && *v) {
		size_t n = strlen(v);
		if ((n != 6 && n != 9) || strspn(v, "0123456789") != n)
			yj_field_error(errors, "region", "应为 6 位或 9 位行政区划代码");
		else
			f->region = v;
	}
	if ((v = yj_query(r, "q")) && *v) {
		/* The number or its beginning; LIKE's wildcards in the input are taken literally. */
		if (strlen(v) > 60 || strpbrk(v, "%_\\"))
			yj_field_error(errors, "q", "应为证照编号或其开头部分（不含 % _ \\）");
		else
			f->number = v;
	}
	if (json_array_size(errors)) {
		yj_reply_problem_errors(r, 400, "validation", "查询条件有误", "请按提示修改查询条件后重试。", errors);
		return -1;
	}
	json_decref(errors);
	return 0;
}

/* A list row as the API shows it: internal columns stripped. */
static json_t *licence_item(store_stmt *st, void *arg)
{
	json_t *row = yj_licence_row(st, arg);
	strip_internal(row);
	return row;
}

static int list(yj_req *r)
{
	int limit;
	int64_t after;
	char today[11];
	if (yj_page_id_or_reply(r, &limit, &after) < 0)
		return YJ_OK;
	yj_licence_filter f;
	yj_day_today(today);
	if (filters_or_reply(r, &f) < 0)
		return YJ_OK;
	store_conn *c = store_conn_get(yj_store(r));
	return yj_reply_page(r, yj_licence_list(c, &yj_who(r)->scope, &f, today, after, limit + 1), limit, licence_item, today,
			     "id");
}

/* A licence as the export shows it; arg is today's date. */
static json_t *export_row(store_stmt *st, void *arg)
{
	json_t *row = yj_licence_row(st, arg);
	if (json_is_null(json_object_get(row, "valid_to")))
		json_object_set_new(row, "valid_to", json_string("长期"));
	strip_internal(row);
	return row;
}

static int export(yj_req *r)
{
	char today[11];
	yj_licence_filter f;
	yj_day_today(today);
	if (filters_or_reply(r, &f) < 0)
		return YJ_OK;
	static const yj_column cols[] = {
		{"number", "证照编号"},	   {"kind_name", "证照名称"},	{"holder_name", "持证主体"},
		{"holder_identifier", "主体代码"}, {"issuer", "发证机关"},	{"valid_from", "有效期起"},
		{"valid_to", "有效期至"},	   {"status_label", "状态"},	{"verify_code", "核验码"},
		{"region_code", "行政区划"},	   {NULL, NULL},
	};
	return yj_reply_export_stmt(r, "licences", cols,
				    yj_licence_list(store_conn_get(yj_store(r)), &yj_who(r)->scope, &f, today, 0, 0), export_row, today);
}

/* ---- one licence ---- */

static int get(yj_req *r)
{
	int64_t id;
	if (yj_path_id_or_reply(r, "id", &id) < 0)
		return YJ_OK;
	json_t *row = NULL;
	int rc = yj_licence_load(store_conn_get(yj_store(r)), &yj_who(r)->scope, id, 1, &row);
	if (rc < 0)
		return yj_reply_store_error(r, rc);
	return yj_reply_json(r, 200, row);
}

static int download(yj_req *r)
{
	int64_t id;
	if (yj_path_id_or_reply(r, "id", &id) < 0)
		return YJ_OK;
	json_t *row = NULL;
	int rc = yj_licence_load(store_conn_get(yj_store(r)), &yj_who(r)->scope, id, 0, &row);
	if (rc < 0)
		return yj_reply_store_error(r, rc);
	json_t *file = json_pack("{s:O, s:O, s:s, s:s}", "payload", json_object_get(row, "payload"), "signature",
				 json_object_get(row, "signature"), "public_key", yj_licence_public_key_hex(), "algorithm",
				 "ed25519");
	/* The number names the file when it is plain ASCII (generated numbers are digits). */
	const char *number = json_string_value(json_object_get(row, "number"));
	char disp[160];
	snprintf(disp, sizeof disp, "attachment; filename=\"licence-%s.json\"",
		 strspn(number, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-") == strlen(number) &&
				 strlen(number) < 80
			 ? number
			 : yj_param(r, "id"));
	char *text = json_dumps(file, JSON_INDENT(2) | JSON_SORT_KEYS);
	json_decref(file);
	json_decref(row);
	if (!text)
		return yj_reply_store_error(r, ST_ERR);
	yj_add_header(r, "Content-Disposition", disp);
	size_t n = strlen(text);
	return yj_reply_take(r, 200, "application/json; charset=utf-8", text, n);
}

static int qr(yj_req *r)
{
	int64_t id;
	if (yj_path_id_or_reply(r, "id", &id) < 0)
		return YJ_OK;
	json_t *row = NULL;
	int rc = yj_licence_load(store_conn_get(yj_store(r)), &yj_who(r)->scope, id, 0, &row);
	if (rc < 0)
		return yj_reply_store_error(r, rc);
	unsigned char *png = NULL;
	size_t len = 0;
	rc = yj_licence_qr_png(json_string_value(json_object_get(row, "verify_url")), 8, &png, &len);
	json_decref(row);
	if (rc < 0)
		return yj_reply_problem(r, 500, "qr", "二维码生成失败", "生成二维码时出错，请稍后重试；如仍失败请联系管理员。");
	return yj_reply_take(r, 200, "image/png", png, len);
}

/* ---- writes ---- */

struct write_arg {
	yj_req *r;
	enum yj_licence_action a;
	int64_t id;
	yj_refusal no; /* what the transaction turns down */
};

/* The licence store's own results as refusals of the request. */
static int refused(struct write_arg *w, int rc, json_t *errors, const char *why)
{
	if (rc == YJ_LICENCE_INVALID) {
		w->no.errors = errors;
		return yj_refuse_invalid(&w->no, NULL);
	}
	json_decref(errors);
	if (rc == YJ_LICENCE_STATE) {
		yj_refuse(&w->no, 409, "licence-state", "", "%s", why);
		snprintf(w->no.title, sizeof w->no.title, "当前状态不能%s", yj_licence_action_label(w->a));
		return YJ_REFUSED;
	}
	if (rc == ST_CONFLICT) {
		yj_refusal_field(&w->no, "number", "已存在");
		return yj_refuse(&w->no, 409, "conflict", "证照编号已存在",
				 "该证照编号已被其他证照使用，请核对编号，或不填编号由系统生成。");
	}
	return rc;
}

static int write_tx(store_conn *c, void *arg)
{
	struct write_arg *w = arg;
	json_t *errors = json_array();
	const char *why = NULL;
	char actor[24];
	yj_reg_actor(w->r, actor);
	const yj_principal *who = yj_who(w->r);
	int rc = w->a == LA_ISSUE
			 ? yj_licence_issue(c, &who->scope, who->region_code, yj_body(w->r), actor, &w->id, errors)
			 : yj_licence_act(c, &who->scope, w->id, w->a, yj_body(w->r), actor, errors, &why);
	return refused(w, rc, errors, why);
}

static int write(yj_req *r, enum yj_licence_action a)
{
	if (!writer_department(r))
		return YJ_OK;
	struct write_arg w = {r, a, 0, {0}};
	if (a != LA_ISSUE && yj_path_id_or_reply(r, "id", &w.id) < 0)
		return YJ_OK;
	if (yj_tx_or_reply(r, write_tx, &w, &w.no) < 0)
		return YJ_OK;
	json_t *row = NULL;
	int rc = yj_licence_load(store_conn_get(yj_store(r)), &yj_who(r)->scope, w.id, 1, &row);
	if (rc < 0)
		return yj_reply_store_error(r, rc);
	strip_internal(row);
	return yj_reply_json(r, a == LA_ISSUE ? 201 : 200, row);
}

static int issue(yj_req *r) { return write(r, LA_ISSUE); }
static int renew(yj_req *r) { return write(r, LA_RENEW); }
static int change(yj_req *r) { return write(r, LA_CHANGE); }
static int suspend(yj_req *r) { return write(r, LA_SUSPEND); }
static int resume(yj_req *r) { return write(r, LA_RESUME); }
static int revoke(yj_req *r) { return write(r, LA_REVOKE); }

static int kinds(yj_req *r)
{
	json_t *items = NULL;
	int rc = yj_licence_kinds(store_conn_get(yj_store(r)), &items);
	if (rc < 0)
		return yj_reply_store_error(r, rc);
	return yj_reply_json(r, 200, json_pack("{s:o}", "items", items));
}

/* ---- public: no sign-in ---- */

static int public_verify(yj_req *r)
{
	char code[YJ_LICENCE_CODE_LEN + 1];
	json_t *row = NULL;
	int rc = yj_licence_code_normalise(yj_param(r, "code"), code) < 0
			 ? ST_NOTFOUND
			 : yj_licence_find_code(store_conn_get(yj_store(r)), code, &row);
	if (rc == ST_NOTFOUND)
		return yj_reply_problem(r, 404, "licence-not-found", "未找到该证照",
					"没有与该核验码对应的电子证照，请核对核验码（16 位字母和数字）后重试；"
					"如对证照真伪有疑问，请向发证机关咨询。");
	if (rc < 0)
		return yj_reply_store_error(r, rc);
	json_t *out = json_object();
	static const char *const keys[] = {"status", "status_label", "kind_name", "number", "holder_name",
					   "holder_identifier", "issuer", "valid_from", "valid_to"};
	for (size_t i = 0; i < YJ_ARRAY_LEN(keys); i++) {
		json_t *v = json_object_get(row, keys[i]);
		json_object_set(out, keys[i], v ? v : json_null());
	}
	json_decref(row);
	return yj_reply_json(r, 200, out);
}

static int public_key(yj_req *r)
{
	return yj_reply_json(r, 200, json_pack("{s:s, s:s}", "algorithm", "ed25519", "public_key", yj_licence_public_key_hex()));
}

/* ---- routes ---- */

static const yj_field issue_body[] = {
	{"kind", F_STRING, 1, 40, "Licence kind code (GET /api/v1/licence-kinds)"},
	{"holder_type", F_STRING, 1, 24, "A registry kind (institution, practitioner, public_place, …); one the licence kind allows"},
	{"holder_id", F_STRING, 1, 24, "Id of the holder (a record of that kind), in the caller's territory"},
	{"reason", F_STRING, 1, 500, "Why it is issued (application, decision number); recorded and audited"},
	{"valid_from", F_STRING, 0, 10, "YYYY-MM-DD, default today (Asia/Shanghai)"},
	{"valid_to", F_STRING, 0, 10, "YYYY-MM-DD, default valid_from + the kind's term − 1 day; none when the kind has no term"},
	{"number", F_STRING, 0, 60, "Licence number of an existing paper licence; generated when absent"},
	{NULL, 0, 0, 0, NULL},
};
static const yj_field renew_body[] = {
	{"reason", F_STRING, 1, 500, "Why (recorded and audited)"},
	{"valid_from", F_STRING, 0, 10, "New start, YYYY-MM-DD, default today"},
	{"valid_to", F_STRING, 0, 10, "New end, default valid_from + the kind's term − 1 day"},
	{NULL, 0, 0, 0, NULL},
};
static const yj_field reason_body[] = {
	{"reason", F_STRING, 1, 500, "Why (recorded and audited); a revocation names the decision"},
	{NULL, 0, 0, 0, NULL},
};

#define FILTER_PARAMS                                                                                      \
	{"kind", "Licence kind code"}, {"holder_type", "A registry kind: institution, practitioner, public_place, …"},                     \
		{"holder", "Holder id"}, {"state", "valid, suspended, revoked or expired"},                \
		{"region", "GB/T 2260 code: licences in its subtree"}, {"q", "Licence number or its beginning"}

static const yj_qparam list_params[] = {
	FILTER_PARAMS, YJ_QP_PAGE, {NULL, NULL},
};
static const yj_qparam export_params[] = {FILTER_PARAMS, {"format", "xlsx (default) or csv"}, {NULL, NULL}};

const yj_route yj_licence_routes[] = {
	{"GET", "/api/v1/licences", list, ROLE_ANY, NULL, list_params, "licences",
	 "List electronic licences in the caller's territory, with filters", "{items, next_cursor}", 200},
	{"GET", "/api/v1/licences/export", export, ROLE_ANY, NULL, export_params, "licences",
	 "Export the filtered licence list as Excel or CSV", "An .xlsx or .csv file", 200},
	{"POST", "/api/v1/licences", issue, WRITERS, issue_body, NULL, "licences",
	 "Issue a licence to an institution or practitioner (signed payload, verification code)", "The licence", 201},
	{"GET", "/api/v1/licences/{id}", get, ROLE_ANY, NULL, NULL, "licences",
	 "Read one licence with its events", "The licence with events", 200},
	{"POST", "/api/v1/licences/{id}/renew", renew, WRITERS, renew_body, NULL, "licences",
	 "Renew (延续): new validity, re-signed under a new version", "The licence", 200},
	{"POST", "/api/v1/licences/{id}/change", change, WRITERS, reason_body, NULL, "licences",
	 "Change (变更): re-sign with the holder's current registry data under a new version", "The licence", 200},
	{"POST", "/api/v1/licences/{id}/suspend", suspend, WRITERS, reason_body, NULL, "licences",
	 "Suspend (暂停) a valid licence", "The licence", 200},
	{"POST", "/api/v1/licences/{id}/resume", resume, WRITERS, reason_body, NULL, "licences",
	 "Resume (恢复) a suspended licence", "The licence", 200},
	{"POST", "/api/v1/licences/{id}/revoke", revoke, WRITERS, reason_body, NULL, "licences",
	 "Revoke (吊销) a licence; final", "The licence", 200},
	{"GET", "/api/v1/licences/{id}/download", download, ROLE_ANY, NULL, NULL, "licences",
	 "The signed licence file {payload, signature, public_key, algorithm} as an attachment", "A JSON file", 200},
	{"GET", "/api/v1/licences/{id}/certificate.pdf", yj_licence_certificate, ROLE_ANY, NULL, NULL, "licences",
	 "The licence as a printable PDF certificate: its data, QR code and signature data (not numbered, not stored)",
	 "application/pdf", 200},
	{"GET", "/api/v1/licences/{id}/qr.png", qr, ROLE_ANY, NULL, NULL, "licences",
	 "QR code (PNG) of the public verification URL <public-url>verify/<code>", "image/png", 200},
	{"GET", "/api/v1/licence-kinds", kinds, ROLE_ANY, NULL, NULL, "licences",
	 "Every licence kind: code, name, holder type, term in years (0: none)", "{items}", 200},
	{"GET", "/api/v1/public/licences/{code}", public_verify, ROLE_PUBLIC, NULL, NULL, "public",
	 "Verify a licence by its verification code, without signing in",
	 "{status, status_label, kind_name, number, holder_name, holder_identifier, issuer, valid_from, valid_to}", 200},
	{"GET", "/api/v1/public/licence-key", public_key, ROLE_PUBLIC, NULL, NULL, "public",
	 "The published ed25519 public key that signs licence files", "{algorithm, public_key}", 200},
	{0},
};
