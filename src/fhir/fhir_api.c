/* fhir_api.c — /fhir/r4/: read, search (IHE mCSD ITI-90) and type history (ITI-91) of
 * Organization, Location, Practitioner and PractitionerRole, and the CapabilityStatement. Each
 * resource type reads one or two sources (a scoped table, or a join), so the territory scope of
 * the query builder holds here exactly as in /api/v1. Search parameters are a table per source;
 * a parameter turns into one SQL condition. Paging is by key (id, or time and id for history)
 * in an opaque _cursor, so pages stay stable while records change.
 * Over 800 lines for now: the four resource types share the search-parameter tables and the Bundle
 * paging; splitting per resource waits for the registry's search functions (issue 10 item 3).
 */
#define _POSIX_C_SOURCE 200809L
#include "fhir.h"
#include "../platform/pii/pii.h"
#include "../base/id.h"
#include "../registry/record.h"
#include "../platform/regions/regions.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FHIR_JSON "application/fhir+json; charset=utf-8"
#define MAX_COUNT 200
#define DEFAULT_COUNT 20
#define MAX_VALUES 20 /* comma-separated values of one parameter */

/* ---- sources and their search parameters ---- */

enum p_op {
	P_ID,		/* _id: the source's ids (PractitionerRole ids carry a suffix) */
	P_ACTIVE,	/* true/false: column = 'active' */
	P_FILING_ACTIVE, /* a filing not ended and its practitioner active */
	P_IDENT,	/* identifier: [system|]value over the source's identifier columns */
	P_NAME,		/* substring of the name (bigram index) */
	P_FAMILY,	/* family name starts with */
	P_GIVEN,	/* given name starts with */
	P_INST_TYPE,	/* institution type code, or the mCSD facility type */
	P_REF,		/* reference Type/id to a column holding the id */
	P_NONE_REF,	/* a reference we never set (partof): matches nothing */
	P_STATUS,	/* Location.status */
	P_ROLE,		/* PractitionerRole.code */
	P_SPECIALTY,	/* PractitionerRole.specialty */
	P_LASTUPDATED,	/* date with prefix */
};

typedef struct fparam {
	const char *name;
	const char *type; /* FHIR search parameter type */
	enum p_op op;
	const char *column;
	const char *target; /* P_REF: the referenced resource type */
	const char *doc;
} fparam;

enum src_kind { S_ORG, S_LOC, S_PRAC, S_ROLE_PRIMARY, S_ROLE_FILING };

typedef struct source {
	enum src_kind kind;
	yj_table t;
	const char *columns; /* NULL: the kind's record columns (record.h) */
	const char *id_col, *ts_col;
	const char *id_suffix; /* PractitionerRole ids */
	const reg_kind *k;
	const char *const *idents; /* system, column pairs, NULL-terminated */
	const fparam *params;	  /* terminated by {NULL} */
} source;

typedef struct ftype {
	const char *name;
	const char *profile;
	const source *src[2];
	int nsrc;
	yj_qparam search_q[24];
} ftype;

static const char *const inst_idents[] = {YJ_FHIR_SID_USCC, "credit_code", YJ_FHIR_SID_LICENCE, "licence_no", NULL};
static const char *const prac_idents[] = {YJ_FHIR_SID_CERT, "certificate_no", NULL};

#define P_COMMON_ID {"_id", "token", P_ID, "id", NULL, "Logical id; comma-separated ids are ORed"}
#define P_COMMON_LU(col) {"_lastUpdated", "date", P_LASTUPDATED, col, NULL, "meta.lastUpdated with eq, ne, gt, ge, lt or le; may repeat"}

static const fparam org_params[] = {
	P_COMMON_ID,
	{"active", "token", P_ACTIVE, "state", NULL, "true: state 正常执业; false: any other state"},
	{"identifier", "token", P_IDENT, NULL, NULL, "[system|]value: unified social credit code or practice-licence number"},
	{"name", "string", P_NAME, NULL, NULL, "Substring of the name (Chinese, one value)"},
	{"partof", "reference", P_NONE_REF, NULL, "Organization", "Parent organisation: not recorded, so nothing matches"},
	{"type", "token", P_INST_TYPE, "type", NULL, "Institution type code, or the mCSD type facility"},
	P_COMMON_LU("updated_at"),
	{NULL, NULL, 0, NULL, NULL, NULL},
};

static const fparam loc_params[] = {
	P_COMMON_ID,
	{"identifier", "token", P_IDENT, NULL, NULL, "[system|]value: unified social credit code or practice-licence number"},
	{"name", "string", P_NAME, NULL, NULL, "Substring of the name (Chinese, one value)"},
	{"organization", "reference", P_REF, "id", "Organization", "The managing Organization (same id)"},
	{"partof", "reference", P_NONE_REF, NULL, "Location", "Parent location: not recorded, so nothing matches"},
	{"status", "token", P_STATUS, "state", NULL, "active, suspended or inactive (revoked or closed)"},
	{"type", "token", P_INST_TYPE, "type", NULL, "Institution type code, or the mCSD type facility"},
	P_COMMON_LU("updated_at"),
	{NULL, NULL, 0, NULL, NULL, NULL},
};

static const fparam prac_params[] = {
	P_COMMON_ID,
	{"active", "token", P_ACTIVE, "state", NULL, "true: state 正常执业; false: any other state"},
	{"identifier", "token", P_IDENT, NULL, NULL, "[system|]value: practice certificate number"},
	{"name", "string", P_NAME, NULL, NULL, "Substring of the full name (one value)"},
	{"family", "string", P_FAMILY, NULL, NULL, "Family name starts with (compound surnames are two characters)"},
	{"given", "string", P_GIVEN, NULL, NULL, "Given name starts with"},
	P_COMMON_LU("updated_at"),
	{NULL, NULL, 0, NULL, NULL, NULL},
};

