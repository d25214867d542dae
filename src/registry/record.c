/* record.c — validation, storage, history and name index of registry records (see record.h).
 * The SQL of each kind is generated once from its field table, so a new field is one table row.
 * Over 800 lines on purpose: one generic engine (validation, storage, history, name index, audit of
 * every kind) whose parts share the field-table walk; splitting it would spread that walk over files.
 */
#define _POSIX_C_SOURCE 200809L
#include "record.h"
#include "../platform/audit/audit.h"
#include "../platform/pii/pii.h"
#include "../base/date.h"
#include "../platform/events/events.h"
#include "../base/id.h"
#include "../platform/regions/regions.h"

#include <ctype.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const reg_kind *const yj_reg_kinds[YJ_NKINDS] = {&yj_institution_kind, &yj_practitioner_kind};

/* ---- generated SQL ---- */

typedef struct kind_sql {
	char *columns; /* id, version, created_at, updated_at, <field columns>, <derived columns> */
	char *insert;
	char *update;
} kind_sql;

static kind_sql sqls[YJ_NKINDS];
static pthread_once_t sql_once = PTHREAD_ONCE_INIT;

static const char *col_of(const reg_field *f)
{
	return f->column ? f->column : f->name;
}

static int stored(const reg_field *f)
{
	return !f->column || f->column[0];
}

static void build_sql(void)
{
	for (int i = 0; i < YJ_NKINDS; i++) {
		const reg_kind *k = yj_reg_kinds[i];
		yj_buf cols = YJ_BUF_INIT, marks = YJ_BUF_INIT, sets = YJ_BUF_INIT;
		yj_buf_puts(&cols, "id, version, created_at, updated_at");
		yj_buf_puts(&marks, "?, ?, ?, ?");
		yj_buf_puts(&sets, "version = ?, updated_at = ?");
		for (const reg_field *f = k->fields; f->name; f++) {
			if (!stored(f))
				continue;
			yj_buf_printf(&cols, ", %s", col_of(f));
			yj_buf_puts(&marks, ", ?");
			yj_buf_printf(&sets, ", %s = ?", col_of(f));
		}
		for (const reg_derived *d = k->derived; d && d->column; d++) {
			yj_buf_printf(&cols, ", %s", d->column);
			yj_buf_puts(&marks, ", ?");
			yj_buf_printf(&sets, ", %s = ?", d->column);
		}
		sqls[i].insert = yj_asprintf("INSERT INTO %s (%s) VALUES (%s)", k->table, cols.data, marks.data);
		sqls[i].update = yj_asprintf("UPDATE %s SET %s WHERE id = ? AND version = ?", k->table, sets.data);
		sqls[i].columns = yj_buf_detach(&cols);
		yj_buf_free(&marks);
		yj_buf_free(&sets);
	}
}

static const kind_sql *sql_of(const reg_kind *k)
{
	pthread_once(&sql_once, build_sql);
	for (int i = 0; i < YJ_NKINDS; i++)
		if (yj_reg_kinds[i] == k)
			return &sqls[i];
	return NULL;
}

const char *yj_reg_columns(const reg_kind *k)
{
	return sql_of(k)->columns;
}

void yj_reg_table(const reg_kind *k, yj_table *out)
{
	out->name = k->table;
	out->region_col = k->region_field;
	out->dept_col = NULL; /* subjects are shared across departments; territory alone scopes them */
	/* A subject-bound caller (scope.h) sees its institutions and their staff (primary institution). */
	out->subject_cond = !strcmp(k->table, "institutions") ? "id IN ({S})" : "institution_id IN ({S})";
}

void yj_reg_filings_view(yj_table *out)
{
	*out = (yj_table){"practice_filings f JOIN practitioners p ON p.id = f.practitioner_id", "f.region_code", NULL,
			  "f.institution_id IN ({S})"};
}

/* ---- values between JSON, text and SQL ---- */

/* A date field: YYYY-MM-DD or YYYY/M/D (years 1900–2200), normalised into out as YYYY-MM-DD. */
static int valid_date(const char *s, char out[11])
{
	int64_t day;
	if (yj_date_parse_loose(s, 1900, 2200, &day) < 0)
		return 0;
	yj_day_format(day, out);
	return 1;
}

/* Spreadsheet programs run cells that start with these as formulas (CSV injection). */
static int formula_like(const char *s)
{
	return s[0] == '=' || s[0] == '+' || s[0] == '@' || s[0] == '\t' || s[0] == '\r' ||
	       (s[0] == '-' && s[1] && !isdigit((unsigned char)s[1]));
}

