/* reply.c — request accessors, reply helpers (JSON, problem+json, raw data), pagination
 * parameters and the JSON conventions (string ids, canonical form for hashing). */
#define _POSIX_C_SOURCE 200809L
#include "http_int.h"
#include "../../base/id.h"
#include "../../base/log.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *yj_method(yj_req *r) { return r->method; }
const char *yj_path(yj_req *r) { return r->path; }
const char *yj_client_addr(yj_req *r) { return r->addr; }
json_t *yj_body(yj_req *r) { return r->body; }
const char *yj_body_raw(yj_req *r, size_t *len)
{
	*len = r->body_raw.len;
	return r->body_raw.data ? r->body_raw.data : "";
}
const yj_principal *yj_who(yj_req *r) { return r->signed_in ? &r->who : NULL; }
store *yj_store(yj_req *r) { return r->read_st ? r->read_st : r->srv->st; }
store *yj_store_primary(yj_req *r) { return r->srv->st; }
yj_server *yj_req_server(yj_req *r) { return r->srv; }
const yj_http_config *yj_config(yj_req *r) { return &r->srv->cfg; }
const char *yj_signing_dir(yj_req *r) { return r->srv->signing_dir; }

const char *yj_param(yj_req *r, const char *name)
{
	for (int i = 0; i < r->nparams; i++)
		if (strcmp(r->pnames[i], name) == 0)
			return r->pvalues[i];
	return NULL;
}

const char *yj_query(yj_req *r, const char *name)
{
	return r->lookup(r, MHD_GET_ARGUMENT_KIND, name);
}

struct each_arg {
	int (*fn)(void *arg, const char *name, const char *value);
	void *arg;
	int rc;
};

static enum MHD_Result each_cb(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	(void)kind;
	struct each_arg *e = cls;
	e->rc = e->fn(e->arg, key, value ? value : "");
	return e->rc ? MHD_NO : MHD_YES;
}

int yj_query_each(yj_req *r, int (*fn)(void *arg, const char *name, const char *value), void *arg)
{
	struct each_arg e = {fn, arg, 0};
	if (r->conn) {
		MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, each_cb, &e);
		return e.rc;
	}
	for (size_t i = 0; i < r->fake_nq && !e.rc; i++)
		e.rc = fn(arg, r->fake_qv[2 * i], r->fake_qv[2 * i + 1]);
	return e.rc;
}

const char *yj_header(yj_req *r, const char *name)
{
	return r->lookup(r, MHD_HEADER_KIND, name);
}

const char *yj_cookie(yj_req *r, const char *name)
{
	return r->lookup(r, MHD_COOKIE_KIND, name);
}

void yj_add_header(yj_req *r, const char *name, const char *value)
{
	r->hdrs = yj_realloc(r->hdrs, (r->nhdrs + 1) * 2 * sizeof *r->hdrs);
	r->hdrs[2 * r->nhdrs] = yj_strdup(name);
	r->hdrs[2 * r->nhdrs + 1] = yj_strdup(value);
	r->nhdrs++;
}

int yj_reply_take(yj_req *r, int status, const char *content_type, void *data, size_t len)
{
	if (r->replied) {
		/* A second reply is a bug in a handler; keep the first. */
		free(data);
		yj_log(YJ_LOG_ERROR, "http.double_reply", "\"route\":\"%s\"", r->route ? r->route->path : "-");
		return YJ_OK;
	}
	r->replied = 1;
	r->status = status;
	r->resp = data;
	r->resp_len = len;
	r->resp_type = content_type;
	return YJ_OK;
}

void yj_reply_discard(yj_req *r)
{
	free(r->resp);
	r->resp = NULL;
	if (r->resp_file)
		close(r->resp_fd);
	r->resp_file = 0;
	r->resp_len = 0;
	r->resp_type = NULL;
	for (size_t i = 0; i < r->nhdrs * 2; i++)
		free(r->hdrs[i]);
	free(r->hdrs);
	r->hdrs = NULL;
	r->nhdrs = 0;
	r->replied = 0;
	r->status = 0;
}

