/* records.c — the records against the log (yj_audit_verify_records): for each object type a
 * capability registered, the last state-bearing leaf of every object is loaded from audit_leaves,
 * and the capability's hook hands over the current state of every object, whose hash must equal
 * that leaf's state_hash (keyed or plain, as the leaf was written). A row edited behind the
 * platform's back (SQL, a restored backup) shows up by name; so do rows written without a leaf and
 * leaves whose row is gone. */
#define _POSIX_C_SOURCE 200809L
#include "audit_int.h"
#include "../../base/base.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TYPES 64
#define MAX_LINES 1000 /* lines named in the report; the count covers the rest */

static const yj_audit_records *hooks[MAX_TYPES];
static size_t nhooks;

void yj_audit_records_register(const yj_audit_records *r)
{
	for (size_t i = 0; i < nhooks; i++)
		if (hooks[i] == r)
			return;
	if (nhooks < MAX_TYPES)
		hooks[nhooks++] = r;
}

/* The last state-bearing leaf of one object. */
typedef struct last_leaf {
	char *id;
	int64_t idx;
	char action[64];
	char state[YJ_STATE_HASH_MAX];
	int seen;
} last_leaf;

typedef struct check {
	last_leaf *l;
	size_t n;
	const char *type;
	yj_buf out;
	int64_t rows, bad;
	int64_t keyed_unchecked; /* index of a keyed leaf met without the state key, else -1 */
} check;

static int leaf_cmp(const void *a, const void *b)
{
	const last_leaf *x = a, *y = b;
	int c = strcmp(x->id, y->id);
	return c ? c : (x->idx > y->idx) - (x->idx < y->idx);
}

static int listed(const char *const *actions, const char *a)
{
	for (; *actions; actions++)
		if (!strcmp(*actions, a))
			return 1;
	return 0;
}

static void free_leaves(check *k)
{
	for (size_t i = 0; i < k->n; i++)
		free(k->l[i].id);
	free(k->l);
	k->l = NULL;
	k->n = 0;
}

/* The state-bearing leaves of the type, reduced to the last one per object, sorted by id. */
static int load_last(store_conn *c, const yj_audit_records *h, check *k)
{
	store_stmt *st = store_prepare(c, "SELECT object_id, idx, action, state_hash FROM audit_leaves WHERE object_type = ?");
	if (!st)
		return ST_ERR;
	store_bind_text(st, 1, h->object_type, -1);
	size_t cap = 0;
	int rc;
	while ((rc = store_step(st)) == ST_ROW) {
		if (!listed(h->actions, store_col_text(st, 2)))
			continue;
		if (k->n == cap)
			k->l = yj_realloc(k->l, (cap = cap ? 2 * cap : 256) * sizeof *k->l);
		last_leaf *x = &k->l[k->n++];
		x->id = yj_strdup(store_col_text(st, 0));
		x->idx = store_col_int64(st, 1);
		snprintf(x->action, sizeof x->action, "%s", store_col_text(st, 2));
		snprintf(x->state, sizeof x->state, "%s", store_col_text(st, 3));
		x->seen = 0;
	}
	store_finalize(st);
	if (rc < 0)
		return rc;
	if (k->n) /* l is NULL for a type without leaves */
		qsort(k->l, k->n, sizeof *k->l, leaf_cmp);
	size_t w = 0;
	for (size_t i = 0; i < k->n; i++) {
		if (i + 1 < k->n && !strcmp(k->l[i].id, k->l[i + 1].id)) {
			free(k->l[i].id); /* a later leaf of the same object follows */
			continue;
		}
		k->l[w++] = k->l[i];
	}
	k->n = w;
	return ST_OK;
}

static void name_row(check *k, const char *fmt, ...) YJ_PRINTF(2, 3);
static void name_row(check *k, const char *fmt, ...)
{
	if (k->bad++ >= MAX_LINES)
		return;
	va_list ap;
	va_start(ap, fmt);
	yj_buf_vprintf(&k->out, fmt, ap);
	va_end(ap);
	yj_buf_puts(&k->out, "\n");
}