static const fparam primary_params[] = {
	P_COMMON_ID,
	{"active", "token", P_ACTIVE, "state", NULL, "true: the practitioner is active (filings: also not ended)"},
	{"organization", "reference", P_REF, "institution_id", "Organization", "Organization/id of the place of practice"},
	{"location", "reference", P_REF, "institution_id", "Location", "Location/id of the place of practice"},
	{"practitioner", "reference", P_REF, "id", "Practitioner", "Practitioner/id"},
	{"role", "token", P_ROLE, "category", NULL, "Category code, or HL7 practitioner-role doctor, nurse, pharmacist"},
	{"specialty", "token", P_SPECIALTY, "practice_type", NULL, "Practice category (执业类别) code"},
	P_COMMON_LU("updated_at"),
	{NULL, NULL, 0, NULL, NULL, NULL},
};

/* The same names as primary_params, over the filing join. */
static const fparam filing_params[] = {
	{"_id", "token", P_ID, "f.id", NULL, NULL},
	{"active", "token", P_FILING_ACTIVE, NULL, NULL, NULL},
	{"organization", "reference", P_REF, "f.institution_id", "Organization", NULL},
	{"location", "reference", P_REF, "f.institution_id", "Location", NULL},
	{"practitioner", "reference", P_REF, "f.practitioner_id", "Practitioner", NULL},
	{"role", "token", P_ROLE, "p.category", NULL, NULL},
	{"specialty", "token", P_SPECIALTY, "p.practice_type", NULL, NULL},
	P_COMMON_LU("f.created_at"),
	{NULL, NULL, 0, NULL, NULL, NULL},
};

/* The tables (t) are the registry's (record.h), filled in by init_params. */
static source src_org = {S_ORG, {0}, NULL, "id", "updated_at", NULL,
			       &yj_institution_kind, inst_idents, org_params};
static source src_loc = {S_LOC, {0}, NULL, "id", "updated_at", NULL,
			       &yj_institution_kind, inst_idents, loc_params};
static source src_prac = {S_PRAC, {0}, NULL, "id", "updated_at", NULL,
				&yj_practitioner_kind, prac_idents, prac_params};
static source src_primary = {S_ROLE_PRIMARY, {0}, NULL, "id", "updated_at",
				   "-primary", &yj_practitioner_kind, NULL, primary_params};
/* A filing is seen in the territory of the institution it was filed with. */
static source src_filing = {S_ROLE_FILING, {0},
				  "f.id, f.institution_id, f.start_date, f.end_date, f.created_at, p.id, p.name, p.state,"
				  " p.category, p.practice_type",
				  "f.id", "f.created_at", "-filing", &yj_practitioner_kind, NULL, filing_params};

static ftype types[] = {
	{"Organization", "FacilityOrganization", {&src_org}, 1, {{0}}},
	{"Location", "FacilityLocation", {&src_loc}, 1, {{0}}},
	{"Practitioner", "Practitioner", {&src_prac}, 1, {{0}}},
	{"PractitionerRole", "PractitionerRole", {&src_primary, &src_filing}, 2, {{0}}},
};
#define NTYPES (sizeof types / sizeof types[0])

static const yj_qparam read_q[] = {{"_format", "json or application/fhir+json (the only format served)"}, {NULL, NULL}};
static const yj_qparam history_q[] = {
	{"_since", "Only resources changed at or after this instant (ITI-91)"},
	{"_count", "Page size 1–200 (default 20)"},
	{"_cursor", "Opaque paging key from the next link"},
	{"_format", "json or application/fhir+json"},
	{NULL, NULL},
};

__attribute__((constructor)) static void init_params(void)
{
	yj_reg_table(&yj_institution_kind, &src_org.t);
	yj_reg_table(&yj_institution_kind, &src_loc.t);
	yj_reg_table(&yj_practitioner_kind, &src_prac.t);
	yj_reg_table(&yj_practitioner_kind, &src_primary.t);
	yj_reg_filings_view(&src_filing.t);
	for (size_t i = 0; i < NTYPES; i++) {
		size_t n = 0;
		for (const fparam *p = types[i].src[0]->params; p->name; p++)
			types[i].search_q[n++] = (yj_qparam){p->name, p->doc};
		types[i].search_q[n++] = (yj_qparam){"_count", "Page size 1–200 (default 20)"};
		types[i].search_q[n++] = (yj_qparam){"_cursor", "Opaque paging key from the next link"};
		types[i].search_q[n++] = (yj_qparam){"_format", "json or application/fhir+json"};
		types[i].search_q[n] = (yj_qparam){NULL, NULL};
	}
}

/* ---- one SQL condition with its binds ---- */

typedef struct cond {
	yj_buf sql;
	int nb;
	struct {
		int is_int;
		int64_t i;
		char *s;
	} b[2 * MAX_VALUES + 4];
} cond;

static void c_text(cond *c, const char *s)
{
	c->b[c->nb].is_int = 0;
	c->b[c->nb++].s = strdup(s);
}

static void c_int(cond *c, int64_t v)
{
	c->b[c->nb].is_int = 1;
	c->b[c->nb].s = NULL;
	c->b[c->nb++].i = v;
}

static void c_or(cond *c)
{
	if (c->sql.len)
		yj_buf_puts(&c->sql, " OR ");
}

static void c_apply(cond *c, yj_qb *q)
{
	if (c->sql.len) {
		yj_q_where(q, c->sql.data);
		for (int i = 0; i < c->nb; i++) {
			if (c->b[i].is_int)
				yj_q_int(q, c->b[i].i);
			else
				yj_q_text(q, c->b[i].s);
		}
	}
	for (int i = 0; i < c->nb; i++)
		free(c->b[i].s);
	yj_buf_free(&c->sql);
	c->nb = 0;
}

