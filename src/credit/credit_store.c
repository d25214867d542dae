/* credit_store.c — the credit module's SQL for points, consequences and records: a points entry
 * with its notice and the consequences its yearly total reaches, records with their disclosure
 * periods, the counts the evaluation model reads, and the subject lookup through the registry. */
#define _POSIX_C_SOURCE 200809L
#include "credit_int.h"
#include "../registry/registry.h"
#include "../registry/registry.h"
#include "../platform/calendar/calendar.h"
#include "../base/date.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SUBJ_COND "subject_kind = 'institution' AND subject_id IN ({S})"
const yj_table credit_points_t = {"credit_points", "region_code", NULL, SUBJ_COND};
const yj_table credit_records_t = {"credit_records", "region_code", NULL, SUBJ_COND};
const yj_table credit_grades_t = {"credit_grades", "region_code", NULL, SUBJ_COND};
const yj_table credit_lists_t = {"credit_list_entries", "region_code", NULL, SUBJ_COND};
const yj_table credit_repairs_t = {"credit_repairs", "region_code", NULL, SUBJ_COND};
const yj_table credit_consequences_t = {"credit_consequences", "region_code", NULL, SUBJ_COND};

/* Binds fmt's values ('i' an integer, else text, NULL as NULL) to parameters from, from + 1, … */
static store_stmt *vbind(store_stmt *st, int from, const char *fmt, va_list ap)
{
	if (!st)
		return NULL;
	for (int i = 0; fmt && fmt[i]; i++) {
		if (fmt[i] == 'i') {
			store_bind_int64(st, from + i, va_arg(ap, int64_t));
		} else {
			const char *v = va_arg(ap, const char *);
			if (v)
				store_bind_text(st, from + i, v, -1);
			else
				store_bind_null(st, from + i);
		}
	}
	return st;
}

static store_stmt *vprep(store_conn *c, const char *sql, const char *fmt, va_list ap)
{
	return vbind(store_prepare(c, sql), 1, fmt, ap);
}

store_stmt *credit_prep(store_conn *c, const char *sql, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	store_stmt *st = vprep(c, sql, fmt, ap);
	va_end(ap);
	return st;
}

store_stmt *credit_prep_key(store_conn *c, const reg_kind *k, const char *key, const char *sql, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	store_stmt *st = vbind(yj_reg_with_key(c, k, key, sql), 2, fmt, ap);
	va_end(ap);
	return st;
}

int credit_exec(store_conn *c, int64_t *changes, const char *sql, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	store_stmt *st = vprep(c, sql, fmt, ap);
	va_end(ap);
	if (!st)
		return ST_ERR;
	int rc = store_step(st);
	if (changes)
		*changes = store_changes(st);
	store_finalize(st);
	return rc < 0 ? rc : ST_OK;
}

/* ---- subjects, read through the registry's header ---- */

static void fill_subject(const char *kind, int64_t id, const json_t *rec, credit_subject *out)
{
	memset(out, 0, sizeof *out);
	snprintf(out->kind, sizeof out->kind, "%s", kind);
	out->id = id;
	const char *v;
	if ((v = json_string_value(json_object_get(rec, "region_code"))))
		snprintf(out->region, sizeof out->region, "%s", v);
	if ((v = json_string_value(json_object_get(rec, "name"))))
		snprintf(out->name, sizeof out->name, "%s", v);
	v = json_string_value(json_object_get(rec, strcmp(kind, "practitioner") ? "credit_code" : "certificate_no"));
	if (v)
		snprintf(out->code, sizeof out->code, "%s", v);
}

int credit_subject_load(store_conn *c, const yj_scope *sc, const char *kind, int64_t id, credit_subject *out)
{
	yj_scope all;
	if (!sc) {
		yj_scope_unrestricted(&all);
		sc = &all;
	}
	/* Every kind of the registry, institutions and practitioners first (ids are unique across kinds). */
	for (int i = 0; i < YJ_NKINDS; i++) {
		const reg_kind *k = yj_reg_kinds[i];
		if (kind && strcmp(kind, k->type))
			continue;
		json_t *rec = NULL;
		int rc = yj_reg_load(c, k, sc, id, &rec);
		if (rc == ST_OK) {
			fill_subject(k->type, id, rec, out);
			json_decref(rec);
			return ST_OK;
		}
		if (rc != ST_NOTFOUND)
			return rc;
	}
	return ST_NOTFOUND;
}

