/* query.c — builds scoped SQL (see query.h). Binds are kept in two lists because the SET list of
 * an UPDATE precedes the WHERE clause in the text but is written by the caller after it. */
#include "query.h"
#include "../../base/base.h"
#include "../../base/id.h"

#include <stdlib.h>
#include <string.h>

enum { B_INT, B_TEXT, B_NULL };
typedef struct bind {
	int kind;
	char *text;
	int64_t num;
} bind;

typedef struct bind_list {
	bind *v;
	size_t n;
} bind_list;

struct yj_qb {
	const yj_table *t;
	int kind; /* 0 select, 1 update, 2 delete */
	int by_id; /* yj_q_one_by_id, yj_q_plan_once: a statement whose plan no value changes */
	yj_buf head;  /* SELECT … FROM t / UPDATE t / DELETE FROM t */
	yj_buf sets;  /* a = ?, b = ? */
	yj_buf where; /* conditions joined by AND */
	yj_buf tail;
	bind_list set_binds, where_binds;
	bind_list *current; /* where binds go next */
	char *sql;
};

static void push(bind_list *l, int kind, const char *text, int64_t num)
{
	l->v = yj_realloc(l->v, (l->n + 1) * sizeof *l->v);
	l->v[l->n].kind = kind;
	l->v[l->n].text = kind == B_TEXT ? yj_strdup(text) : NULL;
	l->v[l->n].num = num;
	l->n++;
}

/* A subtree of region codes as the half-open range [prefix, next prefix): codes are digits, which
 * sort the same under every collation, so a B-tree index serves it — unlike LIKE 'prefix%', which
 * PostgreSQL can index only under the C collation. */
static void add_range(yj_qb *q, const char *col, const char *prefix)
{
	char hi[16];
	size_t n = strlen(prefix);
	if (n >= sizeof hi)
		n = sizeof hi - 1;
	memcpy(hi, prefix, n);
	hi[n] = '\0';
	while (n > 0 && hi[n - 1] == '9')
		hi[--n] = '\0';
	yj_buf_printf(&q->where, " AND %s >= ?", col);
	push(&q->where_binds, B_TEXT, prefix, 0);
	if (n > 0) {
		hi[n - 1]++;
		yj_buf_printf(&q->where, " AND %s < ?", col);
		push(&q->where_binds, B_TEXT, hi, 0);
	}
}

void yj_q_region(yj_qb *q, const char *col, const char *code)
{
	char prefix[16];
	yj_region_prefix(code, prefix);
	add_range(q, col, prefix);
	q->current = &q->where_binds;
}

static int word_gap(const char *p)
{
	return *p == ' ' || *p == '\t' ? 1 : !strncmp(p, "\xe3\x80\x80", 3) ? 3 : 0;
}

/* The next word of *p (its start in *w, its length returned; 0 at the end), *p moved past it. */
static size_t next_word(const char **p, const char **w)
{
	int g;
	while ((g = word_gap(*p)))
		*p += g;
	*w = *p;
	while (**p && !word_gap(*p))
		(*p)++;
	return (size_t)(*p - *w);
}

void yj_q_words(yj_qb *q, const char *cond, int nbind, const char *text)
{
	const char *p = text ? text : "", *w;
	size_t n;
	for (int words = 0; words < 4 && (n = next_word(&p, &w)); words++) {
		char *pat = yj_asprintf("%%%.*s%%", (int)n, w);
		yj_q_where(q, cond);
		for (int i = 0; i < nbind; i++)
			yj_q_text(q, pat);
		free(pat);
	}
}

void yj_q_search(yj_qb *q, const char *const *cols, const char *const *id_cols, const char *text)
{
	const char *p = text ? text : "", *w;
	size_t n;
	for (int words = 0; words < 4 && (n = next_word(&p, &w)); words++) {
		/* "%word%" with LIKE's own characters escaped: a % or _ typed is looked for as itself. */
		yj_buf pat = YJ_BUF_INIT, cond = YJ_BUF_INIT;
		yj_buf_puts(&pat, "%");
		for (size_t i = 0; i < n; i++) {
			if (w[i] == '%' || w[i] == '_' || w[i] == '\\')
				yj_buf_append(&pat, "\\", 1);
			yj_buf_append(&pat, w + i, 1);
		}
		yj_buf_puts(&pat, "%");
		char *word = yj_strndup(w, n);
		int64_t id = 0;
		int is_id = id_cols && strspn(word, "0123456789") == n && yj_id_parse(word, &id) == 0;
		int k = 0;
		for (const char *const *c = cols; *c; c++)
			yj_buf_printf(&cond, "%s%s LIKE ? ESCAPE '\\'", k++ ? " OR " : "", *c);
		for (const char *const *c = id_cols; is_id && *c; c++)
			yj_buf_printf(&cond, "%s%s = ?", k++ ? " OR " : "", *c);
		yj_q_where(q, cond.data);
		for (const char *const *c = cols; *c; c++)
			yj_q_text(q, pat.data);
		for (const char *const *c = id_cols; is_id && *c; c++)
			yj_q_int(q, id);
		free(word);
		yj_buf_free(&pat);
		yj_buf_free(&cond);
	}
}

