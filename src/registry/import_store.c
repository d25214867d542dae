/* import_store.c — the import's batch probes (import_int.h): the records of a batch of natural keys
 * in two queries — their ids, versions and regions, then the stored records the caller may see — and
 * the records its references name and the holders of its unique values, kept for the batch's check
 * (reg_memo_*), so the check asks the database once per batch for each, instead of once per row. */
#define _POSIX_C_SOURCE 200809L
#include "import_int.h"
#include "reg_int.h"
#include "../base/id.h"
#include "../platform/pii/pii.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "col IN (?, ?, …)" for n values. */
static void in_list(yj_buf *b, const char *col, size_t n)
{
	yj_buf_printf(b, "%s IN (", col);
	for (size_t i = 0; i < n; i++)
		yj_buf_puts(b, i ? ", ?" : "?");
	yj_buf_puts(b, ")");
}

/* The records of the probed ids that scope sc shows, as yj_reg_load reads them, appended to their
 * hits ([id, version, region] → [id, version, region, record]); byid maps each id's text to its hit. */
static int load_records(store_conn *c, const reg_kind *k, const yj_scope *sc, json_t *byid)
{
	size_t n = json_object_size(byid);
	if (!n)
		return ST_OK;
	yj_buf cond = YJ_BUF_INIT;
	in_list(&cond, "id", n);
	yj_table t;
	yj_reg_table(k, &t);
	yj_qb *q = yj_q_select(&t, yj_reg_columns(k), sc);
	yj_q_where(q, cond.data);
	yj_buf_free(&cond);
	const char *ids;
	json_t *hit;
	json_object_foreach(byid, ids, hit)
		yj_q_int(q, (int64_t)json_integer_value(json_array_get(hit, 0)));
	store_stmt *st = yj_q_prepare(q, c);
	if (!st)
		return ST_ERR;
	int rc;
	while ((rc = store_step(st)) == ST_ROW) {
		json_t *rec = yj_reg_row(k, st);
		hit = json_object_get(byid, json_string_value(json_object_get(rec, "id")));
		if (hit)
			json_array_append_new(hit, rec);
		else
			json_decref(rec);
	}
	store_finalize(st);
	return rc == ST_DONE ? ST_OK : rc < 0 ? rc : ST_ERR;
}

int yj_import_probe_keys(store_conn *c, const reg_kind *k, const yj_scope *sc, const char *const *keys, size_t n,
			 json_t *found)
{
	if (!n)
		return ST_OK;
	yj_buf sql = YJ_BUF_INIT;
	yj_buf_printf(&sql, "SELECT %s, id, version, %s FROM %s WHERE %s IN (", k->key_field, k->region_field, k->table,
		      k->key_field);
	for (size_t i = 0; i < n; i++)
		yj_buf_puts(&sql, i ? ", ?" : "?");
	yj_buf_puts(&sql, ")");
	store_stmt *st = store_prepare(c, sql.data);
	yj_buf_free(&sql);
	if (!st)
		return ST_ERR;
	for (size_t i = 0; i < n; i++)
		store_bind_text(st, (int)i + 1, keys[i], -1);
	json_t *byid = json_object(); /* borrowed hits by id */
	int rc;
	while ((rc = store_step(st)) == ST_ROW) {
		const char *key = store_col_text(st, 0), *region = store_col_text(st, 3);
		int64_t id = store_col_int64(st, 1);
		json_t *hit = json_pack("[I, I, s]", (json_int_t)id, (json_int_t)store_col_int64(st, 2), region ? region : "");
		char ids[21];
		yj_id_format(id, ids);
		json_object_set(byid, ids, hit);
		json_object_set_new(found, key ? key : "", hit);
	}
	store_finalize(st);
	rc = rc == ST_DONE ? ST_OK : rc < 0 ? rc : ST_ERR;
	/* Only when a scope is given: without one (a caller of the first form) the rows load one by one. */
	if (rc == ST_OK && sc)
		rc = load_records(c, k, sc, byid);
	json_decref(byid);
	return rc;
}

/* ---- the batch's memo of references and unique values (reg_int.h, reg_memo_*) ---- */

/* On this thread during a batch's check: "ref\x1f<table>" → {value: [id, region] | null},
 * "region\x1f<table>" → {id text: region}, "taken\x1f<table>\x1f<column>" → {value: [holder ids]}. */
static _Thread_local json_t *memo;

static json_t *memo_map(const char *what, const char *table, const char *col, int create)
{
	if (!memo)
		return NULL;
	char name[160];
	snprintf(name, sizeof name, "%s\x1f%s\x1f%s", what, table, col ? col : "");
	json_t *m = json_object_get(memo, name);
	if (!m && create)
		json_object_set_new(memo, name, m = json_object());
	return m;
}

