/* credit_eval_store.c — the evaluation (信用评价) and the nightly job: the active model's indicators
 * read from credit_indicators, a subject's counts scored into a grade with each indicator's
 * contribution, credit.grade_changed on a change; nightly, expired disclosures and list
 * publications end on their day and every subject with credit facts is evaluated again, a page of
 * subjects per transaction with only the changed grades written (bench/credit). */
#define _POSIX_C_SOURCE 200809L
#include "credit_int.h"
#include "../platform/jobs/jobs.h"
#include "credit_outbox.h"
#include "../base/date.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct credit_model {
	int version, a, b, c;
	size_t n;
	credit_indicator ind[32];
	char *head[32];	 /* credit_count_head of each indicator (owned) */
	size_t text_cap; /* room for the counts text of any counts */
} credit_model;

static void model_free(credit_model *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->head[i]);
	memset(m, 0, sizeof *m);
}

/* Loads the active model into m (model_free it, also after a failure). */
static int model_load(store_conn *c, credit_model *m)
{
	memset(m, 0, sizeof *m);
	store_stmt *st = credit_prep(c, "SELECT version, grade_a, grade_b, grade_c FROM credit_models WHERE active = 1"
					" ORDER BY version DESC LIMIT 1", NULL);
	if (!st)
		return ST_ERR;
	int rc = store_step(st);
	if (rc == ST_ROW) {
		m->version = (int)store_col_int64(st, 0);
		m->a = (int)store_col_int64(st, 1);
		m->b = (int)store_col_int64(st, 2);
		m->c = (int)store_col_int64(st, 3);
	}
	store_finalize(st);
	if (rc != ST_ROW)
		return rc < 0 ? rc : ST_ERR;
	if ((rc = credit_indicators_load(c, m->version, m->ind, 32, &m->n)) < 0)
		return rc;
	m->text_cap = 3;
	for (size_t i = 0; i < m->n; i++) {
		if (!(m->head[i] = credit_count_head(&m->ind[i])))
			return ST_ERR;
		m->text_cap += strlen(m->head[i]) + 24; /* ',' and the count */
	}
	return ST_OK;
}

int credit_indicators_load(store_conn *c, int version, credit_indicator *ind, size_t max, size_t *n)
{
	*n = 0;
	store_stmt *st = credit_prep(c, "SELECT code, name, weight, fn, per, source FROM credit_indicators WHERE model_version = ?"
					" ORDER BY code", "i", (int64_t)version);
	if (!st)
		return ST_ERR;
	int rc;
	while (*n < max && (rc = store_step(st)) == ST_ROW) {
		credit_indicator *x = &ind[(*n)++];
		snprintf(x->code, sizeof x->code, "%s", store_col_text(st, 0));
		snprintf(x->name, sizeof x->name, "%s", store_col_text(st, 1));
		x->weight = (int)store_col_int64(st, 2);
		snprintf(x->fn, sizeof x->fn, "%s", store_col_text(st, 3));
		x->per = (int)store_col_int64(st, 4);
		snprintf(x->source, sizeof x->source, "%s", store_col_text(st, 5));
	}
	store_finalize(st);
	return rc < 0 ? rc : ST_OK;
}

/* Writes the grade of score (contributions text contrib) with model m, and when it differs from
 * before ("" when none) the history row, the audit leaf and credit.grade_changed, all in c. */
