/* auth.h — identity: roles, argon2id passwords, users, browser sessions (cookie + CSRF token),
 * bearer tokens for systems, and throttling of failed sign-ins. The server's authenticate hook and
 * the session, user and token routes are defined here; scope (territory and remit) is in scope.h. */
#ifndef YJ_AUTH_H
#define YJ_AUTH_H

#include "../http/http.h"
#include "../store/store.h"

/* Roles: code name (API, CLI), bit (route tables), Chinese label (console). */
typedef struct yj_role_info {
	const char *name;
	unsigned bit;
	const char *label;
} yj_role_info;
extern const yj_role_info yj_roles[];
extern const size_t yj_nroles;
/* Returns the role's info or NULL for an unknown name. */
const yj_role_info *yj_role_find(const char *name);

/* argon2id via libsodium. out must hold crypto_pwhash_STRBYTES (128) bytes. */
int yj_password_hash(const char *password, char out[128]);
int yj_password_verify(const char *hash, const char *password);
/* Why a new password is refused: a Chinese reason for people (API errors[], console) and an English one
 * for the CLI. Both static. */
typedef struct yj_pw_refusal {
	const char *zh;
	const char *en;
} yj_pw_refusal;
/* The rules for a new password: 8–128 characters (Unicode code points), not the user name or built on
 * it, not the current password (old_password, when the caller knows it; NULL otherwise), not in
 * cracklib's dictionary of common words and passwords nor in yijian's short list of common Chinese
 * ones, not a palindrome, a run or too few different characters (libpwquality with cracklib, both
 * Debian packages). Returns NULL when acceptable, else the reason. Thread-safe (cracklib is not: a
 * mutex serialises it). A missing cracklib dictionary refuses every password rather than skip the check. */
const yj_pw_refusal *yj_password_weak(const char *password, const char *username, const char *old_password);

/* A user as created by the CLI or the API. */
typedef struct yj_user_new {
	const char *username;
	const char *display_name; /* defaults to username */
	const char *password;
	const char *role;
	const char *region_code;
	const char *department;
	const char *institution_code; /* role institution: credit code of the institution it is bound to, or NULL */
} yj_user_new;

/* yj_user_create and yj_user_bind_institution: the institution code names no institution, lies outside
 * the user's territory, or the role is not institution (*err says which). */
#define YJ_USER_BAD_INSTITUTION (-50)

/* Creates a user inside its own transaction, with an audit leaf by actor. Returns ST_OK and *id,
 * ST_CONFLICT when the username exists, ST_NOTFOUND when the region or department is unknown, or a
 * failure. *err (caller frees) explains failures in English for the CLI. */
int yj_user_create(store *s, const yj_user_new *u, const char *actor, int64_t *id, char **err);
/* Inside a write transaction: binds user_id (of role, territory region) to the institution with this
 * credit code ("" unbinds) and records an audit leaf by actor. Returns ST_OK, YJ_USER_BAD_INSTITUTION
 * with *err (caller frees; Chinese, for the API and CLI) or a failure. *institution_id gets the id (0
 * when unbound). */
int yj_user_bind_institution(store_conn *c, int64_t user_id, const char *role, const char *region, const char *code,
			     const char *actor, int64_t *institution_id, char **err);
/* The institution a user is bound to (0: none). ST_OK or a failure. */
int yj_user_institution(store_conn *c, int64_t user_id, int64_t *institution_id);
/* Display names of the users ids[0..n) into names (an object: decimal id → name, added to what it
 * holds; unknown ids left out, and disabled users too when enabled_only), for capabilities that show
 * who did what, or check who may still act, without reading the users table. One statement per 500
 * ids. ST_OK or a failure. */
int yj_user_names(store_conn *c, const int64_t *ids, size_t n, int enabled_only, json_t *names);

/* What other modules may read of a user (they never query users in SQL): ids, names, role and territory. */
typedef struct yj_user_brief {
	int64_t id;
	char username[128];
	char display_name[256];
	char role[32];
	char region_code[16];
	char department[32];
} yj_user_brief;
/* One user by id: ST_OK, ST_NOTFOUND or a failure. */
int yj_user_brief_get(store_conn *c, int64_t id, yj_user_brief *out);
/* A user's id by username: ST_OK, ST_NOTFOUND or a failure. */
int yj_user_id_by_username(store_conn *c, const char *username, int64_t *id);

/* Subject binding (主体绑定): the roles below see a set of subjects (institutions), not a territory's
 * whole registry. The capability that owns subjects (the registry) registers these hooks at start-up,
 * so platform reads none of its tables; without them those roles see nothing of scoped tables. */
#define YJ_SUBJECT_ROLES (ROLE_INSTITUTION | ROLE_GRID_MEMBER)
typedef struct yj_subject_hooks {
	/* Fills sc->subjects and sc->nsubjects for user_id of role_bit, bound to institution_id (0: none):
	 * the institution itself for ROLE_INSTITUTION, the subjects of the user's grids for
	 * ROLE_GRID_MEMBER. Returns ST_OK or a failure. */
	int (*fill)(store_conn *c, int64_t user_id, unsigned role_bit, int64_t institution_id, yj_scope *sc);
	/* The id and region code of the institution with this unified social credit code; ST_NOTFOUND
	 * when there is none. */
	int (*find)(store_conn *c, const char *credit_code, int64_t *id, char region[16]);
} yj_subject_hooks;
/* Registers the hooks (the pointer is kept; static storage). Call once at start, before request threads. */
void yj_subject_hooks_set(const yj_subject_hooks *h);

