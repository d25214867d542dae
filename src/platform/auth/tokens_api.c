/* tokens_api.c — bearer tokens for systems: a user lists, creates and revokes their own tokens.
 * A token is shown once at creation; only its SHA-256 is stored. A token created with a token is its
 * child: revoking a token revokes its descendants, and a password change revokes them all. */
#define _POSIX_C_SOURCE 200809L
#include "auth_int.h"
#include "../audit/audit.h"
#include "../../base/id.h"

#include <stdlib.h>
#include <string.h>

static int list_tokens(yj_req *r)
{
	store_stmt *st = store_prepare(store_conn_get(yj_store(r)),
				       "SELECT id, name, scopes, created_at, expires_at, revoked_at, parent_id FROM api_tokens"
				       " WHERE user_id = ? ORDER BY id");
	if (!st)
		return yj_reply_store_error(r, ST_ERR);
	store_bind_int64(st, 1, yj_who(r)->user_id);
	json_t *items = json_array();
	int rc;
	while ((rc = store_step(st)) == ST_ROW) {
		json_t *t = json_pack("{s:o, s:s, s:s, s:I, s:I}", "id", yj_json_id(store_col_int64(st, 0)), "name",
				      store_col_text(st, 1), "scopes", store_col_text(st, 2), "created_at",
				      (json_int_t)store_col_int64(st, 3), "expires_at", (json_int_t)store_col_int64(st, 4));
		json_object_set_new(t, "revoked_at",
				    store_col_is_null(st, 5) ? json_null() : json_integer(store_col_int64(st, 5)));
		json_object_set_new(t, "parent_id", store_col_is_null(st, 6) ? json_null() : yj_json_id(store_col_int64(st, 6)));
		json_array_append_new(items, t);
	}
	store_finalize(st);
	if (rc < 0) {
		json_decref(items);
		return yj_reply_store_error(r, rc);
	}
	return yj_reply_json(r, 200, json_pack("{s:o, s:n}", "items", items, "next_cursor"));
}

static const yj_field create_fields[] = {
	{"name", F_STRING, 1, 64, "What the token is for"},
	{"days", F_INT, 0, 0, "Validity in days, 1–3650 (default 90)"},
	{"scopes", F_STRING, 0, 16, "'read' (default) or 'read,write'"},
	{NULL, 0, 0, 0, NULL},
};

static int create_token(yj_req *r)
{
	json_t *b = yj_body(r);
	const yj_principal *p = yj_who(r);
	json_t *d = json_object_get(b, "days");
	json_int_t days = d ? json_integer_value(d) : 90;
	const char *scopes = json_string_value(json_object_get(b, "scopes"));
	if (!scopes)
		scopes = "read";
	json_t *errors = json_array();
	if (days < 1 || days > 3650)
		yj_field_error(errors, "days", "应为 1–3650 之间的整数");
	if (strcmp(scopes, "read") != 0 && strcmp(scopes, "read,write") != 0)
		yj_field_error(errors, "scopes", "只能是 read 或 read,write");
	if (json_array_size(errors))
		return yj_reply_problem_errors(r, 422, "validation", "提交的数据有误", "请按字段提示修改后重新提交。", errors);
	json_decref(errors);
	char actor[21], *err = NULL;
	int rc;
	yj_id_format(p->user_id, actor);
	char *tok = auth_token_create(yj_store(r), p, p->username, json_string_value(json_object_get(b, "name")),
				      (int)days, scopes, actor, &rc, &err);
	free(err);
	if (!tok && rc == ST_NOTFOUND) /* the caller's token or session ended since this request began */
		return yj_reply_problem(r, 401, "unauthenticated", "未登录", "登录已失效或令牌已吊销，请重新登录后再试。");
	if (!tok)
		return yj_reply_store_error(r, rc);
	json_t *out = json_pack("{s:s, s:s, s:I}", "token", tok, "scopes", scopes, "days", days);
	free(tok);
	return yj_reply_json(r, 201, out);
}

struct revoke_arg {
	const yj_principal *p;
	int64_t id;
};

static int revoke_tx(store_conn *c, void *arg)
{
	struct revoke_arg *a = arg;
	store_stmt *st = store_prepare(c, "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND user_id = ?"
					  " AND revoked_at IS NULL");
	if (!st)
		return ST_ERR;
	int64_t now = yj_now_ms();
	store_bind_int64(st, 1, now);
	store_bind_int64(st, 2, a->id);
	store_bind_int64(st, 3, a->p->user_id);
	int rc = store_step(st);
	int64_t n = store_changes(st);
	store_finalize(st);
	if (rc < 0)
		return rc;
	if (n == 0)
		return ST_NOTFOUND;
	if ((rc = auth_epoch_bump(c)) < 0) /* every process's cache, before its next request */
		return rc;
	/* Every token created from it, at any depth, so that the list tells the truth. (Lookups refuse
	 * a token with a revoked ancestor anyway, which covers a child committed after this ran.) */
	st = store_prepare(c, "UPDATE api_tokens SET revoked_at = ? WHERE revoked_at IS NULL AND id IN ("
			      "WITH RECURSIVE sub(id) AS (SELECT id FROM api_tokens WHERE parent_id = ?"
			      " UNION ALL SELECT t.id FROM api_tokens t JOIN sub ON t.parent_id = sub.id)"
			      " SELECT id FROM sub)");
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, now);
	store_bind_int64(st, 2, a->id);
	rc = store_step(st);
	int64_t descendants = store_changes(st);
	store_finalize(st);
	if (rc < 0)
		return rc;
	char actor[21], ids[21];
	yj_id_format(a->p->user_id, actor);
	yj_id_format(a->id, ids);
	json_t *state = json_pack("{s:I, s:I}", "revoked_at", (json_int_t)now, "descendants_revoked",
				  (json_int_t)descendants);
	yj_audit_event ev = {actor, "token.revoke", "api_token", ids, a->p->region_code, state};
	rc = yj_audit_append(c, &ev, NULL);
	json_decref(state);
	return rc;
}

static int revoke_token(yj_req *r)
{
	struct revoke_arg a = {yj_who(r), 0};
	if (yj_path_id_or_reply(r, "id", &a.id) < 0)
		return YJ_OK;
	int rc = store_tx(yj_store(r), revoke_tx, &a);
	if (rc < 0)
		return yj_reply_store_error(r, rc);
	return yj_reply_empty(r, 204);
}

const yj_route yj_token_routes[] = {
	{"GET", "/api/v1/tokens", list_tokens, ROLE_ANY, NULL, NULL, "tokens", "List one's own bearer tokens",
	 "{items, next_cursor}", 200},
	{"POST", "/api/v1/tokens", create_token, ROLE_ANY, create_fields, NULL, "tokens",
	 "Create a bearer token (shown once)", "The token", 201},
	{"DELETE", "/api/v1/tokens/{id}", revoke_token, ROLE_ANY, NULL, NULL, "tokens",
	 "Revoke one's own token and every token created from it", "Revoked", 204},
	{0},
};