static int has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 && *s != '\n')
			return 1;
	return 0;
}

/* Text of a JSON scalar for from_text inputs and for checks; NULL when v is not a scalar. */
static const char *scalar_text(const json_t *v, char buf[64])
{
	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_integer(v)) {
		snprintf(buf, 64, "%lld", (long long)json_integer_value(v));
		return buf;
	}
	if (json_is_real(v)) {
		snprintf(buf, 64, "%.6f", json_real_value(v));
		return buf;
	}
	if (json_is_boolean(v))
		return json_is_true(v) ? "true" : "false";
	return NULL;
}

static int region_exists(store_conn *c, const char *code)
{
	return yj_region_exists(c, code) > 0;
}

/* Resolves a reference by id, or by the referenced kind's natural key, inside sc. */
static int resolve_ref(store_conn *c, const reg_field *f, const yj_scope *sc, const char *v, int64_t *id)
{
	const reg_kind *rk = yj_reg_kinds[f->ref_kind];
	json_t *rec = NULL;
	int64_t ver;
	char region[16];
	if (yj_id_parse(v, id) == 0 && yj_reg_load(c, rk, sc, *id, &rec) == ST_OK) {
		json_decref(rec);
		return ST_OK;
	}
	if (yj_reg_find_key(c, rk, v, id, &ver, region) == ST_OK && yj_scope_allows(sc, region, NULL))
		return ST_OK;
	return ST_NOTFOUND;
}