static int grade_write(store_conn *c, const credit_model *m, const char *kind, int64_t id, const char *region,
		       const char *today, int score, const char *contrib, const char *before)
{
	char grade[2] = {credit_grade_of(score, m->a, m->b, m->c), 0};
	int rc = credit_exec(c, NULL,
			     "INSERT INTO credit_grades (subject_kind, subject_id, region_code, score, grade, model_version,"
			     " contributions, evaluated_on, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (subject_kind,"
			     " subject_id) DO UPDATE SET region_code = excluded.region_code, score = excluded.score, grade ="
			     " excluded.grade, model_version = excluded.model_version, contributions = excluded.contributions,"
			     " evaluated_on = excluded.evaluated_on, updated_at = excluded.updated_at",
			     "titititti", kind, id, region, (int64_t)score, grade, (int64_t)m->version, contrib, today, yj_now_ms());
	if (rc < 0 || !strcmp(before, grade))
		return rc;
	int64_t hid = yj_id_new();
	rc = credit_exec(c, NULL, "INSERT INTO credit_grade_history (id, subject_kind, subject_id, region_code, grade, score,"
				  " model_version, evaluated_on) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
			 "itittiit", hid, kind, id, region, grade, (int64_t)score, (int64_t)m->version, today);
	if (rc < 0)
		return rc;
	char sid[21];
	yj_id_format(id, sid);
	json_t *state = json_pack("{s:s, s:s, s:s, s:s, s:i, s:i, s:s}", "subject_kind", kind, "subject_id", sid, "grade", grade,
				  "before", before, "score", score, "model_version", m->version, "evaluated_on", today);
	rc = credit_audit(c, "system", "credit.grade.change", kind, id, region, state);
	json_decref(state);
	if (rc < 0)
		return rc;
	return credit_emit(c, "system", "credit.grade_changed", kind, sid, region,
			   json_pack("{s:s, s:s, s:s, s:i, s:i, s:s}", "subject_kind", kind, "subject_id", sid, "grade", grade,
				     "score", score, "model_version", m->version, "evaluated_on", today));
}

int yj_credit_evaluate(store_conn *c, const char *kind, int64_t id, const char *region, const char *today,
		       char grade_out[2])
{
	credit_model m;
	credit_counts k;
	char *text = NULL, before[2] = "";
	int score = -1, rc = model_load(c, &m);
	if (rc < 0 || (rc = credit_counts_load(c, kind, id, today, &k)) < 0)
		goto out;
	/* The same text the nightly writes, so the nightly does not rewrite what this wrote. */
	if ((text = malloc(m.text_cap)))
		score = credit_score_counts(m.ind, m.head, m.n, &k, text, m.text_cap);
	if (score < 0) {
		rc = ST_ERR;
		goto out;
	}
	if (grade_out)
		snprintf(grade_out, 2, "%c", credit_grade_of(score, m.a, m.b, m.c));
	rc = credit_grade_get(c, kind, id, before);
	if (rc < 0 && rc != ST_NOTFOUND)
		goto out;
	rc = grade_write(c, &m, kind, id, region, today, score, text, before);
out:
	free(text);
	model_free(&m);
	return rc;
}

/* ---- the nightly job ---- */

/* Ends, on their day, the disclosures past their end (公示期满) and the list publications past
 * theirs, each with an audit leaf. */
