/* dispatch.c — one request's way through the server: limits, routing, authentication, role and
 * CSRF checks, body validation, the handler, then metrics and the access log. Also the
 * in-process entry point used by unit tests and fuzzers. */
#define _POSIX_C_SOURCE 200809L
#include "http_int.h"
#include "../../base/log.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

static void access_log(yj_req *r);
static int has_header(const yj_req *r, const char *name);

static int is_state_changing(const char *method)
{
	return strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0 && strcmp(method, "OPTIONS") != 0;
}

static int check_access(yj_req *r)
{
	const yj_route *rt = r->route;
	yj_server *srv = r->srv;
	if (srv->hooks.authenticate) {
		int rc = srv->hooks.authenticate(r, &r->who);
		if (rc < 0)
			return YJ_ERR; /* already replied */
		r->signed_in = rc == 1;
	}
	if (rt->roles == ROLE_PUBLIC)
		return YJ_OK;
	if (!r->signed_in) {
		yj_reply_problem(r, 401, "unauthenticated", "未登录", "请先登录，或登录已过期，请重新登录。");
		return YJ_ERR;
	}
	if (!(rt->roles & r->who.role_bit)) {
		yj_reply_problem(r, 403, "forbidden", "无权操作", "您的角色无权执行此操作，如需权限请联系系统管理员。");
		return YJ_ERR;
	}
	if (is_state_changing(r->method)) {
		if (r->who.via_token && !r->who.token_write) {
			yj_reply_problem(r, 403, "token-scope", "令牌权限不足",
					 "此访问令牌只有只读权限，请使用带写权限（write）的令牌。");
			return YJ_ERR;
		}
		if (!r->who.via_token) {
			const char *t = yj_header(r, "X-CSRF-Token");
			size_t n = strlen(r->who.csrf);
			if (!t || strlen(t) != n || !yj_ct_equal(t, r->who.csrf, n)) {
				yj_reply_problem(r, 403, "csrf", "请求校验失败",
						 "请求缺少有效的 CSRF 校验码，请刷新页面后重试。");
				return YJ_ERR;
			}
		}
	}
	return YJ_OK;
}

int yj_req_may_defer_auth(const yj_req *r)
{
	return r->route && (r->route->roles & ROLE_CONFIRMS_AUTH) && !r->auth_afresh && !r->streaming &&
	       strcmp(r->method, "GET") == 0;
}

void yj_req_set_unconfirmed(yj_req *r, int on)
{
	r->unconfirmed = on;
}

int yj_req_unconfirmed(const yj_req *r)
{
	return r->unconfirmed;
}

/* After the handler of a request still unconfirmed: 1 when its provisional principal holds, so its
 * reply may go; else its reply is dropped and the request is to be authenticated afresh and handled
 * again — nothing of the first run is used (it could write no leaf: yj_audit_hold). */
static int confirmed_after(yj_req *r)
{
	int rc = r->srv->hooks.confirm ? r->srv->hooks.confirm(r) : 0;
	r->unconfirmed = 0;
	if (rc == 1)
		return 1;
	yj_reply_discard(r);
	r->auth_afresh = 1;
	return 0;
}

static int spool_open(yj_req *r)
{
	const char *dir = r->srv->cfg.spool_dir;
	if (!dir || !*dir)
		dir = getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	r->body_path = yj_asprintf("%s/yijian-upload-XXXXXX", dir);
	r->body_fd = mkstemp(r->body_path);
	if (r->body_fd < 0) {
		free(r->body_path);
		r->body_path = NULL;
		yj_log(YJ_LOG_ERROR, "http.spool", "\"dir\":\"%s\"", dir);
		yj_reply_problem(r, 507, "insufficient-storage", "无法接收文件", "服务器暂存目录不可写，请联系管理员检查磁盘空间与目录权限。");
		return YJ_ERR;
	}
	return YJ_OK;
}

static int content_type_is(yj_req *r, const char *want)
{
	const char *ct = yj_header(r, "Content-Type");
	size_t n = strlen(want);
	if (!ct || strncasecmp(ct, want, n) != 0 || (ct[n] && ct[n] != ';' && ct[n] != ' ')) {
		char *d = yj_asprintf("请求正文必须带有 Content-Type: %s。", want);
		yj_reply_problem(r, 415, "unsupported-media-type", "不支持的内容类型", d);
		free(d);
		return 0;
	}
	return 1;
}

