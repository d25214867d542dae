/* regions.h — the organisation model scope rests on: regions (GB/T 2260, down to towns) and
 * departments, owned by platform. Other modules read them through these functions, never in SQL. */
#ifndef YJ_REGIONS_H
#define YJ_REGIONS_H

#include "../http/http.h"

/* GET /api/v1/regions…, /api/v1/departments (regions_api.c). */
extern const yj_route yj_region_routes[];

typedef struct yj_region {
	char code[16];
	char name[128];
	int level; /* 1 province, 2 city, 3 county, 4 town/street */
	char parent_code[16]; /* "" for a province */
} yj_region;

/* One region by code: ST_OK, ST_NOTFOUND or a failure. */
int yj_region_get(store_conn *c, const char *code, yj_region *out);
/* A memo of yj_region_get on this thread, for a bulk check (the CSV import asks for the same few
 * counties once per row): between yj_regions_memo_begin and _end, each code is read once, found
 * or not. The region table is reference data written by migrations only, so a memo held for one
 * check cannot go stale in any way that matters. _end frees it. */
void yj_regions_memo_begin(void);
void yj_regions_memo_end(void);
/* 1 when the region exists, 0 when not, or a failure. */
int yj_region_exists(store_conn *c, const char *code);
/* The same answered from this process's cache when it was read under the reference-data epoch
 * (yj_ref_epoch_read; regions change only when it changes); epoch < 0: no cache, as yj_region_exists.
 * For a hot path such as public intake, which would otherwise read the region in every transaction. */
int yj_region_exists_at(store_conn *c, int64_t epoch, const char *code);
/* The regions whose parent is parent (children only), in code order, passed to fn; level > 0 also
 * keeps only that level and, with parent NULL, lists every region of the level whose code starts
 * with prefix (NULL: any). fn returns < 0 to stop with that result. */
typedef int (*yj_region_fn)(const yj_region *r, void *arg);
int yj_regions_each(store_conn *c, const char *parent, int level, const char *prefix, yj_region_fn fn, void *arg);

/* A department's Chinese name into name (cap bytes): ST_OK, ST_NOTFOUND or a failure. */
int yj_department_name(store_conn *c, const char *code, char *name, size_t cap);
/* The names of the regions codes[0..n) into names (an object: code → name; unknown codes left out).
 * One statement per 500 codes. ST_OK or a failure. */
int yj_region_names(store_conn *c, const char *const *codes, size_t n, json_t *names);

/* Loads the compiled-in region table (data/regions.csv) into regions (regions_seed.c). */
int yj_regions_load(store_conn *c);
/* The platform's migration steps (platform 0002: regions, 0003: towns); ST_OK for other versions. */
int yj_platform_after(store_conn *c, int64_t version);

#endif