static int visit(void *arg, const char *id, const json_t *state)
{
	check *k = arg;
	char h[YJ_STATE_HASH_MAX];
	k->rows++;
	last_leaf key = {.id = (char *)id}, *hit = NULL;
	/* Find the object's entry by id alone (the array holds one per id). */
	size_t lo = 0, hi = k->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(k->l[mid].id, key.id);
		if (c == 0) {
			hit = &k->l[mid];
			break;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* Hashed in the form of the leaf it is compared with: keyed or plain (leaves before keying). */
	if (yj_audit_state_hash_as(state, hit ? hit->state : "", h) < 0) {
		name_row(k, "%s %s: its current state cannot be serialized", k->type, id);
		return 0;
	}
	if (!hit) {
		name_row(k, "%s %s: no leaf records this row (written without the log)", k->type, id);
		return 0;
	}
	hit->seen = 1;
	if (strcmp(hit->state, h) != 0)
		name_row(k, "%s %s: the row does not match its last leaf (leaf %lld, %s): changed outside the platform",
			 k->type, id, (long long)hit->idx, hit->action);
	return 0;
}

/* A keyed leaf cannot be checked without the state key: the run stops rather than name every
 * such row as changed. */
static int need_key(check *k)
{
	if (yj_audit_state_key_ready())
		return ST_OK;
	for (size_t i = 0; i < k->n; i++)
		if (!strncmp(k->l[i].state, YJ_STATE_KEYED_PREFIX, strlen(YJ_STATE_KEYED_PREFIX))) {
			k->keyed_unchecked = k->l[i].idx;
			return ST_ERR;
		}
	return ST_OK;
}

static int check_type(store_conn *c, const yj_audit_records *h, check *k)
{
	k->type = h->object_type;
	int rc = load_last(c, h, k);
	if (rc >= 0)
		rc = need_key(k);
	if (rc >= 0)
		rc = h->each(c, h->ctx, visit, k);
	for (size_t i = 0; rc >= 0 && i < k->n; i++)
		if (!k->l[i].seen)
			name_row(k, "%s %s: leaf %lld (%s) records it, but the row is gone (deleted outside the platform)",
				 k->type, k->l[i].id, (long long)k->l[i].idx, k->l[i].action);
	free_leaves(k);
	return rc;
}

int yj_audit_verify_records(store *s, char **report)
{
	store_conn *c = store_conn_get(s);
	check k = {.out = YJ_BUF_INIT, .keyed_unchecked = -1};
	*report = NULL;
	if (!nhooks)
		return *report = yj_strdup("cannot verify records: no object type is registered"), -1;
	if (!c || store_begin(c, 0) < 0)
		return *report = yj_strdup("cannot verify records: the database could not be read"), -1;
	int rc = ST_OK;
	size_t i;
	for (i = 0; i < nhooks && rc >= 0; i++)
		rc = check_type(c, hooks[i], &k);
	store_rollback(c);
	if (rc < 0) {
		yj_buf_free(&k.out);
		*report = k.keyed_unchecked >= 0
				  ? yj_asprintf("cannot verify records: leaf %lld of %s carries a keyed state hash; run with"
						" --keys DIR, the directory holding audit.key",
						(long long)k.keyed_unchecked, hooks[i - 1]->object_type)
				  : yj_asprintf("cannot verify records: reading %s failed", hooks[i - 1]->object_type);
		return -1;
	}
	if (k.bad > MAX_LINES)
		yj_buf_printf(&k.out, "… and %lld more\n", (long long)(k.bad - MAX_LINES));
	yj_buf_printf(&k.out, "records: %lld rows of %zu object types checked against their last leaves; %lld %s",
		      (long long)k.rows, nhooks, (long long)k.bad, k.bad == 1 ? "does not match" : "do not match");
	*report = yj_buf_detach(&k.out);
	return k.bad ? 1 : 0;
}