static void reply_upload_too_large(yj_req *r)
{
	char d[200];
	snprintf(d, sizeof d, "上传文件超过上限（%lld 字节），请拆分后分批提交，或请管理员调整 --max-upload。",
		 (long long)r->srv->cfg.max_upload);
	yj_reply_problem(r, 413, "payload-too-large", "文件过大", d);
	yj_add_header(r, "Connection", "close");
}

int yj_stream_begin(yj_req *r)
{
	int mismatch = 0;
	if (r->bad_target || !yj_utf8_valid(r->path, strlen(r->path)))
		return 0;
	if (strcmp(r->method, "POST") && strcmp(r->method, "PUT"))
		return 0;
	const yj_route *rt = yj_route_match(r->srv, r, &mismatch);
	if (!rt || !rt->body || rt->body[0].type != F_FILE) {
		/* Not streamed: yj_dispatch matches again once the body is in; drop this match's path parameters. */
		for (int i = 0; i < r->nparams; i++) {
			free(r->pnames[i]);
			free(r->pvalues[i]);
		}
		r->nparams = 0;
		return 0;
	}
	r->route = rt;
	r->streaming = 1;
	const char *cl = yj_header(r, "Content-Length");
	if (check_access(r) < 0 || yj_validate_query(r) < 0 || !content_type_is(r, rt->body[0].name))
		goto replied;
	if (cl && strtoll(cl, NULL, 10) > r->srv->cfg.max_upload) {
		reply_upload_too_large(r);
		goto replied;
	}
	if (spool_open(r) < 0)
		goto replied;
	return 0;
replied:
	if (!has_header(r, "Cache-Control"))
		yj_add_header(r, "Cache-Control", "no-store");
	access_log(r);
	return 1;
}

