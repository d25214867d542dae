/* scope.c — territory and remit of a caller (see scope.h). */
#include "scope.h"

#include <string.h>

void yj_region_prefix(const char *code, char out[16])
{
	size_t n = strlen(code);
	if (n >= 16)
		n = 15;
	memcpy(out, code, n);
	out[n] = '\0';
	/* GB/T 2260: province ppcccc with cccc = 0000, city ppcc00; strip trailing "00" pairs
	 * but never below the two province digits. Town codes (9 digits) stay whole. */
	if (n == 6) {
		while (n > 2 && out[n - 1] == '0' && out[n - 2] == '0')
			n -= 2;
		out[n] = '\0';
	}
}

void yj_scope_unrestricted(yj_scope *sc)
{
	memset(sc, 0, sizeof *sc);
	sc->unrestricted = 1;
	sc->all_departments = 1;
}

void yj_scope_init(yj_scope *sc, const char *region_code, const char *department, const char *remit)
{
	memset(sc, 0, sizeof *sc);
	yj_region_prefix(region_code, sc->region_prefix);
	if (remit && strcmp(remit, "*") == 0) {
		sc->all_departments = 1;
		return;
	}
	/* A department always sees its own rows, whatever its remit lists. */
	size_t dl = strlen(department);
	if (dl < sizeof sc->depts[0]) {
		memcpy(sc->depts[0], department, dl + 1);
		sc->ndepts = 1;
	}
	const char *p = remit ? remit : "";
	while (*p && sc->ndepts < YJ_SCOPE_MAX_DEPTS) {
		const char *e = strchr(p, ',');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		if (n > 0 && n < sizeof sc->depts[0] && !(n == dl && memcmp(p, department, n) == 0)) {
			memcpy(sc->depts[sc->ndepts], p, n);
			sc->depts[sc->ndepts][n] = '\0';
			sc->ndepts++;
		}
		p = e ? e + 1 : p + n;
	}
}

static int allows(const yj_scope *sc, const char *region_code, const char *department)
{
	if (sc->unrestricted)
		return 1;
	if (!region_code || strncmp(region_code, sc->region_prefix, strlen(sc->region_prefix)) != 0)
		return 0;
	if (!department || sc->all_departments)
		return 1;
	for (int i = 0; i < sc->ndepts; i++)
		if (strcmp(sc->depts[i], department) == 0)
			return 1;
	return 0;
}

int yj_scope_allows(const yj_scope *sc, const char *region_code, const char *department)
{
	return !sc->subject_bound && allows(sc, region_code, department);
}

int yj_scope_has_subject(const yj_scope *sc, int64_t subject_id)
{
	if (!sc->subject_bound)
		return 1;
	for (int i = 0; i < sc->nsubjects; i++)
		if (sc->subjects[i] == subject_id)
			return 1;
	return 0;
}

int yj_scope_allows_subject(const yj_scope *sc, const char *region_code, const char *department, int64_t subject_id)
{
	return allows(sc, region_code, department) && yj_scope_has_subject(sc, subject_id);
}
