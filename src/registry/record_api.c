/* record_api.c — list, export, read, create, change, history and as-of of registry records over
 * HTTP, for every kind (see record_api.h). Scope and SQL come from record_query.c and record.c,
 * validation from record_validate.c; handlers here only translate between HTTP and those. */
#define _POSIX_C_SOURCE 200809L
#include "reg_int.h"
#include "../base/date.h"
#include "../base/id.h"
#include "../platform/audit/audit.h"
#include "../platform/pii/pii.h"
#include "../platform/regions/regions.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>


void yj_reg_actor(yj_req *r, char out[24])
{
	yj_id_format(yj_who(r)->user_id, out);
}

int yj_reg_reply_invalid(yj_req *r, json_t *errors)
{
	return yj_reply_problem_errors(r, 422, "validation", "提交的数据有误", "请按字段提示修改后重新提交。", errors);
}

int yj_reg_refuse_conflict(yj_refusal *no, const reg_kind *k, const char *field)
{
	const char *label = field;
	for (const reg_field *f = k->fields; f->name; f++)
		if (!strcmp(f->name, field))
			label = f->label;
	yj_refusal_field(no, field, "已存在");
	return yj_refuse(no, 409, "conflict", "记录已存在", "已有%s使用该%s，请核对；如需修改原记录，请在原记录上编辑。", k->label,
			 label);
}

int yj_reg_reply_conflict(yj_req *r, const reg_kind *k, const char *field)
{
	yj_refusal no = {0};
	yj_reg_refuse_conflict(&no, k, field);
	return yj_reply_refusal(r, &no);
}

static enum yj_ftype body_type(reg_type t)
{
	switch (t) {
	case RT_INT:
		return F_INT;
	case RT_BOOL:
		return F_BOOL;
	case RT_CODES:
		return F_ARRAY;
	case RT_COORD:
		return F_NUMBER;
	default:
		return F_STRING;
	}
}

void yj_reg_api_init(reg_api *a)
{
	size_t n = 0;
	for (const reg_field *f = a->k->fields; f->name; f++, n++) {
		yj_field b = {f->name, body_type(f->type), f->required, f->type == RT_TEXT ? f->max : 20, f->desc};
		if (f->type == RT_REF || f->type == RT_DATE || f->type == RT_CODE || f->type == RT_REGION)
			b.max_len = 40;
		/* A kind's derive hook enforces fields required in substance but not in form (id_number). */
		a->create_body[n] = b;
		b.required = 0;
		a->patch_body[n] = b;
	}
	a->create_body[n] = (yj_field){NULL, 0, 0, 0, NULL};
	a->patch_body[n++] = (yj_field){"version", F_INT, 0, 0, "Version the change is based on (refused when stale)"};
	a->patch_body[n] = (yj_field){NULL, 0, 0, 0, NULL};
}

/* ---- lists ---- */

/* ---- lookups by a clear personal value: a disclosure (docs/security.md) ---- */

struct lookup_arg {
	yj_req *r;
	const reg_api *a;
	const reg_filter *fl;
	const char *value;
};

/* Writes the leaf of one lookup: who looked, for which record (or "none"); never the value. */
static int lookup_tx(store_conn *c, void *arg)
{
	struct lookup_arg *l = arg;
	const yj_principal *who = yj_who(l->r);
	char h[65], actor[24], ids[21] = "none", region[16];
	yj_pii_hash(l->value, h);
	snprintf(region, sizeof region, "%s", who->region_code);
	int rc = reg_lookup_hash(c, l->a->k, l->fl, &who->scope, h, ids, region);
	if (rc < 0)
		return rc;
	char action[64];
	snprintf(action, sizeof action, "%s.lookup", l->a->k->type);
	yj_reg_actor(l->r, actor);
	json_t *state = json_pack("{s:s, s:b}", "field", l->fl->param, "matched", rc == ST_ROW);
	yj_audit_event ev = {actor, action, l->a->k->type, ids, region, state};
	rc = yj_audit_append(c, &ev, NULL);
	json_decref(state);
	return rc;
}

