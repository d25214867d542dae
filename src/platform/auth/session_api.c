/* session_api.c — sign-in, sign-out, the current session and password change, for the console.
 * Sign-in is throttled per account and address, per address, and (with a much higher bar) per
 * account, so that nobody can lock another person out; every session change is audited. */
#define _POSIX_C_SOURCE 200809L
#include "auth_int.h"
#include "../audit/audit.h"
#include "../../base/id.h"
#include "../../base/log.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const yj_field signin_fields[] = {
	{"username", F_STRING, 1, 64, "User name"},
	{"password", F_STRING, 1, 128, "Password"},
	{NULL, 0, 0, 0, NULL},
};

static const yj_field password_fields[] = {
	{"old_password", F_STRING, 1, 128, "Current password"},
	{"new_password", F_STRING, 1, 128,
	 "New password: 8–128 characters, not the user name or the current password, not a common password,"
	 " word or pattern (libpwquality with cracklib)"},
	{NULL, 0, 0, 0, NULL},
};

static json_t *session_json(const auth_user *u, const char *csrf)
{
	return json_pack("{s:s, s:o}", "csrf_token", csrf, "user", auth_user_json(u));
}

struct new_session {
	const auth_user *u;
	const char *addr;
	char cookie[64];
	char csrf[65];
	int64_t id; /* the new session's */
};

static int session_create_tx(store_conn *c, void *arg)
{
	struct new_session *a = arg;
	char hash[65];
	auth_random_token("", a->cookie, sizeof a->cookie);
	auth_random_token("", a->csrf, sizeof a->csrf);
	auth_token_hash(a->cookie, hash);
	int64_t id = a->id = yj_id_new(), now = yj_now_ms();
	/* Issued under the password version read before the password was checked: if the password
	 * changes meanwhile, this session is born dead. */
	store_stmt *st = store_prepare(c, "INSERT INTO sessions (id, token_hash, csrf_token, user_id, created_at, expires_at,"
					  " password_version) VALUES (?, ?, ?, ?, ?, ?, ?)");
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, id);
	store_bind_text(st, 2, hash, -1);
	store_bind_text(st, 3, a->csrf, -1);
	store_bind_int64(st, 4, a->u->id);
	store_bind_int64(st, 5, now);
	store_bind_int64(st, 6, now + SESSION_TTL_MS);
	store_bind_int64(st, 7, a->u->password_version);
	int rc = store_step(st);
	store_finalize(st);
	if (rc < 0)
		return rc;
	/* Only this address's failures are forgiven: others' attempts on the account still count. */
	char key[64];
	auth_throttle_key(a->addr, key, sizeof key);
	st = store_prepare(c, "DELETE FROM login_failures WHERE username = ? AND address = ?");
	if (!st)
		return ST_ERR;
	store_bind_text(st, 1, a->u->username, -1);
	store_bind_text(st, 2, key, -1);
	rc = store_step(st);
	store_finalize(st);
	if (rc < 0)
		return rc;
	/* Expired sessions of this user are gone for good. */
	st = store_prepare(c, "DELETE FROM sessions WHERE user_id = ? AND expires_at < ?");
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, a->u->id);
	store_bind_int64(st, 2, now);
	rc = store_step(st);
	store_finalize(st);
	if (rc < 0)
		return rc;
	char actor[21], sid[21];
	yj_id_format(a->u->id, actor);
	yj_id_format(id, sid);
	json_t *state = json_pack("{s:s, s:I}", "user", actor, "expires_at", (json_int_t)(now + SESSION_TTL_MS));
	yj_audit_event ev = {actor, "session.create", "session", sid, a->u->region_code, state};
	rc = yj_audit_append(c, &ev, NULL);
	json_decref(state);
	return rc;
}

static void set_cookie(yj_req *r, const char *value, int max_age)
{
	char c[256];
	snprintf(c, sizeof c, "%s=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%d%s", YJ_SESSION_COOKIE, value,
		 max_age, yj_config(r)->secure_cookies ? "; Secure" : "");
	yj_add_header(r, "Set-Cookie", c);
}

