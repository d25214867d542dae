/* users_api.c — user administration over HTTP: list (with filters and export), read, create and
 * change users, always inside the caller's territory and remit through the scoped query builder. */
#define _POSIX_C_SOURCE 200809L
#include "auth_int.h"
#include "../audit/audit.h"
#include "../regions/regions.h"
#include "../store/query.h"
#include "../../base/id.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Reading joins the region name and the department remit; writing touches the users table alone. */
static const yj_table users_view = {
	"users u JOIN regions r ON r.code = u.region_code JOIN departments d ON d.code = u.department",
	"u.region_code", "u.department", NULL};
static const yj_table users_table = {"users", "region_code", "department", NULL};

#define COLS                                                                                                     \
	"u.id, u.username, u.display_name, '', u.role, u.region_code, r.name, u.department, d.remit, u.disabled, " \
	"u.institution_id, u.must_change_password"

static const yj_qparam list_params[] = {
	{"q", "Substring of user name or display name"},
	{"role", "Role code"},
	{"department", "Department code"},
	{"region", "Region code: users in its subtree"},
	YJ_QP_PAGE,
	{NULL, NULL},
};

static const yj_qparam export_params[] = {
	{"q", "Substring of user name or display name"},
	{"role", "Role code"},
	{"department", "Department code"},
	{"region", "Region code: users in its subtree"},
	{"format", "xlsx (default) or csv"},
	{NULL, NULL},
};

/* A user as this API shows it: the row and its subject binding (institution users). */
typedef struct api_user {
	auth_user u;
	int64_t institution_id; /* 0: none */
} api_user;

static void read_row(store_stmt *st, api_user *a)
{
	auth_user *u = &a->u;
	memset(a, 0, sizeof *a);
	a->institution_id = store_col_is_null(st, 10) ? 0 : store_col_int64(st, 10);
	u->id = store_col_int64(st, 0);
	snprintf(u->username, sizeof u->username, "%s", store_col_text(st, 1));
	snprintf(u->display_name, sizeof u->display_name, "%s", store_col_text(st, 2));
	snprintf(u->role, sizeof u->role, "%s", store_col_text(st, 4));
	snprintf(u->region_code, sizeof u->region_code, "%s", store_col_text(st, 5));
	snprintf(u->region_name, sizeof u->region_name, "%s", store_col_text(st, 6));
	snprintf(u->department, sizeof u->department, "%s", store_col_text(st, 7));
	u->disabled = (int)store_col_int64(st, 9);
	u->must_change = (int)store_col_int64(st, 11);
}

/* The list query with the request's filters; the scope comes with yj_q_select. */
static yj_qb *filtered(yj_req *r)
{
	yj_qb *q = yj_q_select(&users_view, COLS, &yj_who(r)->scope);
	const char *v;
	yj_q_words(q, "u.username LIKE ? OR u.display_name LIKE ?", 2, yj_query(r, "q"));
	if ((v = yj_query(r, "role")) && *v) {
		yj_q_where(q, "u.role = ?");
		yj_q_text(q, v);
	}
	if ((v = yj_query(r, "department")) && *v) {
		yj_q_where(q, "u.department = ?");
		yj_q_text(q, v);
	}
	if ((v = yj_query(r, "region")) && *v) {
		yj_q_region(q, "u.region_code", v);
	}
	return q;
}

static json_t *user_json(const api_user *a)
{
	json_t *j = auth_user_json(&a->u);
	json_object_set_new(j, "institution_id", a->institution_id ? yj_json_id(a->institution_id) : json_null());
	return j;
}

static json_t *user_row(store_stmt *st, void *arg)
{
	api_user u;
	(void)arg;
	read_row(st, &u);
	return user_json(&u);
}

static int list_users(yj_req *r)
{
	int limit;
	int64_t after;
	if (yj_page_id_or_reply(r, &limit, &after) < 0)
		return YJ_OK;
	yj_qb *q = filtered(r);
	return yj_reply_id_page(r, q, "u.id", limit, after, user_row, NULL);
}

