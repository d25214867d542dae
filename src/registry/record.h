/* record.h — the registry's generic record. A kind of subject (institution, practitioner) is a
 * table of fields; one piece of code validates JSON against it, writes it with its version history,
 * audit leaf and name index, and reads rows back as JSON. Kind-specific work (encrypting an ID
 * number, taking the region from the primary institution) is a hook of the kind.
 *
 * The SQL side of the engine (its scoped tables, column lists, row reader, name filter) is the
 * registry's own: reg_int.h. Other modules reach this header through registry.h.
 *
 * Records travel as jansson objects keyed by field name. Ownership: functions returning json_t *
 * give the caller a new reference; functions taking json_t * borrow it unless they say "steals". */
#ifndef YJ_RECORD_H
#define YJ_RECORD_H

#include <jansson.h>
#include <stdint.h>

#include "../platform/http/http.h"
#include "../platform/store/query.h"
#include "vocab.h"

typedef enum reg_type {
	RT_TEXT,   /* free text */
	RT_INT,	   /* integer 0..max */
	RT_BOOL,   /* true/false, stored 0/1 */
	RT_DATE,   /* YYYY-MM-DD */
	RT_CODE,   /* one code of the field's vocabulary */
	RT_CODES,  /* comma-separated codes of the vocabulary (JSON: array of strings) */
	RT_REGION, /* GB/T 2260 code that exists and lies in the caller's territory */
	RT_REF,	   /* id (decimal string) of a row of another kind, in the caller's territory */
	RT_COORD,  /* degrees (JSON number), stored as micro-degrees */
} reg_type;

typedef struct reg_field {
	const char *name;	/* JSON key and CSV column; the SQL column unless column is set */
	const char *column;	/* SQL column when it differs; "" = input only, not stored */
	reg_type type;
	int required;		/* on create (and after a patch) */
	int max;		/* RT_TEXT: code points; RT_INT: largest value */
	const yj_vocab *vocab;	/* RT_CODE(S) */
	const char *label;	/* Chinese: CSV header alias, export header, error messages */
	/* Extra check of a non-empty text value: NULL when fine, else a Chinese reason. */
	const char *(*check)(const char *v);
	const char *desc;	/* English, for the API description */
	int ref_kind;		/* RT_REF: index into yj_reg_kinds of the referenced kind */
	int unique;		/* a unique column: a conflict on it is reported on this field */
} reg_field;

/* A stored column that is not an input field (derived by the kind's hook). */
typedef struct reg_derived {
	const char *column;
	reg_type type;	/* RT_TEXT, RT_INT or RT_DATE */
	int hidden;	/* never leaves the server (ciphertext, keyed hash) */
	const char *label;
	const char *unique_as; /* a unique column: conflicts are reported on this input field */
} reg_derived;

typedef struct reg_kind reg_kind;
struct reg_kind {
	const char *type;	  /* "institution": audit object type and history key; at most 15 bytes (other
				   * modules keep a subject_kind in char[16]) */
	const char *table;	  /* "institutions" */
	const char *label;	  /* 医疗机构 */
	const reg_field *fields;  /* input fields, terminated by {NULL} */
	const reg_derived *derived; /* terminated by {NULL}; may be NULL */
	const char *key_field;	  /* natural key: credit_code, certificate_no */
	const char *name_field;	  /* indexed for substring search */
	const char *region_field; /* column of the territory */
	/* Derives stored columns from a validated record (may read the store); adds {field, detail}
	 * to errors when the input cannot be used. NULL when the kind derives nothing. */
	int (*derive)(store_conn *c, const yj_scope *sc, json_t *rec, json_t *errors);
	/* Masks or removes what the caller may not see in a record about to be returned. */
	void (*present)(json_t *rec, const yj_principal *who);
	/* The columns present reads or rewrites (NULL-terminated), so that a list written straight from
	 * the rows (record_write.c) hands present just those: present may change or remove them and add
	 * keys (written after the row's columns, where jansson appends them), and must touch no other.
	 * NULL with a present hook: such lists build the whole record as JSON instead. */
	const char *const *presented;
};

