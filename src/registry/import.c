/* import.c — CSV import of registry records (see import.h): the header is mapped to fields by JSON
 * name or Chinese label, each row becomes a text object for yj_reg_validate and is checked in one
 * read snapshot; the rows to insert or update are staged in memory and published in one write
 * transaction, which is all the writer is held for; while it writes, a second thread prepares what
 * it writes next (import_pipe.c). */
#define _POSIX_C_SOURCE 200809L
#include "import_int.h"
#include "reg_int.h"
#include "../base/id.h"
#include "../base/log.h"
#include "../platform/audit/audit.h"
#include "../platform/events/events.h"
#include "../platform/regions/regions.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ATTEMPTS 3 /* check and publication, when the store keeps changing under the import */
#define PUBLISH_CACHE_KIB 16384 /* SQLite's page cache during a large publication (publish) */
#define PUBLISH_CACHE_FROM 4096 /* staged plans from which it is raised: a chunk of the pipeline */
#define ANALYZE_AFTER 1000 /* rows written from which the planner's statistics are refreshed (store_analyze) */
#define HISTORY_STATS_TARGET 10 /* record_history's statistics target for that refresh (refresh_stats) */

size_t yj_import_stream_from = 1 << 20;
size_t yj_import_sweep_beside_from = 100000;

_Thread_local json_t *yj_import_probed;

/* The importable kinds: registry records go through the record engine (reg_import_check and
 * reg_import_publish, import_record.c), licences through the licence module (licence_import.c). */
static const struct importer importers[] = {
#define RECORDS reg_import_check, reg_import_publish, reg_import_publish_many, reg_import_prepare, reg_import_prepared_free
	{"institutions", &yj_institution_kind, RECORDS},
	{"practitioners", &yj_practitioner_kind, RECORDS},
	{"licences", &yj_licence_import_kind, yj_licence_import_check, yj_licence_import_publish, NULL, NULL, NULL},
	/* the other kinds of subject, by their kind name (subject_kinds.c) */
#define OTHER(name, kind) {name, &kind, RECORDS}
	OTHER("public_place", yj_public_place_kind), OTHER("water_supply", yj_water_supply_kind),
	OTHER("school", yj_school_kind), OTHER("employer", yj_employer_kind),
	OTHER("occ_service", yj_occ_health_service_kind), OTHER("radiation_user", yj_radiation_user_kind),
	OTHER("pharmacy", yj_pharmacy_kind), OTHER("childcare", yj_childcare_kind),
	OTHER("disinfect_maker", yj_disinfectant_maker_kind), OTHER("unit_clinic", yj_unit_clinic_kind),
	OTHER("pharma_company", yj_pharma_company_kind),
#undef OTHER
#undef RECORDS
};

const reg_kind *yj_import_kind(const char *name)
{
	for (size_t i = 0; name && i < YJ_ARRAY_LEN(importers); i++)
		if (!strcmp(name, importers[i].name))
			return importers[i].k;
	return NULL;
}

static const struct importer *importer_of(const reg_kind *k)
{
	for (size_t i = 0; i < YJ_ARRAY_LEN(importers); i++)
		if (importers[i].k == k)
			return &importers[i];
	return NULL;
}

static const char *type_zh(const reg_field *f, char *buf, size_t cap)
{
	switch (f->type) {
	case RT_TEXT:
		snprintf(buf, cap, "文本，最多 %d 字", f->max);
		return buf;
	case RT_INT:
		snprintf(buf, cap, "整数 0–%d", f->max);
		return buf;
	case RT_BOOL:
		return "是 / 否";
	case RT_DATE:
		return "日期 YYYY-MM-DD";
	case RT_CODE:
		return "代码或名称（一个）";
	case RT_CODES:
		return "代码或名称，多个用“、”分隔";
	case RT_REGION:
		return "行政区划代码（GB/T 2260）";
	case RT_REF:
		return f->ref_kind == YJ_KIND_INSTITUTION ? "机构 id 或统一社会信用代码" : "记录 id 或编号";
	case RT_COORD:
		return "度（小数）";
	}
	return "";
}

json_t *yj_import_columns(const reg_kind *k)
{
	json_t *out = json_array();
	char buf[64];
	for (const reg_field *f = k->fields; f->name; f++)
		json_array_append_new(out, json_pack("{s:s, s:s, s:b, s:s, s:s, s:b}", "name", f->name, "label", f->label,
						     "required", f->required, "type", type_zh(f, buf, sizeof buf), "desc",
						     f->desc ? f->desc : "", "key", !strcmp(f->name, k->key_field)));
	return out;
}