size_t credit_key_kinds(const reg_kind *order[YJ_NKINDS])
{
	order[0] = &yj_institution_kind;
	order[1] = &yj_practitioner_kind;
	order[2] = yj_reg_kinds[YJ_KIND_PHARMA_COMPANY];
	size_t n = 3;
	for (int i = YJ_KIND_FIRST_OTHER + 1; i < YJ_NKINDS; i++) /* the first other takes the company's place */
		order[n++] = yj_reg_kinds[i == YJ_KIND_PHARMA_COMPANY ? YJ_KIND_FIRST_OTHER : i];
	return n;
}

/* The kind holding natural key q, one indexed read each until one answers. *k NULL and
 * ST_NOTFOUND when none does. */
static int key_lookup(store_conn *c, const char *q, const reg_kind **k, int64_t *id, char region[16])
{
	int64_t ver;
	const reg_kind *order[YJ_NKINDS];
	size_t n = credit_key_kinds(order);
	*k = NULL;
	int rc = ST_NOTFOUND;
	for (size_t i = 0; rc == ST_NOTFOUND && i < n; i++)
		if ((rc = yj_reg_find_key(c, order[i], q, id, &ver, region)) == ST_OK)
			*k = order[i];
	return rc;
}

int credit_subject_find(store_conn *c, const char *q, credit_subject *out)
{
	if (!q || !*q || strlen(q) > 64)
		return ST_NOTFOUND;
	const reg_kind *k;
	int64_t id;
	char region[16];
	int rc = key_lookup(c, q, &k, &id, region);
	if (rc == ST_OK)
		return credit_subject_load(c, NULL, k->type, id, out);
	if (rc != ST_NOTFOUND || yj_id_parse(q, &id) < 0)
		return rc;
	return credit_subject_load(c, NULL, NULL, id, out);
}

/* ---- audit and events ---- */

/* Set while the subscriber handles an event (credit_events.c). What it writes is derived from the
 * event, which was appended with the audited change it announces; the event and its delivery
 * record are the trail, and a leaf of its own would land in the log at a moment unrelated to any
 * request (the authorization matrix checks that a refused request leaves the log as it was). */
_Thread_local int credit_deriving;

int credit_audit(store_conn *c, const char *actor, const char *action, const char *type, int64_t id,
		 const char *region, const json_t *state)
{
	if (credit_deriving)
		return ST_OK;
	char sid[21];
	yj_id_format(id, sid);
	yj_audit_event ev = {actor ? actor : "system", action, type, sid, region ? region : "", state};
	return yj_audit_append(c, &ev, NULL);
}

int credit_emit(store_conn *c, const char *actor, const char *type, const char *subject_type, const char *sid,
		const char *region, json_t *payload)
{
	int rc = yj_event_emit(c, &(yj_event){type, subject_type, sid, region ? region : "", actor, payload}, NULL);
	json_decref(payload);
	return rc;
}

/* ---- points ---- */

int credit_point_rule_match(store_conn *c, const char *kind, const char *source, const char *code, int serious,
			    char rule[32], int *points)
{
	/* An exact code wins over the wildcards; a serious decision takes "*serious" before "*". */
	store_stmt *st = credit_prep(c,
				     "SELECT code, points_min FROM credit_point_rules WHERE subject_kind = ? AND source = ?"
				     " AND (match_code = ? OR match_code = ? OR match_code = '*') ORDER BY CASE"
				     " WHEN match_code = ? THEN 0 WHEN match_code = '*serious' THEN 1 ELSE 2 END, code LIMIT 1",
				     "ttttt", kind, source, code ? code : "", serious ? "*serious" : "*", code ? code : "");
	if (!st)
		return ST_ERR;
	int rc = store_step(st);
	if (rc == ST_ROW) {
		snprintf(rule, 32, "%s", store_col_text(st, 0));
		*points = (int)store_col_int64(st, 1);
	}
	store_finalize(st);
	return rc == ST_ROW ? ST_OK : rc == ST_DONE ? ST_NOTFOUND : rc;
}