int yj_stream_write(yj_req *r, const char *data, size_t n)
{
	if (r->body_file_len + (int64_t)n > r->srv->cfg.max_upload) {
		r->body_too_large = 1;
		return YJ_ERR;
	}
	while (n) {
		ssize_t w = write(r->body_fd, data, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return YJ_ERR;
		data += w;
		n -= (size_t)w;
		r->body_file_len += w;
	}
	return YJ_OK;
}

int yj_body_file_take(yj_req *r, const char *dest, int64_t *size)
{
	if (!r->body_path || rename(r->body_path, dest) < 0)
		return YJ_ERR;
	free(r->body_path);
	r->body_path = NULL;
	*size = r->body_file_len;
	return YJ_OK;
}

static int prepare_body(yj_req *r)
{
	const yj_route *rt = r->route;
	if (rt->body && rt->body[0].type == F_FILE) {
		if (!content_type_is(r, rt->body[0].name))
			return YJ_ERR;
		/* In-process dispatch (tests) hands the body in memory: spool it like a streamed one. */
		if (spool_open(r) < 0 || yj_stream_write(r, r->body_raw.data ? r->body_raw.data : "", r->body_raw.len) < 0)
			return YJ_ERR;
		return YJ_OK;
	}
	if (rt->body && rt->body[0].type == F_RAW) {
		const char *ct = yj_header(r, "Content-Type"), *want = rt->body[0].name;
		size_t n = strlen(want);
		if (!ct || strncasecmp(ct, want, n) != 0 || (ct[n] && ct[n] != ';' && ct[n] != ' ')) {
			char *d = yj_asprintf("请求正文必须带有 Content-Type: %s。", want);
			yj_reply_problem(r, 415, "unsupported-media-type", "不支持的内容类型", d);
			free(d);
			return YJ_ERR;
		}
		return YJ_OK;
	}
	if (!rt->body) {
		if (r->body_raw.len) {
			yj_reply_problem(r, 400, "unexpected-body", "请求不应包含正文", "此接口不接受请求正文，请去掉正文后重试。");
			return YJ_ERR;
		}
		return YJ_OK;
	}
	const char *ct = yj_header(r, "Content-Type");
	if (!ct || strncasecmp(ct, "application/json", 16) != 0) {
		yj_reply_problem(r, 415, "unsupported-media-type", "不支持的内容类型",
				 "请求正文必须是 JSON，并带有 Content-Type: application/json。");
		return YJ_ERR;
	}
	if (!yj_utf8_valid(r->body_raw.data ? r->body_raw.data : "", r->body_raw.len)) {
		yj_reply_problem(r, 400, "invalid-utf8", "编码错误", "请求正文不是有效的 UTF-8 文本，请以 UTF-8 编码重新提交。");
		return YJ_ERR;
	}
	json_error_t je;
	r->body = json_loadb(r->body_raw.data ? r->body_raw.data : "", r->body_raw.len,
			     JSON_REJECT_DUPLICATES, &je);
	if (!r->body) {
		/* jansson cuts its message to a fixed size, possibly inside a multi-byte character of the
		 * quoted input: keep the longest valid UTF-8 beginning, or the detail cannot be JSON. */
		size_t n = strlen(je.text);
		while (n && !yj_utf8_valid(je.text, n))
			n--;
		je.text[n] = '\0';
		char *d = yj_asprintf("请求正文不是合法的 JSON（第 %d 行第 %d 列：%s），请修正后重试。", je.line, je.column,
				      je.text);
		yj_reply_problem(r, 400, "malformed-json", "JSON 格式错误", d);
		free(d);
		return YJ_ERR;
	}
	return yj_validate_body(r);
}

static void access_log(yj_req *r)
{
	uint64_t dur = yj_mono_ns() - r->t0;
	yj_metrics_observe(r->srv, r->route ? r->route_idx : r->srv->nroutes, r->status, dur);
	/* The route pattern, never the raw path or query: those may carry personal data. */
	yj_log(YJ_LOG_INFO, "http.request", "\"method\":\"%s\",\"route\":\"%s\",\"status\":%d,\"ms\":%.3f,\"user\":%lld",
	       r->method, r->route ? r->route->path : "-", r->status, (double)dur / 1e6,
	       (long long)(r->signed_in ? r->who.user_id : 0));
}

static int has_header(const yj_req *r, const char *name)
{
	for (size_t i = 0; i < r->nhdrs; i++)
		if (strcasecmp(r->hdrs[2 * i], name) == 0)
			return 1;
	return 0;
}

static void reply_method_not_allowed(yj_req *r)
{
	char allow[64];
	yj_route_allow(r->srv, r->path, allow, sizeof allow);
	yj_add_header(r, "Allow", allow); /* RFC 9110 §15.5.6: a 405 must list what the resource supports */
	yj_reply_problem(r, 405, "method-not-allowed", "不支持的请求方法", "此地址不支持该请求方法，请查看接口文档。");
}

void yj_dispatch(yj_req *r)
{
	if (r->bad_target || !yj_utf8_valid(r->path, strlen(r->path))) {
		/* libmicrohttpd decodes the path into a C string: %00 would cut "CODE%00…" to "CODE". */
		yj_reply_problem(r, 400, "bad-path", "请求地址无效",
				 "请求地址含有控制字符、空字符（如 %00）或无效的 UTF-8 编码，请检查链接是否正确。");
		goto done;
	}
	if (r->streaming) { /* access and query were checked at the headers (yj_stream_begin) */
		if (r->body_too_large || r->body_fd < 0) {
			reply_upload_too_large(r);
			goto done;
		}
		goto handler;
	}
	if (r->body_too_large) {
		char d[160];
		snprintf(d, sizeof d, "请求正文超过上限（%zu 字节），请缩小后重试，或分批提交。", r->srv->cfg.max_body);
		yj_reply_problem(r, 413, "payload-too-large", "请求过大", d);
		yj_add_header(r, "Connection", "close");
		goto done;
	}
	int method_mismatch = 0;
	r->route = yj_route_match(r->srv, r, &method_mismatch);
	if (!r->route) {
		if (method_mismatch)
			reply_method_not_allowed(r);
		else if ((strcmp(r->method, "GET") == 0 || strcmp(r->method, "HEAD") == 0) && yj_static_serve(r) == YJ_OK)
			;
		else
			yj_reply_problem(r, 404, "not-found", "未找到", "请求的地址不存在，请检查链接是否正确。");
		goto done;
	}
	if (check_access(r) < 0 || yj_validate_query(r) < 0 || prepare_body(r) < 0)
		goto checked;
handler:
	yj_replica_choose(r);
	if (r->route->fn(r) < 0 && !r->replied)
		yj_reply_problem(r, 500, "internal", "服务器内部错误", "服务器处理请求时出错，请稍后重试；如仍失败请联系管理员。");
	if (!r->replied)
		yj_reply_problem(r, 500, "internal", "服务器内部错误", "服务器未返回结果，请联系管理员。");
	yj_replica_done(r);
checked:
	/* A provisional principal's reply (a refusal at the gate too) goes only once confirmed. */
	if (r->unconfirmed && !confirmed_after(r)) {
		if (check_access(r) < 0 || yj_validate_query(r) < 0 || prepare_body(r) < 0)
			goto done;
		goto handler;
	}
done:
	if (!has_header(r, "Cache-Control"))
		yj_add_header(r, "Cache-Control", "no-store");
	access_log(r);
}

void yj_req_cleanup(yj_req *r)
{
	free(r->path);
	for (int i = 0; i < r->nparams; i++) {
		free(r->pnames[i]);
		free(r->pvalues[i]);
	}
	yj_buf_free(&r->body_raw);
	if (r->body_fd > 0)
		close(r->body_fd);
	if (r->body_path)
		unlink(r->body_path);
	free(r->body_path);
	json_decref(r->body);
	free(r->resp);
	if (r->resp_file)
		close(r->resp_fd);
	for (size_t i = 0; i < r->nhdrs * 2; i++)
		free(r->hdrs[i]);
	free(r->hdrs);
	free(r->fake_query);
	free(r->fake_qv);
	free(r->cursor);
}

/* ---- in-process dispatch ---- */

static int url_decode(char *s)
{
	char *o = s;
	for (; *s; s++) {
		if (*s == '+') {
			*o++ = ' ';
		} else if (*s == '%' && s[1] && s[2]) {
			unsigned char v;
			char hx[3] = {s[1], s[2], 0};
			if (yj_hex_decode(hx, &v, 1) != 1)
				return YJ_ERR;
			*o++ = (char)v;
			s += 2;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
	return YJ_OK;
}

static const char *fake_lookup(yj_req *r, enum MHD_ValueKind kind, const char *name)
{
	if (kind == MHD_GET_ARGUMENT_KIND) {
		for (size_t i = 0; i < r->fake_nq; i++)
			if (strcmp(r->fake_qv[2 * i], name) == 0)
				return r->fake_qv[2 * i + 1];
		return NULL;
	}
	if (kind == MHD_COOKIE_KIND) {
		const char *c = fake_lookup(r, MHD_HEADER_KIND, "Cookie");
		static _Thread_local char val[256];
		size_t nl = strlen(name);
		while (c && *c) {
			while (*c == ' ' || *c == ';')
				c++;
			if (strncmp(c, name, nl) == 0 && c[nl] == '=') {
				const char *v = c + nl + 1, *e = strchr(v, ';');
				size_t n = e ? (size_t)(e - v) : strlen(v);
				if (n >= sizeof val)
					return NULL;
				memcpy(val, v, n);
				val[n] = '\0';
				return val;
			}
			c = strchr(c, ';');
		}
		return NULL;
	}
	for (const char *const *h = r->fake_headers; h && h[0]; h += 2)
		if (strcasecmp(h[0], name) == 0)
			return h[1];
	return NULL;
}

int yj_server_dispatch(yj_server *srv, const char *method, const char *url, const char *const *headers,
		       const char *body, size_t body_len, char **resp_body)
{
	yj_req r = {0};
	r.body_fd = -1;
	r.srv = srv;
	r.lookup = fake_lookup;
	r.fake_headers = headers;
	r.method = method;
	r.t0 = yj_mono_ns();
	strcpy(r.addr, "127.0.0.1");
	r.bad_target = yj_target_refused(url);
	const char *q = strchr(url, '?');
	r.path = q ? yj_strndup(url, (size_t)(q - url)) : yj_strdup(url);
	if (q) {
		r.fake_query = yj_strdup(q + 1);
		for (char *p = r.fake_query, *save = NULL, *tok; (tok = strtok_r(p, "&", &save)); p = NULL) {
			char *eq = strchr(tok, '=');
			if (eq)
				*eq = '\0';
			r.fake_qv = yj_realloc(r.fake_qv, (r.fake_nq + 1) * 2 * sizeof *r.fake_qv);
			url_decode(tok);
			r.fake_qv[2 * r.fake_nq] = tok;
			r.fake_qv[2 * r.fake_nq + 1] = eq ? (url_decode(eq + 1), eq + 1) : (char *)"";
			r.fake_nq++;
		}
	}
	if (body_len > srv->cfg.max_body)
		r.body_too_large = 1;
	else if (body_len)
		yj_buf_append(&r.body_raw, body, body_len);
	yj_dispatch(&r);
	int status = r.status;
	if (resp_body && r.resp_file) {
		*resp_body = yj_malloc(r.resp_len + 1);
		ssize_t n = pread(r.resp_fd, *resp_body, r.resp_len, 0);
		(*resp_body)[n > 0 ? (size_t)n : 0] = '\0';
	} else if (resp_body) {
		*resp_body = r.resp ? r.resp : yj_strdup("");
		r.resp = NULL;
	}
	yj_req_cleanup(&r);
	return status;
}
