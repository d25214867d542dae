/* fhir_search.c — the four resource types, their registry sources and search parameters, and the
 * mapping of each FHIR search parameter onto the registry's search (registry.h): one parameter is
 * one registry condition, its comma-separated values alternatives. No column is named here. */
#define _POSIX_C_SOURCE 200809L
#include "fhir_int.h"
#include "../base/id.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_VALUES 20 /* comma-separated values of one parameter */

static const fident inst_idents[] = {{YJ_FHIR_SID_USCC, YJ_RA_CREDIT_CODE}, {YJ_FHIR_SID_LICENCE, YJ_RA_LICENCE_NO}, {NULL, 0}};
static const fident prac_idents[] = {{YJ_FHIR_SID_CERT, YJ_RA_CERT_NO}, {NULL, 0}};

#define P_COMMON_ID {"_id", "token", P_ID, YJ_RA_ID, NULL, "Logical id; comma-separated ids are ORed"}
#define P_COMMON_LU {"_lastUpdated", "date", P_LASTUPDATED, 0, NULL, "meta.lastUpdated with eq, ne, gt, ge, lt or le; may repeat"}

static const fparam org_params[] = {
	P_COMMON_ID,
	{"active", "token", P_ACTIVE, 0, NULL, "true: state 正常执业; false: any other state"},
	{"identifier", "token", P_IDENT, 0, NULL, "[system|]value: unified social credit code or practice-licence number"},
	{"name", "string", P_NAME, 0, NULL, "Substring of the name (Chinese, one value)"},
	{"partof", "reference", P_NONE_REF, 0, "Organization", "Parent organisation: not recorded, so nothing matches"},
	{"type", "token", P_INST_TYPE, YJ_RA_INST_TYPE, NULL, "Institution type code, or the mCSD type facility"},
	P_COMMON_LU,
	{NULL, NULL, 0, 0, NULL, NULL},
};

static const fparam loc_params[] = {
	P_COMMON_ID,
	{"identifier", "token", P_IDENT, 0, NULL, "[system|]value: unified social credit code or practice-licence number"},
	{"name", "string", P_NAME, 0, NULL, "Substring of the name (Chinese, one value)"},
	{"organization", "reference", P_REF, YJ_RA_INSTITUTION, "Organization", "The managing Organization (same id)"},
	{"partof", "reference", P_NONE_REF, 0, "Location", "Parent location: not recorded, so nothing matches"},
	{"status", "token", P_STATUS, 0, NULL, "active, suspended or inactive (revoked or closed)"},
	{"type", "token", P_INST_TYPE, YJ_RA_INST_TYPE, NULL, "Institution type code, or the mCSD type facility"},
	P_COMMON_LU,
	{NULL, NULL, 0, 0, NULL, NULL},
};

static const fparam prac_params[] = {
	P_COMMON_ID,
	{"active", "token", P_ACTIVE, 0, NULL, "true: state 正常执业; false: any other state"},
	{"identifier", "token", P_IDENT, 0, NULL, "[system|]value: practice certificate number"},
	{"name", "string", P_NAME, 0, NULL, "Substring of the full name (one value)"},
	{"family", "string", P_FAMILY, 0, NULL, "Family name starts with (compound surnames are two characters)"},
	{"given", "string", P_GIVEN, 0, NULL, "Given name starts with"},
	P_COMMON_LU,
	{NULL, NULL, 0, 0, NULL, NULL},
};

/* PractitionerRole: the role at the primary institution over practitioners, and the roles of
 * filings; the same names over both (the registry maps the attributes per source). */
static const fparam role_params[] = {
	P_COMMON_ID,
	{"active", "token", P_ACTIVE, 0, NULL, "true: the practitioner is active (filings: also not ended)"},
	{"organization", "reference", P_REF, YJ_RA_INSTITUTION, "Organization", "Organization/id of the place of practice"},
	{"location", "reference", P_REF, YJ_RA_INSTITUTION, "Location", "Location/id of the place of practice"},
	{"practitioner", "reference", P_REF, YJ_RA_PRACTITIONER, "Practitioner", "Practitioner/id"},
	{"role", "token", P_ROLE, YJ_RA_CATEGORY, NULL, "Category code, or HL7 practitioner-role doctor, nurse, pharmacist"},
	{"specialty", "token", P_SPECIALTY, YJ_RA_PRACTICE_TYPE, NULL, "Practice category (执业类别) code"},
	P_COMMON_LU,
	{NULL, NULL, 0, 0, NULL, NULL},
};

