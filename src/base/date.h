/* date.h — civil dates and instants, the one implementation yijian has: leap years and month
 * lengths, day numbers (days since 1970-01-01 in the proleptic Gregorian calendar, Howard Hinnant's
 * algorithms), strict date parsing, ISO 8601 instants with offsets, and the Asia/Shanghai day.
 * No time zone database, locale or libc time function is involved, so results never depend on TZ.
 *
 * Asia/Shanghai is taken as UTC+8 with no daylight saving for every instant. China last kept summer
 * time in 1991 (1986–1991) and has been UTC+8 all year since, so instants from 1992 on are exact;
 * the few stored instants older than that (there are none from yijian's own clock) would show an
 * hour off in those summers. Dates (YYYY-MM-DD) are calendar days and carry no zone at all.
 *
 * Year domain: day numbers and civil dates round-trip for years −1,000,000 … 1,000,000; the
 * parsers accept four-digit years only, within the range each caller passes. */
#ifndef YJ_DATE_H
#define YJ_DATE_H

#include <stddef.h>
#include <stdint.h>

/* Minutes east of UTC of Asia/Shanghai (see above). */
#define YJ_SHANGHAI_OFFSET_MIN 480
#define YJ_DAY_MS 86400000LL
/* The years a date written by a person may have unless a caller says otherwise. */
#define YJ_DATE_YEAR_MIN 1900
#define YJ_DATE_YEAR_MAX 2999

/* ---- the calendar ---- */

static inline int yj_date_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Days in month m (1–12) of year y; 0 when m is not a month. */
static inline int yj_date_month_days(int64_t y, int m)
{
	static const unsigned char mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (m < 1 || m > 12)
		return 0;
	return mdays[m - 1] + (m == 2 && yj_date_leap(y));
}

/* True when y-m-d is a real date (29 February only in leap years). */
static inline int yj_date_valid(int64_t y, int m, int d)
{
	return d >= 1 && d <= yj_date_month_days(y, m);
}

/* Day number of a civil date: 1970-01-01 is 0. m must be 1–12; a day past the month's end rolls
 * over (2023-02-29 gives the number of 2023-03-01, which a licence's term relies on). Inline: the
 * claims loader calls it per row. */
static inline int64_t yj_days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

/* The civil date of a day number. */
void yj_civil_from_days(int64_t days, int *y, int *m, int *d);

/* Day of the week: 0 Monday … 6 Sunday. */
int yj_day_weekday(int64_t days);

/* ---- parsing and formatting dates ---- */

/* Strict YYYY-MM-DD in p[0..n) (not NUL-terminated; n must be 10), a real date with the year in
 * [ymin, ymax]. Sets *days (when not NULL) and returns 0, or returns -1. Inline and free of
 * library calls: the claims loader parses two dates per row. */
static inline int yj_date_parse(const char *p, size_t n, int ymin, int ymax, int64_t *days)
{
	if (n != 10 || p[4] != '-' || p[7] != '-')
		return -1;
	unsigned v[10];
	for (int i = 0; i < 10; i++)
		v[i] = (unsigned)(unsigned char)p[i] - '0';
	/* A character below '0' wraps to a large unsigned value, so "> 9" catches every non-digit. */
	if ((v[0] > 9) | (v[1] > 9) | (v[2] > 9) | (v[3] > 9) | (v[5] > 9) | (v[6] > 9) | (v[8] > 9) | (v[9] > 9))
		return -1;
	int y = (int)(v[0] * 1000 + v[1] * 100 + v[2] * 10 + v[3]), m = (int)(v[5] * 10 + v[6]),
	    d = (int)(v[8] * 10 + v[9]);
	if (y < ymin || y > ymax || !yj_date_valid(y, m, d))
		return -1;
	if (days)
		*days = yj_days_from_civil(y, m, d);
	return 0;
}

/* Strict YYYYMMDD in p[0..n) (n must be 8), as inside a resident identity number; otherwise as
 * yj_date_parse. */
int yj_date_parse_compact(const char *p, size_t n, int ymin, int ymax, int64_t *days);

/* A date as spreadsheets and forms write it: YYYY-MM-DD, or YYYY/M/D with one- or two-digit month
 * and day and '-' or '/' as the one separator (2030/1/1). NUL-terminated; otherwise as
 * yj_date_parse. */
int yj_date_parse_loose(const char *s, int ymin, int ymax, int64_t *days);

/* Strict NUL-terminated YYYY-MM-DD with the year in 1900–2999: the form every date of the API
 * takes. NULL is refused. *days may be NULL to only validate. */
int yj_day_parse(const char *s, int64_t *days);

/* YYYY-MM-DD of a day number into out (always 10 characters and a NUL; the year is written modulo
 * 10000, so keep days within years 0–9999). */
void yj_day_format(int64_t days, char out[11]);

/* ---- instants (UTC epoch milliseconds) and the day they fall on ---- */

/* The day number of instant ms in a zone offset_min minutes east of UTC (floor: instants before
 * 1970 fall on the right day). */
int64_t yj_day_of_instant(int64_t ms, int offset_min);
/* The first millisecond of day `days` in a zone offset_min minutes east of UTC. */
int64_t yj_day_start_ms(int64_t days, int offset_min);
/* The Asia/Shanghai day of instant ms as YYYY-MM-DD. */
void yj_day_of_ms(int64_t ms, char out[11]);
/* Today in Asia/Shanghai as YYYY-MM-DD (by yj_now_ms). */
void yj_day_today(char out[11]);

/* ISO 8601 / RFC 3339 instant of ms at offset_min minutes east of UTC, with milliseconds:
 * "2026-03-01T09:30:00.000+08:00", or "…Z" when offset_min is 0. */
#define YJ_INSTANT_LEN 30
void yj_instant_format(int64_t ms, int offset_min, char out[YJ_INSTANT_LEN]);

/* Parses an ISO 8601 date or date-time of reduced precision — YYYY, YYYY-MM, YYYY-MM-DD, or a date
 * with Thh:mm[:ss[.fraction]] and a zone (Z or ±hh:mm, required after a time) — into the half-open
 * range [*lo, *hi) of epoch ms it covers (FHIR dateTime semantics). A date without a time is a day
 * (month, year) in Asia/Shanghai. Years 1900–2200; fractions beyond milliseconds are cut. Returns 0,
 * or -1 when malformed (including 29 February of a common year). */
int yj_instant_parse_range(const char *s, int64_t *lo, int64_t *hi);
/* A complete instant (date, time to the second at least, and a zone) into *ms. Returns 0 or -1. */
int yj_instant_parse(const char *s, int64_t *ms);

#endif
