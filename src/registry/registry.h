/* registry.h — the registry of subjects (主体库): the organisation model that scope rests on
 * (regions, departments), institutions and practitioners with their history, and their code lists.
 * Other capabilities read subjects through record.h. */
#ifndef YJ_REGISTRY_H
#define YJ_REGISTRY_H

#include "../platform/http/http.h"
#include "../platform/auth/auth.h"

/* Routes: /api/v1/regions…, /api/v1/departments, /api/v1/institutions…, /api/v1/practitioners…,
 * /api/v1/vocab, /api/v1/grids…, /api/v1/responsibilities…. */
extern const yj_route yj_region_routes[], yj_institution_routes[], yj_practitioner_routes[], yj_vocab_routes[],
	yj_grid_routes[], yj_responsibility_routes[], yj_filing_routes[], yj_reg_kind_routes[];
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
/* The names of the institutions ids[0..n) into names (an object: decimal id → name; unknown ids
 * left out), whatever the caller's scope: for showing a reference the caller already holds. One
 * statement per 500 ids. */
int yj_subject_names(store_conn *c, const int64_t *ids, size_t n, json_t *names);

/* ---- what other capabilities read of regions and departments (regions_read.c) ---- */
/* 1 when the region exists, 0 when not, or a failure. */
int yj_region_exists(store_conn *c, const char *code);
/* The names of the regions codes[0..n) into names (an object: code → name; unknown codes left out).
 * One statement per 500 codes. */
int yj_region_names(store_conn *c, const char *const *codes, size_t n, json_t *names);
/* A department's Chinese name into name (cap bytes): ST_OK, ST_NOTFOUND or a failure. */
int yj_department_name(store_conn *c, const char *code, char *name, size_t cap);

/* Loads the compiled-in region table (data/regions.csv) into regions; used by migration 2. */
int yj_regions_load(store_conn *c);

#endif
