/* reg_int.h — shared inside src/registry (never included outside this folder): the SQL of practice
 * filings, grids and responsibility lists (filings_store.c, grids_store.c, responsibilities_store.c),
 * so that their handlers (*_api.c) hold none; and what the parts of the record engine share. Functions returning json_t * or filling json_t **out
 * give the caller a new reference; statements returned are finalized by the caller. */
#ifndef YJ_REG_INT_H
#define YJ_REG_INT_H

#include "registry.h"
#include "record_api.h"

/* ---- the record engine's parts (record.c, record_validate.c, record_names.c, name_sweep.c) ---- */
/* The SQL column of a field; whether it is stored at all (column "" is input only). */
static inline const char *reg_col_of(const reg_field *f)
{
	return f->column ? f->column : f->name;
}
static inline int reg_stored(const reg_field *f)
{
	return !f->column || f->column[0];
}
/* An import's batch probes (import_store.c, yj_import_probe_batch): what the row's validation would
 * otherwise ask once a row, read from the batch's memo instead. Outside a batch, or for a value the
 * batch did not probe, they return -1 and the caller asks the store as before.
 * reg_memo_ref: the reference v to kind rk as resolve_ref resolves it in the batch's scope: 1 with
 * *id, or 0 (no such record in scope). reg_memo_region: 1 with the stored region of record id of rk.
 * reg_memo_taken: 1 when another record than id holds value v in unique column col of k, else 0. */
int reg_memo_ref(const reg_kind *rk, const char *v, int64_t *id);
int reg_memo_region(const reg_kind *rk, int64_t id, char region[16]);
int reg_memo_taken(const reg_kind *k, const char *col, const json_t *v, int64_t id);
/* Steps st once and finalizes it: ST_OK when it ran to the end, or a failure (NULL st: ST_ERR). */
int reg_step_done(store_stmt *st);
/* Writes the grams of record id's name, deleting those of its old name that it no longer has;
 * old_name NULL: a new record (or one without a name before), nothing to delete. */
int reg_index_name(store_conn *c, const reg_kind *k, int64_t id, const char *old_name, const char *name);
/* The grams of n new records (ids[i] named names[i], NULL: none) in multi-row inserts. async: a
 * COPY's end is not waited for (reg_insert_rows_async). */
int reg_index_names_fresh(store_conn *c, const reg_kind *k, const int64_t *ids, const char *const *names, size_t n,
			  int async);
/* The same in two steps: reg_grams_make computes the grams (no connection: an import's preparing
 * thread does it, names borrowed only during the call), reg_index_grams writes (or, deferring, holds)
 * them on c; the caller frees g with reg_grams_free after. */
typedef struct reg_grams reg_grams;
reg_grams *reg_grams_make(const reg_kind *k, const int64_t *ids, const char *const *names, size_t n);
int reg_index_grams(store_conn *c, reg_grams *g, int async);
void reg_grams_free(reg_grams *g);
/* A name's grams as rows of name_grams (record_names.c): each distinct bigram and the last
 * character's gram, as numbers that carry the kind (reg_gram_kind_range: a kind's grams are
 * [*lo, *hi]). The rows are the caller's; reg_gram_rows_add appends to r (free r->v after). */
typedef struct reg_gram_row {
	int64_t gram;
	int64_t id;
} reg_gram_row;
typedef struct reg_gram_rows {
	reg_gram_row *v;
	size_t n, cap;
} reg_gram_rows;
void reg_gram_rows_add(reg_gram_rows *r, const reg_kind *k, const char *name, int64_t id);
void reg_gram_kind_range(const reg_kind *k, int64_t *lo, int64_t *hi);
/* name_sweep.c: when c is deferring (reg_names_defer_begin), holds a copy of r's rows for its sweep
 * and returns 1; else 0 (the caller writes them). */
int reg_names_defer_take(store_conn *c, const reg_gram_rows *r);
/* A bulk writer (the index's rebuild, reg_names_reindex) holds the grams reg_index_names_fresh or
 * reg_index_grams is given on c (on this thread) from reg_names_defer_begin on and writes them all in
 * key order at reg_names_defer_flush, before its commit (ST_OK or the insert's failure);
 * reg_names_defer_discard drops them (a rolled-back transaction). Both end the deferral; either does
 * nothing when c is not deferring. */
