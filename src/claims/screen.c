/* screen.c — the rule types. Each is one loop: over the columns (line rules), over rows grouped
 * by claim (a counting sort on the claim code), or over rows grouped by patient and ordered by
 * service date (two stable counting sorts). Item lists become a table indexed by the item's
 * dictionary code, so membership is one load. Rules run in parallel, one rule per task; each
 * writes its own flag vector, and the vectors are joined in rule order.
 * Over 800 lines on purpose: the rule kernels share one column layout and the dispatch table indexed
 * by rule type (rule_fns[]); one file keeps every kernel beside the layout it loops over.
 */
#include "claims.h"
#include "../base/base.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NONE INT64_MIN

typedef struct stay {
	int32_t patient, admit, discharge, claim, first; /* first: row of the claim's lowest line */
	int32_t inst;
	int64_t total;
} stay;

/* A stay across its claims: an interim settlement (中途结算) bills one stay as several claims,
 * either each with the full admission and discharge dates or each with its own segment's dates
 * (the next admitted on the day the last was discharged). Claims of one patient at one institution
 * whose dates overlap or touch are one episode; the admission-based rules (readmission, idle_bed,
 * outpatient_in_stay) look at episodes. */
typedef struct episode {
	int32_t patient, inst, admit, discharge;
	int32_t s0, s1; /* its claims: stays[s0..s1) */
	int32_t first;	/* head row of its first claim */
	int64_t total;
} episode;

typedef struct ctx {
	const yj_claims *c;
	const yj_rules *rs;
	const yj_refs *refs;
	int32_t nclaims, npat;
	int32_t *by_claim, *claim_off; /* rows grouped by claim, in file order */
	int32_t *by_pat, *pat_off;     /* rows grouped by patient, by service date then row */
	uint64_t *pat_day;	       /* per position of by_pat: its (patient, service date) key */
	int32_t day_lo;		       /* key = patient * day_range + service - day_lo */
	int64_t day_range;
	int32_t *claim_first;	       /* row of each claim's lowest line_no */
	stay *stays;		       /* inpatient claims, by patient then admission */
	int32_t nstays;
	episode *eps;		       /* stays across claims, by patient then admission */
	int32_t neps;
} ctx;

typedef struct fvec {
	yj_flag *f;
	size_t n, cap;
	int32_t ids; /* flag ids used */
	const char *skipped;
} fvec;

static void emit(fvec *v, int rule, int32_t flag, int32_t row, int32_t other, int64_t amount, int64_t value,
		 int64_t limit)
{
	if (v->n == v->cap) {
		v->cap = v->cap ? v->cap * 2 : 256;
		v->f = yj_realloc(v->f, sizeof *v->f * v->cap);
	}
	v->f[v->n++] = (yj_flag){rule, flag, row, other, amount, value, limit};
}

/* ---- indexes ------------------------------------------------------------------------------ */

/* Stable counting sort of perm_in (or 0..n-1) by key[row] in [0, nkeys); off gets nkeys+1 offsets. */
static void counting_sort(const int32_t *key, int32_t nkeys, const int32_t *perm_in, size_t n, int32_t *perm_out,
			  int32_t *off)
{
	memset(off, 0, sizeof *off * ((size_t)nkeys + 1));
	for (size_t i = 0; i < n; i++)
		off[key[perm_in ? perm_in[i] : (int32_t)i] + 1]++;
	for (int32_t k = 0; k < nkeys; k++)
		off[k + 1] += off[k];
	int32_t *pos = yj_malloc(sizeof *pos * ((size_t)nkeys + 1));
	memcpy(pos, off, sizeof *pos * ((size_t)nkeys + 1));
	for (size_t i = 0; i < n; i++) {
		int32_t r = perm_in ? perm_in[i] : (int32_t)i;
		perm_out[pos[key[r]]++] = r;
	}
	free(pos);
}

static void build_claim_index(ctx *x)
{
	const yj_claims *c = x->c;
	x->by_claim = yj_malloc(sizeof(int32_t) * (c->n ? c->n : 1));
	x->claim_off = yj_malloc(sizeof(int32_t) * ((size_t)x->nclaims + 1));
	counting_sort(c->claim, x->nclaims, NULL, c->n, x->by_claim, x->claim_off);
	x->claim_first = yj_malloc(sizeof(int32_t) * ((size_t)x->nclaims + 1));
	int32_t ni = 0;
	for (int32_t k = 0; k < x->nclaims; k++) {
		if (x->claim_off[k] == x->claim_off[k + 1]) { /* every line refunded (refund.c) */
			x->claim_first[k] = -1;
			continue;
		}
		int32_t best = x->by_claim[x->claim_off[k]];
		for (int32_t j = x->claim_off[k] + 1; j < x->claim_off[k + 1]; j++)
			if (c->line_no[x->by_claim[j]] < c->line_no[best])
				best = x->by_claim[j];
		x->claim_first[k] = best;
		ni += c->visit[best] == YJ_VISIT_I;
	}
	x->stays = yj_malloc(sizeof *x->stays * (size_t)(ni ? ni : 1));
	for (int32_t k = 0; k < x->nclaims; k++) {
		int32_t f = x->claim_first[k];
		if (f < 0 || c->visit[f] != YJ_VISIT_I)
			continue;
		int64_t total = 0;
		for (int32_t j = x->claim_off[k]; j < x->claim_off[k + 1]; j++)
			total += c->amount[x->by_claim[j]];
		x->stays[x->nstays++] = (stay){c->patient[f], c->admit[f], c->discharge[f], k, f, c->inst[f], total};
	}
}

static int stay_cmp(const void *a, const void *b)
{
	const stay *x = a, *y = b;
	if (x->patient != y->patient)
		return x->patient < y->patient ? -1 : 1;
	if (x->admit != y->admit)
		return x->admit < y->admit ? -1 : 1;
	return (x->claim > y->claim) - (x->claim < y->claim);
}

/* Stable LSD radix sort of key[0..n) (values below 2^bits), carrying row[]; 11-bit digits, so
 * each pass streams through the arrays and scatters into 2048 buckets. */
static void radix_sort(uint64_t *key, int32_t *row, size_t n, int bits)
{
	enum { B = 11, NB = 1 << B };
	if (n < 2)
		return;
	if (n < 64) { /* a real-time check's few dozen rows: a stable insertion sort, no 2,048-bucket passes */
		for (size_t i = 1; i < n; i++) {
			uint64_t k = key[i];
			int32_t r = row[i];
			size_t j = i;
			for (; j > 0 && key[j - 1] > k; j--) {
				key[j] = key[j - 1];
				row[j] = row[j - 1];
			}
			key[j] = k;
			row[j] = r;
		}
		return;
	}
	uint64_t *k2 = yj_malloc(sizeof *k2 * n);
	int32_t *r2 = yj_malloc(sizeof *r2 * n);
	size_t *cnt = yj_malloc(sizeof *cnt * NB);
	uint64_t *ka = key, *kb = k2;
	int32_t *ra = row, *rb = r2;
	for (int shift = 0; shift < bits; shift += B) {
		memset(cnt, 0, sizeof *cnt * NB);
		for (size_t i = 0; i < n; i++)
			cnt[ka[i] >> shift & (NB - 1)]++;
		size_t sum = 0;
		for (int d = 0; d < NB; d++) {
			size_t v = cnt[d];
			cnt[d] = sum;
			sum += v;
		}
		for (size_t i = 0; i < n; i++) {
			size_t o = cnt[ka[i] >> shift & (NB - 1)]++;
			kb[o] = ka[i];
			rb[o] = ra[i];
		}
		uint64_t *kt = ka;
		ka = kb;
		kb = kt;
		int32_t *rt = ra;
		ra = rb;
		rb = rt;
	}
	if (ka != key) {
		memcpy(key, ka, sizeof *key * n);
		memcpy(row, ra, sizeof *row * n);
	}
	free(k2);
	free(r2);
	free(cnt);
}

static int key_bits(uint64_t max)
{
	int b = 1;
	while (b < 64 && max >> b)
		b++;
	return b;
}

static inline uint64_t day_key(const ctx *x, int32_t row)
{
	return (uint64_t)x->c->patient[row] * (uint64_t)x->day_range + (uint64_t)(x->c->service[row] - x->day_lo);
}