/* The subject condition of a subject-bound scope: cond with every {S} expanded to the bound ids (or
 * NULL, which matches nothing, for an empty set); a scoped table without a condition shows nothing. */
static void add_subjects(yj_qb *q, const yj_scope *sc)
{
	const char *cond = q->t->subject_cond;
	if (!cond) {
		if (q->t->region_col || q->t->dept_col)
			yj_buf_puts(&q->where, " AND 1=0");
		return;
	}
	yj_buf_puts(&q->where, " AND (");
	for (const char *p = cond; *p;) {
		const char *m = strstr(p, "{S}");
		if (!m) {
			yj_buf_puts(&q->where, p);
			break;
		}
		yj_buf_append(&q->where, p, (size_t)(m - p));
		for (int i = 0; i < sc->nsubjects; i++) {
			yj_buf_puts(&q->where, i ? ", ?" : "?");
			push(&q->where_binds, B_INT, NULL, sc->subjects[i]);
		}
		if (sc->nsubjects == 0)
			yj_buf_puts(&q->where, "NULL");
		p = m + 3;
	}
	yj_buf_puts(&q->where, ")");
}

static void add_scope(yj_qb *q, const yj_scope *sc)
{
	const yj_table *t = q->t;
	yj_buf_puts(&q->where, "1=1");
	if (sc->unrestricted)
		return;
	if (t->region_col)
		add_range(q, t->region_col, sc->region_prefix);
	if (t->dept_col && !sc->all_departments) {
		yj_buf_printf(&q->where, " AND %s IN (", t->dept_col);
		for (int i = 0; i < sc->ndepts; i++) {
			yj_buf_puts(&q->where, i ? ", ?" : "?");
			push(&q->where_binds, B_TEXT, sc->depts[i], 0);
		}
		if (sc->ndepts == 0)
			yj_buf_puts(&q->where, "NULL");
		yj_buf_puts(&q->where, ")");
	}
	if (sc->subject_bound)
		add_subjects(q, sc);
}

static yj_qb *q_new(const yj_table *t, int kind, const yj_scope *sc)
{
	yj_qb *q = yj_calloc(1, sizeof *q);
	q->t = t;
	q->kind = kind;
	q->current = &q->where_binds;
	add_scope(q, sc);
	return q;
}

yj_qb *yj_q_select(const yj_table *t, const char *columns, const yj_scope *sc)
{
	yj_qb *q = q_new(t, 0, sc);
	yj_buf_printf(&q->head, "SELECT %s FROM %s", columns, t->name);
	return q;
}

yj_qb *yj_q_update(const yj_table *t, const yj_scope *sc)
{
	yj_qb *q = q_new(t, 1, sc);
	yj_buf_printf(&q->head, "UPDATE %s SET ", t->name);
	return q;
}

yj_qb *yj_q_delete(const yj_table *t, const yj_scope *sc)
{
	yj_qb *q = q_new(t, 2, sc);
	yj_buf_printf(&q->head, "DELETE FROM %s", t->name);
	return q;
}

static void add_set(yj_qb *q, const char *col)
{
	if (q->sets.len)
		yj_buf_puts(&q->sets, ", ");
	yj_buf_printf(&q->sets, "%s = ?", col);
}

void yj_q_set_text(yj_qb *q, const char *col, const char *v)
{
	add_set(q, col);
	push(&q->set_binds, v ? B_TEXT : B_NULL, v, 0);
}

void yj_q_set_int(yj_qb *q, const char *col, int64_t v)
{
	add_set(q, col);
	push(&q->set_binds, B_INT, NULL, v);
}

void yj_q_where(yj_qb *q, const char *cond)
{
	yj_buf_printf(&q->where, " AND (%s)", cond);
	q->current = &q->where_binds;
}

void yj_q_plan_once(yj_qb *q)
{
	q->by_id = 1;
}

void yj_q_text(yj_qb *q, const char *v)
{
	push(q->current, v ? B_TEXT : B_NULL, v, 0);
}

void yj_q_int(yj_qb *q, int64_t v)
{
	push(q->current, B_INT, NULL, v);
}

void yj_q_tail(yj_qb *q, const char *sql)
{
	yj_buf_printf(&q->tail, " %s", sql);
	q->current = &q->where_binds;
}