void reg_names_defer_begin(store_conn *c);
int reg_names_defer_flush(store_conn *c);
void reg_names_defer_discard(store_conn *c);
/* An import's name grams, from its check (name_sweep.c; PostgreSQL, where they can be written
 * beside the publication): between reg_names_collect_begin and _end on the check's thread,
 * reg_names_collect_add takes each new record's grams as the check gives it its id
 * (import_record.c; without a collection open — a dry run, SQLite — the check gives no id, and the
 * publication's preparing thread makes ids and grams as for any insert). _end hands them over (NULL
 * when none was open); the caller frees them with _discard or gives them to reg_names_sweep_start. */
typedef struct reg_names_collected reg_names_collected;
void reg_names_collect_begin(void);
int reg_names_collecting(void); /* a collection is open on this thread */
void reg_names_collect_add(const reg_kind *k, int64_t id, const char *name);
reg_names_collected *reg_names_collect_end(void);
void reg_names_collect_discard(reg_names_collected *g);
/* The grams' one sweep in key order (takes g; NULL when there are none). On PostgreSQL with
 * beside_from or more rows (0: never) it starts at once on a thread, connection and transaction of
 * its own, and waits there, uncommitted, for the publication's word; otherwise the publication
 * writes it. The publication, in its transaction: reg_names_sweep_write where the grams are written
 * (does nothing for a sweep beside), then reg_names_sweep_commit just before its own commit (commits
 * the sweep beside, or — it could not — writes its rows on c; nothing otherwise), and commits only
 * when both returned ST_OK. Both may run again in a retried transaction. When the publication
 * finally does not commit: reg_names_sweep_undo (rolls the sweep back, or deletes the rows it
 * committed, in a transaction of its own: the caller's connection may be in one). Then
 * reg_names_sweep_free (which rolls back a sweep never ended). */
typedef struct reg_sweep reg_sweep;
reg_sweep *reg_names_sweep_start(store *s, reg_names_collected *g, size_t beside_from);
int reg_names_sweep_write(store_conn *c, reg_sweep *w);
int reg_names_sweep_commit(store_conn *c, reg_sweep *w);
int reg_names_sweep_undo(reg_sweep *w);
void reg_names_sweep_free(reg_sweep *w);
/* Deletes the grams of ids below before_id whose record is not there — what a process killed between
 * a sweep's commit and its publication's left (name_sweep.c) — and counts them in *deleted. A
 * gram written with its record in one transaction is never seen without it, and a sweep beside a
 * publication only ever writes new ids, so a cutoff in the past spares every publication under way.
 * The daily job registry.name_grams_orphans runs it (registry_module.c). */
int reg_names_collect_orphans(store_conn *c, int64_t before_id, int64_t *deleted);
/* Writes the grams of every record of every kind with a name into an empty name_grams (a migration
 * that rebuilds the index: registry_module.c), in batches of ids ascending. ST_OK or a failure. */
int reg_names_reindex(store_conn *c);
/* Binds the stored field and derived values of rec from index idx on; returns the next index. The
 * texts are rec's own, not copies: finalize st before rec changes or is freed. */
int reg_bind_record(store_stmt *st, const reg_kind *k, const json_t *rec, int idx);
/* The audit leaf and the event of a create or update ("create" / "update") of public record pub. */
int reg_audit(store_conn *c, const reg_kind *k, const char *verb, const char *actor, const json_t *pub);
/* The same with pub's text as yj_audit_state_text makes it (NULL: dumped here), for a bulk writer
 * that holds it already. */
int reg_audit_text(store_conn *c, const reg_kind *k, const char *verb, const char *actor, const json_t *pub,
		   const char *pub_text);
/* Binds row `row` of a multi-row insert from index idx on; returns the next index (store.h). */
typedef store_rows_bind_fn reg_rows_bind_fn;
/* INSERT INTO table (columns) VALUES of nrows rows of ncols values each, bound by bind
 * (store_load_rows: from STORE_COPY_FROM rows one COPY where the engine has it, else statements of up
 * to a few hundred rows). ST_OK or the first failure (ST_CONFLICT on a unique key). */