int yj_credit_points_add(store_conn *c, const yj_credit_points_in *in, int64_t *id)
{
	*id = 0;
	int year = credit_cycle_year(in->occurred_on);
	if (!credit_kind_ok(in->subject_kind) || !year || !in->source_doc || !*in->source_doc || !in->rule_code)
		return ST_ERR;
	store_stmt *st = credit_prep(c, "SELECT points_min, points_max, behaviour FROM credit_point_rules WHERE code = ?"
					" AND subject_kind = ?", "tt", in->rule_code, in->subject_kind);
	if (!st)
		return ST_ERR;
	int rc = store_step(st);
	int lo = 0, hi = 0;
	char behaviour[256] = "";
	if (rc == ST_ROW) {
		lo = (int)store_col_int64(st, 0);
		hi = (int)store_col_int64(st, 1);
		snprintf(behaviour, sizeof behaviour, "%s", store_col_text(st, 2));
	}
	store_finalize(st);
	if (rc != ST_ROW)
		return rc < 0 ? rc : ST_ERR;
	if (in->points < lo || in->points > hi)
		return ST_ERR;
	char today[11], due[11];
	yj_day_today(today);
	if ((rc = yj_workdays_add(c, today, CREDIT_APPEAL_WORKDAYS, due)) < 0)
		return rc;
	int64_t nid = yj_id_new(), changed = 0;
	rc = credit_exec(c, &changed,
			 "INSERT INTO credit_points (id, subject_kind, subject_id, region_code, rule_code, points, cycle_year,"
			 " occurred_on, source_type, source_id, source_doc, state, appeal_due, created_at, actor)"
			 " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'notified', ?, ?, ?)"
			 " ON CONFLICT (source_type, source_id, subject_kind, subject_id, rule_code) DO NOTHING",
			 "itittiitttttit", nid, in->subject_kind, in->subject_id, in->region_code, in->rule_code,
			 (int64_t)in->points, (int64_t)year, in->occurred_on, in->source_type, in->source_id, in->source_doc,
			 due, yj_now_ms(), in->actor ? in->actor : "system");
	if (rc < 0 || changed == 0)
		return rc; /* the same source scored once already */
	*id = nid;
	char sid[21], sbj[21];
	yj_id_format(nid, sid);
	yj_id_format(in->subject_id, sbj);
	json_t *state = json_pack("{s:s, s:s, s:s, s:i, s:s, s:s, s:s, s:s}", "subject_kind", in->subject_kind, "subject_id",
				  sbj, "rule_code", in->rule_code, "points", in->points, "occurred_on", in->occurred_on,
				  "source_type", in->source_type, "source_doc", in->source_doc, "appeal_due", due);
	rc = credit_audit(c, in->actor, "credit.points.add", "credit_points", nid, in->region_code, state);
	/* The notice (记分告知) is the event: whoever tells the subject subscribes to it. */
	if (rc >= 0)
		rc = credit_emit(c, in->actor, "credit.points_recorded", in->subject_kind, sbj, in->region_code,
				 json_pack("{s:s, s:s, s:s, s:s, s:i, s:i, s:s, s:s}", "points_id", sid, "subject_kind",
					   in->subject_kind, "subject_id", sbj, "rule_code", in->rule_code, "points",
					   in->points, "cycle_year", year, "occurred_on", in->occurred_on, "appeal_due", due));
	json_decref(state);
	if (rc < 0)
		return rc;
	char title[320];
	snprintf(title, sizeof title, "记%d分：%s", in->points, behaviour);
	char until[11];
	snprintf(until, sizeof until, "%04d-12-31", year);
	yj_credit_record_in rec = {in->subject_kind, in->subject_id, in->region_code, "points", title, "credit_points", sid,
				   in->source_doc, in->occurred_on, until, 0, "", 0, "health", in->actor};
	int64_t rid;
	if ((rc = yj_credit_record_put(c, &rec, &rid)) < 0)
		return rc;
	return credit_consequences_sync(c, in->subject_kind, in->subject_id, in->region_code, year, in->occurred_on);
}

