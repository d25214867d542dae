/* auth_int.h — shared by the files of platform/auth: token helpers and the SQL layer. */
#ifndef YJ_AUTH_INT_H
#define YJ_AUTH_INT_H

#include "auth.h"

#define TOKEN_BYTES 32
#define SESSION_TTL_MS (12LL * 3600 * 1000)
#define THROTTLE_WINDOW_MS (15LL * 60 * 1000)
#define THROTTLE_PER_USER 5
#define THROTTLE_PER_ADDR 20

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
} auth_user;

/* auth_store.c. Each returns ST_OK, ST_NOTFOUND or a failure. */
int auth_user_by_name(store_conn *c, const char *username, auth_user *u);
int auth_session_lookup(store_conn *c, const char *token_hash, int64_t now, auth_user *u, int64_t *session_id,
			char csrf[65]);
int auth_token_lookup(store_conn *c, const char *token_hash, int64_t now, auth_user *u, int *write);
/* Sign-in failures in the throttling window, for a username and for an address. */
int auth_failures(store_conn *c, const char *username, const char *addr, int64_t now, int64_t *by_user,
		  int64_t *by_addr, int64_t *oldest);
int auth_record_failure(store *s, const char *username, const char *addr);
/* The registered hook's institution lookup (auth.h, yj_subject_hooks); ST_NOTFOUND without hooks. */
int yj_subject_find(store_conn *c, const char *credit_code, int64_t *id, char region[16]);
/* Fills the principal (role bit, scope) from a user row. */
void auth_principal_from_user(const auth_user *u, yj_principal *p);
/* JSON of a user for the API (no password hash). */
json_t *auth_user_json(const auth_user *u);

#endif
