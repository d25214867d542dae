/* http.h — the HTTP layer: a libmicrohttpd server, a router driven by a table of routes (the same
 * table generates /api/v1/openapi.json), request accessors and reply helpers. Handlers read as
 * their happy path: each reply helper sends the response and returns YJ_OK, so
 * `return yj_reply_problem(...)` ends a handler. */
#ifndef YJ_HTTP_H
#define YJ_HTTP_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "../../base/base.h"
#include "../../base/jsonw.h"
#include "../store/store.h"
#include "../store/query.h"
#include "../auth/scope.h"

typedef struct yj_req yj_req;
typedef struct yj_server yj_server;
typedef int (*yj_handler)(yj_req *r);

/* Roles as bits, so a route names who may call it. */
enum yj_role {
	ROLE_ADMIN = 1u << 0,		/* 系统管理员 */
	ROLE_INSPECTOR = 1u << 1,	/* 监督员 */
	ROLE_LEGAL_REVIEWER = 1u << 2,	/* 法制审核员 */
	ROLE_LEADER = 1u << 3,		/* 领导 */
	ROLE_LIAISON = 1u << 4,		/* 部门联络员 */
	ROLE_INSURANCE_ANALYST = 1u << 5, /* 医保分析员 */
	ROLE_INSTITUTION = 1u << 6,	/* 机构用户 */
	ROLE_GRID_MEMBER = 1u << 7,	/* 网格员 */
	ROLE_REWARD_OFFICER = 1u << 8,	/* 举报奖励专员: alone sees a rewarded reporter's identity */
};
#define ROLE_PUBLIC 0u	       /* no sign-in */
#define ROLE_ANY 0x1FFu	       /* any signed-in user */
/* Added to a GET route's roles (never a role itself): the route confirms its caller's credential in
 * its own first statement (provisional authentication, docs/security.md; auth.h, yj_auth_confirm)
 * instead of the credential-epoch read before it runs. Until confirmed, leaves are refused
 * (yj_audit_hold) and any reply is held; a request left unconfirmed is confirmed by the epoch read
 * after its handler, and when the epoch has moved its reply is dropped, it is authenticated afresh
 * and its handler runs again from the start. Only for handlers that read before they confirm. */
#define ROLE_CONFIRMS_AUTH (1u << 30)

/* Field types of a JSON request body; the same description validates requests and documents them.
 * F_RAW, alone in a route's body list, takes the body as raw bytes of the media type named by the
 * field's name ("text/csv"): only the Content-Type is checked, nothing is parsed or required to be
 * UTF-8 (an import decides its own encoding); the handler reads it with yj_body_raw.
 * F_FILE, alone likewise, streams the body to a spool file as it arrives (never into request memory),
 * up to the server's max_upload bytes instead of max_body: the route's roles, CSRF, query and
 * Content-Type are checked from the headers before a byte is read, and the handler takes the file
 * with yj_body_file_take (a file not taken is deleted with the request). */
enum yj_ftype { F_STRING, F_INT, F_BOOL, F_OBJECT, F_ARRAY, F_NUMBER, F_RAW, F_FILE };
typedef struct yj_field {
	const char *name;
	enum yj_ftype type;
	int required;
	int max_len;	  /* strings: code points; 0 = default limit (1000) */
	const char *desc; /* documentation, English */
} yj_field;

/* A query or path parameter, for documentation and for rejecting unknown query parameters. */
typedef struct yj_qparam {
	const char *name;
	const char *desc;
} yj_qparam;

typedef struct yj_route {
	const char *method;	   /* GET, POST, PUT, PATCH, DELETE */
	const char *path;	   /* "/api/v1/regions/{code}" */
	yj_handler fn;
	unsigned roles;		   /* ROLE_PUBLIC, ROLE_ANY or a mask of enum yj_role */
	const yj_field *body;	   /* request body fields, terminated by {NULL}; NULL = no body */
	const yj_qparam *query;	   /* accepted query parameters, terminated by {NULL}; NULL = none */
	const char *tag;	   /* OpenAPI tag */
	const char *summary;	   /* one line, English */
	const char *response;	   /* what a success returns, for the docs */
	int success;		   /* documented success status (200 when 0) */
} yj_route;

