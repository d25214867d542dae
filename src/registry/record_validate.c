/* record_validate.c — turning JSON input, or a CSV row read as text, into a normalised registry
 * record (record.h: yj_reg_validate): types, codes of the vocabularies, dates, check digits, regions
 * and references in the caller's territory, every problem reported at once. */
#define _POSIX_C_SOURCE 200809L
#include "reg_int.h"
#include "../base/date.h"
#include "../base/id.h"
#include "../platform/regions/regions.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	int memo = reg_memo_ref(rk, v, id); /* an import's batch probed it */
	if (memo >= 0)
		return memo ? ST_OK : ST_NOTFOUND;
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
		int from_store = !v && existing && reg_stored(f);
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
