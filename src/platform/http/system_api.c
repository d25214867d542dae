/* system_api.c — the routes every deployment has: /healthz for load balancers, /metrics for
 * Prometheus and /api/v1/openapi.json, generated from the live route table; and the operator
 * listener, which serves /healthz and /metrics alone, without sign-in. */
#include "http_int.h"

#include <stdlib.h>
#include <string.h>

static int healthz(yj_req *r)
{
	int64_t v = 0;
	store *s = r->srv->st; /* the primary, even with a read replica: it is what the process needs */
	int rc = store_schema_version(s, &v);
	if (rc < 0)
		return yj_reply_json(r, 503, json_pack("{s:s, s:s}", "status", "unavailable", "engine", store_engine(s)));
	return yj_reply_json(r, 200, json_pack("{s:s, s:s, s:I, s:s}", "status", "ok", "engine", store_engine(s),
					       "schema_version", (json_int_t)v, "version", YJ_VERSION));
}

static int metrics(yj_req *r)
{
	yj_buf b = YJ_BUF_INIT;
	yj_metrics_render(r->srv, &b);
	size_t len = b.len;
	return yj_reply_take(r, 200, "text/plain; version=0.0.4; charset=utf-8", yj_buf_detach(&b), len);
}

static int openapi(yj_req *r)
{
	return yj_reply_json(r, 200, yj_openapi(r->srv->tables, r->srv->ntables));
}

/* The operator listener answers monitoring only: who may reach it is decided by the address it is
 * bound to (loopback or the monitoring network), so it asks no sign-in and serves nothing else. */
void yj_operator_dispatch(yj_req *r)
{
	int get = strcmp(r->method, "GET") == 0 || strcmp(r->method, "HEAD") == 0;
	int known = strcmp(r->path, "/healthz") == 0 || strcmp(r->path, "/metrics") == 0;
	if (known && get && r->body_raw.len == 0)
		(strcmp(r->path, "/healthz") == 0 ? healthz : metrics)(r);
	else if (known && get)
		yj_reply_problem(r, 400, "unexpected-body", "请求不应包含正文", "此接口不接受请求正文，请去掉正文后重试。");
	else if (known) {
		yj_reply_problem(r, 405, "method-not-allowed", "不支持的请求方法", "运维端口只接受 GET 请求。");
		yj_add_header(r, "Allow", "GET, HEAD");
	} else
		yj_reply_problem(r, 404, "not-found", "未找到", "运维端口只提供 /healthz 与 /metrics，其他接口请访问主端口。");
}

const yj_route yj_system_routes[] = {
	{"GET", "/healthz", healthz, ROLE_PUBLIC, NULL, NULL, "system", "Liveness and database reachability",
	 "{status, engine, schema_version}", 200},
	/* On the public listener only for administrators (a read-only bearer token for Prometheus); the
	 * operator listener serves it without sign-in. */
	{"GET", "/metrics", metrics, ROLE_ADMIN, NULL, NULL, "system",
	 "Prometheus metrics (text exposition format); without sign-in on the operator listener only",
	 "Prometheus text", 200},
	{"GET", "/api/v1/openapi.json", openapi, ROLE_PUBLIC, NULL, NULL, "system", "This API's OpenAPI 3.1 description",
	 "OpenAPI document", 200},
	{0},
};
