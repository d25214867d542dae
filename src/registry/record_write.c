/* record_write.c — a registry row written straight into a response body as the JSON that
 * yj_reg_public_take(k, yj_reg_row(k, st), who) would dump, byte for byte, without a jansson tree
 * per row: building and serialising that tree was half of yijian's CPU on an institution search
 * (issue 15, docs/benchmarks.md). Masking stays the kind's present hook (yj_pii_present for people). */
#include "reg_int.h"

#include <string.h>

static int in_list(const char *const *list, const char *name)
{
	for (; list && *list; list++)
		if (!strcmp(*list, name))
			return 1;
	return 0;
}

/* The value of column col as reg_read_value reads it, written as jansson would dump that value. */
static void write_value(yj_buf *b, store_stmt *st, int col, reg_type t)
{
	if (store_col_is_null(st, col)) {
		if (t == RT_CODES)
			yj_buf_append(b, "[]", 2);
		else
			yj_buf_append(b, "null", 4);
		return;
	}
	switch (t) {
	case RT_INT:
		yj_jw_int(b, store_col_int64(st, col));
		break;
	case RT_BOOL:
		if (store_col_int64(st, col) != 0)
			yj_buf_append(b, "true", 4);
		else
			yj_buf_append(b, "false", 5);
		break;
	case RT_REF: /* the decimal id as a string (yj_id_format's digits, without printf) */
		yj_buf_append(b, "\"", 1);
		yj_jw_int(b, store_col_int64(st, col));
		yj_buf_append(b, "\"", 1);
		break;
	case RT_COORD:
		yj_jw_e6(b, store_col_int64(st, col));
		break;
	case RT_CODES: {
		/* "a,b" as ["a","b"]; empty items are skipped, as strtok_r skips them in reg_read_value. */
		const char *s = store_col_text(st, col);
		int n = 0;
		yj_buf_append(b, "[", 1);
		while (s && *s) {
			size_t len = strcspn(s, ",");
			if (len) {
				if (n++)
					yj_buf_append(b, ",", 1);
				yj_jw_str(b, s, len);
			}
			s += len + (s[len] == ',');
		}
		yj_buf_append(b, "]", 1);
		break;
	}
	default:
		yj_jw_cstr(b, store_col_text(st, col));
	}
}

/* One member: a comma unless it is the first, the key, and the value of column col (or of the
 * presented object when the column is one of the kind's presented ones: absent there, nothing). */
static void member(yj_buf *b, const reg_kind *k, const json_t *shown, const char *name, store_stmt *st, int col,
		   reg_type t)
{
	if (shown && in_list(k->presented, name)) {
		const json_t *v = json_object_get(shown, name);
		if (!v)
			return;
		yj_buf_append(b, ",", 1);
		yj_jw_key(b, name);
		yj_jw_json(b, v);
		return;
	}
	yj_buf_append(b, ",", 1);
	yj_jw_key(b, name);
	write_value(b, st, col, t);
}

int reg_row_write(const reg_kind *k, store_stmt *st, const yj_principal *who, yj_buf *b, char id[21])
{
	if (k->present && !k->presented)
		return 0;
	/* The presented columns alone go through the kind's present hook, in the order of the row. */
	json_t *shown = NULL;
	if (k->present) {
		shown = json_object();
		int col = 4;
		for (const reg_field *f = k->fields; f->name; f++)
			if (reg_stored(f)) {
				if (in_list(k->presented, f->name))
					json_object_set_new(shown, f->name, reg_read_value(st, col, f->type));
				col++;
			}
		for (const reg_derived *d = k->derived; d && d->column; d++, col++)
			if (!d->hidden && in_list(k->presented, d->column))
				json_object_set_new(shown, d->column, reg_read_value(st, col, d->type));
		k->present(shown, who);
	}
	yj_buf_append(b, "{\"id\":\"", 7);
	size_t at = b->len;
	yj_jw_int(b, store_col_int64(st, 0));
	size_t n = b->len - at < 20 ? b->len - at : 20;
	memcpy(id, b->data + at, n);
	id[n] = '\0';
	yj_buf_append(b, "\",\"version\":", 12);
	yj_jw_int(b, store_col_int64(st, 1));
	yj_buf_append(b, ",\"created_at\":", 14);
	yj_jw_int(b, store_col_int64(st, 2));
	yj_buf_append(b, ",\"updated_at\":", 14);
	yj_jw_int(b, store_col_int64(st, 3));
	int col = 4;
	for (const reg_field *f = k->fields; f->name; f++)
		if (reg_stored(f))
			member(b, k, shown, f->name, st, col++, f->type);
	for (const reg_derived *d = k->derived; d && d->column; d++, col++)
		if (!d->hidden)
			member(b, k, shown, d->column, st, col, d->type);
	/* Keys the hook added (birth_year) come last, where jansson appends a new key. */
	const char *key;
	json_t *v;
	json_object_foreach(shown, key, v) {
		if (!in_list(k->presented, key)) {
			yj_buf_append(b, ",", 1);
			yj_jw_key(b, key);
			yj_jw_json(b, v);
		}
	}
	json_decref(shown);
	yj_buf_append(b, "}", 1);
	return 1;
}