/* Splits a token list on commas (no escapes: our codes and ids hold none). */
static int split_values(const char *v, char *buf, size_t bufsize, char *out[MAX_VALUES])
{
	if (strlen(v) >= bufsize)
		return -1;
	strcpy(buf, v);
	int n = 0;
	for (char *p = buf, *save = NULL, *t; (t = strtok_r(p, ",", &save)); p = NULL) {
		if (n == MAX_VALUES)
			return -1;
		out[n++] = t;
	}
	return n;
}

/* "Type/id", "id" or an absolute URL ending in Type/id; returns the id, or -1 when the type is
 * another, 0 when the id is no id of ours (then nothing matches). */
static int parse_ref(const char *v, const char *target, int64_t *id)
{
	const char *slash = strrchr(v, '/');
	const char *idpart = slash ? slash + 1 : v;
	if (slash) {
		const char *tstart = slash;
		while (tstart > v && tstart[-1] != '/')
			tstart--;
		size_t tl = (size_t)(slash - tstart);
		if (tl != strlen(target) || strncmp(tstart, target, tl) != 0)
			return -1;
	}
	return yj_id_parse(idpart, id) < 0 ? 0 : 1;
}

static const char *split_token(char *tok, char **system)
{
	char *bar = strchr(tok, '|');
	if (!bar) {
		*system = NULL;
		return tok;
	}
	*bar = '\0';
	*system = tok;
	return bar + 1;
}

/* FAMLEN: the length in characters of the family name, as yj_fhir_split_name decides it. */
static void famlen_sql(yj_buf *b, const char *col)
{
	yj_buf_printf(b, "(CASE WHEN substr(%s, 1, 2) IN (", col);
	for (const char *const *c = yj_fhir_compound_surnames; *c; c++)
		yj_buf_printf(b, "%s'%s'", c == yj_fhir_compound_surnames ? "" : ", ", *c);
	yj_buf_puts(b, ") THEN 2 ELSE 1 END)");
}

static char *like_prefix(const char *v)
{
	yj_buf pat = YJ_BUF_INIT;
	for (const char *p = v; *p; p++) {
		if (*p == '%' || *p == '_' || *p == '\\')
			yj_buf_append(&pat, "\\", 1);
		yj_buf_append(&pat, p, 1);
	}
	yj_buf_puts(&pat, "%");
	return yj_buf_detach(&pat);
}

