/* subject_kinds_api.c — /api/v1/subjects/{kind}…: the routes of the other kinds of subject
 * (subject_kinds.c) over the shared record handlers (record_api.c). One route table serves every
 * kind: {kind} picks the kind's reg_api, whose filters are the same for all (their shared head). */
#include "record_api.h"
#include "registry.h"

#include <stdio.h>
#include <string.h>

#define NOTHER (YJ_NKINDS - YJ_KIND_FIRST_OTHER)

/* Each kind's filters: the shared head's columns; category with the kind's own vocabulary. */
#define FILTERS(var, catvocab)                                                                                    \
	static const reg_filter var[] = {                                                                        \
		{"q", "name", FL_NAME, NULL},		       {"credit_code", "credit_code", FL_EQ, NULL},            \
		{"category", "category", FL_CODE, catvocab},   {"region", "region_code", FL_REGION, NULL},            \
		{"state", "state", FL_CODE, &yj_voc_subject_state}, {NULL, NULL, 0, NULL},                        \
	}
FILTERS(f_public_place, &yj_voc_public_place_cat);
FILTERS(f_water_supply, &yj_voc_water_supply_cat);
FILTERS(f_school, &yj_voc_school_cat);
FILTERS(f_employer, &yj_voc_employer_cat);
FILTERS(f_occ_health_service, &yj_voc_occ_service_cat);
FILTERS(f_radiation_user, &yj_voc_radiation_cat);
FILTERS(f_pharmacy, &yj_voc_pharmacy_cat);
FILTERS(f_childcare, &yj_voc_childcare_cat);
FILTERS(f_disinfectant_maker, &yj_voc_disinfectant_cat);
FILTERS(f_unit_clinic, &yj_voc_unit_clinic_cat);
FILTERS(f_pharma_company, &yj_voc_pharma_cat);

static yj_field bodies[NOTHER][2][40];
static reg_api apis[NOTHER] = {
	{&yj_public_place_kind, f_public_place, NULL, NULL, 0},
	{&yj_water_supply_kind, f_water_supply, NULL, NULL, 0},
	{&yj_school_kind, f_school, NULL, NULL, 0},
	{&yj_employer_kind, f_employer, NULL, NULL, 0},
	{&yj_occ_health_service_kind, f_occ_health_service, NULL, NULL, 0},
	{&yj_radiation_user_kind, f_radiation_user, NULL, NULL, 0},
	{&yj_pharmacy_kind, f_pharmacy, NULL, NULL, 0},
	{&yj_childcare_kind, f_childcare, NULL, NULL, 0},
	{&yj_disinfectant_maker_kind, f_disinfectant_maker, NULL, NULL, 0},
	{&yj_unit_clinic_kind, f_unit_clinic, NULL, NULL, 0},
	{&yj_pharma_company_kind, f_pharma_company, NULL, NULL, 0},
};

/* The routes' bodies: every field of every one of these kinds (the dispatcher refuses a field no
 * kind has; a field of another kind, or one the kind requires and is missing, the record engine then
 * reports on its field against the request's own kind). */
static yj_field create_union[80], patch_union[81];

static void add_union(yj_field *u, const yj_field *b, size_t cap)
{
	for (; b->name; b++) {
		size_t i = 0;
		while (u[i].name && strcmp(u[i].name, b->name))
			i++;
		if (!u[i].name && i + 1 < cap) {
			u[i] = *b;
			u[i].required = 0;
			u[i + 1] = (yj_field){NULL, 0, 0, 0, NULL};
		}
	}
}

__attribute__((constructor)) static void init(void)
{
	for (int i = 0; i < NOTHER; i++) {
		apis[i].create_body = bodies[i][0];
		apis[i].patch_body = bodies[i][1];
		yj_reg_api_init(&apis[i]);
		add_union(create_union, bodies[i][0], sizeof create_union / sizeof create_union[0]);
		add_union(patch_union, bodies[i][1], sizeof patch_union / sizeof patch_union[0]);
	}
}

/* The reg_api of the request's {kind}, or NULL after replying 404. */
static const reg_api *api_or_reply(yj_req *r)
{
	const char *name = yj_param(r, "kind");
	for (int i = 0; name && i < NOTHER; i++)
		if (!strcmp(apis[i].k->type, name))
			return &apis[i];
	yj_reply_problem(r, 404, "unknown-kind", "未知的主体类别",
			 "没有这一类主体：请从 /api/v1/registry/kinds 列出的类别中选择（如 public_place、water_supply）。");
	return NULL;
}