static json_t *split_codes(const reg_field *f, const json_t *v, json_t *errors)
{
	json_t *out = json_array();
	char msg[200];
	if (json_is_array(v)) {
		size_t i;
		json_t *e;
		json_array_foreach(v, i, e) {
			const yj_vocab_entry *ve = json_is_string(e) ? yj_vocab_find(f->vocab, json_string_value(e)) : NULL;
			if (!ve) {
				snprintf(msg, sizeof msg, "第 %zu 项不是有效的%s代码", i + 1, f->label);
				yj_field_error(errors, f->name, msg);
			} else {
				json_array_append_new(out, json_string(ve->code));
			}
		}
		return out;
	}
	/* Text: codes or labels separated by , ; 、 | or spaces, as people type them in spreadsheets. */
	char *s = yj_strdup(json_string_value(v));
	for (char *p = s; *p; p++)
		if (*p == ';' || *p == '|' || *p == ' ')
			*p = ',';
	for (char *p; (p = strstr(s, "、"));) {
		*p = ',';
		memmove(p + 1, p + 3, strlen(p + 3) + 1);
	}
	char *save = NULL;
	for (char *t = strtok_r(s, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		const yj_vocab_entry *ve = yj_vocab_find(f->vocab, t);
		if (!ve) {
			snprintf(msg, sizeof msg, "“%.60s”不是有效的%s", t, f->label);
			yj_field_error(errors, f->name, msg);
		} else {
			json_array_append_new(out, json_string(ve->code));
		}
	}
	free(s);
	return out;
}

/* Validates one present, non-empty value; returns the normalised JSON value or NULL (error added). */
static json_t *check_value(store_conn *c, const reg_field *f, const yj_scope *sc, const json_t *v, int from_text,
			   json_t *errors)
{
	char buf[64], msg[200], date[11];
	const char *s = scalar_text(v, buf);
	const char *why;

	if (f->type == RT_CODES && (json_is_array(v) || json_is_string(v)))
		return split_codes(f, v, errors);
	if (!s) {
		yj_field_error(errors, f->name, "类型不正确");
		return NULL;
	}
	int text_ok = json_is_string(v);
	switch (f->type) {
	case RT_TEXT:
		if (!text_ok && !from_text)
			break;
		if (!yj_utf8_valid(s, strlen(s)))
			return yj_field_error(errors, f->name, "不是有效的 UTF-8 文本"), NULL;
		if (has_control(s))
			return yj_field_error(errors, f->name, "不能包含控制字符"), NULL;
		if (formula_like(s))
			return yj_field_error(errors, f->name, "不能以 = + - @ 开头（可能是电子表格公式）"), NULL;
		if (f->max && yj_utf8_len(s, strlen(s)) > (size_t)f->max) {
			snprintf(msg, sizeof msg, "长度不能超过 %d 个字符", f->max);
			return yj_field_error(errors, f->name, msg), NULL;
		}
		if (f->check && (why = f->check(s)))
			return yj_field_error(errors, f->name, why), NULL;
		return json_string(s);
	case RT_INT: {
		char *end;
		long long n = json_is_integer(v) ? json_integer_value(v) : (text_ok ? strtoll(s, &end, 10) : -1);
		if (json_is_string(v) && (!*s || *end))
			n = -1;
		if (n < 0 || n > f->max) {
			snprintf(msg, sizeof msg, "应为 0 到 %d 的整数", f->max);
			return yj_field_error(errors, f->name, msg), NULL;
		}
		return json_integer(n);
	}
	case RT_BOOL:
		if (json_is_boolean(v))
			return json_boolean(json_is_true(v));
		if (text_ok && (!strcmp(s, "是") || !strcmp(s, "true") || !strcmp(s, "1") || !strcasecmp(s, "Y")))
			return json_true();
		if (text_ok && (!strcmp(s, "否") || !strcmp(s, "false") || !strcmp(s, "0") || !strcasecmp(s, "N")))
			return json_false();
		return yj_field_error(errors, f->name, "应为“是”或“否”"), NULL;
	case RT_DATE:
		if (text_ok && valid_date(s, date))
			return json_string(date);
		return yj_field_error(errors, f->name, "应为有效日期，格式 YYYY-MM-DD"), NULL;
	case RT_CODE: {
		const yj_vocab_entry *ve = text_ok ? yj_vocab_find(f->vocab, s) : NULL;
		if (ve)
			return json_string(ve->code);
		snprintf(msg, sizeof msg, "不是有效的%s，请从列表中选择", f->label);
		return yj_field_error(errors, f->name, msg), NULL;
	}
	case RT_REGION:
		if (!text_ok || strspn(s, "0123456789") != strlen(s) || (strlen(s) != 6 && strlen(s) != 9) ||
		    !region_exists(c, s))
			return yj_field_error(errors, f->name, "不是有效的行政区划代码（GB/T 2260）"), NULL;
		if (!yj_scope_allows(sc, s, NULL))
			return yj_field_error(errors, f->name, "超出您的管辖范围"), NULL;
		return json_string(s);
	case RT_REF: {
		int64_t id;
		char ids[21];
		if (!text_ok || resolve_ref(c, f, sc, s, &id) != ST_OK) {
			snprintf(msg, sizeof msg, "找不到该%s（或不在您的管辖范围内）", yj_reg_kinds[f->ref_kind]->label);
			return yj_field_error(errors, f->name, msg), NULL;
		}
		yj_id_format(id, ids);
		return json_string(ids);
	}
	case RT_COORD: {
		char *end;
		double d = json_is_number(v) ? json_number_value(v) : (text_ok ? strtod(s, &end) : NAN);
		if (json_is_string(v) && (!*s || *end))
			d = NAN;
		if (!isfinite(d) || fabs(d) > f->max) {
			snprintf(msg, sizeof msg, "应为 -%d 到 %d 之间的度数", f->max, f->max);
			return yj_field_error(errors, f->name, msg), NULL;
		}
		snprintf(buf, sizeof buf, "%.6f", d);
		if (f->check && (why = f->check(buf)))
			return yj_field_error(errors, f->name, why), NULL;
		return json_real(round(d * 1e6) / 1e6);
	}
	case RT_CODES:
		break; /* handled above; anything else is the wrong type */
	}
	snprintf(msg, sizeof msg, "类型不正确");
	return yj_field_error(errors, f->name, msg), NULL;
}

static int empty_value(const json_t *v)
{
	return !v || json_is_null(v) || (json_is_string(v) && !json_string_length(v)) ||
	       (json_is_array(v) && !json_array_size(v));
}

static json_t *default_value(const reg_field *f)
{
	switch (f->type) {
	case RT_INT:
		return json_integer(0);
	case RT_BOOL:
		return json_false();
	case RT_CODES:
		return json_array();
	default:
		return json_null();
	}
}

json_t *yj_reg_validate(store_conn *c, const reg_kind *k, const yj_scope *sc, const json_t *in, int from_text,
			const json_t *existing, json_t *errors)
{
	json_t *rec = json_object();
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)in, key, v) {
		const reg_field *f = k->fields;
		while (f->name && strcmp(f->name, key) != 0)
			f++;
		if (!f->name)
			yj_field_error(errors, key, "未知字段，请删除");
	}
	for (const reg_field *f = k->fields; f->name; f++) {
		v = json_object_get(in, f->name);
		int from_store = !v && existing && stored(f);
		if (from_store)
			v = json_object_get(existing, f->name);
		if (empty_value(v)) {
			if (f->required)
				yj_field_error(errors, f->name, "必填");
			json_object_set_new(rec, f->name, default_value(f));
			continue;
		}
		json_t *ok = check_value(c, f, sc, v, from_text && !from_store, errors);
		json_object_set_new(rec, f->name, ok ? ok : json_null());
	}
	for (const reg_derived *d = k->derived; existing && d && d->column; d++) {
		json_t *dv = json_object_get(existing, d->column);
		json_object_set(rec, d->column, dv ? dv : json_null());
	}
	if (k->derive && !json_array_size(errors))
		k->derive(c, sc, rec, errors);
	for (const reg_derived *d = k->derived; d && d->column; d++)
		if (!json_object_get(rec, d->column))
			json_object_set_new(rec, d->column, json_null());
	return rec;
}

