/* fhir_api.c — /fhir/r4/: read, search (IHE mCSD ITI-90) and type history (ITI-91) of
 * Organization, Location, Practitioner and PractitionerRole, and the CapabilityStatement. Each
 * resource type reads one or two registry sources through registry.h's searches, in the caller's
 * territory exactly as /api/v1 (fhir_search.c maps the parameters; fhir_bundle.c writes the
 * answers). Paging is by key (id, or time and id for history) in an opaque _cursor, so pages stay
 * stable while records change. */
#define _POSIX_C_SOURCE 200809L
#include "fhir_int.h"
#include "../base/id.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const yj_qparam read_q[] = {{"_format", "json or application/fhir+json (the only format served)"}, {NULL, NULL}};
static const yj_qparam history_q[] = {
	{"_since", "Only resources changed at or after this instant (ITI-91)"},
	{"_count", "Page size 1–200 (default 20)"},
	{"_cursor", "Opaque paging key from the next link"},
	{"_format", "json or application/fhir+json"},
	{NULL, NULL},
};

/* Reads the rows of a run search s of source si into its[*n…] up to count + 1 in all. */
static int collect(yj_req *r, yj_reg_search *s, const source *src, int si, fhir_item *its, int *last_phase, int *n,
		   int count, const char *today)
{
	store_conn *c = store_conn_get(yj_store(r));
	yj_reg_hit hit;
	int rc = ST_DONE;
	while (*n <= count && (rc = yj_reg_search_next(s, &hit)) == ST_ROW) {
		last_phase[*n] = si;
		its[(*n)++] = fhir_item_of(c, src, &hit, today, yj_who(r));
	}
	return *n > count ? ST_OK : rc;
}

/* ---- search ---- */

static int search(yj_req *r, const ftype *ft)
{
	int count;
	if (!fhir_format_ok(r) || fhir_count_param(r, &count) < 0)
		return YJ_OK;
	int phase = 0;
	int64_t after = 0;
	const char *cur = yj_query(r, "_cursor");
	if (cur) {
		char back[48];
		long long a;
		if (sscanf(cur, "s%d.%lld", &phase, &a) != 2 || phase < 0 || phase >= ft->nsrc || a < 0)
			return fhir_bad_cursor(r);
		snprintf(back, sizeof back, "s%d.%lld", phase, a);
		if (strcmp(back, cur))
			return fhir_bad_cursor(r);
		after = a;
	}
	char today[11];
	yj_day_today(today);
	store_conn *c = store_conn_get(yj_store(r));
	fhir_item *its = yj_calloc((size_t)count + 1, sizeof *its);
	int n = 0, rc = ST_OK;
	int last_phase[FHIR_MAX_COUNT + 1];
	json_t *errors = json_array();
	for (int si = phase; si < ft->nsrc && n <= count; si++) {
		const source *src = ft->src[si];
		yj_reg_search *s = yj_reg_search_new(src->rs, &yj_who(r)->scope);
		fhir_apply_query(r, s, src, today, errors);
		if (json_array_size(errors)) {
			yj_reg_search_free(s);
			break;
		}
		rc = yj_reg_search_by_id(s, c, si == phase ? after : 0, count + 1 - n);
		if (rc == ST_OK)
			rc = collect(r, s, src, si, its, last_phase, &n, count, today);
		yj_reg_search_free(s);
		if (rc < 0)
			break;
	}
	if (json_array_size(errors)) {
		fhir_items_free(its, n);
		return yj_reply_problem_errors(r, 400, "validation", "查询参数有误", "请按提示修正查询参数后重试。", errors);
	}
	json_decref(errors);
	if (rc < 0) {
		fhir_items_free(its, n);
		return yj_reply_store_error(r, rc);
	}
	char next[48], *base = fhir_base_url(r);
	if (n > count)
		snprintf(next, sizeof next, "s%d.%lld", last_phase[count - 1], (long long)its[count - 1].id);
	json_t *links = fhir_links(r, base, ft->name, n > count ? next : NULL);
	if (n > count) {
		json_decref(its[count].res);
		n = count;
	}
	json_t *entries = json_array();
	for (int i = 0; i < n; i++) {
		char *full = yj_asprintf("%s/%s/%s", base, ft->name, json_string_value(json_object_get(its[i].res, "id")));
		json_array_append_new(entries, json_pack("{s:s, s:o, s:{s:s}}", "fullUrl", full, "resource", its[i].res,
							 "search", "mode", "match"));
		free(full);
	}
	free(its);
	free(base);
	return fhir_reply(r, 200, fhir_bundle("searchset", yj_now_ms(), links, entries));
}

/* ---- _history (ITI-91): the current version of every resource changed since, newest first ---- */

