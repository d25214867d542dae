/* router.c — matches a path against the route table, segment by segment, binding {name}
 * segments as path parameters. Linear over routes: the table is small, and this keeps it obvious. */
#include "http_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Matches pattern to path; on success stores the parameters into r (when r is not NULL). */
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
	for (int i = 0; r && i < np; i++) {
		r->pnames[i] = strndup(names[i], nlens[i]);
		r->pvalues[i] = strndup(vals[i], lens[i]);
	}
	if (r)
		r->nparams = np;
	return 1;
}

/* HEAD is GET without the body (RFC 9110 §9.3.2), which libmicrohttpd leaves out by itself. */
static int method_is(const yj_route *rt, const char *method)
{
	return strcmp(rt->method, method) == 0 || (strcmp(method, "HEAD") == 0 && strcmp(rt->method, "GET") == 0);
}

const yj_route *yj_route_match(yj_server *srv, yj_req *r, int *method_mismatch)
{
	*method_mismatch = 0;
	for (size_t i = 0; i < srv->nroutes; i++) {
		const yj_route *rt = srv->routes[i];
		yj_req probe = {0};
		if (!match(rt->path, r->path, &probe))
			continue;
		if (!method_is(rt, r->method)) {
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

void yj_route_allow(yj_server *srv, const char *path, char *out, size_t cap)
{
	static const char *const methods[] = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"};
	size_t n = 0;
	out[0] = '\0';
	for (size_t m = 0; m < YJ_ARRAY_LEN(methods); m++) {
		int allowed = 0;
		for (size_t i = 0; i < srv->nroutes && !allowed; i++)
			allowed = method_is(srv->routes[i], methods[m]) && match(srv->routes[i]->path, path, NULL);
		if (allowed && n < cap)
			n += (size_t)snprintf(out + n, cap - n, "%s%s", n ? ", " : "", methods[m]);
	}
}

static unsigned hex_digit(unsigned char c)
{
	return isdigit(c) ? (unsigned)(c - '0') : (unsigned)(tolower(c) - 'a' + 10);
}

int yj_target_refused(const char *raw)
{
	for (const unsigned char *p = (const unsigned char *)raw; *p; p++) {
		unsigned v = *p;
		if (*p == '%' && isxdigit(p[1]) && isxdigit(p[2]))
			v = hex_digit(p[1]) << 4 | hex_digit(p[2]);
		if (v < 0x20 || v == 0x7F)
			return 1;
	}
	return 0;
}
