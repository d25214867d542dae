/* draw_input.c — the input snapshot of a draw (docs/draw.md, docs/inspection.md): from a plan, the
 * subject directory (检查对象名录库: active registry institutions of the plan's items' types inside
 * its territory) with each subject's integer weight, the factors that made it and its due flag; and
 * the inspectors of the plan's departments in or above the territory with their declared conflicts
 * and the subjects they inspected last time. What this builds is what the commitment hashes. */
#define _POSIX_C_SOURCE 200809L
#include "insp_draw.h"
#include "draw_bundle.h"
#include "../platform/pii/pii.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define YEAR_MS (365LL * 86400000LL)

json_t *insp_default_factors(void)
{
	return json_pack("{s:i, s:i, s:{s:i, s:i, s:i, s:i}, s:i, s:i, s:[s, s, s, s], s:i, s:i, s:i}",
			 "complaint_permille", 200, "complaint_cap", 10, "credit_grade_permille", "A", 0, "B", 250, "C", 1000,
			 "D", 2000, "violation_permille", 500, "violation_cap", 10, "high_risk_types", "aesthetic",
			 "blood_station", "tcm_wellness", "imaging_centre", "high_risk_permille", 500,
			 "per_year_since_inspection_permille", 200, "years_cap", 5);
}

/* Reads an integer factor in 0..max, else adds an error. */
static void factor_int(json_t *f, const char *k, int max, yj_refusal *errors)
{
	json_t *v = json_object_get(f, k);
	if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > max) {
		char msg[120];
		snprintf(msg, sizeof msg, "%s 应为 0 到 %d 的整数", k, max);
		yj_refusal_field(errors, "weight_factors", msg);
	}
}

json_t *insp_factors_merge(const json_t *given, yj_refusal *errors)
{
	json_t *f = insp_default_factors();
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)given, k, v) {
		if (!json_object_get(f, k)) {
			char msg[120];
			snprintf(msg, sizeof msg, "未知的权重因子 %s", k);
			yj_refusal_field(errors, "weight_factors", msg);
			continue;
		}
		if (!strcmp(k, "credit_grade_permille") && json_is_object(v))
			json_object_update_existing(json_object_get(f, k), v);
		else
			json_object_set(f, k, v);
	}
	static const char *const ints[] = {"complaint_permille", "violation_permille", "high_risk_permille",
					   "per_year_since_inspection_permille"};
	for (size_t i = 0; i < YJ_ARRAY_LEN(ints); i++)
		factor_int(f, ints[i], 100000, errors);
	factor_int(f, "complaint_cap", 100, errors);
	factor_int(f, "violation_cap", 100, errors);
	factor_int(f, "years_cap", 20, errors);
	json_t *g = json_object_get(f, "credit_grade_permille");
	if (!json_is_object(g) || json_object_size(g) != 4)
		yj_refusal_field(errors, "weight_factors", "credit_grade_permille 应为 {A, B, C, D} 各等次的加权（‰）");
	else
		json_object_foreach(g, k, v) if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 100000)
			yj_refusal_field(errors, "weight_factors", "credit_grade_permille 的值应为 0 到 100000 的整数");
	json_t *t = json_object_get(f, "high_risk_types");
	size_t i;
	if (!json_is_array(t))
		yj_refusal_field(errors, "weight_factors", "high_risk_types 应为机构类型代码数组");
	json_array_foreach(t, i, v) if (!json_is_string(v) || !yj_vocab_find(&yj_voc_institution_type, json_string_value(v))) {
		yj_refusal_field(errors, "weight_factors", "high_risk_types 含未知的机构类型代码");
		break;
	}
	return f;
}

/* ---- per-subject figures gathered from the store ---- */

typedef struct subj {
	int64_t id;
	char code[24];
	char *name;
	char type[32];
	char kind[16]; /* the registry kind: institution, public_place, … */
	char region[16];
	int64_t created_at;
	int64_t complaints;
	char grade[4];
	int64_t violations;
	int64_t last_inspected; /* epoch ms, 0: never */
	int64_t last_task;	/* the last completed task, 0: none */
	int64_t *last_team;	/* its team's user ids (owned) */
	size_t nlast_team;
} subj;

static int subj_cmp(const void *a, const void *b)
{
	int64_t x = ((const subj *)a)->id, y = ((const subj *)b)->id;
	return (x > y) - (x < y);
}

static subj *find(subj *s, size_t n, int64_t id)
{
	subj key = {.id = id};
	return bsearch(&key, s, n, sizeof *s, subj_cmp);
}

