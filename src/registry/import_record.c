/* import_record.c — the import's checker and publisher of registry records (institutions,
 * practitioners): a row's natural and unique keys against the file and the store (the batch's probe
 * when there is one), the staged plan, and its publication one by one or in multi-row runs. */
#define _POSIX_C_SOURCE 200809L
#include "import_int.h"
#include "reg_int.h"
#include "../base/id.h"
#include "../platform/audit/audit.h"
#include "../platform/events/events.h"

#include <stdlib.h>
#include <string.h>

/* The ciphertext of personal data is randomised, so re-encrypting the same number would look
 * like a change: when every keyed hash matches the stored one, the stored hidden columns stay. */
static void keep_sealed(const reg_kind *k, json_t *rec, const json_t *existing)
{
	int hashes = 0;
	for (const reg_derived *d = k->derived; d && d->column; d++) {
		if (!d->hidden || !d->unique_as)
			continue;
		hashes++;
		if (!json_equal(json_object_get(rec, d->column), json_object_get(existing, d->column)))
			return;
	}
	if (!hashes)
		return;
	for (const reg_derived *d = k->derived; d && d->column; d++)
		if (d->hidden && json_object_get(existing, d->column))
			json_object_set(rec, d->column, json_object_get(existing, d->column));
}

/* The memo key of a unique column's value into buf ("column\x1f" then "s" and a string's bytes, or any
 * other value's JSON text, which never starts with "s"), its length in *len; NULL for no value. The key
 * is buf when it fits (a code, a name), else allocated: free it when it is not buf. */
static char *memo_key(const char *column, const json_t *v, char *buf, size_t cap, size_t *len)
{
	if (!v || json_is_null(v))
		return NULL;
	size_t cl = strlen(column), vl;
	char *dumped = NULL;
	const char *val;
	if (json_is_string(v)) {
		val = json_string_value(v);
		vl = json_string_length(v);
	} else {
		val = dumped = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
		vl = dumped ? strlen(dumped) : 0;
	}
	*len = cl + 1 + (dumped ? 0 : 1) + vl;
	char *key = *len <= cap ? buf : yj_malloc(*len), *p = key;
	memcpy(p, column, cl);
	p += cl;
	*p++ = '\x1f';
	if (!dumped)
		*p++ = 's';
	if (vl)
		memcpy(p, val, vl);
	free(dumped);
	return key;
}

/* A value of a unique column that an earlier row of the file takes makes the row a conflict: the
 * check writes nothing, so the store cannot tell (error added, 1). An accepted row's values are
 * remembered. */
static int file_conflict(const reg_kind *k, const json_t *rec, yj_import_memo *seen, long row, json_t *errs)
{
	enum { MAXU = 16, KEYCAP = 256 };
	char bufs[MAXU][KEYCAP], *keys[MAXU];
	size_t lens[MAXU];
	const char *fields[MAXU];
	int n = 0, taken = 0;
	for (const reg_field *f = k->fields; f->name && n < MAXU; f++)
		if (f->unique && (!f->column || f->column[0]) &&
		    (keys[n] = memo_key(f->name, json_object_get(rec, f->name), bufs[n], KEYCAP, &lens[n])))
			fields[n++] = f->name;
	for (const reg_derived *d = k->derived; d && d->column && n < MAXU; d++)
		if (d->unique_as && (keys[n] = memo_key(d->column, json_object_get(rec, d->column), bufs[n], KEYCAP, &lens[n])))
			fields[n++] = d->unique_as;
	for (int i = 0; i < n && !taken; i++) {
		long prev = yj_import_memo_get(seen, keys[i], lens[i]);
		if (!prev)
			continue;
		int fi = reg_import_field_index(k, fields[i]);
		const char *label = fi >= 0 ? k->fields[fi].label : fields[i];
		char msg[300];
		snprintf(msg, sizeof msg, "%s与第 %ld 行相同：同一文件中不能有两条记录使用同一%s，请核对。", label, prev,
			 label);
		yj_field_error(errs, fields[i], msg);
		taken = 1;
	}
	for (int i = 0; i < n; i++) {
		if (!taken)
			yj_import_memo_put(seen, keys[i], lens[i], row);
		if (keys[i] != bufs[i])
			free(keys[i]);
	}
	return taken;
}

/* True when rec holds no unique value but its natural key (every other unique field empty, as
 * yj_reg_conflict_field skips empty values). */
static int only_key_unique(const reg_kind *k, const json_t *rec)
{
	for (const reg_field *f = k->fields; f->name; f++) {
		const json_t *v = json_object_get(rec, f->name);
		if (f->unique && strcmp(f->name, k->key_field) != 0 && v && !json_is_null(v))
			return 0;
	}
	for (const reg_derived *d = k->derived; d && d->column; d++) {
		const json_t *v = json_object_get(rec, d->column);
		if (d->unique_as && v && !json_is_null(v))
			return 0;
	}
	return 1;
}