int credit_points_void_source(store_conn *c, const char *source_type, const char *source_id, const char *keep,
			      const char *actor)
{
	store_stmt *st = credit_prep(c, "SELECT id, subject_kind, subject_id, region_code, cycle_year FROM credit_points"
					" WHERE source_type = ? AND source_id = ? AND state <> 'void' AND rule_code <> ?", "ttt",
				     source_type, source_id, keep ? keep : "");
	if (!st)
		return ST_ERR;
	struct { int64_t id, subject; char kind[16], region[16]; int year; } rows[16];
	int n = 0, rc;
	while (n < 16 && (rc = store_step(st)) == ST_ROW) {
		rows[n].id = store_col_int64(st, 0);
		snprintf(rows[n].kind, sizeof rows[n].kind, "%s", store_col_text(st, 1));
		rows[n].subject = store_col_int64(st, 2);
		snprintf(rows[n].region, sizeof rows[n].region, "%s", store_col_text(st, 3));
		rows[n].year = (int)store_col_int64(st, 4);
		n++;
	}
	store_finalize(st);
	if (rc < 0)
		return rc;
	char today[11];
	yj_day_today(today);
	for (int i = 0; i < n; i++) {
		char sid[21];
		yj_id_format(rows[i].id, sid);
		if ((rc = credit_exec(c, NULL, "UPDATE credit_points SET state = 'void' WHERE id = ?", "i", rows[i].id)) < 0 ||
		    (rc = credit_records_end_source(c, "credit_points", sid, "void", today)) < 0)
			return rc;
		json_t *state = json_pack("{s:s, s:s}", "state", "void", "source_id", source_id);
		rc = credit_audit(c, actor, "credit.points.void", "credit_points", rows[i].id, rows[i].region, state);
		json_decref(state);
		if (rc < 0 || (rc = credit_consequences_sync(c, rows[i].kind, rows[i].subject, rows[i].region, rows[i].year,
								 today)) < 0)
			return rc;
	}
	return ST_OK;
}

int credit_consequences_sync(store_conn *c, const char *kind, int64_t id, const char *region, int year,
			     const char *start_day)
{
	int64_t total = 0;
	store_stmt *st = credit_prep(c, "SELECT COALESCE(SUM(points), 0) FROM credit_points WHERE subject_kind = ? AND"
					" subject_id = ? AND cycle_year = ? AND state <> 'void'", "tii", kind, id, (int64_t)year);
	if (!st)
		return ST_ERR;
	int rc = store_step(st);
	if (rc == ST_ROW)
		total = store_col_int64(st, 0);
	store_finalize(st);
	if (rc < 0)
		return rc;
	st = credit_prep(c, "SELECT code, threshold, consequence, months FROM credit_consequence_rules WHERE subject_kind = ?"
			    " ORDER BY threshold, code", "t", kind);
	if (!st)
		return ST_ERR;
	struct { char code[32], what[40]; int64_t threshold, months; } rules[16];
	int n = 0;
	while (n < 16 && (rc = store_step(st)) == ST_ROW) {
		snprintf(rules[n].code, sizeof rules[n].code, "%s", store_col_text(st, 0));
		rules[n].threshold = store_col_int64(st, 1);
		snprintf(rules[n].what, sizeof rules[n].what, "%s", store_col_text(st, 2));
		rules[n].months = store_col_int64(st, 3);
		n++;
	}
	store_finalize(st);
	if (rc < 0)
		return rc;
	/* A consequence starts on the day its threshold is reached, in the cycle's year. */
	char start[11];
	snprintf(start, sizeof start, "%s", start_day && credit_cycle_year(start_day) == year ? start_day : "");
	if (!*start)
		snprintf(start, sizeof start, "%04d-01-01", year);
	for (int i = 0; i < n; i++) {
		int64_t changed = 0;
		if (total >= rules[i].threshold) {
			char end[11];
			if (rules[i].months > 0)
				credit_add_months(start, (int)rules[i].months, end);
			else
				snprintf(end, sizeof end, "%04d-12-31", year);
			int64_t cid = yj_id_new();
			rc = credit_exec(c, &changed,
					 "INSERT INTO credit_consequences (id, subject_kind, subject_id, region_code, rule_code,"
					 " consequence, cycle_year, starts_on, ends_on, state, created_at) VALUES (?, ?, ?, ?, ?, ?,"
					 " ?, ?, ?, 'in_force', ?) ON CONFLICT (subject_kind, subject_id, rule_code, cycle_year) DO"
					 " UPDATE SET state = 'in_force' WHERE credit_consequences.state = 'lifted'",
					 "ititttitti", cid, kind, id, region, rules[i].code, rules[i].what, (int64_t)year, start,
					 end, yj_now_ms());
			if (rc >= 0 && changed) {
				json_t *s = json_pack("{s:s, s:I, s:s, s:I, s:s, s:s}", "subject_kind", kind, "subject_id",
						      (json_int_t)id, "rule_code", rules[i].code, "points", (json_int_t)total,
						      "starts_on", start, "ends_on", end);
				rc = credit_audit(c, "system", "credit.consequence.start", "credit_consequence", cid, region, s);
				json_decref(s);
			}
		} else {
			rc = credit_exec(c, &changed,
					 "UPDATE credit_consequences SET state = 'lifted' WHERE subject_kind = ? AND subject_id = ?"
					 " AND rule_code = ? AND cycle_year = ? AND state = 'in_force'",
					 "titi", kind, id, rules[i].code, (int64_t)year);
			if (rc >= 0 && changed) {
				json_t *s = json_pack("{s:s, s:I, s:s, s:I}", "subject_kind", kind, "subject_id", (json_int_t)id,
						      "rule_code", rules[i].code, "points", (json_int_t)total);
				rc = credit_audit(c, "system", "credit.consequence.lift", "credit_consequence", id, region, s);
				json_decref(s);
			}
		}
		if (rc < 0)
			return rc;
	}
	return ST_OK;
}

