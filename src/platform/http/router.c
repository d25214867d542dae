/* router.c — matches a path against the route table, segment by segment, binding {name}
 * segments as path parameters. Linear over routes: the table is small, and this keeps it obvious. */
#include "http_int.h"

#include <stdlib.h>
#include <string.h>

/* Matches pattern to path; on success stores the parameters into r. */
static int match(const char *pat, const char *path, yj_req *r)
{
	int np = 0;
	const char *names[YJ_MAX_PARAMS];
	size_t nlens[YJ_MAX_PARAMS];
	const char *vals[YJ_MAX_PARAMS];
	size_t lens[YJ_MAX_PARAMS];
	while (*pat && *path) {
		if (*pat != '/' || *path != '/')
			return 0;
		pat++, path++;
		const char *pe = strchr(pat, '/'), *se = strchr(path, '/');
		size_t pl = pe ? (size_t)(pe - pat) : strlen(pat);
		size_t sl = se ? (size_t)(se - path) : strlen(path);
		if (pl > 2 && pat[0] == '{' && pat[pl - 1] == '}') {
			if (sl == 0 || np == YJ_MAX_PARAMS)
				return 0;
			names[np] = pat + 1;
			nlens[np] = pl - 2;
			vals[np] = path;
			lens[np] = sl;
			np++;
		} else if (pl != sl || memcmp(pat, path, pl) != 0) {
			return 0;
		}
		pat += pl;
		path += sl;
	}
	if (*pat || *path)
		return 0;
	for (int i = 0; i < np; i++) {
		r->pnames[i] = strndup(names[i], nlens[i]);
		r->pvalues[i] = strndup(vals[i], lens[i]);
	}
	r->nparams = np;
	return 1;
}

const yj_route *yj_route_match(yj_server *srv, yj_req *r, int *method_mismatch)
{
	*method_mismatch = 0;
	for (size_t i = 0; i < srv->nroutes; i++) {
		const yj_route *rt = srv->routes[i];
		yj_req probe = {0};
		if (!match(rt->path, r->path, &probe))
			continue;
		if (strcmp(rt->method, r->method) != 0) {
			for (int k = 0; k < probe.nparams; k++) {
				free(probe.pnames[k]);
				free(probe.pvalues[k]);
			}
			*method_mismatch = 1;
			continue;
		}
		r->nparams = probe.nparams;
		for (int k = 0; k < probe.nparams; k++) {
			r->pnames[k] = probe.pnames[k];
			r->pvalues[k] = probe.pvalues[k];
		}
		r->route_idx = i;
		return rt;
	}
	return NULL;
}