int reg_insert_rows(store_conn *c, const char *table, const char *columns, int ncols, size_t nrows,
		    reg_rows_bind_fn bind, void *arg);
/* The same, but when the rows go by COPY (PostgreSQL) its end is not waited for: the server inserts
 * them while the caller works on, and the caller learns the result from store_copy_wait (ST_OK on
 * return says only that the rows were sent). */
int reg_insert_rows_async(store_conn *c, const char *table, const char *columns, int ncols, size_t nrows,
			  reg_rows_bind_fn bind, void *arg);

/* The SQL of the record engine, which never leaves the registry: other modules ask registry.h's
 * functions (summaries, names, searches, the draw's directory) instead of composing SQL on these. */
/* The scoped table of a kind, for the query builder. */
void yj_reg_table(const reg_kind *k, yj_table *out);
/* Practice filings joined to their practitioners (aliases f and p), scoped by the territory of the
 * institution filed with: for the registry's searches (search_store.c). */
void yj_reg_filings_view(yj_table *out);
/* The SELECT column list of a kind (static storage) and the reader of one row of it. */
const char *yj_reg_columns(const reg_kind *k);
json_t *yj_reg_row(const reg_kind *k, store_stmt *st);
/* The value of column col of st as a field of type t (new reference; SQL NULL: null, [] for RT_CODES). */
json_t *reg_read_value(store_stmt *st, int col, reg_type t);
/* A row of yj_reg_columns(k) as yj_reg_public_take(k, yj_reg_row(k, st), who) would show it, written
 * straight into b (record_write.c): 1, or 0 when the kind has a present hook without its presented
 * columns (the caller then builds the JSON). id gets the record's id. */
int reg_row_write(const reg_kind *k, store_stmt *st, const yj_principal *who, yj_buf *b, char id[21]);
/* Adds the substring filter for q on the kind's name to a query: the bigram index narrows, LIKE
 * confirms. `alias` prefixes the id and name columns ("" or "i."). */
void yj_reg_name_filter(yj_qb *q, const reg_kind *k, const char *alias, const char *text);
/* A list page of the name search text alone (no other filter) as a walk of the first bigram's posting
 * list whose plan no value can change, so PostgreSQL plans it once per connection (record_names.c):
 * when reg_name_walk_fits — PostgreSQL, a province's scope or wider, a word of two characters or more
 * (a one-character word beside it is confirmed by LIKE alone). Words of one character only fit when
 * the first is common (2,000 grams or more: one query of the index): the page is then the kind's
 * table in id order under LIKE, planned with its values. The same rows in the same order as
 * reg_list_page with yj_reg_name_filter. fits: 1, 0, or a failure (taken as 0). NULL on failure. */
int reg_name_walk_fits(store_conn *c, const reg_kind *k, const yj_scope *sc, const char *text);
store_stmt *reg_name_walk_page(store_conn *c, const reg_kind *k, const yj_scope *sc, const char *text,
			       int64_t after, int limit);

/* ---- record lists (record_query.c) ---- */
/* The scoped query of kind k: its record columns, or (group, or by_county) the key and a count. */
yj_qb *reg_list_query(const reg_kind *k, const reg_field *group, int by_county, const yj_scope *sc);
/* Adds the condition of filter fl = v to q; -1 (nothing added) when v is no value for it. */
int reg_list_filter(yj_qb *q, const reg_kind *k, const reg_filter *fl, const char *v);
/* q (consumed) prepared: a page in id order after `after` of at most limit rows; every row in id
 * order; the counts grouped as reg_list_query was asked, largest first. NULL on failure. */
store_stmt *reg_list_page(yj_qb *q, store_conn *c, int64_t after, int limit);
store_stmt *reg_list_all(yj_qb *q, store_conn *c);
store_stmt *reg_list_counts(yj_qb *q, store_conn *c, const reg_field *group, int by_county);
/* The record of k in sc whose column of filter fl holds the keyed hash h: ST_ROW with its id and
 * territory in ids and region, ST_DONE when none, or a failure. */
int reg_lookup_hash(store_conn *c, const reg_kind *k, const reg_filter *fl, const yj_scope *sc, const char *h,
		    char ids[21], char region[16]);

