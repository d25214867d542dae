/* docs_office.c — whose name a document carries: the issuing organ (温州市鹿城区卫生健康局) and its
 * 机关代字 (温鹿卫) for a territory, so every capability numbers its documents per the same office.
 * A town's documents belong to its county's office. */
#include "docs.h"
#include "../regions/regions.h"

#include <stdio.h>
#include <string.h>

/* Appends the first character (UTF-8) of s to out at *len. */
static void first_char(const char *s, char *out, size_t cap, size_t *len)
{
	unsigned char b = (unsigned char)s[0];
	size_t n = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
	if (!b || *len + n >= cap)
		return;
	memcpy(out + *len, s, n);
	*len += n;
	out[*len] = '\0';
}

void yj_doc_office_of(store_conn *c, const char *region, char organ[320], char office[48])
{
	yj_region r, up, p;
	char abbr[32] = "";
	size_t len = 0;
	int found = yj_region_get(c, region, &r) == ST_OK;
	while (found && r.level > 3 && r.parent_code[0] && yj_region_get(c, r.parent_code, &up) == ST_OK)
		r = up;
	snprintf(organ, 320, "%s卫生健康局", found ? r.name : region);
	if (found && r.level >= 3 && r.parent_code[0] && yj_region_get(c, r.parent_code, &p) == ST_OK) {
		snprintf(organ, 320, "%s%s卫生健康局", p.name, r.name);
		first_char(p.name, abbr, sizeof abbr, &len);
	}
	if (found)
		first_char(r.name, abbr, sizeof abbr, &len);
	snprintf(office, 48, "%s卫", abbr);
}
