/* auth_store.c — the SQL of identity: users, sessions, tokens and sign-in failures. Sessions and
 * tokens are looked up by the SHA-256 of their secret, so a copy of the database cannot sign in. */
#define _POSIX_C_SOURCE 200809L
#include "auth_int.h"
#include "../audit/audit.h"
#include "../../base/id.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define USER_COLS                                                                                              \
	"u.id, u.username, u.display_name, u.password_hash, u.role, u.region_code, r.name, u.department, " \
	"d.remit, u.disabled"
#define USER_FROM " FROM users u JOIN regions r ON r.code = u.region_code JOIN departments d ON d.code = u.department"

static void copy(char *dst, size_t cap, const char *src)
{
	snprintf(dst, cap, "%s", src ? src : "");
}

static void read_user(store_stmt *st, auth_user *u)
{
	u->id = store_col_int64(st, 0);
	copy(u->username, sizeof u->username, store_col_text(st, 1));
	copy(u->display_name, sizeof u->display_name, store_col_text(st, 2));
	copy(u->password_hash, sizeof u->password_hash, store_col_text(st, 3));
	copy(u->role, sizeof u->role, store_col_text(st, 4));
	copy(u->region_code, sizeof u->region_code, store_col_text(st, 5));
	copy(u->region_name, sizeof u->region_name, store_col_text(st, 6));
	copy(u->department, sizeof u->department, store_col_text(st, 7));
	copy(u->remit, sizeof u->remit, store_col_text(st, 8));
	u->disabled = (int)store_col_int64(st, 9);
}

/* Runs a prepared statement expected to yield one user row. */
static int one_user(store_stmt *st, auth_user *u)
{
	if (!st)
		return ST_ERR;
	int rc = store_step(st);
	if (rc == ST_ROW) {
		read_user(st, u);
		rc = ST_OK;
	} else if (rc == ST_DONE) {
		rc = ST_NOTFOUND;
	}
	store_finalize(st);
	return rc;
}

int auth_user_by_name(store_conn *c, const char *username, auth_user *u)
{
	store_stmt *st = store_prepare(c, "SELECT " USER_COLS USER_FROM " WHERE u.username = ?");
	if (st)
		store_bind_text(st, 1, username, -1);
	return one_user(st, u);
}

int auth_session_lookup(store_conn *c, const char *token_hash, int64_t now, auth_user *u, int64_t *session_id,
			char csrf[65])
{
	store_stmt *st = store_prepare(c, "SELECT " USER_COLS ", s.id, s.csrf_token" USER_FROM
					  " JOIN sessions s ON s.user_id = u.id"
					  " WHERE s.token_hash = ? AND s.expires_at > ? AND u.disabled = 0");
	if (!st)
		return ST_ERR;
	store_bind_text(st, 1, token_hash, -1);
	store_bind_int64(st, 2, now);
	int rc = store_step(st);
	if (rc == ST_ROW) {
		read_user(st, u);
		*session_id = store_col_int64(st, 10);
		copy(csrf, 65, store_col_text(st, 11));
		rc = ST_OK;
	} else if (rc == ST_DONE) {
		rc = ST_NOTFOUND;
	}
	store_finalize(st);
	return rc;
}

int auth_token_lookup(store_conn *c, const char *token_hash, int64_t now, auth_user *u, int *write)
{
	store_stmt *st = store_prepare(c, "SELECT " USER_COLS ", t.scopes" USER_FROM " JOIN api_tokens t ON t.user_id = u.id"
					  " WHERE t.token_hash = ? AND t.expires_at > ? AND t.revoked_at IS NULL"
					  " AND u.disabled = 0");
	if (!st)
		return ST_ERR;
	store_bind_text(st, 1, token_hash, -1);
	store_bind_int64(st, 2, now);
	int rc = store_step(st);
	if (rc == ST_ROW) {
		read_user(st, u);
		const char *scopes = store_col_text(st, 10);
		*write = scopes && strstr(scopes, "write") != NULL;
		rc = ST_OK;
	} else if (rc == ST_DONE) {
		rc = ST_NOTFOUND;
	}
	store_finalize(st);
	return rc;
}