/* Who is calling: filled by the auth layer before the handler runs (NULL fields when public). */
typedef struct yj_principal {
	int64_t user_id;
	char username[64];
	char role[32];
	unsigned role_bit;
	char region_code[16];
	char department[32];
	int via_token;	    /* bearer token rather than session cookie */
	int token_write;    /* token carries the write scope */
	int64_t token_id;   /* bearer token id, 0 for sessions */
	int64_t session_id; /* session cookie id, 0 for tokens */
	char csrf[65];
	yj_scope scope;
} yj_principal;

/* Server configuration (cli/serve fills it from flags and the environment). */
typedef struct yj_http_config {
	const char *listen;	    /* "127.0.0.1:8080" */
	const char *web_dir;	    /* built console, or NULL */
	size_t max_body;	    /* bytes, default 8 MiB */
	unsigned threads;	    /* threads running handlers, default max(8, 4*cores): the queue's workers, or
				     * with dispatch_inline the pool threads that each poll their own connections */
	unsigned max_connections;   /* default 1024 */
	unsigned idle_timeout;	    /* seconds, default 30 */
	size_t header_memory;	    /* per-connection memory for headers, default 32 KiB */
	int secure_cookies;	    /* behind TLS: mark cookies Secure */
	const char *public_url;	    /* base URL clients reach us at, "https://host/" (serve --public-url); links in
				     * responses are built on it, never on the Host header. NULL: http://LISTEN/ */
	int64_t attachment_quota;   /* bytes of attachments one user may upload in all, default 2 GiB */
	unsigned per_address_connections; /* connections from one client address; 0 = no limit */
	const char *operator_listen; /* HOST:PORT serving only /healthz and /metrics; NULL or "" = none */
	int operator_optional;	     /* operator_listen is a default: if it cannot bind, warn and go on */
	const char *trusted_proxy;   /* peer address whose X-Real-IP names the client; NULL = none */
	int64_t max_upload;	     /* bytes of an F_FILE body, default 64 GiB */
	const char *spool_dir;	     /* where F_FILE bodies are written; default $TMPDIR or /tmp */
	int reuse_port;		     /* share the listening port with other processes (SO_REUSEPORT); default off */
	unsigned pollers;    /* --dispatch queue: threads reading connections and sending replies (default 1) */
	int dispatch_inline; /* serve --dispatch inline: each pool thread runs its own connections' handlers one
			      * after another (the old way); default 0: one polling thread hands complete requests
			      * to a FIFO served by `threads` workers, in arrival order (server.c, workq.c) */
} yj_http_config;

/* Hooks the identity layer installs, so platform/http does not depend on how sessions work.
 * authenticate fills r's principal from cookie or bearer token; returns 1 when signed in, 0 when
 * not, or a failure after having replied (for example a revoked token). */
typedef struct yj_auth_hooks {
	int (*authenticate)(yj_req *r, yj_principal *out);
	/* For a request still unconfirmed after its handler (ROLE_CONFIRMS_AUTH): 1 when the
	 * provisional principal holds (its reply is sent), 0 when it must be authenticated afresh (its
	 * reply is dropped and the handler runs again). May be NULL when authenticate never defers. */
	int (*confirm)(yj_req *r);
} yj_auth_hooks;
/* For the identity layer: whether r may be authenticated provisionally (a GET route with
 * ROLE_CONFIRMS_AUTH, not already authenticated afresh); and r's confirmation state (1 while
 * unconfirmed). */
int yj_req_may_defer_auth(const yj_req *r);
void yj_req_set_unconfirmed(yj_req *r, int on);
int yj_req_unconfirmed(const yj_req *r);

