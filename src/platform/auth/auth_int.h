/* auth_int.h — shared by the files of platform/auth: token helpers and the SQL layer. */
#ifndef YJ_AUTH_INT_H
#define YJ_AUTH_INT_H

#include "auth.h"

#define TOKEN_BYTES 32
#define SESSION_TTL_MS (12LL * 3600 * 1000)

/* A random token as base64url text with prefix (e.g. "yjt_"), and the hex SHA-256 under which it is stored. */
void auth_random_token(const char *prefix, char *out, size_t cap);
void auth_token_hash(const char *token, char hex[65]);

/* A user row as read for sign-in or for the API. */
typedef struct auth_user {
	int64_t id;
	char username[64];
	char display_name[128];
	char password_hash[128];
	char role[32];
	char region_code[16];
	char region_name[64];
	char department[32];
	char remit[256];
	int disabled;
	int64_t password_version; /* bumped by every password change */
	int must_change;	  /* set by an administrator's reset: change it before anything else */
} auth_user;

/* The limits in force in this process (yj_auth_set_signin_limits). */
extern yj_signin_limits auth_limits;

/* auth_store.c. Each returns ST_OK, ST_NOTFOUND or a failure. */
int auth_user_by_name(store_conn *c, const char *username, auth_user *u);
int auth_session_lookup(store_conn *c, const char *token_hash, int64_t now, auth_user *u, int64_t *session_id,
			char csrf[65], int64_t *expires);
/* A live token: not expired, not revoked, no ancestor revoked, issued under the user's current password.
 * *token_id is its id. */
int auth_token_lookup(store_conn *c, const char *token_hash, int64_t now, auth_user *u, int *write,
		      int64_t *token_id, int64_t *expires);
/* The cache epochs (cache_epochs, migration 0013): read the credential and reference-data epochs, or raise
 * the credential epoch inside the transaction of any change that ends or alters a session, token or user,
 * so every process's cache looks them up again. */
int auth_epoch_read(store_conn *c, int64_t *cred, int64_t *ref);
int auth_epoch_bump(store_conn *c);

/* auth_cache.c: what a credential resolves to, per process (plain values; nothing to free). */
typedef struct auth_cred {
	auth_user u;
	int64_t id;	 /* session or token id */
	char csrf[65];	 /* sessions */
	int write;	 /* tokens: the write scope */
	int64_t expires; /* epoch ms; an expired entry is a miss */
} auth_cred;
enum { AUTH_CRED_SESSION = 1, AUTH_CRED_TOKEN = 2 };
/* The epochs from a read that began after the call: ST_OK or a failure (then use no cache). */
int auth_cache_epoch(store_conn *c, int64_t *epoch, int64_t *ref);
int auth_cache_enabled(void);
/* For provisional authentication: 1 and *out, *epoch, *ref when hash is cached under the latest epochs
 * this process has read and unexpired (no read here; the handler's statement confirms it). */
int auth_cache_peek(const char *hash, int kind, int64_t now, auth_cred *out, int64_t *epoch, int64_t *ref);
/* Notes epochs read elsewhere (a handler's statement) as the latest seen. */
void auth_cache_seen(int64_t epoch, int64_t ref);
/* Notes the reference-data epoch read for r (NULL: none), for yj_ref_epoch. */
void auth_cache_note(const yj_req *r, int64_t ref);
/* 1 and *out filled when hash (the credential's SHA-256 hex) is cached under exactly these epochs and
 * unexpired. */
int auth_cache_get(const char *hash, int kind, int64_t epoch, int64_t ref, int64_t now, auth_cred *out);
/* Caches a credential looked up after the epochs were read. */
void auth_cache_put(const char *hash, int kind, int64_t epoch, int64_t ref, const auth_cred *cred);
/* Creates a token for username. from is the caller (NULL for the CLI): a token created by a token
 * becomes its child (it dies with it and expires no later); one created in a session or by the
 * CLI is issued under the password version of that session or of the user. Returns the token
 * (caller frees) or NULL with *err (English, caller frees) and *rc (ST_NOTFOUND when the user, or
 * the caller's session or token, is gone). */
char *auth_token_create(store *s, const yj_principal *from, const char *username, const char *name, int days,
			const char *scopes, const char *actor, int *rc, char **err);

/* Recent sign-in failures, counted for throttling. oldest_* is the first failure inside each window
 * (0 when none), for Retry-After. */
typedef struct auth_failure_counts {
	int64_t pair, address, account;
	int64_t oldest_pair, oldest_address, oldest_account;
} auth_failure_counts;
int auth_failures(store_conn *c, const char *username, const char *addr, int64_t now, auth_failure_counts *out);
int auth_record_failure(store *s, const char *username, const char *addr);
/* Forgets username's failed sign-ins (an administrator's unlock); *cleared receives how many. */
int auth_failures_clear(store_conn *c, const char *username, int64_t *cleared);
/* 1 when the department code exists, else 0 (a failure reads as absent: a move there is refused). */
int auth_department_exists(store_conn *c, const char *code);
/* The address as throttling counts it: IPv4 as it is, IPv6 by its /64 (a host gets a whole /64),
 * IPv4-mapped IPv6 as the IPv4. out holds at least 64 bytes. */
void auth_throttle_key(const char *addr, char *out, size_t cap);
/* The registered hook's institution lookup (auth.h, yj_subject_hooks); ST_NOTFOUND without hooks. */
int yj_subject_find(store_conn *c, const char *credit_code, int64_t *id, char region[16]);
/* Fills the principal (role bit, scope) from a user row. */
void auth_principal_from_user(const auth_user *u, yj_principal *p);
/* JSON of a user for the API (no password hash). */
json_t *auth_user_json(const auth_user *u);

#endif