static const yj_column export_cols[] = {
	{"username", "用户名"}, {"display_name", "姓名"}, {"role_label", "角色"}, {"region_code", "行政区划代码"},
	{"region_name", "行政区划"}, {"department", "部门"}, {"disabled", "已停用"}, {NULL, NULL},
};

static int export_users(yj_req *r)
{
	yj_qb *q = filtered(r);
	yj_q_tail(q, "ORDER BY u.id"); /* every row: the export streams */
	return yj_reply_export_stmt(r, "users", export_cols, yj_q_prepare(q, store_conn_get(yj_store(r))), user_row, NULL);
}

/* Reads one user in scope; ST_NOTFOUND when absent or outside it. */
static int get_in_scope(yj_req *r, int64_t id, api_user *u)
{
	yj_qb *q = yj_q_select(&users_view, COLS, &yj_who(r)->scope);
	yj_q_where(q, "u.id = ?");
	yj_q_int(q, id);
	store_stmt *st = yj_q_prepare(q, store_conn_get(yj_store(r)));
	if (!st)
		return ST_ERR;
	int rc = store_step(st);
	if (rc == ST_ROW) {
		read_row(st, u);
		rc = ST_OK;
	} else if (rc == ST_DONE) {
		rc = ST_NOTFOUND;
	}
	store_finalize(st);
	return rc;
}

static int get_user(yj_req *r)
{
	int64_t id;
	api_user u;
	if (yj_path_id_or_reply(r, "id", &id) < 0)
		return YJ_OK;
	int rc = get_in_scope(r, id, &u);
	if (rc < 0)
		return yj_reply_store_error(r, rc);
	return yj_reply_json(r, 200, user_json(&u));
}

static const yj_field create_fields[] = {
	{"username", F_STRING, 1, 64, "Sign-in name: letters, digits, . _ -"},
	{"display_name", F_STRING, 0, 64, "Name shown in the console"},
	{"password", F_STRING, 1, 128,
	 "Initial password: 8–128 characters, not the user name, not a common password, word or pattern"},
	{"role", F_STRING, 1, 32, "Role code"},
	{"region_code", F_STRING, 1, 12, "GB/T 2260 code of the user's territory"},
	{"department", F_STRING, 1, 32, "Department code"},
	{"institution_code", F_STRING, 0, 18, "Role institution: credit code of the institution the user acts for (sees only it)"},
	{NULL, 0, 0, 0, NULL},
};

/* 422 for a binding the registry refuses; takes why (may be NULL). */
static int reply_bad_institution(yj_req *r, char *why)
{
	json_t *e = yj_field_errors("institution_code", why ? why : "机构代码无效");
	free(why);
	return yj_reply_problem_errors(r, 422, "validation", "提交的数据有误", "请核对机构用户绑定的医疗机构。", e);
}

static int valid_username(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || strchr("._-", *s)))
			return 0;
	return 1;
}

static int create_user(yj_req *r)
{
	json_t *b = yj_body(r);
	yj_user_new nu = {
		json_string_value(json_object_get(b, "username")), json_string_value(json_object_get(b, "display_name")),
		json_string_value(json_object_get(b, "password")), json_string_value(json_object_get(b, "role")),
		json_string_value(json_object_get(b, "region_code")), json_string_value(json_object_get(b, "department")),
		json_string_value(json_object_get(b, "institution_code")),
	};
	json_t *errors = json_array();
	const yj_pw_refusal *weak;
	if (!valid_username(nu.username))
		yj_field_error(errors, "username", "只能包含字母、数字和 . _ -");
	if (!yj_role_find(nu.role))
		yj_field_error(errors, "role", "未知角色");
	if ((weak = yj_password_weak(nu.password, nu.username, NULL)))
		yj_field_error(errors, "password", weak->zh);
	if (json_array_size(errors))
		return yj_reply_problem_errors(r, 422, "validation", "提交的数据有误", "请按字段提示修改后重新提交。", errors);
	json_decref(errors);
	if (!yj_scope_allows(&yj_who(r)->scope, nu.region_code, nu.department))
		return yj_reply_problem(r, 403, "out-of-scope", "超出管辖范围", "只能在您的辖区和部门职责范围内创建用户。");
	char actor[21], *err = NULL;
	int64_t id = 0;
	yj_id_format(yj_who(r)->user_id, actor);
	int rc = yj_user_create(yj_store(r), &nu, actor, &id, &err);
	if (rc == YJ_USER_BAD_INSTITUTION)
		return reply_bad_institution(r, err);
	free(err);
	if (rc == ST_CONFLICT)
		return yj_reply_problem_errors(r, 409, "conflict", "用户名已存在", "该用户名已被使用，请换一个。",
					       yj_field_errors("username", "已存在"));
	if (rc == ST_NOTFOUND) {
		json_t *errors = yj_field_errors("region_code", "请检查行政区划代码");
		yj_field_error(errors, "department", "请检查部门代码");
		return yj_reply_problem_errors(r, 422, "validation", "提交的数据有误", "行政区划或部门不存在。", errors);
	}
	if (rc < 0)
		return yj_reply_store_error(r, rc);
	api_user u;
	rc = get_in_scope(r, id, &u);
	if (rc < 0)
		return yj_reply_store_error(r, rc);
	return yj_reply_json(r, 201, user_json(&u));
}

