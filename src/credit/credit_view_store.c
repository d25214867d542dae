/* credit_view_store.c — credit read back: a subject's whole credit file (grade with contributions,
 * points by cycle, records, consequences, list entries) and the joint-punishment check, which
 * answers only the restrictions in force for one decision. */
#define _POSIX_C_SOURCE 200809L
#include "credit_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *col_text(store_stmt *st, int i)
{
	const char *v = store_col_text(st, i);
	return v ? json_string(v) : json_null();
}

/* The rows of st as objects keyed by names (one per column; a name starting with '#' is an
 * integer, '$' an id sent as a string). Finalizes st. */
static int rows_json(store_stmt *st, const char *const *names, json_t **out)
{
	*out = NULL;
	if (!st)
		return ST_ERR;
	json_t *arr = json_array();
	int rc;
	while ((rc = store_step(st)) == ST_ROW) {
		json_t *o = json_object();
		for (int i = 0; names[i]; i++) {
			const char *n = names[i];
			if (n[0] == '#')
				json_object_set_new(o, n + 1, store_col_is_null(st, i) ? json_null() : json_integer(store_col_int64(st, i)));
			else if (n[0] == '$')
				json_object_set_new(o, n + 1, yj_json_id(store_col_int64(st, i)));
			else
				json_object_set_new(o, n, col_text(st, i));
		}
		json_array_append_new(arr, o);
	}
	store_finalize(st);
	if (rc < 0) {
		json_decref(arr);
		return rc;
	}
	*out = arr;
	return ST_OK;
}