/* ---- records ---- */

/* The disclosure period of a penalty: the longest maximum of its kinds (58号令). */
static int penalty_until(store_conn *c, const char *kinds, const char *from, char out[11])
{
	const char *names[16];
	int mins[16], maxs[16];
	char buf[16][32];
	size_t n = 0;
	store_stmt *st = credit_prep(c, "SELECT penalty_kind, min_months, max_months FROM credit_repair_periods", NULL);
	if (!st)
		return ST_ERR;
	int rc;
	while (n < 16 && (rc = store_step(st)) == ST_ROW) {
		snprintf(buf[n], sizeof buf[n], "%s", store_col_text(st, 0));
		names[n] = buf[n];
		mins[n] = (int)store_col_int64(st, 1);
		maxs[n] = (int)store_col_int64(st, 2);
		n++;
	}
	store_finalize(st);
	if (rc < 0)
		return rc;
	int lo, hi;
	credit_repair_months(kinds, names, mins, maxs, n, &lo, &hi);
	return credit_add_months(from, hi, out) < 0 ? ST_ERR : ST_OK;
}

int yj_credit_record_put(store_conn *c, const yj_credit_record_in *in, int64_t *id)
{
	*id = 0;
	if (!credit_kind_ok(in->subject_kind) || !credit_cycle_year(in->occurred_on) || !in->source_doc || !*in->source_doc)
		return ST_ERR;
	char until[11];
	if (in->disclose_until && credit_cycle_year(in->disclose_until))
		snprintf(until, sizeof until, "%s", in->disclose_until);
	else if (!strcmp(in->category, "penalty")) {
		int rc = penalty_until(c, in->penalty_kinds ? in->penalty_kinds : "", in->occurred_on, until);
		if (rc < 0)
			return rc;
	} else if (credit_add_months(in->occurred_on, 12, until) < 0)
		return ST_ERR;
	int64_t nid = yj_id_new();
	int rc = credit_exec(c, NULL,
			     "INSERT INTO credit_records (id, subject_kind, subject_id, region_code, category, title, source_type,"
			     " source_id, source_doc, occurred_on, disclose_until, serious, penalty_kinds, fine_fen, department,"
			     " state, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'active', ?)"
			     " ON CONFLICT (source_type, source_id, category, subject_kind, subject_id) DO UPDATE SET"
			     " title = excluded.title, source_doc = excluded.source_doc, occurred_on = excluded.occurred_on,"
			     " disclose_until = excluded.disclose_until, serious = excluded.serious,"
			     " penalty_kinds = excluded.penalty_kinds, fine_fen = excluded.fine_fen, state = 'active', ended_on = NULL",
			     "itittttttttititi", nid, in->subject_kind, in->subject_id, in->region_code, in->category, in->title,
			     in->source_type, in->source_id, in->source_doc, in->occurred_on, until, (int64_t)(in->serious != 0),
			     in->penalty_kinds ? in->penalty_kinds : "", in->fine_fen, in->department ? in->department : "health",
			     yj_now_ms());
	if (rc < 0)
		return rc;
	store_stmt *st = credit_prep(c, "SELECT id FROM credit_records WHERE source_type = ? AND source_id = ? AND category = ?"
					" AND subject_kind = ? AND subject_id = ?", "tttti", in->source_type, in->source_id,
				     in->category, in->subject_kind, in->subject_id);
	if (!st)
		return ST_ERR;
	if ((rc = store_step(st)) == ST_ROW)
		*id = store_col_int64(st, 0);
	store_finalize(st);
	if (rc != ST_ROW)
		return rc < 0 ? rc : ST_ERR;
	json_t *state = json_pack("{s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:b}", "subject_kind", in->subject_kind, "subject_id",
				  (json_int_t)in->subject_id, "category", in->category, "source_type", in->source_type,
				  "source_doc", in->source_doc, "occurred_on", in->occurred_on, "disclose_until", until,
				  "serious", in->serious != 0);
	rc = credit_audit(c, in->actor, "credit.record.put", "credit_record", *id, in->region_code, state);
	json_decref(state);
	return rc;
}

