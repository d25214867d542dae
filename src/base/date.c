/* date.c — the parts of the date library that are not inline in date.h: civil date from day number,
 * the other date forms, Asia/Shanghai days and ISO 8601 instants. Pure arithmetic on integers (see
 * date.h for the zone assumption); the only outside call is yj_now_ms for today. */
#include "date.h"
#include "base.h"

#include <stdio.h>
#include <string.h>

void yj_civil_from_days(int64_t days, int *y, int *m, int *d)
{
	int64_t z = days + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;					       /* [0, 146096] */
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);		       /* [0, 365] */
	int64_t mp = (5 * doy + 2) / 153;				       /* [0, 11], March first */
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

int yj_day_weekday(int64_t days)
{
	/* 1970-01-01 was a Thursday (3 when Monday is 0). */
	int64_t w = (days + 3) % 7;
	return (int)(w < 0 ? w + 7 : w);
}

/* Reads n digits of p into *out; -1 when one is not a digit. */
static int digits(const char *p, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	*out = v;
	return 0;
}

static int finish(int y, int m, int d, int ymin, int ymax, int64_t *days)
{
	if (y < ymin || y > ymax || !yj_date_valid(y, m, d))
		return -1;
	if (days)
		*days = yj_days_from_civil(y, m, d);
	return 0;
}

int yj_date_parse_compact(const char *p, size_t n, int ymin, int ymax, int64_t *days)
{
	int y, m, d;
	if (n != 8 || digits(p, 4, &y) < 0 || digits(p + 4, 2, &m) < 0 || digits(p + 6, 2, &d) < 0)
		return -1;
	return finish(y, m, d, ymin, ymax, days);
}

/* One or two digits at *p, advancing it. */
static int short_number(const char **p, int *out)
{
	int n = (*p)[0] >= '0' && (*p)[0] <= '9' ? ((*p)[1] >= '0' && (*p)[1] <= '9' ? 2 : 1) : 0;
	if (!n || digits(*p, n, out) < 0)
		return -1;
	*p += n;
	return 0;
}

int yj_date_parse_loose(const char *s, int ymin, int ymax, int64_t *days)
{
	int y, m, d;
	if (!s || digits(s, 4, &y) < 0 || (s[4] != '-' && s[4] != '/'))
		return -1;
	char sep = s[4];
	const char *p = s + 5;
	if (short_number(&p, &m) < 0 || *p++ != sep || short_number(&p, &d) < 0 || *p)
		return -1;
	return finish(y, m, d, ymin, ymax, days);
}

int yj_day_parse(const char *s, int64_t *days)
{
	if (!s)
		return -1;
	return yj_date_parse(s, strlen(s), YJ_DATE_YEAR_MIN, YJ_DATE_YEAR_MAX, days);
}

void yj_day_format(int64_t days, char out[11])
{
	int y, m, d;
	yj_civil_from_days(days, &y, &m, &d);
	char buf[32];
	snprintf(buf, sizeof buf, "%04d-%02d-%02d", ((y % 10000) + 10000) % 10000, m % 100, d % 100);
	memcpy(out, buf, 10);
	out[10] = '\0';
}

/* ---- instants ---- */

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return q - (a % b != 0 && (a < 0) != (b < 0));
}

int64_t yj_day_of_instant(int64_t ms, int offset_min)
{
	return floor_div(ms + (int64_t)offset_min * 60000, YJ_DAY_MS);
}

int64_t yj_day_start_ms(int64_t days, int offset_min)
{
	return days * YJ_DAY_MS - (int64_t)offset_min * 60000;
}

void yj_day_of_ms(int64_t ms, char out[11])
{
	yj_day_format(yj_day_of_instant(ms, YJ_SHANGHAI_OFFSET_MIN), out);
}

void yj_day_today(char out[11])
{
	yj_day_of_ms(yj_now_ms(), out);
}

void yj_instant_format(int64_t ms, int offset_min, char out[YJ_INSTANT_LEN])
{
	int64_t local = ms + (int64_t)offset_min * 60000, days = floor_div(local, YJ_DAY_MS);
	int64_t rem = local - days * YJ_DAY_MS; /* [0, 86399999] */
	int y, m, d;
	yj_civil_from_days(days, &y, &m, &d);
	char zone[8] = "Z";
	if (offset_min) {
		int a = offset_min < 0 ? -offset_min : offset_min;
		snprintf(zone, sizeof zone, "%c%02d:%02d", offset_min < 0 ? '-' : '+', (a / 60) % 100, a % 60);
	}
	char buf[64];
	snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03d%s", ((y % 10000) + 10000) % 10000, m, d,
		 (int)(rem / 3600000), (int)(rem / 60000 % 60), (int)(rem / 1000 % 60), (int)(rem % 1000), zone);
	size_t n = strlen(buf); /* 24 or 29: the year, month and day are within range */
	n = n < YJ_INSTANT_LEN - 1 ? n : YJ_INSTANT_LEN - 1;
	memcpy(out, buf, n);
	out[n] = '\0';
}

