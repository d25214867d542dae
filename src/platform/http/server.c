/* server.c — libmicrohttpd glue: daemon options (epoll, thread pool, limits), reading request
 * bodies ourselves (Debian's 0.9.75 PostProcessor is affected by CVE-2023-27371), handing complete
 * requests to dispatch.c and turning the reply into an MHD response. */
#define _POSIX_C_SOURCE 200809L
#include "http_int.h"
#include "../../base/log.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static const char *mhd_lookup(yj_req *r, enum MHD_ValueKind kind, const char *name)
{
	return MHD_lookup_connection_value(r->conn, kind, name);
}

static void client_addr(struct MHD_Connection *conn, char *out, size_t cap)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	out[0] = '\0';
	if (!ci || !ci->client_addr)
		return;
	const struct sockaddr *sa = ci->client_addr;
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out, (socklen_t)cap);
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, out, (socklen_t)cap);
}

static enum MHD_Result send_reply(struct MHD_Connection *conn, yj_req *r)
{
	struct MHD_Response *resp =
		MHD_create_response_from_buffer(r->resp_len, r->resp ? r->resp : (void *)"", r->resp ? MHD_RESPMEM_MUST_FREE
												 : MHD_RESPMEM_PERSISTENT);
	r->resp = NULL; /* MHD owns it now */
	if (!resp)
		return MHD_NO;
	if (r->resp_type)
		MHD_add_response_header(resp, "Content-Type", r->resp_type);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
	for (size_t i = 0; i + 1 < r->nhdrs * 2; i += 2)
		MHD_add_response_header(resp, r->hdrs[i], r->hdrs[i + 1]);
	enum MHD_Result ret = MHD_queue_response(conn, (unsigned)r->status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* Called with the raw request target before libmicrohttpd decodes it (the only place it can be
 * seen): creates the request, which on_request receives as *con_cls and on_completed frees. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
	yj_server *srv = cls;
	yj_req *r = yj_calloc(1, sizeof *r);
	r->srv = srv;
	r->conn = conn;
	r->lookup = mhd_lookup;
	r->t0 = yj_mono_ns();
	r->bad_target = yj_target_refused(uri);
	client_addr(conn, r->addr, sizeof r->addr);
	atomic_fetch_add(&srv->in_flight, 1);
	return r;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
				  const char *version, const char *upload_data, size_t *upload_data_size,
				  void **con_cls)
{
	yj_server *srv = cls;
	yj_req *r = *con_cls;

	if (!r) /* a daemon started without MHD_OPTION_URI_LOG_CALLBACK: the target is already decoded */
		*con_cls = r = on_uri(cls, url, conn);
	if (!r->method) {
		r->method = method;
		r->path = yj_strdup(url);
		/* Refuse an oversized body before reading it, when its length is announced. */
		const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
		if (cl && strtoull(cl, NULL, 10) > srv->cfg.max_body) {
			r->body_too_large = 1;
			yj_dispatch(r);
			return send_reply(conn, r);
		}
		return MHD_YES;
	}
	if (*upload_data_size) {
		if (r->body_raw.len + *upload_data_size > srv->cfg.max_body) {
			/* Chunked body over the limit: stop reading and close the connection. */
			r->body_too_large = 1;
			return MHD_NO;
		}
		yj_buf_append(&r->body_raw, upload_data, *upload_data_size);
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (r->replied)
		return MHD_YES;
	yj_dispatch(r);
	return send_reply(conn, r);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	yj_server *srv = cls;
	yj_req *r = *con_cls;
	if (!r)
		return;
	yj_req_cleanup(r);
	free(r);
	*con_cls = NULL;
	atomic_fetch_sub(&srv->in_flight, 1);
}

yj_server *yj_server_new(const yj_http_config *cfg, store *st, const yj_route *const *tables, size_t ntables,
			 const yj_auth_hooks *hooks, const char *signing_dir)
{
	yj_server *srv = yj_calloc(1, sizeof *srv);
	srv->cfg = *cfg;
	if (!srv->cfg.max_body)
		srv->cfg.max_body = 8u << 20;
	if (!srv->cfg.threads) {
		long cores = sysconf(_SC_NPROCESSORS_ONLN);
		/* Handlers block on the store, so more threads than cores. */
		srv->cfg.threads = (unsigned)(cores * 4 > 8 ? cores * 4 : 8);
	}
	if (!srv->cfg.max_connections)
		srv->cfg.max_connections = 1024;
	if (!srv->cfg.idle_timeout)
		srv->cfg.idle_timeout = 30;
	if (!srv->cfg.header_memory)
		srv->cfg.header_memory = 32u << 10;
	if (!srv->cfg.listen)
		srv->cfg.listen = "127.0.0.1:8080";
	if (!srv->cfg.public_url)
		srv->cfg.public_url = srv->public_url = yj_asprintf("http://%s/", srv->cfg.listen);
	if (!srv->cfg.attachment_quota)
		srv->cfg.attachment_quota = (int64_t)2 << 30;
	srv->st = st;
	srv->tables = tables;
	srv->ntables = ntables;
	for (size_t t = 0; t < ntables; t++)
		for (const yj_route *rt = tables[t]; rt->method; rt++) {
			srv->routes = yj_realloc(srv->routes, (srv->nroutes + 1) * sizeof *srv->routes);
			srv->routes[srv->nroutes++] = rt;
		}
	yj_route_order(srv);
	srv->metrics = yj_calloc(srv->nroutes + 1, sizeof *srv->metrics);
	if (hooks)
		srv->hooks = *hooks;
	srv->signing_dir = signing_dir;
	return srv;
}

static int parse_listen(const char *listen, struct sockaddr_in *sa)
{
	const char *colon = strrchr(listen, ':');
	if (!colon)
		return YJ_ERR;
	char host[64];
	size_t hn = (size_t)(colon - listen);
	if (hn >= sizeof host)
		return YJ_ERR;
	memcpy(host, listen, hn);
	host[hn] = '\0';
	char *end;
	long port = strtol(colon + 1, &end, 10);
	if (*end || port < 0 || port > 65535)
		return YJ_ERR;
	memset(sa, 0, sizeof *sa);
	sa->sin_family = AF_INET;
	sa->sin_port = htons((uint16_t)port);
	if (hn == 0 || strcmp(host, "0.0.0.0") == 0)
		sa->sin_addr.s_addr = htonl(INADDR_ANY);
	else if (strcmp(host, "localhost") == 0)
		sa->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	else if (inet_pton(AF_INET, host, &sa->sin_addr) != 1)
		return YJ_ERR;
	return YJ_OK;
}

int yj_server_start(yj_server *srv, char **err)
{
	struct sockaddr_in sa;
	if (parse_listen(srv->cfg.listen, &sa) < 0) {
		*err = yj_asprintf("cannot parse listen address '%s' (expected HOST:PORT)", srv->cfg.listen);
		return YJ_ERR;
	}
	if (srv->cfg.web_dir && yj_static_load(srv, srv->cfg.web_dir, err) < 0)
		return YJ_ERR;
	srv->d = MHD_start_daemon(
		MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_USE_ERROR_LOG, 0, NULL, NULL, on_request, srv,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa, MHD_OPTION_THREAD_POOL_SIZE, srv->cfg.threads,
		MHD_OPTION_CONNECTION_LIMIT, srv->cfg.max_connections, MHD_OPTION_CONNECTION_TIMEOUT,
		srv->cfg.idle_timeout, MHD_OPTION_CONNECTION_MEMORY_LIMIT, srv->cfg.header_memory,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv, MHD_OPTION_URI_LOG_CALLBACK, on_uri, srv,
		MHD_OPTION_LISTENING_ADDRESS_REUSE, 1u,
		MHD_OPTION_END);
	if (!srv->d) {
		*err = yj_asprintf("cannot listen on %s (port in use or not permitted)", srv->cfg.listen);
		return YJ_ERR;
	}
	return YJ_OK;
}

void yj_server_stop(yj_server *srv)
{
	if (!srv->d)
		return;
	/* Stop accepting, then let in-flight requests finish (bounded) before tearing down. */
	MHD_quiesce_daemon(srv->d);
	for (int i = 0; i < 300 && atomic_load(&srv->in_flight) > 0; i++)
		usleep(10000);
	MHD_stop_daemon(srv->d);
	srv->d = NULL;
}

void yj_server_free(yj_server *srv)
{
	if (!srv)
		return;
	yj_static_free(srv);
	free(srv->public_url);
	free(srv->routes);
	free(srv->order);
	free(srv->metrics);
	free(srv);
}

const yj_route *const *yj_server_routes(const yj_server *srv, size_t *ntables)
{
	*ntables = srv->ntables;
	return srv->tables;
}