int credit_records_end_source(store_conn *c, const char *source_type, const char *source_id, const char *state,
			      const char *day)
{
	return credit_exec(c, NULL, "UPDATE credit_records SET state = ?, ended_on = ? WHERE source_type = ? AND source_id = ?"
				    " AND state = 'active'", "tttt", state, day, source_type, source_id);
}

/* ---- what the model reads ---- */

void credit_counts_add(credit_counts *k, const char *category, int serious, const char *occurred_on, const char *year_ago)
{
	if (!strcmp(category, "penalty")) {
		k->penalties++;
		k->serious += serious;
	} else if (!strcmp(category, "complaint")) {
		k->complaints += strcmp(occurred_on, year_ago) >= 0;
	} else if (!strcmp(category, "inspection")) {
		k->inspection++;
	} else if (!strcmp(category, "commendation")) {
		k->commendations++;
	}
}

int credit_counts_load(store_conn *c, const char *kind, int64_t id, const char *today, credit_counts *k)
{
	memset(k, 0, sizeof *k);
	char year_ago[11];
	if (credit_add_months(today, -12, year_ago) < 0)
		return ST_ERR;
	/* Only what is still disclosed counts: an expired or repaired record no longer weighs. */
	store_stmt *st = credit_prep(c, "SELECT category, serious, occurred_on FROM credit_records WHERE subject_kind = ?"
					" AND subject_id = ? AND state = 'active' AND disclose_until >= ?", "tit", kind, id, today);
	if (!st)
		return ST_ERR;
	int rc;
	while ((rc = store_step(st)) == ST_ROW)
		credit_counts_add(k, store_col_text(st, 0), store_col_int64(st, 1) != 0, store_col_text(st, 2), year_ago);
	store_finalize(st);
	if (rc < 0)
		return rc;
	st = credit_prep(c, "SELECT COALESCE(SUM(points), 0) FROM credit_points WHERE subject_kind = ? AND subject_id = ?"
			    " AND cycle_year = ? AND state <> 'void'", "tii", kind, id, (int64_t)credit_cycle_year(today));
	if (!st)
		return ST_ERR;
	if ((rc = store_step(st)) == ST_ROW)
		k->points = store_col_int64(st, 0);
	store_finalize(st);
	return rc < 0 ? rc : ST_OK;
}