/* A filter by a clear personal value tells whether a guess is right, so it is a disclosure: only
 * the kind's disclosing roles, within the per-user limit, with an audit leaf committed before the
 * answer. Returns YJ_OK to go on, YJ_ERR after replying. */
static int lookup_gate(yj_req *r, const reg_api *a, const reg_filter *fl, const char *v)
{
	const char *label = fl->param;
	for (const reg_field *f = a->k->fields; f->name; f++)
		if (!strcmp(f->name, fl->param))
			label = f->label;
	if (yj_pii_gate(r, a->disclose_roles, label) < 0)
		return YJ_ERR;
	struct lookup_arg l = {r, a, fl, v};
	int rc = store_tx(yj_store(r), lookup_tx, &l);
	if (rc < 0) {
		yj_reply_store_error(r, rc);
		return YJ_ERR;
	}
	yj_add_header(r, "Cache-Control", "no-store");
	return YJ_OK;
}

/* The scoped query of the kind's records (group or by_county: the counts) with the request's filters,
 * or NULL after replying 400. */
static yj_qb *filtered_by(yj_req *r, const reg_api *a, const reg_field *group, int by_county)
{
	for (const reg_filter *fl = a->filters; fl->param; fl++) {
		const char *v = yj_query(r, fl->param);
		if (fl->op == FL_HASH && v && *v && lookup_gate(r, a, fl, v) < 0)
			return NULL;
	}
	yj_qb *q = reg_list_query(a->k, group, by_county, &yj_who(r)->scope);
	json_t *errors = json_array();
	for (const reg_filter *fl = a->filters; fl->param; fl++) {
		const char *v = yj_query(r, fl->param);
		if (v && *v && reg_list_filter(q, a->k, fl, v) < 0)
			yj_field_error(errors, fl->param, "取值无效");
	}
	if (json_array_size(errors)) {
		yj_q_free(q);
		yj_reply_problem_errors(r, 400, "validation", "查询条件有误", "请按提示修改查询条件后重试。", errors);
		return NULL;
	}
	json_decref(errors);
	return q;
}

static yj_qb *filtered(yj_req *r, const reg_api *a)
{
	return filtered_by(r, a, NULL, 0);
}

struct page_arg {
	const reg_api *a;
	const yj_principal *who;
};

static json_t *public_row(store_stmt *st, void *arg)
{
	struct page_arg *pa = arg;
	return yj_reg_public_take(pa->a->k, yj_reg_row(pa->a->k, st), pa->who);
}

/* A list's row straight into the body (record_write.c); a kind whose masking needs the whole record
 * goes through the JSON tree. */
static int write_row(store_stmt *st, void *arg, yj_buf *out, char key[64])
{
	struct page_arg *pa = arg;
	if (reg_row_write(pa->a->k, st, pa->who, out, key))
		return 1;
	json_t *item = public_row(st, arg);
	yj_jw_json(out, item);
	snprintf(key, 64, "%s", json_string_value(json_object_get(item, "id")));
	json_decref(item);
	return 1;
}

/* The name searched when it is the request's only filter and a valid one, or NULL. */
static const char *name_alone(yj_req *r, const reg_api *a)
{
	const char *name = NULL;
	for (const reg_filter *fl = a->filters; fl->param; fl++) {
		const char *v = yj_query(r, fl->param);
		if (!v || !*v)
			continue;
		if (fl->op != FL_NAME || name || yj_utf8_len(v, strlen(v)) > 50)
			return NULL;
		name = v;
	}
	return name;
}