/* Replies 429 when one of the limits is reached (returns 1), else returns 0. */
static int throttled(yj_req *r, const auth_failure_counts *f, int64_t now)
{
	static const char *const what[] = {
		"此账号在您所在的地址登录失败次数过多，暂时不能从这里登录",
		"您所在的地址登录失败次数过多，暂时不能登录",
		"此账号近期在各处登录失败的次数过多，已暂时锁定",
	};
	static const char *const kind[] = {"pair", "address", "account"};
	const yj_signin_limits *l = &auth_limits;
	int64_t counts[] = {f->pair, f->address, f->account};
	int64_t oldest[] = {f->oldest_pair, f->oldest_address, f->oldest_account};
	unsigned limits[] = {l->pair, l->address, l->account};
	int64_t windows[] = {l->window_min * 60000LL, l->window_min * 60000LL, l->account_window_min * 60000LL};
	for (int i = 0; i < 3; i++) {
		if (counts[i] < (int64_t)limits[i])
			continue;
		/* When the first failure in the window ages out the count drops below the limit. */
		int64_t wait = oldest[i] ? (oldest[i] + windows[i] - now) / 1000 + 1 : windows[i] / 1000;
		if (wait < 1)
			wait = 1;
		char ra[24], detail[300];
		snprintf(ra, sizeof ra, "%lld", (long long)wait);
		snprintf(detail, sizeof detail, "%s，请 %lld 分钟后再试；如忘记密码，请联系管理员重置。", what[i],
			 (long long)((wait + 59) / 60));
		yj_log(YJ_LOG_WARN, "auth.signin_throttled", "\"kind\":\"%s\"", kind[i]);
		yj_add_header(r, "Retry-After", ra);
		yj_reply_problem(r, 429, "too-many-attempts", "登录尝试过多", detail);
		return 1;
	}
	return 0;
}

static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;
static char dummy_hash[128];

static void make_dummy(void)
{
	char pw[48];
	auth_random_token("", pw, sizeof pw);
	yj_password_hash(pw, dummy_hash);
}

static int signin(yj_req *r)
{
	json_t *b = yj_body(r);
	const char *username = json_string_value(json_object_get(b, "username"));
	const char *password = json_string_value(json_object_get(b, "password"));
	store *s = yj_store(r);
	store_conn *c = store_conn_get(s);
	int64_t now = yj_now_ms();
	auth_failure_counts f;

	int rc = auth_failures(c, username, yj_client_addr(r), now, &f);
	if (rc < 0)
		return yj_reply_store_error(r, rc);
	if (throttled(r, &f, now))
		return YJ_OK;

	auth_user u;
	rc = auth_user_by_name(c, username, &u);
	if (rc < 0 && rc != ST_NOTFOUND)
		return yj_reply_store_error(r, rc);
	/* Verify against a throwaway hash for unknown users so timing does not reveal which names exist. */
	pthread_once(&dummy_once, make_dummy);
	int ok = yj_password_verify(rc == ST_OK ? u.password_hash : dummy_hash, password) && rc == ST_OK && !u.disabled;
	if (!ok) {
		auth_record_failure(s, username, yj_client_addr(r));
		yj_log(YJ_LOG_WARN, "auth.signin_failed", "\"user_known\":%s", rc == ST_OK ? "true" : "false");
		return yj_reply_problem(r, 401, "bad-credentials", "登录失败", "用户名或密码错误，请重新输入。");
	}
	struct new_session ns = {&u, yj_client_addr(r), {0}, {0}, 0};
	rc = store_tx(s, session_create_tx, &ns);
	if (rc < 0)
		return yj_reply_store_error(r, rc);
	yj_req_session_created(r, ns.id); /* its first reads see this write, even from a replica */
	set_cookie(r, ns.cookie, (int)(SESSION_TTL_MS / 1000));
	return yj_reply_json(r, 200, session_json(&u, ns.csrf));
}

static int current(yj_req *r)
{
	const yj_principal *p = yj_who(r);
	if (p->via_token)
		return yj_reply_problem(r, 400, "not-a-session", "不是浏览器会话", "使用访问令牌时没有会话，请直接调用所需接口。");
	auth_user u;
	int rc = auth_user_by_name(store_conn_get(yj_store(r)), p->username, &u);
	if (rc < 0)
		return yj_reply_store_error(r, rc);
	return yj_reply_json(r, 200, session_json(&u, p->csrf));
}