/* The records of rk whose ids are ids[0..n) and that sc shows (as yj_reg_load reads them): their
 * regions by id text into shown. */
static int probe_ref_ids(store_conn *c, const reg_kind *rk, const yj_scope *sc, const int64_t *ids, size_t n,
			 json_t *shown)
{
	if (!n)
		return ST_OK;
	yj_buf cond = YJ_BUF_INIT;
	in_list(&cond, "id", n);
	yj_table t;
	yj_reg_table(rk, &t);
	yj_qb *q = yj_q_select(&t, yj_reg_columns(rk), sc);
	yj_q_where(q, cond.data);
	yj_buf_free(&cond);
	for (size_t i = 0; i < n; i++)
		yj_q_int(q, ids[i]);
	store_stmt *st = yj_q_prepare(q, c);
	if (!st)
		return ST_ERR;
	int rc;
	while ((rc = store_step(st)) == ST_ROW) {
		json_t *rec = yj_reg_row(rk, st);
		const char *idtext = json_string_value(json_object_get(rec, "id"));
		const char *region = json_string_value(json_object_get(rec, rk->region_field));
		if (idtext)
			json_object_set_new(shown, idtext, json_string(region ? region : ""));
		json_decref(rec);
	}
	store_finalize(st);
	return rc == ST_DONE ? ST_OK : rc < 0 ? rc : ST_ERR;
}

/* The references of field f in the batch, resolved as resolve_ref (record_validate.c) does: by id
 * among the records sc shows, else by the referenced kind's natural key in a region sc allows. */
static int probe_refs(store_conn *c, const reg_field *f, const yj_scope *sc, json_t *const *in, size_t n)
{
	const reg_kind *rk = yj_reg_kinds[f->ref_kind];
	json_t *refs = memo_map("ref", rk->table, NULL, 1), *regions = memo_map("region", rk->table, NULL, 1);
	const char **vals = yj_calloc(n ? n : 1, sizeof *vals);
	int64_t *ids = yj_calloc(n ? n : 1, sizeof *ids);
	size_t nv = 0, ni = 0;
	for (size_t i = 0; i < n; i++) {
		const char *v = json_string_value(json_object_get(in[i], f->name));
		if (!v || !*v || json_object_get(refs, v))
			continue;
		json_object_set_new(refs, v, json_null()); /* until found */
		vals[nv++] = v;
		if (yj_id_parse(v, &ids[ni]) == 0)
			ni++;
	}
	json_t *shown = json_object(), *bykey = json_object();
	int rc = probe_ref_ids(c, rk, sc, ids, ni, shown);
	if (rc == ST_OK && nv) {
		yj_buf sql = YJ_BUF_INIT;
		yj_buf_printf(&sql, "SELECT %s, id, %s FROM %s WHERE ", rk->key_field, rk->region_field, rk->table);
		in_list(&sql, rk->key_field, nv);
		store_stmt *st = store_prepare(c, sql.data);
		yj_buf_free(&sql);
		if (!st)
			rc = ST_ERR;
		for (size_t i = 0; st && i < nv; i++)
			store_bind_text(st, (int)i + 1, vals[i], -1);
		while (st && (rc = store_step(st)) == ST_ROW) {
			const char *key = store_col_text(st, 0), *region = store_col_text(st, 2);
			json_object_set_new(bykey, key ? key : "",
					    json_pack("[I, s]", (json_int_t)store_col_int64(st, 1), region ? region : ""));
		}
		if (st) {
			store_finalize(st);
			rc = rc == ST_DONE ? ST_OK : rc < 0 ? rc : ST_ERR;
		}
	}
	for (size_t i = 0; rc == ST_OK && i < nv; i++) {
		int64_t id;
		char ids_[21] = "";
		json_t *hit = json_object_get(bykey, vals[i]);
		if (yj_id_parse(vals[i], &id) == 0)
			yj_id_format(id, ids_);
		if (ids_[0] && json_object_get(shown, ids_)) {
			const char *region = json_string_value(json_object_get(shown, ids_));
			json_object_set_new(refs, vals[i], json_pack("[I, s]", (json_int_t)id, region));
			json_object_set_new(regions, ids_, json_string(region));
		} else if (hit && yj_scope_allows(sc, json_string_value(json_array_get(hit, 1)), NULL)) {
			json_object_set(refs, vals[i], hit);
		}
		if (hit) { /* the stored region of a record, whatever the scope (reg_institution_region) */
			yj_id_format((int64_t)json_integer_value(json_array_get(hit, 0)), ids_);
			json_object_set(regions, ids_, json_array_get(hit, 1));
		}
	}
	json_decref(shown);
	json_decref(bykey);
	free(vals);
	free(ids);
	return rc;
}

