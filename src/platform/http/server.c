/* server.c — libmicrohttpd glue: daemon options (epoll, polling threads, limits), reading request
 * bodies ourselves (Debian's 0.9.75 PostProcessor is affected by CVE-2023-27371), handing complete
 * requests to the worker queue (workq.c) or, with --dispatch inline, to dispatch.c in the polling
 * thread, and turning the reply into an MHD response; the operator listener (a second,
 * small daemon for /healthz and /metrics), the client address behind a trusted proxy, and 414/431. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* POLLRDHUP */
#endif
#include "http_int.h"
#include "../../base/log.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
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

/* Behind a proxy every peer is the proxy: take the client's address from the X-Real-IP header the
 * proxy sets (deploy/nginx/yijian.conf), but only from the configured proxy, so a client cannot
 * choose the address its sign-in failures are counted under. */
static void proxied_addr(yj_server *srv, struct MHD_Connection *conn, char *addr, size_t cap)
{
	const char *tp = srv->cfg.trusted_proxy;
	if (!tp || !*tp || strcmp(addr, tp) != 0)
		return;
	const char *real = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Real-IP");
	unsigned char probe[sizeof(struct in6_addr)];
	if (!real || strlen(real) >= cap)
		return;
	if (inet_pton(AF_INET, real, probe) == 1 || inet_pton(AF_INET6, real, probe) == 1)
		memcpy(addr, real, strlen(real) + 1);
}