static const yj_field patch_fields[] = {
	{"display_name", F_STRING, 0, 64, "Name shown in the console"},
	{"role", F_STRING, 0, 32, "Role code"},
	{"disabled", F_BOOL, 0, 0, "A disabled user cannot sign in"},
	{"institution_code", F_STRING, 0, 18, "Role institution: credit code of the institution the user acts for; \"\" unbinds"},
	{"region_code", F_STRING, 0, 12, "GB/T 2260 code of the user's new territory, inside the caller's"},
	{"department", F_STRING, 0, 32, "The user's new department code, inside the caller's remit"},
	{NULL, 0, 0, 0, NULL},
};

struct patch_arg {
	yj_req *r;
	int64_t id;
	api_user after;
	yj_refusal no; /* an institution that cannot be bound */
};

/* The binding after a change: the one asked for, or none when the user is no longer an institution user. */
static int patch_binding(store_conn *c, struct patch_arg *a, const char *actor)
{
	const char *code = json_string_value(json_object_get(yj_body(a->r), "institution_code"));
	if (!code && (!a->after.institution_id || !strcmp(a->after.u.role, "institution")))
		return ST_OK;
	char *why = NULL;
	int rc = yj_user_bind_institution(c, a->id, a->after.u.role, a->after.u.region_code, code ? code : "", actor,
					  &a->after.institution_id, &why);
	if (rc == YJ_USER_BAD_INSTITUTION) {
		yj_refusal_field(&a->no, "institution_code", why ? why : "机构代码无效");
		rc = yj_refuse_invalid(&a->no, "请核对机构用户绑定的医疗机构。");
	}
	free(why);
	return rc;
}

static int patch_tx(store_conn *c, void *arg)
{
	struct patch_arg *a = arg;
	json_t *b = yj_body(a->r);
	const yj_principal *p = yj_who(a->r);
	yj_qb *q = yj_q_update(&users_table, &p->scope);
	json_t *v;
	if ((v = json_object_get(b, "display_name")) && json_is_string(v))
		yj_q_set_text(q, "display_name", json_string_value(v));
	if ((v = json_object_get(b, "role")) && json_is_string(v))
		yj_q_set_text(q, "role", json_string_value(v));
	if ((v = json_object_get(b, "disabled")) && json_is_boolean(v))
		yj_q_set_int(q, "disabled", json_is_true(v));
	if ((v = json_object_get(b, "region_code")) && json_is_string(v))
		yj_q_set_text(q, "region_code", json_string_value(v));
	if ((v = json_object_get(b, "department")) && json_is_string(v))
		yj_q_set_text(q, "department", json_string_value(v));
	yj_q_set_int(q, "updated_at", yj_now_ms());
	yj_q_where(q, "id = ?");
	yj_q_int(q, a->id);
	store_stmt *st = yj_q_prepare(q, c);
	if (!st)
		return ST_ERR;
	int rc = store_step(st);
	int64_t changed = store_changes(st);
	store_finalize(st);
	if (rc < 0)
		return rc;
	if (changed == 0)
		return ST_NOTFOUND;
	/* Role, name or disabling: every process's cached principal is looked up again. */
	if ((rc = auth_epoch_bump(c)) < 0)
		return rc;
	if ((rc = get_in_scope(a->r, a->id, &a->after)) < 0)
		return rc;
	if (a->after.u.disabled) {
		/* A disabled user's sessions end now, not when they expire. */
		st = store_prepare(c, "DELETE FROM sessions WHERE user_id = ?");
		if (!st)
			return ST_ERR;
		store_bind_int64(st, 1, a->id);
		rc = store_step(st);
		store_finalize(st);
		if (rc < 0)
			return rc;
	}
	char actor[21], ids[21];
	yj_id_format(p->user_id, actor);
	yj_id_format(a->id, ids);
	if ((rc = patch_binding(c, a, actor)) < 0)
		return rc;
	json_t *state = user_json(&a->after);
	yj_audit_event ev = {actor, "user.update", "user", ids, a->after.u.region_code, state};
	rc = yj_audit_append(c, &ev, NULL);
	json_decref(state);
	return rc;
}