void yj_import_result_free(yj_import_result *res)
{
	json_decref(res->errors);
	res->errors = NULL;
}

/* ---- the header ---- */


static void row_err(yj_import_result *res, long row, int col, const char *field, const char *detail)
{
	json_array_append_new(res->errors, json_pack("{s:I, s:i, s:s, s:s}", "row", (json_int_t)row, "column", col,
						     "field", field ? field : "", "detail", detail));
}

static const reg_field *field_at(const reg_kind *k, int i)
{
	return &k->fields[i];
}

int reg_import_field_index(const reg_kind *k, const char *name)
{
	for (int i = 0; k->fields[i].name; i++)
		if (!strcmp(k->fields[i].name, name))
			return i;
	return -1;
}

/* Trims spaces (ASCII and the ideographic space U+3000) at both ends, in place. */
static char *trim(char *s)
{
	for (;;) {
		if (*s == ' ')
			s++;
		else if (!strncmp(s, "\xE3\x80\x80", 3))
			s += 3;
		else
			break;
	}
	size_t n = strlen(s);
	for (;;) {
		if (n && s[n - 1] == ' ')
			n--;
		else if (n >= 3 && !strncmp(s + n - 3, "\xE3\x80\x80", 3))
			n -= 3;
		else
			break;
	}
	s[n] = '\0';
	return s;
}

/* A header cell names a field by JSON name or Chinese label; a trailing * (required mark) is
 * allowed. Columns of read-only derived values (as an export has them) are ignored. Returns the
 * field index, -1 for an ignored column, -2 when unknown. */
static int header_field(const reg_kind *k, char *cell)
{
	char *h = trim(cell);
	size_t n = strlen(h);
	if (n && h[n - 1] == '*')
		h[--n] = '\0';
	if (!n)
		return -1;
	for (int i = 0; k->fields[i].name; i++)
		if (!strcmp(k->fields[i].name, h) || !strcmp(k->fields[i].label, h))
			return i;
	for (const reg_derived *d = k->derived; d && d->column; d++)
		if (!d->hidden && (!strcmp(d->column, h) || (d->label && !strcmp(d->label, h))))
			return -1;
	if (!strcmp(h, "birth_year") || !strcmp(h, "出生年份")) /* an export's view of birth_date */
		return -1;
	static const char *const meta[] = {"id", "version", "created_at", "updated_at"};
	for (size_t i = 0; i < YJ_ARRAY_LEN(meta); i++)
		if (!strcmp(meta[i], h))
			return -1;
	return -2;
}

/* Reads and maps the header; on problems adds file-level errors and returns -1. */
static int read_header(import_ctx *x)
{
	yj_csvrow *r = x->r;
	yj_import_result *res = x->res;
	if (!yj_csvrow_next(r)) {
		row_err(res, 1, 0, "", "文件为空：第 1 行应为表头（列名），其下每行一条记录。");
		return -1;
	}
	if (r->err) {
		char *d = yj_asprintf("表头有误：%s。", r->err);
		row_err(res, r->row, r->err_col, "", d);
		free(d);
		return -1;
	}
	x->ncols = r->nf;
	x->col_field = yj_malloc(sizeof(int) * (size_t)r->nf);
	int bad = 0;
	for (int c = 0; c < r->nf; c++) {
		char cell[200];
		snprintf(cell, sizeof cell, "%s", r->f[c]);
		int fi = header_field(x->k, cell);
		x->col_field[c] = fi < 0 ? -1 : fi;
		if (fi == -2) {
			char *d = yj_asprintf("未知的列名“%.60s”：请改为本类记录的列名（yijian import %s --columns 可列出全部列），或删除该列。",
					      trim(cell), x->k->table);
			row_err(res, r->row, c + 1, "", d);
			free(d);
			bad = 1;
		} else if (fi >= 0 && x->field_col[fi]) {
			char *d = yj_asprintf("列“%s”重复出现（另见第 %d 列），请只保留一列。", field_at(x->k, fi)->label,
					      x->field_col[fi]);
			row_err(res, r->row, c + 1, field_at(x->k, fi)->name, d);
			free(d);
			bad = 1;
		} else if (fi >= 0) {
			x->field_col[fi] = c + 1;
		}
	}
	for (int i = 0; x->k->fields[i].name; i++)
		if (x->k->fields[i].required && !x->field_col[i]) {
			char *d = yj_asprintf("缺少必填列“%s”（%s）。", x->k->fields[i].label, x->k->fields[i].name);
			row_err(res, r->row, 0, x->k->fields[i].name, d);
			free(d);
			bad = 1;
		}
	return bad ? -1 : 0;
}

