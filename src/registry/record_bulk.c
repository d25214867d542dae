/* record_bulk.c — the bulk path of record creation (record.h: yj_reg_insert_many), for an import's
 * publication: the rows, their version 1 history and their name index in multi-row INSERTs on SQLite
 * and one COPY each on PostgreSQL (store_copy_rows) rather than three statements per record; audit
 * leaves and events as yj_reg_insert makes them, in order. */
#define _POSIX_C_SOURCE 200809L
#include "reg_int.h"
#include "../base/id.h"
#include "../platform/audit/audit.h"

#include <stdlib.h>
#include <string.h>

/* PostgreSQL: one COPY, the rows streamed in ~64 KiB pieces; the server parses no statement and plans
 * nothing per row (not for a few rows, one record's grams: store_load_rows). SQLite: multi-row INSERTs. */
int reg_insert_rows(store_conn *c, const char *table, const char *columns, int ncols, size_t nrows,
		    reg_rows_bind_fn bind, void *arg)
{
	return store_load_rows(c, table, columns, ncols, nrows, bind, arg, 0);
}

int reg_insert_rows_async(store_conn *c, const char *table, const char *columns, int ncols, size_t nrows,
			  reg_rows_bind_fn bind, void *arg)
{
	return store_load_rows(c, table, columns, ncols, nrows, bind, arg, 1);
}

/* What the binders of one batch read: a prepared run (yj_reg_insert_prepare) and its writer's actor. */
struct yj_reg_prepared {
	const reg_kind *k;
	json_t *const *recs;
	json_t **pubs;
	int64_t *ids;
	char **states;	    /* canonical public records, for the history; NULL: the audit text's bytes */
	char **audit_texts; /* the same as the audit's state hash reads them (yj_audit_state_text) */
	const char **names; /* the names to index (borrowed from recs) */
	reg_grams *grams;   /* their grams, made with the rest of the run (off the writer's thread) */
	size_t n;
	const char *actor;
	int64_t now;
};
typedef struct yj_reg_prepared many;

static int bind_row(store_stmt *st, int idx, size_t row, void *arg)
{
	many *m = arg;
	store_bind_int64(st, idx++, m->ids[row]);
	store_bind_int64(st, idx++, 1);
	store_bind_int64(st, idx++, m->now);
	store_bind_int64(st, idx++, m->now);
	return reg_bind_record(st, m->k, m->recs[row], idx);
}

/* As record.c's write_history for a creation: version 1, no changes. The texts are the prepared
 * run's, which outlives the statement: bound, not copied (an import's eighth round). */
static int bind_history(store_stmt *st, int idx, size_t row, void *arg)
{
	many *m = arg;
	store_bind_int64(st, idx++, yj_id_new());
	store_bind_text_static(st, idx++, m->k->type, -1);
	store_bind_int64(st, idx++, m->ids[row]);
	store_bind_int64(st, idx++, 1);
	store_bind_int64(st, idx++, m->now);
	store_bind_text_static(st, idx++, m->actor, -1);
	store_bind_text_static(st, idx++, json_string_value(json_object_get(m->pubs[row], m->k->region_field)), -1);
	store_bind_text_static(st, idx++, m->states[row] ? m->states[row] : m->audit_texts[row], -1);
	store_bind_text_static(st, idx++, "{}", -1);
	return idx;
}

/* Whether v holds a real anywhere (yj_json_canonical writes reals with 12 digits, the audit's text
 * with jansson's default). */
static int has_real(const json_t *v)
{
	if (json_is_real(v))
		return 1;
	size_t i;
	const char *key;
	json_t *e;
	if (json_is_array(v))
		json_array_foreach(v, i, e) {
			if (has_real(e))
				return 1;
		}
	if (json_is_object(v))
		json_object_foreach((json_t *)v, key, e) {
			if (has_real(e))
				return 1;
		}
	return 0;
}

static int count_columns(const char *cols)
{
	int n = 1;
	for (const char *p = cols; *p; p++)
		n += *p == ',';
	return n;
}

