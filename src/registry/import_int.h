/* import_int.h — inside the import: the batch probes of import_store.c that import.c checks rows with,
 * and the record kinds' checker and publishers (import_record.c). */
#ifndef YJ_IMPORT_INT_H
#define YJ_IMPORT_INT_H

#include "import.h"

#include <pthread.h>

/* Rows checked per probe: one query per batch for each kind of probe (IN lists of this many
 * parameters stay well under SQLite's 32,766 and PostgreSQL's 65,535). */
#define YJ_IMPORT_BATCH 1000

/* Looks up the n natural keys of kind k (the key field's text) in one query and sets, for each
 * one that exists, found[key] = [id, version, region_code] (found is the caller's object); with a
 * scope sc, a second query appends the stored record as yj_reg_load(c, k, sc, id) reads it, to each
 * hit sc shows ([id, version, region_code, record]; a hit sc hides keeps three). Keys absent from
 * found do not exist in the snapshot. Returns ST_OK or a store failure. */
int yj_import_probe_keys(store_conn *c, const reg_kind *k, const yj_scope *sc, const char *const *keys, size_t n,
			 json_t *found);

/* The batch's other probes, one query per batch for each kind (the row's validation reads them
 * through reg_int.h's reg_memo_*): the records its references name (resolved in scope sc, with
 * their regions), and the stored holders of its values of unique columns other than the key (an ID
 * number's hash among them). in holds the batch's n rows as text objects. Kept on this thread until
 * yj_import_memo_end. Returns ST_OK or a store failure. */
int yj_import_probe_batch(store_conn *c, const reg_kind *k, const yj_scope *sc, json_t *const *in, size_t n);
void yj_import_memo_end(void);

/* The batch being checked on this thread: its natural keys' records, probed once per batch
 * (key → [id, version, region_code, record]); NULL outside a batch, when reg_import_check asks per row. */
extern _Thread_local json_t *yj_import_probed;

/* The record kinds' checker and publishers (import_record.c), as import.h's importer table takes them. */
int reg_import_check(store_conn *c, const reg_kind *k, const yj_import_opts *o, const json_t *in, yj_import_memo *seen,
		     long row, json_t *errs, int *outcome, json_t **plan);
int reg_import_publish(store_conn *c, const reg_kind *k, const yj_import_opts *o, json_t *plan);
/* What of n unpacked plans needs no connection, done ahead (on the import's preparing thread): the
 * new records' runs prepared (yj_reg_insert_prepare). Borrows plans, which must outlive it; free with
 * reg_import_prepared_free on any thread. */
void *reg_import_prepare(const reg_kind *k, json_t *const *plans, size_t n);
void reg_import_prepared_free(void *prep);
/* Writes n plans in order; prep is reg_import_prepare's of them, or NULL to prepare them here. */
int reg_import_publish_many(store_conn *c, const reg_kind *k, const yj_import_opts *o, json_t *const *plans, size_t n,
			    void *prep);

/* The index of the field called name in k->fields, or -1 (import.c). */
int reg_import_field_index(const reg_kind *k, const char *name);

/* ---- inside import.c and import_pipe.c ---- */

typedef int (*publish_many_fn)(store_conn *c, const reg_kind *k, const yj_import_opts *o, json_t *const *plans,
			       size_t n, void *prep);
typedef void *(*prepare_fn)(const reg_kind *k, json_t *const *plans, size_t n);
typedef void (*prepared_free_fn)(void *prep);

/* An importable kind: registry records go through the record engine (reg_import_check and
 * reg_import_publish, import_record.c), licences through the licence module (licence_import.c). */
struct importer {
	const char *name;
	const reg_kind *k;
	yj_import_check_fn check;
	yj_import_publish_fn publish;
	publish_many_fn publish_many; /* the staged plans at once, when the kind can batch them; else NULL */
	prepare_fn prepare;	      /* what of the unpacked plans needs no connection, done ahead; or NULL */
	prepared_free_fn prepared_free;
};

/* The staged plans (import_stage.c): each packed into one shared buffer as tagged values with varint
 * lengths, at off[i], in row order; the publication's preparing thread unpacks them into the same
 * jansson values without the JSON text's lexing. Smaller than the text (no quotes nor escapes). */
typedef struct yj_import_stage {
	unsigned char *buf;
	size_t len, cap;
	size_t *off;
	size_t n, ncap;
	/* While the publication reads plans as the check stages more (import_feed): held for writing
	 * while buf or off moves, for reading while plans are unpacked. NULL otherwise. */
	pthread_rwlock_t *grow_lock;
} yj_import_stage;

/* Appends plan's packed form (the caller keeps plan). ST_OK, or ST_ERR for a value jansson has no type for. */
int yj_import_stage_put(yj_import_stage *s, const json_t *plan);
/* Plan i as a new value (the caller owns it), or NULL when i is out of range or its bytes are not a
 * plan's. Reads only: any number of threads may unpack at once while nothing is put. */
json_t *yj_import_stage_get(const yj_import_stage *s, size_t i);
/* The same, of the first n plans as they were when they ended at byte len: for a reader while more
 * are put (import_feed: under grow_lock's read side, n and len as the feed last told). */
json_t *yj_import_stage_get_in(const yj_import_stage *s, size_t i, size_t n, size_t len);
/* Drops every plan, keeping the memory for the next pass; _free releases it. */
void yj_import_stage_clear(yj_import_stage *s);
void yj_import_stage_free(yj_import_stage *s);

/* The check and the publication at once (import.c, "streaming"): the check stages plans on a thread
 * of its own and says after each batch how many are staged; the publication writes chunks of them as
 * they come, until the check ends. Everything below is under mu. */
typedef struct import_feed {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	size_t staged;	   /* plans [0, staged) are staged and may be read */
	size_t staged_len; /* where the last of them ends in the stage's buffer */
	int done;      /* the check has ended: staged is final */
	int abandon;   /* the check found what forbids the publication: a failure, a refused file, or an
			* invalid row (without skip_invalid); the publication rolls back */
	pthread_rwlock_t grow; /* the staged plans' grow_lock */
} import_feed;

/* What the publication returns when the check abandoned it (rolled back; not a failure). */
#define IMPORT_ABANDONED (-120)

/* One import (import.c). */
typedef struct import_ctx {
	const reg_kind *k;
	const yj_import_opts *o;
	yj_import_result *res;
	yj_csvrow *r;
	const char *start; /* first byte after the header, for re-runs of the check */
	long start_row;
	int ncols;
	int *col_field;	   /* column (0-based) → field index, or -1 when ignored */
	int field_col[64]; /* field index → 1-based column, 0 when the file lacks it */
	int nfields;
	int key_field;
	const struct importer *imp; /* the kind's row checker and publisher */
	yj_import_stage plans;	    /* staged by the check, in row order: what the publication writes */
	import_feed *feed;	    /* while the check runs beside the publication; else NULL */
	store *s;		    /* the check's thread takes its connection from it */
	int check_rc;		    /* what the check's thread returned */
	struct reg_sweep *sweep;    /* the name grams' sweep beside the publication (reg_int.h), or NULL */
} import_ctx;

/* The publication's writes of every staged plan on c, in order, its chunks prepared on a second
 * thread (import_pipe.c); with x->feed, as the check stages them. Returns ST_OK, YJ_IMPORT_STALE,
 * IMPORT_ABANDONED (the check gave the publication up) or a store failure. */
int yj_import_publish_plans(store_conn *c, import_ctx *x);

#endif
