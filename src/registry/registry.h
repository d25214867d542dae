/* registry.h — the registry of subjects (主体库): institutions and practitioners with their history,
 * grids, responsibility lists, filings, licences and their code lists. (Regions and departments,
 * which scope rests on, are the platform's: platform/regions/regions.h.)
 * This is the registry's one interface: other modules include this header and no other of
 * src/registry (scripts/check-ownership.mjs checks). Its parts, included below: the code lists
 * (vocab.h), the record engine that writers such as the demo generator go through (record.h), the
 * electronic licences (licence.h) and the CSV import (import.h). Other capabilities read subjects
 * through the functions declared here (summaries, names, searches, a draw's directory); the SQL
 * behind them stays inside the registry (reg_int.h). */
#ifndef YJ_REGISTRY_H
#define YJ_REGISTRY_H

#include "../platform/http/http.h"
#include "../platform/auth/auth.h"
#include "../platform/store/store.h"
#include "vocab.h" /* the code lists, which readers map their codes to */
#include "record.h"
#include "licence.h"
#include "import.h"

#include <jansson.h>
#include <stddef.h>

/* Routes: /api/v1/institutions…, /api/v1/practitioners…, /api/v1/vocab, /api/v1/grids…,
 * /api/v1/responsibilities…. (Regions and departments are the platform's: platform/regions/regions.h.) */
extern const yj_route yj_institution_routes[], yj_practitioner_routes[], yj_vocab_routes[],
	yj_grid_routes[], yj_responsibility_routes[], yj_filing_routes[], yj_reg_kind_routes[];
/* /api/v1/subjects/{kind}…, /api/v1/registry/kinds: the other kinds of subject (subject_kinds_api.c). */
extern const yj_route yj_subject_kind_routes[];
/* /api/v1/licences…, /api/v1/licence-kinds, /api/v1/public/licences/{code}, /api/v1/public/licence-key
 * (licence_api.c; the licence interface is licence.h). */
extern const yj_route yj_licence_routes[];
/* POST /api/v1/import/{kind}: CSV import (import_api.c; the interface is import.h). */
extern const yj_route yj_import_routes[];

/* Registers with platform/audit the current state of every registry record (institutions,
 * practitioners), for `yijian audit verify --records` (record_audit.c). Call once at start. */
void yj_reg_audit_register(void);

/* The subject binding of institution users and grid members (subjects.c): register with
 * yj_subject_hooks_set at start-up. */
extern const yj_subject_hooks yj_reg_subject_hooks;

/* Row-level access for tools outside the registry that seed data, such as the demo generator
 * (reg_rows.c); the caller records audit leaves as the API would. Finds return 1 with *id, 0 when
 * absent, or a failure; inserts ST_OK or a failure. yj_reg_grid_member_add returns 1 when added, 0
 * when already a member. */
int yj_reg_grid_find(store_conn *c, const char *code, int64_t *id);
int yj_reg_grid_insert(store_conn *c, int64_t id, const char *code, const char *name, const char *region, int64_t now);
int yj_reg_grid_member_add(store_conn *c, int64_t grid_id, int64_t user_id, const char *region);
typedef struct yj_reg_filing {
	int64_t id, practitioner_id, institution_id;
	const char *region_code, *start_date, *end_date; /* end_date NULL or "": open */
} yj_reg_filing;
int yj_reg_filing_exists(store_conn *c, int64_t practitioner_id, int64_t institution_id, const char *start);
int yj_reg_filing_insert(store_conn *c, const yj_reg_filing *f, int64_t now);
int yj_reg_licence_by_number(store_conn *c, const char *number, int64_t *id);

/* ---- grids as other capabilities read them (grid_read.c; grid patrols) ---- */
typedef struct yj_grid_ref {
	int64_t id;
	char code[32], name[128], region_code[16]; /* region_code: the town (or county) the grid lies in */
} yj_grid_ref;
/* The grid institution subject_id lies in: ST_OK, ST_NOTFOUND (absent or in no grid) or a failure. */
int yj_reg_subject_grid(store_conn *c, int64_t subject_id, yj_grid_ref *out);
/* Calls fn for every grid within region (a code; its subtree), in code order, with its number of
 * institutions; stops at fn's first failure (< 0) and returns it. ST_OK or a failure. */