static void like_prefix(const char *region, char out[24])
{
	char p[16];
	yj_region_prefix(region, p);
	snprintf(out, 24, "%s%%", p);
}

typedef struct subj_list {
	subj *v;
	size_t n, cap;
} subj_list;

static int add_subject(void *ctx, const yj_subject_entry *e)
{
	subj_list *l = ctx;
	if (l->n == l->cap)
		l->v = yj_realloc(l->v, (l->cap = l->cap ? 2 * l->cap : 256) * sizeof *l->v);
	subj *s = &l->v[l->n++];
	memset(s, 0, sizeof *s);
	s->id = e->id;
	snprintf(s->code, sizeof s->code, "%s", e->credit_code);
	s->name = yj_strdup(e->name);
	snprintf(s->type, sizeof s->type, "%s", e->type);
	snprintf(s->kind, sizeof s->kind, "%s", e->kind ? e->kind : "institution");
	snprintf(s->region, sizeof s->region, "%s", e->region_code);
	s->created_at = e->created_at;
	return 0;
}

/* The registry's directory (registry.h), in ascending id: find() searches it. */
static int load_subjects(store_conn *c, const char *region, const json_t *types, subj **out, size_t *n)
{
	subj_list l = {NULL, 0, 0};
	int rc = yj_subject_directory(c, region, types, add_subject, &l);
	/* Institutions come first, then each other kind of subject the items name: one id order for find(). */
	if (l.n > 1)
		qsort(l.v, l.n, sizeof *l.v, subj_cmp);
	*out = l.v;
	*n = l.n;
	return rc;
}

/* Signals, past violations and last inspections of the subjects in the territory. */
static int load_history(store_conn *c, const char *region, subj *s, size_t n)
{
	char pat[24];
	like_prefix(region, pat);
	store_stmt *st = store_prepare(c, "SELECT subject_id, complaints, credit_grade FROM subject_signals WHERE region_code LIKE ?");
	if (!st)
		return ST_ERR;
	store_bind_text(st, 1, pat, -1);
	int rc;
	while ((rc = store_step(st)) == ST_ROW) {
		subj *x = find(s, n, store_col_int64(st, 0));
		if (x) {
			x->complaints = store_col_int64(st, 1);
			snprintf(x->grade, sizeof x->grade, "%s", store_col_text(st, 2));
		}
	}
	store_finalize(st);
	if (rc < 0)
		return rc;
	st = store_prepare(c, "SELECT subject_id, COUNT(*) FROM inspection_findings WHERE region_code LIKE ? GROUP BY subject_id");
	if (!st)
		return ST_ERR;
	store_bind_text(st, 1, pat, -1);
	while ((rc = store_step(st)) == ST_ROW) {
		subj *x = find(s, n, store_col_int64(st, 0));
		if (x)
			x->violations = store_col_int64(st, 1);
	}
	store_finalize(st);
	if (rc < 0)
		return rc;
	st = store_prepare(c, "SELECT subject_id, completed_at, id FROM inspection_tasks WHERE state = 'completed' AND"
			      " region_code LIKE ? ORDER BY subject_id, completed_at");
	if (!st)
		return ST_ERR;
	store_bind_text(st, 1, pat, -1);
	while ((rc = store_step(st)) == ST_ROW) {
		subj *x = find(s, n, store_col_int64(st, 0));
		if (x) { /* ascending: the last row per subject wins */
			x->last_inspected = store_col_int64(st, 1);
			x->last_task = store_col_int64(st, 2);
		}
	}
	store_finalize(st);
	if (rc < 0)
		return rc;
	/* The teams of those last tasks, in one statement. */
	st = store_prepare(c, "SELECT t.subject_id, m.task_id, m.user_id FROM inspection_task_members m JOIN inspection_tasks t"
			      " ON t.id = m.task_id WHERE t.state = 'completed' AND t.region_code LIKE ?");
	if (!st)
		return ST_ERR;
	store_bind_text(st, 1, pat, -1);
	while ((rc = store_step(st)) == ST_ROW) {
		subj *x = find(s, n, store_col_int64(st, 0));
		if (!x || x->last_task != store_col_int64(st, 1))
			continue;
		x->last_team = yj_realloc(x->last_team, (x->nlast_team + 1) * sizeof *x->last_team);
		x->last_team[x->nlast_team++] = store_col_int64(st, 2);
	}
	store_finalize(st);
	return rc < 0 ? rc : ST_OK;
}

static int64_t clamp(int64_t v, int64_t cap)
{
	return v < cap ? v : cap;
}