/* ---- lookups of the kinds' derive hooks ---- */
/* The territory of institution id regardless of scope (subject_summary.c): ST_OK, ST_NOTFOUND or a
 * failure; region "" unless ST_OK. */
int reg_institution_region(store_conn *c, int64_t id, char region[16]);
/* The grid with this code regardless of scope (grids_store.c): ST_OK with its id and region,
 * ST_NOTFOUND or a failure. */
int reg_grid_by_code(store_conn *c, const char *code, int64_t *id, char region[16]);

/* ---- subject binding (subjects_store.c, for subjects.c) ---- */
/* Appends to ids[*n..cap) the institutions in the grids user_id is a member of, by id. */
int reg_grid_subject_ids(store_conn *c, int64_t user_id, int64_t *ids, int cap, int *n);
/* The institution with this credit code regardless of scope: ST_OK with its id and territory,
 * ST_NOTFOUND or a failure. */
int reg_institution_by_credit_code(store_conn *c, const char *credit_code, int64_t *id, char region[16]);

/* ---- practice filings (filings_store.c) ---- */
/* The filings of a practitioner, oldest start first, as a JSON array in *items. */
int reg_filings_of(store_conn *c, int64_t practitioner_id, json_t **items);
/* One filing with its institution's name and code: ST_OK, ST_NOTFOUND or a failure. */
int reg_filing_load(store_conn *c, int64_t id, json_t **out);
int reg_filing_set_end(store_conn *c, int64_t id, const char *end);

/* ---- grids (grids_store.c) ---- */
/* The grids in sc in the subtree of region and whose name holds text (either NULL or "": no
 * filter): a page in id order after `after` of at most limit rows, or every row in code order. */
store_stmt *reg_grids_page(store_conn *c, const yj_scope *sc, const char *region, const char *text, int64_t after,
			   int limit);
store_stmt *reg_grids_all(store_conn *c, const yj_scope *sc, const char *region, const char *text);
/* A row of those statements as JSON; arg is the store_conn (the town's name is the platform's). */
json_t *reg_grid_row(store_stmt *st, void *arg);
/* One grid in sc with its members: ST_OK, ST_NOTFOUND when absent or outside, or a failure. */
int reg_grid_load(store_conn *c, const yj_scope *sc, int64_t id, json_t **out);
/* The next free code below a town: its 9 digits and a 3-digit sequence (ST_CONFLICT when full). */
int reg_grid_next_code(store_conn *c, const char *town, char out[16]);
/* Renames grid id in sc: ST_OK, ST_NOTFOUND or a failure. */
int reg_grid_rename(store_conn *c, const yj_scope *sc, int64_t id, const char *name, int64_t now);
/* Replaces the members of grid id by user_ids (an array of checked decimal ids; repeats are fine). */
int reg_grid_members_set(store_conn *c, int64_t id, const json_t *user_ids, const char *region);

/* ---- responsibility lists (responsibilities_store.c) ---- */
/* The rows in list order (source, department, seq, id) filtered by department (equal), duty and
 * source (substrings), each NULL or "" for none; with key (a cursor from reg_resp_key) only the rows
 * after it; at most limit rows when limit > 0. NULL on a store failure or a malformed key (*bad). */
store_stmt *reg_resp_query(store_conn *c, const char *dept, const char *duty, const char *source, const char *key,
			   int limit, int *bad);
/* The cursor of the row st stands on. */
void reg_resp_key(store_stmt *st, char key[512]);
/* A row as JSON; names caches department names (code → name) for the rest of the request. */
json_t *reg_resp_row(store_conn *c, json_t *names, store_stmt *st);
int reg_resp_load(store_conn *c, int64_t id, json_t **out);
/* The position after the last of a department's duties. */
int reg_resp_next_seq(store_conn *c, const char *dept, int64_t *seq);
int reg_resp_insert(store_conn *c, int64_t id, const char *dept, int64_t seq, const char *duty, const char *source,
		    int64_t now);
/* Sets the duty, source and seq that body holds (strings, integer): ST_OK, ST_NOTFOUND or a failure. */
int reg_resp_update(store_conn *c, int64_t id, const json_t *body, int64_t now);
int reg_resp_delete(store_conn *c, int64_t id);

#endif
