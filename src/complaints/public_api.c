/* public_api.c — the public's door (no sign-in): the complaint form's categories, the intake that
 * answers with a tracking code, and the status page by tracking code, which shows the steps and the
 * reply but nothing about the reporter, the handlers or other matters. */
#define _POSIX_C_SOURCE 200809L
#include "intake.h"

#include <stdio.h>
#include <string.h>

static int public_categories(yj_req *r)
{
	json_t *items = NULL;
	int rc = cmp_categories_json(store_conn_get(yj_store(r)), &items);
	if (rc < 0)
		return yj_reply_store_error(r, rc);
	json_t *out = json_array();
	size_t i;
	json_t *k;
	json_array_foreach(items, i, k) /* the public needs the name, not the routing */
		if (json_is_true(json_object_get(k, "active")))
			json_array_append_new(out, json_pack("{s:O, s:O, s:O}", "code", json_object_get(k, "code"), "name",
							     json_object_get(k, "name"), "kind", json_object_get(k, "kind")));
	json_decref(items);
	return yj_reply_json(r, 200, json_pack("{s:o}", "items", out));
}

static int public_create(yj_req *r)
{
	cmp_intake in = {.r = r, .body = yj_body(r), .is_public = 1, .channel = "web", .actor = "public"};
	cmp_intake_epoch(r, &in);
	if (yj_tx_group_or_reply(r, cmp_intake_tx, &in, &in.ref) < 0)
		return YJ_OK;
	json_t *out = json_pack("{s:O, s:O, s:s}", "tracking_code", json_object_get(in.out, "tracking_code"),
				"received_on", json_object_get(in.out, "received_on"), "state", "received");
	json_decref(in.out);
	return yj_reply_json(r, 201, out);
}

static int public_status(yj_req *r)
{
	const char *code = yj_param(r, "code");
	if (!yj_cmp_code_valid(code))
		return yj_reply_problem(r, 404, "not-found", "查询码不存在",
					"没有这个查询码的投诉举报，请核对提交时得到的查询码（TS 开头的 18 位字母和数字）。");
	store_conn *c = store_conn_get(yj_store(r));
	json_t *m = NULL, *steps = NULL;
	cmp_category cat = {0};
	int rc = store_begin(c, 0);
	if (rc >= 0 && (rc = cmp_load_by_code(c, code, &m)) == ST_OK) {
		int64_t id = 0;
		yj_id_parse(json_string_value(json_object_get(m, "id")), &id);
		if ((rc = cmp_steps_json(c, id, 1, &steps)) >= 0)
			rc = cmp_category_get(c, json_string_value(json_object_get(m, "category")), &cat);
	}
	store_rollback(c);
	if (rc == ST_NOTFOUND && !m)
		rc = yj_reply_problem(r, 404, "not-found", "查询码不存在",
				      "没有这个查询码的投诉举报，请核对提交时得到的查询码（TS 开头的 18 位字母和数字）。");
	else if (rc < 0)
		rc = yj_reply_store_error(r, rc);
	else {
		const char *state = json_string_value(json_object_get(m, "state"));
		const char *reply = json_string_value(json_object_get(m, "reply_text"));
		json_t *out = json_pack(
			"{s:O, s:s, s:s, s:O, s:s, s:O, s:O, s:O, s:O, s:b, s:o, s:o}", "tracking_code",
			json_object_get(m, "tracking_code"), "state", state, "state_label", yj_cmp_state_label(state),
			"category", json_object_get(m, "category"), "category_name", cat.name, "title",
			json_object_get(m, "title"), "received_on", json_object_get(m, "received_on"), "reply_due",
			json_object_get(m, "reply_due"), "replied_on", json_object_get(m, "replied_on"), "paused",
			json_is_true(json_object_get(m, "paused")), "reply", reply && *reply ? json_string(reply) : json_null(),
			"steps", steps);
		steps = NULL;
		rc = yj_reply_json(r, 200, out);
	}
	json_decref(m);
	json_decref(steps);
	return rc;
}

static const yj_field public_body[] = {
	{"category", F_STRING, 1, 32, "Category code (GET /api/v1/public/complaint-categories)"},
	{"title", F_STRING, 1, 100, "One line on the matter"},
	{"content", F_STRING, 1, 5000, "What happened, where and when"},
	{"region_code", F_STRING, 1, 12, "Where it happened: county or town code (GB/T 2260)"},
	{"subject_name", F_STRING, 0, 200, "The institution or person complained about, as the reporter names it"},
	{"subject_credit_code", F_STRING, 0, 18, "Its unified social credit code, when known"},
	{"anonymous", F_BOOL, 0, 0, "Anonymous (no name or phone kept); default false"},
	{"reporter_name", F_STRING, 0, 50, "Reporter's name (required unless anonymous; sealed, never listed)"},
	{"reporter_phone", F_STRING, 0, 20, "Reporter's phone (required unless anonymous; sealed, shown masked)"},
	{"attachments", F_ARRAY, 0, 0, "Up to 5 files [{name, content_base64}]: JPEG, PNG, PDF or MP4, 4 MiB each"},
	{NULL, 0, 0, 0, NULL},
};

const yj_route yj_cmp_public_routes[] = {
	{"GET", "/api/v1/public/complaint-categories", public_categories, ROLE_PUBLIC, NULL, NULL, "public",
	 "Categories the public complaint form offers (no sign-in)", "{items: [{code, name, kind}]}", 200},
	{"POST", "/api/v1/public/complaints", public_create, ROLE_PUBLIC, public_body, NULL, "public",
	 "Submit a complaint or report (no sign-in, anonymous allowed, limited per address)",
	 "{tracking_code, received_on, state}", 201},
	{"GET", "/api/v1/public/complaints/{code}", public_status, ROLE_PUBLIC, NULL, NULL, "public",
	 "Status, steps and reply of a matter by its tracking code (no personal data)",
	 "{tracking_code, state, state_label, steps, reply, …}", 200},
	{NULL, NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL, 0},
};