/* ---- rows ---- */

/* Spreadsheet programs run a cell starting with these as a formula (CSV injection). */
static int formula_cell(const char *s)
{
	return s[0] == '=' || s[0] == '+' || s[0] == '@' || s[0] == '\t' || s[0] == '\r';
}

static int column_of(const import_ctx *x, const char *field)
{
	int fi = reg_import_field_index(x->k, field);
	if (fi < 0) /* a derived column's error (id_hash) is reported on its input field */
		for (const reg_derived *d = x->k->derived; d && d->column; d++)
			if (d->unique_as && !strcmp(d->column, field))
				fi = reg_import_field_index(x->k, d->unique_as);
	return fi < 0 ? 0 : x->field_col[fi];
}

/* Moves the {field, detail} errors of one row into the result with row and column. */
static void take_errors(import_ctx *x, long row, json_t *errs)
{
	size_t i;
	json_t *e;
	json_array_foreach(errs, i, e) {
		const char *field = json_string_value(json_object_get(e, "field"));
		row_err(x->res, row, column_of(x, field ? field : ""), field, json_string_value(json_object_get(e, "detail")));
	}
}

/* A natural key seen earlier in the file makes the row a duplicate (error added, 1). */
static int duplicate_key(import_ctx *x, const json_t *in, yj_import_memo *seen, long row, json_t *errs)
{
	const reg_field *kf = field_at(x->k, x->key_field);
	const json_t *kv = json_object_get(in, kf->name);
	const char *key = json_string_value(kv);
	if (!key || !*key)
		return 0;
	long prev = yj_import_memo_get(seen, key, json_string_length(kv));
	if (prev) {
		char msg[300];
		snprintf(msg, sizeof msg, "%s与第 %ld 行重复：同一文件中每条记录只能出现一次。", kf->label, prev);
		yj_field_error(errs, kf->name, msg);
		return 1;
	}
	yj_import_memo_put(seen, key, json_string_length(kv), row);
	return 0;
}

/* A staged plan is kept packed (import_stage.c): a jansson object takes about four times the bytes
 * (measured: 100,000 institutions 547 MB staged as values, 146 MB as text, less packed), and a
 * province's first import stages every row of its file before the publication. Takes plan. (Dumping
 * its text on a second thread, a third of the check's samples then, made the check slower: the plans'
 * many small blocks freed later or on another thread cost malloc more than the dump.) */
static int stage(import_ctx *x, json_t *plan)
{
	int rc = yj_import_stage_put(&x->plans, plan);
	json_decref(plan);
	return rc;
}

static void unstage(import_ctx *x)
{
	yj_import_stage_clear(&x->plans);
}

/* Checks one row through the kind's checker, staging its plan; adds row errors and counts. */
static int import_row(store_conn *c, import_ctx *x, json_t *in, yj_import_memo *seen, yj_import_memo *uniq, long row)
{
	json_t *errs = json_array();
	int rc = ST_OK, outcome = YJ_IMPORT_UNCHANGED;
	json_t *plan = NULL;
	if (!duplicate_key(x, in, seen, row, errs))
		rc = x->imp->check(c, x->k, x->o, in, uniq, row, errs, &outcome, &plan);
	if (rc >= 0 && json_array_size(errs)) {
		x->res->invalid++;
		take_errors(x, row, errs);
	} else if (rc >= 0) {
		*(outcome == YJ_IMPORT_INSERTED  ? &x->res->inserted
		  : outcome == YJ_IMPORT_UPDATED ? &x->res->updated
						 : &x->res->unchanged) += 1;
		if (plan)
			rc = stage(x, plan), plan = NULL; /* stage takes it */
	}
	json_decref(plan);
	json_decref(errs);
	return rc < 0 ? rc : ST_OK;
}

/* Rows read and waiting for their check, up to YJ_IMPORT_BATCH: checked together after one probe
 * of their keys (registry records; the licence checker asks per row). */
typedef struct batch {
	json_t *in[YJ_IMPORT_BATCH];
	long row[YJ_IMPORT_BATCH];
	long ord[YJ_IMPORT_BATCH]; /* its count among the data rows, for the progress callback */
	size_t n;
} batch;