int yj_reply_fd(yj_req *r, int status, const char *content_type, int fd, size_t len)
{
	if (r->replied) {
		close(fd);
		return yj_reply_take(r, status, content_type, NULL, 0); /* logs the double reply */
	}
	yj_reply_take(r, status, content_type, NULL, len);
	r->resp_fd = fd;
	r->resp_file = 1;
	return YJ_OK;
}

int yj_reply_data(yj_req *r, int status, const char *content_type, const void *data, size_t len)
{
	char *copy = yj_malloc(len + 1);
	memcpy(copy, data, len);
	copy[len] = '\0';
	return yj_reply_take(r, status, content_type, copy, len);
}

const char *yj_reply_body(const yj_req *r, size_t *len)
{
	if (!r->replied || r->resp_file || r->status != 200)
		return NULL;
	*len = r->resp_len;
	return r->resp ? r->resp : "";
}

int yj_reply_json(yj_req *r, int status, json_t *body)
{
	char *s = json_dumps(body, JSON_COMPACT | JSON_REAL_PRECISION(12));
	json_decref(body);
	if (!s)
		return yj_reply_problem(r, 500, "internal", "服务器内部错误", "无法生成响应，请联系管理员。");
	return yj_reply_take(r, status, "application/json; charset=utf-8", s, strlen(s));
}

int yj_reply_empty(yj_req *r, int status)
{
	return yj_reply_take(r, status, NULL, NULL, 0);
}

static int reply_problem_json(yj_req *r, int status, const char *slug, const char *title, const char *detail,
			      json_t *errors, size_t omitted)
{
	char type[96];
	snprintf(type, sizeof type, "urn:yijian:problem:%s", slug);
	json_t *p = json_pack("{s:s, s:s, s:i, s:s}", "type", type, "title", title, "status", status, "detail", detail);
	if (!p) /* a detail that is not valid UTF-8 must still produce an answer, not a crash */
		p = json_pack("{s:s, s:s, s:i, s:s}", "type", type, "title", title, "status", status, "detail",
			      "请求有误，请检查后重试。");
	if (r->path)
		json_object_set_new(p, "instance", json_string(r->path));
	if (errors)
		json_object_set_new(p, "errors", errors);
	if (omitted)
		json_object_set_new(p, "errors_omitted", json_integer((json_int_t)omitted));
	char *s = json_dumps(p, JSON_COMPACT);
	json_decref(p);
	return yj_reply_take(r, status, "application/problem+json; charset=utf-8", s, strlen(s));
}

int yj_reply_problem_capped(yj_req *r, int status, const char *slug, const char *title, const char *detail,
			    json_t *errors, size_t omitted)
{
	/* A body of 400,000 unknown keys once came back as a 22 MB list: the first YJ_MAX_ERRORS say
	 * what to fix, a count says how much more there is. */
	while (json_array_size(errors) > YJ_MAX_ERRORS) {
		json_array_remove(errors, json_array_size(errors) - 1);
		omitted++;
	}
	char *longer = omitted ? yj_asprintf("%s（另有 %zu 处错误未列出，请先修改以上各处后重新提交。）", detail, omitted) : NULL;
	if (longer)
		detail = longer;
	/* A capability's interface with a wire format of its own (FHIR, Open311) answers its errors in
	 * it: the module registered a writer for its path prefix (module.h). */
	const yj_path_prefix *pre = yj_server_prefix_of(r->srv, r->path);
	int rc = pre && pre->errors ? pre->errors(r, status, title, detail, errors)
				    : reply_problem_json(r, status, slug, title, detail, errors, omitted);
	free(longer);
	return rc;
}

int yj_reply_problem_errors(yj_req *r, int status, const char *slug, const char *title, const char *detail,
			    json_t *errors)
{
	return yj_reply_problem_capped(r, status, slug, title, detail, errors, 0);
}