static enum MHD_Result send_reply(struct MHD_Connection *conn, yj_req *r)
{
	struct MHD_Response *resp;
	if (r->resp_file) {
		/* A file (an export) goes out from disk; MHD closes the descriptor with the response. */
		resp = MHD_create_response_from_fd(r->resp_len, r->resp_fd);
		if (!resp)
			close(r->resp_fd);
		r->resp_file = 0;
	} else {
		resp = MHD_create_response_from_buffer(r->resp_len, r->resp ? r->resp : (void *)"",
						       r->resp ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
	}
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

/* Request targets and header lines longer than nginx takes (deploy/nginx/yijian.conf) are refused here
 * the same way, as problem+json. Only those that fit the per-connection memory reach us: beyond it
 * libmicrohttpd 0.9.75 answers 414/431 itself with a fixed HTML page, and the front must answer them. */
#define YJ_MAX_TARGET 8192
#define YJ_MAX_HEADER_LINE 8192

struct req_sizes {
	size_t query;	/* decoded query arguments, names and values */
	size_t longest; /* longest header line */
};

static enum MHD_Result add_size(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	struct req_sizes *z = cls;
	size_t n = strlen(key) + (value ? strlen(value) : 0) + 2;
	if (kind == MHD_GET_ARGUMENT_KIND)
		z->query += n;
	else if (n > z->longest)
		z->longest = n;
	return MHD_YES;
}

/* Replies 414 or 431 and returns 1 when the request is too long; 0 otherwise. */
static int refuse_oversize(yj_req *r)
{
	struct req_sizes z = {0, 0};
	MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, add_size, &z);
	MHD_get_connection_values(r->conn, MHD_HEADER_KIND, add_size, &z);
	size_t plen = strlen(r->path);
	if (plen + z.query > YJ_MAX_TARGET) {
		/* The problem's instance echoes the path: keep a short, valid UTF-8 beginning of it. */
		size_t n = plen < 200 ? plen : 200;
		while (n && !yj_utf8_valid(r->path, n))
			n--;
		r->path[n] = '\0';
		yj_reply_problem(r, 414, "uri-too-long", "请求地址过长", "请求地址（含查询参数）超过 8 KiB，请减少查询条件后重试。");
	} else if (z.longest > YJ_MAX_HEADER_LINE) {
		yj_reply_problem(r, 431, "header-too-large", "请求头过大",
				 "请求头或 Cookie 过大（单行上限 8 KiB），请清除本站 Cookie 后重试。");
	} else {
		return 0;
	}
	yj_add_header(r, "Connection", "close");
	return 1;
}

/* Called with the raw request target before libmicrohttpd decodes it (the only place it can be
 * seen): creates the request, which on_request receives as *con_cls and on_completed frees. */
/* 1 when the client has closed its side of the connection (or it broke): a read whose client has gone
 * is dropped unanswered. Why: a thread of the pool blocks in its handler while its other connections
 * wait, so when a client with 64 requests in flight leaves (wrk at the end of a run, a browser closing a
 * tab), each thread used to run every abandoned request before it noticed the closed sockets, holding
 * their connection slots (and the per-address count) in CLOSE_WAIT all that time; new connections were
 * then refused ("Server reached connection limit", docs/benchmarks.md). Writes are still run: a client
 * may half-close after sending, and a write it sent is done whether or not it reads the answer. */
static int client_gone(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	if (!ci)
		return 0;
	struct pollfd p = {.fd = ci->connect_fd, .events = POLLRDHUP};
	return poll(&p, 1, 0) == 1 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR));
}

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
	yj_listener *l = cls;
	yj_server *srv = l->srv;
	yj_req *r = yj_calloc(1, sizeof *r);
	r->srv = srv;
	r->conn = conn;
	r->lookup = mhd_lookup;
	r->t0 = yj_mono_ns();
	r->bad_target = yj_target_refused(uri);
	r->body_fd = -1;
	r->operator = l->operator;
	client_addr(conn, r->addr, sizeof r->addr);
	atomic_fetch_add(&srv->in_flight, 1);
	return r;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
				  const char *version, const char *upload_data, size_t *upload_data_size,
				  void **con_cls)
{
	yj_listener *l = cls;
	yj_server *srv = l->srv;
	yj_req *r = *con_cls;

	if (!r) /* a daemon started without MHD_OPTION_URI_LOG_CALLBACK: the target is already decoded */
		*con_cls = r = on_uri(cls, url, conn);
	if (!r->method) {
		r->method = method;
		r->path = yj_strdup(url);
		/* Headers are parsed by now: the client's address behind a trusted proxy, and 414/431. */
		proxied_addr(srv, conn, r->addr, sizeof r->addr);
		if (refuse_oversize(r))
			return send_reply(conn, r);
		/* A route that streams its body to a file is checked now, before its body is read. */
		if (yj_stream_begin(r))
			return send_reply(conn, r);
		if (r->streaming)
			return MHD_YES;
		/* Refuse an oversized body before reading it, when its length is announced. */
		const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
		if (cl && strtoull(cl, NULL, 10) > srv->cfg.max_body) {
			r->body_too_large = 1;
			yj_dispatch(r);
			return send_reply(conn, r);
		}
		return MHD_YES;
	}
	if (*upload_data_size && r->streaming) {
		if (yj_stream_write(r, upload_data, *upload_data_size) < 0)
			return MHD_NO; /* over the limit or the disk is full: stop reading, close */
		*upload_data_size = 0;
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
	if (r->queued == YJ_Q_ANSWERED) /* back from a worker (resumed) */
		return send_reply(conn, r);
	if (r->queued == YJ_Q_DROPPED)
		return MHD_NO; /* close it: nobody reads the answer */
	if (r->replied || r->queued == YJ_Q_WAITING)
		return MHD_YES;
	if (r->operator) {
		yj_operator_dispatch(r);
		return send_reply(conn, r);
	}
	/* --dispatch queue: the complete request waits its turn in one FIFO for all connections. */
	if (srv->q) {
		r->queued = YJ_Q_WAITING;
		if (yj_workq_push(srv->q, r) == YJ_OK)
			return MHD_YES;
		r->queued = YJ_Q_NONE; /* stopping: run it here */
	}
	uint64_t t = yj_mono_ns();
	yj_serve_queued(r);
	yj_busy_add(srv, yj_mono_ns() - t);
	if (r->queued == YJ_Q_DROPPED)
		return MHD_NO;
	return send_reply(conn, r);
}

void yj_serve_queued(yj_req *r)
{
	if ((!strcmp(r->method, "GET") || !strcmp(r->method, "HEAD")) && client_gone(r->conn)) {
		atomic_fetch_add(&r->srv->abandoned, 1);
		r->queued = YJ_Q_DROPPED;
		return;
	}
	yj_dispatch(r);
	r->queued = YJ_Q_ANSWERED;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	yj_server *srv = ((yj_listener *)cls)->srv;
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
	if (!srv->cfg.max_upload)
		srv->cfg.max_upload = (int64_t)64 << 30;
	if (!srv->cfg.threads) {
		long cores = sysconf(_SC_NPROCESSORS_ONLN);
		/* Handlers block on the store, so more threads than cores. */
		srv->cfg.threads = (unsigned)(cores * 4 > 8 ? cores * 4 : 8);
	}
	if (!srv->cfg.pollers)
		srv->cfg.pollers = 1;
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
	srv->main_l = (yj_listener){srv, 0};
	srv->op_l = (yj_listener){srv, 1};
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

/* Why the main listener could not start, in words an operator can act on: a bind of our own on the
 * same address gives the reason libmicrohttpd does not return. Without reuse_port (the default)
 * SO_REUSEADDR is all MHD sets, so a port another listener holds fails the bind: a second `yijian
 * serve` on a taken port stops with this message instead of silently sharing its connections. */
static char *listen_error(const struct sockaddr_in *sa, const char *listen, int reuse_port)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0), e = 0, one = 1;
	if (fd >= 0) {
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
		if (reuse_port)
			setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
		if (bind(fd, (const struct sockaddr *)sa, sizeof *sa) < 0)
			e = errno;
		close(fd);
	}
	if (e == EADDRINUSE)
		return yj_asprintf("cannot listen on %s: the port is in use (another yijian serve or program listens "
				   "on it). Choose another --listen, or pass --reuse-port to every process that should share "
				   "it on purpose",
				   listen);
	if (e == EACCES)
		return yj_asprintf("cannot listen on %s: not permitted (ports below 1024 need privileges)", listen);
	if (e == EADDRNOTAVAIL)
		return yj_asprintf("cannot listen on %s: the address is not one of this machine's", listen);
	return yj_asprintf("cannot listen on %s (port in use or not permitted)", listen);
}