int yj_reg_api_list(yj_req *r, const reg_api *a)
{
	int limit;
	int64_t after;
	if (yj_page_id_or_reply(r, &limit, &after) < 0)
		return YJ_OK;
	struct page_arg pa = {a, yj_who(r)};
	store_conn *c = store_conn_get(yj_store(r));
	/* A name search alone: a plan kept for every value where one is safe (record_names.c). */
	const char *name = name_alone(r, a);
	if (name && reg_name_walk_fits(c, a->k, &pa.who->scope, name) == 1)
		return yj_reply_page_w(r, reg_name_walk_page(c, a->k, &pa.who->scope, name, after, limit + 1), limit,
				       write_row, &pa);
	yj_qb *q = filtered(r, a);
	if (!q)
		return YJ_OK;
	return yj_reply_page_w(r, reg_list_page(q, c, after, limit + 1), limit, write_row, &pa);
}

/* ---- export: the same filters and scope, values as people read them ---- */

static json_t *export_value(const reg_field *f, json_t *v)
{
	if (!v || json_is_null(v))
		return json_string("");
	switch (f->type) {
	case RT_BOOL:
		return json_string(json_is_true(v) ? "是" : "否");
	case RT_CODE:
		return json_string(yj_vocab_label(f->vocab, json_string_value(v)));
	case RT_CODES: {
		yj_buf b = YJ_BUF_INIT;
		size_t i;
		json_t *e;
		json_array_foreach(v, i, e) yj_buf_printf(&b, "%s%s", i ? "、" : "", yj_vocab_label(f->vocab, json_string_value(e)));
		json_t *out = json_string(b.data ? b.data : "");
		yj_buf_free(&b);
		return out;
	}
	default:
		return json_incref(v);
	}
}

/* The derived columns who sees, in column order: those the kind's present hook leaves for who's
 * role, then any it adds (birth_year for birth_date) — found by presenting a sample record, so
 * they follow the same table as the rows. Returns {column: label} (new reference). */
static json_t *visible_derived(const reg_kind *k, const yj_principal *who)
{
	json_t *sample = json_object(), *out = json_object();
	for (const reg_derived *d = k->derived; d && d->column; d++)
		if (!d->hidden)
			json_object_set_new(sample, d->column, json_string(d->type == RT_DATE ? "2000-01-01" : "x"));
	json_t *seen = json_deep_copy(sample);
	if (k->present)
		k->present(seen, who);
	for (const reg_derived *d = k->derived; d && d->column; d++)
		if (json_object_get(seen, d->column))
			json_object_set_new(out, d->column, json_string(d->label ? d->label : d->column));
	const char *key;
	json_t *v;
	json_object_foreach(seen, key, v) {
		if (!json_object_get(sample, key) && yj_pii_label(key))
			json_object_set_new(out, key, json_string(yj_pii_label(key)));
	}
	json_decref(sample);
	json_decref(seen);
	return out;
}

/* The export's columns for who: the stored fields, then visible_derived. Fills cols (room for 64)
 * and returns visible_derived's object; the caller decrefs it after the last use of cols, whose
 * derived entries point into it. */
static json_t *export_shape(const reg_kind *k, const yj_principal *who, yj_column cols[64])
{
	size_t nc = 0;
	for (const reg_field *f = k->fields; f->name && nc < 60; f++)
		if (!f->column || f->column[0])
			cols[nc++] = (yj_column){f->name, f->label};
	json_t *shape = visible_derived(k, who);
	const char *key;
	json_t *label;
	json_object_foreach(shape, key, label) {
		if (nc < 63)
			cols[nc++] = (yj_column){key, json_string_value(label)};
	}
	cols[nc] = (yj_column){NULL, NULL};
	return shape;
}

struct export_arg {
	const reg_api *a;
	const yj_principal *who;
	json_t *shape; /* the derived columns export_shape added */
};

