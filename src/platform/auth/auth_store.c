/* auth_store.c — the SQL of identity: users, sessions, tokens and sign-in failures. Sessions and
 * tokens are looked up by the SHA-256 of their secret, so a copy of the database cannot sign in. */
#define _POSIX_C_SOURCE 200809L
#include "auth_int.h"
#include "../audit/audit.h"
#include "../../base/id.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Callers append their own columns after these 12 (indices 12 on). */
#define USER_COLS                                                                                              \
	"u.id, u.username, u.display_name, u.password_hash, u.role, u.region_code, r.name, u.department, " \
	"d.remit, u.disabled, u.password_version, u.must_change_password"
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
	u->password_version = store_col_int64(st, 10);
	u->must_change = (int)store_col_int64(st, 11);
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
			char csrf[65], int64_t *expires)
{
	/* A session begun under an older password is dead even if the password change missed deleting
	 * it (a sign-in racing the change). */
	store_stmt *st = store_prepare(c, "SELECT " USER_COLS ", s.id, s.csrf_token, s.expires_at" USER_FROM
					  " JOIN sessions s ON s.user_id = u.id"
					  " WHERE s.token_hash = ? AND s.expires_at > ? AND u.disabled = 0"
					  " AND s.password_version = u.password_version");
	if (!st)
		return ST_ERR;
	store_bind_text(st, 1, token_hash, -1);
	store_bind_int64(st, 2, now);
	int rc = store_step(st);
	if (rc == ST_ROW) {
		read_user(st, u);
		*session_id = store_col_int64(st, 12);
		copy(csrf, 65, store_col_text(st, 13));
		*expires = store_col_int64(st, 14);
		rc = ST_OK;
	} else if (rc == ST_DONE) {
		rc = ST_NOTFOUND;
	}
	store_finalize(st);
	return rc;
}

/* Whether a token or one of its ancestors (from parent up) is revoked: 1, 0, or a failure. Asked on
 * every request rather than trusting the cascade in revoke_tx, which cannot see a child whose creation
 * commits while the revocation runs. Chains are short: one level per token-made token. */
static int ancestor_revoked(store_conn *c, int64_t parent)
{
	int64_t n = 0;
	store_stmt *st = store_prepare(c, "WITH RECURSIVE chain(id, parent_id, revoked_at) AS ("
					  " SELECT id, parent_id, revoked_at FROM api_tokens WHERE id = ?"
					  " UNION ALL SELECT t.id, t.parent_id, t.revoked_at FROM api_tokens t"
					  " JOIN chain ON t.id = chain.parent_id)"
					  " SELECT COUNT(*) FROM chain WHERE revoked_at IS NOT NULL");
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, parent);
	int rc = store_step(st);
	if (rc == ST_ROW)
		n = store_col_int64(st, 0);
	store_finalize(st);
	return rc < 0 ? rc : n > 0;
}

int auth_token_lookup(store_conn *c, const char *token_hash, int64_t now, auth_user *u, int *write,
		      int64_t *token_id, int64_t *expires)
{
	store_stmt *st = store_prepare(c, "SELECT " USER_COLS ", t.scopes, t.id, t.parent_id, t.expires_at" USER_FROM
					  " JOIN api_tokens t ON t.user_id = u.id"
					  " WHERE t.token_hash = ? AND t.expires_at > ? AND t.revoked_at IS NULL"
					  " AND u.disabled = 0 AND t.password_version = u.password_version");
	if (!st)
		return ST_ERR;
	store_bind_text(st, 1, token_hash, -1);
	store_bind_int64(st, 2, now);
	int64_t parent = 0;
	int rc = store_step(st);
	if (rc == ST_ROW) {
		read_user(st, u);
		const char *scopes = store_col_text(st, 12);
		*write = scopes && strstr(scopes, "write") != NULL;
		*token_id = store_col_int64(st, 13);
		parent = store_col_is_null(st, 14) ? 0 : store_col_int64(st, 14);
		*expires = store_col_int64(st, 15);
		rc = ST_OK;
	} else if (rc == ST_DONE) {
		rc = ST_NOTFOUND;
	}
	store_finalize(st);
	if (rc == ST_OK && parent) {
		int dead = ancestor_revoked(c, parent);
		rc = dead < 0 ? dead : dead ? ST_NOTFOUND : ST_OK;
	}
	return rc;
}

