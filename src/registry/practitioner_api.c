/* practitioner_api.c — /api/v1/practitioners: filters and routes over the shared record handlers,
 * and the one route that discloses a resident ID number in clear, to the roles whose work needs it,
 * with an audit leaf committed before the number leaves the server. */
#define _POSIX_C_SOURCE 200809L
#include "record_api.h"
#include "registry.h"
#include "../base/id.h"
#include "../platform/audit/audit.h"
#include "../platform/pii/pii.h"

#include <stdlib.h>
#include <string.h>

static const reg_filter filters[] = {
	{"q", "name", FL_NAME, NULL},
	{"certificate_no", "certificate_no", FL_EQ, NULL},
	{"id_number", "id_hash", FL_HASH, NULL},
	{"category", "category", FL_CODE, &yj_voc_category},
	{"practice_type", "practice_type", FL_CODE, &yj_voc_practice_type},
	{"institution", "institution_id", FL_REF, NULL},
	{"region", "region_code", FL_REGION, NULL},
	{"state", "state", FL_CODE, &yj_voc_practitioner_state},
	{"insurance_physician", "insurance_physician", FL_BOOL, NULL},
	{NULL, NULL, 0, NULL},
};

#define FILTER_PARAMS                                                                                  \
	{"q", "Substring of the name"}, {"certificate_no", "Practice certificate number"},             \
		{"id_number", "Resident ID number (exact, by keyed hash): a disclosure — admin, inspector and legal_reviewer only, audited as practitioner.lookup, per-user limit"}, {"category", "Category"}, \
		{"practice_type", "Practice category"}, {"institution", "Primary institution id"},       \
		{"region", "GB/T 2260 code: practitioners in its subtree"}, {"state", "State"},          \
		{"insurance_physician", "true or false"}

static const yj_qparam list_params[] = {
	FILTER_PARAMS, YJ_QP_PAGE, {NULL, NULL},
};
static const yj_qparam export_params[] = {FILTER_PARAMS, {"format", "xlsx (default) or csv"}, {NULL, NULL}};
static const yj_qparam stats_params[] = {FILTER_PARAMS, {"group", "A code field (type, level, state, …) or county"}, {NULL, NULL}};
static const yj_qparam get_params[] = {{"as_of", "YYYY-MM-DD: the record as it was at the end of that day"}, {NULL, NULL}};

/* 监督员 and 法制审核员 need the number to serve documents on a person; administrators to correct it
 * (docs/security.md; the same roles as yj_pii_view_of's disclose — checked at start). */
#define DISCLOSE_ROLES (ROLE_ADMIN | ROLE_INSPECTOR | ROLE_LEGAL_REVIEWER)

static yj_field create_body[40], patch_body[41];
static reg_api api = {&yj_practitioner_kind, filters, create_body, patch_body, DISCLOSE_ROLES};

__attribute__((constructor)) static void init(void)
{
	yj_reg_api_init(&api);
	for (unsigned bit = 1; bit <= ROLE_ANY; bit <<= 1)
		if (!!(DISCLOSE_ROLES & bit) != yj_pii_view_of(bit)->disclose)
			abort(); /* the route's roles and the table in pii.c disagree */
}

static int list(yj_req *r) { return yj_reg_api_list(r, &api); }
static int export(yj_req *r) { return yj_reg_api_export(r, &api); }
static int get(yj_req *r) { return yj_reg_api_get(r, &api); }
static int create(yj_req *r) { return yj_reg_api_create(r, &api); }
static int patch(yj_req *r) { return yj_reg_api_patch(r, &api); }
static int history(yj_req *r) { return yj_reg_api_history(r, &api); }
static int stats(yj_req *r) { return yj_reg_api_stats(r, &api); }

struct disclose_arg {
	yj_req *r;
	int64_t id;
	char *clear;
};

static int disclose_tx(store_conn *c, void *arg)
{
	struct disclose_arg *d = arg;
	json_t *rec = NULL;
	int rc = yj_reg_load(c, &yj_practitioner_kind, &yj_who(d->r)->scope, d->id, &rec);
	if (rc < 0)
		return rc;
	yj_pii_free(d->clear);
	d->clear = yj_pii_decrypt(json_string_value(json_object_get(rec, "id_cipher")));
	char actor[24];
	yj_reg_actor(d->r, actor);
	/* The leaf records who saw whose number; its state is the masked form, never the number. */
	json_t *state = json_pack("{s:s, s:s}", "field", "id_number", "id_masked",
				  json_string_value(json_object_get(rec, "id_masked")));
	yj_audit_event ev = {actor, "practitioner.disclose", "practitioner", yj_param(d->r, "id"),
			     json_string_value(json_object_get(rec, "region_code")), state};
	rc = d->clear ? yj_audit_append(c, &ev, NULL) : ST_ERR;
	json_decref(state);
	json_decref(rec);
	return rc;
}

static int identity(yj_req *r)
{
	struct disclose_arg d = {r, 0, NULL};
	if (yj_path_id_or_reply(r, "id", &d.id) < 0)
		return YJ_OK;
	if (yj_pii_gate(r, DISCLOSE_ROLES, "身份证号") < 0)
		return YJ_OK;
	int rc = store_tx(yj_store(r), disclose_tx, &d);
	if (rc < 0) {
		yj_pii_free(d.clear);
		return yj_reply_store_error(r, rc);
	}
	yj_add_header(r, "Cache-Control", "no-store");
	json_t *body = json_pack("{s:s, s:s}", "id", yj_param(r, "id"), "id_number", d.clear);
	yj_pii_free(d.clear);
	return yj_reply_json(r, 200, body);
}

#define WRITERS (ROLE_ADMIN | ROLE_INSPECTOR)

const yj_route yj_practitioner_routes[] = {
	{"GET", "/api/v1/practitioners", list, ROLE_ANY, NULL, list_params, "registry",
	 "List practitioners in the caller's territory, with filters (ID numbers masked)", "{items, next_cursor}", 200},
	{"GET", "/api/v1/practitioners/export", export, ROLE_ANY, NULL, export_params, "registry",
	 "Export the filtered practitioner list as Excel or CSV (ID numbers masked)", "An .xlsx or .csv file", 200},
	{"GET", "/api/v1/practitioners/stats", stats, ROLE_ANY, NULL, stats_params, "registry",
	 "Counts of the filtered practitioners grouped by a code field or by county (for charts)", "{group, total, items}", 200},
	{"POST", "/api/v1/practitioners", create, WRITERS, create_body, NULL, "registry", "Register a practitioner",
	 "The new practitioner", 201},
	{"GET", "/api/v1/practitioners/{id}", get, ROLE_ANY, NULL, get_params, "registry",
	 "Read one practitioner, now or as on a date (ID number masked)", "The practitioner", 200},
	{"PATCH", "/api/v1/practitioners/{id}", patch, WRITERS, patch_body, NULL, "registry",
	 "Change a practitioner (fields absent keep their values)", "The changed practitioner", 200},
	{"GET", "/api/v1/practitioners/{id}/history", history, ROLE_ANY, NULL, yj_reg_history_params, "registry",
	 "Every version of a practitioner with the changed fields, newest first", "{items, next_cursor}", 200},
	{"GET", "/api/v1/practitioners/{id}/identity", identity, DISCLOSE_ROLES, NULL, NULL, "registry",
	 "Disclose the resident ID number in clear (audited as practitioner.disclose)", "{id, id_number}", 200},
	{0},
};