const char *yj_q_sql(const yj_qb *q)
{
	yj_qb *m = (yj_qb *)q;
	free(m->sql);
	yj_buf b = YJ_BUF_INIT;
	yj_buf_append(&b, q->head.data, q->head.len);
	if (q->kind == 1)
		yj_buf_append(&b, q->sets.data ? q->sets.data : "", q->sets.len);
	yj_buf_puts(&b, " WHERE ");
	yj_buf_append(&b, q->where.data, q->where.len);
	if (q->tail.len)
		yj_buf_append(&b, q->tail.data, q->tail.len);
	m->sql = yj_buf_detach(&b);
	return m->sql;
}

static int bind_all(store_stmt *st, const bind_list *l, int *idx)
{
	for (size_t i = 0; i < l->n; i++, (*idx)++) {
		const bind *b = &l->v[i];
		int rc;
		if (b->kind == B_TEXT)
			rc = store_bind_text(st, *idx, b->text, -1);
		else if (b->kind == B_NULL)
			rc = store_bind_null(st, *idx);
		else
			rc = store_bind_int64(st, *idx, b->num);
		if (rc < 0)
			return rc;
	}
	return ST_OK;
}

store_stmt *yj_q_prepare(yj_qb *q, store_conn *c)
{
	store_stmt *st = NULL;
	if (q->kind == 1 && q->sets.len == 0)
		goto done; /* an UPDATE without SET is a programming error */
	st = store_prepare(c, yj_q_sql(q));
	if (!st)
		goto done;
	/* A list's plan depends on its values (the scope's range, a name's gram and pattern): store.h. */
	if (q->kind == 0 && !q->by_id)
		store_plan_each(st);
	int idx = 1;
	if (bind_all(st, &q->set_binds, &idx) < 0 || bind_all(st, &q->where_binds, &idx) < 0) {
		store_finalize(st);
		st = NULL;
	}
done:
	yj_q_free(q);
	return st;
}

static void free_binds(bind_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].text);
	free(l->v);
}

void yj_q_free(yj_qb *q)
{
	if (!q)
		return;
	yj_buf_free(&q->head);
	yj_buf_free(&q->sets);
	yj_buf_free(&q->where);
	yj_buf_free(&q->tail);
	free_binds(&q->set_binds);
	free_binds(&q->where_binds);
	free(q->sql);
	free(q);
}

int yj_q_one_by_id(store_conn *c, const yj_table *t, const char *columns, const yj_scope *sc, int64_t id,
		   store_stmt **out)
{
	yj_qb *q = yj_q_select(t, columns, sc);
	q->by_id = 1;
	yj_q_where(q, "id = ?");
	yj_q_int(q, id);
	store_stmt *st = yj_q_prepare(q, c);
	*out = NULL;
	if (!st)
		return ST_ERR;
	int rc = store_step(st);
	if (rc != ST_ROW) {
		store_finalize(st);
		return rc == ST_DONE ? ST_NOTFOUND : rc;
	}
	*out = st;
	return ST_OK;
}

/* ---- names by key ---- */

#define NAMES_CHUNK 500

/* One chunk: ids (when not NULL) or codes, n ≤ NAMES_CHUNK. */
static int names_chunk(store_conn *c, const char *select_in, const int64_t *ids, const char *const *codes, size_t n,
		       json_t *names)
{
	yj_buf sql = YJ_BUF_INIT;
	yj_buf_puts(&sql, select_in);
	for (size_t i = 0; i < n; i++)
		yj_buf_puts(&sql, i ? ", ?" : "?");
	yj_buf_puts(&sql, ")");
	store_stmt *st = store_prepare(c, sql.data);
	yj_buf_free(&sql);
	if (!st)
		return ST_ERR;
	for (size_t i = 0; i < n; i++) {
		if (ids)
			store_bind_int64(st, (int)i + 1, ids[i]);
		else
			store_bind_text(st, (int)i + 1, codes[i], -1);
	}
	int rc;
	while ((rc = store_step(st)) == ST_ROW) {
		char key[24];
		if (ids)
			yj_id_format(store_col_int64(st, 0), key);
		const char *k = ids ? key : store_col_text(st, 0), *name = store_col_text(st, 1);
		json_object_set_new(names, k ? k : "", json_string(name ? name : ""));
	}
	store_finalize(st);
	return rc < 0 ? rc : ST_OK;
}

int yj_q_names_by_id(store_conn *c, const char *select_in, const int64_t *ids, size_t n, json_t *names)
{
	for (size_t at = 0; at < n; at += NAMES_CHUNK) {
		int rc = names_chunk(c, select_in, ids + at, NULL, n - at < NAMES_CHUNK ? n - at : NAMES_CHUNK, names);
		if (rc < 0)
			return rc;
	}
	return ST_OK;
}

int yj_q_names_by_code(store_conn *c, const char *select_in, const char *const *codes, size_t n, json_t *names)
{
	for (size_t at = 0; at < n; at += NAMES_CHUNK) {
		int rc = names_chunk(c, select_in, NULL, codes + at, n - at < NAMES_CHUNK ? n - at : NAMES_CHUNK, names);
		if (rc < 0)
			return rc;
	}
	return ST_OK;
}
