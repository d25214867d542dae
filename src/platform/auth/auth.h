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
/* Minimum rules for a new password; returns NULL when acceptable, else a Chinese reason (static). */
const char *yj_password_weak(const char *password, const char *username);

/* A user as created by the CLI or the API. */
typedef struct yj_user_new {
	const char *username;
	const char *display_name; /* defaults to username */
	const char *password;
	const char *role;
	const char *region_code;
	const char *department;
} yj_user_new;

/* Creates a user inside its own transaction, with an audit leaf by actor. Returns ST_OK and *id,
 * ST_CONFLICT when the username exists, ST_NOTFOUND when the region or department is unknown, or a
 * failure. *err (caller frees) explains failures in English for the CLI. */
int yj_user_create(store *s, const yj_user_new *u, const char *actor, int64_t *id, char **err);
/* Sets a user's password (CLI `user passwd`); same conventions. */
int yj_user_set_password(store *s, const char *username, const char *password, const char *actor, char **err);

/* Creates a bearer token for a user; returns the token (caller frees; shown once, stored hashed) or
 * NULL with *err. scopes is "read" or "read,write". */
char *yj_token_create(store *s, const char *username, const char *name, int days, const char *scopes,
		      const char *actor, char **err);

/* The hook the server calls on every request. */
extern const yj_auth_hooks yj_auth_hooks_default;

/* Routes: /api/v1/session…, /api/v1/users…, /api/v1/tokens…. */
extern const yj_route yj_session_routes[];
extern const yj_route yj_user_routes[];
extern const yj_route yj_token_routes[];

/* Cookie name of a browser session. */
#define YJ_SESSION_COOKIE "yj_session"

#endif