static int patch_user(yj_req *r)
{
	struct patch_arg a = {r, 0, {{0}, 0}, {0}};
	if (yj_path_id_or_reply(r, "id", &a.id) < 0)
		return YJ_OK;
	const char *role = json_string_value(json_object_get(yj_body(r), "role"));
	if (role && !yj_role_find(role))
		return yj_reply_problem_errors(r, 422, "validation", "提交的数据有误", "请按字段提示修改后重新提交。",
					       yj_field_errors("role", "未知角色"));
	/* A move stays inside the caller's territory and remit; the target must exist (checked below,
	 * before the write, so a refused move changes nothing). */
	const char *region = json_string_value(json_object_get(yj_body(r), "region_code"));
	const char *dept = json_string_value(json_object_get(yj_body(r), "department"));
	if (region || dept) {
		api_user cur;
		int rc = get_in_scope(r, a.id, &cur);
		if (rc < 0)
			return yj_reply_store_error(r, rc);
		const char *to_region = region ? region : cur.u.region_code, *to_dept = dept ? dept : cur.u.department;
		json_t *errors = json_array();
		if (region && yj_region_exists(store_conn_get(yj_store(r)), region) <= 0)
			yj_field_error(errors, "region_code", "行政区划代码不存在，请从区划列表中选择");
		if (dept && !auth_department_exists(store_conn_get(yj_store(r)), dept))
			yj_field_error(errors, "department", "部门代码不存在，请从部门列表中选择");
		if (json_array_size(errors))
			return yj_reply_problem_errors(r, 422, "validation", "提交的数据有误", "请按字段提示修改后重新提交。", errors);
		json_decref(errors);
		if (!yj_scope_allows(&yj_who(r)->scope, to_region, to_dept))
			return yj_reply_problem(r, 403, "out-of-scope", "超出管辖范围",
						"只能把用户调整到您的辖区和部门职责范围之内。");
	}
	if (yj_tx_or_reply(r, patch_tx, &a, &a.no) < 0)
		return YJ_OK;
	return yj_reply_json(r, 200, user_json(&a.after));
}

static const yj_field password_fields[] = {
	{"password", F_STRING, 1, 128,
	 "New password: 8–128 characters, not the user name or the current password, not a common password, word"
	 " or pattern"},
	{"must_change", F_BOOL, 0, 0, "The user must change it at the next sign-in (default true: a reset)"},
	{NULL, 0, 0, 0, NULL},
};

/* An administrator sets another user's password (a forgotten one): like `yijian user passwd`, it ends
 * every session of that user and revokes every token. */