int auth_failures(store_conn *c, const char *username, const char *addr, int64_t now, int64_t *by_user,
		  int64_t *by_addr, int64_t *oldest)
{
	int64_t since = now - THROTTLE_WINDOW_MS;
	store_stmt *st = store_prepare(c, "SELECT COUNT(*), COALESCE(MIN(at), 0) FROM login_failures WHERE username = ? AND at > ?");
	if (!st)
		return ST_ERR;
	store_bind_text(st, 1, username, -1);
	store_bind_int64(st, 2, since);
	int rc = store_step(st);
	if (rc == ST_ROW) {
		*by_user = store_col_int64(st, 0);
		*oldest = store_col_int64(st, 1);
	}
	store_finalize(st);
	if (rc < 0)
		return rc;
	st = store_prepare(c, "SELECT COUNT(*) FROM login_failures WHERE address = ? AND at > ?");
	if (!st)
		return ST_ERR;
	store_bind_text(st, 1, addr, -1);
	store_bind_int64(st, 2, since);
	rc = store_step(st);
	if (rc == ST_ROW)
		*by_addr = store_col_int64(st, 0);
	store_finalize(st);
	return rc < 0 ? rc : ST_OK;
}

struct failure {
	const char *username, *addr;
};

static int record_failure_tx(store_conn *c, void *arg)
{
	struct failure *f = arg;
	store_stmt *st = store_prepare(c, "INSERT INTO login_failures (id, username, address, at) VALUES (?, ?, ?, ?)");
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, yj_id_new());
	store_bind_text(st, 2, f->username, -1);
	store_bind_text(st, 3, f->addr, -1);
	store_bind_int64(st, 4, yj_now_ms());
	int rc = store_step(st);
	store_finalize(st);
	if (rc < 0)
		return rc;
	/* Old failures carry no information; keep the table small. */
	st = store_prepare(c, "DELETE FROM login_failures WHERE at < ?");
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, yj_now_ms() - 2 * THROTTLE_WINDOW_MS);
	rc = store_step(st);
	store_finalize(st);
	return rc < 0 ? rc : ST_OK;
}

int auth_record_failure(store *s, const char *username, const char *addr)
{
	struct failure f = {username, addr};
	return store_tx(s, record_failure_tx, &f);
}

/* ---- users, for the CLI and the API ---- */

struct create_arg {
	const yj_user_new *u;
	const char *actor;
	char hash[128];
	int64_t id;
	int64_t institution_id;
	char *err; /* YJ_USER_BAD_INSTITUTION: why */
};

static int exists(store_conn *c, const char *sql, const char *key)
{
	int64_t n = 0;
	int rc = store_query_int64(c, sql, key, &n);
	return rc < 0 ? rc : n > 0;
}

static int create_tx(store_conn *c, void *arg)
{
	struct create_arg *a = arg;
	const yj_user_new *u = a->u;
	int rc;
	if ((rc = exists(c, "SELECT COUNT(*) FROM regions WHERE code = ?", u->region_code)) <= 0)
		return rc < 0 ? rc : ST_NOTFOUND;
	if ((rc = exists(c, "SELECT COUNT(*) FROM departments WHERE code = ?", u->department)) <= 0)
		return rc < 0 ? rc : ST_NOTFOUND;
	int64_t now = yj_now_ms();
	a->id = yj_id_new();
	store_stmt *st = store_prepare(c, "INSERT INTO users (id, username, display_name, password_hash, role, region_code,"
					  " department, disabled, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?)");
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, a->id);
	store_bind_text(st, 2, u->username, -1);
	store_bind_text(st, 3, u->display_name && *u->display_name ? u->display_name : u->username, -1);
	store_bind_text(st, 4, a->hash, -1);
	store_bind_text(st, 5, u->role, -1);
	store_bind_text(st, 6, u->region_code, -1);
	store_bind_text(st, 7, u->department, -1);
	store_bind_int64(st, 8, now);
	store_bind_int64(st, 9, now);
	rc = store_step(st);
	store_finalize(st);
	if (rc < 0)
		return rc;
	char ids[21];
	yj_id_format(a->id, ids);
	json_t *state = json_pack("{s:s, s:s, s:s, s:s, s:s}", "username", u->username, "role", u->role, "region_code",
				  u->region_code, "department", u->department, "display_name",
				  u->display_name ? u->display_name : u->username);
	yj_audit_event ev = {a->actor, "user.create", "user", ids, u->region_code, state};
	rc = yj_audit_append(c, &ev, NULL);
	json_decref(state);
	if (rc >= 0 && u->institution_code)
		rc = yj_user_bind_institution(c, a->id, u->role, u->region_code, u->institution_code, a->actor,
					      &a->institution_id, &a->err);
	return rc;
}