/* Precision of a parsed date-time, and the span of ms each covers (year and month vary). */
enum { P_YEAR, P_MONTH, P_DAY, P_MINUTE, P_SECOND, P_MILLI };

/* The time and zone after 'T' at *p; advances *p, raises *prec. */
static int parse_time(const char **pp, int *prec, int64_t *ms_of_day, int64_t *offset_min)
{
	const char *p = *pp;
	int h, mi, sec = 0, msec = 0;
	if (digits(p, 2, &h) < 0 || p[2] != ':' || digits(p + 3, 2, &mi) < 0 || h > 23 || mi > 59)
		return -1;
	p += 5, *prec = P_MINUTE;
	if (*p == ':') {
		if (digits(p + 1, 2, &sec) < 0 || sec > 59)
			return -1;
		p += 3, *prec = P_SECOND;
		if (*p == '.') {
			int nd = 0;
			p++;
			while (p[nd] >= '0' && p[nd] <= '9')
				nd++;
			if (nd == 0 || nd > 9)
				return -1;
			char frac[4] = "000";
			memcpy(frac, p, nd < 3 ? (size_t)nd : 3);
			digits(frac, 3, &msec);
			p += nd, *prec = P_MILLI;
		}
	}
	if (*p == 'Z') {
		*offset_min = 0, p++;
	} else if (*p == '+' || *p == '-') {
		int oh, om;
		if (digits(p + 1, 2, &oh) < 0 || p[3] != ':' || digits(p + 4, 2, &om) < 0 || oh > 14 || om > 59)
			return -1;
		*offset_min = (*p == '-' ? -1 : 1) * (oh * 60 + om);
		p += 6;
	} else {
		return -1; /* a time needs a zone */
	}
	*ms_of_day = ((int64_t)h * 3600 + mi * 60 + sec) * 1000 + msec;
	*pp = p;
	return 0;
}

int yj_instant_parse_range(const char *s, int64_t *lo, int64_t *hi)
{
	int y, mo = 1, d = 1, prec = P_YEAR;
	int64_t ms_of_day = 0, offset_min = YJ_SHANGHAI_OFFSET_MIN; /* no zone: a day in Asia/Shanghai */
	const char *p = s;
	if (!s || strlen(s) < 4 || digits(p, 4, &y) < 0 || y < 1900 || y > 2200)
		return -1;
	p += 4;
	if (*p == '-') {
		if (digits(p + 1, 2, &mo) < 0 || mo < 1 || mo > 12)
			return -1;
		p += 3, prec = P_MONTH;
		if (*p == '-') {
			if (digits(p + 1, 2, &d) < 0 || !yj_date_valid(y, mo, d))
				return -1;
			p += 3, prec = P_DAY;
		}
	}
	if (*p == 'T' && (prec != P_DAY || (p++, parse_time(&p, &prec, &ms_of_day, &offset_min) < 0)))
		return -1;
	if (*p)
		return -1;
	int64_t day = yj_days_from_civil(y, mo, d);
	int64_t base = yj_day_start_ms(day, (int)offset_min) + ms_of_day, span;
	switch (prec) {
	case P_YEAR:
		span = (yj_days_from_civil(y + 1, 1, 1) - day) * YJ_DAY_MS;
		break;
	case P_MONTH:
		span = yj_date_month_days(y, mo) * YJ_DAY_MS;
		break;
	case P_DAY:
		span = YJ_DAY_MS;
		break;
	case P_MINUTE:
		span = 60000;
		break;
	case P_SECOND:
		span = 1000;
		break;
	default:
		span = 1;
	}
	*lo = base;
	*hi = base + span;
	return 0;
}

int yj_instant_parse(const char *s, int64_t *ms)
{
	int64_t lo, hi;
	if (yj_instant_parse_range(s, &lo, &hi) < 0 || hi - lo > 1000)
		return -1;
	*ms = lo;
	return 0;
}