/* Rows ordered by patient, service date and row: one radix sort of (patient, date) keys. */
static void build_patient_index(ctx *x)
{
	const yj_claims *c = x->c;
	size_t n = c->n;
	x->by_pat = yj_malloc(sizeof(int32_t) * (n ? n : 1));
	x->pat_day = yj_malloc(sizeof(uint64_t) * (n ? n : 1));
	x->pat_off = yj_calloc((size_t)x->npat + 1, sizeof(int32_t));
	x->day_lo = 0;
	x->day_range = 1;
	if (!n)
		return;
	int32_t lo = c->service[0], hi = c->service[0];
	for (size_t i = 1; i < n; i++) {
		lo = c->service[i] < lo ? c->service[i] : lo;
		hi = c->service[i] > hi ? c->service[i] : hi;
	}
	x->day_lo = lo;
	x->day_range = (int64_t)hi - lo + 1;
	for (size_t i = 0; i < n; i++) {
		x->by_pat[i] = (int32_t)i;
		x->pat_day[i] = day_key(x, (int32_t)i);
	}
	radix_sort(x->pat_day, x->by_pat, n, key_bits((uint64_t)x->npat * (uint64_t)x->day_range));
	/* pat_off[p]: the first index of patient p, walking the sorted keys (no division per row) */
	uint64_t range = (uint64_t)x->day_range, next = range; /* first key of patient p + 1 */
	int32_t p = 0;
	for (size_t j = 0; j < n; j++)
		while (x->pat_day[j] >= next) {
			x->pat_off[++p] = (int32_t)j;
			next += range;
		}
	while (p < x->npat)
		x->pat_off[++p] = (int32_t)n;
}

static void free_ctx(ctx *x)
{
	free(x->by_claim);
	free(x->claim_off);
	free(x->claim_first);
	free(x->stays);
	free(x->eps);
	free(x->by_pat);
	free(x->pat_off);
	free(x->pat_day);
}

/* ---- item tables -------------------------------------------------------------------------- */

enum vkind { V_PRESENT, V_MONEY, V_QTY, V_INDEX };

/* List item k's value as a table entry of kind: 1 (present), money or quantity, or k itself; 0 when
 * the value does not read as the kind asks. */
static int item_value(const yj_list *l, int k, int kind, int64_t *val)
{
	const char *v = l->items[k].value;
	*val = 1;
	if (kind == V_MONEY && yj_parse_decimal(v, strlen(v), 2, val) < 0)
		return 0;
	if (kind == V_QTY && yj_parse_decimal(v, strlen(v), 3, val) < 0)
		return 0;
	if (kind == V_INDEX)
		*val = k;
	return 1;
}

/* A table over item codes: the list item's value (or index) for listed items, NONE otherwise; of
 * several items of one code the last that reads. Either the list is scanned against the data's item
 * dictionary, or — when the data has fewer distinct items than the list, as a real-time check's
 * dozen against a province's catalogue of tens of thousands — each of the data's items is looked up
 * in the list's code index: the same table in time proportional to the smaller side. */
static int64_t *item_table(const ctx *x, const yj_list *l, int kind)
{
	const yj_dict *items = x->c->dict[YJ_D_ITEM];
	int32_t ni = yj_dict_count(items);
	int64_t *t = yj_malloc(sizeof *t * (size_t)(ni ? ni : 1));
	for (int32_t i = 0; i < ni; i++)
		t[i] = NONE;
	if (!l)
		return t;
	int64_t val;
	if (l->ix_slot && ni < l->n) {
		for (int32_t i = 0; i < ni; i++) {
			/* by length, not strlen: a code with a NUL byte inside matches nothing, as in the scan */
			int k = yj_list_last(l, yj_dict_str(items, i), yj_dict_len(items, i));
			for (; k >= 0; k = l->ix_prev[k])
				if (item_value(l, k, kind, &val)) {
					t[i] = val;
					break;
				}
		}
		return t;
	}
	for (int k = 0; k < l->n; k++) {
		int32_t code = yj_dict_find(items, l->items[k].code, strlen(l->items[k].code));
		if (code >= 0 && item_value(l, k, kind, &val))
			t[code] = val;
	}
	return t;
}

#define SCENE(r, i) ((r)->scene_mask >> c->visit[i] & 1u)

/* ---- line rules --------------------------------------------------------------------------- */

static void r_sex(const ctx *x, int ri, fvec *o)
{
	const yj_claims *c = x->c;
	const yj_rule *r = &x->rs->r[ri];
	int64_t *t = item_table(x, r->list, V_INDEX);
	const char *def = yj_rule_str(r, "sex", "");
	for (size_t i = 0; i < c->n; i++) {
		int64_t k = t[c->item[i]];
		if (k == NONE || !SCENE(r, i))
			continue;
		const char *v = r->list->items[k].value;
		int allowed = *v == 'M' || *v == 'F' ? *v : *def;
		if (allowed && c->sex[i] != allowed)
			emit(o, ri, o->ids++, (int32_t)i, -1, c->amount[i], c->sex[i], allowed);
	}
	free(t);
}

static void r_age(const ctx *x, int ri, fvec *o)
{
	const yj_claims *c = x->c;
	const yj_rule *r = &x->rs->r[ri];
	int64_t *t = item_table(x, r->list, V_PRESENT);
	int lo = (int)yj_rule_num(r, "min_age", 0), hi = (int)yj_rule_num(r, "max_age", 200);
	for (size_t i = 0; i < c->n; i++) {
		if (t[c->item[i]] == NONE || !SCENE(r, i))
			continue;
		int age = yj_age_years(c->birth[i], c->service[i]);
		if (age < lo || age > hi)
			emit(o, ri, o->ids++, (int32_t)i, -1, c->amount[i], age, age < lo ? lo : hi);
	}
	free(t);
}

static void r_price(const ctx *x, int ri, fvec *o)
{
	const yj_claims *c = x->c;
	const yj_rule *r = &x->rs->r[ri];
	int64_t *t = item_table(x, r->list, V_MONEY);
	for (size_t i = 0; i < c->n; i++) {
		int64_t cap = t[c->item[i]];
		if (cap != NONE && c->price[i] > cap && SCENE(r, i))
			emit(o, ri, o->ids++, (int32_t)i, -1, ((c->price[i] - cap) * c->qty[i] + 500) / 1000, c->price[i], cap);
	}
	free(t);
}

static void r_days(const ctx *x, int ri, fvec *o)
{
	const yj_claims *c = x->c;
	const yj_rule *r = &x->rs->r[ri];
	int64_t *t = r->list ? item_table(x, r->list, V_PRESENT) : NULL;
	int32_t max = (int32_t)yj_rule_num(r, "max_days", 7);
	for (size_t i = 0; i < c->n; i++)
		if (c->days_supply[i] > max && c->item_type[i] == YJ_ITEM_DRUG && SCENE(r, i) && (!t || t[c->item[i]] != NONE))
			emit(o, ri, o->ids++, (int32_t)i, -1, c->amount[i], c->days_supply[i], max);
	free(t);
}

/* Prefix sets of a diag_limit list, one `|`-separated value per item, checked against each
 * diagnosis once and cached. */
static void r_diag(const ctx *x, int ri, fvec *o)
{
	const yj_claims *c = x->c;
	const yj_rule *r = &x->rs->r[ri];
	int64_t *t = item_table(x, r->list, V_INDEX);
	/* cached per (listed item of the data, diagnosis): no more rows than the smaller of the data's
	 * items and the list (a province's drug catalogue has tens of thousands, a check a dozen) */
	int32_t nd = yj_dict_count(c->dict[YJ_D_DIAG]), ni = yj_dict_count(c->dict[YJ_D_ITEM]), m = 0;
	int32_t *dense = yj_malloc(sizeof *dense * (size_t)(ni ? ni : 1));
	for (int32_t i = 0; i < ni; i++)
		dense[i] = t[i] == NONE ? -1 : m++;
	size_t cells = (size_t)(m ? m : 1) * (size_t)(nd ? nd : 1);
	int8_t *ok = yj_malloc(cells);
	memset(ok, -1, cells);
	int32_t last_claim = -1, fid = -1;
	for (size_t i = 0; i < c->n; i++) {
		int64_t k = t[c->item[i]];
		if (k == NONE || !SCENE(r, i))
			continue;
		int8_t *v = &ok[(size_t)dense[c->item[i]] * (size_t)nd + (size_t)c->diag[i]];
		if (*v < 0) {
			const char *dg = yj_dict_str(c->dict[YJ_D_DIAG], c->diag[i]);
			const char *s = r->list->items[k].value;
			*v = 0;
			while (*s && !*v) {
				const char *e = strchr(s, '|');
				size_t len = e ? (size_t)(e - s) : strlen(s);
				if (len && strncmp(dg, s, len) == 0)
					*v = 1;
				s += len + (e ? 1 : 0);
			}
		}
		if (!*v) {
			if (c->claim[i] != last_claim)
				fid = o->ids++;
			last_claim = c->claim[i];
			emit(o, ri, fid, (int32_t)i, -1, c->amount[i], 0, 0);
		}
	}
	free(ok);
	free(dense);
	free(t);
}