/* Progress is told when the row numbered ord has been checked (not merely read). */
static void progress(import_ctx *x, long ord)
{
	long every = x->o->progress_every > 0 ? x->o->progress_every : 10000;
	if (x->o->progress && ord % every == 0)
		x->o->progress(x->o->ctx, ord);
}

/* Tells the publication beside the check (x->feed) how many plans are staged, whether it must give up
 * (a failure, a refused file, an invalid row without skip_invalid: the file is then not written, as
 * when the check runs first), and, done, that the check has ended. */
static void feed_note(import_ctx *x, int rc, int done)
{
	import_feed *f = x->feed;
	if (!f)
		return;
	pthread_mutex_lock(&f->mu);
	f->staged = x->plans.n;
	f->staged_len = x->plans.len;
	if (rc < 0 || x->res->refused || (x->res->invalid && !x->o->skip_invalid))
		f->abandon = 1;
	f->done |= done;
	pthread_cond_broadcast(&f->cv);
	pthread_mutex_unlock(&f->mu);
}

static int check_batch(store_conn *c, import_ctx *x, batch *b, yj_import_memo *seen, yj_import_memo *uniq)
{
	int rc = ST_OK;
	if (x->imp->check == reg_import_check) {
		const reg_field *kf = field_at(x->k, x->key_field);
		const char *keys[YJ_IMPORT_BATCH];
		size_t nk = 0;
		for (size_t i = 0; i < b->n; i++) {
			const char *key = json_string_value(json_object_get(b->in[i], kf->name));
			if (key && *key)
				keys[nk++] = key;
		}
		yj_import_probed = json_object();
		rc = yj_import_probe_keys(c, x->k, x->o->sc, keys, nk, yj_import_probed);
		if (rc >= 0) /* its references and unique values, read by the rows' validation */
			rc = yj_import_probe_batch(c, x->k, x->o->sc, b->in, b->n);
	}
	for (size_t i = 0; i < b->n; i++) {
		if (rc >= 0 && (rc = import_row(c, x, b->in[i], seen, uniq, b->row[i])) >= 0)
			progress(x, b->ord[i]);
		json_decref(b->in[i]);
	}
	json_decref(yj_import_probed);
	yj_import_probed = NULL;
	yj_import_memo_end();
	b->n = 0;
	feed_note(x, rc, 0);
	return rc;
}

/* Reads and checks every data row on c (inside the read snapshot), staging the plans. A re-run
 * after a stale publication starts over from the first data row. Rows are checked in batches;
 * a row refused before its check (a bad cell, a wrong column count) first has the batch before
 * it checked, so errors stay in row order. */