int yj_reg_grids_each(store_conn *c, const char *region, int (*fn)(const yj_grid_ref *g, int64_t nsubjects, void *arg), void *arg);

/* The registry's module descriptor (registry_module.c). */
extern const struct yj_module yj_registry_module;

/* ---- what other capabilities read of a subject (subject_summary.c): they never query institutions ---- */
typedef struct yj_subject_summary {
	int64_t id;
	char name[256];
	char credit_code[32]; /* 统一社会信用代码 */
	char region_code[16];
	char state[16];
} yj_subject_summary;
/* The institution id as the caller of scope sc sees it: ST_OK, ST_NOTFOUND (absent, or outside sc —
 * the two are not told apart) or a failure. */
int yj_subject_summary_get(store_conn *c, const yj_scope *sc, int64_t id, yj_subject_summary *out);
/* A subject of any kind of the registry (record.h's kind types: institution, practitioner, public_place,
 * water_supply, …) as the caller of scope sc sees it: its name, credit code (a practitioner's: the
 * practice certificate number), territory and state. ST_NOTFOUND when the kind is unknown, or the
 * record absent or outside sc; or a failure. */
int yj_subject_get(store_conn *c, const yj_scope *sc, const char *kind, int64_t id, yj_subject_summary *out);
/* Whether kind names a kind of subject of the registry (the subject_kind of cases, clues and events). */
int yj_subject_kind_valid(const char *kind);
/* The names of the institutions ids[0..n) into names (an object: decimal id → name; unknown ids
 * left out), whatever the caller's scope: for showing a reference the caller already holds. One
 * statement per 500 ids. */
int yj_subject_names(store_conn *c, const int64_t *ids, size_t n, json_t *names);

/* ---- the subject directory of a draw (检查对象名录库, subject_summary.c) ---- */
typedef struct yj_subject_entry {
	int64_t id;
	const char *credit_code, *name, *type, *region_code; /* valid during the call only */
	int64_t created_at;				      /* epoch ms */
	const char *kind; /* the registry kind: "institution", or another kind whose name is also its type */
} yj_subject_entry;
/* Calls each(ctx, e) for every active institution in the GB/T 2260 subtree of region whose type is
 * one of types (an array of type codes; none when empty), in ascending id, whatever the caller's
 * scope: the draw's directory is the territory's, not a user's. A type that names another kind of
 * subject (public_place, water_supply, school, employer, …: record.h) adds every active record of
 * that kind, after the institutions, in ascending id per kind, with e->type the kind's name. A
 * negative return of each stops the walk and is returned. ST_OK or a failure. */
int yj_subject_directory(store_conn *c, const char *region, const json_t *types,
			 int (*each)(void *ctx, const yj_subject_entry *e), void *ctx);

/* ---- searching subjects, for readers that page through them (search_store.c): the FHIR facade ----
 * A search reads one source in the caller's scope. Conditions are attributes, never columns: the
 * registry alone knows its tables. Conditions AND together; an alternative group (begin … end) ORs
 * what is added in between, and an empty group matches nothing. Ownership: the search owns its
 * conditions; yj_reg_search_next gives the caller a new reference in hit->rec. */
typedef enum yj_reg_source {
	YJ_SRC_INSTITUTIONS,
	YJ_SRC_PRACTITIONERS,
	/* multi-institution practice filings (多机构执业备案) with their practitioner, seen in the territory
	 * of the institution filed with */
	YJ_SRC_FILINGS,
} yj_reg_source;

