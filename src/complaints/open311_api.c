/* open311_api.c — Open311 GeoReport v2 at /open311/v2/ (docs/open311.md): the service list (the
 * complaint categories), service definitions with their attributes, POST requests with an api_key
 * (through the same intake as every other door), GET requests (the client's own), GET a request and
 * GET a token by the tracking code — each in JSON or XML, errors as the spec's [{code, description}]:
 * 404 for what does not exist, 403 for a missing or wrong api_key, 400 for anything else. And the
 * administrators' routes that issue client keys. */
#define _POSIX_C_SOURCE 200809L
#include "open311.h"
#include "intake.h"
#include "../platform/regions/regions.h"

#include <sodium.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The format of the request's last path segment (every Open311 route ends in .json or .xml). */
static int fmt_of(yj_req *r)
{
	const char *p = yj_path(r), *slash = strrchr(p, '/');
	return o311_format(slash ? slash + 1 : p, NULL, 0);
}

/* The stem of path parameter name and its format; 0 (after a 404) when the suffix is missing. */
static int param_stem(yj_req *r, const char *name, char *stem, size_t cap)
{
	int fmt = o311_format(yj_param(r, name), stem, cap);
	if (!fmt)
		o311_error(r, O311_JSON, 404, "没有这个资源：地址应以 .json 或 .xml 结尾。");
	return fmt;
}

/* The services' one required attribute and the optional ones, as the service definition lists them. */
static json_t *attributes(void)
{
	return json_pack(
		"[{s:b, s:s, s:s, s:b, s:s, s:i, s:s}, {s:b, s:s, s:s, s:b, s:s, s:i, s:s}, {s:b, s:s, s:s, s:b, s:s, s:i, s:s}]",
		"variable", 1, "code", "region_code", "datatype", "string", "required", 1, "datatype_description",
		"6 位县级或 9 位乡镇（街道）行政区划代码（GB/T 2260）", "order", 1, "description", "事发地的行政区划代码",
		"variable", 1, "code", "subject_name", "datatype", "string", "required", 0, "datatype_description",
		"机构或个人的名称", "order", 2, "description", "被投诉举报的机构或个人",
		"variable", 1, "code", "subject_credit_code", "datatype", "string", "required", 0, "datatype_description",
		"18 位统一社会信用代码", "order", 3, "description", "被投诉举报机构的统一社会信用代码（知道时填写）");
}

static int services(yj_req *r)
{
	int fmt = fmt_of(r);
	json_t *cats = NULL;
	int rc = cmp_categories_json(store_conn_get(yj_store(r)), &cats);
	if (rc < 0)
		return o311_error(r, fmt, 400, "服务暂时不可用，请稍后重试。");
	json_t *out = json_array();
	size_t i;
	json_t *k;
	json_array_foreach(cats, i, k) {
		if (!json_is_true(json_object_get(k, "active")))
			continue;
		const char *kind = json_string_value(json_object_get(k, "kind"));
		json_array_append_new(out, json_pack("{s:O, s:O, s:O, s:b, s:s, s:s, s:s}", "service_code", json_object_get(k, "code"),
						     "service_name", json_object_get(k, "name"), "description",
						     json_object_get(k, "name"), "metadata", 1, "type", "realtime", "keywords",
						     kind, "group", kind));
	}
	json_decref(cats);
	return o311_reply(r, fmt, 200, "services", out);
}

static int service_definition(yj_req *r)
{
	char code[40];
	int fmt = param_stem(r, "code", code, sizeof code);
	if (!fmt)
		return YJ_OK;
	cmp_category cat;
	int rc = cmp_category_get(store_conn_get(yj_store(r)), code, &cat);
	if (rc == ST_NOTFOUND || (rc == ST_OK && !cat.active))
		return o311_error(r, fmt, 404, "service_code 不存在：请从 services 列表中选择服务代码。");
	if (rc < 0)
		return o311_error(r, fmt, 400, "服务暂时不可用，请稍后重试。");
	return o311_reply(r, fmt, 200, "service_definition",
			  json_pack("{s:s, s:o}", "service_code", cat.code, "attributes", attributes()));
}

static const char *fstr(const json_t *form, const char *k)
{
	const char *v = json_string_value(json_object_get(form, k));
	return v && *v ? v : NULL; /* the spec: an empty parameter is one not passed */
}