/* The kinds, indexable by reg_field.ref_kind. From YJ_KIND_PUBLIC_PLACE on, the other subjects a
 * health supervision institute licenses and penalises (subject_kinds.c, YJ_KIND_FIRST_OTHER..).
 * The order is persisted: 1 + a kind's place is the kind's part of its name grams in name_grams
 * (record_names.c). Append only; a reordering needs a migration that rebuilds name_grams. */
enum {
	YJ_KIND_INSTITUTION,
	YJ_KIND_PRACTITIONER,
	YJ_KIND_PUBLIC_PLACE,
	YJ_KIND_WATER_SUPPLY,
	YJ_KIND_SCHOOL,
	YJ_KIND_EMPLOYER,
	YJ_KIND_OCC_HEALTH_SERVICE,
	YJ_KIND_RADIATION_USER,
	YJ_KIND_PHARMACY,
	YJ_KIND_CHILDCARE,
	YJ_KIND_DISINFECTANT_MAKER,
	YJ_KIND_UNIT_CLINIC,
	YJ_KIND_PHARMA_COMPANY,
	YJ_NKINDS
};
#define YJ_KIND_FIRST_OTHER YJ_KIND_PUBLIC_PLACE
extern const reg_kind *const yj_reg_kinds[YJ_NKINDS];
extern const reg_kind yj_institution_kind, yj_practitioner_kind;
extern const reg_kind yj_public_place_kind, yj_water_supply_kind, yj_school_kind, yj_employer_kind,
	yj_occ_health_service_kind, yj_radiation_user_kind, yj_pharmacy_kind, yj_childcare_kind,
	yj_disinfectant_maker_kind, yj_unit_clinic_kind, yj_pharma_company_kind;
/* The kind whose type is name ("public_place"), or NULL. */
const reg_kind *yj_reg_kind_named(const char *name);

/* Turns a JSON input (or a CSV row turned into strings, when from_text) into a normalised record:
 * unknown fields, wrong types, bad codes and check digits, missing required fields, regions and
 * references outside sc all end up in errors as {field, detail} (Chinese). existing (may be NULL)
 * is the stored record a change applies to: fields absent from in keep its values, and its derived
 * columns carry over unless the kind's hook derives them anew. Returns the record (new reference)
 * even with errors, so callers can report them all at once. */
json_t *yj_reg_validate(store_conn *c, const reg_kind *k, const yj_scope *sc, const json_t *in, int from_text,
			const json_t *existing, json_t *errors);

/* Creates rec (validated) inside the current write transaction: derived columns, row, version 1
 * history, name index and audit leaf. *id receives the new id. Returns ST_OK, ST_CONFLICT when the
 * natural key exists, or a failure. */
int yj_reg_insert(store_conn *c, const reg_kind *k, json_t *rec, const char *actor, int64_t *id);
/* The same for n records at once (a bulk import): what n calls of yj_reg_insert would write, in
 * the same order of audit leaves and events, but the rows, their history and their name index in
 * multi-row inserts. ids[i] receives the id of recs[i]. ST_CONFLICT when a natural key exists
 * (nothing of the batch is then usable: the caller rolls the transaction back). On PostgreSQL the
 * name index's COPY may still be running on return, so the server inserts it while the caller
 * works on: store_copy_wait(c) reads its result (the next call reads it first itself). */
int yj_reg_insert_many(store_conn *c, const reg_kind *k, json_t *const *recs, size_t n, const char *actor,
		       int64_t *ids);
/* yj_reg_insert_many in two steps, so that an import can prepare one run on another thread while
 * its connection's thread writes the one before. yj_reg_insert_prepare does what needs no
 * connection and may run on any thread: each record's id, version and timestamps (set in recs[i],
 * borrowed and changed), its public form, state texts and name grams. yj_reg_insert_prepared writes
 * a prepared run on c (the connection's thread) as yj_reg_insert_many would, and may run once per
 * prepare.
 * yj_reg_prepared_free releases it (on any thread; recs stay the caller's). */