/* Adds the condition of parameter p = v to q; reports bad values in errors. */
static void apply_param(yj_qb *q, const source *s, const fparam *p, const char *v, const char *today, json_t *errors)
{
	cond c = {YJ_BUF_INIT, 0, {{0}}};
	char buf[1024], *vals[MAX_VALUES];
	int n = 0;
	if (p->op != P_NAME && p->op != P_FAMILY && p->op != P_GIVEN && p->op != P_LASTUPDATED) {
		n = split_values(v, buf, sizeof buf, vals);
		if (n <= 0) {
			yj_field_error(errors, p->name, "取值过长或过多（最多 20 个，以逗号分隔）");
			return;
		}
	}
	switch (p->op) {
	case P_ID:
		for (int i = 0; i < n; i++) {
			char *id = vals[i];
			size_t sl = s->id_suffix ? strlen(s->id_suffix) : 0, il = strlen(id);
			int64_t num;
			if (sl) {
				if (il <= sl || strcmp(id + il - sl, s->id_suffix) != 0)
					continue;
				id[il - sl] = '\0';
			}
			if (yj_id_parse(id, &num) < 0)
				continue;
			c_or(&c);
			yj_buf_printf(&c.sql, "%s = ?", p->column);
			c_int(&c, num);
		}
		break;
	case P_ACTIVE:
	case P_FILING_ACTIVE:
		if (n != 1 || (strcmp(vals[0], "true") && strcmp(vals[0], "false"))) {
			yj_field_error(errors, p->name, "应为 true 或 false");
			return;
		}
		if (p->op == P_ACTIVE) {
			yj_buf_printf(&c.sql, "%s %s 'active'", p->column, strcmp(vals[0], "true") ? "<>" : "=");
		} else {
			yj_buf_printf(&c.sql, "%s(p.state = 'active' AND (f.end_date IS NULL OR f.end_date >= ?))",
				      strcmp(vals[0], "true") ? "NOT " : "");
			c_text(&c, today);
		}
		break;
	case P_IDENT:
		for (int i = 0; i < n; i++) {
			char *system;
			const char *value = split_token(vals[i], &system);
			for (const char *const *id = s->idents; id && *id; id += 2) {
				if (system && strcmp(system, id[0]))
					continue; /* "|value" (no system) matches none: ours always have one */
				c_or(&c);
				if (*value) {
					yj_buf_printf(&c.sql, "%s = ?", id[1]);
					c_text(&c, value);
				} else {
					yj_buf_printf(&c.sql, "%s IS NOT NULL", id[1]);
				}
			}
		}
		break;
	case P_NAME:
	case P_FAMILY:
	case P_GIVEN: {
		size_t len = yj_utf8_len(v, strlen(v));
		if (len > 50) {
			yj_field_error(errors, p->name, "不超过 50 个字");
			return;
		}
		if (p->op == P_NAME) {
			yj_reg_name_filter(q, s->k, "", v);
			return; /* the filter is the whole condition */
		}
		/* Names with a separator are not split (yj_fhir_split_name): they have no family or given. */
		yj_buf_puts(&c.sql, "name NOT LIKE '%\xC2\xB7%' AND name NOT LIKE '% %' AND ");
		char *pat = like_prefix(v);
		if (p->op == P_FAMILY) {
			yj_reg_name_filter(q, s->k, "", v); /* narrows through the bigram index */
			yj_buf_puts(&c.sql, "name LIKE ? ESCAPE '\\' AND ? <= ");
			famlen_sql(&c.sql, "name");
			c_text(&c, pat);
			c_int(&c, (int64_t)len);
		} else {
			yj_buf_puts(&c.sql, "substr(name, ");
			famlen_sql(&c.sql, "name");
			yj_buf_puts(&c.sql, " + 1) LIKE ? ESCAPE '\\'");
			c_text(&c, pat);
		}
		free(pat);
		break;
	}
	case P_INST_TYPE:
		for (int i = 0; i < n; i++) {
			char *system;
			const char *code = split_token(vals[i], &system);
			c_or(&c);
			if ((!system || !strcmp(system, YJ_FHIR_MCSD_TYPES)) && !strcmp(code, "facility")) {
				yj_buf_puts(&c.sql, "1=1"); /* every institution is an mCSD facility */
			} else if ((!system || !strcmp(system, YJ_FHIR_CS_INST_TYPE)) && yj_vocab_find(&yj_voc_institution_type, code) &&
				   !strcmp(yj_vocab_find(&yj_voc_institution_type, code)->code, code)) {
				yj_buf_printf(&c.sql, "%s = ?", p->column);
				c_text(&c, code);
			} else {
				yj_buf_puts(&c.sql, "1=0");
			}
		}
		break;
	case P_REF:
	case P_NONE_REF:
		for (int i = 0; i < n; i++) {
			int64_t id;
			int rc = parse_ref(vals[i], p->target, &id);
			if (rc < 0) {
				char d[120];
				snprintf(d, sizeof d, "应为 %s/id 形式的引用", p->target);
				yj_field_error(errors, p->name, d);
				return;
			}
			c_or(&c);
			if (rc == 0 || p->op == P_NONE_REF) {
				yj_buf_puts(&c.sql, "1=0");
			} else {
				yj_buf_printf(&c.sql, "%s = ?", p->column);
				c_int(&c, id);
			}
		}
		break;
	case P_STATUS:
		for (int i = 0; i < n; i++) {
			c_or(&c);
			if (!strcmp(vals[i], "active") || !strcmp(vals[i], "suspended")) {
				yj_buf_printf(&c.sql, "%s = ?", p->column);
				c_text(&c, vals[i]);
			} else if (!strcmp(vals[i], "inactive")) {
				yj_buf_printf(&c.sql, "%s IN ('revoked', 'closed')", p->column);
			} else {
				yj_field_error(errors, p->name, "应为 active、suspended 或 inactive");
				goto out;
			}
		}
		break;
	case P_ROLE:
	case P_SPECIALTY:
		for (int i = 0; i < n; i++) {
			char *system;
			const char *code = split_token(vals[i], &system);
			const yj_vocab *voc = p->op == P_ROLE ? &yj_voc_category : &yj_voc_practice_type;
			const char *ours = p->op == P_ROLE ? YJ_FHIR_CS_CATEGORY : YJ_FHIR_CS_PRACTICE_TYPE;
			const yj_vocab_entry *e = yj_vocab_find(voc, code);
			c_or(&c);
			yj_buf_puts(&c.sql, "(1=0");
			if ((!system || !strcmp(system, ours)) && e && !strcmp(e->code, code)) {
				yj_buf_printf(&c.sql, " OR %s = ?", p->column);
				c_text(&c, code);
			}
			if (p->op == P_ROLE && (!system || !strcmp(system, YJ_FHIR_HL7_ROLE)))
				for (size_t j = 0; j < yj_voc_category.n; j++) {
					const char *hl7 = yj_fhir_hl7_role(yj_voc_category.v[j].code);
					if (hl7 && !strcmp(hl7, code)) {
						yj_buf_printf(&c.sql, " OR %s = ?", p->column);
						c_text(&c, yj_voc_category.v[j].code);
					}
				}
			yj_buf_puts(&c.sql, ")");
		}
		break;
	case P_LASTUPDATED: {
		static const char *const prefixes[] = {"eq", "ne", "gt", "ge", "lt", "le", NULL};
		const char *pre = "eq", *dt = v;
		for (const char *const *x = prefixes; *x; x++)
			if (!strncmp(v, *x, 2)) {
				pre = *x;
				dt = v + 2;
			}
		int64_t lo, hi;
		if ((v[0] >= 'a' && v[0] <= 'z' && dt == v) || yj_instant_parse_range(dt, &lo, &hi) < 0) {
			yj_field_error(errors, p->name, "应为 FHIR 日期时间，可带 eq、ne、gt、ge、lt、le 前缀，如 ge2026-01-01T00:00:00+08:00");
			return;
		}
		const char *col = p->column;
		if (!strcmp(pre, "eq")) {
			yj_buf_printf(&c.sql, "%s >= ? AND %s < ?", col, col);
			c_int(&c, lo), c_int(&c, hi);
		} else if (!strcmp(pre, "ne")) {
			yj_buf_printf(&c.sql, "%s < ? OR %s >= ?", col, col);
			c_int(&c, lo), c_int(&c, hi);
		} else {
			yj_buf_printf(&c.sql, "%s %s ?", col, pre[0] == 'g' ? ">=" : "<");
			c_int(&c, !strcmp(pre, "gt") || !strcmp(pre, "le") ? hi : lo);
		}
		break;
	}
	}
	if (!c.sql.len)
		yj_buf_puts(&c.sql, "1=0"); /* no value could match */
out:
	c_apply(&c, q);
}

