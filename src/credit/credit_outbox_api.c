/* credit_outbox_api.c — the outbox's routes: administrators subscribe a department's receiver (or
 * the provincial platform's directory) to a territory's list events and watch each delivery's
 * state; anyone fetches the public key that verifies the signed bodies. */
#define _POSIX_C_SOURCE 200809L
#include "credit_api.h"
#include "credit_outbox.h"

#include <stdio.h>
#include <string.h>

const yj_table credit_outbox_t = {"credit_outbox", "region_code", NULL, NULL};

static int target_tx(store_conn *c, void *arg)
{
	credit_arg *a = arg;
	const char *dept = credit_body_str(a->r, "department"), *url = credit_body_str(a->r, "url");
	const char *region = credit_body_str(a->r, "region_code");
	if (strncmp(url, "http://", 7) && strncmp(url, "file:///", 8))
		yj_refusal_field(&a->ref, "url", "应为 http:// 开头的接收地址，或 file:/// 开头的目录（省级信用平台交换目录）");
	if (credit_blank(dept))
		yj_refusal_field(&a->ref, "department", "请填写接收部门");
	if (!*region || !yj_scope_allows(&yj_who(a->r)->scope, region, NULL))
		yj_refusal_field(&a->ref, "region_code", "应为您辖区内的行政区划代码");
	if (yj_refusal_has_fields(&a->ref))
		return yj_refuse_invalid(&a->ref, NULL);
	int64_t id = yj_id_new();
	int rc = credit_exec(c, NULL, "INSERT INTO credit_outbox_targets (id, department, url, region_code, active, created_at,"
				      " actor) VALUES (?, ?, ?, ?, 1, ?, ?)", "ittti" "t", id, dept, url, region, yj_now_ms(),
			     a->actor);
	if (rc < 0)
		return rc;
	a->out = json_pack("{s:o, s:s, s:s, s:s, s:b}", "id", yj_json_id(id), "department", dept, "url", url, "region_code",
			   region, "active", 1);
	return credit_audit(c, a->actor, "credit.outbox.subscribe", "credit_outbox_target", id, region, a->out);
}

static int target_add(yj_req *r)
{
	credit_arg a = {0};
	return credit_op(r, target_tx, &a, 201);
}

static json_t *delivery_row(store_stmt *st, void *arg)
{
	(void)arg;
	json_t *body = json_loads(store_col_text(st, 3), 0, NULL);
	const char *err = store_col_text(st, 8);
	return json_pack("{s:o, s:o, s:s, s:s, s:o, s:I, s:I, s:o, s:o, s:o}", "id", yj_json_id(store_col_int64(st, 0)),
			 "target_id", yj_json_id(store_col_int64(st, 1)), "region_code", store_col_text(st, 2), "state",
			 store_col_text(st, 4), "body", body ? body : json_null(), "attempts", (json_int_t)store_col_int64(st, 5),
			 "next_at", (json_int_t)store_col_int64(st, 6), "last_status",
			 store_col_is_null(st, 7) ? json_null() : json_integer(store_col_int64(st, 7)), "last_error",
			 err && *err ? json_string(err) : json_null(), "delivered_at",
			 store_col_is_null(st, 9) ? json_null() : json_integer(store_col_int64(st, 9)));
}

static int deliveries(yj_req *r)
{
	int limit;
	int64_t after;
	if (yj_page_id_or_reply(r, &limit, &after) < 0)
		return YJ_OK;
	yj_qb *q = yj_q_select(&credit_outbox_t, "id, target_id, region_code, body, state, attempts, next_at, last_status,"
						  " last_error, delivered_at", &yj_who(r)->scope);
	const char *state = yj_query(r, "state");
	if (state) {
		yj_q_where(q, "state = ?");
		yj_q_text(q, state);
	}
	return yj_reply_id_page(r, q, "id", limit, after, delivery_row, NULL);
}

static int public_key(yj_req *r)
{
	return yj_reply_json(r, 200, json_pack("{s:s, s:s}", "algorithm", "ed25519", "public_key", credit_outbox_public_key()));
}

static const yj_field target_body[] = {
	{"department", F_STRING, 1, 32, "Receiving department code"},
	{"url", F_STRING, 1, 500, "http:// receiver, or file:/// directory of the provincial platform"},
	{"region_code", F_STRING, 1, 12, "Territory whose list entries and exits it receives"},
	{NULL, 0, 0, 0, NULL},
};
static const yj_qparam deliveries_q[] = {{"state", "pending, delivered or failed"}, YJ_QP_PAGE, {NULL, NULL}};

const yj_route yj_credit_outbox_routes[] = {
	{"POST", "/api/v1/credit/outbox/targets", target_add, ROLE_ADMIN, target_body, NULL, "credit", "Subscribe a department's receiver to a territory's list entries and exits", "target", 201},
	{"GET", "/api/v1/credit/outbox", deliveries, ROLE_ADMIN, NULL, deliveries_q, "credit", "Outbox deliveries with their state, attempts and last error", "{items}", 0},
	{"GET", "/api/v1/public/credit-key", public_key, ROLE_PUBLIC, NULL, NULL, "credit", "The ed25519 key that verifies X-Yijian-Signature of outbox bodies", "key", 0},
	{NULL, NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL, 0},
};
