/* router.c — matches a path against the route table, segment by segment, binding {name}
 * segments (or {name}suffix, as "{id}.pdf") as path parameters. Routes are tried in one order fixed at start-up, literal segments
 * before parameters (yj_route_order), so a table's order never decides which route answers; the
 * conflicts that order cannot settle are named by yj_route_conflict for the unit test. Linear over
 * routes: the table is small, a literal-prefix comparison rejects most at once, and this keeps it
 * obvious. */
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
		const char *close = pl > 2 && pat[0] == '{' ? memchr(pat, '}', pl) : NULL;
		if (close && close > pat + 1) {
			/* A parameter, perhaps with a literal suffix ("{id}.pdf"): the value is what precedes it. */
			size_t suf = pl - (size_t)(close + 1 - pat);
			if (sl <= suf || np == YJ_MAX_PARAMS || memcmp(path + sl - suf, close + 1, suf) != 0)
				return 0;
			names[np] = pat + 1;
			nlens[np] = (size_t)(close - pat - 1);
			vals[np] = path;
			lens[np] = sl - suf;
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

/* ---- matching order ---- */

/* A whole-segment parameter; "{id}.pdf" counts as a literal for ordering and overlap, so it is tried
 * before "{id}" (its paths are a subset of that one's). */
static int is_param(const char *seg, size_t n)
{
	return n > 2 && seg[0] == '{' && seg[n - 1] == '}';
}

/* The segment after the '/' at *p: sets *seg and *n and moves *p to the next '/' or the end.
 * Returns 0 when *p is not at a '/'. */
static int next_segment(const char **p, const char **seg, size_t *n)
{
	if (**p != '/')
		return 0;
	*seg = *p + 1;
	const char *e = strchr(*seg, '/');
	*n = e ? (size_t)(e - *seg) : strlen(*seg);
	*p = *seg + *n;
	return 1;
}

int yj_route_cmp(const char *a, const char *b)
{
	const char *sa, *sb;
	size_t na, nb;
	for (;;) {
		int ha = next_segment(&a, &sa, &na), hb = next_segment(&b, &sb, &nb);
		if (!ha || !hb)
			return ha - hb; /* fewer segments first: such patterns never share a path anyway */
		int pa = is_param(sa, na), pb = is_param(sb, nb);
		if (pa != pb)
			return pa - pb; /* the literal first */
	}
}

int yj_route_overlap(const char *a, const char *b)
{
	const char *sa, *sb;
	size_t na, nb;
	for (;;) {
		int ha = next_segment(&a, &sa, &na), hb = next_segment(&b, &sb, &nb);
		if (!ha || !hb)
			return ha == hb && !*a && !*b;
		int pa = is_param(sa, na), pb = is_param(sb, nb);
		if (pa && pb)
			continue;
		if (pa || pb) {
			if ((pa ? nb : na) == 0) /* a parameter never matches an empty segment */
				return 0;
			continue;
		}
		if (na != nb || memcmp(sa, sb, na) != 0)
			return 0;
	}
}

/* 1 when pattern a has a literal wherever b has one (so a is at least as specific). */
static int covers(const char *a, const char *b)
{
	const char *sa, *sb;
	size_t na, nb;
	while (next_segment(&a, &sa, &na) && next_segment(&b, &sb, &nb))
		if (is_param(sa, na) && !is_param(sb, nb))
			return 0;
	return 1;
}

const char *yj_route_conflict(const yj_route *a, const yj_route *b)
{
	if (strcmp(a->method, b->method) != 0 || !yj_route_overlap(a->path, b->path))
		return NULL;
	if (yj_route_cmp(a->path, b->path) == 0)
		return "the same method and the same kinds of segments: the table's order would decide";
	if (!covers(a->path, b->path) && !covers(b->path, a->path))
		return "each has a literal segment where the other has a parameter: one takes the other's paths";
	return NULL;
}

static size_t literal_prefix(const char *pat)
{
	const char *brace = strchr(pat, '{');
	return brace ? (size_t)(brace - pat) : strlen(pat);
}

void yj_route_order(yj_server *srv)
{
	srv->order = yj_calloc(srv->nroutes ? srv->nroutes : 1, sizeof *srv->order);
	/* Insertion sort: stable (equal patterns keep the table's order) and run once, over a few
	 * hundred routes. */
	for (size_t i = 0; i < srv->nroutes; i++) {
		route_slot s = {srv->routes[i], i, literal_prefix(srv->routes[i]->path)};
		size_t k = i;
		while (k > 0 && yj_route_cmp(srv->order[k - 1].rt->path, s.rt->path) > 0) {
			srv->order[k] = srv->order[k - 1];
			k--;
		}
		srv->order[k] = s;
	}
}

/* ---- dispatch ---- */

const yj_route *yj_route_match(yj_server *srv, yj_req *r, int *method_mismatch)
{
	*method_mismatch = 0;
	for (size_t i = 0; i < srv->nroutes; i++) {
		const route_slot *s = &srv->order[i];
		if (strncmp(s->rt->path, r->path, s->lit) != 0 || !match(s->rt->path, r->path, NULL))
			continue;
		if (!method_is(s->rt, r->method)) {
			*method_mismatch = 1;
			continue;
		}
		match(s->rt->path, r->path, r); /* again, now binding the parameters */
		r->route_idx = s->idx;
		return s->rt;
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