static int32_t *death_table(const ctx *x)
{
	int32_t np = yj_dict_count(x->c->dict[YJ_D_PATIENT]);
	int32_t *dd = yj_malloc(sizeof *dd * (size_t)(np ? np : 1));
	for (int32_t i = 0; i < np; i++)
		dd[i] = INT32_MAX;
	for (int i = 0; i < x->refs->ndead; i++) {
		int32_t p = yj_dict_find(x->c->dict[YJ_D_PATIENT], x->refs->dead[i], strlen(x->refs->dead[i]));
		if (p >= 0 && x->refs->death_date[i] < dd[p])
			dd[p] = x->refs->death_date[i];
	}
	return dd;
}

static void r_death(const ctx *x, int ri, fvec *o)
{
	const yj_claims *c = x->c;
	const yj_rule *r = &x->rs->r[ri];
	if (!x->refs || !x->refs->have_deaths) {
		o->skipped = "needs --deaths";
		return;
	}
	int32_t *dd = death_table(x);
	int32_t last_claim = -1, fid = -1;
	for (size_t i = 0; i < c->n; i++)
		if (c->service[i] > dd[c->patient[i]] && SCENE(r, i)) {
			if (c->claim[i] != last_claim)
				fid = o->ids++;
			last_claim = c->claim[i];
			emit(o, ri, fid, (int32_t)i, -1, c->amount[i], c->service[i], dd[c->patient[i]]);
		}
	free(dd);
}

/* Registrations by physician code: institution code and the sorted dept codes of the category. */
typedef struct reg {
	int32_t inst;
	int32_t *depts;
	int nd;
} reg;

static int cmp_i32(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
	return (x > y) - (x < y);
}

static int has_i32(const int32_t *v, int n, int32_t k)
{
	return bsearch(&k, v, (size_t)n, sizeof k, cmp_i32) != NULL;
}

static int32_t *dept_codes(const ctx *x, char **depts, int n, int *out_n)
{
	int32_t *v = yj_malloc(sizeof *v * (size_t)(n ? n : 1));
	int k = 0;
	for (int i = 0; i < n; i++) {
		int32_t d = yj_dict_find(x->c->dict[YJ_D_DEPT], depts[i], strlen(depts[i]));
		if (d >= 0)
			v[k++] = d;
	}
	qsort(v, (size_t)k, sizeof *v, cmp_i32);
	*out_n = k;
	return v;
}

/* 1 per institution code that --registry's institutions.csv holds. */
static uint8_t *known_insts(const ctx *x)
{
	int32_t ni = yj_dict_count(x->c->dict[YJ_D_INST]);
	uint8_t *k = yj_calloc((size_t)(ni ? ni : 1), 1);
	for (int i = 0; x->refs && i < x->refs->ninsts; i++) {
		int32_t code = yj_dict_find(x->c->dict[YJ_D_INST], x->refs->insts[i].code, strlen(x->refs->insts[i].code));
		if (code >= 0)
			k[code] = 1;
	}
	return k;
}

static void r_physician(const ctx *x, int ri, fvec *o)
{
	const yj_claims *c = x->c;
	const yj_rule *r = &x->rs->r[ri];
	if (!x->refs || !x->refs->have_registry) {
		o->skipped = "needs --registry";
		return;
	}
	uint8_t *known = known_insts(x);
	int32_t nph = yj_dict_count(c->dict[YJ_D_PHYS]);
	reg **regs = yj_calloc((size_t)(nph ? nph : 1), sizeof *regs);
	int *nregs = yj_calloc((size_t)(nph ? nph : 1), sizeof *nregs);
	for (int i = 0; i < x->refs->nphys; i++) {
		const yj_phys_ref *p = &x->refs->phys[i];
		int32_t ph = yj_dict_find(c->dict[YJ_D_PHYS], p->id, strlen(p->id));
		int32_t in = yj_dict_find(c->dict[YJ_D_INST], p->inst, strlen(p->inst));
		if (ph < 0 || in < 0)
			continue;
		regs[ph] = yj_realloc(regs[ph], sizeof **regs * (size_t)(nregs[ph] + 1));
		reg *g = &regs[ph][nregs[ph]++];
		g->inst = in;
		g->depts = dept_codes(x, p->depts, p->ndepts, &g->nd);
	}
	int32_t lp = -1, li = -1, ld = -1, lres = 0, last_claim = -1, fid = -1;
	for (size_t i = 0; i < c->n; i++) {
		if (!SCENE(r, i))
			continue;
		int32_t ph = c->phys[i], in = c->inst[i], d = c->dept[i];
		if (!known[in]) /* a registry gap, reported once (yj_screen_result.gap_inst) */
			continue;
		if (ph != lp || in != li || d != ld) {
			lres = 1; /* not registered at this institution */
			for (int k = 0; k < nregs[ph]; k++)
				if (regs[ph][k].inst == in)
					lres = has_i32(regs[ph][k].depts, regs[ph][k].nd, d) ? 0 : 2;
			lp = ph, li = in, ld = d;
		}
		if (lres) {
			if (c->claim[i] != last_claim)
				fid = o->ids++;
			last_claim = c->claim[i];
			emit(o, ri, fid, (int32_t)i, -1, c->amount[i], lres, 0);
		}
	}
	for (int32_t p = 0; p < nph; p++) {
		for (int k = 0; k < nregs[p]; k++)
			free(regs[p][k].depts);
		free(regs[p]);
	}
	free(regs);
	free(nregs);
	free(known);
}

static void r_dept(const ctx *x, int ri, fvec *o)
{
	const yj_claims *c = x->c;
	const yj_rule *r = &x->rs->r[ri];
	if (!x->refs || !x->refs->have_registry) {
		o->skipped = "needs --registry";
		return;
	}
	int32_t ni = yj_dict_count(c->dict[YJ_D_INST]);
	int32_t **deps = yj_calloc((size_t)(ni ? ni : 1), sizeof *deps);
	int *nd = yj_calloc((size_t)(ni ? ni : 1), sizeof *nd);
	for (int i = 0; i < x->refs->ninsts; i++) {
		const yj_inst_ref *in = &x->refs->insts[i];
		int32_t k = yj_dict_find(c->dict[YJ_D_INST], in->code, strlen(in->code));
		if (k >= 0 && !deps[k])
			deps[k] = dept_codes(x, in->depts, in->ndepts, &nd[k]);
	}
	int32_t last_claim = -1, fid = -1;
	for (size_t i = 0; i < c->n; i++) {
		int32_t in = c->inst[i];
		if (!deps[in] || !SCENE(r, i)) /* an institution missing from the registry is not judged */
			continue;
		if (!has_i32(deps[in], nd[in], c->dept[i])) {
			if (c->claim[i] != last_claim)
				fid = o->ids++;
			last_claim = c->claim[i];
			emit(o, ri, fid, (int32_t)i, -1, c->amount[i], 0, 0);
		}
	}
	for (int32_t k = 0; k < ni; k++)
		free(deps[k]);
	free(deps);
	free(nd);
}

/* ---- rules over rows of one patient and day ----------------------------------------------- */

/* Sorts the small array v of rows by (key[row], row). */
static void sort_rows_by(int32_t *v, int n, int64_t *key)
{
	for (int i = 1; i < n; i++) {
		int32_t r = v[i];
		int j = i;
		while (j > 0 && (key[j - 1] > key[i] || (key[j - 1] == key[i] && v[j - 1] > r)))
			j--;
		if (j < i) {
			int64_t kk = key[i];
			memmove(v + j + 1, v + j, sizeof *v * (size_t)(i - j));
			memmove(key + j + 1, key + j, sizeof *key * (size_t)(i - j));
			v[j] = r;
			key[j] = kk;
		}
	}
}