int yj_user_create(store *s, const yj_user_new *u, const char *actor, int64_t *id, char **err)
{
	struct create_arg a = {u, actor, {0}, 0, 0, NULL};
	const char *weak;
	if (!yj_role_find(u->role)) {
		yj_buf b = YJ_BUF_INIT;
		yj_buf_printf(&b, "unknown role '%s'; roles:", u->role);
		for (size_t i = 0; i < yj_nroles; i++)
			yj_buf_printf(&b, " %s", yj_roles[i].name);
		*err = yj_buf_detach(&b);
		return ST_ERR;
	}
	if ((weak = yj_password_weak(u->password, u->username))) {
		*err = yj_asprintf("password rejected: at least 8 characters, at most 128, not the username");
		return ST_ERR;
	}
	if (yj_password_hash(u->password, a.hash) < 0) {
		*err = yj_strdup("cannot hash password (out of memory?)");
		return ST_ERR;
	}
	int rc = store_tx(s, create_tx, &a);
	if (rc == YJ_USER_BAD_INSTITUTION)
		*err = a.err, a.err = NULL;
	else if (rc == ST_CONFLICT)
		*err = yj_asprintf("user '%s' already exists", u->username);
	else if (rc == ST_NOTFOUND)
		*err = yj_asprintf("unknown region '%s' or department '%s'", u->region_code, u->department);
	else if (rc < 0)
		*err = yj_asprintf("cannot create user: %s", store_errmsg(store_conn_get(s)));
	else if (id)
		*id = a.id;
	free(a.err);
	return rc;
}

struct passwd_arg {
	const char *username, *actor;
	char hash[128];
};

static int passwd_tx(store_conn *c, void *arg)
{
	struct passwd_arg *a = arg;
	auth_user u;
	int rc = auth_user_by_name(c, a->username, &u);
	if (rc < 0)
		return rc;
	store_stmt *st = store_prepare(c, "UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?");
	if (!st)
		return ST_ERR;
	store_bind_text(st, 1, a->hash, -1);
	store_bind_int64(st, 2, yj_now_ms());
	store_bind_int64(st, 3, u.id);
	rc = store_step(st);
	store_finalize(st);
	if (rc < 0)
		return rc;
	/* A new password ends every session of the user. */
	st = store_prepare(c, "DELETE FROM sessions WHERE user_id = ?");
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, u.id);
	rc = store_step(st);
	store_finalize(st);
	if (rc < 0)
		return rc;
	char ids[21];
	yj_id_format(u.id, ids);
	/* The state hashed is the fact of the change, never the hash itself. */
	json_t *state = json_pack("{s:s, s:I}", "password_changed_by", a->actor, "at", (json_int_t)yj_now_ms());
	yj_audit_event ev = {a->actor, "user.password", "user", ids, u.region_code, state};
	rc = yj_audit_append(c, &ev, NULL);
	json_decref(state);
	return rc;
}

int yj_user_set_password(store *s, const char *username, const char *password, const char *actor, char **err)
{
	struct passwd_arg a = {username, actor, {0}};
	if (yj_password_weak(password, username)) {
		*err = yj_strdup("password rejected: at least 8 characters, at most 128, not the username");
		return ST_ERR;
	}
	if (yj_password_hash(password, a.hash) < 0) {
		*err = yj_strdup("cannot hash password");
		return ST_ERR;
	}
	int rc = store_tx(s, passwd_tx, &a);
	if (rc == ST_NOTFOUND)
		*err = yj_asprintf("no user '%s'", username);
	else if (rc < 0)
		*err = yj_asprintf("cannot set password: %s", store_errmsg(store_conn_get(s)));
	return rc;
}

struct token_arg {
	const char *username, *name, *scopes, *actor;
	int days;
	char token[64];
};