typedef enum yj_reg_attr {
	YJ_RA_ID,	    /* the row's own id (a filing's id for filings) */
	YJ_RA_STATE,	    /* state code (filings: the practitioner's) */
	YJ_RA_INST_TYPE,    /* institution type code */
	YJ_RA_CREDIT_CODE,  /* 统一社会信用代码 */
	YJ_RA_LICENCE_NO,   /* 医疗机构执业许可证登记号 */
	YJ_RA_CERT_NO,	    /* practice certificate number */
	YJ_RA_INSTITUTION,  /* institution id: an institution's own, a practitioner's primary, a filing's */
	YJ_RA_PRACTITIONER, /* practitioner id: a practitioner's own, a filing's */
	YJ_RA_CATEGORY,	    /* practitioner category code */
	YJ_RA_PRACTICE_TYPE, /* practice category (执业类别) code */
} yj_reg_attr;

typedef struct yj_reg_search yj_reg_search;
/* One row found: rec is the record as record.h reads it (id, version, updated_at, fields); for a
 * filing {id, institution_id, start_date, end_date (string or null), created_at, practitioner:
 * {id, name, state, category, practice_type}}. changed is updated_at (a filing's created_at). */
typedef struct yj_reg_hit {
	json_t *rec;
	int64_t id, changed, version;
} yj_reg_hit;

/* A search of src in sc (never NULL: allocation failure aborts, as yj_calloc does); the caller frees
 * it with yj_reg_search_free, after reading its rows. */
yj_reg_search *yj_reg_search_new(yj_reg_source src, const yj_scope *sc);
void yj_reg_search_free(yj_reg_search *s);

/* Alternatives: between begin and end, each call adds one OR-ed alternative. An attribute the
 * source does not have matches nothing. */
void yj_reg_search_begin(yj_reg_search *s);
void yj_reg_search_eq(yj_reg_search *s, yj_reg_attr a, const char *value);
void yj_reg_search_eq_id(yj_reg_search *s, yj_reg_attr a, int64_t id);
void yj_reg_search_present(yj_reg_search *s, yj_reg_attr a); /* the attribute has a value */
void yj_reg_search_no_longer(yj_reg_search *s);		      /* state revoked or closed */
void yj_reg_search_any(yj_reg_search *s);		      /* every row */
void yj_reg_search_none(yj_reg_search *s);		      /* no row */
void yj_reg_search_end(yj_reg_search *s);

/* Whole conditions. active: state active (yes) or not; for filings, the practitioner active and the
 * filing not ended on today (YYYY-MM-DD). */
void yj_reg_search_active(yj_reg_search *s, int yes, const char *today);
/* The name holds text (bigram index, then LIKE). */
void yj_reg_search_name(yj_reg_search *s, const char *text);
/* Names split as HumanName: the family name is the first character, or the first two when they are
 * one of compound (NULL-terminated); names holding "·" or a space have neither. family: the family
 * name starts with prefix (len: its length in characters); given: the given name starts with prefix. */
void yj_reg_search_family(yj_reg_search *s, const char *prefix, size_t len, const char *const *compound);
void yj_reg_search_given(yj_reg_search *s, const char *prefix, const char *const *compound);
/* The last change (epoch ms) against [lo, hi): YJ_RS_IN lo <= t < hi, YJ_RS_OUT outside it,
 * YJ_RS_FROM t >= lo, YJ_RS_BEFORE t < lo (hi unused for the last two). */
enum yj_reg_when { YJ_RS_IN, YJ_RS_OUT, YJ_RS_FROM, YJ_RS_BEFORE };
void yj_reg_search_changed(yj_reg_search *s, enum yj_reg_when w, int64_t lo, int64_t hi);

/* Runs the search, at most limit rows: by id ascending after `after`; or by last change then id,
 * newest first, changed at or after since and, when cursor, before (cts, cid); or the one row id.
 * ST_OK or a failure; then yj_reg_search_next gives ST_ROW with *hit, ST_DONE or a failure. */
int yj_reg_search_by_id(yj_reg_search *s, store_conn *c, int64_t after, int limit);
int yj_reg_search_by_change(yj_reg_search *s, store_conn *c, int64_t since, int cursor, int64_t cts, int64_t cid,
			    int limit);
int yj_reg_search_one(yj_reg_search *s, store_conn *c, int64_t id);
int yj_reg_search_next(yj_reg_search *s, yj_reg_hit *hit);

#endif