/* Calls fn for each run of one patient's rows on one day that holds at least one listed row
 * (t[item] != NONE); rows holds the listed rows of the run, keys their list values. */
typedef void (*day_fn)(const ctx *x, int ri, fvec *o, int32_t *rows, int64_t *keys, int n, const int64_t *t);

static void for_each_day(const ctx *x, int ri, fvec *o, const int64_t *t, day_fn fn)
{
	const yj_claims *c = x->c;
	const yj_rule *r = &x->rs->r[ri];
	/* The listed rows, in row order (one pass over the item column), then ordered by patient and
	 * day (stable, so by row within a day): the same runs as walking by_pat, without touching the
	 * rows that are not listed. */
	size_t n = c->n, m = 0, cap = 1024;
	int32_t *cand = yj_malloc(sizeof *cand * cap);
	for (size_t i = 0; i < n; i++) {
		if (t[c->item[i]] == NONE || !SCENE(r, i))
			continue;
		if (m == cap) {
			cap *= 2;
			cand = yj_realloc(cand, sizeof *cand * cap);
		}
		cand[m++] = (int32_t)i;
	}
	uint64_t *key = yj_malloc(sizeof *key * (m ? m : 1));
	for (size_t j = 0; j < m; j++)
		key[j] = day_key(x, cand[j]);
	radix_sort(key, cand, m, key_bits((uint64_t)x->npat * (uint64_t)x->day_range));
	int kcap = 64;
	int64_t *keys = yj_malloc(sizeof *keys * (size_t)kcap);
	for (size_t a = 0; a < m;) {
		size_t b = a + 1;
		while (b < m && key[b] == key[a])
			b++;
		int k = (int)(b - a);
		if (k > kcap) {
			kcap = k;
			keys = yj_realloc(keys, sizeof *keys * (size_t)kcap);
		}
		for (int j = 0; j < k; j++)
			keys[j] = t[c->item[cand[a + (size_t)j]]];
		fn(x, ri, o, cand + a, keys, k, t);
		a = b;
	}
	free(cand);
	free(key);
	free(keys);
}

static void daily_cap_day(const ctx *x, int ri, fvec *o, int32_t *rows, int64_t *keys, int n, const int64_t *t)
{
	const yj_claims *c = x->c;
	for (int i = 0; i < n; i++) /* group by item */
		keys[i] = c->item[rows[i]];
	sort_rows_by(rows, n, keys);
	for (int a = 0; a < n;) {
		int b = a + 1;
		while (b < n && keys[b] == keys[a])
			b++;
		int64_t cap = t[keys[a]], sum = 0;
		for (int j = a; j < b; j++)
			sum += c->qty[rows[j]];
		if (sum > cap) {
			int32_t fid = o->ids++;
			int64_t cum = 0;
			for (int j = a; j < b; j++) {
				int32_t row = rows[j];
				int64_t before = cum;
				cum += c->qty[row];
				int64_t excess = cum > cap ? cum - (before > cap ? before : cap) : 0;
				emit(o, ri, fid, row, -1, (excess * c->price[row] + 500) / 1000, sum, cap);
			}
		}
		a = b;
	}
}

static void r_daily_cap(const ctx *x, int ri, fvec *o)
{
	int64_t *t = item_table(x, x->rs->r[ri].list, V_QTY);
	for_each_day(x, ri, o, t, daily_cap_day);
	free(t);
}

/* Exclusive groups: the list value names the group; keys are group numbers. */
static void exclusive_day(const ctx *x, int ri, fvec *o, int32_t *rows, int64_t *keys, int n, const int64_t *t)
{
	const yj_claims *c = x->c;
	if (n < 2)
		return;
	for (int i = 0; i < n; i++) /* group, then item */
		keys[i] = keys[i] << 32 | (int64_t)c->item[rows[i]];
	sort_rows_by(rows, n, keys);
	for (int a = 0; a < n;) {
		int b = a + 1;
		while (b < n && keys[b] >> 32 == keys[a] >> 32)
			b++;
		int distinct = 1, min = x->rs->r[ri].type == YJ_RT_SPLIT_BILLING
						 ? (int)yj_rule_num(&x->rs->r[ri], "min_parts", 2) : 2;
		int32_t keep = rows[a];
		for (int j = a + 1; j < b; j++) {
			distinct += keys[j] != keys[j - 1];
			/* the dearest line is kept, not the highest unit price: a per-hour item (24 h ×
			 * 8.00) against a per-day one (28.00) keeps the 192.00 line */
			if (c->amount[rows[j]] > c->amount[keep])
				keep = rows[j];
		}
		if (distinct >= min) {
			int32_t fid = o->ids++;
			for (int j = a; j < b; j++) {
				int32_t row = rows[j];
				int same = c->item[row] == c->item[keep];
				emit(o, ri, fid, row, same ? -1 : keep, same ? 0 : c->amount[row], distinct, min - 1);
			}
		}
		a = b;
	}
}

static void r_exclusive(const ctx *x, int ri, fvec *o)
{
	const yj_rule *r = &x->rs->r[ri];
	int64_t *t = item_table(x, r->list, V_INDEX);
	/* list index → group number (first index with the same value) */
	int32_t ni = yj_dict_count(x->c->dict[YJ_D_ITEM]);
	for (int32_t i = 0; i < ni; i++) {
		if (t[i] == NONE)
			continue;
		const char *g = r->list->items[t[i]].value;
		int64_t k = 0;
		while (strcmp(r->list->items[k].value, g) != 0)
			k++;
		t[i] = k;
	}
	for_each_day(x, ri, o, t, exclusive_day);
	free(t);
}

static double distance_km(double lat1, double lon1, double lat2, double lon2)
{
	double p = M_PI / 180, a = sin((lat2 - lat1) * p / 2), b = sin((lon2 - lon1) * p / 2);
	double h = a * a + cos(lat1 * p) * cos(lat2 * p) * b * b;
	return 2 * 6371.0 * asin(sqrt(h));
}

static void r_card(const ctx *x, int ri, fvec *o)
{
	const yj_claims *c = x->c;
	const yj_rule *r = &x->rs->r[ri];
	if (!x->refs || !x->refs->have_registry) {
		o->skipped = "needs --registry";
		return;
	}
	double max_km = yj_rule_num(r, "min_hours", 4) * yj_rule_num(r, "speed_kmh", 80);
	int32_t ni = yj_dict_count(c->dict[YJ_D_INST]);
	double *lat = yj_malloc(sizeof *lat * (size_t)(ni ? ni : 1)), *lon = yj_malloc(sizeof *lon * (size_t)(ni ? ni : 1));
	for (int32_t i = 0; i < ni; i++)
		lat[i] = lon[i] = NAN;
	for (int i = 0; i < x->refs->ninsts; i++) {
		int32_t k = yj_dict_find(c->dict[YJ_D_INST], x->refs->insts[i].code, strlen(x->refs->insts[i].code));
		if (k >= 0) {
			lat[k] = x->refs->insts[i].lat;
			lon[k] = x->refs->insts[i].lon;
		}
	}
	size_t n = c->n;
	int32_t firsts[16];
	for (size_t a = 0; a < n;) {
		size_t b = a + 1;
		while (b < n && x->pat_day[b] == x->pat_day[a])
			b++;
		int multi = 0;
		if (b - a > 1) { /* a day with one line needs no look at the row */
			int32_t i0 = c->inst[x->by_pat[a]];
			for (size_t j = a + 1; j < b && !multi; j++)
				multi = c->inst[x->by_pat[j]] != i0;
		}
		if (multi) {
			int k = 0;
			for (size_t j = a; j < b && k < 16; j++) {
				int32_t row = x->by_pat[j];
				if (!SCENE(r, row))
					continue;
				int seen = 0;
				for (int q = 0; q < k; q++)
					seen |= c->inst[firsts[q]] == c->inst[row];
				if (!seen)
					firsts[k++] = row;
			}
			double best = 0;
			int ba = -1, bb = -1;
			for (int p = 0; p < k; p++)
				for (int q = p + 1; q < k; q++) {
					double d = distance_km(lat[c->inst[firsts[p]]], lon[c->inst[firsts[p]]],
							       lat[c->inst[firsts[q]]], lon[c->inst[firsts[q]]]);
					if (d > best) { /* NaN (no coordinates) never compares greater */
						best = d;
						ba = p;
						bb = q;
					}
				}
			if (ba >= 0 && best > max_km) {
				int32_t fid = o->ids++;
				int32_t ra = firsts[ba], rb = firsts[bb];
				if (ra > rb) {
					int32_t tmp = ra;
					ra = rb;
					rb = tmp;
				}
				emit(o, ri, fid, ra, rb, 0, (int64_t)(best + 0.5), (int64_t)max_km);
				emit(o, ri, fid, rb, ra, 0, (int64_t)(best + 0.5), (int64_t)max_km);
			}
		}
		a = b;
	}
	free(lat);
	free(lon);
}