int credit_subject_json(store_conn *c, const credit_subject *s, const char *today, json_t **out)
{
	*out = NULL;
	json_t *o = json_pack("{s:s, s:o, s:s, s:s, s:s}", "subject_kind", s->kind, "subject_id", yj_json_id(s->id), "name",
			      s->name, "code", s->code, "region_code", s->region);
	json_t *v = NULL;
	static const char *const grade_cols[] = {"#score", "grade", "#model_version", "contributions", "evaluated_on", NULL};
	int rc = rows_json(credit_prep(c, "SELECT score, grade, model_version, contributions, evaluated_on FROM credit_grades"
					  " WHERE subject_kind = ? AND subject_id = ?", "ti", s->kind, s->id), grade_cols, &v);
	if (rc < 0)
		goto fail;
	json_t *g = json_array_get(v, 0);
	if (g) {
		/* Stored as counts: the values, names and sources come from the grade's model version. */
		credit_indicator ind[32];
		size_t n = 0;
		if ((rc = credit_indicators_load(c, (int)json_integer_value(json_object_get(g, "model_version")), ind, 32, &n)) < 0) {
			json_decref(v);
			goto fail;
		}
		json_t *contrib = credit_contributions_of(ind, n, json_string_value(json_object_get(g, "contributions")));
		json_object_set_new(g, "contributions", contrib ? contrib : json_array());
		json_object_set(o, "grade", g);
	} else {
		json_object_set_new(o, "grade", json_null());
	}
	json_decref(v);
	static const char *const hist_cols[] = {"grade", "#score", "#model_version", "evaluated_on", NULL};
	if ((rc = rows_json(credit_prep(c, "SELECT grade, score, model_version, evaluated_on FROM credit_grade_history WHERE"
					   " subject_kind = ? AND subject_id = ? ORDER BY id", "ti", s->kind, s->id), hist_cols, &v)) < 0)
		goto fail;
	json_object_set_new(o, "grade_history", v);
	static const char *const pt_cols[] = {"$id", "rule_code", "behaviour", "clause", "#points", "#cycle_year", "occurred_on",
					      "source_type", "source_doc", "state", "appeal_due", "appeal_result", NULL};
	if ((rc = rows_json(credit_prep(c, "SELECT p.id, p.rule_code, r.behaviour, r.clause, p.points, p.cycle_year, p.occurred_on,"
					   " p.source_type, p.source_doc, p.state, p.appeal_due, p.appeal_result FROM credit_points p"
					   " JOIN credit_point_rules r ON r.code = p.rule_code WHERE p.subject_kind = ? AND"
					   " p.subject_id = ? ORDER BY p.occurred_on, p.id", "ti", s->kind, s->id), pt_cols, &v)) < 0)
		goto fail;
	/* Totals per natural year (the cycle resets on 1 January; earlier years stay as history). */
	json_t *totals = json_object();
	size_t i;
	json_t *p;
	json_array_foreach(v, i, p)
	{
		if (!strcmp(json_string_value(json_object_get(p, "state")), "void"))
			continue;
		char y[8];
		snprintf(y, sizeof y, "%d", (int)json_integer_value(json_object_get(p, "cycle_year")));
		json_int_t t = json_integer_value(json_object_get(totals, y)) + json_integer_value(json_object_get(p, "points"));
		json_object_set_new(totals, y, json_integer(t));
	}
	json_object_set_new(o, "points", v);
	json_object_set_new(o, "points_by_year", totals);
	char year[8];
	snprintf(year, sizeof year, "%.4s", today);
	json_object_set_new(o, "points_this_year", json_integer(json_integer_value(json_object_get(totals, year))));
	static const char *const rec_cols[] = {"$id", "category", "title", "source_type", "source_doc", "occurred_on",
					       "disclose_until", "#serious", "penalty_kinds", "#fine_fen", "state", "ended_on", NULL};
	if ((rc = rows_json(credit_prep(c, "SELECT id, category, title, source_type, source_doc, occurred_on, disclose_until,"
					   " serious, penalty_kinds, fine_fen, state, ended_on FROM credit_records WHERE"
					   " subject_kind = ? AND subject_id = ? ORDER BY occurred_on, id", "ti", s->kind, s->id),
			    rec_cols, &v)) < 0)
		goto fail;
	json_object_set_new(o, "records", v);
	static const char *const cq_cols[] = {"$id", "rule_code", "consequence", "label", "#cycle_year", "starts_on", "ends_on",
					      "state", "clause", NULL};
	if ((rc = rows_json(credit_prep(c, "SELECT q.id, q.rule_code, q.consequence, r.label, q.cycle_year, q.starts_on, q.ends_on,"
					   " CASE WHEN q.state = 'in_force' AND q.ends_on < ? THEN 'ended' ELSE q.state END,"
					   " r.clause FROM credit_consequences q JOIN credit_consequence_rules r ON r.code ="
					   " q.rule_code WHERE q.subject_kind = ? AND q.subject_id = ? ORDER BY q.starts_on, q.id",
					"tti", today, s->kind, s->id), cq_cols, &v)) < 0)
		goto fail;
	json_object_set_new(o, "consequences", v);
	static const char *const li_cols[] = {"$id", "list", "rule_code", "label", "entry_doc", "entered_on", "publish_until",
					      "exit_doc", "exited_on", "state", NULL};
	if ((rc = rows_json(credit_prep(c, "SELECT e.id, e.list, e.rule_code, r.label, e.entry_doc, e.entered_on,"
					   " e.publish_until, e.exit_doc, e.exited_on, e.state FROM credit_list_entries e JOIN"
					   " credit_list_rules r ON r.code = e.rule_code WHERE e.subject_kind = ? AND"
					   " e.subject_id = ? ORDER BY e.entered_on, e.id", "ti", s->kind, s->id), li_cols, &v)) < 0)
		goto fail;
	json_object_set_new(o, "lists", v);
	*out = o;
	return ST_OK;
fail:
	json_decref(o);
	return rc;
}

/* The restrictions of a decision on the subject whose id is SUBJ (a parameter, or the key's
 * lookup): each rule's condition is one question about the subject — a list entry in publication,
 * a grade at or below the rule's, a consequence in force — and each restriction says its rule, the
 * reason, the document that put it in force and its end. Columns: 1, code, reason, clause, source,
 * end, 0, 0, 0, 0 (the first row's shape, below). Parameters: decision, kind, today; decision, kind,
 * today, today; decision, kind — each subject_id = SUBJ in between. */