struct apply_arg {
	yj_qb *q;
	const source *s;
	const char *today;
	json_t *errors;
};

static int apply_cb(void *arg, const char *name, const char *value)
{
	struct apply_arg *a = arg;
	if (!strcmp(name, "_count") || !strcmp(name, "_cursor") || !strcmp(name, "_format") || !*value)
		return 0;
	for (const fparam *p = a->s->params; p->name; p++)
		if (!strcmp(p->name, name)) {
			apply_param(a->q, a->s, p, value, a->today, a->errors);
			return 0;
		}
	yj_field_error(a->errors, name, "不支持的查询参数");
	return 0;
}

/* ---- rows to resources ---- */

static char *district_of(store_conn *c, const char *region)
{
	if (!region || strlen(region) < 6)
		return NULL;
	char county[7];
	yj_region r;
	snprintf(county, sizeof county, "%.6s", region);
	return yj_region_get(c, county, &r) == ST_OK ? strdup(r.name) : NULL;
}

typedef struct item {
	json_t *res;
	int64_t id, ts, version;
} item;

static json_t *filing_json(store_stmt *st, json_t **prac)
{
	char fid[21], iid[21], pid[21];
	yj_id_format(store_col_int64(st, 0), fid);
	yj_id_format(store_col_int64(st, 1), iid);
	yj_id_format(store_col_int64(st, 5), pid);
	json_t *f = json_pack("{s:s, s:s, s:s, s:I}", "id", fid, "institution_id", iid, "start_date", store_col_text(st, 2),
			      "created_at", (json_int_t)store_col_int64(st, 4));
	json_object_set_new(f, "end_date", store_col_is_null(st, 3) ? json_null() : json_string(store_col_text(st, 3)));
	*prac = json_pack("{s:s, s:s, s:s, s:s, s:s}", "id", pid, "name", store_col_text(st, 6), "state",
			  store_col_text(st, 7), "category", store_col_text(st, 8), "practice_type", store_col_text(st, 9));
	return f;
}

static item row_item(store_conn *c, const source *s, store_stmt *st, const char *today, const yj_principal *who)
{
	item it = {NULL, 0, 0, 1};
	if (s->kind == S_ROLE_FILING) {
		json_t *prac, *f = filing_json(st, &prac);
		it.res = yj_fhir_role_filing(f, prac, today);
		it.id = store_col_int64(st, 0);
		it.ts = store_col_int64(st, 4);
		json_decref(f);
		json_decref(prac);
		return it;
	}
	json_t *rec = yj_reg_row(s->k, st);
	it.id = store_col_int64(st, 0);
	it.version = json_integer_value(json_object_get(rec, "version"));
	it.ts = json_integer_value(json_object_get(rec, "updated_at"));
	char *district = NULL;
	switch (s->kind) {
	case S_ORG:
	case S_LOC:
		district = district_of(c, json_string_value(json_object_get(rec, "region_code")));
		it.res = s->kind == S_ORG ? yj_fhir_organization(rec, district) : yj_fhir_location(rec, district);
		break;
	case S_PRAC:
		/* gender only to the roles that see sex (docs/security.md) */
		yj_pii_present(rec, who->role_bit);
		it.res = yj_fhir_practitioner(rec);
		break;
	default:
		it.res = yj_fhir_role_primary(rec);
	}
	free(district);
	json_decref(rec);
	return it;
}

static const char *select_columns(const source *s)
{
	return s->columns ? s->columns : yj_reg_columns(s->k);
}

/* ---- URLs ---- */

static void url_escape(yj_buf *b, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || strchr("-._~|:", *p))
			yj_buf_append(b, p, 1);
		else
			yj_buf_printf(b, "%%%02X", *p);
	}
}

/* <public-url>fhir/r4 from the configuration (serve --public-url). Never from the Host or
 * X-Forwarded-* headers: a client can forge those, and the links it got back (self, next,
 * fullUrl) would send the next request, with its bearer token, wherever it pointed. */
static char *base_url(yj_req *r)
{
	const char *pub = yj_config(r)->public_url;
	size_t n = strlen(pub);
	return yj_asprintf("%.*s/fhir/r4", (int)(n && pub[n - 1] == '/' ? n - 1 : n), pub);
}

struct link_arg {
	yj_buf *b;
	int n;
	int skip_cursor;
};

static int link_cb(void *arg, const char *name, const char *value)
{
	struct link_arg *l = arg;
	if (l->skip_cursor && !strcmp(name, "_cursor"))
		return 0;
	yj_buf_puts(l->b, l->n++ ? "&" : "?");
	url_escape(l->b, name);
	yj_buf_puts(l->b, "=");
	url_escape(l->b, value);
	return 0;
}

static char *page_url(yj_req *r, const char *base, const char *rest, const char *cursor)
{
	yj_buf b = YJ_BUF_INIT;
	yj_buf_printf(&b, "%s/%s", base, rest);
	struct link_arg l = {&b, 0, cursor != NULL};
	yj_query_each(r, link_cb, &l);
	if (cursor)
		yj_buf_printf(&b, "%s_cursor=%s", l.n ? "&" : "?", cursor);
	return yj_buf_detach(&b);
}

/* ---- replies ---- */

static int reply_fhir(yj_req *r, int status, json_t *body)
{
	char *s = json_dumps(body, JSON_COMPACT | JSON_REAL_PRECISION(12));
	json_decref(body);
	if (!s)
		return yj_reply_problem(r, 500, "internal", "服务器内部错误", "无法生成响应，请联系管理员。");
	return yj_reply_take(r, status, FHIR_JSON, s, strlen(s));
}