yj_reg_prepared *yj_reg_insert_prepare(const reg_kind *k, json_t *const *recs, const int64_t *ids, size_t n)
{
	many *m = yj_calloc(1, sizeof *m);
	*m = (many){k, recs, yj_calloc(n ? n : 1, sizeof(json_t *)), yj_calloc(n ? n : 1, sizeof(int64_t)),
		    yj_calloc(n ? n : 1, sizeof(char *)), yj_calloc(n ? n : 1, sizeof(char *)),
		    yj_calloc(n ? n : 1, sizeof(const char *)), NULL, n, NULL, yj_now_ms()};
	for (size_t i = 0; i < n; i++) {
		char s[21];
		m->ids[i] = ids ? ids[i] : yj_id_new();
		yj_id_format(m->ids[i], s);
		json_object_set_new(recs[i], "id", json_string(s));
		json_object_set_new(recs[i], "version", json_integer(1));
		json_object_set_new(recs[i], "created_at", json_integer(m->now));
		json_object_set_new(recs[i], "updated_at", json_integer(m->now));
		/* A shallow copy is enough: making a record public with no caller only drops keys (the
		 * kinds' present hooks act for a caller), and the values are only read after. */
		m->pubs[i] = yj_reg_public_take(k, json_copy(recs[i]), NULL);
		/* The history's canonical text and the audit leaf's state text differ only in how reals
		 * are written: without one they are the same bytes, dumped once for both. */
		m->audit_texts[i] = yj_audit_state_text(m->pubs[i]);
		m->states[i] = has_real(m->pubs[i]) ? yj_json_canonical(m->pubs[i]) : NULL;
		m->names[i] = json_string_value(json_object_get(recs[i], k->name_field));
	}
	if (!ids)
		m->grams = reg_grams_make(k, m->ids, m->names, n);
	return m;
}

void yj_reg_prepared_free(yj_reg_prepared *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n; i++) {
		json_decref(m->pubs[i]);
		free(m->states[i]);
		free(m->audit_texts[i]);
	}
	free(m->pubs);
	free(m->ids);
	free(m->states);
	free(m->audit_texts);
	free(m->names);
	reg_grams_free(m->grams);
	free(m);
}

int yj_reg_insert_prepared(store_conn *c, yj_reg_prepared *m, const char *actor, int64_t *ids)
{
	if (!m->n)
		return ST_OK;
	const reg_kind *k = m->k;
	m->actor = actor;
	if (ids)
		memcpy(ids, m->ids, m->n * sizeof *ids);
	const char *cols = yj_reg_columns(k);
	/* The previous run's grams may still be going in (below): their result first, on this run's
	 * account, so a refusal still rolls the publication back. */
	int rc = store_copy_wait(c);
	if (rc >= 0)
		rc = reg_insert_rows(c, k->table, cols, count_columns(cols), m->n, bind_row, m);
	if (rc >= 0)
		rc = reg_insert_rows(c, "record_history",
				     "id, object_type, object_id, version, at, actor, region_code, state, changes", 9, m->n,
				     bind_history, m);
	if (rc >= 0 && m->grams)
		rc = reg_index_grams(c, m->grams, 1);
	/* The grams' COPY (PostgreSQL) is not waited for: the server inserts them — most of its work —
	 * while this client appends the audit leaves here and prepares the next run. The caller reads
	 * the result with store_copy_wait before anything relies on it. */
	for (size_t i = 0; i < m->n && rc >= 0; i++)
		rc = reg_audit_text(c, k, "create", actor, m->pubs[i], m->audit_texts[i]);
	return rc < 0 ? rc : ST_OK;
}

int yj_reg_insert_many(store_conn *c, const reg_kind *k, json_t *const *recs, size_t n, const char *actor,
		       int64_t *ids)
{
	if (!n)
		return ST_OK;
	many *m = yj_reg_insert_prepare(k, recs, NULL, n);
	int rc = yj_reg_insert_prepared(c, m, actor, ids);
	yj_reg_prepared_free(m);
	return rc;
}