/* ---- storage ---- */

static int bind_value(store_stmt *st, int idx, reg_type t, const json_t *v)
{
	if (!v || json_is_null(v))
		return store_bind_null(st, idx);
	switch (t) {
	case RT_INT:
		return store_bind_int64(st, idx, json_integer_value(v));
	case RT_BOOL:
		return store_bind_int64(st, idx, json_is_true(v));
	case RT_REF: {
		int64_t id = 0;
		yj_id_parse(json_string_value(v), &id);
		return store_bind_int64(st, idx, id);
	}
	case RT_COORD:
		return store_bind_int64(st, idx, (int64_t)llround(json_number_value(v) * 1e6));
	case RT_CODES: {
		yj_buf b = YJ_BUF_INIT;
		size_t i;
		json_t *e;
		json_array_foreach(v, i, e) yj_buf_printf(&b, "%s%s", i ? "," : "", json_string_value(e));
		int rc = store_bind_text(st, idx, b.data ? b.data : "", -1);
		yj_buf_free(&b);
		return rc;
	}
	default:
		if (json_is_integer(v)) {
			return store_bind_int64(st, idx, json_integer_value(v));
		}
		return store_bind_text(st, idx, json_string_value(v), -1);
	}
}

static json_t *read_value(store_stmt *st, int col, reg_type t)
{
	if (store_col_is_null(st, col))
		return t == RT_CODES ? json_array() : json_null();
	switch (t) {
	case RT_INT:
		return json_integer(store_col_int64(st, col));
	case RT_BOOL:
		return json_boolean(store_col_int64(st, col) != 0);
	case RT_REF: {
		char ids[21];
		yj_id_format(store_col_int64(st, col), ids);
		return json_string(ids);
	}
	case RT_COORD:
		return json_real((double)store_col_int64(st, col) / 1e6);
	case RT_CODES: {
		json_t *a = json_array();
		char *s = yj_strdup(store_col_text(st, col)), *save = NULL;
		for (char *t2 = strtok_r(s, ",", &save); t2; t2 = strtok_r(NULL, ",", &save))
			json_array_append_new(a, json_string(t2));
		free(s);
		return a;
	}
	default:
		return json_string(store_col_text(st, col));
	}
}

json_t *yj_reg_row(const reg_kind *k, store_stmt *st)
{
	char ids[21];
	yj_id_format(store_col_int64(st, 0), ids);
	json_t *rec = json_pack("{s:s, s:I, s:I, s:I}", "id", ids, "version", (json_int_t)store_col_int64(st, 1),
				"created_at", (json_int_t)store_col_int64(st, 2), "updated_at",
				(json_int_t)store_col_int64(st, 3));
	int col = 4;
	for (const reg_field *f = k->fields; f->name; f++)
		if (stored(f))
			json_object_set_new(rec, f->name, read_value(st, col++, f->type));
	for (const reg_derived *d = k->derived; d && d->column; d++)
		json_object_set_new(rec, d->column, read_value(st, col++, d->type));
	return rec;
}

json_t *yj_reg_public(const reg_kind *k, const json_t *rec, const yj_principal *who)
{
	json_t *out = json_deep_copy(rec);
	for (const reg_derived *d = k->derived; d && d->column; d++)
		if (d->hidden)
			json_object_del(out, d->column);
	for (const reg_field *f = k->fields; f->name; f++)
		if (!stored(f))
			json_object_del(out, f->name);
	if (k->present)
		k->present(out, who);
	return out;
}

/* Binds the field and derived values of rec from index first on; returns the next index. */
static int bind_record(store_stmt *st, const reg_kind *k, const json_t *rec, int idx)
{
	for (const reg_field *f = k->fields; f->name; f++)
		if (stored(f))
			bind_value(st, idx++, f->type, json_object_get(rec, f->name));
	for (const reg_derived *d = k->derived; d && d->column; d++)
		bind_value(st, idx++, d->type, json_object_get(rec, d->column));
	return idx;
}