/* A WGS84 coordinate in [-lim, lim], written as a plain decimal. */
static int coord_ok(const char *v, double lim)
{
	char *end;
	if (!v || strspn(v, "+-0123456789.") != strlen(v))
		return 0;
	double d = strtod(v, &end);
	return *end == '\0' && end != v && d >= -lim && d <= lim;
}

/* The title of a matter filed without one: the first 20 characters of its description. */
static char *title_of(const char *description)
{
	const unsigned char *p = (const unsigned char *)description;
	size_t n = 0, chars = 0;
	while (p[n] && chars < 20) {
		n += p[n] < 0x80 ? 1 : (p[n] >> 5) == 6 ? 2 : (p[n] >> 4) == 14 ? 3 : 4;
		chars++;
	}
	char *t = yj_strndup(description, n);
	for (char *q = t; *q; q++)
		if (*q == '\n' || *q == '\r' || *q == '\t')
			*q = ' ';
	return t;
}

static int post_request(yj_req *r)
{
	int fmt = fmt_of(r);
	size_t len = 0;
	const char *raw = yj_body_raw(r, &len);
	json_t *form = o311_form_parse(raw ? raw : "", len), *body = NULL;
	if (!form)
		return o311_error(r, fmt, 400, "请求正文应为 UTF-8 编码的 application/x-www-form-urlencoded 表单。");
	const char *key = fstr(form, "api_key"), *service = fstr(form, "service_code"), *lat = fstr(form, "lat"),
		   *lng = fstr(form, "long"), *addr = fstr(form, "address_string"), *addr_id = fstr(form, "address_id"),
		   *desc = fstr(form, "description");
	const json_t *attr = json_object_get(form, "attribute");
	store_conn *c = store_conn_get(yj_store(r));
	int64_t client = 0;
	char region[16] = "", msg[600];
	cmp_category cat;
	int rc = o311_key_find(c, key, &client, region);
	if (rc == ST_NOTFOUND) {
		rc = o311_error(r, fmt, 403, key ? "api_key 无效，不能提交请求；请向卫生健康委申请有效的 api_key。"
						 : "缺少 api_key，不能提交请求；请在表单中附上 api_key。");
		goto done;
	}
	if (rc >= 0 && !service) {
		rc = o311_error(r, fmt, 400, "缺少 service_code：请从 services 列表中选择服务代码。");
		goto done;
	}
	if (rc >= 0 && ((rc = cmp_category_get(c, service, &cat)) == ST_NOTFOUND || (rc == ST_OK && !cat.active))) {
		rc = o311_error(r, fmt, 404, "service_code 不存在：请从 services 列表中选择服务代码。");
		goto done;
	}
	if (rc < 0) {
		rc = o311_error(r, fmt, 400, "服务暂时不可用，请稍后重试。");
		goto done;
	}
	if (!(lat && lng) && !addr && !addr_id) {
		rc = o311_error(r, fmt, 400, "缺少位置：请提供 lat 和 long，或 address_string，或 address_id。");
		goto done;
	}
	if ((lat || lng) && !(coord_ok(lat, 90) && coord_ok(lng, 180))) {
		rc = o311_error(r, fmt, 400, "lat 和 long 应成对提供，为 WGS84 十进制度数（纬度 -90 到 90，经度 -180 到 180）。");
		goto done;
	}
	const char *rc_attr = json_string_value(json_object_get(attr, "region_code"));
	if (!rc_attr || !*rc_attr) {
		rc = o311_error(r, fmt, 400, "缺少必填属性 attribute[region_code]：事发地的行政区划代码。");
		goto done;
	}
	if (!desc) {
		rc = o311_error(r, fmt, 400, "缺少 description：请说明所投诉举报的事实。");
		goto done;
	}
	if (strlen(desc) > 4000 * 4 || yj_utf8_len(desc, strlen(desc)) > 4000) {
		rc = o311_error(r, fmt, 400, "description 不能超过 4,000 个字符。");
		goto done;
	}
	/* The reporter is named only with a name and a phone; otherwise the matter is anonymous. */
	const char *first = fstr(form, "first_name"), *last = fstr(form, "last_name"), *phone = fstr(form, "phone");
	char *title = title_of(desc), *name = NULL;
	if ((first || last) && phone)
		name = yj_asprintf("%s%s", last ? last : "", first ? first : ""); /* 姓 before 名 */
	body = json_pack("{s:s, s:s, s:s, s:s, s:b}", "category", cat.code, "title", *title ? title : cat.name, "content",
			 desc, "region_code", rc_attr, "anonymous", !name);
	free(title);
	if (name) {
		json_object_set_new(body, "reporter_name", json_string(name));
		json_object_set_new(body, "reporter_phone", json_string(phone));
		free(name);
	}
	const char *v;
	if ((v = json_string_value(json_object_get(attr, "subject_name"))) && *v)
		json_object_set_new(body, "subject_name", json_string(v));
	if ((v = json_string_value(json_object_get(attr, "subject_credit_code"))) && *v)
		json_object_set_new(body, "subject_credit_code", json_string(v));
	yj_scope sc;
	yj_scope_init(&sc, region, CMP_DESK, "*"); /* a client files matters in its own territory */
	char actor[32];
	snprintf(actor, sizeof actor, "open311:%lld", (long long)client);
	cmp_intake in = {.body = body, .sc = &sc, .channel = "open311", .actor = actor, .address = addr ? addr : "",
			 .lat = lat, .lng = lng, .client_id = client};
	cmp_intake_epoch(r, &in);
	rc = store_tx_group(yj_store(r), cmp_intake_tx, &in); /* concurrent posts share one commit (store.h) */
	if (rc == YJ_REFUSED) {
		/* The intake's field errors in one description ("field: what to do; …"). */
		yj_buf b = YJ_BUF_INIT;
		yj_buf_puts(&b, in.ref.detail);
		size_t i;
		json_t *e;
		json_array_foreach(in.ref.errors, i, e)
			yj_buf_printf(&b, "%s%s：%s", i ? "；" : " ", json_string_value(json_object_get(e, "field")),
				      json_string_value(json_object_get(e, "detail")));
		snprintf(msg, sizeof msg, "%s", b.data ? b.data : "请求未被受理。");
		yj_buf_free(&b);
		yj_refusal_clear(&in.ref);
		rc = o311_error(r, fmt, 400, msg);
	} else if (rc < 0) {
		yj_refusal_clear(&in.ref);
		rc = o311_error(r, fmt, 400, "服务暂时不可用，请求未保存，请稍后重试。");
	} else {
		char *notice = yj_asprintf("已登记，将分派至%s办理；请凭查询码 %s 查询进度。", cat.department,
					   json_string_value(json_object_get(in.out, "tracking_code")));
		char dept[64];
		if (yj_department_name(c, cat.department, dept, sizeof dept) == ST_OK) {
			free(notice);
			notice = yj_asprintf("已登记，将分派至%s办理；请凭查询码 %s 查询进度。", dept,
					     json_string_value(json_object_get(in.out, "tracking_code")));
		}
		rc = o311_reply(r, fmt, 200, "service_requests",
				json_pack("[{s:O, s:s, s:n}]", "service_request_id", json_object_get(in.out, "tracking_code"),
					  "service_notice", notice, "account_id"));
		free(notice);
	}
	json_decref(in.out);
done:
	json_decref(body);
	json_decref(form);
	return rc;
}