/* Creates the server over a route table (several arrays, each terminated by {NULL}).
 * The server keeps pointers to routes, config strings and the store; they must outlive it. */
yj_server *yj_server_new(const yj_http_config *cfg, store *st, const yj_route *const *tables, size_t ntables,
			 const yj_auth_hooks *hooks, const char *signing_dir);
int yj_server_start(yj_server *srv, char **err);
/* Stops accepting, finishes in-flight requests, then returns. */
void yj_server_stop(yj_server *srv);
void yj_server_free(yj_server *srv);
/* The operator listener's address when it is serving, else NULL (borrowed from the config). */
const char *yj_server_operator(const yj_server *srv);

/* Serves the GET routes' reads from a read view (store_view_open, serve --db-read) whenever the
 * replica is up, at most max_lag_ms behind the primary and past the caller's own last write
 * (replica.c; docs/operations.md, "Read replica"). Authentication and every write stay on the
 * primary. Call before yj_server_start; view must outlive the server. */
void yj_server_set_read_view(yj_server *srv, store *view, int64_t max_lag_ms);
/* Whether r reads the replica: a handler that keeps what it read in a process-wide cache keyed by an
 * epoch read on the primary must not keep it then (the replica may not have the epoch's change). */
int yj_on_replica(const yj_req *r);
/* The session r created (sign-in), whose read-your-writes then covers r's own writes. */
void yj_req_session_created(yj_req *r, int64_t session_id);

/* A path prefix a capability serves outside the console, such as a standard interface with its own
 * wire format (module.h: yj_module.prefixes). Paths under it are never console pages (the static
 * files do not answer them with index.html), and when errors is not NULL it writes every problem
 * reply there in place of problem+json: status, the Chinese title and detail (already saying how
 * many errors were left out), and errors (stolen, may be NULL: an array of at most YJ_MAX_ERRORS
 * {field, detail}). It replies (yj_reply_take) and returns YJ_OK. */
typedef int (*yj_error_writer)(yj_req *r, int status, const char *title, const char *detail, json_t *errors);
typedef struct yj_path_prefix {
	const char *prefix; /* from "/" to a "/" inclusive, e.g. "/api/" */
	yj_error_writer errors;
} yj_path_prefix;
/* The prefixes the server knows (copied: n pointers to entries that must outlive the server); a
 * request takes the longest prefix its path begins with. Call before yj_server_start. */
void yj_server_set_prefixes(yj_server *srv, const yj_path_prefix *const *prefixes, size_t n);
/* The prefix entry whose prefix is the longest that path begins with, or NULL. */
const yj_path_prefix *yj_server_prefix_of(const yj_server *srv, const char *path);

/* The route table, for openapi.c and tests. */
const yj_route *const *yj_server_routes(const yj_server *srv, size_t *ntables);

/* In-process dispatch without a socket, for unit tests and fuzzers: runs the router, auth and the
 * handler on a synthetic request and returns the status; *body receives the response (caller frees). */
int yj_server_dispatch(yj_server *srv, const char *method, const char *url, const char *const *headers,
		       const char *body, size_t body_len, char **resp_body);

/* ---- request accessors (pointers owned by the request, valid until the reply is sent) ---- */
const char *yj_method(yj_req *r);
const char *yj_path(yj_req *r);
const char *yj_param(yj_req *r, const char *name); /* path parameter */
const char *yj_query(yj_req *r, const char *name); /* query parameter or NULL */
/* Calls fn(arg, name, value) for every query argument in order, repeated names included (FHIR
 * repeats _lastUpdated); stops at the first non-zero return, which it returns. */
int yj_query_each(yj_req *r, int (*fn)(void *arg, const char *name, const char *value), void *arg);
const char *yj_header(yj_req *r, const char *name);
const char *yj_cookie(yj_req *r, const char *name);
const char *yj_client_addr(yj_req *r);
json_t *yj_body(yj_req *r);		/* validated body (borrowed) or NULL */
const char *yj_body_raw(yj_req *r, size_t *len); /* the bytes of an F_RAW route (may hold NULs) */
/* The spool file of an F_FILE route: renames it to dest (same file system as the spool directory) and
 * gives its size; the request then no longer deletes it. YJ_OK, or YJ_ERR (errno set). */
