/* helpers.c — the one implementation of what every handler needs around its happy path: field
 * errors, ids from the path, the opening of a list keyed by id, and a write transaction whose
 * callback may refuse the request with a problem. Each `…_or_reply` helper, on failure, sends the
 * reply itself and returns YJ_ERR, so the handler just returns (Redis's `…OrReply`). */
#define _POSIX_C_SOURCE 200809L
#include "http_int.h"
#include "../../base/id.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void yj_field_error(json_t *errors, const char *field, const char *detail)
{
	json_array_append_new(errors, json_pack("{s:s, s:s}", "field", field, "detail", detail));
}

json_t *yj_field_errors(const char *field, const char *detail)
{
	json_t *errors = json_array();
	yj_field_error(errors, field, detail);
	return errors;
}

int yj_path_id_or_reply(yj_req *r, const char *name, int64_t *id)
{
	if (yj_id_parse(yj_param(r, name), id) < 0) {
		yj_reply_not_found(r);
		return YJ_ERR;
	}
	return YJ_OK;
}

/* The cursor of a list keyed by id into *after (0 when absent); replies 400 when it is no id. */
static int cursor_id_or_reply(yj_req *r, const char *cursor, int64_t *after)
{
	*after = 0;
	if (cursor && yj_id_parse(cursor, after) < 0) {
		yj_reply_problem(r, 400, "validation", "参数错误", "cursor 无效，请使用上一页返回的 next_cursor。");
		return YJ_ERR;
	}
	return YJ_OK;
}

int yj_page_id_or_reply(yj_req *r, int *limit, int64_t *after)
{
	const char *cursor;
	*after = 0;
	if (yj_page_params(r, limit, &cursor) < 0)
		return YJ_ERR;
	return cursor_id_or_reply(r, cursor, after);
}

int yj_page_id_or(yj_req *r, int dflt, int *limit, int64_t *after)
{
	const char *cursor;
	*after = 0;
	if (yj_page_params_or(r, dflt, limit, &cursor) < 0)
		return YJ_ERR;
	return cursor_id_or_reply(r, cursor, after);
}

int yj_search_q_or_reply(yj_req *r, const char **text)
{
	const char *v = yj_query(r, "q");
	*text = v && v[strspn(v, " \t")] ? v : NULL;
	if (*text && yj_utf8_len(v, strlen(v)) > 50) {
		yj_reply_problem_errors(r, 400, "validation", "查询条件有误", "请按提示修改查询条件后重试。",
					yj_field_errors("q", "关键词最多 50 个字，请缩短后重试"));
		return YJ_ERR;
	}
	return YJ_OK;
}

int yj_page_params_or(yj_req *r, int dflt, int *limit, const char **cursor)
{
	if (yj_page_params(r, limit, cursor) < 0)
		return YJ_ERR;
	if (!yj_query(r, "limit"))
		*limit = dflt;
	return YJ_OK;
}

int yj_reply_id_page(yj_req *r, yj_qb *q, const char *col, int limit, int64_t after, yj_row_fn row, void *arg)
{
	char cond[96], tail[112];
	snprintf(cond, sizeof cond, "%s > ?", col);
	snprintf(tail, sizeof tail, "ORDER BY %s LIMIT ?", col);
	yj_q_where(q, cond);
	yj_q_int(q, after);
	yj_q_tail(q, tail);
	yj_q_int(q, limit + 1);
	return yj_reply_page(r, yj_q_prepare(q, store_conn_get(yj_store(r))), limit, row, arg, "id");
}

int yj_reply_id_export(yj_req *r, yj_qb *q, const char *col, const char *basename, const yj_column *cols,
		       yj_row_fn row, void *arg)
{
	char tail[112];
	snprintf(tail, sizeof tail, "ORDER BY %s", col);
	yj_q_tail(q, tail);
	return yj_reply_export_stmt(r, basename, cols, yj_q_prepare(q, store_conn_get(yj_store(r))), row, arg);
}

/* ---- the transaction with refusal ---- */

void yj_refusal_clear(yj_refusal *f)
{
	json_decref(f->errors);
	memset(f, 0, sizeof *f);
}

void yj_refusal_field(yj_refusal *f, const char *field, const char *detail)
{
	if (!f->errors)
		f->errors = json_array();
	yj_field_error(f->errors, field, detail);
}

int yj_refusal_has_fields(const yj_refusal *f)
{
	return json_array_size(f->errors) > 0;
}

int yj_refuse(yj_refusal *f, int status, const char *slug, const char *title, const char *detail_fmt, ...)
{
	f->status = status;
	snprintf(f->slug, sizeof f->slug, "%s", slug);
	snprintf(f->title, sizeof f->title, "%s", title);
	va_list ap;
	va_start(ap, detail_fmt);
	vsnprintf(f->detail, sizeof f->detail, detail_fmt, ap);
	va_end(ap);
	return YJ_REFUSED;
}

int yj_refuse_invalid(yj_refusal *f, const char *detail)
{
	return yj_refuse(f, 422, "validation", "提交的数据有误", "%s", detail ? detail : "请按字段提示修改后重新提交。");
}

int yj_reply_refusal(yj_req *r, yj_refusal *f)
{
	json_t *errors = f->errors;
	f->errors = NULL;
	return yj_reply_problem_errors(r, f->status, f->slug, f->title, f->detail, errors);
}

struct tx_trampoline {
	store_tx_fn fn;
	void *arg;
	yj_refusal *f;
};

/* Every attempt starts with no refusal: store_tx may run the callback again after ST_RETRY, and
 * what an abandoned attempt noted must not leak into the answer. */
static int tx_attempt(store_conn *c, void *arg)
{
	struct tx_trampoline *t = arg;
	yj_refusal_clear(t->f);
	return t->fn(c, t->arg);
}

static int tx_reply(yj_req *r, int rc, yj_refusal *f);

int yj_tx_or_reply(yj_req *r, store_tx_fn fn, void *arg, yj_refusal *f)
{
	struct tx_trampoline t = {fn, arg, f};
	return tx_reply(r, store_tx(yj_store(r), tx_attempt, &t), f);
}

int yj_tx_group_or_reply(yj_req *r, store_tx_fn fn, void *arg, yj_refusal *f)
{
	struct tx_trampoline t = {fn, arg, f};
	return tx_reply(r, store_tx_group(yj_store(r), tx_attempt, &t), f);
}

static int tx_reply(yj_req *r, int rc, yj_refusal *f)
{
	if (rc == YJ_REFUSED && f->status) {
		yj_reply_refusal(r, f);
		return YJ_ERR;
	}
	yj_refusal_clear(f);
	if (rc < 0) {
		yj_reply_store_error(r, rc == YJ_REFUSED ? ST_ERR : rc);
		return YJ_ERR;
	}
	return rc;
}