int credit_grade_get(store_conn *c, const char *kind, int64_t id, char grade[2])
{
	store_stmt *st = credit_prep(c, "SELECT grade FROM credit_grades WHERE subject_kind = ? AND subject_id = ?", "ti", kind, id);
	if (!st)
		return ST_ERR;
	int rc = store_step(st);
	if (rc == ST_ROW)
		snprintf(grade, 2, "%s", store_col_text(st, 0));
	store_finalize(st);
	return rc == ST_ROW ? ST_OK : rc == ST_DONE ? ST_NOTFOUND : rc;
}

static int count_query(store_conn *c, const char *sql, const char *kind, int64_t id, const char *today, int64_t *n)
{
	store_stmt *st = credit_prep(c, sql, "tit", kind, id, today);
	if (!st)
		return ST_ERR;
	int rc = store_step(st);
	*n = rc == ST_ROW ? store_col_int64(st, 0) : 0;
	store_finalize(st);
	return rc < 0 ? rc : ST_OK;
}

int credit_rule_holds(store_conn *c, const char *kind, int64_t id, const char *condition, int64_t param,
		      const char *today)
{
	int64_t n = 0;
	int rc = ST_OK;
	if (!strcmp(condition, "serious_penalty"))
		rc = count_query(c, "SELECT COUNT(*) FROM credit_records WHERE subject_kind = ? AND subject_id = ? AND"
				    " category = 'penalty' AND serious = 1 AND state = 'active' AND disclose_until >= ?",
				 kind, id, today, &n);
	else if (!strcmp(condition, "revoke_licence"))
		rc = count_query(c, "SELECT COUNT(*) FROM credit_records WHERE subject_kind = ? AND subject_id = ? AND"
				    " category = 'penalty' AND (',' || penalty_kinds || ',') LIKE '%,revoke_licence,%'"
				    " AND state = 'active' AND disclose_until >= ?", kind, id, today, &n);
	else if (!strcmp(condition, "points_at_least")) {
		credit_counts k;
		rc = credit_counts_load(c, kind, id, today, &k);
		n = k.points >= param;
	} else if (!strcmp(condition, "grade")) {
		char g[2] = "";
		rc = credit_grade_get(c, kind, id, g);
		if (rc == ST_NOTFOUND)
			return 0;
		n = g[0] == "ABCD"[param >= 1 && param <= 4 ? param - 1 : 0];
		if (n && param == 1) /* the red list: an A grade and nothing on the record against it */
			rc = count_query(c, "SELECT CASE WHEN COUNT(*) = 0 THEN 1 ELSE 0 END FROM credit_records WHERE subject_kind = ? AND subject_id = ?"
					    " AND category = 'penalty' AND state = 'active' AND disclose_until >= ?",
					 kind, id, today, &n);
	}
	return rc < 0 ? rc : n > 0;
}

int credit_point_rule_band(store_conn *c, const char *rule, const char *kind, int64_t *lo, int64_t *hi)
{
	*lo = *hi = 0;
	store_stmt *st = credit_prep(c, "SELECT points_min, points_max FROM credit_point_rules WHERE code = ? AND"
					" subject_kind = ?", "tt", rule, kind);
	if (!st)
		return ST_ERR;
	int rc = store_step(st);
	if (rc == ST_ROW) {
		*lo = store_col_int64(st, 0);
		*hi = store_col_int64(st, 1);
	}
	store_finalize(st);
	return rc < 0 ? rc : rc == ST_ROW ? ST_OK : ST_NOTFOUND;
}

int credit_point_year(store_conn *c, int64_t id, int64_t *year)
{
	*year = 0;
	store_stmt *q = credit_prep(c, "SELECT cycle_year FROM credit_points WHERE id = ?", "i", id);
	if (!q)
		return ST_ERR;
	int rc = store_step(q);
	if (rc == ST_ROW)
		*year = store_col_int64(q, 0);
	store_finalize(q);
	return rc < 0 ? rc : ST_OK;
}

int credit_point_appeal_set(store_conn *c, int64_t id, const char *state, const char *reason, const char *result)
{
	if (reason)
		return credit_exec(c, NULL, "UPDATE credit_points SET state = ?, appeal_reason = ? WHERE id = ?", "tti", state, reason, id);
	return credit_exec(c, NULL, "UPDATE credit_points SET state = ?, appeal_result = ? WHERE id = ?", "tti", state, result, id);
}