static int format_ok(yj_req *r)
{
	const char *f = yj_query(r, "_format");
	if (!f || !strcmp(f, "json") || !strcmp(f, "application/json") || !strcmp(f, "application/fhir+json"))
		return 1;
	yj_reply_problem_errors(r, 406, "not-acceptable", "不支持的格式", "本接口只提供 JSON 格式，请去掉 _format 参数或使用 _format=json。",
				yj_field_errors("_format", "仅支持 json"));
	return 0;
}

static int count_param(yj_req *r, int *count)
{
	const char *v = yj_query(r, "_count");
	*count = DEFAULT_COUNT;
	if (!v)
		return 0;
	char *end;
	long n = strtol(v, &end, 10);
	if (!*v || *end || n < 1 || n > MAX_COUNT) {
		yj_reply_problem_errors(r, 400, "validation", "参数错误", "_count 应为 1 到 200 之间的整数。",
					yj_field_errors("_count", "应为 1–200 的整数"));
		return -1;
	}
	*count = (int)n;
	return 0;
}

static int bad_cursor(yj_req *r)
{
	return yj_reply_problem_errors(r, 400, "validation", "参数错误", "_cursor 无效，请使用上一页 Bundle 中 next 链接的地址。",
				       yj_field_errors("_cursor", "无效的翻页游标"));
}

/* ---- search ---- */

static void free_items(item *its, int n)
{
	for (int i = 0; i < n; i++)
		json_decref(its[i].res);
}

static int search(yj_req *r, const ftype *ft)
{
	int count;
	if (!format_ok(r) || count_param(r, &count) < 0)
		return YJ_OK;
	int phase = 0;
	int64_t after = 0;
	const char *cur = yj_query(r, "_cursor");
	if (cur) {
		char back[48];
		long long a;
		if (sscanf(cur, "s%d.%lld", &phase, &a) != 2 || phase < 0 || phase >= ft->nsrc || a < 0)
			return bad_cursor(r);
		snprintf(back, sizeof back, "s%d.%lld", phase, a);
		if (strcmp(back, cur))
			return bad_cursor(r);
		after = a;
	}
	char today[11];
	yj_day_today(today);
	store_conn *c = store_conn_get(yj_store(r));
	item *its = calloc((size_t)count + 1, sizeof *its);
	int n = 0, rc = ST_OK;
	int last_phase[MAX_COUNT + 1];
	json_t *errors = json_array();
	for (int si = phase; si < ft->nsrc && n <= count; si++) {
		const source *s = ft->src[si];
		yj_qb *q = yj_q_select(&s->t, select_columns(s), &yj_who(r)->scope);
		struct apply_arg a = {q, s, today, errors};
		yj_query_each(r, apply_cb, &a);
		if (json_array_size(errors)) {
			yj_q_free(q);
			break;
		}
		char cond_sql[64], tail[64];
		snprintf(cond_sql, sizeof cond_sql, "%s > ?", s->id_col);
		yj_q_where(q, cond_sql);
		yj_q_int(q, si == phase ? after : 0);
		snprintf(tail, sizeof tail, "ORDER BY %s LIMIT ?", s->id_col);
		yj_q_tail(q, tail);
		yj_q_int(q, count + 1 - n);
		store_stmt *st = yj_q_prepare(q, c);
		if (!st) {
			rc = ST_ERR;
			break;
		}
		while (n <= count && (rc = store_step(st)) == ST_ROW) {
			last_phase[n] = si;
			its[n++] = row_item(c, s, st, today, yj_who(r));
		}
		store_finalize(st);
		if (rc < 0)
			break;
	}
	if (json_array_size(errors)) {
		free_items(its, n);
		free(its);
		return yj_reply_problem_errors(r, 400, "validation", "查询参数有误", "请按提示修正查询参数后重试。", errors);
	}
	json_decref(errors);
	if (rc < 0) {
		free_items(its, n);
		free(its);
		return yj_reply_store_error(r, rc);
	}
	char *base = base_url(r), *self = page_url(r, base, ft->name, NULL);
	json_t *links = json_pack("[{s:s, s:s}]", "relation", "self", "url", self);
	free(self);
	if (n > count) {
		char next[48];
		snprintf(next, sizeof next, "s%d.%lld", last_phase[count - 1], (long long)its[count - 1].id);
		char *u = page_url(r, base, ft->name, next);
		json_array_append_new(links, json_pack("{s:s, s:s}", "relation", "next", "url", u));
		free(u);
		json_decref(its[count].res);
		n = count;
	}
	json_t *entries = json_array();
	for (int i = 0; i < n; i++) {
		char *full = yj_asprintf("%s/%s/%s", base, ft->name, json_string_value(json_object_get(its[i].res, "id")));
		json_array_append_new(entries, json_pack("{s:s, s:o, s:{s:s}}", "fullUrl", full, "resource", its[i].res,
							 "search", "mode", "match"));
		free(full);
	}
	free(its);
	free(base);
	char now[YJ_INSTANT_LEN];
	yj_instant_format(yj_now_ms(), YJ_SHANGHAI_OFFSET_MIN, now);
	json_t *bundle = json_pack("{s:s, s:{s:s}, s:s, s:o}", "resourceType", "Bundle", "meta", "lastUpdated", now, "type",
				   "searchset", "link", links);
	if (json_array_size(entries))
		json_object_set_new(bundle, "entry", entries); /* FHIR JSON has no empty arrays */
	else
		json_decref(entries);
	return reply_fhir(r, 200, bundle);
}

/* ---- _history (ITI-91): the current version of every resource changed since, newest first ---- */

