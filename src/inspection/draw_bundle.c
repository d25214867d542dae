/* draw_bundle.c — the published draw bundle: a self-contained JSON document holding the draw's
 * input (plan, subjects with weights, inspectors with conflicts), the commitment written to the
 * audit log before the draw, the revealed server secret, the witness value and the result. This
 * file turns a bundle into draw.c's arrays, computes its input hash, and re-runs and compares it. */
#define _POSIX_C_SOURCE 200809L
#include "draw_bundle.h"
#include "../base/base.h"
#include "../platform/http/http.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct id_ix {
	const char *id;
	size_t i;
} id_ix;

static int id_cmp(const void *a, const void *b)
{
	return strcmp(((const id_ix *)a)->id, ((const id_ix *)b)->id);
}

/* The bundle's input as draw.c's arrays; strings point into the bundle. */
typedef struct input {
	yj_draw_plan plan;
	yj_draw_subject *s;
	size_t ns;
	yj_draw_inspector *in;
	size_t ni;
	size_t **lists; /* conflicts and previous lists, 2 per inspector */
} input;

static void input_free(input *x)
{
	for (size_t i = 0; x->lists && i < 2 * x->ni; i++)
		free(x->lists[i]);
	free(x->lists);
	free(x->s);
	free(x->in);
	memset(x, 0, sizeof *x);
}

static int size_cmp(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	return (x > y) - (x < y);
}

/* Resolves an array of subject ids to ascending indices; *why names an unknown id. */
static size_t *resolve(const json_t *ids, const id_ix *map, size_t ns, size_t *n, const char *who, char **why)
{
	*n = ids ? json_array_size(ids) : 0;
	size_t *out = yj_calloc(*n ? *n : 1, sizeof *out), k;
	json_t *v;
	json_array_foreach(ids, k, v) {
		id_ix key = {json_string_value(v), 0}, *hit = key.id ? bsearch(&key, map, ns, sizeof *map, id_cmp) : NULL;
		if (!hit) {
			*why = yj_asprintf("inspector %s lists subject %s, which is not in the subject list", who,
					   key.id ? key.id : "(not a string)");
			free(out);
			return NULL;
		}
		out[k] = hit->i;
	}
	qsort(out, *n, sizeof *out, size_cmp);
	return out;
}