struct end_session {
	const yj_principal *p;
};

static int session_delete_tx(store_conn *c, void *arg)
{
	const yj_principal *p = ((struct end_session *)arg)->p;
	store_stmt *st = store_prepare(c, "DELETE FROM sessions WHERE id = ?");
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, p->session_id);
	int rc = store_step(st);
	store_finalize(st);
	if (rc < 0 || (rc = auth_epoch_bump(c)) < 0) /* every process's cache, before its next request */
		return rc;
	char actor[21], sid[21];
	yj_id_format(p->user_id, actor);
	yj_id_format(p->session_id, sid);
	yj_audit_event ev = {actor, "session.delete", "session", sid, p->region_code, NULL};
	return yj_audit_append(c, &ev, NULL);
}

static int signout(yj_req *r)
{
	const yj_principal *p = yj_who(r);
	if (p->via_token)
		return yj_reply_problem(r, 400, "not-a-session", "不是浏览器会话", "访问令牌无需退出登录；如需停用请吊销令牌。");
	struct end_session a = {p};
	int rc = store_tx(yj_store(r), session_delete_tx, &a);
	if (rc < 0)
		return yj_reply_store_error(r, rc);
	set_cookie(r, "", 0);
	return yj_reply_empty(r, 204);
}

static int refuse_new_password(yj_req *r, const char *why)
{
	return yj_reply_problem_errors(r, 422, "validation", "提交的数据有误", why,
				       yj_field_errors("new_password", why));
}

static int change_password(yj_req *r)
{
	const yj_principal *p = yj_who(r);
	json_t *b = yj_body(r);
	const char *oldpw = json_string_value(json_object_get(b, "old_password"));
	const char *newpw = json_string_value(json_object_get(b, "new_password"));
	store *s = yj_store(r);
	auth_failure_counts f;
	auth_user u;
	int64_t now = yj_now_ms();
	/* Guessing the current password here counts as a failed sign-in, so a stolen session does not
	 * open an unthrottled oracle. */
	int rc = auth_failures(store_conn_get(s), p->username, yj_client_addr(r), now, &f);
	if (rc < 0)
		return yj_reply_store_error(r, rc);
	if (throttled(r, &f, now))
		return YJ_OK;
	if ((rc = auth_user_by_name(store_conn_get(s), p->username, &u)) < 0)
		return yj_reply_store_error(r, rc);
	if (!yj_password_verify(u.password_hash, oldpw)) {
		auth_record_failure(s, p->username, yj_client_addr(r));
		return yj_reply_problem_errors(r, 422, "validation", "提交的数据有误", "原密码不正确。",
					       yj_field_errors("old_password", "原密码不正确"));
	}
	const yj_pw_refusal *weak = yj_password_weak(newpw, p->username, oldpw);
	if (weak)
		return refuse_new_password(r, weak->zh);
	char *err = NULL;
	char actor[21];
	yj_id_format(p->user_id, actor);
	rc = yj_user_set_password(s, p->username, newpw, actor, &weak, &err);
	free(err);
	if (rc == YJ_PW_REFUSED)
		return refuse_new_password(r, weak->zh);
	if (rc < 0)
		return yj_reply_store_error(r, rc);
	set_cookie(r, "", 0); /* every session ended with the old password, this one too */
	return yj_reply_empty(r, 204);
}

const yj_route yj_session_routes[] = {
	{"POST", "/api/v1/session", signin, ROLE_PUBLIC, signin_fields, NULL, "session",
	 "Sign in with user name and password; sets the session cookie", "The CSRF token and the user", 200},
	{"GET", "/api/v1/session", current, ROLE_ANY, NULL, NULL, "session", "The signed-in user and CSRF token",
	 "The CSRF token and the user", 200},
	{"DELETE", "/api/v1/session", signout, ROLE_ANY, NULL, NULL, "session", "Sign out", "Signed out", 204},
	{"PUT", "/api/v1/session/password", change_password, ROLE_ANY, password_fields, NULL, "session",
	 "Change one's own password (ends every session, this one too, and revokes every token)", "Changed", 204},
	{0},
};
