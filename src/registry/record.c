/* record.c — storage and history of registry records (see record.h): the SQL of each kind, generated
 * once from its field table so that a new field is one table row; rows to JSON and back; insert,
 * update with version history and audit leaf; reads, as-of and conflicts. Validation is
 * record_validate.c; the name index record_names.c. */
#define _POSIX_C_SOURCE 200809L
#include "reg_int.h"
#include "../platform/audit/audit.h"
#include "../platform/pii/pii.h"
#include "../base/date.h"
#include "../platform/events/events.h"
#include "../base/id.h"
#include "../platform/regions/regions.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const reg_kind *const yj_reg_kinds[YJ_NKINDS] = {
	&yj_institution_kind,	     &yj_practitioner_kind,	   &yj_public_place_kind, &yj_water_supply_kind,
	&yj_school_kind,	     &yj_employer_kind,		   &yj_occ_health_service_kind,
	&yj_radiation_user_kind,     &yj_pharmacy_kind,		   &yj_childcare_kind,
	&yj_disinfectant_maker_kind, &yj_unit_clinic_kind,	   &yj_pharma_company_kind,
};

const reg_kind *yj_reg_kind_named(const char *name)
{
	for (int i = 0; name && i < YJ_NKINDS; i++)
		if (!strcmp(yj_reg_kinds[i]->type, name))
			return yj_reg_kinds[i];
	return NULL;
}

/* ---- generated SQL ---- */

typedef struct kind_sql {
	char *columns; /* id, version, created_at, updated_at, <field columns>, <derived columns> */
	char *insert;
	char *update;
} kind_sql;

static kind_sql sqls[YJ_NKINDS];
static pthread_once_t sql_once = PTHREAD_ONCE_INIT;

static void build_sql(void)
{
	for (int i = 0; i < YJ_NKINDS; i++) {
		const reg_kind *k = yj_reg_kinds[i];
		yj_buf cols = YJ_BUF_INIT, marks = YJ_BUF_INIT, sets = YJ_BUF_INIT;
		yj_buf_puts(&cols, "id, version, created_at, updated_at");
		yj_buf_puts(&marks, "?, ?, ?, ?");
		yj_buf_puts(&sets, "version = ?, updated_at = ?");
		for (const reg_field *f = k->fields; f->name; f++) {
			if (!reg_stored(f))
				continue;
			yj_buf_printf(&cols, ", %s", reg_col_of(f));
			yj_buf_puts(&marks, ", ?");
			yj_buf_printf(&sets, ", %s = ?", reg_col_of(f));
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
	out->subject_cond = k == &yj_institution_kind ? "id IN ({S})"
			    : k == &yj_practitioner_kind ? "institution_id IN ({S})"
							 : NULL; /* the other kinds: none bound, nothing shown */
}

void yj_reg_filings_view(yj_table *out)
{
	*out = (yj_table){"practice_filings f JOIN practitioners p ON p.id = f.practitioner_id", "f.region_code", NULL,
			  "f.institution_id IN ({S})"};
}

/* ---- storage ---- */

/* A text value is bound, not copied (store_bind_text_static): every caller finalizes st before v can
 * change or go — a record's bind, step and finalize are one call each, and a bulk run's records
 * outlive its statements. A copy, a malloc and a free per text column were paid per imported row. */
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
		return store_bind_text_static(st, idx, json_string_value(v), -1);
	}
}

json_t *reg_read_value(store_stmt *st, int col, reg_type t)
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
		if (reg_stored(f))
			json_object_set_new(rec, f->name, reg_read_value(st, col++, f->type));
	for (const reg_derived *d = k->derived; d && d->column; d++)
		json_object_set_new(rec, d->column, reg_read_value(st, col++, d->type));
	return rec;
}

json_t *yj_reg_public(const reg_kind *k, const json_t *rec, const yj_principal *who)
{
	return yj_reg_public_take(k, json_deep_copy(rec), who);
}

/* The copy above was 14 % of a search request's CPU (perf, issue 15): a row read only to be shown is made
 * public in place. */
json_t *yj_reg_public_take(const reg_kind *k, json_t *out, const yj_principal *who)
{
	for (const reg_derived *d = k->derived; d && d->column; d++)
		if (d->hidden)
			json_object_del(out, d->column);
	for (const reg_field *f = k->fields; f->name; f++)
		if (!reg_stored(f))
			json_object_del(out, f->name);
	if (k->present)
		k->present(out, who);
	return out;
}

/* Binds the field and derived values of rec from index first on; returns the next index. */
int reg_bind_record(store_stmt *st, const reg_kind *k, const json_t *rec, int idx)
{
	for (const reg_field *f = k->fields; f->name; f++)
		if (reg_stored(f))
			bind_value(st, idx++, f->type, json_object_get(rec, f->name));
	for (const reg_derived *d = k->derived; d && d->column; d++)
		bind_value(st, idx++, d->type, json_object_get(rec, d->column));
	return idx;
}