static int history(yj_req *r, const ftype *ft)
{
	int count;
	if (!fhir_format_ok(r) || fhir_count_param(r, &count) < 0)
		return YJ_OK;
	int64_t since = 0, hi;
	const char *sv = yj_query(r, "_since");
	if (sv && yj_instant_parse_range(sv, &since, &hi) < 0)
		return yj_reply_problem_errors(r, 400, "validation", "参数错误", "_since 应为 FHIR 时刻，如 2026-01-01T00:00:00+08:00。",
					       yj_field_errors("_since", "格式无效"));
	int phase = 0, have_cursor = 0;
	int64_t cts = 0, cid = 0;
	const char *cur = yj_query(r, "_cursor");
	if (cur) {
		char back[64];
		long long a, b;
		if (sscanf(cur, "h%d.%lld.%lld", &phase, &a, &b) != 3 || phase < 0 || phase >= ft->nsrc || a < 0 || b < 0)
			return fhir_bad_cursor(r);
		snprintf(back, sizeof back, "h%d.%lld.%lld", phase, a, b);
		if (strcmp(back, cur))
			return fhir_bad_cursor(r);
		cts = a, cid = b, have_cursor = 1;
	}
	char today[11];
	yj_day_today(today);
	int64_t now_ms = yj_now_ms();
	store_conn *c = store_conn_get(yj_store(r));
	fhir_item *its = yj_calloc((size_t)count + 1, sizeof *its);
	int last_phase[FHIR_MAX_COUNT + 1];
	int n = 0, rc = ST_OK;
	for (int si = phase; si < ft->nsrc && n <= count; si++) {
		const source *src = ft->src[si];
		yj_reg_search *s = yj_reg_search_new(src->rs, &yj_who(r)->scope);
		rc = yj_reg_search_by_change(s, c, since, have_cursor && si == phase, cts, cid, count + 1 - n);
		if (rc == ST_OK)
			rc = collect(r, s, src, si, its, last_phase, &n, count, today);
		yj_reg_search_free(s);
		if (rc < 0)
			break;
	}
	if (rc < 0) {
		fhir_items_free(its, n);
		return yj_reply_store_error(r, rc);
	}
	char next[64], *base = fhir_base_url(r), *rest = yj_asprintf("%s/_history", ft->name);
	if (n > count)
		snprintf(next, sizeof next, "h%d.%lld.%lld", last_phase[count - 1], (long long)its[count - 1].ts,
			 (long long)its[count - 1].id);
	json_t *links = fhir_links(r, base, rest, n > count ? next : NULL);
	if (n > count) {
		json_decref(its[count].res);
		n = count;
	}
	free(rest);
	json_t *entries = json_array();
	for (int i = 0; i < n; i++) {
		const char *id = json_string_value(json_object_get(its[i].res, "id"));
		char *full = yj_asprintf("%s/%s/%s", base, ft->name, id), *url = yj_asprintf("%s/%s", ft->name, id);
		char at[YJ_INSTANT_LEN], etag[32];
		yj_instant_format(its[i].ts, YJ_SHANGHAI_OFFSET_MIN, at);
		snprintf(etag, sizeof etag, "W/\"%lld\"", (long long)its[i].version);
		int created = its[i].version == 1;
		json_array_append_new(entries, json_pack("{s:s, s:o, s:{s:s, s:s}, s:{s:s, s:s, s:s}}", "fullUrl", full,
							 "resource", its[i].res, "request", "method", created ? "POST" : "PUT",
							 "url", created ? ft->name : url, "response", "status",
							 created ? "201 Created" : "200 OK", "lastModified", at, "etag", etag));
		free(full);
		free(url);
	}
	free(its);
	free(base);
	/* meta.lastUpdated is when this answer was read: the _since of the client's next sync. */
	return fhir_reply(r, 200, fhir_bundle("history", now_ms, links, entries));
}

/* ---- read ---- */

static int not_found(yj_req *r, const char *type)
{
	char d[200];
	snprintf(d, sizeof d, "找不到该 %s 资源，或它不在您的管辖范围内；请核对资源 id。", type);
	return yj_reply_problem(r, 404, "not-found", "未找到", d);
}

static int read_one(yj_req *r, const ftype *ft)
{
	if (!fhir_format_ok(r))
		return YJ_OK;
	const char *idp = yj_param(r, "id");
	int si = 0;
	char idbuf[64];
	if (strlen(idp) >= sizeof idbuf)
		return not_found(r, ft->name);
	strcpy(idbuf, idp);
	if (ft->nsrc > 1) {
		si = -1;
		for (int i = 0; i < ft->nsrc; i++) {
			size_t sl = strlen(ft->src[i]->id_suffix), il = strlen(idbuf);
			if (il > sl && !strcmp(idbuf + il - sl, ft->src[i]->id_suffix)) {
				idbuf[il - sl] = '\0';
				si = i;
				break;
			}
		}
	}
	int64_t id;
	if (si < 0 || yj_id_parse(idbuf, &id) < 0)
		return not_found(r, ft->name);
	const source *src = ft->src[si];
	char today[11];
	yj_day_today(today);
	store_conn *c = store_conn_get(yj_store(r));
	yj_reg_search *s = yj_reg_search_new(src->rs, &yj_who(r)->scope);
	yj_reg_hit hit;
	int rc = yj_reg_search_one(s, c, id);
	if (rc == ST_OK)
		rc = yj_reg_search_next(s, &hit);
	yj_reg_search_free(s);
	if (rc == ST_DONE)
		return not_found(r, ft->name);
	if (rc < 0)
		return yj_reply_store_error(r, rc);
	fhir_item it = fhir_item_of(c, src, &hit, today, yj_who(r));
	char etag[32];
	snprintf(etag, sizeof etag, "W/\"%lld\"", (long long)it.version);
	yj_add_header(r, "ETag", etag);
	return fhir_reply(r, 200, it.res);
}

