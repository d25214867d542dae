/* draw.c — the draw itself (see draw.h and docs/draw.md): a ChaCha20 stream keyed by the seed,
 * exact uniform integers by rejection, successive weighted sampling over a Fenwick tree (due
 * subjects first, then risk-weighted picks, then plain random ones), and teams drawn per subject
 * among uncontested inspectors with the least load so far. */
#define _POSIX_C_SOURCE 200809L
#include "draw.h"
#include "../base/base.h"
#include "../platform/auth/scope.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define MAX_WEIGHT 1000000000LL /* keeps any sum of a million weights far below 2^63 */

/* ---- seed and stream ---- */

void yj_draw_seed(const char *secret_hex, const char *witness, const char *input_hash_hex, unsigned char seed[32])
{
	static const char tag[] = "yijian-draw-v1";
	crypto_hash_sha256_state h;
	const unsigned char zero = 0;
	crypto_hash_sha256_init(&h);
	crypto_hash_sha256_update(&h, (const unsigned char *)tag, sizeof tag - 1);
	crypto_hash_sha256_update(&h, &zero, 1);
	crypto_hash_sha256_update(&h, (const unsigned char *)secret_hex, strlen(secret_hex));
	crypto_hash_sha256_update(&h, &zero, 1);
	crypto_hash_sha256_update(&h, (const unsigned char *)witness, strlen(witness));
	crypto_hash_sha256_update(&h, &zero, 1);
	crypto_hash_sha256_update(&h, (const unsigned char *)input_hash_hex, strlen(input_hash_hex));
	crypto_hash_sha256_final(&h, seed);
}

static void refill(yj_draw_stream *st)
{
	static const unsigned char nonce[crypto_stream_chacha20_ietf_NONCEBYTES] = {0};
	/* RFC 8439 ChaCha20, zero nonce, block counter from 0: the keystream itself. */
	memset(st->buf, 0, sizeof st->buf);
	crypto_stream_chacha20_ietf_xor_ic(st->buf, st->buf, sizeof st->buf, nonce, st->block, st->key);
	st->block += sizeof st->buf / 64;
	st->pos = 0;
}

void yj_draw_stream_init(yj_draw_stream *st, const unsigned char seed[32])
{
	memcpy(st->key, seed, 32);
	st->block = 0;
	refill(st);
}

uint64_t yj_draw_u64(yj_draw_stream *st)
{
	if (st->pos + 8 > sizeof st->buf)
		refill(st);
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = (v << 8) | st->buf[st->pos + (size_t)i];
	st->pos += 8;
	return v;
}

uint64_t yj_draw_uniform(yj_draw_stream *st, uint64_t m)
{
	/* Values below 2^64 mod m would make the low residues likelier; draw again when one comes. */
	uint64_t t = (0 - m) % m, x;
	do
		x = yj_draw_u64(st);
	while (x < t);
	return x % m;
}

/* ---- weighted sampling without replacement ---- */

typedef struct fenwick {
	int64_t *t; /* 1-based partial sums */
	size_t n;
	size_t top; /* highest power of two ≤ n */
	int64_t total;
} fenwick;

static void fw_build(fenwick *f, const int64_t *w, size_t n)
{
	f->n = n;
	f->t = yj_calloc(n + 1, sizeof *f->t);
	f->total = 0;
	for (size_t i = 1; i <= n; i++) {
		f->t[i] += w[i - 1];
		f->total += w[i - 1];
		size_t j = i + (i & (~i + 1));
		if (j <= n)
			f->t[j] += f->t[i];
	}
	for (f->top = 1; f->top * 2 <= n; f->top *= 2)
		;
}

static void fw_add(fenwick *f, size_t i0, int64_t d)
{
	f->total += d;
	for (size_t i = i0 + 1; i <= f->n; i += i & (~i + 1))
		f->t[i] += d;
}

/* The position whose cumulative range [prefix(i-1), prefix(i)) holds r. */
static size_t fw_find(const fenwick *f, int64_t r)
{
	size_t pos = 0;
	for (size_t step = f->n ? f->top : 0; step; step >>= 1)
		if (pos + step <= f->n && f->t[pos + step] <= r) {
			pos += step;
			r -= f->t[pos];
		}
	return pos;
}

/* Picks k of the candidates (indices into s, with weights w) one at a time, each with probability
 * proportional to its weight among those left; appends to out and zeroes the picked weights. */