static int step_done(store_stmt *st)
{
	if (!st)
		return ST_ERR;
	int rc = store_step(st);
	store_finalize(st);
	return rc == ST_DONE ? ST_OK : rc < 0 ? rc : ST_ERR;
}

/* Splits s into code points: starts[0..n-1] begin them and starts[n] ends the last; at most cap. */
static size_t code_points(const char *s, const char **starts, size_t cap)
{
	size_t n = 0;
	const unsigned char *p = (const unsigned char *)s;
	for (; *p && n < cap; n++) {
		starts[n] = (const char *)p;
		p++;
		while ((*p & 0xC0) == 0x80)
			p++;
	}
	starts[n] = (const char *)p;
	return n;
}

/* The name index holds the distinct single characters and bigrams (in code points) of a name. */
static char *gram_at(const char **cp, size_t i, int len)
{
	return yj_strndup(cp[i], (size_t)(cp[i + (size_t)len] - cp[i]));
}

/* Writes the grams of name for record id; fresh (a new record) skips deleting the old ones. */
static int index_name(store_conn *c, const reg_kind *k, int64_t id, const char *name, int fresh)
{
	store_stmt *st;
	int rc = ST_OK;
	if (!fresh) {
		st = store_prepare(c, "DELETE FROM name_grams WHERE object_type = ? AND object_id = ?");
		if (!st)
			return ST_ERR;
		store_bind_text(st, 1, k->type, -1);
		store_bind_int64(st, 2, id);
		rc = step_done(st);
	}
	if (rc < 0 || !name)
		return rc;
	const char *cp[257];
	size_t n = code_points(name, cp, 256);
	json_t *seen = json_object(); /* distinct grams */
	for (size_t i = 0; i < n; i++)
		for (int len = 1; len <= 2 && i + (size_t)len <= n; len++) {
			char *g = gram_at(cp, i, len);
			json_object_set_new(seen, g, json_true());
			free(g);
		}
	/* All grams in one multi-row INSERT: one round trip on PostgreSQL instead of one per gram.
	 * The statement text depends only on the count, so the cache holds a few dozen variants. */
	size_t ng = json_object_size(seen);
	if (ng == 0)
		goto done;
	yj_buf sql = YJ_BUF_INIT;
	yj_buf_puts(&sql, "INSERT INTO name_grams (gram, object_type, object_id) VALUES ");
	for (size_t i = 0; i < ng; i++)
		yj_buf_puts(&sql, i ? ", (?, ?, ?)" : "(?, ?, ?)");
	st = store_prepare(c, sql.data);
	yj_buf_free(&sql);
	if (!st) {
		rc = ST_ERR;
		goto done;
	}
	const char *g;
	json_t *v;
	int idx = 1;
	json_object_foreach(seen, g, v) {
		store_bind_text(st, idx++, g, -1);
		store_bind_text(st, idx++, k->type, -1);
		store_bind_int64(st, idx++, id);
	}
	rc = step_done(st);
done:
	json_decref(seen);
	return rc;
}

static void name_word_filter(yj_qb *q, const reg_kind *k, const char *alias, const char *text)
{
	const char *cp[65];
	size_t n = code_points(text, cp, 64);
	if (n == 0)
		return;
	/* At most four grams narrow enough; each is an index range scan of name_grams. */
	yj_buf cond = YJ_BUF_INIT;
	char *grams[4];
	int ng = 0;
	if (n == 1) {
		grams[ng++] = gram_at(cp, 0, 1);
	} else {
		size_t step = (n - 1) <= 4 ? 1 : (n - 1 + 3) / 4;
		for (size_t i = 0; i + 1 < n && ng < 4; i += step)
			grams[ng++] = gram_at(cp, i, 2);
	}
	/* One IN per gram rather than an INTERSECT: each subquery is unique on object_id (the key of
	 * name_grams with gram and object_type fixed), so PostgreSQL joins the posting lists in id order
	 * and stops at the page's end; an INTERSECT is computed whole before the first row comes out. */
	for (int i = 0; i < ng; i++)
		yj_buf_printf(&cond, "%s%sid IN (SELECT object_id FROM name_grams WHERE gram = ? AND object_type = '%s')",
			      i ? " AND " : "", alias, k->type);
	yj_q_where(q, cond.data);
	for (int i = 0; i < ng; i++) {
		yj_q_text(q, grams[i]);
		free(grams[i]);
	}
	yj_buf_reset(&cond);
	/* The grams may occur apart; LIKE confirms the contiguous substring. */
	yj_buf pat = YJ_BUF_INIT;
	yj_buf_puts(&pat, "%");
	for (const char *p = text; *p; p++) {
		if (*p == '%' || *p == '_' || *p == '\\')
			yj_buf_append(&pat, "\\", 1);
		yj_buf_append(&pat, p, 1);
	}
	yj_buf_puts(&pat, "%");
	yj_buf_printf(&cond, "%s%s LIKE ? ESCAPE '\\'", alias, k->name_field);
	yj_q_where(q, cond.data);
	yj_q_text(q, pat.data);
	yj_buf_free(&pat);
	yj_buf_free(&cond);
}