int auth_epoch_read(store_conn *c, int64_t *cred, int64_t *ref)
{
	store_stmt *st = store_prepare(c, "SELECT (SELECT n FROM cache_epochs WHERE id = 1),"
					  " (SELECT n FROM cache_epochs WHERE id = 2) + (SELECT COUNT(*) FROM schema_migrations)");
	if (!st)
		return ST_ERR;
	int rc = store_step(st);
	if (rc == ST_ROW) {
		*cred = store_col_int64(st, 0);
		*ref = store_col_int64(st, 1);
		rc = ST_OK;
	} else if (rc == ST_DONE) {
		rc = ST_NOTFOUND;
	}
	store_finalize(st);
	return rc;
}

const char *yj_auth_epoch_cte(void)
{
	return "yj_epoch (cred, ref) AS (SELECT (SELECT n FROM cache_epochs WHERE id = 1), (SELECT n FROM cache_epochs"
	       " WHERE id = 2) + (SELECT COUNT(*) FROM schema_migrations))";
}

int auth_epoch_bump(store_conn *c)
{
	return store_exec(c, "UPDATE cache_epochs SET n = n + 1 WHERE id = 1");
}

/* Counts failures matching where (with ? for the given keys) since since; fills n and oldest. */
static int count_failures(store_conn *c, const char *where, const char *k1, const char *k2, int64_t since,
			  int64_t *n, int64_t *oldest)
{
	char sql[200];
	snprintf(sql, sizeof sql, "SELECT COUNT(*), COALESCE(MIN(at), 0) FROM login_failures WHERE %s AND at > ?", where);
	store_stmt *st = store_prepare(c, sql);
	if (!st)
		return ST_ERR;
	int i = 1;
	store_bind_text(st, i++, k1, -1);
	if (k2)
		store_bind_text(st, i++, k2, -1);
	store_bind_int64(st, i, since);
	int rc = store_step(st);
	if (rc == ST_ROW) {
		*n = store_col_int64(st, 0);
		*oldest = store_col_int64(st, 1);
	}
	store_finalize(st);
	return rc < 0 ? rc : ST_OK;
}

int auth_failures(store_conn *c, const char *username, const char *addr, int64_t now, auth_failure_counts *out)
{
	int64_t win = (int64_t)auth_limits.window_min * 60000, acct_win = (int64_t)auth_limits.account_window_min * 60000;
	char key[64];
	auth_throttle_key(addr, key, sizeof key);
	memset(out, 0, sizeof *out);
	int rc = count_failures(c, "username = ? AND address = ?", username, key, now - win, &out->pair,
				&out->oldest_pair);
	if (rc >= 0)
		rc = count_failures(c, "address = ?", key, NULL, now - win, &out->address, &out->oldest_address);
	if (rc >= 0)
		rc = count_failures(c, "username = ?", username, NULL, now - acct_win, &out->account, &out->oldest_account);
	return rc;
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
	char key[64];
	auth_throttle_key(f->addr, key, sizeof key);
	store_bind_text(st, 2, f->username, -1);
	store_bind_text(st, 3, key, -1);
	store_bind_int64(st, 4, yj_now_ms());
	int rc = store_step(st);
	store_finalize(st);
	if (rc < 0)
		return rc;
	/* Old failures carry no information; keep the table small. */
	st = store_prepare(c, "DELETE FROM login_failures WHERE at < ?");
	if (!st)
		return ST_ERR;
	int64_t keep = auth_limits.account_window_min > auth_limits.window_min ? auth_limits.account_window_min
										  : auth_limits.window_min;
	store_bind_int64(st, 1, yj_now_ms() - 2 * keep * 60000);
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
	if (!yj_role_find(u->role)) {
		yj_buf b = YJ_BUF_INIT;
		yj_buf_printf(&b, "unknown role '%s'; roles:", u->role);
		for (size_t i = 0; i < yj_nroles; i++)
			yj_buf_printf(&b, " %s", yj_roles[i].name);
		*err = yj_buf_detach(&b);
		return ST_ERR;
	}
	const yj_pw_refusal *weak;
	if ((weak = yj_password_weak(u->password, u->username, NULL))) {
		*err = yj_asprintf("password rejected: %s", weak->en);
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
	const char *actor;
	const auth_user *u;
	char hash[128];
	int must_change; /* an administrator's reset: the user changes it at the next sign-in */
};

/* Runs one statement binding (int64, int64) or (int64) and returns the rows it changed in *n. */
static int change(store_conn *c, const char *sql, int64_t a, int64_t b, int nbind, int64_t *n)
{
	store_stmt *st = store_prepare(c, sql);
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, a);
	if (nbind > 1)
		store_bind_int64(st, 2, b);
	int rc = store_step(st);
	*n = store_changes(st);
	store_finalize(st);
	return rc < 0 ? rc : ST_OK;
}