/* ---- rules over claims and stays --------------------------------------------------------- */

static int line_key_cmp(const yj_claims *c, int32_t a, int32_t b)
{
#define K(f)                                                                                                          \
	if (c->f[a] != c->f[b])                                                                                       \
		return c->f[a] < c->f[b] ? -1 : 1;
	K(item) K(service) K(qty) K(price) K(line_no)
#undef K
	return (a > b) - (a < b);
}

static void r_duplicate(const ctx *x, int ri, fvec *o)
{
	const yj_claims *c = x->c;
	const yj_rule *r = &x->rs->r[ri];
	int cap = 64;
	int32_t *v = yj_malloc(sizeof *v * (size_t)cap);
	for (int32_t k = 0; k < x->nclaims; k++) {
		int n = x->claim_off[k + 1] - x->claim_off[k];
		if (n < 2 || !SCENE(r, x->claim_first[k]))
			continue;
		if (n > cap) {
			cap = n;
			v = yj_realloc(v, sizeof *v * (size_t)cap);
		}
		memcpy(v, x->by_claim + x->claim_off[k], sizeof *v * (size_t)n);
		for (int i = 1; i < n; i++) { /* insertion sort: claims are short */
			int32_t row = v[i];
			int j = i;
			while (j > 0 && line_key_cmp(c, v[j - 1], row) > 0) {
				v[j] = v[j - 1];
				j--;
			}
			v[j] = row;
		}
		for (int a = 0; a < n;) {
			int b = a + 1;
			while (b < n && c->item[v[b]] == c->item[v[a]] && c->service[v[b]] == c->service[v[a]] &&
			       c->qty[v[b]] == c->qty[v[a]] && c->price[v[b]] == c->price[v[a]])
				b++;
			if (b - a >= 2) {
				int32_t fid = o->ids++;
				for (int j = a; j < b; j++)
					emit(o, ri, fid, v[j], j == a ? -1 : v[a], j == a ? 0 : c->amount[v[j]], b - a, 1);
			}
			a = b;
		}
	}
	free(v);
}

static void r_big_rx(const ctx *x, int ri, fvec *o)
{
	const yj_claims *c = x->c;
	const yj_rule *r = &x->rs->r[ri];
	int64_t limit = (int64_t)llround(yj_rule_num(r, "amount", 1000) * 100);
	for (int32_t k = 0; k < x->nclaims; k++) {
		if (x->claim_first[k] < 0 || !SCENE(r, x->claim_first[k]))
			continue;
		int64_t sum = 0;
		for (int32_t j = x->claim_off[k]; j < x->claim_off[k + 1]; j++) {
			int32_t row = x->by_claim[j];
			if (c->item_type[row] == YJ_ITEM_DRUG)
				sum += c->amount[row];
		}
		if (sum <= limit)
			continue;
		int32_t fid = o->ids++;
		for (int32_t j = x->claim_off[k]; j < x->claim_off[k + 1]; j++) {
			int32_t row = x->by_claim[j];
			if (c->item_type[row] == YJ_ITEM_DRUG)
				emit(o, ri, fid, row, -1, c->amount[row], sum, limit);
		}
	}
}

static void r_readmission(const ctx *x, int ri, fvec *o)
{
	const yj_claims *c = x->c;
	const yj_rule *r = &x->rs->r[ri];
	int32_t days = (int32_t)yj_rule_num(r, "days", 15);
	size_t chars = (size_t)yj_rule_num(r, "diag_chars", 3);
	for (int32_t s = 1; s < x->neps; s++) {
		const episode *a = &x->eps[s - 1], *b = &x->eps[s];
		if (a->patient != b->patient || a->discharge == YJ_NO_DATE || b->admit == YJ_NO_DATE)
			continue;
		int32_t gap = b->admit - a->discharge;
		if (gap < 0 || gap > days)
			continue;
		const char *da = yj_dict_str(c->dict[YJ_D_DIAG], c->diag[a->first]);
		const char *db = yj_dict_str(c->dict[YJ_D_DIAG], c->diag[b->first]);
		if (strncmp(da, db, chars) != 0)
			continue;
		int32_t fid = o->ids++;
		emit(o, ri, fid, a->first, b->first, 0, gap, days);
		emit(o, ri, fid, b->first, a->first, b->total, gap, days);
	}
}

static void r_idle(const ctx *x, int ri, fvec *o)
{
	const yj_claims *c = x->c;
	const yj_rule *r = &x->rs->r[ri];
	int64_t *t = item_table(x, r->list, V_PRESENT);
	int32_t min_idle = (int32_t)yj_rule_num(r, "min_idle_days", 3);
	enum { MAXD = 400 };
	uint8_t treat[MAXD];
	for (int32_t s = 0; s < x->neps; s++) {
		const episode *st = &x->eps[s];
		if (st->discharge == YJ_NO_DATE)
			continue;
		int32_t len = st->discharge - st->admit;
		len = len < 1 ? 1 : len > MAXD ? MAXD : len;
		memset(treat, 0, (size_t)len);
		for (int32_t q = st->s0; q < st->s1; q++) { /* every claim of the stay (中途结算) */
			int32_t a = x->claim_off[x->stays[q].claim], b = x->claim_off[x->stays[q].claim + 1];
			for (int32_t j = a; j < b; j++) {
				int32_t row = x->by_claim[j], d = c->service[row] - st->admit;
				if (d >= 0 && d < len && t[c->item[row]] == NONE)
					treat[d] = 1;
			}
		}
		int32_t idle = 0;
		for (int32_t d = 0; d < len; d++)
			idle += !treat[d];
		if (idle < min_idle)
			continue;
		int32_t fid = o->ids++;
		int any = 0;
		for (int32_t q = st->s0; q < st->s1; q++) {
			int32_t a = x->claim_off[x->stays[q].claim], b = x->claim_off[x->stays[q].claim + 1];
			for (int32_t j = a; j < b; j++) {
				int32_t row = x->by_claim[j], d = c->service[row] - st->admit;
				if (d >= 0 && d < len && !treat[d]) {
					emit(o, ri, fid, row, -1, c->amount[row], idle, min_idle);
					any = 1;
				}
			}
		}
		if (!any)
			emit(o, ri, fid, st->first, -1, 0, idle, min_idle);
	}
	free(t);
}

static void r_out_in_stay(const ctx *x, int ri, fvec *o)
{
	const yj_claims *c = x->c;
	const yj_rule *r = &x->rs->r[ri];
	for (int32_t s = 0; s < x->neps;) {
		int32_t p = x->eps[s].patient, e = s;
		while (e < x->neps && x->eps[e].patient == p)
			e++;
		int32_t last_claim = -1, fid = -1;
		for (int32_t j = x->pat_off[p]; j < x->pat_off[p + 1]; j++) {
			int32_t row = x->by_pat[j];
			if (c->visit[row] == YJ_VISIT_I || !SCENE(r, row))
				continue;
			for (int32_t q = s; q < e; q++) {
				const episode *st = &x->eps[q];
				if (st->discharge != YJ_NO_DATE && c->service[row] > st->admit && c->service[row] < st->discharge) {
					if (c->claim[row] != last_claim)
						fid = o->ids++;
					last_claim = c->claim[row];
					emit(o, ri, fid, row, st->first, c->amount[row], st->admit, st->discharge);
					break;
				}
			}
		}
		s = e;
	}
}

/* Key-monitored drugs: amounts per institution, drug and month; growth over the previous month
 * (the first month of the data has no baseline) or a place in the top N of the month. */