/* A record as the export shows it: the kind's fields as text, then the derived columns. */
static json_t *export_row(store_stmt *st, void *arg)
{
	struct export_arg *x = arg;
	json_t *rec = yj_reg_row(x->a->k, st), *pub = yj_reg_public(x->a->k, rec, x->who), *row = json_object();
	for (const reg_field *f = x->a->k->fields; f->name; f++)
		json_object_set_new(row, f->name, export_value(f, json_object_get(pub, f->name)));
	const char *key;
	json_t *unused;
	json_object_foreach(x->shape, key, unused) {
		json_t *v = json_object_get(pub, key);
		json_object_set(row, key, v ? v : json_null());
	}
	json_decref(rec);
	json_decref(pub);
	return row;
}

int yj_reg_api_export(yj_req *r, const reg_api *a)
{
	yj_qb *q = filtered(r, a);
	if (!q)
		return YJ_OK;
	yj_column cols[64];
	struct export_arg x = {a, yj_who(r), export_shape(a->k, yj_who(r), cols)};
	int rc = yj_reply_export_stmt(r, a->k->table, cols, reg_list_all(q, store_conn_get(yj_store(r))), export_row, &x);
	json_decref(x.shape);
	return rc;
}

/* ---- one record ---- */

/* End of a calendar day in Asia/Shanghai (UTC+8, no daylight saving) as epoch ms. */
static int day_end_ms(const char *s, int64_t *out)
{
	int64_t day;
	if (yj_day_parse(s, &day) < 0)
		return -1;
	*out = yj_day_start_ms(day + 1, YJ_SHANGHAI_OFFSET_MIN) - 1;
	return 0;
}

int yj_reg_api_get(yj_req *r, const reg_api *a)
{
	int64_t id;
	if (yj_path_id_or_reply(r, "id", &id) < 0)
		return YJ_OK;
	json_t *rec = NULL;
	const char *as_of = yj_query(r, "as_of");
	store_conn *c = store_conn_get(yj_store(r));
	int rc;
	if (as_of) {
		int64_t at;
		if (day_end_ms(as_of, &at) < 0)
			return yj_reply_problem_errors(r, 400, "validation", "参数错误", "as_of 应为日期，格式 YYYY-MM-DD。",
						       yj_field_errors("as_of", "格式 YYYY-MM-DD"));
		rc = yj_reg_as_of(c, a->k, &yj_who(r)->scope, id, at, &rec);
		if (rc == ST_NOTFOUND)
			return yj_reply_problem(r, 404, "not-found", "该日期无记录", "该记录在所选日期尚未建立，或不在您的管辖范围内。");
		if (rc < 0)
			return yj_reply_store_error(r, rc);
		/* History holds public states (hidden columns left out); the role's view is applied here,
		 * since states written before a change of that view keep its older form. */
		if (a->k->present)
			a->k->present(rec, yj_who(r));
		json_object_set_new(rec, "as_of", json_string(as_of));
		return yj_reply_json(r, 200, rec);
	}
	rc = yj_reg_load(c, a->k, &yj_who(r)->scope, id, &rec);
	if (rc < 0)
		return yj_reply_store_error(r, rc);
	json_t *pub = yj_reg_public(a->k, rec, yj_who(r));
	json_decref(rec);
	return yj_reply_json(r, 200, pub);
}

/* Rewrites a version's changes {field: [old, new]} to what who may see: both sides go through the
 * kind's present hook, so a field the role does not see drops out, a masked one shows its mask,
 * and a change invisible in the role's view (a birth date within the same year) is left out. */
static void present_changes(const reg_kind *k, json_t *changes, const yj_principal *who)
{
	if (!k->present || !json_is_object(changes))
		return;
	json_t *before = json_object(), *after = json_object();
	const char *key;
	json_t *pair;
	json_object_foreach(changes, key, pair) {
		json_object_set(before, key, json_array_get(pair, 0));
		json_object_set(after, key, json_array_get(pair, 1));
	}
	k->present(before, who);
	k->present(after, who);
	json_object_clear(changes);
	json_t *v;
	json_object_foreach(after, key, v) {
		json_t *old = json_object_get(before, key);
		if (!old || !json_equal(old, v))
			json_object_set_new(changes, key, json_pack("[OO]", old ? old : json_null(), v));
	}
	json_decref(before);
	json_decref(after);
}

