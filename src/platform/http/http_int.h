/* http_int.h — internals shared by the files of platform/http: the request and server structs.
 * Handlers use only http.h. */
#ifndef YJ_HTTP_INT_H
#define YJ_HTTP_INT_H

#include "http.h"

#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>

#define YJ_MAX_PARAMS 8
#define YJ_NSTATUS 20
#define YJ_NBUCKETS 12
#define YJ_NWAIT 12	/* queue wait histogram buckets (workq.c) */
#define YJ_MAX_BUSY 128 /* threads whose busy time /metrics shows one by one */

typedef struct route_metrics {
	_Atomic int64_t count[YJ_NSTATUS];
	_Atomic int64_t buckets[YJ_NSTATUS][YJ_NBUCKETS]; /* cumulative only at render time */
	_Atomic int64_t sum_us[YJ_NSTATUS];
} route_metrics;

typedef struct static_file {
	char *path; /* "/assets/index-abc.js" */
	char *data;
	size_t len;
	const char *type;
	int immutable; /* hashed asset names can be cached for a year */
	char *gz, *br; /* the build's precompressed copies (name.gz, name.br), or NULL */
	size_t gz_len, br_len;
	char etag[20]; /* "\"<16 hex digits of the content's BLAKE2b>\"" for revalidation */
} static_file;

/* A listening daemon's context: which server, and whether it is the operator listener. */
typedef struct yj_listener {
	yj_server *srv;
	int operator;
} yj_listener;

struct yj_server {
	yj_http_config cfg;
	store *st;
	const yj_route *const *tables;
	size_t ntables;
	const yj_route **routes; /* flattened, in table order (metrics are indexed by it) */
	size_t nroutes;
	struct route_slot *order; /* the routes in matching order (yj_route_order) */
	route_metrics *metrics;	 /* one per route, plus one for "unmatched" at index nroutes */
	yj_auth_hooks hooks;
	const char *signing_dir;
	char *public_url; /* cfg.public_url when the server made it up (http://LISTEN/) */
	struct MHD_Daemon *d;
	struct MHD_Daemon *op_d; /* the operator listener, or NULL */
	yj_listener main_l, op_l;
	static_file *files;
	size_t nfiles;
	const yj_path_prefix **prefixes; /* yj_server_set_prefixes; freed with the server */
	size_t nprefixes;
	_Atomic int64_t in_flight;
	_Atomic int64_t abandoned; /* reads dropped unanswered: their client had closed (server.c) */
	struct yj_replica *replica; /* serve --db-read (replica.c), or NULL */
	struct yj_workq *q;	    /* --dispatch queue: the FIFO the workers serve (workq.c), else NULL */
	_Atomic int64_t nbusy;	    /* threads that have run requests (slots of busy_us) */
	_Atomic int64_t busy_us[YJ_MAX_BUSY], busy_count[YJ_MAX_BUSY];
};

/* Lookup of request headers, cookies and query arguments: MHD for real requests, arrays for
 * in-process dispatch. */
typedef const char *(*yj_lookup_fn)(yj_req *r, enum MHD_ValueKind kind, const char *name);

struct yj_req {
	yj_server *srv;
	struct MHD_Connection *conn; /* NULL for in-process dispatch */
	yj_lookup_fn lookup;
	const char *const *fake_headers; /* in-process: name, value, …, NULL */
	char *fake_query;		 /* in-process: the query string, decoded in place into pairs */
	char **fake_qv;
	size_t fake_nq;
	const char *method;
	char *path;
	const yj_route *route;
	size_t route_idx;
	int nparams;
	char *pnames[YJ_MAX_PARAMS];
	char *pvalues[YJ_MAX_PARAMS];
	yj_buf body_raw;
	int body_too_large;
	int streaming;	   /* an F_FILE route: access checked from the headers, the body goes to body_fd */
	int body_fd;	   /* the spool file, -1 when none */
	char *body_path;   /* its name; NULL once taken */
	int64_t body_file_len;
	int bad_target; /* the raw request target holds a control character (yj_target_refused) */
	json_t *body;
	yj_principal who;
	int signed_in;
	int unconfirmed; /* authenticated provisionally, its credential epoch not yet read (ROLE_CONFIRMS_AUTH) */
	int auth_afresh; /* authenticated again after its epoch moved: no second deferral */
	/* the reply */
	int replied;
	int status;
	char *resp;
	size_t resp_len;
	const char *resp_type;
	int resp_fd; /* with resp_file: send this open file (resp_len bytes) instead of resp */
	int resp_file;
	char **hdrs; /* name, value pairs */
	size_t nhdrs;
	char addr[64];
	int operator; /* arrived on the operator listener */
	uint64_t t0;
	char *cursor; /* decoded ?cursor= */
	store *read_st;	 /* the read view when this request reads the replica (replica.c), else NULL */
	int64_t writes0; /* write transactions of this thread's primary connection before the handler */
	int64_t new_session; /* yj_req_session_created, else 0 */
	int queued;	     /* YJ_Q_*: where a request handed to the worker queue is */
	uint64_t t_ready;    /* when it was queued (complete) */
	struct yj_req *qnext;
};

/* Drops r's reply and its headers, as if none had been made (reply.c). */
void yj_reply_discard(yj_req *r);