static int passwd_tx(store_conn *c, void *arg)
{
	struct passwd_arg *a = arg;
	int64_t now = yj_now_ms(), n = 0, sessions = 0, tokens = 0;
	/* The version bump is what ends every credential issued before, on every process at its next
	 * request; deleting the sessions and marking the tokens revoked makes the lists say so. */
	store_stmt *st = store_prepare(c, "UPDATE users SET password_hash = ?, password_version = password_version + 1,"
					  " must_change_password = ?, updated_at = ? WHERE id = ?");
	if (!st)
		return ST_ERR;
	store_bind_text(st, 1, a->hash, -1);
	store_bind_int64(st, 2, a->must_change);
	store_bind_int64(st, 3, now);
	store_bind_int64(st, 4, a->u->id);
	int rc = store_step(st);
	n = store_changes(st);
	store_finalize(st);
	if (rc < 0)
		return rc;
	if (n == 0)
		return ST_NOTFOUND;
	if ((rc = auth_epoch_bump(c)) < 0)
		return rc;
	if ((rc = change(c, "DELETE FROM sessions WHERE user_id = ?", a->u->id, 0, 1, &sessions)) < 0)
		return rc;
	if ((rc = change(c, "UPDATE api_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL", now,
			 a->u->id, 2, &tokens)) < 0)
		return rc;
	char ids[21];
	yj_id_format(a->u->id, ids);
	/* The state hashed is the fact of the change, never the hash itself. */
	json_t *state = json_pack("{s:s, s:I, s:I, s:I, s:b}", "password_changed_by", a->actor, "at", (json_int_t)now,
				  "sessions_ended", (json_int_t)sessions, "tokens_revoked", (json_int_t)tokens,
				  "must_change_password", a->must_change);
	yj_audit_event ev = {a->actor, "user.password", "user", ids, a->u->region_code, state};
	rc = yj_audit_append(c, &ev, NULL);
	json_decref(state);
	return rc;
}

static int set_password(store *s, const char *username, const char *password, const char *actor, int must_change,
			const yj_pw_refusal **refusal, char **err)
{
	static const yj_pw_refusal same = {"新密码不能与当前密码相同，请换一个", "the new password is the current one"};
	auth_user u;
	struct passwd_arg a = {actor, &u, {0}, must_change};
	const yj_pw_refusal *why = yj_password_weak(password, username, NULL);
	int rc = auth_user_by_name(store_conn_get(s), username, &u);
	if (rc == ST_NOTFOUND) {
		*err = yj_asprintf("no user '%s'", username);
		return rc;
	}
	if (rc < 0) {
		*err = yj_asprintf("cannot read user: %s", store_errmsg(store_conn_get(s)));
		return rc;
	}
	/* Only the hash is known here (an admin or the CLI sets it), so "not the current one" is a verify. */
	if (!why && yj_password_verify(u.password_hash, password))
		why = &same;
	if (why) {
		if (refusal)
			*refusal = why;
		*err = yj_asprintf("password rejected: %s", why->en);
		return YJ_PW_REFUSED;
	}
	if (yj_password_hash(password, a.hash) < 0) {
		*err = yj_strdup("cannot hash password");
		return ST_ERR;
	}
	rc = store_tx(s, passwd_tx, &a);
	if (rc == ST_NOTFOUND)
		*err = yj_asprintf("no user '%s'", username);
	else if (rc < 0)
		*err = yj_asprintf("cannot set password: %s", store_errmsg(store_conn_get(s)));
	return rc;
}