/* A comma-separated argument as an array of its non-empty items (new reference), or NULL when absent. */
static json_t *csv_arg(yj_req *r, const char *name)
{
	const char *v = yj_query(r, name);
	if (!v || !*v)
		return NULL;
	json_t *a = json_array();
	const char *p = v;
	while (*p) {
		size_t n = strcspn(p, ",");
		char *item = yj_strndup(p, n);
		char *s = item, *e = item + strlen(item);
		while (*s == ' ')
			s++;
		while (e > s && e[-1] == ' ')
			*--e = '\0';
		if (*s)
			json_array_append_new(a, json_string(s));
		free(item);
		p += n + (p[n] == ',');
	}
	return a;
}

#define SPAN_MS (90 * YJ_DAY_MS)
#define MAX_REQUESTS 1000

static int get_requests(yj_req *r)
{
	int fmt = fmt_of(r);
	store_conn *c = store_conn_get(yj_store(r));
	int64_t client = 0, from, to, now = yj_now_ms();
	char region[16];
	const char *key = yj_query(r, "api_key"), *sd = yj_query(r, "start_date"), *ed = yj_query(r, "end_date");
	int rc = o311_key_find(c, key, &client, region);
	if (rc == ST_NOTFOUND)
		return o311_error(r, fmt, 403, "缺少或无效的 api_key：请求列表只对提交它们的客户端开放，请附上 api_key。");
	if (rc < 0)
		return o311_error(r, fmt, 400, "服务暂时不可用，请稍后重试。");
	if ((sd && *sd && yj_instant_parse(sd, &from) < 0) || (ed && *ed && yj_instant_parse(ed, &to) < 0))
		return o311_error(r, fmt, 400, "start_date 和 end_date 应为带时区的 W3C 日期时间，例如 2026-01-01T00:00:00+08:00。");
	int has_s = sd && *sd, has_e = ed && *ed;
	if (!has_s && !has_e) {
		to = now + 1;
		from = to - SPAN_MS;
	} else if (!has_e) {
		to = from + SPAN_MS;
	} else if (!has_s) {
		from = to - SPAN_MS;
	} else {
		to += 1; /* end_date is inclusive */
	}
	if (to <= from || to - from > SPAN_MS + 1)
		return o311_error(r, fmt, 400, "start_date 应早于 end_date，且查询范围不能超过 90 天。");
	json_t *codes = csv_arg(r, "service_request_id"), *svc = csv_arg(r, "service_code"), *status = csv_arg(r, "status"),
	       *out = NULL;
	size_t i;
	json_t *v;
	json_array_foreach(status, i, v)
		if (strcmp(json_string_value(v), "open") && strcmp(json_string_value(v), "closed")) {
			json_decref(codes);
			json_decref(svc);
			json_decref(status);
			return o311_error(r, fmt, 400, "status 只能是 open 或 closed（可用逗号分隔多个）。");
		}
	if ((rc = store_begin(c, 0)) >= 0) {
		rc = o311_requests(c, client, codes, svc, status, from, to, MAX_REQUESTS, &out);
		store_rollback(c);
	}
	json_decref(codes);
	json_decref(svc);
	json_decref(status);
	if (rc < 0)
		return o311_error(r, fmt, 400, "服务暂时不可用，请稍后重试。");
	return o311_reply(r, fmt, 200, "service_requests", out);
}