static int set_password(yj_req *r)
{
	int64_t id;
	api_user au;
	const auth_user *u = &au.u;
	if (yj_path_id_or_reply(r, "id", &id) < 0)
		return YJ_OK;
	int rc = get_in_scope(r, id, &au);
	if (rc < 0)
		return yj_reply_store_error(r, rc);
	const char *pw = json_string_value(json_object_get(yj_body(r), "password"));
	const yj_pw_refusal *why = yj_password_weak(pw, u->username, NULL);
	char actor[21], *err = NULL;
	yj_id_format(yj_who(r)->user_id, actor);
	/* A reset by default: the user picks their own password at the next sign-in. */
	json_t *mc = json_object_get(yj_body(r), "must_change");
	if (!why)
		rc = mc && json_is_false(mc) ? yj_user_set_password(yj_store(r), u->username, pw, actor, &why, &err)
					     : yj_user_reset_password(yj_store(r), u->username, pw, actor, &why, &err);
	free(err);
	if (why)
		return yj_reply_problem_errors(r, 422, "validation", "提交的数据有误", why->zh,
					       yj_field_errors("password", why->zh));
	if (rc < 0)
		return yj_reply_store_error(r, rc);
	return yj_reply_empty(r, 204);
}

struct unlock_arg {
	yj_req *r;
	const auth_user *u;
	int64_t cleared;
};

static int unlock_tx(store_conn *c, void *arg)
{
	struct unlock_arg *a = arg;
	int rc = auth_failures_clear(c, a->u->username, &a->cleared);
	if (rc < 0)
		return rc;
	char actor[21], ids[21];
	yj_id_format(yj_who(a->r)->user_id, actor);
	yj_id_format(a->u->id, ids);
	json_t *state = json_pack("{s:s, s:I}", "unlocked_by", actor, "failures_cleared", (json_int_t)a->cleared);
	yj_audit_event ev = {actor, "user.unlock", "user", ids, a->u->region_code, state};
	rc = yj_audit_append(c, &ev, NULL);
	json_decref(state);
	return rc;
}

/* Forgets the user's recorded sign-in failures (from every address), so a user locked out by
 * throttling can sign in again at once; audited. */
static int unlock_user(yj_req *r)
{
	int64_t id;
	api_user au;
	if (yj_path_id_or_reply(r, "id", &id) < 0)
		return YJ_OK;
	int rc = get_in_scope(r, id, &au);
	if (rc < 0)
		return yj_reply_store_error(r, rc);
	struct unlock_arg a = {r, &au.u, 0};
	yj_refusal no = {0};
	if (yj_tx_or_reply(r, unlock_tx, &a, &no) < 0)
		return YJ_OK;
	return yj_reply_json(r, 200, json_pack("{s:I}", "failures_cleared", (json_int_t)a.cleared));
}

const yj_route yj_user_routes[] = {
	{"GET", "/api/v1/users", list_users, ROLE_ADMIN | ROLE_LEADER, NULL, list_params, "users",
	 "List users in the caller's territory and remit", "{items, next_cursor}", 200},
	{"GET", "/api/v1/users/export", export_users, ROLE_ADMIN | ROLE_LEADER, NULL, export_params, "users",
	 "Export the filtered user list as Excel or CSV", "An .xlsx or .csv file", 200},
	{"POST", "/api/v1/users", create_user, ROLE_ADMIN, create_fields, NULL, "users",
	 "Create a user inside the caller's territory and remit", "The new user", 201},
	{"GET", "/api/v1/users/{id}", get_user, ROLE_ADMIN | ROLE_LEADER, NULL, NULL, "users", "Read one user",
	 "The user", 200},
	{"PATCH", "/api/v1/users/{id}", patch_user, ROLE_ADMIN, patch_fields, NULL, "users",
	 "Change a user's name, role, disabled flag, territory, department or bound institution", "The changed user", 200},
	{"PUT", "/api/v1/users/{id}/password", set_password, ROLE_ADMIN, password_fields, NULL, "users",
	 "Reset a user's password: they must change it at the next sign-in (ends their sessions, revokes their tokens)", "Set", 204},
	{"POST", "/api/v1/users/{id}/unlock", unlock_user, ROLE_ADMIN, NULL, NULL, "users",
	 "Clear a user's recorded sign-in failures so a throttled account can sign in again", "{failures_cleared}", 200},
	{0},
};