static void r_key_drug(const ctx *x, int ri, fvec *o)
{
	const yj_claims *c = x->c;
	const yj_rule *r = &x->rs->r[ri];
	int64_t *t = item_table(x, r->list, V_INDEX);
	double growth = yj_rule_num(r, "growth", NAN); /* absent: no growth test */
	int64_t min_amount = (int64_t)llround(yj_rule_num(r, "min_amount", 1000) * 100);
	int top = (int)yj_rule_num(r, "top_n", 0);
	int32_t ni = yj_dict_count(c->dict[YJ_D_INST]), nk = r->list->n, m0 = INT32_MAX, m1 = INT32_MIN;
	int32_t *month = yj_malloc(sizeof *month * (c->n ? c->n : 1));
	for (size_t i = 0; i < c->n; i++) {
		if (t[c->item[i]] == NONE || !SCENE(r, i))
			continue;
		int y, m, d;
		yj_civil_from_days(c->service[i], &y, &m, &d);
		month[i] = y * 12 + m - 1;
		m0 = month[i] < m0 ? month[i] : m0;
		m1 = month[i] > m1 ? month[i] : m1;
	}
	if (m0 > m1) {
		free(month);
		free(t);
		return;
	}
	int32_t nm = m1 - m0 + 1;
	size_t cells = (size_t)ni * (size_t)nk * (size_t)nm;
	int64_t *sum = yj_calloc(cells, sizeof *sum);
	int64_t *prev = yj_calloc(cells, sizeof *prev);
	uint8_t *mark = yj_calloc(cells, 1);
	int32_t *fid = yj_malloc(sizeof *fid * cells);
#define CELL(in, k, m) (((size_t)(in) * (size_t)nk + (size_t)(k)) * (size_t)nm + (size_t)(m))
	for (size_t i = 0; i < c->n; i++)
		if (t[c->item[i]] != NONE && SCENE(r, i))
			sum[CELL(c->inst[i], t[c->item[i]], month[i] - m0)] += c->amount[i];
	for (int32_t in = 0; in < ni; in++)
		for (int32_t k = 0; k < nk; k++)
			for (int32_t m = 1; m < nm; m++) {
				int64_t cur = sum[CELL(in, k, m)], pv = sum[CELL(in, k, m - 1)];
				prev[CELL(in, k, m)] = pv;
				if (!isnan(growth) && cur >= min_amount && (double)cur > (double)pv * (1.0 + growth))
					mark[CELL(in, k, m)] = 1;
			}
	if (top > 0) {
		int32_t *best = yj_malloc(sizeof *best * (size_t)top);
		for (int32_t k = 0; k < nk; k++)
			for (int32_t m = 0; m < nm; m++) {
				int nb = 0;
				for (int32_t in = 0; in < ni; in++) {
					int64_t v = sum[CELL(in, k, m)];
					if (v <= 0)
						continue;
					int pos = nb;
					while (pos > 0 && sum[CELL(best[pos - 1], k, m)] < v)
						pos--;
					if (pos >= top)
						continue;
					if (nb < top)
						nb++;
					memmove(best + pos + 1, best + pos, sizeof *best * (size_t)(nb - 1 - pos));
					best[pos] = in;
				}
				for (int q = 0; q < nb; q++)
					mark[CELL(best[q], k, m)] = 1;
			}
		free(best);
	}
	for (size_t i = 0; i < cells; i++)
		fid[i] = -1;
	for (size_t i = 0; i < c->n; i++) {
		if (t[c->item[i]] == NONE || !SCENE(r, i))
			continue;
		size_t cell = CELL(c->inst[i], t[c->item[i]], month[i] - m0);
		if (!mark[cell])
			continue;
		if (fid[cell] < 0)
			fid[cell] = o->ids++;
		emit(o, ri, fid[cell], (int32_t)i, -1, c->amount[i], sum[cell], prev[cell]);
	}
#undef CELL
	free(sum);
	free(prev);
	free(mark);
	free(fid);
	free(month);
	free(t);
}

/* ---- rule types of the second round ------------------------------------------------------- */

/* High-value consumables (高值耗材) with no matching procedure in the claim: the list pairs each
 * consumable with the `|`-separated codes of the procedures that use it. */
static void r_consumable(const ctx *x, int ri, fvec *o)
{
	const yj_claims *c = x->c;
	const yj_rule *r = &x->rs->r[ri];
	int64_t *t = item_table(x, r->list, V_INDEX);
	int32_t ni = yj_dict_count(c->dict[YJ_D_ITEM]);
	/* the procedure codes of each listed item of the data (not of the whole list: a check has a dozen
	 * items), as item dictionary codes */
	int32_t **procs = yj_calloc((size_t)(ni ? ni : 1), sizeof *procs);
	int *np = yj_calloc((size_t)(ni ? ni : 1), sizeof *np);
	for (int32_t it = 0; it < ni; it++) {
		if (t[it] == NONE)
			continue;
		int32_t k = (int32_t)t[it];
		char **v = NULL;
		int n = 0;
		for (const char *s = r->list->items[k].value; *s;) {
			const char *e = strchr(s, '|');
			size_t len = e ? (size_t)(e - s) : strlen(s);
			if (len) {
				v = yj_realloc(v, sizeof *v * (size_t)(n + 1));
				v[n++] = yj_strndup(s, len);
			}
			s += len + (e ? 1 : 0);
		}
		procs[it] = yj_malloc(sizeof **procs * (size_t)(n ? n : 1));
		for (int i = 0; i < n; i++) {
			int32_t code = yj_dict_find(c->dict[YJ_D_ITEM], v[i], strlen(v[i]));
			if (code >= 0)
				procs[it][np[it]++] = code;
			free(v[i]);
		}
		free(v);
	}
	uint8_t *in_claim = yj_calloc((size_t)(ni ? ni : 1), 1);
	for (int32_t k = 0; k < x->nclaims; k++) {
		int32_t a = x->claim_off[k], b = x->claim_off[k + 1], any = 0;
		for (int32_t j = a; j < b && !any; j++)
			any = t[c->item[x->by_claim[j]]] != NONE;
		if (!any)
			continue;
		for (int32_t j = a; j < b; j++)
			in_claim[c->item[x->by_claim[j]]] = 1;
		int32_t fid = -1;
		for (int32_t j = a; j < b; j++) {
			int32_t row = x->by_claim[j];
			int32_t it = c->item[row];
			if (t[it] == NONE || !SCENE(r, row))
				continue;
			int found = 0;
			for (int q = 0; q < np[it] && !found; q++)
				found = in_claim[procs[it][q]];
			if (found)
				continue;
			if (fid < 0)
				fid = o->ids++;
			emit(o, ri, fid, row, -1, c->amount[row], 0, 0);
		}
		for (int32_t j = a; j < b; j++)
			in_claim[c->item[x->by_claim[j]]] = 0;
	}
	for (int32_t it = 0; it < ni; it++)
		free(procs[it]);
	free(procs);
	free(np);
	free(in_claim);
	free(t);
}

/* A big prescription split over claims (分解处方): a patient's O/E claims at one institution on
 * one day (the day of each claim's head row), none over `amount` yuan of drugs by itself (that is
 * big_prescription) but together over it. Rows: the drug lines of those claims. */
typedef struct rxc {
	int32_t patient, inst, day, claim;
	int64_t drugs;
} rxc;

static int rxc_cmp(const void *a, const void *b)
{
	const rxc *x = a, *y = b;
#define K(f)                                                                                                          \
	if (x->f != y->f)                                                                                             \
		return x->f < y->f ? -1 : 1;
	K(patient) K(inst) K(day) K(claim)
#undef K
	return 0;
}

/* v[0..n) (built in claim order) ordered by patient, institution, day and claim: an LSD radix sort
 * of the packed key when it fits in 64 bits (stable, so claims stay in order within a key), which
 * was 3–4× faster than qsort's comparisons on a claim per element; qsort otherwise. */
