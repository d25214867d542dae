/* op_api.c — the one runner of the writes of rewards, joint work, patrols and public-opinion events:
 * the request's principal, body and path ids into a cmp_op, its transaction, then the record or the
 * refusal as the answer. The transactions take no request, so the seed (seed.c) runs them too. And what
 * those files' routes share: a list's page, a body's string, a nullable column. */
#define _POSIX_C_SOURCE 200809L
#include "cmp_int.h"

#include <stdio.h>
#include <string.h>

int cmp_op_run(yj_req *r, cmp_op_fn fn, int status, const char *id, const char *task)
{
	cmp_op a = {.who = yj_who(r), .body = yj_body(r)};
	if ((id && yj_path_id_or_reply(r, id, &a.id) < 0) || (task && yj_path_id_or_reply(r, task, &a.task) < 0))
		return YJ_OK;
	if (yj_tx_or_reply(r, fn, &a, &a.ref) < 0) {
		json_decref(a.out);
		return YJ_OK;
	}
	return yj_reply_json(r, status, a.out);
}

int cmp_reply_list(yj_req *r, yj_qb *(*filtered)(yj_req *r), yj_row_fn row)
{
	int limit;
	int64_t after;
	if (yj_page_id_or_reply(r, &limit, &after) < 0)
		return YJ_OK;
	yj_qb *q = filtered(r);
	return q ? yj_reply_id_page(r, q, "id", limit, after, row, NULL) : YJ_OK;
}

int cmp_id_is(const char *s, int64_t id)
{
	char buf[21];
	yj_id_format(id, buf);
	return s && !strcmp(s, buf);
}

const char *cmp_s(const json_t *o, const char *k)
{
	const char *v = json_string_value(json_object_get(o, k));
	return v ? v : "";
}

json_t *cmp_text_or_null(store_stmt *st, int col)
{
	return store_col_is_null(st, col) ? json_null() : json_string(store_col_text(st, col));
}
