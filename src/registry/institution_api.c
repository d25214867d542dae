/* institution_api.c — /api/v1/institutions: the institution kind's filters and routes over the
 * shared record handlers (record_api.c). */
#include "record_api.h"
#include "registry.h"

static const reg_filter filters[] = {
	{"q", "name", FL_NAME, NULL},
	{"credit_code", "credit_code", FL_EQ, NULL},
	{"licence_no", "licence_no", FL_EQ, NULL},
	{"type", "type", FL_CODE, &yj_voc_institution_type},
	{"level", "level", FL_CODE, &yj_voc_level},
	{"ownership", "ownership", FL_CODE, &yj_voc_ownership},
	{"region", "region_code", FL_REGION, NULL},
	{"grid", "grid_id", FL_REF, NULL},
	{"state", "state", FL_CODE, &yj_voc_institution_state},
	{"insurance_designated", "insurance_designated", FL_BOOL, NULL},
	{NULL, NULL, 0, NULL},
};

#define FILTER_PARAMS                                                                              \
	{"q", "Substring of the name"}, {"credit_code", "Unified social credit code"},             \
		{"licence_no", "Practice-licence registration number"}, {"type", "Institution type"}, \
		{"level", "Level"}, {"ownership", "public or private"},                            \
		{"region", "GB/T 2260 code: institutions in its subtree"}, {"grid", "Grid id"},      \
		{"state", "State"}, {"insurance_designated", "true or false"}

static const yj_qparam list_params[] = {
	FILTER_PARAMS, YJ_QP_PAGE, {NULL, NULL},
};
static const yj_qparam export_params[] = {FILTER_PARAMS, {"format", "xlsx (default) or csv"}, {NULL, NULL}};
static const yj_qparam stats_params[] = {FILTER_PARAMS, {"group", "A code field (type, level, state, …) or county"}, {NULL, NULL}};
static const yj_qparam get_params[] = {{"as_of", "YYYY-MM-DD: the record as it was at the end of that day"}, {NULL, NULL}};

static yj_field create_body[40], patch_body[41];
static reg_api api = {&yj_institution_kind, filters, create_body, patch_body, 0};

__attribute__((constructor)) static void init(void)
{
	yj_reg_api_init(&api);
}

static int list(yj_req *r) { return yj_reg_api_list(r, &api); }
static int export(yj_req *r) { return yj_reg_api_export(r, &api); }
static int get(yj_req *r) { return yj_reg_api_get(r, &api); }
static int create(yj_req *r) { return yj_reg_api_create(r, &api); }
static int patch(yj_req *r) { return yj_reg_api_patch(r, &api); }
static int history(yj_req *r) { return yj_reg_api_history(r, &api); }
static int stats(yj_req *r) { return yj_reg_api_stats(r, &api); }

#define WRITERS (ROLE_ADMIN | ROLE_INSPECTOR)

const yj_route yj_institution_routes[] = {
	{"GET", "/api/v1/institutions", list, ROLE_ANY, NULL, list_params, "registry",
	 "List institutions in the caller's territory, with filters", "{items, next_cursor}", 200},
	{"GET", "/api/v1/institutions/export", export, ROLE_ANY, NULL, export_params, "registry",
	 "Export the filtered institution list as Excel or CSV", "An .xlsx or .csv file", 200},
	{"GET", "/api/v1/institutions/stats", stats, ROLE_ANY, NULL, stats_params, "registry",
	 "Counts of the filtered institutions grouped by a code field or by county (for charts)", "{group, total, items}", 200},
	{"POST", "/api/v1/institutions", create, WRITERS, create_body, NULL, "registry",
	 "Register an institution", "The new institution", 201},
	{"GET", "/api/v1/institutions/{id}", get, ROLE_ANY, NULL, get_params, "registry",
	 "Read one institution, now or as it was on a date", "The institution", 200},
	{"PATCH", "/api/v1/institutions/{id}", patch, WRITERS, patch_body, NULL, "registry",
	 "Change an institution (fields absent keep their values)", "The changed institution", 200},
	{"GET", "/api/v1/institutions/{id}/history", history, ROLE_ANY, NULL, yj_reg_history_params, "registry",
	 "Every version of an institution with the changed fields, newest first", "{items, next_cursor}", 200},
	{0},
};