/* The subject's weight and the factors behind it. */
static json_t *weigh(const subj *s, const json_t *f, int64_t now, int64_t *weight)
{
	int64_t cp = json_integer_value(json_object_get(f, "complaint_permille"));
	int64_t nc = clamp(s->complaints, json_integer_value(json_object_get(f, "complaint_cap")));
	int64_t ga = s->grade[0] ? json_integer_value(json_object_get(json_object_get(f, "credit_grade_permille"), s->grade)) : 0;
	int64_t nv = clamp(s->violations, json_integer_value(json_object_get(f, "violation_cap")));
	int64_t vp = json_integer_value(json_object_get(f, "violation_permille"));
	int hr = 0;
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(f, "high_risk_types"), i, v) if (!strcmp(json_string_value(v), s->type)) hr = 1;
	int64_t ha = hr ? json_integer_value(json_object_get(f, "high_risk_permille")) : 0;
	int64_t cap = json_integer_value(json_object_get(f, "years_cap"));
	/* Never inspected counts as the cap: the longest time the factor rewards. */
	int64_t years = s->last_inspected ? clamp((now - s->last_inspected) / YEAR_MS, cap) : cap;
	int64_t ya = years * json_integer_value(json_object_get(f, "per_year_since_inspection_permille"));
	*weight = 1000 + nc * cp + ga + nv * vp + ha + ya;
	return json_pack("{s:i, s:{s:I, s:I}, s:{s:s?, s:I}, s:{s:I, s:I}, s:{s:b, s:I}, s:{s:I, s:I}}", "base", 1000,
			 "complaints", "n", (json_int_t)s->complaints, "add", (json_int_t)(nc * cp), "credit_grade", "grade",
			 s->grade[0] ? s->grade : NULL, "add", (json_int_t)ga, "violations", "n", (json_int_t)s->violations,
			 "add", (json_int_t)(nv * vp), "high_risk_type", "yes", hr, "add", (json_int_t)ha,
			 "years_since_inspection", "n", (json_int_t)years, "add", (json_int_t)ya);
}

/* Epoch ms of Shanghai midnight starting `day` shifted by -years (Feb 29 → Feb 28). */
static int64_t years_before(const char *day, int years)
{
	int64_t d = 0;
	int y, m, dd;
	yj_day_parse(day, &d);
	yj_civil_from_days(d, &y, &m, &dd);
	y -= years;
	if (!yj_date_valid(y, m, dd))
		dd = 28; /* 29 February of a common year */
	return yj_day_start_ms(yj_days_from_civil(y, m, dd), YJ_SHANGHAI_OFFSET_MIN);
}

/* ---- inspectors ---- */

void insp_pseudonym(int64_t user_id, char out[18])
{
	/* A keyed hash (the personal-data hashing key, kept outside the database) under its own label,
	 * so the same inspector has the same pseudonym in every draw and no one without the key can
	 * go back to the user id or test a guess. 64 bits: collisions are out of reach for any roster. */
	char msg[64], h[65];
	snprintf(msg, sizeof msg, "yijian-draw-inspector-v1:%lld", (long long)user_id);
	yj_pii_hash(msg, h);
	snprintf(out, 18, "p%.16s", h);
}

typedef struct insp {
	int64_t id;
	char region[16];
	char prefix[16];
	json_t *obj;
	int64_t *excluded; /* subject ids: declared conflicts and last time's subjects together */
	size_t nexcluded, cap;
} insp;

static int in_or_above(const char *ins, const char *territory)
{
	char a[16], b[16];
	yj_region_prefix(ins, a);
	yj_region_prefix(territory, b);
	return !strncmp(b, a, strlen(a)) || !strncmp(a, b, strlen(b));
}

static insp *insp_find(insp *v, size_t n, int64_t id)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].id == id)
			return &v[i];
	return NULL;
}

/* Excludes subject y for inspector x — only when x covers y: an exclusion outside the inspector's
 * territory changes nothing in the draw, and the bundle publishes no more than the draw needs. */
static void exclude(insp *x, const subj *y)
{
	if (strncmp(y->region, x->prefix, strlen(x->prefix)) != 0)
		return;
	if (x->nexcluded == x->cap)
		x->excluded = yj_realloc(x->excluded, (x->cap = x->cap ? 2 * x->cap : 8) * sizeof *x->excluded);
	x->excluded[x->nexcluded++] = y->id;
}