/* The row checker of registry records (yj_import_check_fn): to be inserted, updated through the
 * PATCH path, or left alone, by the natural key. The plan is {id, version, new_id, rec}: id 0
 * inserts, as new_id when the check collects the import's name grams (else 0: a new id then). */
int reg_import_check(store_conn *c, const reg_kind *k, const yj_import_opts *o, const json_t *in,
		     yj_import_memo *seen, long row, json_t *errs, int *outcome, json_t **plan)
{
	const yj_scope *sc = o->sc;
	json_t *existing = NULL, *rec = NULL;
	char msg[300];
	int rc = ST_OK;
	const reg_field *kf = &k->fields[reg_import_field_index(k, k->key_field)];
	const char *key = json_string_value(json_object_get(in, kf->name));
	int64_t id = 0, version = 0;
	int found = 0;

	if (key && *key) {
		char region[16];
		json_t *hit = yj_import_probed ? json_object_get(yj_import_probed, key) : NULL;
		if (hit) {
			id = (int64_t)json_integer_value(json_array_get(hit, 0));
			version = (int64_t)json_integer_value(json_array_get(hit, 1));
			snprintf(region, sizeof region, "%s", json_string_value(json_array_get(hit, 2)));
			rc = ST_OK;
		} else {
			rc = yj_import_probed ? ST_NOTFOUND : yj_reg_find_key(c, k, key, &id, &version, region);
		}
		if (rc < 0 && rc != ST_NOTFOUND)
			goto done;
		if (rc == ST_OK) {
			if (!yj_scope_allows(sc, region, NULL)) {
				snprintf(msg, sizeof msg, "该%s已在其他辖区登记（%s），不在您的管辖范围内，不能导入或修改。", kf->label,
					 region);
				yj_field_error(errs, kf->name, msg);
				rc = ST_OK;
				goto done;
			}
			/* The batch's probe loaded it (read-only here, so shared); else, hidden by a scope
			 * finer than the region, loaded as before. */
			json_t *stored = hit ? json_array_get(hit, 3) : NULL;
			rc = stored ? (existing = json_incref(stored), ST_OK) : yj_reg_load(c, k, sc, id, &existing);
			if (rc < 0)
				goto done;
			found = 1;
		}
		rc = ST_OK;
	}
	json_t *ov = json_object_get(in, "credit_code_override");
	if (ov && json_string_length(ov) && !o->allow_override)
		yj_field_error(errs, "credit_code_override", "只有系统管理员可以填写校验例外理由，请删除该列的内容或联系管理员导入。");
	rec = yj_reg_validate(c, k, sc, in, 1, existing, errs);
	if (json_array_size(errs))
		goto done;
	if (found)
		keep_sealed(k, rec, existing);
	/* A record whose only unique value is its key cannot clash: the key probe found no record
	 * holding it, or found this one (the key is unique in the table), in the same snapshot (the same
	 * text: validation may normalise a key). */
	const char *vkey = json_string_value(json_object_get(rec, kf->name));
	int vouched = yj_import_probed && key && vkey && !strcmp(key, vkey);
	int clear = vouched && only_key_unique(k, rec);
	/* Other unique values (a licence number, an ID number's hash) are still asked, the key not. */
	const char *taken = clear ? NULL : yj_reg_conflict_field_but(c, k, rec, found ? id : 0, vouched ? kf->name : NULL);
	if (taken) {
		int fi = reg_import_field_index(k, taken);
		snprintf(msg, sizeof msg, "已有其他%s使用该%s，请核对。", k->label, fi >= 0 ? k->fields[fi].label : taken);
		yj_field_error(errs, taken, msg);
		goto done;
	}
	if (file_conflict(k, rec, seen, row, errs))
		goto done;
	if (found && !yj_reg_differs(k, existing, rec)) {
		*outcome = YJ_IMPORT_UNCHANGED;
		goto done;
	}
	*outcome = found ? YJ_IMPORT_UPDATED : YJ_IMPORT_INSERTED;
	/* A new record gets its id here, and its name grams go to the import's collection, so that they
	 * can be written while the publication writes the rows (name_sweep.c, "an import's grams"). */
	int64_t new_id = 0;
	if (!found && reg_names_collecting()) {
		new_id = yj_id_new();
		if (k->name_field)
			reg_names_collect_add(k, new_id, json_string_value(json_object_get(rec, k->name_field)));
	}
	/* The plan holds the checked record itself (moved, not copied nor serialised). */
	*plan = json_pack("{s:I, s:I, s:I, s:o}", "id", (json_int_t)(found ? id : 0), "version", (json_int_t)version,
			  "new_id", (json_int_t)new_id, "rec", rec);
	rec = NULL;
done:
	json_decref(existing);
	json_decref(rec);
	return rc < 0 ? rc : ST_OK;
}