static int history(yj_req *r, const ftype *ft)
{
	int count;
	if (!format_ok(r) || count_param(r, &count) < 0)
		return YJ_OK;
	int64_t since = 0, hi;
	const char *sv = yj_query(r, "_since");
	if (sv && yj_instant_parse_range(sv, &since, &hi) < 0)
		return yj_reply_problem_errors(r, 400, "validation", "参数错误", "_since 应为 FHIR 时刻，如 2026-01-01T00:00:00+08:00。",
					       yj_field_errors("_since", "格式无效"));
	int phase = 0, have_cursor = 0;
	int64_t cts = 0, cid = 0;
	const char *cur = yj_query(r, "_cursor");
	if (cur) {
		char back[64];
		long long a, b;
		if (sscanf(cur, "h%d.%lld.%lld", &phase, &a, &b) != 3 || phase < 0 || phase >= ft->nsrc || a < 0 || b < 0)
			return bad_cursor(r);
		snprintf(back, sizeof back, "h%d.%lld.%lld", phase, a, b);
		if (strcmp(back, cur))
			return bad_cursor(r);
		cts = a, cid = b, have_cursor = 1;
	}
	char today[11];
	yj_day_today(today);
	int64_t now_ms = yj_now_ms();
	store_conn *c = store_conn_get(yj_store(r));
	item *its = calloc((size_t)count + 1, sizeof *its);
	int last_phase[MAX_COUNT + 1];
	int n = 0, rc = ST_OK;
	for (int si = phase; si < ft->nsrc && n <= count; si++) {
		const source *s = ft->src[si];
		yj_qb *q = yj_q_select(&s->t, select_columns(s), &yj_who(r)->scope);
		char sql[160];
		snprintf(sql, sizeof sql, "%s >= ?", s->ts_col);
		yj_q_where(q, sql);
		yj_q_int(q, since);
		if (have_cursor && si == phase) {
			snprintf(sql, sizeof sql, "%s < ? OR (%s = ? AND %s < ?)", s->ts_col, s->ts_col, s->id_col);
			yj_q_where(q, sql);
			yj_q_int(q, cts), yj_q_int(q, cts), yj_q_int(q, cid);
		}
		snprintf(sql, sizeof sql, "ORDER BY %s DESC, %s DESC LIMIT ?", s->ts_col, s->id_col);
		yj_q_tail(q, sql);
		yj_q_int(q, count + 1 - n);
		store_stmt *st = yj_q_prepare(q, c);
		if (!st) {
			rc = ST_ERR;
			break;
		}
		while (n <= count && (rc = store_step(st)) == ST_ROW) {
			last_phase[n] = si;
			its[n++] = row_item(c, s, st, today, yj_who(r));
		}
		store_finalize(st);
		if (rc < 0)
			break;
	}
	if (rc < 0) {
		free_items(its, n);
		free(its);
		return yj_reply_store_error(r, rc);
	}
	char *base = base_url(r), *rest = yj_asprintf("%s/_history", ft->name), *self = page_url(r, base, rest, NULL);
	json_t *links = json_pack("[{s:s, s:s}]", "relation", "self", "url", self);
	free(self);
	if (n > count) {
		char next[64];
		snprintf(next, sizeof next, "h%d.%lld.%lld", last_phase[count - 1], (long long)its[count - 1].ts,
			 (long long)its[count - 1].id);
		char *u = page_url(r, base, rest, next);
		json_array_append_new(links, json_pack("{s:s, s:s}", "relation", "next", "url", u));
		free(u);
		json_decref(its[count].res);
		n = count;
	}
	free(rest);
	json_t *entries = json_array();
	for (int i = 0; i < n; i++) {
		const char *id = json_string_value(json_object_get(its[i].res, "id"));
		char *full = yj_asprintf("%s/%s/%s", base, ft->name, id), *url = yj_asprintf("%s/%s", ft->name, id);
		char at[YJ_INSTANT_LEN], etag[32];
		yj_instant_format(its[i].ts, YJ_SHANGHAI_OFFSET_MIN, at);
		snprintf(etag, sizeof etag, "W/\"%lld\"", (long long)its[i].version);
		int created = its[i].version == 1;
		json_array_append_new(entries, json_pack("{s:s, s:o, s:{s:s, s:s}, s:{s:s, s:s, s:s}}", "fullUrl", full,
							 "resource", its[i].res, "request", "method", created ? "POST" : "PUT",
							 "url", created ? ft->name : url, "response", "status",
							 created ? "201 Created" : "200 OK", "lastModified", at, "etag", etag));
		free(full);
		free(url);
	}
	free(its);
	free(base);
	char now[YJ_INSTANT_LEN];
	yj_instant_format(now_ms, YJ_SHANGHAI_OFFSET_MIN, now);
	/* meta.lastUpdated is when this answer was read: the _since of the client's next sync. */
	json_t *bundle = json_pack("{s:s, s:{s:s}, s:s, s:o}", "resourceType", "Bundle", "meta", "lastUpdated", now, "type",
				   "history", "link", links);
	if (json_array_size(entries))
		json_object_set_new(bundle, "entry", entries);
	else
		json_decref(entries);
	return reply_fhir(r, 200, bundle);
}

/* ---- read ---- */

static int not_found(yj_req *r, const char *type)
{
	char d[200];
	snprintf(d, sizeof d, "找不到该 %s 资源，或它不在您的管辖范围内；请核对资源 id。", type);
	return yj_reply_problem(r, 404, "not-found", "未找到", d);
}

