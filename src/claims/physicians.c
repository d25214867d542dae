/* physicians.c — physician monitoring's arithmetic: each physician's flag rate (flagged claims over
 * claims screened) and the median rate of the peers in the same department of the same institution
 * and in the same institution, so a rate reads against colleagues who see the same patients. */
#include "physicians_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	if (n == 0)
		return 0;
	qsort(v, (size_t)n, sizeof *v, cmp_d);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

void ph_compare(ph_row *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		v[i].rate = v[i].claims ? (double)v[i].flagged_claims / (double)v[i].claims : 0;
	double *buf = malloc(sizeof *buf * (n ? n : 1));
	/* O(n²) over one run's physicians in scope (thousands): simple, and well under a second. */
	for (size_t i = 0; i < n; i++) {
		int nd = 0, ni = 0;
		for (size_t k = 0; k < n; k++)
			if (!strcmp(v[k].institution, v[i].institution) && !strcmp(v[k].dept, v[i].dept))
				buf[nd++] = v[k].rate;
		v[i].dept_n = nd;
		v[i].dept_median = median(buf, nd);
		for (size_t k = 0; k < n; k++)
			if (!strcmp(v[k].institution, v[i].institution))
				buf[ni++] = v[k].rate;
		v[i].inst_n = ni;
		v[i].inst_median = median(buf, ni);
	}
	free(buf);
}

static json_t *yuan(int64_t fen)
{
	char out[32];
	uint64_t a = fen < 0 ? (uint64_t)0 - (uint64_t)fen : (uint64_t)fen;
	snprintf(out, sizeof out, "%s%llu.%02llu", fen < 0 ? "-" : "", (unsigned long long)(a / 100),
		 (unsigned long long)(a % 100));
	return json_string(out);
}

/* A rate to 4 decimals (a share, not money), and rate ÷ peers' median (null when the median is 0). */
static json_t *round4(double x)
{
	return json_real((double)(long long)(x * 10000 + 0.5) / 10000);
}

json_t *ph_json(const ph_row *r)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:o, s:I, s:I, s:I, s:o, s:I, s:I, s:o, s:o}", "physician_id",
			      r->physician, "institution_code", r->institution, "dept_code", r->dept, "lines",
			      (json_int_t)r->lines, "claims", (json_int_t)r->claims, "amount_fen", (json_int_t)r->amount,
			      "amount_yuan", yuan(r->amount), "flag_records", (json_int_t)r->records, "flagged_claims",
			      (json_int_t)r->flagged_claims, "flagged_amount_fen", (json_int_t)r->flagged_amount,
			      "flagged_amount_yuan", yuan(r->flagged_amount), "confirmed", (json_int_t)r->confirmed,
			      "confirmed_amount_fen", (json_int_t)r->confirmed_amount, "confirmed_amount_yuan",
			      yuan(r->confirmed_amount), "rate", round4(r->rate));
	json_object_set_new(o, "dept_peers", json_pack("{s:i, s:o}", "n", r->dept_n, "median_rate", round4(r->dept_median)));
	json_object_set_new(o, "inst_peers", json_pack("{s:i, s:o}", "n", r->inst_n, "median_rate", round4(r->inst_median)));
	json_object_set_new(o, "dept_ratio", r->dept_median > 0 ? round4(r->rate / r->dept_median) : json_null());
	json_object_set_new(o, "inst_ratio", r->inst_median > 0 ? round4(r->rate / r->inst_median) : json_null());
	return o;
}
