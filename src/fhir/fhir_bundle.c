/* fhir_bundle.c — what every FHIR answer is made of: resources from registry hits, the Bundle with
 * its self and next links, the base URL (from the configuration only), and the replies and problems
 * of the parameters every interaction shares (_format, _count, _cursor). */
#define _POSIX_C_SOURCE 200809L
#include "fhir_int.h"
#include "../platform/pii/pii.h"
#include "../platform/regions/regions.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FHIR_JSON "application/fhir+json; charset=utf-8"

/* ---- rows to resources ---- */

static char *district_of(store_conn *c, const char *region)
{
	if (!region || strlen(region) < 6)
		return NULL;
	char county[7];
	yj_region r;
	snprintf(county, sizeof county, "%.6s", region);
	return yj_region_get(c, county, &r) == ST_OK ? strdup(r.name) : NULL;
}

fhir_item fhir_item_of(store_conn *c, const source *s, yj_reg_hit *hit, const char *today, const yj_principal *who)
{
	fhir_item it = {NULL, hit->id, hit->changed, hit->version};
	json_t *rec = hit->rec;
	hit->rec = NULL;
	char *district = NULL;
	switch (s->kind) {
	case S_ORG:
	case S_LOC:
		district = district_of(c, json_string_value(json_object_get(rec, "region_code")));
		it.res = s->kind == S_ORG ? yj_fhir_organization(rec, district) : yj_fhir_location(rec, district);
		break;
	case S_PRAC:
		/* gender only to the roles that see sex (docs/security.md) */
		yj_pii_present(rec, who->role_bit);
		it.res = yj_fhir_practitioner(rec);
		break;
	case S_ROLE_PRIMARY:
		it.res = yj_fhir_role_primary(rec);
		break;
	case S_ROLE_FILING:
		it.res = yj_fhir_role_filing(rec, json_object_get(rec, "practitioner"), today);
		break;
	}
	free(district);
	json_decref(rec);
	return it;
}

void fhir_items_free(fhir_item *its, int n)
{
	for (int i = 0; i < n; i++)
		json_decref(its[i].res);
	free(its);
}

/* ---- URLs ---- */

static void url_escape(yj_buf *b, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || strchr("-._~|:", *p))
			yj_buf_append(b, p, 1);
		else
			yj_buf_printf(b, "%%%02X", *p);
	}
}

/* <public-url>fhir/r4 from the configuration (serve --public-url). Never from the Host or
 * X-Forwarded-* headers: a client can forge those, and the links it got back (self, next,
 * fullUrl) would send the next request, with its bearer token, wherever it pointed. */
char *fhir_base_url(yj_req *r)
{
	const char *pub = yj_config(r)->public_url;
	size_t n = strlen(pub);
	return yj_asprintf("%.*s/fhir/r4", (int)(n && pub[n - 1] == '/' ? n - 1 : n), pub);
}

struct link_arg {
	yj_buf *b;
	int n;
	int skip_cursor;
};

static int link_cb(void *arg, const char *name, const char *value)
{
	struct link_arg *l = arg;
	if (l->skip_cursor && !strcmp(name, "_cursor"))
		return 0;
	yj_buf_puts(l->b, l->n++ ? "&" : "?");
	url_escape(l->b, name);
	yj_buf_puts(l->b, "=");
	url_escape(l->b, value);
	return 0;
}

char *fhir_page_url(yj_req *r, const char *base, const char *rest, const char *cursor)
{
	yj_buf b = YJ_BUF_INIT;
	yj_buf_printf(&b, "%s/%s", base, rest);
	struct link_arg l = {&b, 0, cursor != NULL};
	yj_query_each(r, link_cb, &l);
	if (cursor)
		yj_buf_printf(&b, "%s_cursor=%s", l.n ? "&" : "?", cursor);
	return yj_buf_detach(&b);
}

json_t *fhir_links(yj_req *r, const char *base, const char *rest, const char *next_cursor)
{
	char *self = fhir_page_url(r, base, rest, NULL);
	json_t *links = json_pack("[{s:s, s:s}]", "relation", "self", "url", self);
	free(self);
	if (next_cursor) {
		char *u = fhir_page_url(r, base, rest, next_cursor);
		json_array_append_new(links, json_pack("{s:s, s:s}", "relation", "next", "url", u));
		free(u);
	}
	return links;
}

json_t *fhir_bundle(const char *type, int64_t now_ms, json_t *links, json_t *entries)
{
	char now[YJ_INSTANT_LEN];
	yj_instant_format(now_ms, YJ_SHANGHAI_OFFSET_MIN, now);
	json_t *bundle = json_pack("{s:s, s:{s:s}, s:s, s:o}", "resourceType", "Bundle", "meta", "lastUpdated", now, "type",
				   type, "link", links);
	if (json_array_size(entries))
		json_object_set_new(bundle, "entry", entries);
	else
		json_decref(entries); /* FHIR JSON has no empty arrays */
	return bundle;
}

/* ---- replies ---- */

int fhir_reply(yj_req *r, int status, json_t *body)
{
	char *s = json_dumps(body, JSON_COMPACT | JSON_REAL_PRECISION(12));
	json_decref(body);
	if (!s)
		return yj_reply_problem(r, 500, "internal", "服务器内部错误", "无法生成响应，请联系管理员。");
	return yj_reply_take(r, status, FHIR_JSON, s, strlen(s));
}

int fhir_format_ok(yj_req *r)
{
	const char *f = yj_query(r, "_format");
	if (!f || !strcmp(f, "json") || !strcmp(f, "application/json") || !strcmp(f, "application/fhir+json"))
		return 1;
	yj_reply_problem_errors(r, 406, "not-acceptable", "不支持的格式", "本接口只提供 JSON 格式，请去掉 _format 参数或使用 _format=json。",
				yj_field_errors("_format", "仅支持 json"));
	return 0;
}

int fhir_count_param(yj_req *r, int *count)
{
	const char *v = yj_query(r, "_count");
	*count = FHIR_DEFAULT_COUNT;
	if (!v)
		return 0;
	char *end;
	long n = strtol(v, &end, 10);
	if (!*v || *end || n < 1 || n > FHIR_MAX_COUNT) {
		yj_reply_problem_errors(r, 400, "validation", "参数错误", "_count 应为 1 到 200 之间的整数。",
					yj_field_errors("_count", "应为 1–200 的整数"));
		return -1;
	}
	*count = (int)n;
	return 0;
}

int fhir_bad_cursor(yj_req *r)
{
	return yj_reply_problem_errors(r, 400, "validation", "参数错误", "_cursor 无效，请使用上一页 Bundle 中 next 链接的地址。",
				       yj_field_errors("_cursor", "无效的翻页游标"));
}