static void pick_weighted(yj_draw_stream *st, const size_t *cand, int64_t *w, size_t nc, size_t k, size_t *out,
			  size_t *nout, int *phase, int ph)
{
	fenwick f;
	fw_build(&f, w, nc);
	for (size_t j = 0; j < k && f.total > 0; j++) {
		size_t i = fw_find(&f, (int64_t)yj_draw_uniform(st, (uint64_t)f.total));
		phase[*nout] = ph;
		out[(*nout)++] = cand[i];
		fw_add(&f, i, -w[i]);
		w[i] = 0;
	}
	free(f.t);
}

/* ---- inspectors: who covers a subject ---- */

typedef struct cover {
	char prefix[16];
	size_t inspector;
} cover;

typedef struct team_index {
	cover *c; /* inspectors of the plan's departments, sorted by territory prefix, then array order */
	size_t n;
	int *dept; /* per inspector: index of its department in the plan, or -1 */
} team_index;

static int cover_cmp(const void *a, const void *b)
{
	const cover *x = a, *y = b;
	int c = strcmp(x->prefix, y->prefix);
	return c ? c : (x->inspector > y->inspector) - (x->inspector < y->inspector);
}

static void index_build(team_index *ix, const yj_draw_plan *p, const yj_draw_inspector *in, size_t ni)
{
	ix->c = yj_calloc(ni ? ni : 1, sizeof *ix->c);
	ix->dept = yj_calloc(ni ? ni : 1, sizeof *ix->dept);
	ix->n = 0;
	for (size_t i = 0; i < ni; i++) {
		ix->dept[i] = -1;
		for (int d = 0; d < p->ndepartments; d++)
			if (!strcmp(in[i].department, p->departments[d]))
				ix->dept[i] = d;
		if (ix->dept[i] < 0)
			continue;
		yj_region_prefix(in[i].region, ix->c[ix->n].prefix);
		ix->c[ix->n++].inspector = i;
	}
	qsort(ix->c, ix->n, sizeof *ix->c, cover_cmp);
}

static void index_free(team_index *ix)
{
	free(ix->c);
	free(ix->dept);
}

static int has(const size_t *v, size_t n, size_t x)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == x)
			return 1;
	return 0;
}