static int check_rows(store_conn *c, import_ctx *x)
{
	yj_import_result *res = x->res;
	yj_csvrow *r = x->r;
	res->rows = res->inserted = res->updated = res->unchanged = res->invalid = 0;
	json_array_clear(res->errors);
	unstage(x);
	r->p = x->start;
	r->row = x->start_row;
	/* the keys (raw text) and the unique values (the checker's) that earlier rows took */
	yj_import_memo *seen = yj_import_memo_new(), *uniq = yj_import_memo_new();
	int rc = ST_OK;
	batch *b = yj_calloc(1, sizeof *b);
	while (yj_csvrow_next(r)) {
		long row = r->row;
		if ((r->err || r->nf != x->ncols) && b->n && (rc = check_batch(c, x, b, seen, uniq)) < 0)
			break;
		if (r->err) {
			int fi = r->err_col - 1 < x->ncols && r->err_col > 0 ? x->col_field[r->err_col - 1] : -1;
			char *d = yj_asprintf("%s。", r->err);
			row_err(res, row, r->err_col, fi >= 0 ? field_at(x->k, fi)->name : "", d);
			free(d);
			res->rows++;
			res->invalid++;
			continue;
		}
		int empty = 1;
		for (int i = 0; i < r->nf && empty; i++)
			empty = !*trim(r->f[i]);
		if (empty)
			continue; /* a spreadsheet's empty row: ",,,," */
		res->rows++;
		if (r->nf != x->ncols) {
			char *d = yj_asprintf(r->nf < x->ncols ? "只有 %d 列，表头有 %d 列：该行不完整（可能被截断或缺少逗号）。"
							       : "有 %d 列，表头只有 %d 列：多出的列没有列名（单元格中的逗号须用英文双引号括起）。",
					      r->nf, x->ncols);
			row_err(res, row, r->nf < x->ncols ? r->nf + 1 : x->ncols + 1, "", d);
			free(d);
			res->invalid++;
			continue;
		}
		json_t *in = json_object(), *errs = json_array();
		int batched = 0;
		for (int col = 0; col < r->nf; col++) {
			int fi = x->col_field[col];
			if (fi < 0)
				continue;
			const char *v = trim(r->f[col]);
			if (formula_cell(v)) {
				yj_field_error(errs, field_at(x->k, fi)->name, "单元格以 = + @ 或制表符开头，像是电子表格公式，已拒绝；请改为纯文本。");
				continue;
			}
			json_object_set_new(in, field_at(x->k, fi)->name, json_string(v));
		}
		if (json_array_size(errs)) {
			if (b->n)
				rc = check_batch(c, x, b, seen, uniq);
			res->invalid++;
			take_errors(x, row, errs);
			json_decref(in);
		} else {
			b->in[b->n] = in;
			b->ord[b->n] = res->rows;
			b->row[b->n++] = row;
			batched = 1;
			if (b->n == YJ_IMPORT_BATCH)
				rc = check_batch(c, x, b, seen, uniq);
		}
		json_decref(errs);
		if (rc < 0)
			break;
		if (!batched)
			progress(x, res->rows); /* a batched row reports when it is checked */
	}
	if (rc >= 0 && b->n)
		rc = check_batch(c, x, b, seen, uniq);
	for (size_t i = 0; i < b->n; i++) /* left by a failure */
		json_decref(b->in[i]);
	free(b);
	yj_import_memo_free(seen);
	yj_import_memo_free(uniq);
	if (rc < 0)
		return rc;
	if (!res->rows) {
		row_err(res, 2, 0, "", "文件只有表头，没有数据行。");
		res->refused = 1;
	}
	return ST_OK;
}

/* The check in one read snapshot: no writer is taken, and nothing can be written. */
static int check_pass(store *s, import_ctx *x)
{
	store_conn *c = store_conn_get(s);
	int rc = store_begin(c, 0);
	if (rc < 0)
		return rc;
	/* Every query of the check reads by a key, 1,000 at a time. PostgreSQL's default costs
	 * (random_page_cost 4: pages from disk) plan a 1,000-value IN list on a table of ~10^5 rows as a
	 * sequential scan, 13-28 ms a batch where the index takes 2.5-4.6 (docs/benchmarks.md, "Issue 15:
	 * the check's key probes scanned the table"): the scan's cost grows with the table, once per batch. */
	if (!strcmp(store_conn_engine(c), "postgresql") && (rc = store_exec(c, "SET LOCAL enable_seqscan = off")) < 0) {
		store_rollback(c);
		return rc;
	}
	yj_regions_memo_begin(); /* each county read once, not once per row */
	rc = check_rows(c, x);
	yj_regions_memo_end();
	int crc = store_commit(c);
	return rc < 0 ? rc : crc;
}

/* After a large publication the planner's statistics of the written tables are refreshed at once:
 * the first searches would otherwise be planned from the table as it was (store.h, store_analyze). A
 * failure costs plans, not data: logged, the import still succeeded. Each table on a thread and
 * connection of its own: ANALYZE runs in one backend, and three at once take the longest one's time
 * on a server's several cores (docs/benchmarks.md, "Issue 15: the name index beside the publication"). */
typedef struct analyze_job {
	store *s;
	const char *table;
	int target;
	pthread_t th;
	int started;
} analyze_job;

static void analyze_one(analyze_job *j)
{
	if (store_analyze_target(store_conn_get(j->s), j->table, j->target) < 0)
		yj_log(YJ_LOG_WARN, "import.analyze_failed", "\"table\":\"%s\"", j->table);
}

static void *analyze_main(void *arg)
{
	analyze_one(arg);
	store_conn_release(((analyze_job *)arg)->s); /* the thread ends */
	return NULL;
}