/* A history without ?limit= answers up to this many versions, as it did before it had pages. */
#define HISTORY_PAGE 1000

const yj_qparam yj_reg_history_params[] = {
	{"limit", "Page size, 1–200; without it up to 1,000 versions"}, {"cursor", "next_cursor of the previous page"},
	{NULL, NULL},
};

int yj_reg_api_history(yj_req *r, const reg_api *a)
{
	int64_t id, below = INT64_MAX;
	int limit;
	const char *cursor;
	if (yj_path_id_or_reply(r, "id", &id) < 0 || yj_page_params_or(r, HISTORY_PAGE, &limit, &cursor) < 0)
		return YJ_OK;
	if (cursor) { /* the last version of the previous page */
		char *end;
		below = strtoll(cursor, &end, 10);
		if (!*cursor || *end || below < 1)
			return yj_reply_problem(r, 400, "validation", "参数错误", "cursor 无效，请使用上一页返回的 next_cursor。");
	}
	json_t *items = NULL, *next = json_null();
	int rc = yj_reg_history(store_conn_get(yj_store(r)), a->k, &yj_who(r)->scope, id, below, limit + 1, &items);
	if (rc < 0)
		return yj_reply_store_error(r, rc);
	if (json_array_size(items) > (size_t)limit) {
		char key[24];
		json_array_remove(items, (size_t)limit);
		snprintf(key, sizeof key, "%lld",
			 (long long)json_integer_value(json_object_get(json_array_get(items, (size_t)limit - 1), "version")));
		json_decref(next);
		next = yj_cursor_json(key);
	}
	size_t i;
	json_t *it;
	json_array_foreach(items, i, it) present_changes(a->k, json_object_get(it, "changes"), yj_who(r));
	return yj_reply_json(r, 200, json_pack("{s:o, s:o}", "items", items, "next_cursor", next));
}

/* ---- writes ---- */

struct write_arg {
	yj_req *r;
	const reg_api *a;
	int64_t id;
	json_t *rec;
	yj_refusal no; /* what a transaction turns down */
};

/* Validates in (borrowed) into w->rec; refuses with the field errors when there are any. */
static int validated(store_conn *c, struct write_arg *w, json_t *in, json_t *before)
{
	json_t *errors = json_array();
	json_decref(w->rec);
	w->rec = yj_reg_validate(c, w->a->k, &yj_who(w->r)->scope, in, 0, before, errors);
	if (!json_array_size(errors)) {
		json_decref(errors);
		return YJ_OK;
	}
	w->no.errors = errors;
	return yj_refuse_invalid(&w->no, NULL);
}

/* A unique value another record holds, found before writing or by the write itself. */
static int refuse_conflict(struct write_arg *w, const char *field)
{
	return yj_reg_refuse_conflict(&w->no, w->a->k, field ? field : w->a->k->key_field);
}

static int create_tx(store_conn *c, void *arg)
{
	struct write_arg *w = arg;
	char actor[24];
	yj_reg_actor(w->r, actor);
	if (validated(c, w, yj_body(w->r), NULL) < 0)
		return YJ_REFUSED;
	const char *taken = yj_reg_conflict_field(c, w->a->k, w->rec, 0);
	if (taken)
		return refuse_conflict(w, taken);
	int rc = yj_reg_insert(c, w->a->k, w->rec, actor, &w->id);
	return rc == ST_CONFLICT ? refuse_conflict(w, NULL) : rc;
}