static int token_tx(store_conn *c, void *arg)
{
	struct token_arg *a = arg;
	auth_user u;
	int rc = auth_user_by_name(c, a->username, &u);
	if (rc < 0)
		return rc;
	char hash[65];
	auth_random_token("yjt_", a->token, sizeof a->token);
	auth_token_hash(a->token, hash);
	int64_t id = yj_id_new(), now = yj_now_ms();
	store_stmt *st = store_prepare(c, "INSERT INTO api_tokens (id, token_hash, user_id, name, scopes, created_at,"
					  " expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)");
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, id);
	store_bind_text(st, 2, hash, -1);
	store_bind_int64(st, 3, u.id);
	store_bind_text(st, 4, a->name, -1);
	store_bind_text(st, 5, a->scopes, -1);
	store_bind_int64(st, 6, now);
	store_bind_int64(st, 7, now + (int64_t)a->days * 86400000LL);
	rc = store_step(st);
	store_finalize(st);
	if (rc < 0)
		return rc;
	char idstr[21];
	yj_id_format(id, idstr);
	json_t *state = json_pack("{s:s, s:s, s:s, s:i}", "user", u.username, "name", a->name, "scopes", a->scopes,
				  "days", a->days);
	yj_audit_event ev = {a->actor, "token.create", "api_token", idstr, u.region_code, state};
	rc = yj_audit_append(c, &ev, NULL);
	json_decref(state);
	return rc;
}

char *yj_token_create(store *s, const char *username, const char *name, int days, const char *scopes,
		      const char *actor, char **err)
{
	struct token_arg a = {username, name, scopes, actor, days, {0}};
	if (days < 1 || days > 3650) {
		*err = yj_strdup("--days must be between 1 and 3650");
		return NULL;
	}
	if (strcmp(scopes, "read") != 0 && strcmp(scopes, "read,write") != 0) {
		*err = yj_strdup("scopes must be 'read' or 'read,write'");
		return NULL;
	}
	int rc = store_tx(s, token_tx, &a);
	if (rc == ST_NOTFOUND) {
		*err = yj_asprintf("no user '%s'", username);
		return NULL;
	}
	if (rc < 0) {
		*err = yj_asprintf("cannot create token: %s", store_errmsg(store_conn_get(s)));
		return NULL;
	}
	return yj_strdup(a.token);
}

/* ---- subject binding of institution users (users.institution_id, migration 0009) ---- */

int yj_user_institution(store_conn *c, int64_t user_id, int64_t *institution_id)
{
	*institution_id = 0;
	store_stmt *st = store_prepare(c, "SELECT institution_id FROM users WHERE id = ?");
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, user_id);
	int rc = store_step(st);
	if (rc == ST_ROW && !store_col_is_null(st, 0))
		*institution_id = store_col_int64(st, 0);
	store_finalize(st);
	return rc < 0 ? rc : ST_OK;
}

/* Resolves code to an institution the user of role and region may be bound to. */
static int bindable(store_conn *c, const char *role, const char *region, const char *code, int64_t *id, char **err)
{
	char at[16], prefix[16];
	if (strcmp(role, "institution") != 0) {
		*err = yj_strdup("只有机构用户（institution）可以绑定医疗机构");
		return YJ_USER_BAD_INSTITUTION;
	}
	int rc = yj_subject_find(c, code, id, at);
	if (rc == ST_NOTFOUND) {
		*err = yj_strdup("主体库中没有该统一社会信用代码的医疗机构");
		return YJ_USER_BAD_INSTITUTION;
	}
	if (rc < 0)
		return rc;
	yj_region_prefix(region, prefix);
	if (strncmp(at, prefix, strlen(prefix)) != 0) {
		*err = yj_strdup("该医疗机构不在用户所属行政区划内，请核对用户的行政区划或机构代码");
		return YJ_USER_BAD_INSTITUTION;
	}
	return ST_OK;
}

int yj_user_bind_institution(store_conn *c, int64_t user_id, const char *role, const char *region, const char *code,
			     const char *actor, int64_t *institution_id, char **err)
{
	int64_t id = 0;
	int rc = *code ? bindable(c, role, region, code, &id, err) : ST_OK;
	if (rc < 0)
		return rc;
	store_stmt *st = store_prepare(c, "UPDATE users SET institution_id = ?, updated_at = ? WHERE id = ?");
	if (!st)
		return ST_ERR;
	if (id)
		store_bind_int64(st, 1, id);
	else
		store_bind_null(st, 1);
	store_bind_int64(st, 2, yj_now_ms());
	store_bind_int64(st, 3, user_id);
	rc = store_step(st);
	store_finalize(st);
	if (rc < 0)
		return rc;
	char uids[21], iids[21];
	yj_id_format(user_id, uids);
	yj_id_format(id, iids);
	json_t *state = json_pack("{s:s, s:s?}", "user_id", uids, "institution_id", id ? iids : NULL);
	yj_audit_event ev = {actor, "user.bind", "user", uids, region, state};
	rc = yj_audit_append(c, &ev, NULL);
	json_decref(state);
	*institution_id = id;
	return rc;
}
