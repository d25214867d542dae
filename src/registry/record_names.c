/* record_names.c — the name index of registry records: the distinct characters and bigrams of each
 * name in name_grams, written with the record, and the substring filter that narrows through it
 * before LIKE confirms (record.h: yj_reg_name_filter). */
#define _POSIX_C_SOURCE 200809L
#include "reg_int.h"

#include <stdlib.h>
#include <string.h>


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
int reg_index_name(store_conn *c, const reg_kind *k, int64_t id, const char *name, int fresh)
{
	store_stmt *st;
	int rc = ST_OK;
	if (!fresh) {
		st = store_prepare(c, "DELETE FROM name_grams WHERE object_type = ? AND object_id = ?");
		if (!st)
			return ST_ERR;
		store_bind_text(st, 1, k->type, -1);
		store_bind_int64(st, 2, id);
		rc = reg_step_done(st);
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
	rc = reg_step_done(st);
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