static int patch_tx(store_conn *c, void *arg)
{
	struct write_arg *w = arg;
	char actor[24];
	yj_reg_actor(w->r, actor);
	const yj_scope *sc = &yj_who(w->r)->scope;
	json_t *before = NULL, *in = json_deep_copy(yj_body(w->r));
	int rc = yj_reg_load(c, w->a->k, sc, w->id, &before);
	if (rc < 0) {
		json_decref(in);
		return rc;
	}
	json_t *ver = json_object_get(in, "version");
	int64_t version = json_integer_value(json_object_get(before, "version"));
	if (ver && json_integer_value(ver) != version) {
		json_decref(in);
		json_decref(before);
		return yj_refuse(&w->no, 409, "stale", "记录已被他人修改", "该记录在您编辑期间已被修改，请刷新后重新编辑。");
	}
	json_object_del(in, "version");
	rc = validated(c, w, in, before);
	json_decref(in);
	json_decref(before);
	if (rc < 0)
		return YJ_REFUSED;
	const char *taken = yj_reg_conflict_field(c, w->a->k, w->rec, w->id);
	if (taken)
		return refuse_conflict(w, taken);
	int changed;
	rc = yj_reg_update(c, w->a->k, sc, w->id, version, w->rec, actor, &changed);
	if (rc == ST_NOTFOUND) /* it was loaded above: on PostgreSQL another transaction changed it since (bench/soak) */
		return yj_refuse(&w->no, 409, "stale", "记录已被他人修改", "该记录在您编辑期间已被修改，请刷新后重新编辑。");
	return rc == ST_CONFLICT ? refuse_conflict(w, NULL) : rc;
}

/* Answers a write: the record as the caller may see it, or nothing more when yj_tx_or_reply has
 * replied (rc < 0). */
static int finish_write(yj_req *r, struct write_arg *w, int rc, int created)
{
	if (rc < 0) {
		json_decref(w->rec);
		return YJ_OK;
	}
	json_t *pub = yj_reg_public(w->a->k, w->rec, yj_who(r));
	json_decref(w->rec);
	return yj_reply_json(r, created ? 201 : 200, pub);
}

/* Overriding a failed check character is an administrator's decision. */
static int override_allowed(yj_req *r)
{
	json_t *o = json_object_get(yj_body(r), "credit_code_override");
	if (!o || json_is_null(o) || (yj_who(r)->role_bit & ROLE_ADMIN))
		return 1;
	yj_reply_problem_errors(r, 403, "forbidden", "无权填写校验例外理由", "只有系统管理员可以接受未通过校验的代码，请联系管理员。",
				yj_field_errors("credit_code_override", "仅管理员可填写"));
	return 0;
}

int yj_reg_api_create(yj_req *r, const reg_api *a)
{
	if (!override_allowed(r))
		return YJ_OK;
	struct write_arg w = {r, a, 0, NULL, {0}};
	int rc = yj_tx_or_reply(r, create_tx, &w, &w.no);
	return finish_write(r, &w, rc, 1);
}

int yj_reg_api_patch(yj_req *r, const reg_api *a)
{
	if (!override_allowed(r))
		return YJ_OK;
	struct write_arg w = {r, a, 0, NULL, {0}};
	if (yj_path_id_or_reply(r, "id", &w.id) < 0)
		return YJ_OK;
	int rc = yj_tx_or_reply(r, patch_tx, &w, &w.no);
	return finish_write(r, &w, rc, 0);
}

/* ---- statistics and field descriptions ---- */