/* Words are split at ASCII and ideographic spaces (U+3000): "鹿城 中医" finds names holding both, in
 * any order, as a person types them. At most four words count. */
void yj_reg_name_filter(yj_qb *q, const reg_kind *k, const char *alias, const char *text)
{
	char *copy = yj_strdup(text), *p = copy;
	int words = 0;
	while (*p && words < 4) {
		while (*p == ' ' || *p == '\t' || !strncmp(p, "\xe3\x80\x80", 3))
			p += *p == ' ' || *p == '\t' ? 1 : 3;
		if (!*p)
			break;
		char *w = p;
		while (*p && *p != ' ' && *p != '\t' && strncmp(p, "\xe3\x80\x80", 3))
			p++;
		char keep = *p;
		*p = '\0';
		name_word_filter(q, k, alias, w);
		words++;
		*p = keep;
	}
	free(copy);
}

static int write_history(store_conn *c, const reg_kind *k, int64_t id, int64_t version, int64_t at, const char *actor,
			 const json_t *pub, const json_t *changes)
{
	char *state = yj_json_canonical(pub), *ch = yj_json_canonical(changes);
	store_stmt *st = store_prepare(c, "INSERT INTO record_history (id, object_type, object_id, version, at, actor,"
					  " region_code, state, changes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
	int rc = ST_ERR;
	if (st) {
		store_bind_int64(st, 1, yj_id_new());
		store_bind_text(st, 2, k->type, -1);
		store_bind_int64(st, 3, id);
		store_bind_int64(st, 4, version);
		store_bind_int64(st, 5, at);
		store_bind_text(st, 6, actor, -1);
		store_bind_text(st, 7, json_string_value(json_object_get(pub, k->region_field)), -1);
		store_bind_text(st, 8, state, -1);
		store_bind_text(st, 9, ch, -1);
		rc = step_done(st);
	}
	free(state);
	free(ch);
	return rc;
}

static int audit(store_conn *c, const reg_kind *k, const char *verb, const char *actor, const json_t *pub)
{
	char action[64];
	snprintf(action, sizeof action, "%s.%s", k->type, verb);
	yj_audit_event ev = {actor, action, k->type, json_string_value(json_object_get(pub, "id")),
			     json_string_value(json_object_get(pub, k->region_field)), pub};
	/* A practitioner's birth date could be guessed against a plain hash of the state. */
	int rc = yj_pii_in_state(pub) ? yj_audit_append_keyed(c, &ev, NULL) : yj_audit_append(c, &ev, NULL);
	/* Which subject and what happened; a subscriber reads the subject itself through registry.h
	 * (the payload carries no personal data). */
	const char *type = !strcmp(verb, "create") ? "registry.subject_created" : "registry.subject_changed";
	json_t *payload = json_pack("{s:s, s:s}", "kind", k->type, "change", verb);
	if (rc >= 0)
		rc = yj_event_emit(c, &(yj_event){type, k->type, ev.object_id, ev.region_code, actor, payload}, NULL);
	json_decref(payload);
	return rc;
}

int yj_reg_insert(store_conn *c, const reg_kind *k, json_t *rec, const char *actor, int64_t *id)
{
	int64_t now = yj_now_ms();
	char ids[21];
	*id = yj_id_new();
	yj_id_format(*id, ids);
	store_stmt *st = store_prepare(c, sql_of(k)->insert);
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, *id);
	store_bind_int64(st, 2, 1);
	store_bind_int64(st, 3, now);
	store_bind_int64(st, 4, now);
	bind_record(st, k, rec, 5);
	int rc = step_done(st);
	if (rc < 0)
		return rc;
	json_object_set_new(rec, "id", json_string(ids));
	json_object_set_new(rec, "version", json_integer(1));
	json_object_set_new(rec, "created_at", json_integer(now));
	json_object_set_new(rec, "updated_at", json_integer(now));
	json_t *pub = yj_reg_public(k, rec, NULL), *none = json_object();
	rc = write_history(c, k, *id, 1, now, actor, pub, none);
	if (rc >= 0)
		rc = index_name(c, k, *id, json_string_value(json_object_get(rec, k->name_field)), 1);
	if (rc >= 0)
		rc = audit(c, k, "create", actor, pub);
	json_decref(pub);
	json_decref(none);
	return rc;
}

