/* refund.c — refund and reversal lines (退费/冲销) netted against their original lines.
 * Claims data carries a refund as a line with a negative quantity (and amount) in the claim of the
 * charge it reverses. It is matched by the line its orig_line_no names when the file has that
 * column, else by claim, item and service date (the earliest original lines first); the original's
 * quantity and amount are reduced, and the refund and the originals refunded in full leave the
 * columns, so no rule sees a refunded charge. A refund with no original is reported, not dropped
 * silently. Runs after the columns are filled; costs nothing when the file has no refund. */
#include "refund_int.h"
#include "../base/base.h"

#include <stdlib.h>
#include <string.h>

typedef struct cand {
	int32_t claim, item, service, line, row;
} cand;

static int cand_cmp(const void *a, const void *b)
{
	const cand *x = a, *y = b;
#define K(f)                                                                                                          \
	if (x->f != y->f)                                                                                             \
		return x->f < y->f ? -1 : 1;
	K(claim) K(item) K(service) K(line) K(row)
#undef K
	return 0;
}

/* First candidate not below key (claim, item, service) in v[0..n). */
static size_t lower(const cand *v, size_t n, int32_t claim, int32_t item, int32_t service)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t m = lo + (hi - lo) / 2;
		const cand *x = &v[m];
		int less = x->claim != claim ? x->claim < claim : x->item != item ? x->item < item : x->service < service;
		if (less)
			lo = m + 1;
		else
			hi = m;
	}
	return lo;
}

static void orphan(yj_load_report *rep, int max_list, const yj_claims *c, const yj_refund_row *r, const char *why)
{
	rep->refunds_orphan++;
	if (rep->norphans >= max_list)
		return;
	yj_load_error *e = &rep->orphans[rep->norphans++];
	memset(e, 0, sizeof *e);
	e->row = r->rec;
	snprintf(e->column, sizeof e->column, "quantity");
	snprintf(e->reason, sizeof e->reason, "refund of claim %.40s line %d: %s",
		 yj_dict_str(c->dict[YJ_D_CLAIM], c->claim[r->row]), c->line_no[r->row], why);
}

/* Takes `take` of the refund's remaining quantity off original row o; amount in proportion. */
static void net_one(yj_claims *c, int32_t o, int64_t take, int64_t *need, int64_t *amt_left, yj_load_report *rep)
{
	int64_t amt = take == *need ? *amt_left : *amt_left * take / *need;
	if (amt > c->amount[o])
		amt = c->amount[o];
	c->qty[o] -= take;
	c->amount[o] -= amt;
	rep->refund_fen += amt;
	*need -= take;
	*amt_left -= amt;
}

static void compact(yj_claims *c, const uint8_t *drop)
{
	size_t j = 0;
	for (size_t i = 0; i < c->n; i++) {
		if (drop[i])
			continue;
		if (j != i) {
#define M(f) c->f[j] = c->f[i];
			M(claim) M(line_no) M(patient) M(inst) M(phys) M(dept) M(diag) M(item) M(name) M(birth) M(admit)
			M(discharge) M(service) M(days_supply) M(sex) M(visit) M(item_type) M(qty) M(price) M(amount)
#undef M
		}
		j++;
	}
	c->n = j;
}

void yj_refunds_net(yj_claims *c, const yj_refund_row *rf, size_t nrf, yj_load_report *rep, int max_list)
{
	rep->refunds = (int64_t)nrf;
	if (!nrf)
		return;
	rep->orphans = yj_malloc(sizeof *rep->orphans * (size_t)(max_list > 0 ? max_list : 1));
	int32_t ncl = yj_dict_count(c->dict[YJ_D_CLAIM]);
	uint8_t *has = yj_calloc((size_t)(ncl ? ncl : 1), 1);
	for (size_t k = 0; k < nrf; k++)
		has[c->claim[rf[k].row]] = 1;
	size_t nc = 0, cap = 1024;
	cand *v = yj_malloc(sizeof *v * cap);
	for (size_t i = 0; i < c->n; i++) {
		if (!has[c->claim[i]] || c->qty[i] <= 0)
			continue;
		if (nc == cap) {
			cap *= 2;
			v = yj_realloc(v, sizeof *v * cap);
		}
		v[nc++] = (cand){c->claim[i], c->item[i], c->service[i], c->line_no[i], (int32_t)i};
	}
	qsort(v, nc, sizeof *v, cand_cmp);
	uint8_t *drop = yj_calloc(c->n ? c->n : 1, 1);
	for (size_t k = 0; k < nrf; k++) {
		const yj_refund_row *r = &rf[k];
		int32_t row = r->row;
		drop[row] = 1;
		int64_t need = -c->qty[row], amt_left = -c->amount[row], need0 = need;
		if (r->orig > 0) { /* the named line of the same claim, which must bill the same item */
			int32_t o = -1;
			for (size_t j = lower(v, nc, c->claim[row], INT32_MIN, INT32_MIN); j < nc && v[j].claim == c->claim[row]; j++)
				if (v[j].line == r->orig)
					o = v[j].row;
			if (o < 0 || c->item[o] != c->item[row]) {
				orphan(rep, max_list, c, r, o < 0 ? "orig_line_no names no line of the claim"
								 : "orig_line_no names a line of another item");
				continue;
			}
			net_one(c, o, need < c->qty[o] ? need : c->qty[o], &need, &amt_left, rep);
		} else {
			for (size_t j = lower(v, nc, c->claim[row], c->item[row], c->service[row]);
			     need > 0 && j < nc && v[j].claim == c->claim[row] && v[j].item == c->item[row] &&
			     v[j].service == c->service[row];
			     j++) {
				int32_t o = v[j].row;
				if (c->qty[o] > 0)
					net_one(c, o, need < c->qty[o] ? need : c->qty[o], &need, &amt_left, rep);
			}
		}
		if (need == need0)
			orphan(rep, max_list, c, r, "no original line (same item and date) in the claim");
		else if (need > 0)
			orphan(rep, max_list, c, r, "refunds more than the original lines billed");
		else
			rep->refunds_netted++;
	}
	for (size_t j = 0; j < nc; j++)
		if (c->qty[v[j].row] == 0) {
			drop[v[j].row] = 1;
			rep->lines_cancelled++;
		}
	compact(c, drop);
	free(drop);
	free(v);
	free(has);
}