static int i64_cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* The inspector's exclusions as ascending, distinct subject id strings (new reference). */
static json_t *excluded_json(insp *x)
{
	json_t *out = json_array();
	if (x->nexcluded) /* excluded is NULL until the first exclusion */
		qsort(x->excluded, x->nexcluded, sizeof *x->excluded, i64_cmp);
	for (size_t k = 0; k < x->nexcluded; k++)
		if (!k || x->excluded[k] != x->excluded[k - 1])
			json_array_append_new(out, yj_json_id(x->excluded[k]));
	return out;
}

/* Keeps the inspectors whose user account is enabled (auth says which, in one statement per 500). */
static int roster_enabled(store_conn *c, insp *in, size_t *n)
{
	int64_t *ids = yj_malloc((*n ? *n : 1) * sizeof *ids);
	for (size_t i = 0; i < *n; i++)
		ids[i] = in[i].id;
	json_t *on = json_object();
	int rc = yj_user_names(c, ids, *n, 1, on);
	free(ids);
	size_t k = 0;
	for (size_t i = 0; rc >= 0 && i < *n; i++) {
		char key[21];
		yj_id_format(in[i].id, key);
		if (json_object_get(on, key))
			in[k++] = in[i];
		else
			json_decref(in[i].obj);
	}
	if (rc >= 0)
		*n = k;
	json_decref(on);
	return rc < 0 ? rc : ST_OK;
}

/* The inspectors of the plan's departments in or above its territory, as pseudonyms with their
 * department and territory: names, certificate numbers and user ids stay out of the bundle. */
static int load_roster(store_conn *c, const json_t *plan, insp **out, size_t *n)
{
	const json_t *depts = json_object_get(plan, "departments");
	const char *territory = json_string_value(json_object_get(plan, "region_code"));
	yj_buf sql = YJ_BUF_INIT;
	yj_buf_puts(&sql, "SELECT user_id, department, region_code FROM inspectors WHERE active = 1 AND department IN (''");
	for (size_t i = 0; i < json_array_size(depts); i++)
		yj_buf_puts(&sql, ", ?");
	yj_buf_puts(&sql, ") ORDER BY user_id");
	store_stmt *st = store_prepare(c, sql.data);
	yj_buf_free(&sql);
	if (!st)
		return ST_ERR;
	for (size_t i = 0; i < json_array_size(depts); i++)
		store_bind_text(st, (int)i + 1, json_string_value(json_array_get(depts, i)), -1);
	int rc;
	size_t cap = 0;
	*out = NULL;
	*n = 0;
	while ((rc = store_step(st)) == ST_ROW) {
		if (!in_or_above(store_col_text(st, 2), territory))
			continue;
		if (*n == cap)
			*out = yj_realloc(*out, (cap = cap ? 2 * cap : 64) * sizeof **out);
		insp *x = &(*out)[(*n)++];
		memset(x, 0, sizeof *x);
		x->id = store_col_int64(st, 0);
		snprintf(x->region, sizeof x->region, "%s", store_col_text(st, 2));
		yj_region_prefix(x->region, x->prefix);
		char pseudonym[18];
		insp_pseudonym(x->id, pseudonym);
		x->obj = json_pack("{s:s, s:o, s:o}", "id", pseudonym, "department", insp_text(st, 1), "region_code",
				   insp_text(st, 2));
	}
	store_finalize(st);
	return rc < 0 ? rc : roster_enabled(c, *out, n);
}

static int load_inspectors(store_conn *c, const json_t *plan, subj *s, size_t ns, int64_t now, insp **out, size_t *n)
{
	int rc = load_roster(c, plan, out, n);
	if (rc < 0)
		return rc;
	/* Declared conflicts: relatives always; former workplaces within conflict_years of the draw. */
	char today[11];
	yj_day_of_ms(now, today);
	int64_t since = years_before(today, (int)json_integer_value(json_object_get(plan, "conflict_years")));
	char since_day[11];
	yj_day_of_ms(since, since_day);
	store_stmt *st = store_prepare(c, "SELECT user_id, institution_id, kind, end_date FROM inspector_conflicts");
	if (!st)
		return ST_ERR;
	while ((rc = store_step(st)) == ST_ROW) {
		insp *x = insp_find(*out, *n, store_col_int64(st, 0));
		subj *y = find(s, ns, store_col_int64(st, 1));
		const char *end = store_col_text(st, 3);
		if (!x || !y)
			continue;
		if (!strcmp(store_col_text(st, 2), "worked") && end && strcmp(end, since_day) < 0)
			continue;
		exclude(x, y);
	}
	store_finalize(st);
	if (rc < 0)
		return rc;
	/* Previous: the team of each subject's last completed inspection. */
	for (size_t i = 0; i < ns; i++)
		for (size_t k = 0; k < s[i].nlast_team; k++) {
			insp *x = insp_find(*out, *n, s[i].last_team[k]);
			if (x)
				exclude(x, &s[i]);
		}
	return ST_OK;
}