int yj_body_file_take(yj_req *r, const char *dest, int64_t *size);
const yj_principal *yj_who(yj_req *r);	/* NULL on public routes without a session */
/* The store of r's reads and writes: the read view when r reads the replica, else the primary. */
store *yj_store(yj_req *r);
/* The primary store, whichever r reads (what must see every committed change: the credential epoch). */
store *yj_store_primary(yj_req *r);
yj_server *yj_req_server(yj_req *r);
const yj_http_config *yj_config(yj_req *r);
const char *yj_signing_dir(yj_req *r);

/* ---- replies: each sends the response and returns YJ_OK ---- */
/* Steals the reference to body. */
int yj_reply_json(yj_req *r, int status, json_t *body);
int yj_reply_empty(yj_req *r, int status);
/* The body of the 200 reply already made (owned by r), or NULL when none was made, it is a file or another
 * status: for a
 * handler that keeps a copy of what it answered (a cache of reference data). */
const char *yj_reply_body(const yj_req *r, size_t *len);
/* Copies data. */
int yj_reply_data(yj_req *r, int status, const char *content_type, const void *data, size_t len);
/* Sends len bytes of the open file fd from its start, taking ownership of fd (closed after). */
int yj_reply_fd(yj_req *r, int status, const char *content_type, int fd, size_t len);
/* Takes ownership of data (freed with free()). */
int yj_reply_take(yj_req *r, int status, const char *content_type, void *data, size_t len);
/* RFC 9457 problem+json. slug names the problem type (urn:yijian:problem:<slug>); title and detail
 * are Chinese, shown to users, and must say what to do next. errors (stolen, may be NULL) is an
 * array of {field, detail}; only the first YJ_MAX_ERRORS go out, the rest are counted in
 * errors_omitted (and the detail says so). Under a path prefix with an error writer of its own
 * (yj_server_set_prefixes) the same content goes out in that prefix's format instead. */
#define YJ_MAX_ERRORS 100
int yj_reply_problem(yj_req *r, int status, const char *slug, const char *title, const char *detail);
int yj_reply_problem_errors(yj_req *r, int status, const char *slug, const char *title, const char *detail,
			    json_t *errors);
/* Common problems. */
int yj_reply_not_found(yj_req *r);
int yj_reply_store_error(yj_req *r, int rc);
/* Adds a header to the coming reply (copied). A reply without a Cache-Control header of its own
 * goes out with "Cache-Control: no-store" (API answers carry personal data and the CSRF token); a
 * route whose answer may be kept sets Cache-Control itself. */
void yj_add_header(yj_req *r, const char *name, const char *value);

/* Pagination: limit from ?limit= (default 20, 1..200) and the opaque ?cursor=. Returns YJ_OK, or
 * replies 400 and returns YJ_ERR. *cursor is NULL when absent; otherwise the decoded key
 * (owned by the request). */
int yj_page_params(yj_req *r, int *limit, const char **cursor);
/* Encodes key as the next cursor (a new string reference for JSON). */
json_t *yj_cursor_json(const char *key);
/* A row of a list as JSON (new reference), or NULL to leave the row out. */
typedef json_t *(*yj_row_fn)(store_stmt *st, void *arg);
/* Replies one page of a list: steps st (a query ending in LIMIT limit + 1), turns rows into items
 * with row(st, arg), and when a row beyond limit exists sets next_cursor to the string at key of
 * the page's last item. Finalizes st (NULL replies the store error). Answers {items, next_cursor}. */