/* {field: [old, new]} over the visible fields of two public records. */
static json_t *diff(const json_t *before, const json_t *after)
{
	json_t *ch = json_object();
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)after, key, v) {
		if (!strcmp(key, "version") || !strcmp(key, "updated_at") || !strcmp(key, "created_at"))
			continue;
		json_t *old = json_object_get(before, key);
		if (!old || !json_equal(old, v))
			json_object_set_new(ch, key, json_pack("[OO]", old ? old : json_null(), v));
	}
	return ch;
}

/* before with rec's values over it, non-stored fields dropped (new reference): what an update
 * would store. Stored columns are compared hidden ones included (a new ID number changes only
 * ciphertext). */
static json_t *merge_stored(const reg_kind *k, const json_t *before, const json_t *rec)
{
	json_t *merged = json_deep_copy(before);
	json_object_update(merged, (json_t *)rec);
	for (const reg_field *f = k->fields; f->name; f++)
		if (!stored(f))
			json_object_del(merged, f->name);
	return merged;
}

int yj_reg_differs(const reg_kind *k, const json_t *before, const json_t *rec)
{
	json_t *merged = merge_stored(k, before, rec);
	int differs = !json_equal(merged, before);
	json_decref(merged);
	return differs;
}

int yj_reg_update(store_conn *c, const reg_kind *k, const yj_scope *sc, int64_t id, int64_t expected_version,
		  json_t *rec, const char *actor, int *changed)
{
	json_t *before = NULL;
	*changed = 0;
	int rc = yj_reg_load(c, k, sc, id, &before);
	if (rc < 0)
		return rc;
	if (json_integer_value(json_object_get(before, "version")) != expected_version) {
		json_decref(before);
		return ST_NOTFOUND;
	}
	json_t *old_pub = yj_reg_public(k, before, NULL);
	json_t *merged = merge_stored(k, before, rec);
	if (json_equal(merged, before)) {
		json_object_update(rec, before);
		rc = ST_OK;
		goto done;
	}
	int64_t now = yj_now_ms(), version = expected_version + 1;
	yj_table t;
	yj_reg_table(k, &t);
	store_stmt *st = store_prepare(c, sql_of(k)->update);
	if (!st) {
		rc = ST_ERR;
		goto done;
	}
	store_bind_int64(st, 1, version);
	store_bind_int64(st, 2, now);
	int idx = bind_record(st, k, merged, 3);
	store_bind_int64(st, idx++, id);
	store_bind_int64(st, idx, expected_version);
	if ((rc = store_step(st)) == ST_DONE && store_changes(st) == 0)
		rc = ST_NOTFOUND;
	store_finalize(st);
	if (rc < 0)
		goto done;
	json_object_set_new(merged, "version", json_integer(version));
	json_object_set_new(merged, "updated_at", json_integer(now));
	json_t *pub = yj_reg_public(k, merged, NULL), *ch = diff(old_pub, pub);
	rc = write_history(c, k, id, version, now, actor, pub, ch);
	const char *old_name = json_string_value(json_object_get(before, k->name_field));
	const char *new_name = json_string_value(json_object_get(merged, k->name_field));
	if (rc >= 0 && (!old_name || !new_name || strcmp(old_name, new_name)))
		rc = index_name(c, k, id, new_name, 0);
	if (rc >= 0)
		rc = audit(c, k, "update", actor, pub);
	json_decref(pub);
	json_decref(ch);
	if (rc >= 0) {
		*changed = 1;
		json_object_update(rec, merged);
		rc = ST_OK;
	}
done:
	json_decref(before);
	json_decref(old_pub);
	json_decref(merged);
	return rc;
}

static json_t *kind_row(store_stmt *st, void *k)
{
	return yj_reg_row(k, st);
}

int yj_reg_load(store_conn *c, const reg_kind *k, const yj_scope *sc, int64_t id, json_t **out)
{
	yj_table t;
	yj_reg_table(k, &t);
	yj_qb *q = yj_q_select(&t, yj_reg_columns(k), sc);
	yj_q_where(q, "id = ?");
	yj_q_int(q, id);
	return yj_row_one(yj_q_prepare(q, c), kind_row, (void *)k, out);
}