int reg_step_done(store_stmt *st)
{
	if (!st)
		return ST_ERR;
	int rc = store_step(st);
	store_finalize(st);
	return rc == ST_DONE ? ST_OK : rc < 0 ? rc : ST_ERR;
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
		rc = reg_step_done(st);
	}
	free(state);
	free(ch);
	return rc;
}

int reg_audit(store_conn *c, const reg_kind *k, const char *verb, const char *actor, const json_t *pub)
{
	return reg_audit_text(c, k, verb, actor, pub, NULL);
}

int reg_audit_text(store_conn *c, const reg_kind *k, const char *verb, const char *actor, const json_t *pub,
		   const char *pub_text)
{
	char action[64];
	snprintf(action, sizeof action, "%s.%s", k->type, verb);
	yj_audit_event ev = {actor, action, k->type, json_string_value(json_object_get(pub, "id")),
			     json_string_value(json_object_get(pub, k->region_field)), pub};
	/* A practitioner's birth date could be guessed against a plain hash of the state. */
	int keyed = yj_pii_in_state(pub);
	int rc = pub_text ? yj_audit_append_text(c, &ev, keyed, pub_text)
		 : keyed  ? yj_audit_append_keyed(c, &ev, NULL)
			  : yj_audit_append(c, &ev, NULL);
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
	reg_bind_record(st, k, rec, 5);
	int rc = reg_step_done(st);
	if (rc < 0)
		return rc;
	json_object_set_new(rec, "id", json_string(ids));
	json_object_set_new(rec, "version", json_integer(1));
	json_object_set_new(rec, "created_at", json_integer(now));
	json_object_set_new(rec, "updated_at", json_integer(now));
	json_t *pub = yj_reg_public(k, rec, NULL), *none = json_object();
	rc = write_history(c, k, *id, 1, now, actor, pub, none);
	if (rc >= 0)
		rc = reg_index_name(c, k, *id, NULL, json_string_value(json_object_get(rec, k->name_field)));
	if (rc >= 0)
		rc = reg_audit(c, k, "create", actor, pub);
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
		if (!reg_stored(f))
			json_object_del(merged, f->name);
	return merged;
}

static int non_stored(const reg_kind *k, const char *name)
{
	for (const reg_field *f = k->fields; f->name; f++)
		if (!reg_stored(f) && !strcmp(f->name, name))
			return 1;
	return 0;
}

/* Whether merge_stored(k, before, rec) would differ from before, without building it: an import
 * compares every row of a re-imported file so (issue 15), where the copy, the merge and their frees
 * were a sixth of the check's CPU. Equal exactly when before holds no non-stored field (the merge
 * drops them) and every stored value of rec is before's. */
int yj_reg_differs(const reg_kind *k, const json_t *before, const json_t *rec)
{
	for (const reg_field *f = k->fields; f->name; f++)
		if (!reg_stored(f) && json_object_get(before, f->name))
			return 1;
	const char *name;
	json_t *v;
	json_object_foreach((json_t *)rec, name, v) {
		if (non_stored(k, name))
			continue;
		const json_t *was = json_object_get(before, name);
		if (!was || !json_equal(was, v))
			return 1;
	}
	return 0;
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
	int idx = reg_bind_record(st, k, merged, 3);
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
		rc = reg_index_name(c, k, id, old_name, new_name);
	if (rc >= 0)
		rc = reg_audit(c, k, "update", actor, pub);
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

store_stmt *yj_reg_with_key(store_conn *c, const reg_kind *k, const char *key, const char *sql)
{
	char *text = yj_asprintf("WITH yj_key (id, version, region_code) AS (SELECT id, version, %s FROM %s WHERE %s = ?) %s",
				 k->region_field, k->table, k->key_field, sql);
	store_stmt *st = store_prepare(c, text);
	free(text);
	if (st)
		store_bind_text(st, 1, key, -1);
	return st;
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
	int memo = reg_memo_taken(k, col, v, id); /* an import's batch probed it */
	if (memo >= 0)
		return memo;
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
	return yj_reg_conflict_field_but(c, k, rec, id, NULL);
}

const char *yj_reg_conflict_field_but(store_conn *c, const reg_kind *k, const json_t *rec, int64_t id,
				      const char *known)
{
	for (const reg_field *f = k->fields; f->name; f++)
		if (f->unique && reg_stored(f) && !(known && !strcmp(f->name, known)) &&
		    value_taken(c, k, reg_col_of(f), json_object_get(rec, f->name), f->type, id))
			return f->name;
	for (const reg_derived *d = k->derived; d && d->column; d++)
		if (d->unique_as && value_taken(c, k, d->column, json_object_get(rec, d->column), d->type, id))
			return d->unique_as;
	return NULL;
}