/* The reference-data epoch (regions, departments; migration 0013 cache_epochs) read while authenticating
 * r, in a read that began after r arrived: 1 and *epoch set, or 0 (none read, or caching is off). A
 * handler may answer r from its own cache of reference data built under exactly this epoch. */
int yj_ref_epoch(const yj_req *r, int64_t *epoch);
/* The same epoch read inside the caller's transaction on c, for writes whose request read none (the
 * public door has no credential) and which may share a transaction (store_tx_group): read once per
 * transaction, the later calls on this thread in the same transaction answered from a memo. Every
 * member's request arrived before its group's transaction began, so the read began after each arrived.
 * 1 and *epoch set; 0 when caching is off (read the reference data itself); or a failure (the
 * transaction is lost). */
int yj_ref_epoch_tx(store_conn *c, int64_t *epoch);
/* ---- provisional authentication (docs/security.md, "Credentials are cached per process") ----
 * A GET route with ROLE_CONFIRMS_AUTH (http.h) is authenticated from this process's cache without
 * the credential-epoch read before its handler; the handler reads the epochs in its own first
 * statement, which began after the request arrived, and confirms with them before it writes a leaf
 * or answers. Until then the request is unconfirmed: its leaves are refused (yj_audit_hold) and any
 * reply is held by the server (dispatch.c), which confirms a request left unconfirmed with the
 * ordinary epoch read after its handler. A cache miss is authenticated the ordinary way, confirmed
 * from the start. */
typedef struct yj_auth_epochs {
	int64_t cred, ref; /* cache_epochs' row 1, and row 2 plus the applied migrations */
	int read;	   /* 1 when the statement produced them */
} yj_auth_epochs;
/* The common table expression that reads the epochs, "yj_epoch (cred, ref) AS (SELECT …)" (static
 * text), for the first statement of such a handler — after WITH, or after another expression and a
 * comma — so that its SQL names no platform table; select `cred` and `ref` from yj_epoch. */
const char *yj_auth_epoch_cte(void);
/* 1 when r's principal is confirmed: it was never provisional, or ep (read in a statement on the
 * primary that began after r arrived; NULL or !ep->read: read here, the ordinary way) shows the
 * epochs its credential was cached under, so no credential changed since. 0 when the epochs moved:
 * the handler must return at once, using nothing it read and answering nothing; the server then
 * authenticates r afresh from the database (401 when the credential is gone) and runs the handler
 * again. Call it before the first leaf or reply. */
int yj_auth_confirm(yj_req *r, const yj_auth_epochs *ep);
/* Turns on this process's credential and reference-data caches (auth_cache.c) unless YJ_AUTH_CACHE=off.
 * `serve` calls it: the caches hold one database's values, so an in-process test that opens several
 * databases leaves them off. */
void yj_auth_cache_start(void);
/* Marks sc subject-bound and fills it for the principal p (a no-op for other roles). ST_OK or a failure. */
int yj_subject_bind(store_conn *c, const yj_principal *p, yj_scope *sc);

/* Sets a user's password (CLI `user passwd`, the console's password change); same conventions, and
 * YJ_PW_REFUSED with *refusal set (static; refusal may be NULL) when the password is too weak or is the
 * current one. A new password ends every session of the user and revokes every one of their tokens,
 * in the same transaction: a credential issued under the old password is refused from then on by every
 * process (users.password_version; nothing is cached). */
#define YJ_PW_REFUSED (-10) /* beside the store's ST_* failures */
int yj_user_set_password(store *s, const char *username, const char *password, const char *actor,
			 const yj_pw_refusal **refusal, char **err);
/* The same, by an administrator for a user who forgot theirs: the user must change it at the next
 * sign-in (users.must_change_password; until then their session may only read itself, change the
 * password and sign out). yj_user_set_password clears the mark. */
int yj_user_reset_password(store *s, const char *username, const char *password, const char *actor,
			   const yj_pw_refusal **refusal, char **err);

/* Creates a bearer token for a user; returns the token (caller frees; shown once, stored hashed) or
 * NULL with *err. scopes is "read" or "read,write". For the CLI: the token has no parent. */
char *yj_token_create(store *s, const char *username, const char *name, int days, const char *scopes,
		      const char *actor, char **err);

/* Sign-in throttling (OWASP ASVS 4.0.3 V2.2.1), counted in the store so every process sees the same
 * failures. A sign-in is refused with 429 while any count of recent failures reaches its limit:
 * of the account from this address (pair), from this address for any account (address), or of the
 * account from every address (account: a much higher bar, so that nobody can lock another's account
 * from a few addresses). IPv6 addresses count by their /64. */
typedef struct yj_signin_limits {
	unsigned pair;	   /* per account and address in window_min (default 5) */
	unsigned address;  /* per address in window_min (default 30) */
	unsigned account;  /* per account in account_window_min (default 100) */
	unsigned window_min;	     /* minutes (default 15) */
	unsigned account_window_min; /* minutes (default 60) */
} yj_signin_limits;
extern const yj_signin_limits yj_signin_limits_default;
/* Sets the limits for this process (serve, before the server starts); 0 fields keep the default. */
void yj_auth_set_signin_limits(const yj_signin_limits *l);

/* The hook the server calls on every request. */
extern const yj_auth_hooks yj_auth_hooks_default;

/* Routes: /api/v1/session…, /api/v1/users…, /api/v1/tokens…. */
extern const yj_route yj_session_routes[];
extern const yj_route yj_user_routes[];
extern const yj_route yj_token_routes[];

/* Cookie name of a browser session. */
#define YJ_SESSION_COOKIE "yj_session"

#endif