int yj_reply_problem(yj_req *r, int status, const char *slug, const char *title, const char *detail)
{
	return yj_reply_problem_errors(r, status, slug, title, detail, NULL);
}

int yj_reply_not_found(yj_req *r)
{
	return yj_reply_problem(r, 404, "not-found", "未找到", "记录不存在，或不在您的管辖范围内。");
}

int yj_reply_store_error(yj_req *r, int rc)
{
	switch (rc) {
	case ST_NOTFOUND:
		return yj_reply_not_found(r);
	case ST_CONFLICT:
		return yj_reply_problem(r, 409, "conflict", "数据冲突", "已存在相同的记录，或引用的记录不存在，请检查后重试。");
	case ST_RETRY:
		yj_add_header(r, "Retry-After", "1");
		return yj_reply_problem(r, 503, "busy", "系统繁忙", "数据库繁忙，请稍后重试。");
	default:
		yj_log(YJ_LOG_ERROR, "store.error", "\"route\":\"%s\",\"rc\":%d", r->route ? r->route->path : "-", rc);
		return yj_reply_problem(r, 500, "store", "数据存储错误", "保存或读取数据时出错，请稍后重试；如仍失败请联系管理员。");
	}
}

/* Cursors are the last key of a page in base64url, so clients treat them as opaque. */
static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static void cursor_encode(yj_buf *b, const char *key)
{
	const unsigned char *s = (const unsigned char *)key;
	size_t n = strlen(key);
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = s[i] << 16 | (i + 1 < n ? s[i + 1] << 8 : 0) | (i + 2 < n ? s[i + 2] : 0);
		char out[4] = {b64[v >> 18 & 63], b64[v >> 12 & 63], b64[v >> 6 & 63], b64[v & 63]};
		yj_buf_append(b, out, i + 2 < n ? 4 : i + 1 < n ? 3 : 2);
	}
}

json_t *yj_cursor_json(const char *key)
{
	yj_buf b = YJ_BUF_INIT;
	cursor_encode(&b, key);
	json_t *j = json_string(b.data ? b.data : "");
	yj_buf_free(&b);
	return j;
}

static char *cursor_decode(const char *c)
{
	yj_buf b = YJ_BUF_INIT;
	unsigned v = 0;
	int bits = 0;
	for (; *c; c++) {
		const char *p = strchr(b64, *c);
		if (!p || !*c) {
			yj_buf_free(&b);
			return NULL;
		}
		v = v << 6 | (unsigned)(p - b64);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			char ch = (char)(v >> bits & 0xFF);
			yj_buf_append(&b, &ch, 1);
		}
	}
	if (!b.data || !yj_utf8_valid(b.data, b.len) || b.len > 200) {
		yj_buf_free(&b);
		return NULL;
	}
	return yj_buf_detach(&b);
}

int yj_page_params(yj_req *r, int *limit, const char **cursor)
{
	const char *l = yj_query(r, "limit"), *c = yj_query(r, "cursor");
	*limit = 20;
	*cursor = NULL;
	if (l) {
		char *end;
		long v = strtol(l, &end, 10);
		if (!*l || *end || v < 1 || v > 200) {
			yj_reply_problem_errors(r, 400, "validation", "参数错误", "limit 必须是 1 到 200 之间的整数。",
						yj_field_errors("limit", "应为 1–200 的整数"));
			return YJ_ERR;
		}
		*limit = (int)v;
	}
	if (c && *c) {
		r->cursor = cursor_decode(c);
		if (!r->cursor) {
			yj_reply_problem_errors(r, 400, "validation", "参数错误", "cursor 无效，请使用上一页返回的 next_cursor。",
						yj_field_errors("cursor", "无效的翻页游标"));
			return YJ_ERR;
		}
		*cursor = r->cursor;
	}
	return YJ_OK;
}