static const char *str(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* Reads the plan's parameters strictly: a mistyped or out-of-policy value is refused, never
 * read as 0 or false. */
static int load_plan(const json_t *plan, yj_draw_plan *p, char **why)
{
	const json_t *count = json_object_get(plan, "count"), *share = json_object_get(plan, "credit_share_permille"),
		     *team = json_object_get(plan, "team_size"), *deps = json_object_get(plan, "departments"), *v;
	if (!json_is_integer(count) || !json_is_integer(team))
		return *why = yj_strdup("plan.count and plan.team_size must be integers"), -1;
	if (!json_is_integer(share) || json_integer_value(share) < 500 || json_integer_value(share) > 1000)
		return *why = yj_strdup("plan.credit_share_permille must be an integer from 500 to 1000: at least half of"
					" the picks that are not due are drawn by risk weight (docs/draw.md)"),
		       -1;
	if (!json_is_array(deps) || json_array_size(deps) < 1 || json_array_size(deps) > YJ_DRAW_MAX_DEPTS)
		return *why = yj_asprintf("plan.departments must be an array of 1 to %d department codes", YJ_DRAW_MAX_DEPTS),
		       -1;
	p->count = json_integer_value(count);
	p->credit_share_permille = (int)json_integer_value(share);
	p->team_size = json_integer_value(team) < 0 || json_integer_value(team) > 1000 ? -1 : (int)json_integer_value(team);
	size_t k;
	json_array_foreach(deps, k, v) {
		if (!json_is_string(v) || !json_string_length(v))
			return *why = yj_asprintf("plan.departments[%zu] is not a department code", k), -1;
		p->departments[p->ndepartments++] = json_string_value(v);
	}
	return 0;
}

static int load_subjects(const json_t *subs, input *x, id_ix *map, char **why)
{
	size_t k;
	json_t *v;
	json_array_foreach(subs, k, v) {
		const json_t *w = json_object_get(v, "weight"), *due = json_object_get(v, "due");
		x->s[k] = (yj_draw_subject){str(v, "id"), str(v, "region_code"), json_integer_value(w), json_is_true(due)};
		if (!x->s[k].id || !x->s[k].region || !json_is_integer(w))
			return *why = yj_asprintf("subject %zu lacks id, region_code or an integer weight", k), -1;
		if (!json_is_boolean(due))
			return *why = yj_asprintf("subject %s: due must be true or false", x->s[k].id), -1;
		map[k] = (id_ix){x->s[k].id, k};
	}
	qsort(map, x->ns, sizeof *map, id_cmp);
	for (size_t i = 1; i < x->ns; i++)
		if (!strcmp(map[i].id, map[i - 1].id))
			return *why = yj_asprintf("subject %s is listed twice", map[i].id), -1;
	return 0;
}

/* An inspector's exclusions: `excluded` (declared conflicts and last time's subjects in one list,
 * so the bundle does not tell which is which), or the older pair `conflicts` and `previous`. */
static int load_exclusions(const json_t *v, yj_draw_inspector *d, size_t **lists, const id_ix *map, size_t ns,
			   char **why)
{
	const json_t *ex = json_object_get(v, "excluded"), *cf = json_object_get(v, "conflicts"),
		     *pv = json_object_get(v, "previous");
	if (ex ? !json_is_array(ex) || cf || pv : !json_is_array(cf) || !json_is_array(pv))
		return *why = yj_asprintf("inspector %s needs either an excluded array or conflicts and previous arrays",
					  d->id),
		       -1;
	lists[0] = resolve(ex ? ex : cf, map, ns, &d->nconflicts, d->id, why);
	lists[1] = resolve(ex ? NULL : pv, map, ns, &d->nprevious, d->id, why);
	if (!lists[0] || !lists[1])
		return -1;
	d->conflicts = lists[0];
	d->previous = lists[1];
	return 0;
}

static int load_input(const json_t *b, input *x, char **why)
{
	memset(x, 0, sizeof *x);
	const json_t *plan = json_object_get(b, "plan"), *subs = json_object_get(b, "subjects"),
		     *insp = json_object_get(b, "inspectors"), *v;
	if (!json_is_object(plan) || !json_is_array(subs) || !json_is_array(insp))
		return *why = yj_strdup("bundle lacks plan, subjects or inspectors"), -1;
	if (load_plan(plan, &x->plan, why) < 0)
		return -1;
	x->ns = json_array_size(subs);
	x->s = yj_calloc(x->ns ? x->ns : 1, sizeof *x->s);
	id_ix *map = yj_calloc(x->ns ? x->ns : 1, sizeof *map);
	int rc = load_subjects(subs, x, map, why);
	x->ni = json_array_size(insp);
	x->in = yj_calloc(x->ni ? x->ni : 1, sizeof *x->in);
	x->lists = yj_calloc(2 * x->ni + 1, sizeof *x->lists);
	size_t k;
	json_array_foreach(insp, k, v) {
		if (rc < 0)
			break;
		yj_draw_inspector *d = &x->in[k];
		d->id = str(v, "id");
		d->department = str(v, "department");
		d->region = str(v, "region_code");
		if (!d->id || !d->department || !d->region)
			rc = (*why = yj_asprintf("inspector %zu lacks id, department or region_code", k), -1);
		else
			rc = load_exclusions(v, d, &x->lists[2 * k], map, x->ns, why);
	}
	free(map);
	return rc;
}

int yj_draw_input_hash(const json_t *bundle, char out[65], char **why)
{
	char *dummy = NULL, **w = why ? why : &dummy;
	*w = NULL;
	json_t *in = json_pack("{s:O?, s:O?, s:O?, s:O?}", "format", json_object_get(bundle, "format"), "plan",
			       json_object_get(bundle, "plan"), "subjects", json_object_get(bundle, "subjects"),
			       "inspectors", json_object_get(bundle, "inspectors"));
	char *canon = in ? yj_draw_jcs(in, w) : NULL;
	json_decref(in);
	free(dummy);
	if (!canon)
		return -1;
	unsigned char h[32];
	crypto_hash_sha256(h, (const unsigned char *)canon, strlen(canon));
	free(canon);
	yj_hex_encode(h, sizeof h, out);
	return 0;
}

void yj_draw_secret_hash(const char *secret_hex, char out[65])
{
	unsigned char raw[32], h[32];
	size_t n = (size_t)yj_hex_decode(secret_hex, raw, sizeof raw);
	crypto_hash_sha256(h, raw, n <= sizeof raw ? n : 0);
	yj_hex_encode(h, sizeof h, out);
}

static json_t *result_json(const input *x, const yj_draw_result *r)
{
	static const char *const phases[] = {"due", "credit", "random"};
	json_t *subs = json_array();
	for (size_t k = 0; k < r->n; k++) {
		json_t *team = json_array();
		for (int j = 0; j < r->team_size; j++)
			json_array_append_new(team, json_string(x->in[r->teams[k * (size_t)r->team_size + (size_t)j]].id));
		json_array_append_new(subs, json_pack("{s:s, s:s, s:o}", "id", x->s[r->subjects[k]].id, "phase",
						      phases[r->phase[k]], "inspectors", team));
	}
	return json_pack("{s:o}", "subjects", subs);
}

int yj_draw_bundle_compute(const json_t *bundle, const char *secret_hex, const char *witness, json_t **result,
			   char seed_hex[65], char **why)
{
	input x;
	char ih[65];
	*why = NULL;
	if (load_input(bundle, &x, why) < 0 || yj_draw_input_hash(bundle, ih, why) < 0) {
		if (!*why)
			*why = yj_strdup("bundle cannot be read");
		input_free(&x);
		return -1;
	}
	unsigned char seed[32];
	yj_draw_seed(secret_hex, witness, ih, seed);
	yj_hex_encode(seed, sizeof seed, seed_hex);
	yj_draw_result r;
	int rc = yj_draw_run(&x.plan, x.s, x.ns, x.in, x.ni, seed, &r, why);
	if (rc == 0)
		*result = result_json(&x, &r);
	yj_draw_result_free(&r);
	input_free(&x);
	return rc;
}

int yj_draw_precheck(const json_t *bundle, char **why)
{
	input x;
	*why = NULL;
	int rc = load_input(bundle, &x, why);
	if (rc == 0)
		rc = yj_draw_check(&x.plan, x.s, x.ns, x.in, x.ni, why);
	input_free(&x);
	return rc;
}

/* The first place two results part, in words. */
static char *first_difference(const json_t *want, const json_t *got)
{
	const json_t *a = json_object_get(want, "subjects"), *b = json_object_get(got, "subjects");
	size_t na = json_array_size(a), nb = json_array_size(b);
	for (size_t k = 0; k < na && k < nb; k++) {
		const json_t *x = json_array_get(a, k), *y = json_array_get(b, k);
		if (!json_equal(json_object_get(x, "id"), json_object_get(y, "id")))
			return yj_asprintf("drawn subject %zu: the bundle says %s, the recomputation %s", k + 1,
					   str(x, "id") ? str(x, "id") : "?", str(y, "id"));
		if (!json_equal(json_object_get(x, "phase"), json_object_get(y, "phase")))
			return yj_asprintf("drawn subject %zu (%s): the bundle says phase %s, the recomputation %s", k + 1,
					   str(y, "id"), str(x, "phase") ? str(x, "phase") : "?", str(y, "phase"));
		if (!json_equal(json_object_get(x, "inspectors"), json_object_get(y, "inspectors"))) {
			char *w = json_dumps(json_object_get(x, "inspectors"), JSON_COMPACT | JSON_ENCODE_ANY);
			char *g = json_dumps(json_object_get(y, "inspectors"), JSON_COMPACT | JSON_ENCODE_ANY);
			char *m = yj_asprintf("team of drawn subject %zu (%s): the bundle says %s, the recomputation %s", k + 1,
					      str(y, "id"), w ? w : "?", g ? g : "?");
			free(w);
			free(g);
			return m;
		}
	}
	if (na != nb)
		return yj_asprintf("the bundle lists %zu drawn subjects, the recomputation %zu", na, nb);
	return NULL;
}

int yj_draw_bundle_verify(const json_t *b, char **report)
{
	*report = NULL;
	const char *format = str(b, "format");
	if (!format || strcmp(format, YJ_DRAW_FORMAT) != 0)
		return *report = yj_asprintf("not a draw bundle of format %s", YJ_DRAW_FORMAT), -1;
	const json_t *cm = json_object_get(b, "commitment");
	const char *committed = str(cm, "input_hash"), *secret_hash = str(cm, "secret_hash");
	const char *secret = str(b, "server_secret"), *witness = str(b, "witness");
	if (!committed || !secret_hash || !secret || !witness || !json_is_object(json_object_get(b, "result")))
		return *report = yj_strdup("bundle lacks commitment, server_secret, witness or result"), -1;
	char ih[65], sh[65], seed_hex[65];
	char *why = NULL;
	if (yj_draw_input_hash(b, ih, &why) < 0) {
		*report = yj_asprintf("the input cannot be canonicalized (RFC 8785): %s", why ? why : "?");
		free(why);
		return -1;
	}
	if (strcmp(ih, committed) != 0)
		return *report = yj_asprintf("input hash %s differs from the committed %s: the plan, a subject (its weight,"
					     " due flag or region) or an inspector was changed after the commitment",
					     ih, committed),
		       1;
	yj_draw_secret_hash(secret, sh);
	if (strlen(secret) != 64 || strcmp(sh, secret_hash) != 0)
		return *report = yj_strdup("the server secret does not hash to the committed secret_hash: the secret was"
					   " changed or is not the one committed before the draw"),
		       1;
	json_t *got = NULL;
	if (yj_draw_bundle_compute(b, secret, witness, &got, seed_hex, &why) < 0) {
		*report = yj_asprintf("the draw cannot be recomputed: %s", why ? why : "?");
		free(why);
		return 1;
	}
	const char *seed = str(b, "seed");
	const json_t *ws = json_object_get(b, "witness_source"), *committed_at = json_object_get(cm, "committed_at");
	const json_t *published_at = json_object_get(ws, "published_at");
	int rc = 0;
	if (ws && (!json_is_integer(published_at) || !json_is_string(json_object_get(ws, "source")))) {
		*report = yj_strdup("witness_source must hold source (a string) and published_at (epoch ms)");
		rc = 1;
	} else if (ws && json_is_integer(committed_at) && json_integer_value(published_at) <= json_integer_value(committed_at)) {
		*report = yj_asprintf("the witness was published (%" JSON_INTEGER_FORMAT ") before the commitment (%" JSON_INTEGER_FORMAT
				      "): it could have been known when the server committed",
				      json_integer_value(published_at), json_integer_value(committed_at));
		rc = 1;
	} else if (seed && strcmp(seed, seed_hex) != 0) {
		*report = yj_asprintf("seed %s does not follow from the secret and the witness value (recomputed %s): the"
				      " witness value was changed", seed, seed_hex);
		rc = 1;
	} else if ((*report = first_difference(json_object_get(b, "result"), got))) {
		rc = 1;
	} else {
		*report = yj_asprintf("match: %zu subjects drawn from %zu, seed %s", json_array_size(json_object_get(got, "subjects")),
				      json_array_size(json_object_get(b, "subjects")), seed_hex);
	}
	json_decref(got);
	return rc;
}
