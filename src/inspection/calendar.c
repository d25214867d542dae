/* calendar.c — calendar days and working days (工作日). Days are counted from 1970-01-01 with the
 * civil-from-days algorithms (H. Hinnant), so no time zone or libc locale is involved; the exceptions
 * to "Monday to Friday" — public holidays and make-up working days (调休) — are rows of work_calendar
 * that administrators edit. */
#define _POSIX_C_SOURCE 200809L
#include "inspection.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

int yj_day_parse(const char *s, int64_t *days)
{
	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return -1;
	int64_t y = atoi(s);
	unsigned m = (unsigned)atoi(s + 5), d = (unsigned)atoi(s + 8);
	if (y < 1900 || y > 2999 || m < 1 || m > 12 || d < 1)
		return -1;
	static const unsigned mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	unsigned max = mdays[m - 1] + (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
	if (d > max)
		return -1;
	*days = days_from_civil(y, m, d);
	return 0;
}

void yj_day_format(int64_t days, char out[11])
{
	int64_t y;
	unsigned m, d;
	civil_from_days(days, &y, &m, &d);
	char buf[32];
	snprintf(buf, sizeof buf, "%04d-%02u-%02u", (int)(y % 10000), m % 100, d % 100);
	memcpy(out, buf, 10);
	out[10] = 0;
}

int yj_day_weekday(int64_t days)
{
	/* 1970-01-01 was a Thursday (3 when Monday is 0). */
	int64_t w = (days + 3) % 7;
	return (int)(w < 0 ? w + 7 : w);
}

void yj_day_of_ms(int64_t ms, char out[11])
{
	int64_t shifted = ms + 8 * 3600 * 1000LL, days = shifted / 86400000LL;
	if (shifted < 0 && shifted % 86400000LL)
		days--;
	yj_day_format(days, out);
}

/* The calendar's exceptions in (from, to], sorted by day: kinds[k] 'h' or 'w' for days[k]. */
typedef struct window {
	int64_t *days;
	char *kinds;
	size_t n;
} window;

static int load_window(store_conn *c, int64_t from, int64_t to, window *w)
{
	char a[11], b[11];
	yj_day_format(from, a);
	yj_day_format(to, b);
	store_stmt *st = store_prepare(c, "SELECT day, kind FROM work_calendar WHERE day > ? AND day <= ? ORDER BY day");
	if (!st)
		return ST_ERR;
	store_bind_text(st, 1, a, -1);
	store_bind_text(st, 2, b, -1);
	size_t cap = 0;
	int rc;
	w->n = 0;
	while ((rc = store_step(st)) == ST_ROW) {
		int64_t d;
		if (yj_day_parse(store_col_text(st, 0), &d) < 0)
			continue; /* a malformed row cannot be a day; the API refuses to write one */
		if (w->n == cap) {
			cap = cap ? 2 * cap : 32;
			w->days = yj_realloc(w->days, cap * sizeof *w->days);
			w->kinds = yj_realloc(w->kinds, cap);
		}
		w->days[w->n] = d;
		w->kinds[w->n++] = !strcmp(store_col_text(st, 1), "workday") ? 'w' : 'h';
	}
	store_finalize(st);
	return rc < 0 ? rc : ST_OK;
}

static int working(int64_t d, const window *w, size_t *k)
{
	while (*k < w->n && w->days[*k] < d)
		(*k)++;
	if (*k < w->n && w->days[*k] == d)
		return w->kinds[*k] == 'w';
	return yj_day_weekday(d) < 5;
}

int yj_workday_is(store_conn *c, const char *day, int *is_workday)
{
	int64_t d;
	if (yj_day_parse(day, &d) < 0)
		return ST_ERR;
	window w = {0};
	int rc = load_window(c, d - 1, d, &w);
	size_t k = 0;
	if (rc == ST_OK)
		*is_workday = working(d, &w, &k);
	free(w.days);
	free(w.kinds);
	return rc;
}

int yj_workdays_add(store_conn *c, const char *day, int n, char out[11])
{
	int64_t d;
	if (yj_day_parse(day, &d) < 0 || n < 0 || n > 1000)
		return ST_ERR;
	/* Windows of 2n + 40 days: even the longest holiday runs leave n working days in one. */
	while (n > 0) {
		window w = {0};
		int64_t end = d + 2 * (int64_t)n + 40;
		int rc = load_window(c, d, end, &w);
		size_t k = 0;
		while (rc == ST_OK && n > 0 && d < end)
			if (working(++d, &w, &k))
				n--;
		free(w.days);
		free(w.kinds);
		if (rc < 0)
			return rc;
	}
	yj_day_format(d, out);
	return ST_OK;
}
