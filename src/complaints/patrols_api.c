/* patrols_api.c — the routes of grid patrols (网格巡查): the checklist, the writes of patrols.c run through
 * the complaints' one runner, the reporting rates, one patrol and the scoped list with its export
 * (docs/complaints.md, "Grid patrols"). */
#define _POSIX_C_SOURCE 200809L
#include "patrols_int.h"

#define STAFF (ROLE_ADMIN | ROLE_INSPECTOR | ROLE_LEADER | ROLE_LIAISON)

static int checkin(yj_req *r) { return cmp_op_run(r, ptl_checkin_tx, 201, NULL, NULL); }
static int report(yj_req *r) { return cmp_op_run(r, ptl_report_tx, 200, "id", NULL); }

static int checklist(yj_req *r)
{
	return yj_reply_json(r, 200, json_pack("{s:o}", "items", ptl_checklist_json()));
}

static int rates(yj_req *r)
{
	const yj_principal *who = yj_who(r);
	const char *region = yj_query(r, "region");
	char today[11];
	json_t *out = NULL;
	if (!region || !*region)
		region = who->region_code;
	if (!yj_scope_allows(&who->scope, region, NULL))
		return yj_reply_problem(r, 404, "not-found", "辖区不存在", "region 应为您辖区内的行政区划代码。");
	yj_day_today(today);
	int rc = ptl_rates(store_conn_get(yj_store(r)), region, today, &out);
	return rc < 0 ? yj_reply_store_error(r, rc) : yj_reply_json(r, 200, out);
}

static int get(yj_req *r)
{
	int64_t id;
	json_t *p = NULL;
	if (yj_path_id_or_reply(r, "id", &id) < 0)
		return YJ_OK;
	int rc = ptl_load(store_conn_get(yj_store(r)), &yj_who(r)->scope, id, &p);
	if (rc < 0)
		json_decref(p);
	return rc == ST_NOTFOUND ? yj_reply_not_found(r) : rc < 0 ? yj_reply_store_error(r, rc) : yj_reply_json(r, 200, p);
}

/* The list's query with the request's filters (the list and its export). */
static yj_qb *filtered(yj_req *r)
{
	return ptl_query(&yj_who(r)->scope, yj_query(r, "state"), yj_query(r, "grid"), yj_query(r, "region"));
}

static int list(yj_req *r) { return cmp_reply_list(r, filtered, ptl_row_json); }

static const yj_column export_cols[] = {
	{"patrolled_on", "巡查日期"}, {"grid_code", "网格编码"}, {"region_code", "行政区划代码"}, {"subject_id", "巡查对象编号"},
	{"member_id", "网格员编号"}, {"problems", "发现问题数"}, {"note", "巡查情况"}, {"state", "状态"},
	{"report_text", "协管信息"}, {NULL, NULL},
};

static int export(yj_req *r)
{
	return yj_reply_id_export(r, filtered(r), "id", "patrols", export_cols, ptl_row_json, NULL);
}

static const yj_field checkin_body[] = {
	{"subject_id", F_STRING, 1, 20, "The institution patrolled, in one of the member's grids"},
	{"lat", F_NUMBER, 1, 0, "Check-in latitude (WGS84 as the phone gives it)"},
	{"lng", F_NUMBER, 1, 0, "Check-in longitude"},
	{"checklist", F_OBJECT, 1, 0, "Every item of GET /api/v1/patrols/checklist: true in order, false a problem"},
	{"note", F_STRING, 0, 1000, "What the member saw"},
	{"photos", F_ARRAY, 0, 0, "Up to 3 photos [{name, content_base64}], JPEG or PNG, 4 MiB each"},
	{NULL, 0, 0, 0, NULL},
};
static const yj_field report_body[] = {
	{"text", F_STRING, 1, 2000, "The suspected violation (协管信息), for the inspectors"},
	{NULL, 0, 0, 0, NULL},
};
static const yj_qparam list_q[] = {
	{"state", "clear | found | reported"},
	{"grid", "A grid's code"},
	{"region", "Within this territory"},
	YJ_QP_PAGE,
	{NULL, NULL},
};
static const yj_qparam export_q[] = {
	{"state", "clear | found | reported"},
	{"grid", "A grid's code"},
	{"region", "Within this territory"},
	{"format", "xlsx (default), csv or count"},
	{NULL, NULL},
};
static const yj_qparam rates_q[] = {
	{"region", "A territory within the caller's; default the caller's"},
	{NULL, NULL},
};

const yj_route yj_cmp_patrol_routes[] = {
	{"GET", "/api/v1/patrols/checklist", checklist, STAFF | ROLE_GRID_MEMBER, NULL, NULL, "complaints",
	 "The patrol checklist's items", "{items}", 200},
	{"GET", "/api/v1/patrols/rates", rates, STAFF, NULL, rates_q, "complaints",
	 "Reporting rate (reported ÷ found, last 30 days) per grid and town against 98 %", "{grids, towns, target_permille}", 200},
	{"GET", "/api/v1/patrols", list, STAFF | ROLE_GRID_MEMBER, NULL, list_q, "complaints",
	 "Grid patrols in the caller's scope (a grid member: its grids' subjects)", "{items, next_cursor}", 200},
	{"POST", "/api/v1/patrols", checkin, ROLE_GRID_MEMBER, checkin_body, NULL, "complaints",
	 "A grid member's check-in at a subject of its grids with the checklist and photos", "The patrol", 201},
	{"GET", "/api/v1/patrols/export", export, STAFF | ROLE_GRID_MEMBER, NULL, export_q, "complaints",
	 "The patrols of the list's filters as Excel or CSV (?format=count: their number)", "file", 200},
	{"GET", "/api/v1/patrols/{id}", get, STAFF | ROLE_GRID_MEMBER, NULL, NULL, "complaints", "One patrol", "The patrol", 200},
	{"POST", "/api/v1/patrols/{id}/report", report, ROLE_GRID_MEMBER, report_body, NULL, "complaints",
	 "The member reports a suspected violation (协管信息): a to-do for the inspectors and complaints.patrol_reported",
	 "The patrol", 200},
	{NULL, NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL, 0},
};