/* One matter by its tracking code; its content stays out (the tracking page's rule). */
static int get_request(yj_req *r)
{
	char code[40];
	int fmt = param_stem(r, "id", code, sizeof code);
	if (!fmt)
		return YJ_OK;
	json_t *m = NULL;
	store_conn *c = store_conn_get(yj_store(r));
	int rc = yj_cmp_code_valid(code) ? cmp_load_by_code(c, code, &m) : ST_NOTFOUND;
	if (rc == ST_NOTFOUND)
		return o311_error(r, fmt, 404, "service_request_id 不存在：请核对提交时得到的编号。");
	if (rc < 0)
		return o311_error(r, fmt, 400, "服务暂时不可用，请稍后重试。");
	json_t *o = o311_request_json(c, m, 0);
	json_decref(m);
	return o311_reply(r, fmt, 200, "service_requests", json_pack("[o]", o));
}

/* Requests are realtime (the id comes back at once), so a token is the request's own id. */
static int get_token(yj_req *r)
{
	char code[40];
	int fmt = param_stem(r, "token", code, sizeof code);
	if (!fmt)
		return YJ_OK;
	json_t *m = NULL;
	int rc = yj_cmp_code_valid(code) ? cmp_load_by_code(store_conn_get(yj_store(r)), code, &m) : ST_NOTFOUND;
	json_decref(m);
	if (rc == ST_NOTFOUND)
		return o311_error(r, fmt, 404, "token 不存在：请核对提交时得到的编号。");
	if (rc < 0)
		return o311_error(r, fmt, 400, "服务暂时不可用，请稍后重试。");
	return o311_reply(r, fmt, 200, "service_requests", json_pack("[{s:s, s:s}]", "service_request_id", code, "token", code));
}

/* ---- client keys (administrators) ---- */

struct key_arg {
	yj_req *r;
	json_t *out;
	yj_refusal ref;
};

static int key_create_tx(store_conn *c, void *arg)
{
	struct key_arg *a = arg;
	const json_t *b = yj_body(a->r);
	const char *name = json_string_value(json_object_get(b, "name")), *region = json_string_value(json_object_get(b, "region_code"));
	int rc = yj_region_exists(c, region);
	if (rc < 0)
		return rc;
	if (!rc || !yj_scope_allows(&yj_who(a->r)->scope, region, NULL)) {
		yj_refusal_field(&a->ref, "region_code", "应为您辖区内的行政区划代码：客户端只能提交该区域内的投诉举报");
		return yj_refuse_invalid(&a->ref, NULL);
	}
	char key[70], actor[21];
	int64_t id;
	yj_id_format(yj_who(a->r)->user_id, actor);
	if ((rc = o311_key_create(c, name, region, actor, &id, key)) < 0)
		return rc;
	json_t *state = json_pack("{s:s, s:s}", "name", name, "region_code", region);
	yj_audit_event ev = {actor, "open311.key.create", "open311_key", "", region, state};
	char sid[21];
	yj_id_format(id, sid);
	ev.object_id = sid;
	rc = yj_audit_append(c, &ev, NULL);
	json_decref(state);
	json_decref(a->out);
	a->out = json_pack("{s:s, s:s, s:s, s:s}", "id", sid, "name", name, "region_code", region, "api_key", key);
	sodium_memzero(key, sizeof key);
	return rc;
}