#define RESTRICTIONS(SUBJ) \
	" UNION ALL SELECT 1, l.code, l.reason, l.clause, e.entry_doc, e.publish_until, 0, 0, 0, 0 FROM credit_linkage_rules l" \
	" JOIN credit_list_entries e ON e.list = l.param AND e.subject_kind = l.subject_kind WHERE l.condition =" \
	" 'list' AND l.decision = ? AND l.subject_kind = ? AND e.subject_id = " SUBJ " AND e.state = 'listed' AND" \
	" e.publish_until >= ?" \
	" UNION ALL SELECT 1, l.code, l.reason, l.clause, q.rule_code || '（' || r.clause || '）', q.ends_on, 0, 0, 0, 0 FROM" \
	" credit_linkage_rules l JOIN credit_consequences q ON q.consequence = l.param AND q.subject_kind =" \
	" l.subject_kind JOIN credit_consequence_rules r ON r.code = q.rule_code WHERE l.condition =" \
	" 'consequence' AND l.decision = ? AND l.subject_kind = ? AND q.subject_id = " SUBJ " AND q.state = 'in_force'" \
	" AND q.starts_on <= ? AND q.ends_on >= ?" \
	" UNION ALL SELECT 1, l.code, l.reason, l.clause, '信用评价 ' || g.grade || ' 级（模型第' ||" \
	" CAST(g.model_version AS TEXT) || '版，' || g.evaluated_on || '）', '', 0, 0, 0, 0 FROM credit_linkage_rules l JOIN" \
	" credit_grades g ON g.subject_kind = l.subject_kind WHERE l.condition = 'grade_at_most' AND l.decision = ?" \
	" AND l.subject_kind = ? AND g.subject_id = " SUBJ " AND g.grade >= l.param" \
	" ORDER BY 1, 2"

/* Reads a check's rows: a first row (0, region, '', '', '', '', id, whether the decision exists for
 * the kind, the credential epochs or 0, 0), then the restrictions. No row: ST_NOTFOUND, s untouched;
 * a first row: s's id and (when region is set) region, *ep (when not NULL) the epochs, then
 * ST_NOTFOUND for an unknown decision or ST_OK with *out. */
static int check_rows(store_stmt *st, credit_subject *s, json_t **out, yj_auth_epochs *ep)
{
	if (!st)
		return ST_ERR;
	json_t *arr = json_array();
	int rc, first = 0, known = 0;
	while ((rc = store_step(st)) == ST_ROW) {
		if (store_col_int64(st, 0) == 0) {
			const char *region = store_col_text(st, 1);
			first = 1;
			known = store_col_int64(st, 7) > 0;
			s->id = store_col_int64(st, 6);
			if (ep) {
				ep->cred = store_col_int64(st, 8);
				ep->ref = store_col_int64(st, 9);
				ep->read = 1;
			}
			if (region && *region)
				snprintf(s->region, sizeof s->region, "%s", region);
			continue;
		}
		const char *ends = store_col_text(st, 5);
		json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s, s:o}", "rule", store_col_text(st, 1), "reason",
						     store_col_text(st, 2), "clause", store_col_text(st, 3), "source",
						     store_col_text(st, 4), "ends_on",
						     ends && *ends ? json_string(ends) : json_null()));
	}
	store_finalize(st);
	if (rc >= 0 && !(first && known))
		rc = ST_NOTFOUND;
	if (rc < 0) {
		json_decref(arr);
		return rc;
	}
	*out = arr;
	return ST_OK;
}

int credit_check(store_conn *c, const credit_subject *s, const char *decision, const char *today, json_t **restrictions)
{
	*restrictions = NULL;
	credit_subject t = *s;
	/* One statement: a first row when the decision exists for the subject's kind, then the restrictions. */
	return check_rows(credit_prep(c,
				      "SELECT 0, '', '', '', '', '', 0, 1, 0, 0 FROM credit_decisions WHERE code = ? AND subject_kind = ?"
				      RESTRICTIONS("?"),
				      "tt" "ttit" "ttitt" "tti", decision, s->kind, decision, s->kind, s->id, today,
				      decision, s->kind, s->id, today, today, decision, s->kind, s->id),
			  &t, restrictions, NULL);
}

