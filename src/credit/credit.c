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

/* One indicator's count and signed value for counts k; *good when it is a bonus. */
static int64_t indicator_value(const credit_indicator *x, const credit_counts *k, int64_t *count, int *good)
{
	int64_t cnt = count_of(k, x->fn);
	if (cnt < 0)
		cnt = 0;
	int64_t v = cnt * x->per;
	if (v > x->weight)
		v = x->weight;
	*count = cnt;
	*good = !strcmp(x->fn, "commendations");
	return *good ? v : -v;
}

/* The score of the indicators' values: 100 plus their sum, the bonus never lifting above 100. */
static int clamp_score(int64_t deductions, int64_t bonus)
{
	/* A commendation offsets deductions but never lifts a subject above the full score. */
	int64_t score = 100 - deductions + bonus;
	if (score > 100)
		score = 100;
	if (score < 0)
		score = 0;
	return (int)score;
}

int credit_score(const credit_indicator *ind, size_t n, const credit_counts *k, json_t **contributions)
{
	int64_t deductions = 0, bonus = 0;
	json_t *arr = contributions ? json_array() : NULL;
	for (size_t i = 0; i < n; i++) {
		int64_t cnt;
		int good;
		int64_t v = indicator_value(&ind[i], k, &cnt, &good);
		if (good)
			bonus += v;
		else
			deductions -= v;
		if (arr)
			json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:I, s:I}", "code", ind[i].code, "name", ind[i].name,
							     "source", ind[i].source, "count", (json_int_t)cnt, "value", (json_int_t)v));
	}
	if (contributions)
		*contributions = arr;
	return clamp_score(deductions, bonus);
}

char *credit_count_head(const credit_indicator *x)
{
	/* jansson escapes the code, so the text is what json_dumps would write. */
	json_t *o = json_string(x->code);
	char *text = o ? json_dumps(o, JSON_ENCODE_ANY) : NULL;
	json_decref(o);
	char *head = text ? yj_asprintf("%s:", text) : NULL;
	free(text);
	return head;
}

int credit_score_counts(const credit_indicator *ind, char *const *heads, size_t n, const credit_counts *k, char *out,
			size_t cap)
{
	int64_t deductions = 0, bonus = 0;
	size_t w = 0;
	int first = 1;
	if (cap < 3)
		return -1;
	out[w++] = '{';
	for (size_t i = 0; i < n; i++) {
		int64_t cnt;
		int good;
		int64_t v = indicator_value(&ind[i], k, &cnt, &good);
		if (good)
			bonus += v;
		else
			deductions -= v;
		if (!cnt)
			continue; /* a count of none is the default: most subjects store {} */
		size_t hl = strlen(heads[i]);
		if (w + hl + 24 >= cap)
			return -1;
		if (!first)
			out[w++] = ',';
		first = 0;
		memcpy(out + w, heads[i], hl);
		w += hl;
		w += (size_t)snprintf(out + w, cap - w, "%lld", (long long)cnt);
	}
	out[w++] = '}';
	out[w] = 0;
	return clamp_score(deductions, bonus);
}

static int64_t *count_field(credit_counts *k, const char *fn)
{
	static const char *const F[] = {"penalties", "serious", "points", "complaints", "inspection", "commendations"};
	int64_t *p[] = {&k->penalties, &k->serious, &k->points, &k->complaints, &k->inspection, &k->commendations};
	for (size_t i = 0; i < sizeof F / sizeof F[0]; i++)
		if (!strcmp(fn, F[i]))
			return p[i];
	return NULL;
}

json_t *credit_contributions_of(const credit_indicator *ind, size_t n, const char *stored)
{
	json_t *v = stored ? json_loads(stored, 0, NULL) : NULL;
	if (json_is_array(v))
		return v; /* written in full (before the counts were stored) */
	credit_counts k = {0};
	for (size_t i = 0; i < n; i++) {
		int64_t *f = count_field(&k, ind[i].fn);
		json_t *c = json_object_get(v, ind[i].code);
		if (f && json_is_integer(c))
			*f = json_integer_value(c);
	}
	json_decref(v);
	json_t *arr = NULL;
	credit_score(ind, n, &k, &arr);
	return arr;
}

char credit_grade_of(int score, int a, int b, int c)
{
	return score >= a ? 'A' : score >= b ? 'B' : score >= c ? 'C' : 'D';
}
