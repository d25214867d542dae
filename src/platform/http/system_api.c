/* system_api.c — the routes every deployment has: /healthz for load balancers, /metrics for
 * Prometheus and /api/v1/openapi.json, generated from the live route table. */
#include "http_int.h"

#include <stdlib.h>
#include <string.h>

static int healthz(yj_req *r)
{
	int64_t v = 0;
	int rc = store_schema_version(yj_store(r), &v);
	if (rc < 0)
		return yj_reply_json(r, 503, json_pack("{s:s, s:s}", "status", "unavailable", "engine", store_engine(yj_store(r))));
	return yj_reply_json(r, 200, json_pack("{s:s, s:s, s:I, s:s}", "status", "ok", "engine", store_engine(yj_store(r)),
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

const yj_route yj_system_routes[] = {
	{"GET", "/healthz", healthz, ROLE_PUBLIC, NULL, NULL, "system", "Liveness and database reachability",
	 "{status, engine, schema_version}", 200},
	{"GET", "/metrics", metrics, ROLE_PUBLIC, NULL, NULL, "system", "Prometheus metrics (text exposition format)",
	 "Prometheus text", 200},
	{"GET", "/api/v1/openapi.json", openapi, ROLE_PUBLIC, NULL, NULL, "system", "This API's OpenAPI 3.1 description",
	 "OpenAPI document", 200},
	{0},
};
