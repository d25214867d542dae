/* registry.h — the registry of subjects (主体库): institutions and practitioners with their history,
 * grids, responsibility lists, filings, licences and their code lists. (Regions and departments,
 * which scope rests on, are the platform's: platform/regions/regions.h.)
 * Other capabilities read subjects through record.h. */
#ifndef YJ_REGISTRY_H
#define YJ_REGISTRY_H

#include "../platform/http/http.h"
#include "../platform/auth/auth.h"

/* Routes: /api/v1/institutions…, /api/v1/practitioners…, /api/v1/vocab, /api/v1/grids…,
 * /api/v1/responsibilities…. (Regions and departments are the platform's: platform/regions/regions.h.) */
extern const yj_route yj_institution_routes[], yj_practitioner_routes[], yj_vocab_routes[],
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
/* The names of the institutions ids[0..n) into names (an object: decimal id → name; unknown ids
 * left out), whatever the caller's scope: for showing a reference the caller already holds. One
 * statement per 500 ids. */
int yj_subject_names(store_conn *c, const int64_t *ids, size_t n, json_t *names);


#endif