static void refresh_stats(store *s, const reg_kind *k)
{
	if (strcmp(store_engine(s), "postgresql"))
		return; /* SQLite: no statistics to refresh (store.h) */
	/* record_history is only ever read by one object through its unique key (record.c: yj_reg_history,
	 * yj_reg_as_of), a plan that needs the table's size and no value's frequency: a sample of 3,000
	 * rows (target 10) estimates the size as well as 30,000 and takes a tenth of the time. */
	analyze_job jobs[] = {{.s = s, .table = k->table},
			      {.s = s, .table = k->name_field ? "name_grams" : NULL},
			      {.s = s, .table = "record_history", .target = HISTORY_STATS_TARGET}};
	uint64_t t0 = yj_mono_ns();
	for (size_t i = 0; i < YJ_ARRAY_LEN(jobs); i++)
		if (jobs[i].table && !(jobs[i].started = pthread_create(&jobs[i].th, NULL, analyze_main, &jobs[i]) == 0))
			analyze_one(&jobs[i]); /* no thread: here, on this thread's connection */
	for (size_t i = 0; i < YJ_ARRAY_LEN(jobs); i++)
		if (jobs[i].started)
			pthread_join(jobs[i].th, NULL);
	/* After the commit, but still the import's time (docs/benchmarks.md). */
	yj_log(YJ_LOG_INFO, "import.analyzed", "\"ms\":%.1f", (double)(yj_mono_ns() - t0) / 1e6);
}

/* The publication (store_tx): every staged plan, then the import's own audit leaf. */
static int publish_tx(store_conn *c, void *arg)
{
	import_ctx *x = arg;
	yj_import_result *res = x->res;
	int rc = ST_OK;
	/* The rows' audit leaves wait in memory and enter the log together at the end, so the audit
	 * head — which every audited write, a sign-in included, must lock — is held only for that. */
	yj_audit_defer_begin(c);
	/* The events too: one take of event_head for all (after the audit head, as every writer
	 * orders them), instead of an update of that row per record, whose cost grew with the
	 * number of versions of it the transaction had already made. */
	yj_events_defer_begin(c);
	/* The new records' name grams, written after the last chunk in one sweep in key order
	 * (name_sweep.c): on SQLite as the runs give them (held from here), on PostgreSQL as the check
	 * collected them — a large import's written beside since the check's end, committed below.
	 * x->sweep is the check's: set before the feed's end, which the plans' publication waited for. */
	reg_names_defer_begin(c);
	rc = yj_import_publish_plans(c, x);
	if (rc >= 0)
		rc = reg_names_defer_flush(c);
	if (rc >= 0)
		rc = reg_names_sweep_write(c, x->sweep);
	if (rc < 0) {
		reg_names_defer_discard(c);
		yj_audit_defer_discard(c);
		yj_events_defer_discard(c);
		return rc;
	}
	if ((rc = yj_audit_defer_flush(c)) < 0) {
		yj_events_defer_discard(c);
		return rc;
	}
	uint64_t t0 = yj_mono_ns(), cpu0 = yj_thread_cpu_ns();
	rc = yj_events_defer_flush(c);
	/* The tail's phases each log their time (docs/benchmarks.md): the sweep, the audit flush, this;
	 * the COMMIT is what import.published adds after it. */
	yj_log(YJ_LOG_INFO, "import.events", "\"rc\":%d,\"ms\":%.1f,\"cpu_ms\":%.1f", rc,
	       (double)(yj_mono_ns() - t0) / 1e6, (double)(yj_thread_cpu_ns() - cpu0) / 1e6);
	if (rc < 0)
		return rc;
	json_t *state = json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:I}", "kind", x->k->type, "sha256", res->sha256, "rows",
				  (json_int_t)res->rows, "inserted", (json_int_t)res->inserted, "updated",
				  (json_int_t)res->updated, "unchanged", (json_int_t)res->unchanged, "invalid",
				  (json_int_t)res->invalid);
	yj_audit_event ev = {x->o->actor, "registry.import", "import", res->sha256,
			     x->o->region_code ? x->o->region_code : "", state};
	rc = yj_audit_append(c, &ev, NULL);
	json_decref(state);
	/* The grams commit first: no record is ever visible without them (name_sweep.c). */
	if (rc >= 0)
		rc = reg_names_sweep_commit(c, x->sweep);
	return rc < 0 ? rc : ST_OK;
}

/* The publication's transaction with SQLite's page cache raised to PUBLISH_CACHE_KIB for it alone
 * (store_page_cache). With the default 2 MB the pages written at random (the unique key's index) and
 * the growing B-trees' inner pages were spilled into the WAL, read back and spilled again: 100,000
 * institutions took 608,000 pwrite and 141,000 pread calls, 546,000 and 118,000 with 16 MB, and the
 * writer's thread ~0.35 s less (docs/benchmarks.md, "Issue 15: the import, ninth round"). Not the
 * whole transaction (248 MB then): bounded, and given back after, so the connection (a server's
 * too) keeps its memory. */