/* The publisher of registry records: the insert or the update the check planned. A record changed
 * since the check (another version) or a key taken meanwhile is stale. */
int reg_import_publish(store_conn *c, const reg_kind *k, const yj_import_opts *o, json_t *p)
{
	/* yj_reg_update and yj_reg_insert add to the record they are given (the stored state, id,
	 * version): the plan is this attempt's own (import_pipe.c unpacks it again for each). */
	json_t *rec = json_incref(json_object_get(p, "rec"));
	int64_t id = (int64_t)json_integer_value(json_object_get(p, "id"));
	int rc, changed = 0;
	if (id) {
		rc = yj_reg_update(c, k, o->sc, id, (int64_t)json_integer_value(json_object_get(p, "version")), rec,
				   o->actor, &changed);
		if (rc == ST_NOTFOUND)
			rc = YJ_IMPORT_STALE;
	} else {
		rc = yj_reg_insert(c, k, rec, o->actor, &id);
		if (rc == ST_CONFLICT)
			rc = YJ_IMPORT_STALE;
	}
	json_decref(rec);
	return rc < 0 ? rc : ST_OK;
}

#define INSERT_RUN 512 /* new records written together (yj_reg_insert_many) */

/* A chunk of plans as the publication writes them, in plan order: runs of up to INSERT_RUN
 * consecutive new records, prepared (yj_reg_insert_prepare), and the updates between them. */
typedef struct segment {
	yj_reg_prepared *run; /* a run of inserts, or NULL: the update plans[at] */
	size_t at;
} segment;

typedef struct reg_prep {
	json_t **recs; /* the plans' records (borrowed), which the runs point into */
	int64_t *ids;  /* the ids the check gave the new ones */
	segment *seg;
	size_t nseg;
} reg_prep;

void *reg_import_prepare(const reg_kind *k, json_t *const *plans, size_t n)
{
	reg_prep *p = yj_calloc(1, sizeof *p);
	p->recs = yj_calloc(n ? n : 1, sizeof *p->recs);
	p->ids = yj_calloc(n ? n : 1, sizeof *p->ids);
	p->seg = yj_calloc(n ? n : 1, sizeof *p->seg);
	size_t run0 = 0, nrun = 0; /* the run being gathered: recs[run0, run0 + nrun) */
	for (size_t i = 0; i <= n; i++) {
		int update = i < n && json_integer_value(json_object_get(plans[i], "id"));
		if (nrun && (i == n || update || nrun == INSERT_RUN)) {
			/* With their ids from the check, their grams are the check's (reg_names_collect_add). */
			p->seg[p->nseg++].run = yj_reg_insert_prepare(k, p->recs + run0, p->ids[run0] ? p->ids + run0 : NULL, nrun);
			nrun = 0;
		}
		if (i == n)
			break;
		if (update) {
			p->seg[p->nseg++] = (segment){NULL, i};
			continue;
		}
		if (!nrun)
			run0 = i;
		p->recs[i] = json_object_get(plans[i], "rec");
		p->ids[i] = (int64_t)json_integer_value(json_object_get(plans[i], "new_id"));
		nrun++;
	}
	return p;
}

void reg_import_prepared_free(void *prep)
{
	reg_prep *p = prep;
	if (!p)
		return;
	for (size_t i = 0; i < p->nseg; i++)
		yj_reg_prepared_free(p->seg[i].run);
	free(p->seg);
	free(p->recs);
	free(p->ids);
	free(p);
}

/* The last run's rows still going in (yj_reg_insert_prepared leaves its name grams' COPY running):
 * their result, mapped as a run's. */
static int wait_run(store_conn *c)
{
	int rc = store_copy_wait(c);
	return rc == ST_CONFLICT ? YJ_IMPORT_STALE : rc;
}

/* Every plan in order: runs of consecutive inserts in multi-row statements (so the leaves and
 * events keep the order of the rows), an update as reg_import_publish does it. prep is what
 * reg_import_prepare made of these plans, or NULL to prepare them here. */
int reg_import_publish_many(store_conn *c, const reg_kind *k, const yj_import_opts *o, json_t *const *plans,
			    size_t n, void *prep)
{
	reg_prep *p = prep ? prep : reg_import_prepare(k, plans, n);
	int rc = ST_OK;
	for (size_t i = 0; i < p->nseg && rc >= 0; i++) {
		if (p->seg[i].run) {
			rc = yj_reg_insert_prepared(c, p->seg[i].run, o->actor, NULL);
			if (rc == ST_CONFLICT)
				rc = YJ_IMPORT_STALE;
			continue;
		}
		if ((rc = wait_run(c)) >= 0)
			rc = reg_import_publish(c, k, o, plans[p->seg[i].at]);
	}
	if (rc >= 0)
		rc = wait_run(c);
	if (!prep)
		reg_import_prepared_free(p);
	return rc < 0 ? rc : ST_OK;
}