/* The stored holders of the batch's values vals[0..n) of unique column col of k. */
static int probe_taken(store_conn *c, const reg_kind *k, const char *col, const char **vals, size_t n)
{
	json_t *held = memo_map("taken", k->table, col, 1);
	size_t nv = 0;
	for (size_t i = 0; i < n; i++)
		if (!json_object_get(held, vals[i])) {
			json_object_set_new(held, vals[i], json_array());
			vals[nv++] = vals[i];
		}
	if (!nv)
		return ST_OK;
	yj_buf sql = YJ_BUF_INIT;
	yj_buf_printf(&sql, "SELECT %s, id FROM %s WHERE ", col, k->table);
	in_list(&sql, col, nv);
	store_stmt *st = store_prepare(c, sql.data);
	yj_buf_free(&sql);
	if (!st)
		return ST_ERR;
	for (size_t i = 0; i < nv; i++)
		store_bind_text(st, (int)i + 1, vals[i], -1);
	int rc;
	while ((rc = store_step(st)) == ST_ROW) {
		json_t *ids = json_object_get(held, store_col_text(st, 0) ? store_col_text(st, 0) : "");
		if (ids)
			json_array_append_new(ids, json_integer(store_col_int64(st, 1)));
	}
	store_finalize(st);
	return rc == ST_DONE ? ST_OK : rc < 0 ? rc : ST_ERR;
}

int yj_import_probe_batch(store_conn *c, const reg_kind *k, const yj_scope *sc, json_t *const *in, size_t n)
{
	json_decref(memo);
	memo = json_object();
	int rc = ST_OK;
	const char **vals = yj_calloc(n ? n : 1, sizeof *vals);
	char(*hashes)[65] = yj_calloc(n ? n : 1, sizeof *hashes);
	for (const reg_field *f = k->fields; f->name && rc == ST_OK; f++) {
		if (f->type == RT_REF) {
			rc = probe_refs(c, f, sc, in, n);
			continue;
		}
		/* The key's holder came with the key probe (import_record.c asks no more of it). */
		if (!f->unique || !reg_stored(f) || f->type != RT_TEXT || !strcmp(f->name, k->key_field))
			continue;
		size_t nv = 0;
		for (size_t i = 0; i < n; i++) {
			const char *v = json_string_value(json_object_get(in[i], f->name));
			if (v && *v)
				vals[nv++] = v;
		}
		rc = probe_taken(c, k, reg_col_of(f), vals, nv);
	}
	/* A hidden unique derived column is the keyed hash of its input field (practitioner.c's derive
	 * of id_hash): hashed here as derive will, so the row's conflict check finds it probed. */
	for (const reg_derived *d = k->derived; d && d->column && rc == ST_OK; d++) {
		if (!d->unique_as || !d->hidden || d->type != RT_TEXT || !yj_pii_ready())
			continue;
		size_t nv = 0;
		for (size_t i = 0; i < n; i++) {
			const char *v = json_string_value(json_object_get(in[i], d->unique_as));
			if (v && *v) {
				yj_pii_hash(v, hashes[nv]);
				vals[nv] = hashes[nv];
				nv++;
			}
		}
		rc = probe_taken(c, k, d->column, vals, nv);
	}
	free(vals);
	free(hashes);
	return rc;
}

void yj_import_memo_end(void)
{
	json_decref(memo);
	memo = NULL;
}

int reg_memo_ref(const reg_kind *rk, const char *v, int64_t *id)
{
	json_t *hit = json_object_get(memo_map("ref", rk->table, NULL, 0), v);
	if (!hit)
		return -1;
	if (json_is_null(hit))
		return 0;
	*id = (int64_t)json_integer_value(json_array_get(hit, 0));
	return 1;
}

int reg_memo_region(const reg_kind *rk, int64_t id, char region[16])
{
	char ids[21];
	yj_id_format(id, ids);
	json_t *hit = json_object_get(memo_map("region", rk->table, NULL, 0), ids);
	if (!hit)
		return -1;
	snprintf(region, 16, "%s", json_string_value(hit));
	return 1;
}

int reg_memo_taken(const reg_kind *k, const char *col, const json_t *v, int64_t id)
{
	json_t *ids = json_is_string(v) ? json_object_get(memo_map("taken", k->table, col, 0), json_string_value(v)) : NULL;
	if (!ids)
		return -1;
	size_t i;
	json_t *h;
	json_array_foreach(ids, i, h)
		if (json_integer_value(h) != id)
			return 1;
	return 0;
}
