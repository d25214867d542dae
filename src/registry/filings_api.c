/* filings_api.c — multi-institution practice filings (多机构执业备案): a practitioner registered at
 * a primary institution files to practise at others for a period. A filing is visible to whoever
 * sees the practitioner or the filing institution; it is made by the filing institution's territory. */
#define _POSIX_C_SOURCE 200809L
#include "reg_int.h"
#include "../base/date.h"
#include "../base/id.h"
#include "../platform/audit/audit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int path_practitioner(yj_req *r, store_conn *c, json_t **p)
{
	int64_t id;
	if (yj_id_parse(yj_param(r, "id"), &id) < 0)
		return ST_NOTFOUND;
	return yj_reg_load(c, &yj_practitioner_kind, &yj_who(r)->scope, id, p);
}

static int list_filings(yj_req *r)
{
	store_conn *c = store_conn_get(yj_store(r));
	json_t *p = NULL, *items = NULL;
	int rc = path_practitioner(r, c, &p);
	if (rc >= 0)
		rc = reg_filings_of(c, strtoll(json_string_value(json_object_get(p, "id")), NULL, 10), &items);
	json_decref(p);
	if (rc < 0) {
		json_decref(items);
		return yj_reply_store_error(r, rc);
	}
	return yj_reply_json(r, 200, json_pack("{s:o}", "items", items));
}

static const yj_field create_fields[] = {
	{"institution_id", F_STRING, 1, 40, "Institution filed for: id or unified social credit code"},
	{"start_date", F_STRING, 1, 10, "First day of practice there, YYYY-MM-DD"},
	{"end_date", F_STRING, 0, 10, "Last day, YYYY-MM-DD (open when absent)"},
	{NULL, 0, 0, 0, NULL},
};

struct filing_arg {
	yj_req *r;
	int64_t id;
	json_t *filing;
	yj_refusal no; /* what a transaction turns down */
};

static int audit_filing(store_conn *c, yj_req *r, const char *action, json_t *f)
{
	char actor[24];
	yj_reg_actor(r, actor);
	yj_audit_event ev = {actor, action, "practice_filing", json_string_value(json_object_get(f, "id")),
			     json_string_value(json_object_get(f, "region_code")), f};
	return yj_audit_append(c, &ev, NULL);
}

/* Validates the body with the registry's own checks (dates, the institution in scope). */
static json_t *checked(store_conn *c, yj_req *r, json_t *errors)
{
	static const reg_field fields[] = {
		{"institution_id", NULL, RT_REF, 1, 0, NULL, "备案机构", NULL, NULL, YJ_KIND_INSTITUTION, 0},
		{"start_date", NULL, RT_DATE, 1, 0, NULL, "开始日期", NULL, NULL, 0, 0},
		{"end_date", NULL, RT_DATE, 0, 0, NULL, "结束日期", NULL, NULL, 0, 0},
		{NULL, NULL, 0, 0, 0, NULL, NULL, NULL, NULL, 0, 0},
	};
	static const reg_kind filing_kind = {"practice_filing", "practice_filings", "执业备案", fields, NULL, NULL, NULL,
					     "region_code", NULL, NULL, NULL};
	json_t *f = yj_reg_validate(c, &filing_kind, &yj_who(r)->scope, yj_body(r), 0, NULL, errors);
	const char *s = json_string_value(json_object_get(f, "start_date"));
	const char *e = json_string_value(json_object_get(f, "end_date"));
	if (s && e && strcmp(e, s) < 0)
		yj_field_error(errors, "end_date", "结束日期不能早于开始日期");
	return f;
}