int yj_user_set_password(store *s, const char *username, const char *password, const char *actor,
			 const yj_pw_refusal **refusal, char **err)
{
	return set_password(s, username, password, actor, 0, refusal, err);
}

int yj_user_reset_password(store *s, const char *username, const char *password, const char *actor,
			   const yj_pw_refusal **refusal, char **err)
{
	return set_password(s, username, password, actor, 1, refusal, err);
}

struct token_arg {
	const yj_principal *from;
	const char *username, *name, *scopes, *actor;
	int days;
	char token[64];
};

/* The password version and expiry a new token inherits from the credential that asks for it: the
 * caller's token (which becomes its parent) or session, else the user's current version. */
static int token_origin(store_conn *c, const struct token_arg *a, const auth_user *u, int64_t *version,
			int64_t *expires)
{
	*version = u->password_version;
	if (!a->from || (!a->from->via_token && !a->from->session_id))
		return ST_OK;
	store_stmt *st = a->from->via_token
				 ? store_prepare(c, "SELECT password_version, expires_at FROM api_tokens WHERE id = ?"
						    " AND revoked_at IS NULL")
				 : store_prepare(c, "SELECT password_version, 0 FROM sessions WHERE id = ?");
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, a->from->via_token ? a->from->token_id : a->from->session_id);
	int rc = store_step(st);
	if (rc == ST_ROW) {
		*version = store_col_int64(st, 0);
		int64_t parent_expires = store_col_int64(st, 1);
		if (a->from->via_token && parent_expires < *expires)
			*expires = parent_expires; /* a child never outlives its parent */
		rc = ST_OK;
	} else if (rc == ST_DONE) {
		rc = ST_NOTFOUND; /* revoked or signed out since this request was authenticated */
	}
	store_finalize(st);
	return rc;
}

