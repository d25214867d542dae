/* calendar.c — working days (工作日), the platform's one calendar that every deadline counts on. Days are the day numbers of base/date.h (no time zone or libc
 * locale involved); the exceptions to "Monday to Friday" — public holidays and make-up working days
 * (调休) — are rows of work_calendar that administrators edit. */
#define _POSIX_C_SOURCE 200809L
#include "calendar.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