int insp_draw_input(store_conn *c, const json_t *plan, const json_t *types, int64_t now, json_t **input, yj_refusal *ref)
{
	*input = NULL;
	subj *s = NULL;
	insp *in = NULL;
	size_t ns = 0, ni = 0;
	const char *territory = json_string_value(json_object_get(plan, "region_code"));
	int rc = load_subjects(c, territory, types, &s, &ns);
	if (rc == ST_OK)
		rc = load_history(c, territory, s, ns);
	if (rc == ST_OK)
		rc = load_inspectors(c, plan, s, ns, now, &in, &ni);
	if (rc < 0)
		goto done;
	if (!ns) {
		rc = yj_refuse(ref, 422, "draw-impossible", "计划无法抽取，未作承诺",
			       "计划区域内没有符合抽查事项对象类型的在营检查对象，无法抽取：请检查计划的区域和抽查事项。");
		goto done;
	}
	const json_t *f = json_object_get(plan, "weight_factors");
	int64_t due_before = years_before(json_string_value(json_object_get(plan, "end_date")),
					  (int)json_integer_value(json_object_get(plan, "coverage_years")));
	json_t *subjects = json_array();
	for (size_t i = 0; i < ns; i++) {
		int64_t w;
		json_t *wf = weigh(&s[i], f, now, &w);
		char last[11] = "";
		if (s[i].last_inspected)
			yj_day_of_ms(s[i].last_inspected, last);
		/* Due: neither inspected nor registered within the coverage period counted back from the plan's end. */
		int64_t since = s[i].last_inspected ? s[i].last_inspected : s[i].created_at;
		char sid[21];
		yj_id_format(s[i].id, sid);
		json_array_append_new(subjects, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:b, s:o, s:s?}", "id", sid,
							  "kind", s[i].kind, "credit_code", s[i].code, "name", s[i].name, "type", s[i].type,
							  "region_code", s[i].region, "weight", (json_int_t)w, "due",
							  since < due_before, "weight_factors", wf, "last_inspected",
							  last[0] ? last : NULL));
	}
	json_t *inspectors = json_array();
	for (size_t i = 0; i < ni; i++) {
		json_object_set_new(in[i].obj, "excluded", excluded_json(&in[i]));
		json_array_append(inspectors, in[i].obj);
	}
	int64_t count = (json_integer_value(json_object_get(plan, "ratio_permille")) * (int64_t)ns + 999) / 1000;
	json_t *p = json_pack("{s:O, s:O, s:I, s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:O}", "id",
			      json_object_get(plan, "id"), "name", json_object_get(plan, "name"), "count",
			      (json_int_t)(count < 1 ? 1 : count), "credit_share_permille",
			      json_object_get(plan, "credit_share_permille"), "team_size", json_object_get(plan, "team_size"),
			      "departments", json_object_get(plan, "departments"), "territory", json_object_get(plan, "region_code"),
			      "ratio_permille", json_object_get(plan, "ratio_permille"), "coverage_years",
			      json_object_get(plan, "coverage_years"), "conflict_years", json_object_get(plan, "conflict_years"),
			      "items", json_object_get(plan, "item_ids"), "start_date", json_object_get(plan, "start_date"),
			      "end_date", json_object_get(plan, "end_date"), "weight_factors", f);
	char today[11];
	yj_day_of_ms(now, today);
	json_object_set_new(p, "as_of", json_string(today));
	*input = json_pack("{s:s, s:o, s:o, s:o}", "format", YJ_DRAW_FORMAT, "plan", p, "subjects", subjects, "inspectors",
			   inspectors);
	char *why = NULL;
	if (yj_draw_precheck(*input, &why) < 0) {
		json_decref(*input);
		*input = NULL;
		rc = yj_refuse(ref, 422, "draw-impossible", "计划无法抽取，未作承诺", "%s", why ? why : "抽取条件无法满足。");
	}
	free(why);
done:
	for (size_t i = 0; i < ns; i++) {
		free(s[i].name);
		free(s[i].last_team);
	}
	free(s);
	for (size_t i = 0; i < ni; i++) {
		json_decref(in[i].obj);
		free(in[i].excluded);
	}
	free(in);
	return rc;
}