int yj_reply_page(yj_req *r, store_stmt *st, int limit, yj_row_fn row, void *arg, const char *key);
/* The same page with rows written straight into the body (no JSON tree per row, issue 15): row
 * appends one item (a JSON object, written with the yj_jw_ functions) to out and puts the item's
 * cursor key (at most 63 bytes, NUL-terminated) in key; it returns 1 when it wrote the item, 0 to
 * leave the row out (what it appended is dropped), or a store failure (< 0), which is replied. */
typedef int (*yj_row_write_fn)(store_stmt *st, void *arg, yj_buf *out, char key[64]);
int yj_reply_page_w(yj_req *r, store_stmt *st, int limit, yj_row_write_fn row, void *arg);
/* The one row of st (a lookup by key) as row(st, arg) in *out (caller decrefs). Finalizes st (NULL is
 * ST_ERR). Returns ST_OK, ST_NOTFOUND when there is no row, or the store's failure. */
int yj_row_one(store_stmt *st, yj_row_fn row, void *arg, json_t **out);
/* Every row of st as row(st, arg) (NULL leaves a row out) in a new array *out (caller decrefs; NULL on
 * failure). Finalizes st (NULL is ST_ERR). Returns ST_OK or the store's failure. */
int yj_row_all(store_stmt *st, yj_row_fn row, void *arg, json_t **out);

/* Export of a list (every list can go to Excel): ?format=xlsx (default) or csv; ?format=count answers
 * {total}, the number of rows the export would hold (the console's 共 N 条: one count for every list,
 * with the list's own filters and scope). Each column takes the
 * value at key of a row object (strings and numbers) under a Chinese header. An export has no row
 * limit: yj_reply_export_stmt steps st (the list's own query — same filters and scope — with no
 * LIMIT), turns each row into an object with row(st, arg) and writes it to a temporary file at
 * once, then sends the file from disk, so memory holds one row whatever the size (xlsx beyond
 * Excel's 1,048,576 rows continues on further sheets). Finalizes st (NULL replies the store error).
 * yj_reply_export writes an array of row objects it already holds (stolen) the same way. */
typedef struct yj_column {
	const char *key;
	const char *header;
} yj_column;
extern const yj_qparam yj_export_format_param; /* {"format", …} for route query lists */
/* The paging parameters of a list, for a route's query list: `{…, YJ_QP_PAGE, {NULL, NULL}}`. */
#define YJ_QP_PAGE {"limit", "Page size, 1–200 (default 20)"}, {"cursor", "next_cursor of the previous page"}
int yj_reply_export_stmt(yj_req *r, const char *basename, const yj_column *cols, store_stmt *st, yj_row_fn row,
			 void *arg);
int yj_reply_export(yj_req *r, const char *basename, const yj_column *cols, json_t *rows);

/* ---- handler helpers (helpers.c): the one implementation of each; `…_or_reply` sends the reply
 * itself on failure and returns YJ_ERR, after which the handler returns YJ_OK ---- */
/* Appends {field, detail} to errors (an array, borrowed); both strings are copied. */
void yj_field_error(json_t *errors, const char *field, const char *detail);
/* A new array holding one {field, detail}, for a problem about one field. */
json_t *yj_field_errors(const char *field, const char *detail);
/* The path parameter name as an id in *id; YJ_OK, or replies 404 and returns YJ_ERR. */
int yj_path_id_or_reply(yj_req *r, const char *name, int64_t *id);
/* The opening of a list keyed by id: ?limit= as yj_page_params and ?cursor= holding an id (*after,
 * 0 when absent). YJ_OK, or replies 400 and returns YJ_ERR. */
int yj_page_id_or_reply(yj_req *r, int *limit, int64_t *after);
/* As yj_page_params, for a list that answered up to a fixed number of rows before it had pages:
 * without ?limit= a page holds up to dflt rows, so a request without paging is answered as before. */
int yj_page_params_or(yj_req *r, int dflt, int *limit, const char **cursor);
/* yj_page_id_or_reply with yj_page_params_or's default page size dflt. */
int yj_page_id_or(yj_req *r, int dflt, int *limit, int64_t *after);
/* The keyword text of a list's ?q= (yj_q_search): *text the value, NULL when absent or blank; or,
 * longer than 50 characters (the registry lists' bound), replies 400 and returns YJ_ERR. */