static int key_create(yj_req *r)
{
	struct key_arg a = {.r = r};
	if (yj_tx_or_reply(r, key_create_tx, &a, &a.ref) < 0)
		return YJ_OK;
	return yj_reply_json(r, 201, a.out);
}

static int keys_list(yj_req *r)
{
	json_t *items = NULL;
	int rc = o311_keys_json(store_conn_get(yj_store(r)), &yj_who(r)->scope, &items);
	return rc < 0 ? yj_reply_store_error(r, rc) : yj_reply_json(r, 200, json_pack("{s:o}", "items", items));
}

static const yj_qparam jurisdiction[] = {{"jurisdiction_id", "Ignored: one jurisdiction is served"}, {NULL, NULL}};
static const yj_qparam list_q[] = {
	{"api_key", "The client's key: the list holds the requests it filed"},
	{"jurisdiction_id", "Ignored: one jurisdiction is served"},
	{"service_request_id", "Comma-separated ids (tracking codes); overrides the other arguments"},
	{"service_code", "Comma-separated service codes"},
	{"start_date", "W3C date-time with zone; the range spans at most 90 days"},
	{"end_date", "W3C date-time with zone"},
	{"status", "open, closed, or both comma-separated"},
	{NULL, NULL},
};
static const yj_field form_body[] = {
	{"application/x-www-form-urlencoded", F_RAW, 1, 0,
	 "api_key, service_code, lat & long or address_string or address_id, description, attribute[region_code], "
	 "optional first_name, last_name, phone, email, device_id, account_id, media_url"},
	{NULL, 0, 0, 0, NULL},
};
static const yj_field key_body[] = {
	{"name", F_STRING, 1, 100, "Who the client is (an app, a hotline system)"},
	{"region_code", F_STRING, 1, 12, "The territory its matters are filed in"},
	{NULL, 0, 0, 0, NULL},
};

#define O311(method, path, fn, q, body, summary, resp)                                             \
	{method, "/open311/v2/" path ".json", fn, ROLE_PUBLIC, body, q, "open311", summary " (JSON)", resp, 200}, \
	{method, "/open311/v2/" path ".xml", fn, ROLE_PUBLIC, body, q, "open311", summary " (XML)", resp, 200}

const yj_route yj_cmp_open311_routes[] = {
	O311("GET", "services", services, jurisdiction, NULL, "GeoReport v2 service list: the complaint categories",
	     "[service]"),
	{"GET", "/open311/v2/services/{code}", service_definition, ROLE_PUBLIC, NULL, jurisdiction, "open311",
	 "GeoReport v2 service definition ({code}.json or {code}.xml) with its attributes", "service_definition", 200},
	O311("POST", "requests", post_request, NULL, form_body, "GeoReport v2: file a request with an api_key",
	     "[{service_request_id, service_notice, account_id}]"),
	O311("GET", "requests", get_requests, list_q, NULL, "GeoReport v2: the client's requests (api_key required)",
	     "[request]"),
	{"GET", "/open311/v2/requests/{id}", get_request, ROLE_PUBLIC, NULL, jurisdiction, "open311",
	 "GeoReport v2: one request by its id ({id}.json or {id}.xml), without its content", "[request]", 200},
	{"GET", "/open311/v2/tokens/{token}", get_token, ROLE_PUBLIC, NULL, jurisdiction, "open311",
	 "GeoReport v2: the request id of a token ({token}.json or {token}.xml)", "[{service_request_id, token}]", 200},
	{"GET", "/api/v1/open311/keys", keys_list, ROLE_ADMIN, NULL, NULL, "complaints",
	 "Open311 client keys in the caller's territory (never the keys themselves)", "{items}", 200},
	{"POST", "/api/v1/open311/keys", key_create, ROLE_ADMIN, key_body, NULL, "complaints",
	 "Issue an Open311 api_key for a client (shown once)", "{id, name, region_code, api_key}", 201},
	{NULL, NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL, 0},
};