/* ---- CapabilityStatement ---- */

static int metadata(yj_req *r)
{
	if (!fhir_format_ok(r))
		return YJ_OK;
	char now[YJ_INSTANT_LEN];
	yj_instant_format(yj_now_ms(), YJ_SHANGHAI_OFFSET_MIN, now);
	json_t *resources = json_array();
	for (size_t i = 0; i < FHIR_NTYPES; i++) {
		json_t *sp = json_array();
		for (const fparam *p = yj_fhir_types[i].src[0]->params; p->name; p++)
			json_array_append_new(sp, json_pack("{s:s, s:s, s:s}", "name", p->name, "type", p->type, "documentation",
							    p->doc));
		char prof[160];
		snprintf(prof, sizeof prof, "https://profiles.ihe.net/ITI/mCSD/StructureDefinition/IHE.mCSD.%s", yj_fhir_types[i].profile);
		json_array_append_new(resources, json_pack("{s:s, s:[s], s:[{s:s}, {s:s}, {s:s}], s:s, s:b, s:o}", "type",
							   yj_fhir_types[i].name, "supportedProfile", prof, "interaction", "code", "read",
							   "code", "search-type", "code", "history-type", "versioning",
							   "versioned", "readHistory", 0, "searchParam", sp));
	}
	json_t *cs = json_pack(
		"{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:{s:s, s:s}, s:s, s:[s], s:[s], s:[{s:s, s:s, s:{s:b, s:s}, s:o}]}",
		"resourceType", "CapabilityStatement", "status", "active", "date", now, "publisher", "yijian 医监", "kind",
		"instance", "description", "医监主体库的 FHIR R4 接口（IHE mCSD 目录服务：机构、场所、医务人员、执业角色），只读。",
		"fhirVersion", "4.0.1", "implementation", "description", "yijian FHIR R4 (IHE mCSD Care Services Selective Supplier)",
		"url", "/fhir/r4", "name", "yijian", "format", "json", "instantiates",
		"https://profiles.ihe.net/ITI/mCSD/CapabilityStatement/IHE.mCSD.Directory", "rest", "mode", "server",
		"documentation", "Search (ITI-90) and type history with _since (ITI-91); results respect the caller's territory.",
		"security", "cors", 0, "description",
		"Bearer token (yijian token create) or a console session cookie; every role may read, within its territory.",
		"resource", resources);
	return fhir_reply(r, 200, cs);
}

/* ---- routes ---- */

#define HANDLERS(T, i)                                                            \
	static int T##_search(yj_req *r) { return search(r, &yj_fhir_types[i]); }        \
	static int T##_read(yj_req *r) { return read_one(r, &yj_fhir_types[i]); }        \
	static int T##_history(yj_req *r) { return history(r, &yj_fhir_types[i]); }
HANDLERS(org, 0)
HANDLERS(loc, 1)
HANDLERS(prac, 2)
HANDLERS(role, 3)

#define ROUTES(T, i, Name, what)                                                                                   \
	{"GET", "/fhir/r4/" Name "/_history", T##_history, ROLE_ANY, NULL, history_q, "fhir",                        \
	 "FHIR type history (IHE ITI-91): current versions of " what " changed since _since, newest first",          \
	 "Bundle (history)", 200},                                                                                  \
		{"GET", "/fhir/r4/" Name, T##_search, ROLE_ANY, NULL, yj_fhir_types[i].search_q, "fhir",                     \
		 "FHIR search (IHE ITI-90) over " what " in the caller's territory", "Bundle (searchset)", 200},    \
		{"GET", "/fhir/r4/" Name "/{id}", T##_read, ROLE_ANY, NULL, read_q, "fhir", "FHIR read of one of " what, \
		 Name, 200}

const yj_route yj_fhir_routes[] = {
	{"GET", "/fhir/r4/metadata", metadata, ROLE_PUBLIC, NULL, read_q, "fhir",
	 "FHIR CapabilityStatement: resources, interactions and search parameters served", "CapabilityStatement", 200},
	ROUTES(org, 0, "Organization", "institutions (mCSD facility organisations)"),
	ROUTES(loc, 1, "Location", "institutions' sites (mCSD facility locations)"),
	ROUTES(prac, 2, "Practitioner", "practitioners (no resident ID number, no birth date)"),
	ROUTES(role, 3, "PractitionerRole", "practitioners' roles: primary institution and multi-institution filings"),
	{0},
};