static int publish(store *s, import_ctx *x)
{
	store_conn *c = store_conn_get(s); /* the one store_tx writes on: this thread's */
	int64_t was = 0;
	int raised = (x->feed || x->plans.n >= PUBLISH_CACHE_FROM) && store_page_cache(c, -PUBLISH_CACHE_KIB, &was) >= 0;
	int rc = store_tx(s, publish_tx, x);
	if (raised && store_page_cache(c, was, NULL) < 0)
		yj_log(YJ_LOG_WARN, "import.cache_restore_failed", NULL);
	return rc;
}

/* Whether the check's outcome forbids writing the file (the import then ends with its errors). */
static int check_refuses(const import_ctx *x, int rc)
{
	return rc < 0 || x->res->refused || x->o->dry_run || (x->res->invalid && !x->o->skip_invalid);
}

/* The check, with its phase line: how long it took, and its CPU (one thread), which a loaded
 * machine's wall time hides; streamed: whether the publication ran beside it. */
static int check_logged(store *s, import_ctx *x)
{
	uint64_t t0 = yj_mono_ns(), cpu0 = yj_thread_cpu_ns();
	/* On PostgreSQL the check collects the new records' grams (import_record.c) for their sweep beside
	 * the publication. Not on SQLite: its one writer gains nothing from it, and its check, which runs
	 * before the publication, would take the grams' CPU from the preparing thread's slack. */
	if (!x->o->dry_run && !strcmp(store_engine(s), "postgresql"))
		reg_names_collect_begin();
	int rc = check_pass(s, x);
	reg_names_collected *grams = reg_names_collect_end();
	/* Their sweep starts now, beside the publication, when it is large (name_sweep.c). */
	if (check_refuses(x, rc))
		reg_names_collect_discard(grams);
	else
		x->sweep = reg_names_sweep_start(s, grams, yj_import_sweep_beside_from);
	yj_log(YJ_LOG_INFO, "import.checked",
	       "\"kind\":\"%s\",\"rows\":%ld,\"staged\":%zu,\"staged_bytes\":%zu,\"ms\":%.1f,\"cpu_ms\":%.1f,\"streamed\":%s",
	       x->k->type, x->res->rows, x->plans.n, x->plans.len, (double)(yj_mono_ns() - t0) / 1e6,
	       (double)(yj_thread_cpu_ns() - cpu0) / 1e6, x->feed ? "true" : "false");
	return rc;
}

/* The publication, with its phase line; nothing staged: nothing to write. */
static int publish_logged(store *s, import_ctx *x)
{
	if (!x->plans.n && !x->feed)
		return ST_OK;
	uint64_t t0 = yj_mono_ns();
	int rc = publish(s, x);
	if (rc != IMPORT_ABANDONED)
		yj_log(YJ_LOG_INFO, "import.published", "\"kind\":\"%s\",\"staged\":%zu,\"rc\":%d,\"ms\":%.1f",
		       x->k->type, x->plans.n, rc, (double)(yj_mono_ns() - t0) / 1e6);
	return rc;
}

/* The check's own thread (streaming): the check on a connection of its own, the feed's last word,
 * and that connection closed (the thread ends; a server's store would otherwise keep it). */
static void *check_main(void *arg)
{
	import_ctx *x = arg;
	x->check_rc = check_logged(x->s, x);
	feed_note(x, x->check_rc, 1);
	store_conn_release(x->s);
	return NULL;
}

/* A large file's check and publication at once: the check stages on its own thread while this one
 * writes chunks of the plans as they come (import_pipe.c), so the check's CPU — one core's, with
 * the other idle, when it ran first — overlaps the writes (docs/import.md, "Check and publication at
 * once"). All-or-nothing as before: the publication commits only after the check has ended with
 * nothing against the file, and rolls back when the check gives it up. *refused: the check's outcome
 * forbids the write (rc is then the check's). ST_ERR with *started 0 when the thread did not start. */