static int create_tx(store_conn *c, void *arg)
{
	struct filing_arg *a = arg;
	json_t *p = NULL, *f = NULL, *errors = json_array();
	int rc = path_practitioner(a->r, c, &p);
	if (rc < 0) {
		json_decref(errors);
		return rc;
	}
	f = checked(c, a->r, errors);
	if (!json_array_size(errors) &&
	    !strcmp(json_string_value(json_object_get(f, "institution_id")), json_string_value(json_object_get(p, "institution_id"))))
		yj_field_error(errors, "institution_id", "该机构是其主要执业机构，无需备案");
	if (json_array_size(errors)) {
		json_decref(p);
		json_decref(f);
		a->no.errors = errors;
		return yj_refuse_invalid(&a->no, NULL);
	}
	json_decref(errors);
	char region[16];
	yj_reg_filing row = {yj_id_new(), strtoll(json_string_value(json_object_get(p, "id")), NULL, 10),
			     strtoll(json_string_value(json_object_get(f, "institution_id")), NULL, 10), region,
			     json_string_value(json_object_get(f, "start_date")), json_string_value(json_object_get(f, "end_date"))};
	reg_institution_region(c, row.institution_id, region);
	a->id = row.id;
	rc = yj_reg_filing_insert(c, &row, yj_now_ms());
	if (rc == ST_CONFLICT)
		rc = yj_refuse(&a->no, 409, "conflict", "备案已存在", "该医务人员在该机构同一日期开始的备案已存在，请勿重复备案。");
	if (rc >= 0 && (rc = reg_filing_load(c, a->id, &a->filing)) >= 0)
		rc = audit_filing(c, a->r, "practice_filing.create", a->filing);
	json_decref(p);
	json_decref(f);
	return rc;
}

static const yj_field end_fields[] = {
	{"end_date", F_STRING, 1, 10, "Last day of practice there, YYYY-MM-DD"},
	{NULL, 0, 0, 0, NULL},
};

static int end_tx(store_conn *c, void *arg)
{
	struct filing_arg *a = arg;
	json_t *p = NULL;
	int rc = path_practitioner(a->r, c, &p);
	json_decref(p);
	if (rc < 0)
		return rc;
	json_decref(a->filing);
	a->filing = NULL;
	if ((rc = reg_filing_load(c, a->id, &a->filing)) < 0)
		return rc;
	if (strcmp(json_string_value(json_object_get(a->filing, "practitioner_id")), yj_param(a->r, "id")) ||
	    !yj_scope_allows(&yj_who(a->r)->scope, json_string_value(json_object_get(a->filing, "region_code")), NULL))
		return ST_NOTFOUND;
	const char *end = json_string_value(json_object_get(yj_body(a->r), "end_date"));
	if (yj_day_parse(end, NULL) < 0)
		yj_refusal_field(&a->no, "end_date", "应为有效日期，格式 YYYY-MM-DD");
	else if (strcmp(end, json_string_value(json_object_get(a->filing, "start_date"))) < 0)
		yj_refusal_field(&a->no, "end_date", "结束日期不能早于开始日期");
	if (yj_refusal_has_fields(&a->no))
		return yj_refuse_invalid(&a->no, NULL);
	rc = reg_filing_set_end(c, a->id, end);
	json_decref(a->filing);
	a->filing = NULL;
	if (rc >= 0 && (rc = reg_filing_load(c, a->id, &a->filing)) >= 0)
		rc = audit_filing(c, a->r, "practice_filing.end", a->filing);
	return rc;
}

/* Answers a write: the filing, or nothing more when yj_tx_or_reply has replied (rc < 0). */
static int finish(yj_req *r, struct filing_arg *a, int rc, int status)
{
	if (rc < 0) {
		json_decref(a->filing);
		return YJ_OK;
	}
	return yj_reply_json(r, status, a->filing);
}

static int create_filing(yj_req *r)
{
	struct filing_arg a = {r, 0, NULL, {0}};
	return finish(r, &a, yj_tx_or_reply(r, create_tx, &a, &a.no), 201);
}

static int end_filing(yj_req *r)
{
	struct filing_arg a = {r, 0, NULL, {0}};
	if (yj_path_id_or_reply(r, "fid", &a.id) < 0)
		return YJ_OK;
	return finish(r, &a, yj_tx_or_reply(r, end_tx, &a, &a.no), 200);
}

#define WRITERS (ROLE_ADMIN | ROLE_INSPECTOR)

const yj_route yj_filing_routes[] = {
	{"GET", "/api/v1/practitioners/{id}/filings", list_filings, ROLE_ANY, NULL, NULL, "registry",
	 "A practitioner's multi-institution practice filings (多机构执业备案)", "{items}", 200},
	{"POST", "/api/v1/practitioners/{id}/filings", create_filing, WRITERS, create_fields, NULL, "registry",
	 "File a practitioner to practise at another institution", "The filing", 201},
	{"POST", "/api/v1/practitioners/{id}/filings/{fid}/end", end_filing, WRITERS, end_fields, NULL, "registry",
	 "End a filing on a date", "The filing", 200},
	{0},
};
