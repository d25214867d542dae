/* auth.c — roles, argon2id passwords, random tokens, the sign-in limits, and the authenticate hook that
 * turns a session cookie or a bearer token into the request's principal. The rules for new passwords
 * are in password.c. */
#define _POSIX_C_SOURCE 200809L
#include "auth_int.h"
#include "../../base/log.h"
#include "../audit/audit.h"

#include <arpa/inet.h>
#include <openssl/sha.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

const yj_role_info yj_roles[] = {
	{"admin", ROLE_ADMIN, "系统管理员"},
	{"inspector", ROLE_INSPECTOR, "监督员"},
	{"legal_reviewer", ROLE_LEGAL_REVIEWER, "法制审核员"},
	{"leader", ROLE_LEADER, "领导"},
	{"liaison", ROLE_LIAISON, "部门联络员"},
	{"insurance_analyst", ROLE_INSURANCE_ANALYST, "医保分析员"},
	{"institution", ROLE_INSTITUTION, "机构用户"},
	{"grid_member", ROLE_GRID_MEMBER, "网格员"},
	{"reward_officer", ROLE_REWARD_OFFICER, "举报奖励专员"},
};
const size_t yj_nroles = YJ_ARRAY_LEN(yj_roles);

const yj_role_info *yj_role_find(const char *name)
{
	for (size_t i = 0; name && i < yj_nroles; i++)
		if (strcmp(yj_roles[i].name, name) == 0)
			return &yj_roles[i];
	return NULL;
}

