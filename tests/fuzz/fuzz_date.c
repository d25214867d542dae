/* fuzz_date.c — the date parsers of base/date.h on arbitrary bytes. Beyond not crashing: a date
 * accepted is a real date that formats back to the very bytes given (the strict forms) or to its
 * normalised form (the loose one), and an instant range accepted is non-empty and, when complete,
 * formats and parses back to the same millisecond. The fuzz environment is linked but not used. */
#include "base/date.h"

#include <stdlib.h>
#include <string.h>

static void strict(const char *s, size_t n)
{
	int64_t d;
	if (yj_date_parse(s, n, 0, 9999, &d) == 0) {
		char out[11];
		int y, m, dd;
		yj_civil_from_days(d, &y, &m, &dd);
		yj_day_format(d, out);
		if (!yj_date_valid(y, m, dd) || n != 10 || memcmp(out, s, 10) != 0)
			abort();
	}
	if (yj_date_parse_compact(s, n, 0, 9999, &d) == 0) {
		char out[11];
		yj_day_format(d, out);
		if (n != 8 || memcmp(out, s, 4) || memcmp(out + 5, s + 4, 2) || memcmp(out + 8, s + 6, 2))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	const char *s = (const char *)data;
	strict(s, size);
	char *z = malloc(size + 1);
	memcpy(z, data, size);
	z[size] = '\0';
	int64_t d, lo, hi, ms;
	if (yj_date_parse_loose(z, 1900, 2200, &d) == 0) {
		char out[11];
		int64_t again;
		yj_day_format(d, out);
		if (yj_day_parse(out, &again) != 0 || again != d)
			abort();
	}
	if (yj_instant_parse_range(z, &lo, &hi) == 0 && hi <= lo)
		abort();
	if (yj_instant_parse(z, &ms) == 0) {
		char out[YJ_INSTANT_LEN];
		int64_t back;
		yj_instant_format(ms, 0, out);
		int year = atoi(out); /* an offset may carry 1900-01-01 or 2200-12-31 across the range's edge */
		if (year >= 1900 && year <= 2200 && (yj_instant_parse(out, &back) != 0 || back != ms))
			abort();
	}
	free(z);
	return 0;
}
