/* credit.c — the credit module's pure rules, with no SQL: natural-year cycles, periods in months,
 * the repair periods of several penalty kinds, and the model's score and grade. They are unit-tested
 * directly (tests/unit/credit), including the property that more bad facts never raise a grade. */
#define _POSIX_C_SOURCE 200809L
#include "credit_int.h"
#include "../base/date.h"
#include "../registry/registry.h"

#include <stdio.h>
#include <string.h>

int credit_kind_ok(const char *kind)
{
	/* Institutions, practitioners, and the registry's other kinds (pharmaceutical companies, public
	 * places, …: registry.md), whose penalties and licences make credit records too. */
	return yj_subject_kind_valid(kind);
}

int credit_cycle_year(const char *day)
{
	int64_t days;
	if (!day || yj_day_parse(day, &days) < 0)
		return 0;
	int y, m, d;
	yj_civil_from_days(days, &y, &m, &d);
	return y;
}

/* A period of `months` starting on day ends the day before the same day `months` later (the day
 * clamped to the month's length): 2026-01-31 + 1 month ends 2026-02-27. */
int credit_add_months(const char *day, int months, char out[11])
{
	int64_t days;
	if (!day || yj_day_parse(day, &days) < 0)
		return -1;
	int y, m, d;
	yj_civil_from_days(days, &y, &m, &d);
	int64_t mm = (int64_t)y * 12 + (m - 1) + months;
	int ny = (int)(mm / 12), nm = (int)(mm % 12) + 1;
	int nd = d > yj_date_month_days(ny, nm) ? yj_date_month_days(ny, nm) : d;
	yj_day_format(yj_days_from_civil(ny, nm, nd) - 1, out);
	return 0;
}

static int has_kind(const char *list, const char *kind)
{
	size_t n = strlen(kind);
	for (const char *p = list; p && *p;) {
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		if (len == n && !strncmp(p, kind, n))
			return 1;
		p = e ? e + 1 : NULL;
	}
	return 0;
}

void credit_repair_months(const char *penalty_kinds, const char *const *kinds, const int *mins, const int *maxs,
			  size_t n, int *min_months, int *max_months)
{
	int lo = 0, hi = 0;
	for (size_t i = 0; i < n; i++)
		if (has_kind(penalty_kinds, kinds[i])) {
			lo = mins[i] > lo ? mins[i] : lo;
			hi = maxs[i] > hi ? maxs[i] : hi;
		}
	*min_months = lo ? lo : 3; /* 58号令: at least 3 months, at most 3 years */
	*max_months = hi ? hi : 36;
}

static int64_t count_of(const credit_counts *k, const char *fn)
{
	if (!strcmp(fn, "penalties"))
		return k->penalties;
	if (!strcmp(fn, "serious"))
		return k->serious;
	if (!strcmp(fn, "points"))
		return k->points;
	if (!strcmp(fn, "complaints"))
		return k->complaints;
	if (!strcmp(fn, "inspection"))
		return k->inspection;
	if (!strcmp(fn, "commendations"))
		return k->commendations;
	return 0;
}

int credit_score(const credit_indicator *ind, size_t n, const credit_counts *k, json_t **contributions)
{
	int64_t score = 100, bonus = 0;
	json_t *arr = contributions ? json_array() : NULL;
	for (size_t i = 0; i < n; i++) {
		int64_t cnt = count_of(k, ind[i].fn);
		if (cnt < 0)
			cnt = 0;
		int64_t v = cnt * ind[i].per;
		if (v > ind[i].weight)
			v = ind[i].weight;
		int good = !strcmp(ind[i].fn, "commendations");
		if (good)
			bonus += v;
		else
			score -= v;
		if (arr)
			json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:I, s:I}", "code", ind[i].code, "name", ind[i].name,
							     "source", ind[i].source, "count", (json_int_t)cnt, "value",
							     (json_int_t)(good ? v : -v)));
	}
	/* A commendation offsets deductions but never lifts a subject above the full score. */
	score += bonus;
	if (score > 100)
		score = 100;
	if (score < 0)
		score = 0;
	if (contributions)
		*contributions = arr;
	return (int)score;
}

char credit_grade_of(int score, int a, int b, int c)
{
	return score >= a ? 'A' : score >= b ? 'B' : score >= c ? 'C' : 'D';
}