static void sort_rxc(const ctx *x, rxc *v, int32_t n)
{
	uint64_t ninst = (uint64_t)yj_dict_count(x->c->dict[YJ_D_INST]) + 1, days = (uint64_t)x->day_range;
	int bits = key_bits((uint64_t)x->npat) + key_bits(ninst) + key_bits(days);
	if (bits > 63 || n < 2 || days == 0) {
		qsort(v, (size_t)n, sizeof *v, rxc_cmp);
		return;
	}
	uint64_t *key = yj_malloc(sizeof *key * (size_t)n);
	int32_t *idx = yj_malloc(sizeof *idx * (size_t)n);
	for (int32_t i = 0; i < n; i++) {
		key[i] = ((uint64_t)v[i].patient * ninst + (uint64_t)v[i].inst) * days + (uint64_t)(v[i].day - x->day_lo);
		idx[i] = i;
	}
	radix_sort(key, idx, (size_t)n, key_bits((uint64_t)x->npat * ninst * days));
	rxc *w = yj_malloc(sizeof *w * (size_t)n);
	for (int32_t i = 0; i < n; i++)
		w[i] = v[idx[i]];
	memcpy(v, w, sizeof *v * (size_t)n);
	free(w);
	free(idx);
	free(key);
}

static void r_rx_split(const ctx *x, int ri, fvec *o)
{
	const yj_claims *c = x->c;
	const yj_rule *r = &x->rs->r[ri];
	int64_t limit = (int64_t)llround(yj_rule_num(r, "amount", 1000) * 100);
	rxc *v = yj_malloc(sizeof *v * (size_t)(x->nclaims ? x->nclaims : 1));
	int32_t n = 0;
	for (int32_t k = 0; k < x->nclaims; k++) {
		int32_t f = x->claim_first[k];
		if (f < 0 || c->visit[f] == YJ_VISIT_I || !SCENE(r, f))
			continue;
		int64_t sum = 0;
		int drugs = 0;
		for (int32_t j = x->claim_off[k]; j < x->claim_off[k + 1]; j++) {
			int32_t row = x->by_claim[j];
			if (c->item_type[row] == YJ_ITEM_DRUG) {
				sum += c->amount[row];
				drugs = 1;
			}
		}
		if (drugs)
			v[n++] = (rxc){c->patient[f], c->inst[f], c->service[f], k, sum};
	}
	sort_rxc(x, v, n);
	for (int32_t a = 0; a < n;) {
		int32_t b = a + 1;
		int64_t sum = v[a].drugs, max = v[a].drugs;
		while (b < n && v[b].patient == v[a].patient && v[b].inst == v[a].inst && v[b].day == v[a].day) {
			sum += v[b].drugs;
			max = v[b].drugs > max ? v[b].drugs : max;
			b++;
		}
		if (b - a >= 2 && max <= limit && sum > limit) {
			int32_t fid = o->ids++;
			for (int32_t q = a; q < b; q++)
				for (int32_t j = x->claim_off[v[q].claim]; j < x->claim_off[v[q].claim + 1]; j++) {
					int32_t row = x->by_claim[j];
					if (c->item_type[row] == YJ_ITEM_DRUG)
						emit(o, ri, fid, row, -1, c->amount[row], sum, limit);
				}
		}
		a = b;
	}
	free(v);
}

/* Health-check admissions (体检名义住院): a stay of min_days..max_days days whose lines are all
 * listed — examination items (list value `exam`) and accommodation — with at least one
 * examination: examined, not treated. Rows: every line of the stay. */
static void r_checkup(const ctx *x, int ri, fvec *o)
{
	const yj_claims *c = x->c;
	const yj_rule *r = &x->rs->r[ri];
	int64_t *t = item_table(x, r->list, V_INDEX);
	int32_t lo = (int32_t)yj_rule_num(r, "min_days", 2), hi = (int32_t)yj_rule_num(r, "max_days", 4);
	for (int32_t s = 0; s < x->neps; s++) {
		const episode *e = &x->eps[s];
		if (e->discharge == YJ_NO_DATE || e->discharge - e->admit < lo || e->discharge - e->admit > hi ||
		    !SCENE(r, e->first))
			continue;
		int treated = 0, exams = 0;
		for (int32_t q = e->s0; q < e->s1 && !treated; q++)
			for (int32_t j = x->claim_off[x->stays[q].claim]; j < x->claim_off[x->stays[q].claim + 1]; j++) {
				int64_t k = t[c->item[x->by_claim[j]]];
				if (k == NONE) {
					treated = 1;
					break;
				}
				exams += strcmp(r->list->items[k].value, "exam") == 0;
			}
		if (treated || !exams)
			continue;
		int32_t fid = o->ids++;
		for (int32_t q = e->s0; q < e->s1; q++)
			for (int32_t j = x->claim_off[x->stays[q].claim]; j < x->claim_off[x->stays[q].claim + 1]; j++)
				emit(o, ri, fid, x->by_claim[j], -1, c->amount[x->by_claim[j]], e->discharge - e->admit, hi);
	}
	free(t);
}

/* Card lending (冒用社保卡) betrayed by the items: items typical of the other sex (list value M/F)
 * or of another age group (`child`: the holder is older than child_max_age; `adult`: younger than
 * adult_min_age) that are not restricted (those are sex_item/age_item), on at least min_days days
 * of the period for one card. One flag per card; rows: those lines. */
static void r_card_identity(const ctx *x, int ri, fvec *o)
{
	const yj_claims *c = x->c;
	const yj_rule *r = &x->rs->r[ri];
	int64_t *t = item_table(x, r->list, V_INDEX);
	int child_max = (int)yj_rule_num(r, "child_max_age", 13), adult_min = (int)yj_rule_num(r, "adult_min_age", 18);
	int min_days = (int)yj_rule_num(r, "min_days", 1);
	size_t m = 0, cap = 256;
	int32_t *cand = yj_malloc(sizeof *cand * cap);
	for (size_t i = 0; i < c->n; i++) {
		int64_t k = t[c->item[i]];
		if (k == NONE || !SCENE(r, i))
			continue;
		const char *v = r->list->items[k].value;
		int age = yj_age_years(c->birth[i], c->service[i]);
		int betrays = ((*v == 'M' || *v == 'F') && !v[1]) ? c->sex[i] != (uint8_t)*v
			      : strcmp(v, "child") == 0	    ? age > child_max
			      : strcmp(v, "adult") == 0	    ? age < adult_min
							    : 0;
		if (!betrays)
			continue;
		if (m == cap) {
			cap *= 2;
			cand = yj_realloc(cand, sizeof *cand * cap);
		}
		cand[m++] = (int32_t)i;
	}
	uint64_t *key = yj_malloc(sizeof *key * (m ? m : 1));
	for (size_t j = 0; j < m; j++)
		key[j] = day_key(x, cand[j]);
	radix_sort(key, cand, m, key_bits((uint64_t)x->npat * (uint64_t)x->day_range));
	for (size_t a = 0; a < m;) {
		uint64_t p = key[a] / (uint64_t)x->day_range;
		size_t b = a + 1;
		int days = 1;
		while (b < m && key[b] / (uint64_t)x->day_range == p) {
			days += key[b] != key[b - 1];
			b++;
		}
		if (days >= min_days) {
			int32_t fid = o->ids++;
			for (size_t j = a; j < b; j++)
				emit(o, ri, fid, cand[j], -1, c->amount[cand[j]], yj_age_years(c->birth[cand[j]], c->service[cand[j]]),
				     days);
		}
		a = b;
	}
	free(cand);
	free(key);
	free(t);
}

/* A same-card pattern over time (冒用社保卡): one card's lines in scene at min_insts or more
 * institutions in one calendar month. Rows: the first line (in the file) at each institution. */
static void r_card_insts(const ctx *x, int ri, fvec *o)
{
	const yj_claims *c = x->c;
	const yj_rule *r = &x->rs->r[ri];
	int min = (int)yj_rule_num(r, "min_insts", 5);
	if (min < 2)
		min = 2;
	/* month number of each day offset of the index keys */
	int32_t *mon = yj_malloc(sizeof *mon * (size_t)(x->day_range ? x->day_range : 1));
	for (int64_t d = 0; d < x->day_range; d++) {
		int y, m, dd;
		yj_civil_from_days(x->day_lo + (int32_t)d, &y, &m, &dd);
		mon[d] = y * 12 + m - 1;
	}
	int cap = 16;
	int32_t *ins = yj_malloc(sizeof *ins * (size_t)cap), *first = yj_malloc(sizeof *first * (size_t)cap);
	for (int32_t p = 0; p < x->npat; p++) {
		int32_t a = x->pat_off[p], e = x->pat_off[p + 1];
		if (e - a < min)
			continue;
		while (a < e) {
			int32_t m = mon[x->pat_day[a] % (uint64_t)x->day_range], b = a, k = 0;
			for (; b < e && mon[x->pat_day[b] % (uint64_t)x->day_range] == m; b++) {
				int32_t row = x->by_pat[b];
				if (!SCENE(r, row))
					continue;
				int q = 0;
				while (q < k && ins[q] != c->inst[row])
					q++;
				if (q == k) {
					if (k == cap) {
						cap *= 2;
						ins = yj_realloc(ins, sizeof *ins * (size_t)cap);
						first = yj_realloc(first, sizeof *first * (size_t)cap);
					}
					ins[k] = c->inst[row];
					first[k++] = row;
				} else if (row < first[q]) {
					first[q] = row;
				}
			}
			if (k >= min) {
				int32_t fid = o->ids++;
				for (int q = 0; q < k; q++)
					emit(o, ri, fid, first[q], -1, 0, k, min);
			}
			a = b;
		}
	}
	free(ins);
	free(first);
	free(mon);
}