/* A queued request's state. The worker sets ANSWERED or DROPPED before it resumes the connection;
 * the polling thread then sends the reply or closes. */
enum { YJ_Q_NONE, YJ_Q_WAITING, YJ_Q_ANSWERED, YJ_Q_DROPPED };

/* workq.c: serve --dispatch queue. Start spawns the workers (NULL when none could start); push
 * suspends r's connection and queues r, or returns YJ_ERR once stopping (the caller runs r itself);
 * stop lets the workers run what is queued, joins them and frees q (NULL: nothing). */
typedef struct yj_workq yj_workq;
yj_workq *yj_workq_start(yj_server *srv, unsigned workers);
int yj_workq_push(yj_workq *q, yj_req *r);
void yj_workq_stop(yj_workq *q);
/* The first half of stop: afterwards pushes are refused, and nothing is suspended by the queue. */
void yj_workq_stop_workers(yj_workq *q);
/* The threads' busy time and, in queue mode, the queue's depth and wait histogram for /metrics. */
void yj_workq_metrics(yj_server *srv, yj_buf *out);
/* Adds the time the calling thread spent running one request to its busy slot. */
void yj_busy_add(yj_server *srv, uint64_t ns);
/* server.c: runs a queued request on a worker (drops a read whose client has gone), setting
 * r->queued to YJ_Q_ANSWERED or YJ_Q_DROPPED. */
void yj_serve_queued(yj_req *r);

/* replica.c: before the handler, whether r reads the replica (sets read_st); after it, the caller's
 * write position when the handler wrote. No-ops without serve --db-read. */
void yj_replica_choose(yj_req *r);
void yj_replica_done(yj_req *r);
/* The replica's lines of /metrics (nothing without a replica). */
void yj_replica_metrics(yj_server *srv, yj_buf *out);

/* dispatch.c: at the headers of a request, before its body. When the route streams its body to a
 * file (F_FILE), checks access, query, Content-Type and the announced length, and opens the spool
 * file: 0 to read the body on, 1 when it has replied (refused). Otherwise 0 and nothing happens. */
int yj_stream_begin(yj_req *r);
/* Appends a piece of a streamed body: YJ_OK, or YJ_ERR when over max_upload or unwritable. */
int yj_stream_write(yj_req *r, const char *data, size_t n);

/* router.c. A path is matched against the routes in one fixed order in which, among patterns that
 * can match the same path, the one with a literal segment where the other has a parameter comes
 * first (leftmost difference decides): /x/new is tried before /x/{id} whatever the table's order.
 * Patterns that match the same paths with the same kinds of segments (/x/{id} and /x/{code}) would
 * leave the table's order to decide; yj_route_conflict names them, and a unit test keeps the real
 * table free of them. */
typedef struct route_slot {
	const yj_route *rt;
	size_t idx; /* into srv->routes */
	size_t lit; /* length of the pattern's literal prefix (up to the first '{'): a cheap first test */
} route_slot;
/* Builds srv->order (yj_server_free frees it) from srv->routes. */
void yj_route_order(yj_server *srv);
/* < 0 when pattern a is tried before b, > 0 after, 0 when their segments are of the same kinds. */
int yj_route_cmp(const char *a, const char *b);
/* 1 when some path matches both patterns (same number of segments; each pair of segments equal
 * literals, or at least one a parameter facing a non-empty segment). */
int yj_route_overlap(const char *a, const char *b);
/* Why route b can shadow route a (or a b): both take the same method and some path, and neither is
 * the more specific — their segment kinds are the same (/x/{id}, /x/{code}), or each has a literal
 * where the other has a parameter (/x/{a}/c, /x/b/{c}). NULL when no path is in doubt. */
const char *yj_route_conflict(const yj_route *a, const yj_route *b);
/* HEAD matches the GET route of the path (libmicrohttpd sends no body for HEAD). */
const yj_route *yj_route_match(yj_server *srv, yj_req *r, int *method_mismatch);
/* The methods of the routes matching path, as an Allow header value ("GET, HEAD, POST") into out. */
void yj_route_allow(yj_server *srv, const char *path, char *out, size_t cap);
/* 1 when a raw (still percent-encoded) request target holds a control character, raw or encoded
 * (%00–%1F, %7F): decoding would cut the path at a NUL or smuggle a line break into it. */
int yj_target_refused(const char *raw);
/* reply.c: yj_reply_problem_errors with omitted errors already counted by the caller (which kept
 * errors to YJ_MAX_ERRORS rather than build a huge array). */
int yj_reply_problem_capped(yj_req *r, int status, const char *slug, const char *title, const char *detail,
			    json_t *errors, size_t omitted);
/* validate.c: checks r->body against the route's fields, replying 400/422 on failure. */
int yj_validate_body(yj_req *r);
int yj_validate_query(yj_req *r);
/* metrics.c */
void yj_metrics_observe(yj_server *srv, size_t route_idx, int status, uint64_t dur_ns);
/* static.c */
int yj_static_load(yj_server *srv, const char *dir, char **err);
int yj_static_serve(yj_req *r);
void yj_static_free(yj_server *srv);
/* system_api.c: the operator listener's requests (/healthz, /metrics, nothing else, no sign-in). */
void yj_operator_dispatch(yj_req *r);
/* dispatch.c */
void yj_dispatch(yj_req *r);
void yj_req_cleanup(yj_req *r);

#endif