/* Binary search in an ascending list (conflicts, previous). */
static int has_sorted(const size_t *v, size_t n, size_t x)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (v[mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && v[lo] == x;
}

static int size_cmp(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	return (x > y) - (x < y);
}

/* Inspectors who may inspect subject si, ascending by their index in the inspector array. Returns
 * how many were written to out (capacity ni). */
static size_t eligible(const team_index *ix, const yj_draw_inspector *in, const yj_draw_subject *s, size_t si, size_t *out)
{
	size_t n = 0, rlen = strlen(s[si].region);
	for (size_t len = 2; len <= rlen && len < 16; len++) {
		cover key;
		memcpy(key.prefix, s[si].region, len);
		key.prefix[len] = '\0';
		key.inspector = 0;
		/* Lower bound of the prefix's run. */
		size_t lo = 0, hi = ix->n;
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			if (strcmp(ix->c[mid].prefix, key.prefix) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (; lo < ix->n && !strcmp(ix->c[lo].prefix, key.prefix); lo++) {
			const yj_draw_inspector *x = &in[ix->c[lo].inspector];
			if (!has_sorted(x->conflicts, x->nconflicts, si) && !has_sorted(x->previous, x->nprevious, si))
				out[n++] = ix->c[lo].inspector;
		}
	}
	qsort(out, n, sizeof *out, size_cmp);
	return n;
}

/* ---- checks ---- */

/* Candidate counts per plan department for one region, before exclusions; regions repeat, so they
 * are counted once each (open addressing keyed by the subject's region string). */
typedef struct region_count {
	const char *region;
	int n[YJ_DRAW_MAX_DEPTS];
} region_count;

static uint64_t str_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static int covers(const char *prefix, const char *region)
{
	return strncmp(region, prefix, strlen(prefix)) == 0;
}

static const int *region_counts(region_count *tab, size_t cap, const team_index *ix, const yj_draw_inspector *in,
				const char *region)
{
	size_t h = (size_t)(str_hash(region) & (cap - 1));
	while (tab[h].region && strcmp(tab[h].region, region))
		h = (h + 1) & (cap - 1);
	if (!tab[h].region) {
		tab[h].region = region;
		size_t rlen = strlen(region);
		for (size_t len = 2; len <= rlen && len < 16; len++) {
			size_t lo = 0, hi = ix->n;
			while (lo < hi) {
				size_t mid = (lo + hi) / 2;
				if (strncmp(ix->c[mid].prefix, region, len) < 0 ||
				    (strncmp(ix->c[mid].prefix, region, len) == 0 && strlen(ix->c[mid].prefix) < len))
					lo = mid + 1;
				else
					hi = mid;
			}
			for (; lo < ix->n && strlen(ix->c[lo].prefix) == len && !strncmp(ix->c[lo].prefix, region, len); lo++)
				tab[h].n[ix->dept[ix->c[lo].inspector]]++;
		}
	}
	(void)in;
	return tab[h].n;
}

int yj_draw_check(const yj_draw_plan *p, const yj_draw_subject *s, size_t ns, const yj_draw_inspector *in, size_t ni,
		  char **why)
{
	*why = NULL;
	if (ns == 0)
		return *why = yj_strdup("检查对象名录为空：请检查计划的区域和抽查事项是否对应有检查对象。"), -1;
	if (p->count < 1 || (size_t)p->count > ns)
		return *why = yj_asprintf("抽取数量应在 1 到 %zu（检查对象总数）之间，抽查比例不能超过 100%%。", ns), -1;
	if (p->team_size < 2 || p->team_size > YJ_DRAW_MAX_TEAM)
		return *why = yj_asprintf("每组执法人员应为 2 到 %d 人。", YJ_DRAW_MAX_TEAM), -1;
	if (p->ndepartments < 1 || p->ndepartments > YJ_DRAW_MAX_DEPTS || p->ndepartments > p->team_size)
		return *why = yj_strdup("参与部门应为 1 个以上，且不多于每组人数（联合抽查每个部门至少一人）。"), -1;
	if (p->credit_share_permille < 0 || p->credit_share_permille > 1000)
		return *why = yj_strdup("信用规则抽取比例应在 0% 到 100% 之间。"), -1;
	for (size_t i = 0; i < ns; i++)
		if (s[i].weight < 1 || s[i].weight > MAX_WEIGHT)
			return *why = yj_asprintf("检查对象 %s 的权重无效（应为 1 到 %lld）。", s[i].id, MAX_WEIGHT), -1;
	team_index ix;
	index_build(&ix, p, in, ni);
	/* Exclusions: per subject and department, covering inspectors who may not go (conflict or
	 * previous), each counted once. */
	int nd = p->ndepartments;
	int *excluded = yj_calloc(ns * (size_t)nd, sizeof *excluded);
	for (size_t j = 0; j < ni; j++) {
		int d = ix.dept[j];
		if (d < 0)
			continue;
		char prefix[16];
		yj_region_prefix(in[j].region, prefix);
		for (size_t k = 0; k < in[j].nconflicts + in[j].nprevious; k++) {
			size_t si = k < in[j].nconflicts ? in[j].conflicts[k] : in[j].previous[k - in[j].nconflicts];
			if (k >= in[j].nconflicts && has_sorted(in[j].conflicts, in[j].nconflicts, si))
				continue;
			if ((k > 0 && k < in[j].nconflicts && in[j].conflicts[k - 1] == si) ||
			    (k > in[j].nconflicts && in[j].previous[k - in[j].nconflicts - 1] == si))
				continue; /* listed twice */
			if (si < ns && covers(prefix, s[si].region))
				excluded[si * (size_t)nd + (size_t)d]++;
		}
	}
	size_t cap = 16;
	while (cap < 2 * ns)
		cap *= 2;
	region_count *tab = yj_calloc(cap, sizeof *tab);
	size_t short_total = 0, short_dept = 0, first = ns;
	for (size_t i = 0; i < ns; i++) {
		const int *n = region_counts(tab, cap, &ix, in, s[i].region);
		int total = 0, missing = 0;
		for (int d = 0; d < nd; d++) {
			int e = n[d] - excluded[i * (size_t)nd + (size_t)d];
			total += e;
			missing |= e == 0;
		}
		if (total < p->team_size)
			short_total++;
		else if (missing && nd > 1)
			short_dept++;
		else
			continue;
		if (first == ns)
			first = i;
	}
	free(tab);
	free(excluded);
	index_free(&ix);
	if (first < ns) {
		*why = yj_asprintf("%zu 个检查对象（如 %s）没有足够的无利益冲突执法人员组成 %d 人检查组%s：请补充执法人员名录、"
				   "扩大人员范围或减少每组人数。",
				   short_total + short_dept, s[first].id, p->team_size,
				   short_dept ? "（或缺少某一参与部门的人员）" : "");
		return -1;
	}
	return 0;
}

/* ---- the draw ---- */

static void select_subjects(const yj_draw_plan *p, const yj_draw_subject *s, size_t ns, yj_draw_stream *st,
			    yj_draw_result *r)
{
	size_t n = (size_t)p->count, nd = 0, nr = 0;
	size_t *due = yj_calloc(ns, sizeof *due), *rest = yj_calloc(ns, sizeof *rest);
	int64_t *w = yj_calloc(ns, sizeof *w);
	for (size_t i = 0; i < ns; i++) {
		if (s[i].due)
			due[nd++] = i;
		else
			rest[nr++] = i;
	}
	if (nd >= n) {
		/* More subjects are due than the draw takes: the due ones compete by weight. */
		for (size_t i = 0; i < nd; i++)
			w[i] = s[due[i]].weight;
		pick_weighted(st, due, w, nd, n, r->subjects, &r->n, r->phase, 0);
		goto done;
	}
	for (size_t i = 0; i < nd; i++) {
		r->phase[r->n] = 0;
		r->subjects[r->n++] = due[i];
	}
	size_t left = n - nd, credit = (left * (size_t)p->credit_share_permille + 999) / 1000;
	for (size_t i = 0; i < nr; i++)
		w[i] = s[rest[i]].weight;
	pick_weighted(st, rest, w, nr, credit, r->subjects, &r->n, r->phase, 1);
	/* The remaining picks give every subject not yet drawn the same chance. */
	for (size_t i = 0; i < nr; i++)
		w[i] = w[i] ? 1 : 0;
	pick_weighted(st, rest, w, nr, left - credit, r->subjects, &r->n, r->phase, 2);
done:
	free(due);
	free(rest);
	free(w);
}

/* Among the candidates not yet in the team (and of department d, or any when d < 0), those with
 * the least load so far; one of them uniformly. Returns the inspector index or SIZE_MAX. */
static size_t pick_inspector(yj_draw_stream *st, const team_index *ix, const size_t *cand, size_t nc, const size_t *team,
			     int nt, int d, const int64_t *load, size_t *ties)
{
	size_t nties = 0;
	int64_t best = INT64_MAX;
	for (size_t j = 0; j < nc; j++) {
		size_t c = cand[j];
		if ((d >= 0 && ix->dept[c] != d) || has(team, (size_t)nt, c))
			continue;
		if (load[c] < best) {
			best = load[c];
			nties = 0;
		}
		if (load[c] == best)
			ties[nties++] = c;
	}
	return nties ? ties[yj_draw_uniform(st, nties)] : SIZE_MAX;
}

int yj_draw_run(const yj_draw_plan *p, const yj_draw_subject *s, size_t ns, const yj_draw_inspector *in, size_t ni,
		const unsigned char seed[32], yj_draw_result *out, char **why)
{
	memset(out, 0, sizeof *out);
	if (yj_draw_check(p, s, ns, in, ni, why) < 0)
		return -1;
	yj_draw_stream *st = yj_malloc(sizeof *st);
	yj_draw_stream_init(st, seed);
	out->subjects = yj_calloc((size_t)p->count, sizeof *out->subjects);
	out->phase = yj_calloc((size_t)p->count, sizeof *out->phase);
	out->team_size = p->team_size;
	out->teams = yj_calloc((size_t)p->count * (size_t)p->team_size, sizeof *out->teams);
	select_subjects(p, s, ns, st, out);

	team_index ix;
	index_build(&ix, p, in, ni);
	size_t *cand = yj_calloc(ni, sizeof *cand), *ties = yj_calloc(ni, sizeof *ties);
	int64_t *load = yj_calloc(ni, sizeof *load);
	for (size_t k = 0; k < out->n; k++) {
		size_t nc = eligible(&ix, in, s, out->subjects[k], cand), *team = out->teams + k * (size_t)p->team_size;
		int nt = 0;
		/* Joint draws: one of each department first, in the plan's order; then anyone. */
		for (int d = 0; p->ndepartments > 1 && d < p->ndepartments; d++) {
			size_t who = pick_inspector(st, &ix, cand, nc, team, nt, d, load, ties);
			team[nt++] = who;
		}
		while (nt < p->team_size) {
			size_t who = pick_inspector(st, &ix, cand, nc, team, nt, -1, load, ties);
			team[nt++] = who;
		}
		for (int j = 0; j < nt; j++)
			load[team[j]]++;
	}
	free(cand);
	free(ties);
	free(load);
	index_free(&ix);
	free(st);
	return 0;
}

void yj_draw_result_free(yj_draw_result *r)
{
	free(r->subjects);
	free(r->teams);
	free(r->phase);
	memset(r, 0, sizeof *r);
}