/* ---- driver ------------------------------------------------------------------------------- */

typedef void (*rule_fn)(const ctx *x, int ri, fvec *o);
static const rule_fn rule_fns[YJ_RT_COUNT] = {
	[YJ_RT_SEX_ITEM] = r_sex,
	[YJ_RT_AGE_ITEM] = r_age,
	[YJ_RT_PRICE_CAP] = r_price,
	[YJ_RT_DAILY_CAP] = r_daily_cap,
	[YJ_RT_EXCLUSIVE] = r_exclusive,
	[YJ_RT_DUPLICATE] = r_duplicate,
	[YJ_RT_DAYS_SUPPLY] = r_days,
	[YJ_RT_READMISSION] = r_readmission,
	[YJ_RT_IDLE_BED] = r_idle,
	[YJ_RT_OUTPATIENT_IN_STAY] = r_out_in_stay,
	[YJ_RT_DIAG_LIMIT] = r_diag,
	[YJ_RT_AFTER_DEATH] = r_death,
	[YJ_RT_PHYSICIAN_SCOPE] = r_physician,
	[YJ_RT_DEPT_UNREGISTERED] = r_dept,
	[YJ_RT_CARD_MISUSE] = r_card,
	[YJ_RT_BIG_RX] = r_big_rx,
	[YJ_RT_KEY_DRUG] = r_key_drug,
	[YJ_RT_SPLIT_BILLING] = r_exclusive, /* components of one set on one day: the exclusive kernel with min_parts */
	[YJ_RT_CONSUMABLE_PROCEDURE] = r_consumable,
	[YJ_RT_RX_SPLIT] = r_rx_split,
	[YJ_RT_CHECKUP_ADMISSION] = r_checkup,
	[YJ_RT_CARD_IDENTITY] = r_card_identity,
	[YJ_RT_CARD_INSTS] = r_card_insts,
};

typedef struct pool {
	ctx *x;
	fvec *out;
	double *secs;
	atomic_int next;
} pool;

static void *rule_worker(void *arg)
{
	pool *p = arg;
	for (;;) {
		int i = atomic_fetch_add(&p->next, 1);
		if (i >= p->x->rs->n)
			break;
		const yj_rule *r = &p->x->rs->r[i];
		if (!r->enabled) {
			p->out[i].skipped = "disabled";
			continue;
		}
		uint64_t t0 = yj_mono_ns();
		rule_fns[r->type](p->x, i, &p->out[i]);
		p->secs[i] = (double)(yj_mono_ns() - t0) / 1e9;
	}
	return NULL;
}

static void *claim_index_thread(void *arg)
{
	build_claim_index(arg);
	ctx *x = arg;
	qsort(x->stays, (size_t)x->nstays, sizeof(stay), stay_cmp);
	x->eps = yj_malloc(sizeof *x->eps * (size_t)(x->nstays ? x->nstays : 1));
	for (int32_t s = 0; s < x->nstays; s++) {
		const stay *st = &x->stays[s];
		episode *e = x->neps ? &x->eps[x->neps - 1] : NULL;
		if (e && e->patient == st->patient && e->inst == st->inst && e->discharge != YJ_NO_DATE &&
		    st->admit <= e->discharge) {
			e->discharge = st->discharge > e->discharge ? st->discharge : e->discharge;
			e->s1 = s + 1;
			e->total += st->total;
			continue;
		}
		x->eps[x->neps++] = (episode){st->patient, st->inst, st->admit, st->discharge, s, s + 1, st->first, st->total};
	}
	return NULL;
}

static int flag_cmp(const void *a, const void *b)
{
	const yj_flag *x = a, *y = b;
	if (x->flag != y->flag)
		return x->flag < y->flag ? -1 : 1;
	return (x->row > y->row) - (x->row < y->row);
}

int yj_screen(const yj_claims *c, const yj_rules *rs, const yj_refs *refs, int threads, yj_screen_result *out)
{
	uint64_t t0 = yj_mono_ns();
	memset(out, 0, sizeof *out);
	if (threads <= 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		threads = n < 1 ? 1 : n > 64 ? 64 : (int)n;
	}
	ctx x = {.c = c, .rs = rs, .refs = refs};
	x.nclaims = yj_dict_count(c->dict[YJ_D_CLAIM]);
	x.npat = yj_dict_count(c->dict[YJ_D_PATIENT]);
	pthread_t th;
	int spawned = threads > 1 && pthread_create(&th, NULL, claim_index_thread, &x) == 0;
	if (!spawned)
		claim_index_thread(&x);
	build_patient_index(&x);
	if (spawned)
		pthread_join(th, NULL);

	fvec *fv = yj_calloc((size_t)(rs->n ? rs->n : 1), sizeof *fv);
	double *secs = yj_calloc((size_t)(rs->n ? rs->n : 1), sizeof *secs);
	pool p = {.x = &x, .out = fv, .secs = secs};
	pthread_t tid[64];
	int started = 0;
	for (int i = 1; i < threads && i < 64 && i < rs->n; i++)
		if (pthread_create(&tid[started], NULL, rule_worker, &p) == 0)
			started++;
	rule_worker(&p);
	for (int i = 0; i < started; i++)
		pthread_join(tid[i], NULL);

	size_t total = 0;
	for (int i = 0; i < rs->n; i++)
		total += fv[i].n;
	out->f = yj_malloc(sizeof *out->f * (total ? total : 1));
	out->stat = yj_calloc((size_t)(rs->n ? rs->n : 1), sizeof *out->stat);
	int32_t base = 0;
	for (int i = 0; i < rs->n; i++) {
		if (fv[i].n)
			qsort(fv[i].f, fv[i].n, sizeof *fv[i].f, flag_cmp);
		yj_rule_stat *st = &out->stat[i];
		for (size_t k = 0; k < fv[i].n; k++) {
			yj_flag f = fv[i].f[k];
			f.flag += base;
			st->amount += f.amount;
			out->f[out->n++] = f;
		}
		st->flags = fv[i].ids;
		st->rows = (int64_t)fv[i].n;
		st->seconds = secs[i];
		st->skipped = fv[i].skipped;
		base += fv[i].ids;
		free(fv[i].f);
	}
	out->nflags = base;
	if (refs && refs->have_registry) {
		uint8_t *known = known_insts(&x);
		int32_t ni = yj_dict_count(c->dict[YJ_D_INST]);
		int64_t *cnt = yj_calloc((size_t)(ni ? ni : 1), sizeof *cnt);
		for (size_t i = 0; i < c->n; i++)
			cnt[c->inst[i]] += !known[c->inst[i]];
		for (int32_t k = 0; k < ni; k++)
			if (cnt[k]) {
				out->gap_inst = yj_realloc(out->gap_inst, sizeof *out->gap_inst * (size_t)(out->ngaps + 1));
				out->gap_lines = yj_realloc(out->gap_lines, sizeof *out->gap_lines * (size_t)(out->ngaps + 1));
				out->gap_inst[out->ngaps] = k;
				out->gap_lines[out->ngaps++] = cnt[k];
			}
		free(cnt);
		free(known);
	}
	free(fv);
	free(secs);
	free_ctx(&x);
	out->seconds = (double)(yj_mono_ns() - t0) / 1e9;
	return YJ_OK;
}

void yj_screen_result_free(yj_screen_result *res)
{
	free(res->f);
	free(res->stat);
	free(res->gap_inst);
	free(res->gap_lines);
	memset(res, 0, sizeof *res);
}