static int token_tx(store_conn *c, void *arg)
{
	struct token_arg *a = arg;
	auth_user u;
	int rc = auth_user_by_name(c, a->username, &u);
	if (rc < 0)
		return rc;
	int64_t id = yj_id_new(), now = yj_now_ms(), version = 0;
	int64_t expires = now + (int64_t)a->days * 86400000LL;
	if ((rc = token_origin(c, a, &u, &version, &expires)) < 0)
		return rc;
	char hash[65];
	auth_random_token("yjt_", a->token, sizeof a->token);
	auth_token_hash(a->token, hash);
	store_stmt *st = store_prepare(c, "INSERT INTO api_tokens (id, token_hash, user_id, name, scopes, created_at,"
					  " expires_at, password_version, parent_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, id);
	store_bind_text(st, 2, hash, -1);
	store_bind_int64(st, 3, u.id);
	store_bind_text(st, 4, a->name, -1);
	store_bind_text(st, 5, a->scopes, -1);
	store_bind_int64(st, 6, now);
	store_bind_int64(st, 7, expires);
	store_bind_int64(st, 8, version);
	if (a->from && a->from->via_token)
		store_bind_int64(st, 9, a->from->token_id);
	else
		store_bind_null(st, 9);
	rc = store_step(st);
	store_finalize(st);
	if (rc < 0)
		return rc;
	char idstr[21], parent[21] = "";
	yj_id_format(id, idstr);
	if (a->from && a->from->via_token)
		yj_id_format(a->from->token_id, parent);
	json_t *state = json_pack("{s:s, s:s, s:s, s:i, s:I}", "user", u.username, "name", a->name, "scopes", a->scopes,
				  "days", a->days, "expires_at", (json_int_t)expires);
	if (*parent)
		json_object_set_new(state, "parent", json_string(parent));
	yj_audit_event ev = {a->actor, "token.create", "api_token", idstr, u.region_code, state};
	rc = yj_audit_append(c, &ev, NULL);
	json_decref(state);
	return rc;
}

char *auth_token_create(store *s, const yj_principal *from, const char *username, const char *name, int days,
			const char *scopes, const char *actor, int *rc, char **err)
{
	struct token_arg a = {from, username, name, scopes, actor, days, {0}};
	*rc = ST_ERR;
	if (days < 1 || days > 3650) {
		*err = yj_strdup("--days must be between 1 and 3650");
		return NULL;
	}
	if (strcmp(scopes, "read") != 0 && strcmp(scopes, "read,write") != 0) {
		*err = yj_strdup("scopes must be 'read' or 'read,write'");
		return NULL;
	}
	*rc = store_tx(s, token_tx, &a);
	if (*rc == ST_NOTFOUND) {
		*err = yj_asprintf("no user '%s', or the credential asking was revoked", username);
		return NULL;
	}
	if (*rc < 0) {
		*err = yj_asprintf("cannot create token: %s", store_errmsg(store_conn_get(s)));
		return NULL;
	}
	return yj_strdup(a.token);
}

char *yj_token_create(store *s, const char *username, const char *name, int days, const char *scopes,
		      const char *actor, char **err)
{
	int rc;
	return auth_token_create(s, NULL, username, name, days, scopes, actor, &rc, err);
}

/* ---- subject binding of institution users (users.institution_id, migration 0011) ---- */

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

static void copy_col(store_stmt *st, int col, char *out, size_t cap)
{
	const char *v = store_col_text(st, col);
	snprintf(out, cap, "%s", v ? v : "");
}

int yj_user_brief_get(store_conn *c, int64_t id, yj_user_brief *out)
{
	store_stmt *st = store_prepare(c, "SELECT username, display_name, role, region_code, department FROM users WHERE id = ?");
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, id);
	int rc = store_step(st);
	if (rc == ST_ROW) {
		out->id = id;
		copy_col(st, 0, out->username, sizeof out->username);
		copy_col(st, 1, out->display_name, sizeof out->display_name);
		copy_col(st, 2, out->role, sizeof out->role);
		copy_col(st, 3, out->region_code, sizeof out->region_code);
		copy_col(st, 4, out->department, sizeof out->department);
	}
	store_finalize(st);
	return rc == ST_ROW ? ST_OK : rc == ST_DONE ? ST_NOTFOUND : rc;
}

int yj_user_id_by_username(store_conn *c, const char *username, int64_t *id)
{
	store_stmt *st = store_prepare(c, "SELECT id FROM users WHERE username = ?");
	if (!st)
		return ST_ERR;
	store_bind_text(st, 1, username, -1);
	int rc = store_step(st);
	if (rc == ST_ROW)
		*id = store_col_int64(st, 0);
	store_finalize(st);
	return rc == ST_ROW ? ST_OK : rc == ST_DONE ? ST_NOTFOUND : rc;
}

int yj_user_names(store_conn *c, const int64_t *ids, size_t n, int enabled_only, json_t *names)
{
	return yj_q_names_by_id(c, enabled_only ? "SELECT id, display_name FROM users WHERE disabled = 0 AND id IN ("
						: "SELECT id, display_name FROM users WHERE id IN (",
				ids, n, names);
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
	if (rc < 0 || (rc = auth_epoch_bump(c)) < 0)
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

int auth_failures_clear(store_conn *c, const char *username, int64_t *cleared)
{
	store_stmt *st = store_prepare(c, "DELETE FROM login_failures WHERE username = ?");
	if (!st)
		return ST_ERR;
	store_bind_text(st, 1, username, -1);
	int rc = store_step(st);
	*cleared = store_changes(st);
	store_finalize(st);
	return rc < 0 ? rc : ST_OK;
}

int auth_department_exists(store_conn *c, const char *code)
{
	store_stmt *st = store_prepare(c, "SELECT 1 FROM departments WHERE code = ?");
	if (!st)
		return 0;
	store_bind_text(st, 1, code, -1);
	int found = store_step(st) == ST_ROW;
	store_finalize(st);
	return found;
}