int yj_search_q_or_reply(yj_req *r, const char **text);
/* One page of q (consumed) in id order: adds "col > after", "ORDER BY col LIMIT limit + 1" and
 * replies as yj_reply_page with the cursor at each item's "id". */
int yj_reply_id_page(yj_req *r, yj_qb *q, const char *col, int limit, int64_t after, yj_row_fn row, void *arg);
/* The export (or ?format=count) of every row of q (consumed) in col order, as yj_reply_export_stmt:
 * the list of yj_reply_id_page without its pages, so a list and its export share their filters. */
int yj_reply_id_export(yj_req *r, yj_qb *q, const char *col, const char *basename, const yj_column *cols,
		       yj_row_fn row, void *arg);

/* The transaction with refusal. A write transaction's callback that must turn the request down
 * (invalid fields, a state that forbids the change, a stale version) fills the yj_refusal it finds
 * through its argument and returns YJ_REFUSED; everything it wrote is rolled back and the handler
 * answers with the problem. This replaces private codes and statuses smuggled through arguments. */
#define YJ_REFUSED (-100)
typedef struct yj_refusal {
	int status;	   /* HTTP status; 0 while nothing is refused */
	char slug[48];	   /* problem type, urn:yijian:problem:<slug> */
	char title[128];   /* Chinese */
	char detail[512];  /* Chinese, says what to do next */
	json_t *errors;	   /* {field, detail} array or NULL; owned by the refusal */
} yj_refusal;
/* Adds {field, detail} to f's errors (copied). */
void yj_refusal_field(yj_refusal *f, const char *field, const char *detail);
/* 1 when yj_refusal_field has added an error. */
int yj_refusal_has_fields(const yj_refusal *f);
/* Fills f (strings copied, detail printf-formatted) and returns YJ_REFUSED, so a callback ends with
 * `return yj_refuse(...)`. */
int yj_refuse(yj_refusal *f, int status, const char *slug, const char *title, const char *detail_fmt, ...)
	YJ_PRINTF(5, 6);
/* 422 validation with the field errors added so far; detail NULL = "请按字段提示修改后重新提交。" */
int yj_refuse_invalid(yj_refusal *f, const char *detail);
/* Replies f as problem+json (its errors go with the reply). */
int yj_reply_refusal(yj_req *r, yj_refusal *f);
/* Frees f's errors and empties it. */
void yj_refusal_clear(yj_refusal *f);
/* Runs fn(c, arg) in store_tx, f emptied before every attempt. Returns what fn returned (>= 0) once
 * committed; otherwise replies (the refusal, or the store failure as yj_reply_store_error) and
 * returns YJ_ERR. f is empty afterwards either way. */
int yj_tx_or_reply(yj_req *r, store_tx_fn fn, void *arg, yj_refusal *f);
/* The same through store_tx_group: concurrent requests share one commit. fn may run on another
 * worker's thread (store.h): it may use its arg — the request included, whose thread waits — but no
 * thread-local state. For small, frequent writes such as the public intake. */
int yj_tx_group_or_reply(yj_req *r, store_tx_fn fn, void *arg, yj_refusal *f);

/* JSON helpers. */
json_t *yj_json_id(int64_t id); /* ids go out as strings: they exceed 2^53 */
/* Canonical JSON (sorted keys, compact) of v, caller frees. Used for hashing state. */
char *yj_json_canonical(const json_t *v);

/* /healthz, /metrics, /api/v1/openapi.json. */
extern const yj_route yj_system_routes[];

/* Metrics and route lookup used by /metrics and /api/v1/openapi.json. */
void yj_metrics_render(yj_server *srv, yj_buf *out);
json_t *yj_openapi(const yj_route *const *tables, size_t ntables);

#endif