int yj_reg_api_stats(yj_req *r, const reg_api *a)
{
	const char *group = yj_query(r, "group");
	const reg_field *gf = NULL;
	int by_county = group && !strcmp(group, "county");
	for (const reg_field *f = a->k->fields; group && !by_county && f->name; f++)
		if (f->type == RT_CODE && !strcmp(f->name, group))
			gf = f;
	if (!gf && !by_county) {
		yj_buf allowed = YJ_BUF_INIT;
		yj_buf_puts(&allowed, "county");
		for (const reg_field *f = a->k->fields; f->name; f++)
			if (f->type == RT_CODE)
				yj_buf_printf(&allowed, "、%s", f->name);
		char *detail = yj_asprintf("group 应为以下之一：%s", allowed.data);
		yj_buf_free(&allowed);
		int rc = yj_reply_problem_errors(r, 400, "validation", "参数错误", detail,
						 yj_field_errors("group", "不支持的分组"));
		free(detail);
		return rc;
	}
	yj_qb *q = filtered_by(r, a, gf, by_county);
	if (!q)
		return YJ_OK;
	store_conn *c = store_conn_get(yj_store(r));
	store_stmt *st = reg_list_counts(q, c, gf, by_county);
	if (!st)
		return yj_reply_store_error(r, ST_ERR);
	json_t *items = json_array();
	int64_t total = 0;
	int rc;
	while ((rc = store_step(st)) == ST_ROW) {
		const char *key = store_col_text(st, 0);
		int64_t n = store_col_int64(st, 1);
		total += n;
		json_array_append_new(items, json_pack("{s:s?, s:s?, s:I}", "key", key, "label",
						       gf ? yj_vocab_label(gf->vocab, key) : key, "count", (json_int_t)n));
	}
	store_finalize(st);
	if (rc < 0) {
		json_decref(items);
		return yj_reply_store_error(r, rc);
	}
	size_t i;
	json_t *it;
	json_array_foreach(items, i, it) {
		/* County names for the county grouping: a handful of lookups, not a join per row. */
		if (!by_county)
			break;
		yj_region county;
		int nrc = yj_region_get(c, json_string_value(json_object_get(it, "key")), &county);
		if (nrc == ST_OK)
			json_object_set_new(it, "label", json_string(county.name));
		else if (nrc < 0)
			break;
	}
	return yj_reply_json(r, 200, json_pack("{s:s, s:I, s:o}", "group", group, "total", (json_int_t)total, "items", items));
}

static const char *type_name(reg_type t)
{
	static const char *const names[] = {"text", "int", "bool", "date", "code", "codes", "region", "ref", "coord"};
	return (size_t)t < sizeof names / sizeof names[0] ? names[t] : "text";
}

static int kind_fields(yj_req *r)
{
	const char *name = yj_param(r, "kind");
	for (int i = 0; i < YJ_NKINDS; i++) {
		const reg_kind *k = yj_reg_kinds[i];
		if (strcmp(k->type, name) != 0)
			continue;
		json_t *fields = json_array(), *derived = json_array();
		for (const reg_field *f = k->fields; f->name; f++)
			json_array_append_new(fields, json_pack("{s:s, s:s, s:s, s:b, s:i, s:s?, s:b, s:s?}", "name", f->name, "label",
								f->label, "type", type_name(f->type), "required", f->required,
								"max", f->max, "vocab", f->vocab ? f->vocab->name : NULL, "unique",
								f->unique, "references",
								f->type == RT_REF ? yj_reg_kinds[f->ref_kind]->type : NULL));
		/* What the caller's role sees (the console lays out these): birth_year rather than birth_date. */
		json_t *vis = visible_derived(k, yj_who(r)), *label;
		const char *col;
		json_object_foreach(vis, col, label) {
			const char *type = "int";
			for (const reg_derived *d = k->derived; d && d->column; d++)
				if (!strcmp(d->column, col))
					type = type_name(d->type);
			json_array_append_new(derived, json_pack("{s:s, s:O, s:s}", "name", col, "label", label, "type", type));
		}
		json_decref(vis);
		return yj_reply_json(r, 200, json_pack("{s:s, s:s, s:s, s:o, s:o}", "kind", k->type, "label", k->label, "key",
						       k->key_field, "fields", fields, "derived", derived));
	}
	return yj_reply_not_found(r);
}

const yj_route yj_reg_kind_routes[] = {
	{"GET", "/api/v1/registry/kinds/{kind}/fields", kind_fields, ROLE_ANY, NULL, NULL, "registry",
	 "A registry kind's fields (institution, practitioner): names, Chinese labels, types, required, code lists; "
	 "derived: the read-only columns the caller's role sees",
	 "{kind, label, key, fields, derived}", 200},
	{0},
};