static int end_expired_tx(store_conn *c, void *arg)
{
	const char *today = arg;
	store_stmt *st = credit_prep(c, "SELECT id, region_code, disclose_until FROM credit_records WHERE state = 'active'"
					" AND disclose_until < ? ORDER BY id LIMIT 500", "t", today);
	if (!st)
		return ST_ERR;
	int64_t ids[500];
	char regions[500][16], ends[500][11];
	int n = 0, rc;
	while (n < 500 && (rc = store_step(st)) == ST_ROW) {
		ids[n] = store_col_int64(st, 0);
		snprintf(regions[n], 16, "%s", store_col_text(st, 1));
		snprintf(ends[n], 11, "%s", store_col_text(st, 2));
		n++;
	}
	store_finalize(st);
	if (rc < 0)
		return rc;
	for (int i = 0; i < n; i++) {
		/* The disclosure ended the day after its last day, whatever day the job ran. */
		if ((rc = credit_exec(c, NULL, "UPDATE credit_records SET state = 'expired', ended_on = ? WHERE id = ?", "ti",
				      ends[i], ids[i])) < 0)
			return rc;
		json_t *s = json_pack("{s:s, s:s}", "state", "expired", "disclose_until", ends[i]);
		rc = credit_audit(c, "system", "credit.record.expire", "credit_record", ids[i], regions[i], s);
		json_decref(s);
		if (rc < 0)
			return rc;
	}
	st = credit_prep(c, "SELECT id, region_code, publish_until FROM credit_list_entries WHERE state = 'listed'"
			    " AND publish_until < ? ORDER BY id LIMIT 500", "t", today);
	if (!st)
		return ST_ERR;
	int m = 0;
	while (m < 500 && (rc = store_step(st)) == ST_ROW) {
		ids[m] = store_col_int64(st, 0);
		snprintf(regions[m], 16, "%s", store_col_text(st, 1));
		snprintf(ends[m], 11, "%s", store_col_text(st, 2));
		m++;
	}
	store_finalize(st);
	if (rc < 0)
		return rc;
	for (int i = 0; i < m; i++) {
		if ((rc = credit_exec(c, NULL, "UPDATE credit_list_entries SET state = 'exited', exited_on = ?, exit_doc ="
					       " '公示期满自动移出' WHERE id = ?", "ti", ends[i], ids[i])) < 0)
			return rc;
		json_t *s = json_pack("{s:s, s:s}", "state", "exited", "publish_until", ends[i]);
		rc = credit_audit(c, "system", "credit.list.expire", "credit_list_entry", ids[i], regions[i], s);
		json_decref(s);
		if (rc < 0)
			return rc;
	}
	return n + m;
}

/* ---- the nightly evaluation, a page of subjects per transaction ---- */

/* A page holds up to PAGE subjects in key order; their counts and current grades are read with one
 * range query per table and kind (not one per subject), and a grade is written only when its score,
 * contributions or model changed — so a night without news writes nothing, and the first evaluation
 * of a million subjects is two hundred transactions, not a million. On PostgreSQL the wall time is
 * mostly round trips (each a wait for the scheduler on a loaded machine), hence large pages and
 * large multi-row statements (docs/benchmarks.md, bench/credit). */
enum { PAGE = 5000 };

struct eval_subject {
	char kind[16], region[16], before[2], grade[2];
	int64_t id, score, version;
	char *contrib; /* the stored contributions text (owned), NULL when no grade */
	char *text;    /* the new contributions text when the grade is to be written (owned), else NULL */
	int new_score;
	credit_counts k;
};

struct eval_page {
	credit_model m;
	char *buf; /* the contributions text being compared (m.text_cap bytes) */
	const char *today;
	char year_ago[11];
	int n;
	int64_t written;
	struct eval_subject *s;
};