int yj_password_hash(const char *password, char out[128])
{
	/* Interactive limits: ~0.1 s and 64 MiB per hash on this class of machine. */
	if (crypto_pwhash_str(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
			      crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		return YJ_ERR;
	return YJ_OK;
}

int yj_password_verify(const char *hash, const char *password)
{
	return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

const yj_signin_limits yj_signin_limits_default = {5, 30, 100, 15, 60};
yj_signin_limits auth_limits = {5, 30, 100, 15, 60};

void yj_auth_set_signin_limits(const yj_signin_limits *l)
{
	const yj_signin_limits *d = &yj_signin_limits_default;
	auth_limits.pair = l->pair ? l->pair : d->pair;
	auth_limits.address = l->address ? l->address : d->address;
	auth_limits.account = l->account ? l->account : d->account;
	auth_limits.window_min = l->window_min ? l->window_min : d->window_min;
	auth_limits.account_window_min = l->account_window_min ? l->account_window_min : d->account_window_min;
}

void auth_throttle_key(const char *addr, char *out, size_t cap)
{
	unsigned char a6[16];
	snprintf(out, cap, "%s", addr ? addr : "");
	if (!addr || !strchr(addr, ':') || inet_pton(AF_INET6, addr, a6) != 1)
		return;
	static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	if (memcmp(a6, mapped, sizeof mapped) == 0) {
		inet_ntop(AF_INET, a6 + 12, out, (socklen_t)cap);
		return;
	}
	/* One host is routinely given a whole /64; counting its addresses apart would multiply its budget. */
	char net[INET6_ADDRSTRLEN];
	memset(a6 + 8, 0, 8);
	inet_ntop(AF_INET6, a6, net, sizeof net);
	snprintf(out, cap, "%s/64", net);
}

void auth_random_token(const char *prefix, char *out, size_t cap)
{
	unsigned char raw[TOKEN_BYTES];
	randombytes_buf(raw, sizeof raw);
	size_t pl = strlen(prefix);
	memcpy(out, prefix, pl);
	sodium_bin2base64(out + pl, cap - pl, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

void auth_token_hash(const char *token, char hex[65])
{
	unsigned char h[SHA256_DIGEST_LENGTH];
	SHA256((const unsigned char *)token, strlen(token), h);
	yj_hex_encode(h, sizeof h, hex);
}

void auth_principal_from_user(const auth_user *u, yj_principal *p)
{
	memset(p, 0, sizeof *p);
	p->user_id = u->id;
	snprintf(p->username, sizeof p->username, "%s", u->username);
	snprintf(p->role, sizeof p->role, "%s", u->role);
	const yj_role_info *ri = yj_role_find(u->role);
	p->role_bit = ri ? ri->bit : 0;
	snprintf(p->region_code, sizeof p->region_code, "%s", u->region_code);
	snprintf(p->department, sizeof p->department, "%s", u->department);
	yj_scope_init(&p->scope, u->region_code, u->department, u->remit);
}

/* The routes a session with a password to change may use: read itself, change it, sign out. */
static int password_change_route(yj_req *r)
{
	const char *m = yj_method(r), *p = yj_path(r);
	return (!strcmp(p, "/api/v1/session") && (!strcmp(m, "GET") || !strcmp(m, "DELETE"))) ||
	       (!strcmp(p, "/api/v1/session/password") && !strcmp(m, "PUT"));
}

/* The provisional principal of the request this thread handles (auth.h, yj_auth_confirm): the epochs
 * its credential was cached under; moved once a read showed others. */
static _Thread_local struct {
	const yj_req *r;
	int64_t epoch, ref;
	int moved;
} pend;

static void provisional(yj_req *r, int on)
{
	pend.r = on ? r : NULL;
	pend.moved = 0;
	yj_req_set_unconfirmed(r, on);
	yj_audit_hold(on);
}

int yj_auth_confirm(yj_req *r, const yj_auth_epochs *ep)
{
	if (!yj_req_unconfirmed(r))
		return 1;
	if (pend.r != r || pend.moved)
		return 0;
	int64_t e = 0, ref = 0;
	/* A replica may not have replayed the change yet: its epochs do not count. */
	if (ep && ep->read && !yj_on_replica(r)) {
		e = ep->cred;
		ref = ep->ref;
	} else if (auth_cache_epoch(store_conn_get(yj_store_primary(r)), &e, &ref) != ST_OK) {
		pend.moved = 1; /* unknown: authenticated afresh, which reads it again */
		return 0;
	}
	if (e != pend.epoch || ref != pend.ref) {
		auth_cache_seen(e, ref);
		pend.moved = 1;
		return 0;
	}
	provisional(r, 0);
	auth_cache_note(r, ref);
	return 1;
}

/* The server's hook for a request still unconfirmed after its handler. */
static int confirm_after(yj_req *r)
{
	if (yj_auth_confirm(r, NULL) == 1)
		return 1;
	provisional(r, 0);
	return 0;
}

/* Resolves a credential: from this process's cache when the entry was read under the current epoch
 * (auth_cache.c), else from the store, caching what it finds. For a route that confirms in its own
 * statement (ROLE_CONFIRMS_AUTH), an entry under the latest epochs seen serves without the read, the
 * request left unconfirmed. ST_OK, ST_NOTFOUND or a failure. */
static int resolve(yj_req *r, store_conn *c, const char *hash, int kind, int64_t now, auth_cred *cr)
{
	int64_t epoch = 0, ref = 0;
	if (auth_cache_enabled() && yj_req_may_defer_auth(r) && auth_cache_peek(hash, kind, now, cr, &epoch, &ref)) {
		provisional(r, 1);
		pend.epoch = epoch;
		pend.ref = ref;
		return ST_OK;
	}
	int cache = auth_cache_enabled() && auth_cache_epoch(c, &epoch, &ref) == ST_OK;
	if (cache)
		auth_cache_note(r, ref);
	if (cache && auth_cache_get(hash, kind, epoch, ref, now, cr))
		return ST_OK;
	memset(cr, 0, sizeof *cr);
	int rc = kind == AUTH_CRED_TOKEN ? auth_token_lookup(c, hash, now, &cr->u, &cr->write, &cr->id, &cr->expires)
					 : auth_session_lookup(c, hash, now, &cr->u, &cr->id, cr->csrf, &cr->expires);
	if (rc == ST_OK && cache)
		auth_cache_put(hash, kind, epoch, ref, cr);
	return rc;
}

static int authenticate(yj_req *r, yj_principal *out)
{
	store_conn *c = store_conn_get(yj_store(r));
	int64_t now = yj_now_ms();
	char hash[65];
	auth_cred cr;
	auth_cache_note(NULL, 0);
	provisional(r, 0);
	const char *authz = yj_header(r, "Authorization");
	if (authz && strncasecmp(authz, "Bearer ", 7) == 0) {
		auth_token_hash(authz + 7, hash);
		int rc = resolve(r, c, hash, AUTH_CRED_TOKEN, now, &cr);
		if (rc == ST_NOTFOUND) {
			yj_add_header(r, "WWW-Authenticate", "Bearer error=\"invalid_token\"");
			yj_reply_problem(r, 401, "invalid-token", "访问令牌无效",
					 "访问令牌不存在、已过期或已吊销，请向管理员申请新的令牌。");
			return YJ_ERR;
		}
		if (rc < 0) {
			yj_reply_store_error(r, rc);
			return YJ_ERR;
		}
		auth_principal_from_user(&cr.u, out);
		out->via_token = 1;
		out->token_write = cr.write;
		out->token_id = cr.id;
		return 1;
	}
	const char *cookie = yj_cookie(r, YJ_SESSION_COOKIE);
	if (!cookie || !*cookie)
		return 0;
	auth_token_hash(cookie, hash);
	int rc = resolve(r, c, hash, AUTH_CRED_SESSION, now, &cr);
	if (rc == ST_NOTFOUND)
		return 0;
	if (rc < 0) {
		yj_reply_store_error(r, rc);
		return YJ_ERR;
	}
	/* After an administrator's reset, the session serves only what changing the password needs. */
	if (cr.u.must_change && !password_change_route(r)) {
		yj_reply_problem(r, 403, "password-change-required", "请先修改密码",
				 "管理员已重置您的密码，请先在“个人资料”中设置新密码，然后再继续操作。");
		return YJ_ERR;
	}
	auth_principal_from_user(&cr.u, out);
	out->session_id = cr.id;
	snprintf(out->csrf, sizeof out->csrf, "%s", cr.csrf);
	return 1;
}

static const yj_subject_hooks *subject_hooks;

void yj_subject_hooks_set(const yj_subject_hooks *h)
{
	subject_hooks = h;
}

int yj_subject_find(store_conn *c, const char *credit_code, int64_t *id, char region[16])
{
	return subject_hooks ? subject_hooks->find(c, credit_code, id, region) : ST_NOTFOUND;
}

int yj_subject_bind(store_conn *c, const yj_principal *p, yj_scope *sc)
{
	if (!(p->role_bit & YJ_SUBJECT_ROLES))
		return ST_OK;
	sc->subject_bound = 1;
	sc->nsubjects = 0;
	int64_t inst = 0;
	int rc = yj_user_institution(c, p->user_id, &inst);
	if (rc < 0 || !subject_hooks)
		return rc; /* no hooks: bound to nothing, so nothing of scoped tables is visible */
	return subject_hooks->fill(c, p->user_id, p->role_bit, inst, sc);
}

/* Authentication, then the subject set of an institution or grid user (read on every request, so a
 * changed binding or grid takes effect at once). */
static int authenticate_scoped(yj_req *r, yj_principal *out)
{
	int rc = authenticate(r, out);
	if (rc != 1)
		return rc;
	if ((rc = yj_subject_bind(store_conn_get(yj_store(r)), out, &out->scope)) < 0) {
		yj_reply_store_error(r, rc);
		return YJ_ERR;
	}
	return 1;
}

const yj_auth_hooks yj_auth_hooks_default = {authenticate_scoped, confirm_after};

json_t *auth_user_json(const auth_user *u)
{
	const yj_role_info *ri = yj_role_find(u->role);
	json_t *j = json_pack("{s:o, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:b}", "id", yj_json_id(u->id), "username",
			      u->username, "display_name", u->display_name, "role", u->role, "role_label",
			      ri ? ri->label : u->role, "region_code", u->region_code, "region_name", u->region_name,
			      "department", u->department, "disabled", u->disabled, "must_change_password",
			      u->must_change);
	return j;
}