static int check_beside(store *s, import_ctx *x, int *refused, int *started)
{
	import_feed f = {.staged = 0};
	pthread_mutex_init(&f.mu, NULL);
	pthread_cond_init(&f.cv, NULL);
	pthread_rwlock_init(&f.grow, NULL);
	x->feed = &f;
	x->plans.grow_lock = &f.grow;
	x->s = s;
	pthread_t th;
	*started = pthread_create(&th, NULL, check_main, x) == 0;
	int rc = ST_ERR;
	if (*started) {
		/* Write from the first staged chunk on, or not at all when the check ends first without a
		 * plan or gives up (its errors are then all that comes of the file). */
		pthread_mutex_lock(&f.mu);
		while (!f.done && !f.abandon && !f.staged)
			pthread_cond_wait(&f.cv, &f.mu);
		int go = !f.abandon && f.staged;
		pthread_mutex_unlock(&f.mu);
		rc = go ? publish_logged(s, x) : ST_OK;
		pthread_join(th, NULL);
		*refused = check_refuses(x, x->check_rc);
		if (*refused)
			rc = x->check_rc;
	}
	x->feed = NULL;
	x->plans.grow_lock = NULL;
	pthread_rwlock_destroy(&f.grow);
	pthread_cond_destroy(&f.cv);
	pthread_mutex_destroy(&f.mu);
	return rc;
}

/* An attempt's grams sweep (the check started it) after its publication: kept when the publication
 * committed (rc >= 0), else rolled back or, committed beside, taken back (name_sweep.c). */
static void sweep_settle(import_ctx *x, int rc)
{
	if (!x->sweep)
		return;
	if (rc < 0 && reg_names_sweep_undo(x->sweep) < 0)
		yj_log(YJ_LOG_WARN, "import.name_grams_left", NULL); /* harmless to answers: name_sweep.c */
	reg_names_sweep_free(x->sweep);
	x->sweep = NULL;
}

int yj_import(store *s, const reg_kind *k, const char *data, size_t n, const yj_import_opts *o,
	      yj_import_result *res)
{
	memset(res, 0, sizeof *res);
	res->errors = json_array();
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(h, (const unsigned char *)data, n);
	yj_hex_encode(h, sizeof h, res->sha256);

	yj_log(YJ_LOG_INFO, "import.started", "\"kind\":\"%s\",\"bytes\":%zu,\"dry_run\":%s", k->type, n,
	       o->dry_run ? "true" : "false");
	import_ctx x = {.k = k, .o = o, .res = res, .key_field = reg_import_field_index(k, k->key_field), .imp = importer_of(k)};
	for (x.nfields = 0; k->fields[x.nfields].name; x.nfields++)
		;
	if (x.nfields > (int)YJ_ARRAY_LEN(x.field_col) || x.key_field < 0 || !x.imp)
		return ST_ERR; /* a kind's table outgrew this file: a programming error */
	yj_csvrow r;
	char *err = NULL;
	if (yj_csvrow_open(&r, data, n, &err) < 0) {
		row_err(res, 0, 0, "", err);
		free(err);
		res->refused = 1;
		return ST_OK;
	}
	res->encoding = r.encoding;
	x.r = &r;
	int rc = ST_OK;
	if (read_header(&x) < 0) {
		res->refused = 1;
		goto done;
	}
	x.start = r.p;
	x.start_row = r.row;
	/* A large file of records on PostgreSQL: the check beside the publication; else (or when its
	 * thread cannot start) the check first, the publication after. Not on SQLite: there the
	 * publication holds the database's one writer throughout, and beside the check it would hold
	 * every other user's writes (a sign-in's session row) for the check's time too — what issue 9
	 * asked an import not to do while it checks (tests/api/import_load.test.mjs). Nothing staged:
	 * nothing to insert or update, nothing to record either, and the file counts as written. */
	int beside = !o->dry_run && x.imp->check == reg_import_check && yj_import_stream_from &&
		     n >= yj_import_stream_from && !strcmp(store_engine(s), "postgresql");
	for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
		int refused = 0, started = 0;
		if (beside)
			rc = check_beside(s, &x, &refused, &started);
		if (!started) {
			rc = check_logged(s, &x);
			if (!(refused = check_refuses(&x, rc)))
				rc = publish_logged(s, &x);
		}
		sweep_settle(&x, rc);
		if (refused)
			goto done;
		if (rc != YJ_IMPORT_STALE)
			break;
		yj_log(YJ_LOG_INFO, "import.stale", "\"attempt\":%d", attempt + 1);
	}
	if (rc == YJ_IMPORT_STALE)
		rc = ST_RETRY; /* the store kept changing under the import: the caller may try again */
	else if (rc >= 0) {
		res->written = 1;
		if (x.plans.n >= ANALYZE_AFTER)
			refresh_stats(s, k);
	}
done:
	yj_import_stage_free(&x.plans);
	free(x.col_field);
	yj_csvrow_close(&r);
	return rc;
}