int yj_reg_find_key(store_conn *c, const reg_kind *k, const char *key, int64_t *id, int64_t *version,
		    char region[16])
{
	char *sql = yj_asprintf("SELECT id, version, %s FROM %s WHERE %s = ?", k->region_field, k->table, k->key_field);
	store_stmt *st = store_prepare(c, sql);
	free(sql);
	if (!st)
		return ST_ERR;
	store_bind_text(st, 1, key, -1);
	int rc = store_step(st);
	if (rc == ST_ROW) {
		*id = store_col_int64(st, 0);
		*version = store_col_int64(st, 1);
		snprintf(region, 16, "%s", store_col_text(st, 2));
		rc = ST_OK;
	} else if (rc == ST_DONE) {
		rc = ST_NOTFOUND;
	}
	store_finalize(st);
	return rc;
}

/* ---- history ---- */

static const yj_table history_table = {"record_history", "region_code", NULL,
					  "(object_type = 'institution' AND object_id IN ({S})) OR (object_type = 'practitioner'"
					  " AND object_id IN (SELECT id FROM practitioners WHERE institution_id IN ({S})))"};

int yj_reg_history(store_conn *c, const reg_kind *k, const yj_scope *sc, int64_t id, int64_t below, int limit,
		   json_t **out)
{
	yj_qb *q = yj_q_select(&history_table, "version, at, actor, changes", sc);
	yj_q_where(q, "object_type = ? AND object_id = ? AND version < ?");
	yj_q_text(q, k->type);
	yj_q_int(q, id);
	yj_q_int(q, below);
	yj_q_tail(q, "ORDER BY version DESC LIMIT ?");
	yj_q_int(q, limit);
	store_stmt *st = yj_q_prepare(q, c);
	if (!st)
		return ST_ERR;
	json_t *items = json_array();
	int rc;
	while ((rc = store_step(st)) == ST_ROW) {
		json_t *ch = json_loads(store_col_text(st, 3), 0, NULL);
		json_array_append_new(items, json_pack("{s:I, s:I, s:s, s:o}", "version", (json_int_t)store_col_int64(st, 0),
						       "at", (json_int_t)store_col_int64(st, 1), "actor",
						       store_col_text(st, 2), "changes", ch ? ch : json_object()));
	}
	store_finalize(st);
	if (rc < 0 || (json_array_size(items) == 0 && below == INT64_MAX)) {
		json_decref(items);
		return rc < 0 ? rc : ST_NOTFOUND;
	}
	*out = items;
	return ST_OK;
}

int yj_reg_as_of(store_conn *c, const reg_kind *k, const yj_scope *sc, int64_t id, int64_t at, json_t **out)
{
	yj_qb *q = yj_q_select(&history_table, "state", sc);
	yj_q_where(q, "object_type = ? AND object_id = ? AND at <= ?");
	yj_q_text(q, k->type);
	yj_q_int(q, id);
	yj_q_int(q, at);
	yj_q_tail(q, "ORDER BY version DESC LIMIT 1");
	store_stmt *st = yj_q_prepare(q, c);
	if (!st)
		return ST_ERR;
	int rc = store_step(st);
	if (rc == ST_ROW) {
		*out = json_loads(store_col_text(st, 0), 0, NULL);
		rc = *out ? ST_OK : ST_ERR;
	} else if (rc == ST_DONE) {
		rc = ST_NOTFOUND;
	}
	store_finalize(st);
	return rc;
}

/* ---- conflicts ---- */

static int value_taken(store_conn *c, const reg_kind *k, const char *col, const json_t *v, reg_type t, int64_t id)
{
	if (!v || json_is_null(v))
		return 0;
	char *sql = yj_asprintf("SELECT COUNT(*) FROM %s WHERE %s = ? AND id <> ?", k->table, col);
	store_stmt *st = store_prepare(c, sql);
	free(sql);
	if (!st)
		return 0;
	bind_value(st, 1, t, v);
	store_bind_int64(st, 2, id);
	int taken = store_step(st) == ST_ROW && store_col_int64(st, 0) > 0;
	store_finalize(st);
	return taken;
}

const char *yj_reg_conflict_field(store_conn *c, const reg_kind *k, const json_t *rec, int64_t id)
{
	for (const reg_field *f = k->fields; f->name; f++)
		if (f->unique && stored(f) && value_taken(c, k, col_of(f), json_object_get(rec, f->name), f->type, id))
			return f->name;
	for (const reg_derived *d = k->derived; d && d->column; d++)
		if (d->unique_as && value_taken(c, k, d->column, json_object_get(rec, d->column), d->type, id))
			return d->unique_as;
	return NULL;
}