json_t *yj_json_id(int64_t id)
{
	char s[21];
	yj_id_format(id, s);
	return json_string(s);
}

char *yj_json_canonical(const json_t *v)
{
	yj_buf b = YJ_BUF_INIT;
	yj_jw_canonical(&b, v, 12);
	return yj_buf_detach(&b);
}

int yj_reply_page(yj_req *r, store_stmt *st, int limit, yj_row_fn row, void *arg, const char *key)
{
	if (!st)
		return yj_reply_store_error(r, ST_ERR);
	json_t *items = json_array(), *next = json_null();
	int rc, n = 0;
	while ((rc = store_step(st)) == ST_ROW) {
		if (++n > limit) {
			/* One row beyond the page exists: the cursor is the key of this page's last item. */
			json_t *last = json_array_get(items, json_array_size(items) - 1);
			json_decref(next);
			next = yj_cursor_json(json_string_value(json_object_get(last, key)));
			break;
		}
		json_t *item = row(st, arg);
		if (item)
			json_array_append_new(items, item);
	}
	store_finalize(st);
	if (rc < 0) {
		json_decref(items);
		json_decref(next);
		return yj_reply_store_error(r, rc);
	}
	return yj_reply_json(r, 200, json_pack("{s:o, s:o}", "items", items, "next_cursor", next));
}

int yj_reply_page_w(yj_req *r, store_stmt *st, int limit, yj_row_write_fn row, void *arg)
{
	if (!st)
		return yj_reply_store_error(r, ST_ERR);
	/* Room for a page of 20 registry rows at once, so the buffer is not regrown row by row. */
	yj_buf b = {yj_malloc(16384), 0, 16384};
	b.data[0] = '\0';
	char key[64] = "", last[64] = "";
	int rc, n = 0, items = 0, more = 0;
	yj_buf_append(&b, "{\"items\":[", 10);
	while ((rc = store_step(st)) == ST_ROW) {
		if (++n > limit) {
			more = 1; /* one row beyond the page: the cursor is the key of this page's last item */
			break;
		}
		size_t mark = b.len;
		if (items)
			yj_buf_append(&b, ",", 1);
		key[0] = '\0';
		rc = row(st, arg, &b, key);
		if (rc < 0)
			break;
		if (rc == 0) {
			b.len = mark;
			b.data[mark] = '\0';
			continue;
		}
		items++;
		memcpy(last, key, sizeof last);
		last[sizeof last - 1] = '\0';
	}
	store_finalize(st);
	if (rc < 0) {
		yj_buf_free(&b);
		return yj_reply_store_error(r, rc);
	}
	yj_buf_append(&b, "],\"next_cursor\":", 16);
	if (more && items) {
		yj_buf_append(&b, "\"", 1);
		cursor_encode(&b, last);
		yj_buf_append(&b, "\"}", 2);
	} else {
		yj_buf_append(&b, "null}", 5);
	}
	size_t len = b.len;
	return yj_reply_take(r, 200, "application/json; charset=utf-8", yj_buf_detach(&b), len);
}

int yj_row_one(store_stmt *st, yj_row_fn row, void *arg, json_t **out)
{
	if (!st)
		return ST_ERR;
	int rc = store_step(st);
	if (rc == ST_ROW) {
		*out = row(st, arg);
		rc = ST_OK;
	} else if (rc == ST_DONE) {
		rc = ST_NOTFOUND;
	}
	store_finalize(st);
	return rc;
}

int yj_row_all(store_stmt *st, yj_row_fn row, void *arg, json_t **out)
{
	*out = NULL;
	if (!st)
		return ST_ERR;
	json_t *a = json_array();
	int rc;
	while ((rc = store_step(st)) == ST_ROW) {
		json_t *o = row(st, arg);
		if (o)
			json_array_append_new(a, o);
	}
	store_finalize(st);
	if (rc < 0) {
		json_decref(a);
		return rc;
	}
	*out = a;
	return ST_OK;
}
