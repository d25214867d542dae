/* import.h — bulk import of registry records and electronic licences from CSV (导入), shared by
 * `yijian import` and POST /api/v1/import/{kind}. Every row goes through the same validation as the
 * API (yj_reg_validate, or the licence module's issue and actions); rows are matched to stored
 * records on the kind's natural key, so importing the same file twice changes nothing.
 *
 * An import runs in two phases so that it never holds the database's writer while it reads and
 * validates: the check reads the file and validates every row in one read snapshot (no writer, no
 * write), staging in memory what each accepted row will write; a dry run ends there. The
 * publication then writes the staged rows in one write transaction: without skip_invalid nothing
 * is published unless every row is valid. When the store changed between the two (a staged record
 * was updated meanwhile, a key was taken), the publication rolls back and the import starts over
 * from the check. Rules: docs/import.md. */
#ifndef YJ_IMPORT_H
#define YJ_IMPORT_H

#include <jansson.h>

#include "../base/csvrow.h"
#include "record.h"

typedef struct yj_import_opts {
	const yj_scope *sc;	 /* rows outside it are row errors; the CLI is unrestricted */
	const char *actor;	 /* audit actor: a user id, or "cli:<user>" */
	const char *region_code; /* territory of the import's own audit leaf ("" when none); licences:
				  * the issuing authority's (the CLI's "": each holder's county) */
	int dry_run;
	int skip_invalid;	 /* commit the valid rows even when others are invalid */
	int allow_override;	 /* may fill credit_code_override (administrators and the CLI) */
	/* Called every progress_every rows (0: 10,000) with the data rows read so far; may be NULL. */
	void (*progress)(void *ctx, long rows);
	void *ctx;
	long progress_every;
} yj_import_opts;

typedef struct yj_import_result {
	long rows;	/* data rows read (blank rows not counted) */
	long inserted, updated, unchanged, invalid;
	int written;	/* the changes were committed */
	int refused;	/* the file as a whole was refused (encoding, header, no rows): see errors */
	enum yj_csv_encoding encoding;
	char sha256[65]; /* of the bytes as received */
	/* [{row, column, field, detail}] in row order: row and column 1-based as a spreadsheet shows
	 * them (the header is row 1), column 0 and field "" when the error concerns no one cell;
	 * detail is Chinese. Owned by the result. */
	json_t *errors;
} yj_import_result;

/* What one accepted row came to. */
enum yj_import_outcome { YJ_IMPORT_INSERTED, YJ_IMPORT_UPDATED, YJ_IMPORT_UNCHANGED };

/* A publication found the store changed since the check: the import starts over. */
#define YJ_IMPORT_STALE (-110)

/* The check's memo of values taken by earlier rows of the file: byte strings (not NUL-terminated) to
 * their row numbers, which are 1 or more (import_memo.c). new allocates, free releases. get returns the
 * row, or 0 when key is absent; put sets it, replacing any. Not shared between threads. */
typedef struct yj_import_memo yj_import_memo;
yj_import_memo *yj_import_memo_new(void);
void yj_import_memo_free(yj_import_memo *m);
long yj_import_memo_get(const yj_import_memo *m, const char *key, size_t len);
void yj_import_memo_put(yj_import_memo *m, const char *key, size_t len, long row);

/* The row checker of an importable kind. `in` holds the row's cells as trimmed text by field name (a
 * column the file lacks is absent); duplicates of the natural key inside the file and formula cells
 * were refused before the call. `seen` is the import's memo of unique values taken by earlier rows of
 * the file (keys of the checker's making, such as field and value, → row), for the checker to refuse a
 * second row with one. Runs in the import's read snapshot and writes nothing: sets *outcome and, when
 * the row will write, *plan (a JSON value only the kind's publisher reads; a new reference the caller
 * owns, staged packed and unpacked again for each publication attempt), or adds {field, detail}
 * (Chinese) to errs.
 * Returns ST_OK — also for a refused row — or a store failure, which ends the import. */
typedef int (*yj_import_check_fn)(store_conn *c, const reg_kind *k, const yj_import_opts *o, const json_t *in,
				  yj_import_memo *seen, long row, json_t *errs, int *outcome, json_t **plan);
/* The row publisher: writes one plan (borrowed; it may change it: every attempt parses its own) inside
 * the publication's write transaction. Returns ST_OK,
 * YJ_IMPORT_STALE when the stored state is no longer the one the plan was made from, or a store
 * failure. */
typedef int (*yj_import_publish_fn)(store_conn *c, const reg_kind *k, const yj_import_opts *o, json_t *plan);

/* Licences (licence_import.c). The reg_kind only carries what the import reads of a kind — type,
 * table, label, field table and natural key ("number") — it is not a record of the record engine. */
extern const reg_kind yj_licence_import_kind;
int yj_licence_import_check(store_conn *c, const reg_kind *k, const yj_import_opts *o, const json_t *in,
			    yj_import_memo *seen, long row, json_t *errs, int *outcome, json_t **plan);
int yj_licence_import_publish(store_conn *c, const reg_kind *k, const yj_import_opts *o, json_t *plan);

/* Staged plans a publication prepares at a time, on a thread of its own while the connection's
 * thread writes the chunk before (import_pipe.c): 4,096. `yijian import --chunk ROWS` sets it (memory
 * against a little CPU; what is written is the same), and tests, to cross chunks with a few rows. */
extern size_t yj_import_chunk_plans;
/* File size in bytes from which an import of records on PostgreSQL runs its check on a second thread
 * beside the publication (import.c, check_beside; docs/import.md); 0: never. A variable so that the
 * tests run small files both ways. */
extern size_t yj_import_stream_from;
/* Name-gram rows from which an import on PostgreSQL writes its new records' grams on a connection and
 * transaction of their own from the check's end on, beside the publication, committed just before it
 * (name_sweep.c, reg_names_sweep_start; docs/import.md); 0: never. 100,000: ~8,000 institutions. */
extern size_t yj_import_sweep_beside_from;
/* Chunks written by every publication of the process so far (import_pipe.c): what a test waits on to
 * know a publication is under way. */
extern _Atomic size_t yj_import_chunks_written;

/* The kind imported under a plural name ("institutions", "practitioners", "licences"), or NULL. */
const reg_kind *yj_import_kind(const char *name);

/* Imports data[0..n) as CSV records of kind k. Fills res (release with yj_import_result_free)
 * and returns ST_OK — also when rows or the file were refused, which res reports — or a store
 * failure. */
int yj_import(store *s, const reg_kind *k, const char *data, size_t n, const yj_import_opts *o,
	      yj_import_result *res);
void yj_import_result_free(yj_import_result *res);

/* The columns a file of kind k may have: [{name, label, required, type, desc}] (new reference). */
json_t *yj_import_columns(const reg_kind *k);

#endif