int credit_check_subject(store_conn *c, const char *q, const char *decision, const char *today, credit_subject *s,
			 json_t **restrictions, yj_auth_epochs *ep)
{
	*restrictions = NULL;
	memset(s, 0, sizeof *s);
	if (ep)
		memset(ep, 0, sizeof *ep);
	if (!q || !*q || strlen(q) > 64)
		return ST_NOTFOUND;
	/* Per kind, the key's lookup and the check in one statement: the subject's row (none: not of
	 * this kind) saying whether the decision exists for the kind, then the restrictions. One
	 * snapshot for both, where the two statements it replaces read two; with ep, the caller's
	 * credential epochs in the same snapshot (yj_epoch: the platform's text, so this SQL names no
	 * platform table). */
	char *sql = yj_asprintf("%s%s SELECT 0, k.region_code, '', '', '', '', k.id, (SELECT COUNT(*) FROM credit_decisions"
				" WHERE code = ? AND subject_kind = ?), %s FROM yj_key k%s" RESTRICTIONS("(SELECT id FROM yj_key)"),
				ep ? ", " : "", ep ? yj_auth_epoch_cte() : "", ep ? "e.cred, e.ref" : "0, 0",
				ep ? ", yj_epoch e" : "");
	const reg_kind *order[YJ_NKINDS];
	size_t n = credit_key_kinds(order);
	for (size_t i = 0; i < n; i++) {
		snprintf(s->kind, sizeof s->kind, "%s", order[i]->type);
		int rc = check_rows(credit_prep_key(c, order[i], q, sql, "tt" "ttt" "tttt" "tt", decision, s->kind, decision,
						    s->kind, today, decision, s->kind, today, today, decision, s->kind),
				    s, restrictions, ep);
		if (rc != ST_NOTFOUND || s->id) {
			free(sql);
			return rc;
		}
	}
	free(sql);
	/* No kind holds q as its key: a registry id (as credit_subject_find reads one). */
	int64_t id;
	memset(s, 0, sizeof *s);
	if (yj_id_parse(q, &id) < 0)
		return ST_NOTFOUND;
	int rc = credit_subject_load(c, NULL, NULL, id, s);
	if (rc != ST_OK) {
		s->id = 0;
		return rc;
	}
	return credit_check(c, s, decision, today, restrictions);
}

/* The rule tables as data, each row an object of its columns as text. */
int credit_rules_json(store_conn *c, json_t **res)
{
	static const struct { const char *key, *sql; } q[] = {
		{"points", "SELECT code, subject_kind, behaviour, points_min, points_max, clause, source, match_code FROM"
			   " credit_point_rules ORDER BY code"},
		{"consequences", "SELECT code, subject_kind, threshold, consequence, label, months, clause FROM"
				 " credit_consequence_rules ORDER BY subject_kind, threshold, code"},
		{"models", "SELECT version, name, grade_a, grade_b, grade_c, active FROM credit_models ORDER BY version"},
		{"indicators", "SELECT model_version, code, name, weight, fn, per, source FROM credit_indicators ORDER BY"
			       " model_version, code"},
		{"lists", "SELECT code, list, subject_kind, condition, param, months, label, clause FROM credit_list_rules ORDER"
			  " BY code"},
		{"repair_periods", "SELECT penalty_kind, min_months, max_months, clause FROM credit_repair_periods ORDER BY"
				   " penalty_kind"},
		{"decisions", "SELECT code, label, subject_kind FROM credit_decisions ORDER BY code"},
		{"linkage", "SELECT code, subject_kind, condition, param, decision, reason, clause FROM credit_linkage_rules"
			    " ORDER BY code"},
	};
	json_t *out = json_object();
	for (size_t i = 0; i < sizeof q / sizeof q[0]; i++) {
		store_stmt *st = store_prepare(c, q[i].sql);
		if (!st) {
			json_decref(out);
			return ST_ERR;
		}
		/* The column names are the select list's own, read back from the SQL text. */
		char names[400], *save = NULL, *col[16];
		int n = 0;
		const char *from = strstr(q[i].sql, " FROM");
		snprintf(names, sizeof names, "%.*s", (int)(from - q[i].sql - 7), q[i].sql + 7);
		for (char *t = strtok_r(names, ", ", &save); t && n < 16; t = strtok_r(NULL, ", ", &save))
			col[n++] = t;
		json_t *arr = json_array();
		int rc;
		while ((rc = store_step(st)) == ST_ROW) {
			json_t *o = json_object();
			for (int j = 0; j < n; j++) {
				const char *v = store_col_text(st, j);
				json_object_set_new(o, col[j], v ? json_string(v) : json_null());
			}
			json_array_append_new(arr, o);
		}
		store_finalize(st);
		json_object_set_new(out, q[i].key, arr);
		if (rc < 0) {
			json_decref(out);
			return rc;
		}
	}
	*res = out;
	return ST_OK;
}