/* The operator listener: a daemon of its own (its own threads and connection slots), so /healthz and
 * /metrics answer while the main listener is saturated by slow or idle clients. Small on purpose:
 * it serves two cheap routes to monitoring, never the public. Never SO_REUSEPORT, even with
 * --reuse-port: a port already taken (another process's main listener, or our own) must fail the
 * bind, not quietly share its connections with it. */
static int start_operator(yj_server *srv, char **err)
{
	struct sockaddr_in sa;
	const char *listen = srv->cfg.operator_listen;
	if (!listen || !*listen)
		return YJ_OK;
	if (parse_listen(listen, &sa) < 0) {
		*err = yj_asprintf("cannot parse operator listen address '%s' (expected HOST:PORT)", listen);
		return YJ_ERR;
	}
	srv->op_d = MHD_start_daemon(
		MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_USE_ERROR_LOG, 0, NULL, NULL, on_request,
		&srv->op_l, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa, MHD_OPTION_THREAD_POOL_SIZE, 2u,
		MHD_OPTION_CONNECTION_LIMIT, 64u, MHD_OPTION_CONNECTION_TIMEOUT, 10u, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
		(size_t)(16u << 10), MHD_OPTION_NOTIFY_COMPLETED, on_completed, &srv->op_l, MHD_OPTION_END);
	if (srv->op_d)
		return YJ_OK;
	if (srv->cfg.operator_optional) {
		yj_log(YJ_LOG_WARN, "serve.operator_off", "\"listen\":\"%s\",\"reason\":\"cannot listen\"", listen);
		return YJ_OK;
	}
	*err = yj_asprintf("cannot listen on %s for the operator listener (port in use or not permitted)", listen);
	return YJ_ERR;
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
	/* MHD_OPTION_PER_IP_CONNECTION_LIMIT: a connection beyond the limit from one address is
	 * accepted and closed at once, so one client cannot hold every connection slot.
	 * MHD_OPTION_LISTENING_ADDRESS_REUSE is passed only for --reuse-port: present with 0 it means
	 * "disallow" to MHD, which then sets no SO_REUSEADDR either, and a restart right after a kill
	 * fails on the old connections' TIME_WAIT. Absent, MHD sets SO_REUSEADDR alone, which still
	 * refuses a port another listener holds. */
	struct MHD_OptionItem reuse[] = {{MHD_OPTION_LISTENING_ADDRESS_REUSE, 1, NULL}, {MHD_OPTION_END, 0, NULL}};
	/* --dispatch queue (the default): one polling thread reads every connection and hands each complete
	 * request to the FIFO the workers serve, so a request waits only for those that arrived before it.
	 * Inline: each of the pool's threads owns the connections it accepted and runs their handlers one
	 * after another, so a request waits behind its thread's others while other threads may be idle
	 * (docs/benchmarks.md, "Arrival order"). The queue exists before the daemon: its threads read srv->q. */
	unsigned pollers = srv->cfg.threads;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_USE_ERROR_LOG;
	if (!srv->cfg.dispatch_inline) {
		srv->q = yj_workq_start(srv, srv->cfg.threads);
		if (!srv->q) {
			*err = yj_asprintf("cannot start %u worker threads", srv->cfg.threads);
			return YJ_ERR;
		}
		pollers = srv->cfg.pollers;
		flags |= MHD_ALLOW_SUSPEND_RESUME;
	}
	/* A pool of one is no pool, and libmicrohttpd warns when told one: the option goes only with more. */
	struct MHD_OptionItem pool[] = {{MHD_OPTION_THREAD_POOL_SIZE, (intptr_t)pollers, NULL}, {MHD_OPTION_END, 0, NULL}};
	srv->d = MHD_start_daemon(
		flags, 0, NULL, NULL, on_request,
		&srv->main_l, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa, MHD_OPTION_ARRAY, pollers > 1 ? pool : pool + 1,
		MHD_OPTION_CONNECTION_LIMIT, srv->cfg.max_connections, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
		srv->cfg.per_address_connections, MHD_OPTION_CONNECTION_TIMEOUT, srv->cfg.idle_timeout,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, srv->cfg.header_memory, MHD_OPTION_NOTIFY_COMPLETED, on_completed,
		&srv->main_l, MHD_OPTION_URI_LOG_CALLBACK, on_uri, &srv->main_l, MHD_OPTION_ARRAY,
		srv->cfg.reuse_port ? reuse : reuse + 1, MHD_OPTION_END);
	if (!srv->d) {
		yj_workq_stop(srv->q);
		srv->q = NULL;
		*err = listen_error(&sa, srv->cfg.listen, srv->cfg.reuse_port);
		return YJ_ERR;
	}
	if (start_operator(srv, err) < 0) {
		MHD_stop_daemon(srv->d);
		srv->d = NULL;
		yj_workq_stop(srv->q);
		srv->q = NULL;
		return YJ_ERR;
	}
	return YJ_OK;
}