static const source src_org = {S_ORG, YJ_SRC_INSTITUTIONS, NULL, inst_idents, org_params};
static const source src_loc = {S_LOC, YJ_SRC_INSTITUTIONS, NULL, inst_idents, loc_params};
static const source src_prac = {S_PRAC, YJ_SRC_PRACTITIONERS, NULL, prac_idents, prac_params};
static const source src_primary = {S_ROLE_PRIMARY, YJ_SRC_PRACTITIONERS, "-primary", NULL, role_params};
/* A filing is seen in the territory of the institution it was filed with (the registry's view). */
static const source src_filing = {S_ROLE_FILING, YJ_SRC_FILINGS, "-filing", NULL, role_params};

ftype yj_fhir_types[FHIR_NTYPES] = {
	{"Organization", "FacilityOrganization", {&src_org}, 1, {{0}}},
	{"Location", "FacilityLocation", {&src_loc}, 1, {{0}}},
	{"Practitioner", "Practitioner", {&src_prac}, 1, {{0}}},
	{"PractitionerRole", "PractitionerRole", {&src_primary, &src_filing}, 2, {{0}}},
};

__attribute__((constructor)) static void init_params(void)
{
	for (size_t i = 0; i < FHIR_NTYPES; i++) {
		ftype *t = &yj_fhir_types[i];
		size_t n = 0;
		for (const fparam *p = t->src[0]->params; p->name; p++)
			t->search_q[n++] = (yj_qparam){p->name, p->doc};
		t->search_q[n++] = (yj_qparam){"_count", "Page size 1–200 (default 20)"};
		t->search_q[n++] = (yj_qparam){"_cursor", "Opaque paging key from the next link"};
		t->search_q[n++] = (yj_qparam){"_format", "json or application/fhir+json"};
		t->search_q[n] = (yj_qparam){NULL, NULL};
	}
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

/* A code of voc exactly (not a label), under system ours or no system. */
static int our_code(const yj_vocab *voc, const char *system, const char *ours, const char *code)
{
	const yj_vocab_entry *e = yj_vocab_find(voc, code);
	return (!system || !strcmp(system, ours)) && e && !strcmp(e->code, code);
}

/* One value of a token or reference parameter: adds its alternatives to s. Returns 0, or -1 after
 * reporting a bad value in errors. */
static int value_alts(yj_reg_search *s, const source *src, const fparam *p, char *v, json_t *errors)
{
	char *system;
	const char *code;
	int64_t id;
	switch (p->op) {
	case P_ID: {
		size_t sl = src->id_suffix ? strlen(src->id_suffix) : 0, il = strlen(v);
		if (sl) {
			if (il <= sl || strcmp(v + il - sl, src->id_suffix) != 0)
				return 0;
			v[il - sl] = '\0';
		}
		if (yj_id_parse(v, &id) == 0)
			yj_reg_search_eq_id(s, p->attr, id);
		return 0;
	}
	case P_IDENT:
		code = split_token(v, &system);
		for (const fident *x = src->idents; x && x->system; x++) {
			if (system && strcmp(system, x->system))
				continue; /* "|value" (no system) matches none: ours always have one */
			if (*code)
				yj_reg_search_eq(s, x->attr, code);
			else
				yj_reg_search_present(s, x->attr);
		}
		return 0;
	case P_INST_TYPE:
		code = split_token(v, &system);
		if ((!system || !strcmp(system, YJ_FHIR_MCSD_TYPES)) && !strcmp(code, "facility"))
			yj_reg_search_any(s); /* every institution is an mCSD facility */
		else if (our_code(&yj_voc_institution_type, system, YJ_FHIR_CS_INST_TYPE, code))
			yj_reg_search_eq(s, p->attr, code);
		else
			yj_reg_search_none(s);
		return 0;
	case P_REF:
	case P_NONE_REF: {
		int rc = parse_ref(v, p->target, &id);
		if (rc < 0) {
			char d[120];
			snprintf(d, sizeof d, "应为 %s/id 形式的引用", p->target);
			yj_field_error(errors, p->name, d);
			return -1;
		}
		if (rc == 0 || p->op == P_NONE_REF)
			yj_reg_search_none(s);
		else
			yj_reg_search_eq_id(s, p->attr, id);
		return 0;
	}
	case P_STATUS:
		if (!strcmp(v, "active") || !strcmp(v, "suspended")) {
			yj_reg_search_eq(s, YJ_RA_STATE, v);
		} else if (!strcmp(v, "inactive")) {
			yj_reg_search_no_longer(s);
		} else {
			yj_field_error(errors, p->name, "应为 active、suspended 或 inactive");
			return -1;
		}
		return 0;
	case P_ROLE:
	case P_SPECIALTY: {
		code = split_token(v, &system);
		const yj_vocab *voc = p->op == P_ROLE ? &yj_voc_category : &yj_voc_practice_type;
		const char *ours = p->op == P_ROLE ? YJ_FHIR_CS_CATEGORY : YJ_FHIR_CS_PRACTICE_TYPE;
		yj_reg_search_none(s); /* a value naming no code matches nothing */
		if (our_code(voc, system, ours, code))
			yj_reg_search_eq(s, p->attr, code);
		if (p->op == P_ROLE && (!system || !strcmp(system, YJ_FHIR_HL7_ROLE)))
			for (size_t j = 0; j < yj_voc_category.n; j++) {
				const char *hl7 = yj_fhir_hl7_role(yj_voc_category.v[j].code);
				if (hl7 && !strcmp(hl7, code))
					yj_reg_search_eq(s, p->attr, yj_voc_category.v[j].code);
			}
		return 0;
	}
	default:
		return 0;
	}
}

/* _lastUpdated: [prefix]instant, the instant read as the range it names. */
static void last_updated(yj_reg_search *s, const fparam *p, const char *v, json_t *errors)
{
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
	if (!strcmp(pre, "eq"))
		yj_reg_search_changed(s, YJ_RS_IN, lo, hi);
	else if (!strcmp(pre, "ne"))
		yj_reg_search_changed(s, YJ_RS_OUT, lo, hi);
	else if (pre[0] == 'g')
		yj_reg_search_changed(s, YJ_RS_FROM, !strcmp(pre, "gt") ? hi : lo, 0);
	else
		yj_reg_search_changed(s, YJ_RS_BEFORE, !strcmp(pre, "le") ? hi : lo, 0);
}

/* Adds the condition of parameter p = v to s; reports bad values in errors. */
static void apply_param(yj_reg_search *s, const source *src, const fparam *p, const char *v, const char *today,
			json_t *errors)
{
	if (p->op == P_LASTUPDATED) {
		last_updated(s, p, v, errors);
		return;
	}
	if (p->op == P_NAME || p->op == P_FAMILY || p->op == P_GIVEN) {
		size_t len = yj_utf8_len(v, strlen(v));
		if (len > 50)
			yj_field_error(errors, p->name, "不超过 50 个字");
		else if (p->op == P_NAME)
			yj_reg_search_name(s, v);
		else if (p->op == P_FAMILY)
			yj_reg_search_family(s, v, len, yj_fhir_compound_surnames);
		else
			yj_reg_search_given(s, v, yj_fhir_compound_surnames);
		return;
	}
	char buf[1024], *vals[MAX_VALUES];
	int n = split_values(v, buf, sizeof buf, vals);
	if (n <= 0) {
		yj_field_error(errors, p->name, "取值过长或过多（最多 20 个，以逗号分隔）");
		return;
	}
	if (p->op == P_ACTIVE) {
		if (n != 1 || (strcmp(vals[0], "true") && strcmp(vals[0], "false")))
			yj_field_error(errors, p->name, "应为 true 或 false");
		else
			yj_reg_search_active(s, !strcmp(vals[0], "true"), today);
		return;
	}
	yj_reg_search_begin(s);
	for (int i = 0; i < n; i++)
		if (value_alts(s, src, p, vals[i], errors) < 0)
			break;
	yj_reg_search_end(s); /* no alternative: nothing matches */
}

struct apply_arg {
	yj_reg_search *s;
	const source *src;
	const char *today;
	json_t *errors;
};

static int apply_cb(void *arg, const char *name, const char *value)
{
	struct apply_arg *a = arg;
	if (!strcmp(name, "_count") || !strcmp(name, "_cursor") || !strcmp(name, "_format") || !*value)
		return 0;
	for (const fparam *p = a->src->params; p->name; p++)
		if (!strcmp(p->name, name)) {
			apply_param(a->s, a->src, p, value, a->today, a->errors);
			return 0;
		}
	yj_field_error(a->errors, name, "不支持的查询参数");
	return 0;
}

void fhir_apply_query(yj_req *r, yj_reg_search *s, const source *src, const char *today, json_t *errors)
{
	struct apply_arg a = {s, src, today, errors};
	yj_query_each(r, apply_cb, &a);
}