#define HANDLER(name, fn)                                     \
	static int name(yj_req *r)                            \
	{                                                     \
		const reg_api *a = api_or_reply(r);           \
		return a ? fn(r, a) : YJ_OK;                  \
	}
HANDLER(list, yj_reg_api_list)
HANDLER(export, yj_reg_api_export)
HANDLER(stats, yj_reg_api_stats)
HANDLER(get, yj_reg_api_get)
HANDLER(create, yj_reg_api_create)
HANDLER(patch, yj_reg_api_patch)
HANDLER(history, yj_reg_api_history)

/* Every kind of the registry with its label and where its records are (the console's registry menu). */
static int kinds(yj_req *r)
{
	json_t *items = json_array();
	for (int i = 0; i < YJ_NKINDS; i++) {
		const reg_kind *k = yj_reg_kinds[i];
		char path[80];
		snprintf(path, sizeof path, i < YJ_KIND_FIRST_OTHER ? "/api/v1/%ss" : "/api/v1/subjects/%s", k->type);
		json_array_append_new(items, json_pack("{s:s, s:s, s:s, s:s}", "kind", k->type, "label", k->label, "path",
						       path, "key", k->key_field));
	}
	return yj_reply_json(r, 200, json_pack("{s:o}", "items", items));
}

#define FILTER_PARAMS                                                                                             \
	{"q", "Substring of the name"}, {"credit_code", "Unified social credit code"},                             \
		{"category", "Category code of the kind (vocab <kind>_category)"},                                 \
		{"region", "GB/T 2260 code: records in its subtree"}, {"state", "active, suspended, revoked or closed"}

static const yj_qparam list_params[] = {FILTER_PARAMS, YJ_QP_PAGE, {NULL, NULL}};
static const yj_qparam export_params[] = {FILTER_PARAMS, {"format", "xlsx (default) or csv"}, {NULL, NULL}};
static const yj_qparam stats_params[] = {FILTER_PARAMS, {"group", "A code field (category, state, …) or county"}, {NULL, NULL}};
static const yj_qparam get_params[] = {{"as_of", "YYYY-MM-DD: the record as it was at the end of that day"}, {NULL, NULL}};

#define WRITERS (ROLE_ADMIN | ROLE_INSPECTOR)
#define KINDS "{kind}: public_place, water_supply, school, employer, occ_service, radiation_user, pharmacy, " \
	      "childcare, disinfect_maker, unit_clinic or pharma_company. "

const yj_route yj_subject_kind_routes[] = {
	{"GET", "/api/v1/registry/kinds", kinds, ROLE_ANY, NULL, NULL, "registry",
	 "The registry's kinds of subject with their Chinese labels and the path of their records", "{items}", 200},
	{"GET", "/api/v1/subjects/{kind}", list, ROLE_ANY, NULL, list_params, "registry",
	 "List the records of a kind of subject in the caller's territory, with filters. " KINDS, "{items, next_cursor}", 200},
	{"GET", "/api/v1/subjects/{kind}/export", export, ROLE_ANY, NULL, export_params, "registry",
	 "Export the filtered records of a kind as Excel or CSV", "An .xlsx or .csv file", 200},
	{"GET", "/api/v1/subjects/{kind}/stats", stats, ROLE_ANY, NULL, stats_params, "registry",
	 "Counts of the filtered records of a kind grouped by a code field or by county", "{group, total, items}", 200},
	{"POST", "/api/v1/subjects/{kind}", create, WRITERS, create_union, NULL, "registry",
	 "Register a subject of a kind (its fields: GET /api/v1/registry/kinds/{kind}/fields; the body lists every kind's)",
	 "The new record", 201},
	{"GET", "/api/v1/subjects/{kind}/{id}", get, ROLE_ANY, NULL, get_params, "registry",
	 "Read one record of a kind, now or as it was on a date", "The record", 200},
	{"PATCH", "/api/v1/subjects/{kind}/{id}", patch, WRITERS, patch_union, NULL, "registry",
	 "Change a record of a kind (fields absent keep their values)", "The changed record", 200},
	{"GET", "/api/v1/subjects/{kind}/{id}/history", history, ROLE_ANY, NULL, yj_reg_history_params, "registry",
	 "Every version of a record of a kind with the changed fields, newest first", "{items, next_cursor}", 200},
	{0},
};