/* The subject id among [a, b) of the page (sorted by id within a kind), or NULL. */
static struct eval_subject *page_find(struct eval_page *p, int a, int b, int64_t id)
{
	int lo = a, hi = b;
	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;
		if (p->s[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < b && p->s[lo].id == id ? &p->s[lo] : NULL;
}

/* Reads the counts and current grades of subjects [a, b) of one kind. */
static int page_read(store_conn *c, struct eval_page *p, int a, int b)
{
	const char *kind = p->s[a].kind;
	int64_t lo = p->s[a].id, hi = p->s[b - 1].id;
	store_stmt *st = credit_prep(c, "SELECT subject_id, category, serious, occurred_on FROM credit_records WHERE"
					" subject_kind = ? AND subject_id >= ? AND subject_id <= ? AND state = 'active' AND"
					" disclose_until >= ?", "tiit", kind, lo, hi, p->today);
	if (!st)
		return ST_ERR;
	int rc;
	struct eval_subject *e;
	while ((rc = store_step(st)) == ST_ROW)
		if ((e = page_find(p, a, b, store_col_int64(st, 0))))
			credit_counts_add(&e->k, store_col_text(st, 1), store_col_int64(st, 2) != 0, store_col_text(st, 3),
					  p->year_ago);
	store_finalize(st);
	if (rc < 0)
		return rc;
	st = credit_prep(c, "SELECT subject_id, SUM(points) FROM credit_points WHERE subject_kind = ? AND subject_id >= ?"
			    " AND subject_id <= ? AND cycle_year = ? AND state <> 'void' GROUP BY subject_id", "tiii", kind, lo, hi,
			 (int64_t)credit_cycle_year(p->today));
	if (!st)
		return ST_ERR;
	while ((rc = store_step(st)) == ST_ROW)
		if ((e = page_find(p, a, b, store_col_int64(st, 0))))
			e->k.points = store_col_int64(st, 1);
	store_finalize(st);
	if (rc < 0)
		return rc;
	st = credit_prep(c, "SELECT subject_id, grade, score, model_version, contributions FROM credit_grades WHERE"
			    " subject_kind = ? AND subject_id >= ? AND subject_id <= ?", "tii", kind, lo, hi);
	if (!st)
		return ST_ERR;
	while ((rc = store_step(st)) == ST_ROW)
		if ((e = page_find(p, a, b, store_col_int64(st, 0)))) {
			snprintf(e->before, sizeof e->before, "%s", store_col_text(st, 1));
			e->score = store_col_int64(st, 2);
			e->version = store_col_int64(st, 3);
			free(e->contrib);
			e->contrib = yj_strdup(store_col_text(st, 4));
		}
	store_finalize(st);
	return rc < 0 ? rc : ST_OK;
}

/* Multi-row statements: ROWS rows of COLS placeholders after head, then tail. One round trip a chunk
 * instead of one a subject (docs/benchmarks.md, bench/credit). */
enum { ROWS = 500 };

static char *multi_sql(const char *head, int cols, int rows, const char *tail)
{
	size_t cap = strlen(head) + strlen(tail) + (size_t)rows * (size_t)(3 * cols + 4) + 1;
	char *sql = malloc(cap), *w = sql;
	if (!sql)
		return NULL;
	w += sprintf(w, "%s", head);
	for (int r = 0; r < rows; r++) {
		*w++ = r ? ',' : ' ';
		*w++ = '(';
		for (int k = 0; k < cols; k++)
			w += sprintf(w, k ? ", ?" : "?");
		*w++ = ')';
	}
	sprintf(w, "%s", tail);
	return sql;
}

/* Writes the grades of the page's subjects marked with a new text, and the history of those whose
 * grade changed, ROWS at a time. */
static int page_write(store_conn *c, struct eval_page *p, int history)
{
	static const char *const GHEAD = "INSERT INTO credit_grades (subject_kind, subject_id, region_code, score, grade,"
					 " model_version, contributions, evaluated_on, updated_at) VALUES";
	static const char *const GTAIL = " ON CONFLICT (subject_kind, subject_id) DO UPDATE SET region_code ="
					 " excluded.region_code, score = excluded.score, grade = excluded.grade, model_version ="
					 " excluded.model_version, contributions = excluded.contributions, evaluated_on ="
					 " excluded.evaluated_on, updated_at = excluded.updated_at";
	static const char *const HHEAD = "INSERT INTO credit_grade_history (id, subject_kind, subject_id, region_code, grade,"
					 " score, model_version, evaluated_on) VALUES";
	int idx[ROWS], rc = ST_OK;
	int64_t at = yj_now_ms();
	for (int i = 0; rc >= 0 && i < p->n;) {
		int m = 0;
		for (; i < p->n && m < ROWS; i++)
			if (p->s[i].text && (!history || strcmp(p->s[i].before, p->s[i].grade)))
				idx[m++] = i;
		if (!m)
			break;
		char *sql = history ? multi_sql(HHEAD, 8, m, "") : multi_sql(GHEAD, 9, m, GTAIL);
		store_stmt *st = sql ? store_prepare(c, sql) : NULL;
		free(sql);
		if (!st)
			return ST_ERR;
		int b = 1;
		for (int r = 0; r < m; r++) {
			const struct eval_subject *e = &p->s[idx[r]];
			if (history)
				store_bind_int64(st, b++, yj_id_new());
			store_bind_text(st, b++, e->kind, -1);
			store_bind_int64(st, b++, e->id);
			store_bind_text(st, b++, e->region, -1);
			if (history) {
				store_bind_text(st, b++, e->grade, -1);
				store_bind_int64(st, b++, e->new_score);
			} else {
				store_bind_int64(st, b++, e->new_score);
				store_bind_text(st, b++, e->grade, -1);
			}
			store_bind_int64(st, b++, p->m.version);
			if (!history)
				store_bind_text(st, b++, e->text, -1);
			store_bind_text(st, b++, p->today, -1);
			if (!history)
				store_bind_int64(st, b++, at);
		}
		rc = store_step(st);
		store_finalize(st);
		rc = rc < 0 ? rc : ST_OK;
	}
	return rc;
}

/* The audit leaf and credit.grade_changed of each change of grade on the page (both deferred). */
static int page_announce(store_conn *c, struct eval_page *p)
{
	int rc = ST_OK;
	for (int i = 0; rc >= 0 && i < p->n; i++) {
		const struct eval_subject *e = &p->s[i];
		if (!e->text || !strcmp(e->before, e->grade))
			continue;
		char sid[21];
		yj_id_format(e->id, sid);
		json_t *state = json_pack("{s:s, s:s, s:s, s:s, s:i, s:i, s:s}", "subject_kind", e->kind, "subject_id", sid, "grade",
					  e->grade, "before", e->before, "score", e->new_score, "model_version", p->m.version,
					  "evaluated_on", p->today);
		rc = credit_audit(c, "system", "credit.grade.change", e->kind, e->id, e->region, state);
		json_decref(state);
		if (rc >= 0)
			rc = credit_emit(c, "system", "credit.grade_changed", e->kind, sid, e->region,
					 json_pack("{s:s, s:s, s:s, s:i, s:i, s:s}", "subject_kind", e->kind, "subject_id", sid,
						   "grade", e->grade, "score", e->new_score, "model_version", p->m.version,
						   "evaluated_on", p->today));
	}
	return rc;
}

static void page_clear(struct eval_page *p)
{
	for (int i = 0; i < p->n; i++) {
		struct eval_subject *e = &p->s[i];
		memset(&e->k, 0, sizeof e->k);
		e->before[0] = 0;
		free(e->contrib);
		free(e->text);
		e->contrib = e->text = NULL;
	}
}

static int page_tx(store_conn *c, void *arg)
{
	struct eval_page *p = arg;
	model_free(&p->m);
	free(p->buf);
	int rc = model_load(c, &p->m);
	if (rc < 0)
		return rc;
	if (!(p->buf = malloc(p->m.text_cap)))
		return ST_ERR;
	p->written = 0;
	page_clear(p); /* store_tx may run this again: start clean */
	for (int a = 0, b; a < p->n; a = b) {
		for (b = a + 1; b < p->n && !strcmp(p->s[b].kind, p->s[a].kind); b++)
			;
		if ((rc = page_read(c, p, a, b)) < 0)
			return rc;
	}
	for (int i = 0; i < p->n; i++) {
		struct eval_subject *e = &p->s[i];
		/* Counts as text, not JSON: building and dumping six objects a subject was most of the nightly's
		 * CPU, and writing their names and sources most of what it wrote. */
		e->new_score = credit_score_counts(p->m.ind, p->m.head, p->m.n, &e->k, p->buf, p->m.text_cap);
		if (e->new_score < 0)
			return ST_ERR;
		e->grade[0] = credit_grade_of(e->new_score, p->m.a, p->m.b, p->m.c);
		e->grade[1] = 0;
		if (!e->contrib || e->score != e->new_score || e->version != p->m.version || strcmp(e->contrib, p->buf)) {
			e->text = yj_strdup(p->buf);
			p->written++;
		}
	}
	if (!p->written)
		return ST_OK;
	if ((rc = page_write(c, p, 0)) < 0 || (rc = page_write(c, p, 1)) < 0)
		return rc;
	/* The page's audit leaves and events go in together at its end: audit_head and event_head are
	 * each taken once per page, in that order (events.h). */
	yj_audit_defer_begin(c);
	yj_events_defer_begin(c);
	if ((rc = page_announce(c, p)) < 0 || (rc = yj_audit_defer_flush(c)) < 0) {
		yj_audit_defer_discard(c);
		yj_events_defer_discard(c);
		return rc;
	}
	return yj_events_defer_flush(c);
}

int yj_credit_nightly(store *s, const char *today, int64_t *n)
{
	if (n)
		*n = 0;
	int rc;
	do {
		rc = store_tx(s, end_expired_tx, (void *)today);
	} while (rc > 0);
	if (rc < 0)
		return rc;
	struct eval_page p = {.today = today, .s = calloc(PAGE, sizeof *p.s)};
	if (!p.s || credit_add_months(today, -12, p.year_ago) < 0) {
		free(p.s);
		return ST_ERR;
	}
	/* Every subject with a credit record (a points entry writes one too), in key order, a page at a
	 * time. The row comparison is what lets both engines start each page in the subject index where
	 * the last ended: written as kind > ? OR (kind = ? AND id > ?), PostgreSQL scanned the index from
	 * its start on every page, so the nightly's time grew with the square of the subjects. */
	char kind[16] = "";
	int64_t after = 0;
	for (;;) {
		/* Outside a transaction: the keys need no snapshot, and a BEGIN and ROLLBACK are two round trips. */
		store_conn *c = store_conn_get(s);
		store_stmt *st = credit_prep(c, "SELECT subject_kind, subject_id, MAX(region_code) FROM credit_records WHERE"
						" (subject_kind, subject_id) > (?, ?) GROUP BY subject_kind, subject_id ORDER BY"
						" subject_kind, subject_id LIMIT ?", "tii", kind, after, (int64_t)PAGE);
		if (!st) {
			rc = ST_ERR;
			break;
		}
		p.n = 0;
		while (p.n < PAGE && (rc = store_step(st)) == ST_ROW) {
			struct eval_subject *e = &p.s[p.n++];
			snprintf(e->kind, sizeof e->kind, "%s", store_col_text(st, 0));
			e->id = store_col_int64(st, 1);
			snprintf(e->region, sizeof e->region, "%s", store_col_text(st, 2));
		}
		store_finalize(st);
		if (rc < 0 || !p.n)
			break;
		if ((rc = store_tx(s, page_tx, &p)) < 0)
			break;
		if (n)
			*n += p.n;
		snprintf(kind, sizeof kind, "%s", p.s[p.n - 1].kind);
		after = p.s[p.n - 1].id;
		if (p.n < PAGE)
			break;
	}
	p.n = PAGE;
	page_clear(&p);
	free(p.s);
	free(p.buf);
	model_free(&p.m);
	return rc < 0 ? rc : ST_OK;
}

static int nightly_job(yj_job_ctx *ctx)
{
	char today[11];
	yj_day_today(today);
	return yj_credit_nightly(yj_job_store(ctx), today, NULL) < 0 ? YJ_ERR : YJ_OK;
}

/* At 01:30 Asia/Shanghai: a disclosure ends on its day, and grades are fresh by morning. */
const yj_job_def yj_credit_jobs[] = {
	{"credit.nightly", YJ_JOB_DAILY, 90, nightly_job, NULL},
	/* Every second: a list entry reaches the departments at once, a failed delivery on its back-off. */
	{"credit.outbox", YJ_JOB_EVERY, 1, credit_outbox_job, NULL},
	{NULL, 0, 0, NULL, NULL},
};