typedef struct yj_reg_prepared yj_reg_prepared;
/* ids NULL: new ids, and the grams made here. ids given (ids[i] for recs[i], copied): those ids and no
 * name grams — an import, whose check gave each new record its id and collected its grams
 * (reg_names_collect_add), writes them. */
yj_reg_prepared *yj_reg_insert_prepare(const reg_kind *k, json_t *const *recs, const int64_t *ids, size_t n);
int yj_reg_insert_prepared(store_conn *c, yj_reg_prepared *p, const char *actor, int64_t *ids);
void yj_reg_prepared_free(yj_reg_prepared *p);
/* Replaces the stored record id (version expected_version) by rec, writing history with the
 * changed fields, the name index and an audit leaf. Returns ST_OK, ST_NOTFOUND (absent, outside sc
 * or changed meanwhile) or a failure. *changed is 0 when rec equals what is stored (nothing written). */
int yj_reg_update(store_conn *c, const reg_kind *k, const yj_scope *sc, int64_t id, int64_t expected_version,
		  json_t *rec, const char *actor, int *changed);

/* Whether yj_reg_update of rec over the stored record `before` would write anything (the import's
 * check, which runs in a read snapshot, counts updated and unchanged rows with it). */
int yj_reg_differs(const reg_kind *k, const json_t *before, const json_t *rec);

/* Reads one record in scope: *out gets the full stored record including derived columns (caller
 * decrefs). ST_NOTFOUND when absent or outside sc. */
int yj_reg_load(store_conn *c, const reg_kind *k, const yj_scope *sc, int64_t id, json_t **out);
/* Finds the id and version of the record with natural key `key` regardless of scope (for imports,
 * which must tell "exists elsewhere" from "new"). ST_NOTFOUND when none. */
int yj_reg_find_key(store_conn *c, const reg_kind *k, const char *key, int64_t *id, int64_t *version,
		    char region[16]);
/* The same lookup as the start of a reader's own statement, so that it costs no round trip of its
 * own: prepares `WITH yj_key (id, version, region_code) AS (<the record of kind k whose natural key
 * is key, regardless of scope: no row or one>) sql`. sql reads yj_key, never the kind's table; its
 * `?` are parameters 2, 3, … (1 is the key, bound here). NULL on failure; the caller finalizes. */
store_stmt *yj_reg_with_key(store_conn *c, const reg_kind *k, const char *key, const char *sql);

/* A copy of rec fit for who: hidden columns removed, the kind's present hook applied. */
json_t *yj_reg_public(const reg_kind *k, const json_t *rec, const yj_principal *who);
/* The same on rec itself, which it takes and returns (no copy). */
json_t *yj_reg_public_take(const reg_kind *k, json_t *rec, const yj_principal *who);

/* Version history of one record, newest first: [{version, at, actor, changes}] (new reference),
 * the versions below `below` (INT64_MAX: from the newest), at most limit of them. ST_NOTFOUND when
 * the record has no version in sc at all. */
int yj_reg_history(store_conn *c, const reg_kind *k, const yj_scope *sc, int64_t id, int64_t below, int limit,
		   json_t **out);
/* The record as it was at epoch ms `at` (its state after the last change at or before then).
 * ST_NOTFOUND when it did not exist yet or is outside sc. */
int yj_reg_as_of(store_conn *c, const reg_kind *k, const yj_scope *sc, int64_t id, int64_t at, json_t **out);

/* The input field whose unique value another record (not id; 0 on insert) already holds, or NULL.
 * Asked before writing: on PostgreSQL a failed insert aborts the transaction, so no query can
 * follow it to find out which constraint it hit. */
const char *yj_reg_conflict_field(store_conn *c, const reg_kind *k, const json_t *rec, int64_t id);
/* The same, not asking about the field called known (NULL: none), whose value the caller already
 * knows to be free or this record's own (the import's key probe, in the same snapshot). */
const char *yj_reg_conflict_field_but(store_conn *c, const reg_kind *k, const json_t *rec, int64_t id,
				      const char *known);

#endif