static int read_one(yj_req *r, const ftype *ft)
{
	if (!format_ok(r))
		return YJ_OK;
	const char *idp = yj_param(r, "id");
	int si = 0;
	char idbuf[64];
	if (strlen(idp) >= sizeof idbuf)
		return not_found(r, ft->name);
	strcpy(idbuf, idp);
	if (ft->nsrc > 1) {
		si = -1;
		for (int i = 0; i < ft->nsrc; i++) {
			size_t sl = strlen(ft->src[i]->id_suffix), il = strlen(idbuf);
			if (il > sl && !strcmp(idbuf + il - sl, ft->src[i]->id_suffix)) {
				idbuf[il - sl] = '\0';
				si = i;
				break;
			}
		}
	}
	int64_t id;
	if (si < 0 || yj_id_parse(idbuf, &id) < 0)
		return not_found(r, ft->name);
	const source *s = ft->src[si];
	char today[11];
	yj_day_today(today);
	store_conn *c = store_conn_get(yj_store(r));
	yj_qb *q = yj_q_select(&s->t, select_columns(s), &yj_who(r)->scope);
	char sql[64];
	snprintf(sql, sizeof sql, "%s = ?", s->id_col);
	yj_q_where(q, sql);
	yj_q_int(q, id);
	store_stmt *st = yj_q_prepare(q, c);
	if (!st)
		return yj_reply_store_error(r, ST_ERR);
	int rc = store_step(st);
	item it = {NULL, 0, 0, 0};
	if (rc == ST_ROW)
		it = row_item(c, s, st, today, yj_who(r));
	store_finalize(st);
	if (rc == ST_DONE)
		return not_found(r, ft->name);
	if (rc < 0)
		return yj_reply_store_error(r, rc);
	char etag[32];
	snprintf(etag, sizeof etag, "W/\"%lld\"", (long long)it.version);
	yj_add_header(r, "ETag", etag);
	return reply_fhir(r, 200, it.res);
}

/* ---- CapabilityStatement ---- */

static int metadata(yj_req *r)
{
	if (!format_ok(r))
		return YJ_OK;
	char now[YJ_INSTANT_LEN];
	yj_instant_format(yj_now_ms(), YJ_SHANGHAI_OFFSET_MIN, now);
	json_t *resources = json_array();
	for (size_t i = 0; i < NTYPES; i++) {
		json_t *sp = json_array();
		for (const fparam *p = types[i].src[0]->params; p->name; p++)
			json_array_append_new(sp, json_pack("{s:s, s:s, s:s}", "name", p->name, "type", p->type, "documentation",
							    p->doc));
		char prof[160];
		snprintf(prof, sizeof prof, "https://profiles.ihe.net/ITI/mCSD/StructureDefinition/IHE.mCSD.%s", types[i].profile);
		json_array_append_new(resources, json_pack("{s:s, s:[s], s:[{s:s}, {s:s}, {s:s}], s:s, s:b, s:o}", "type",
							   types[i].name, "supportedProfile", prof, "interaction", "code", "read",
							   "code", "search-type", "code", "history-type", "versioning",
							   "versioned", "readHistory", 0, "searchParam", sp));
	}
	json_t *cs = json_pack(
		"{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:{s:s, s:s}, s:s, s:[s], s:[s], s:[{s:s, s:s, s:{s:b, s:s}, s:o}]}",
		"resourceType", "CapabilityStatement", "status", "active", "date", now, "publisher", "yijian 医监", "kind",
		"instance", "description", "医监主体库的 FHIR R4 接口（IHE mCSD 目录服务：机构、场所、医务人员、执业角色），只读。",
		"fhirVersion", "4.0.1", "implementation", "description", "yijian FHIR R4 (IHE mCSD Care Services Selective Supplier)",
		"url", "/fhir/r4", "name", "yijian", "format", "json", "instantiates",
		"https://profiles.ihe.net/ITI/mCSD/CapabilityStatement/IHE.mCSD.Directory", "rest", "mode", "server",
		"documentation", "Search (ITI-90) and type history with _since (ITI-91); results respect the caller's territory.",
		"security", "cors", 0, "description",
		"Bearer token (yijian token create) or a console session cookie; every role may read, within its territory.",
		"resource", resources);
	return reply_fhir(r, 200, cs);
}

/* ---- routes ---- */

#define HANDLERS(T, i)                                                            \
	static int T##_search(yj_req *r) { return search(r, &types[i]); }        \
	static int T##_read(yj_req *r) { return read_one(r, &types[i]); }        \
	static int T##_history(yj_req *r) { return history(r, &types[i]); }
HANDLERS(org, 0)
HANDLERS(loc, 1)
HANDLERS(prac, 2)
HANDLERS(role, 3)

#define ROUTES(T, i, Name, what)                                                                                   \
	{"GET", "/fhir/r4/" Name "/_history", T##_history, ROLE_ANY, NULL, history_q, "fhir",                        \
	 "FHIR type history (IHE ITI-91): current versions of " what " changed since _since, newest first",          \
	 "Bundle (history)", 200},                                                                                  \
		{"GET", "/fhir/r4/" Name, T##_search, ROLE_ANY, NULL, types[i].search_q, "fhir",                     \
		 "FHIR search (IHE ITI-90) over " what " in the caller's territory", "Bundle (searchset)", 200},    \
		{"GET", "/fhir/r4/" Name "/{id}", T##_read, ROLE_ANY, NULL, read_q, "fhir", "FHIR read of one of " what, \
		 Name, 200}

const yj_route yj_fhir_routes[] = {
	{"GET", "/fhir/r4/metadata", metadata, ROLE_PUBLIC, NULL, read_q, "fhir",
	 "FHIR CapabilityStatement: resources, interactions and search parameters served", "CapabilityStatement", 200},
	ROUTES(org, 0, "Organization", "institutions (mCSD facility organisations)"),
	ROUTES(loc, 1, "Location", "institutions' sites (mCSD facility locations)"),
	ROUTES(prac, 2, "Practitioner", "practitioners (no resident ID number, no birth date)"),
	ROUTES(role, 3, "PractitionerRole", "practitioners' roles: primary institution and multi-institution filings"),
	{0},
};