const char *yj_server_operator(const yj_server *srv)
{
	return srv->op_d ? srv->cfg.operator_listen : NULL;
}

/* Waits (at most 3 s) until no request is in flight: on_completed counts each down once its answer is sent. */
static void wait_in_flight(yj_server *srv)
{
	for (int i = 0; i < 300 && atomic_load(&srv->in_flight) > 0; i++)
		usleep(10000);
}

void yj_server_stop(yj_server *srv)
{
	if (!srv->d)
		return;
	/* Stop accepting, then let in-flight requests finish (bounded) before tearing down. */
	MHD_quiesce_daemon(srv->d);
	if (srv->op_d)
		MHD_quiesce_daemon(srv->op_d);
	wait_in_flight(srv);
	/* The workers run what is still queued and resume those connections (MHD_stop_daemon refuses to stop
	 * with a connection suspended); a request completed after this runs in the polling thread. srv->q
	 * stays set until the daemon is gone: its thread may still be pushing (and is refused). */
	if (srv->q)
		yj_workq_stop_workers(srv->q);
	/* and the polling thread writes their answers: MHD_stop_daemon closes a connection whose answer is
	 * still unsent, so a request the workers ran after the wait above, on a loaded machine, was done but
	 * never answered. */
	wait_in_flight(srv);
	MHD_stop_daemon(srv->d);
	srv->d = NULL;
	if (srv->op_d)
		MHD_stop_daemon(srv->op_d);
	srv->op_d = NULL;
	yj_workq_stop(srv->q); /* after every daemon: /metrics reads it */
	srv->q = NULL;
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
	free(srv->prefixes);
	yj_server_set_read_view(srv, NULL, 0);
	free(srv);
}

void yj_server_set_prefixes(yj_server *srv, const yj_path_prefix *const *prefixes, size_t n)
{
	free(srv->prefixes);
	srv->prefixes = n ? yj_malloc(n * sizeof *srv->prefixes) : NULL;
	for (size_t i = 0; i < n; i++)
		srv->prefixes[i] = prefixes[i];
	srv->nprefixes = n;
}

const yj_path_prefix *yj_server_prefix_of(const yj_server *srv, const char *path)
{
	const yj_path_prefix *best = NULL;
	size_t best_len = 0;
	for (size_t i = 0; srv && path && i < srv->nprefixes; i++) {
		size_t n = strlen(srv->prefixes[i]->prefix);
		if (n > best_len && strncmp(path, srv->prefixes[i]->prefix, n) == 0) {
			best = srv->prefixes[i];
			best_len = n;
		}
	}
	return best;
}

const yj_route *const *yj_server_routes(const yj_server *srv, size_t *ntables)
{
	*ntables = srv->ntables;
	return srv->tables;
}
