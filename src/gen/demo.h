/* demo.h — the demo region (yijian demo): a deterministic synthetic 温州市 with its real counties
 * and towns, about 2,000 institutions and 20,000 practitioners written through the registry's own
 * validation and insert (history, name index and audit leaf included), grids, multi-institution
 * practice filings, electronic licences issued through the licence module and one demo account per
 * role. The same seed gives the same region; running it
 * again on the same database only adds what is missing. */
#ifndef YJ_DEMO_H
#define YJ_DEMO_H

#include <stddef.h>
#include <stdint.h>

#include "../platform/store/store.h"

typedef struct yj_demo_opts {
	uint64_t seed;	       /* same seed, same names, codes and assignments */
	double scale;	       /* 1.0: about 2,000 institutions and 20,000 practitioners */
	const char *actor;     /* audit actor of every write, "cli:demo" */
	const char *password;  /* of the demo accounts */
	int progress;	       /* progress lines on stderr */
} yj_demo_opts;

/* What a run found and wrote. "present" counts records of the plan that already existed (a
 * re-run); "clash" counts planned records refused because another record holds one of their
 * unique values (e.g. a region built with another seed already uses the ID number). */
typedef struct yj_demo_stats {
	int counties, towns;
	int grids, grids_new;
	int institutions, institutions_new, institutions_clash;
	int practitioners, practitioners_new, practitioners_clash;
	int filings, filings_new;
	int users, users_new;
	int licences, licences_new, licences_clash; /* electronic licences (电子证照) */
	int physicians, nurses, pharmacists, technicians; /* of the plan */
	double inst_seconds, prac_seconds, licence_seconds, total_seconds;
} yj_demo_stats;

/* One demo account (all share opts.password). */
typedef struct yj_demo_account {
	const char *username, *display_name, *role, *region_code, *department;
	const char *role_zh, *region_zh, *department_zh; /* for the printed table */
} yj_demo_account;

extern const yj_demo_account yj_demo_accounts[];
extern const size_t yj_demo_naccounts;

/* Builds (or tops up) the demo region in s, which must be migrated and have its audit and
 * personal-data keys loaded. Returns ST_OK with *st filled, or a failure with *err (English,
 * caller frees). */
int yj_demo_build(store *s, const yj_demo_opts *o, yj_demo_stats *st, char **err);

/* ---- double random in the demo region (demo_inspection.c) ---- */

typedef struct yj_demo_insp_stats {
	int present; /* the drawn demo plan was there already: nothing was written */
	int inspectors, plans, tasks, completed, rectifications, published;
	int overdue; /* rectification orders past their deadline */
} yj_demo_insp_stats;

/* After yj_demo_build: the 鹿城区 inspector directory, a drawn plan with tasks in every state, a
 * rectification order, a publication and a draft plan, written through the API in process (the
 * route tables are the server's, given by the caller; keys is the key directory) as the demo
 * administrator. 0, or -1 with *err (English, caller frees). */
struct yj_route;
int yj_demo_inspection(store *s, const char *keys, const struct yj_route *const *tables, size_t ntables,
		       const char *password, yj_demo_insp_stats *st, char **err);

/* After yj_demo_inspection: a month of synthetic claims screened by the rule base in rules_dir and
 * stored for review in 温州市 (330300), once (demo_claims.c). 0, or -1 with *err (caller frees). */
typedef struct yj_demo_claims_stats {
	int present; /* a screening run was there already: nothing was written */
	int64_t lines, flags, amount_fen;
} yj_demo_claims_stats;
int yj_demo_claims(store *s, const char *rules_dir, yj_demo_claims_stats *st, char **err);

#endif
