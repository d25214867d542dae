/* demo_int.h — inside the demo generator: its random numbers, the in-memory plan of the region
 * (built first, entirely from the seed and the regions table) and the name tables that dress it.
 * demo_plan.c builds the plan, demo_names.c holds the names, demo.c writes the plan. */
#ifndef YJ_DEMO_INT_H
#define YJ_DEMO_INT_H

#include <stddef.h>
#include <stdint.h>

#include "demo.h"
#include "../base/date.h"
#include "../registry/registry.h"

#include <jansson.h>

/* The day the demo's dates are relative to (licence validity, 校验, ages). Fixed, so a seed gives
 * the same region whatever day it runs. */
#define DEMO_TODAY "2026-10-01"

/* ---- random numbers: splitmix64, our own so a seed means the same thing everywhere ---- */

typedef struct demo_rng {
	uint64_t s;
} demo_rng;

static inline uint64_t demo_next(demo_rng *r)
{
	uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

/* 0 .. n-1 */
static inline int demo_below(demo_rng *r, int n)
{
	return n <= 1 ? 0 : (int)(demo_next(r) % (uint64_t)n);
}

/* lo .. hi inclusive */
static inline int demo_range(demo_rng *r, int lo, int hi)
{
	return lo + demo_below(r, hi - lo + 1);
}

static inline double demo_unif(demo_rng *r)
{
	return (double)(demo_next(r) >> 11) / 9007199254740992.0;
}

static inline int demo_chance(demo_rng *r, double p)
{
	return demo_unif(r) < p;
}

/* ---- the plan ---- */

typedef struct demo_county {
	char code[7];
	char name[32];	    /* 鹿城区 */
	char prefix[48];    /* 温州市鹿城区 (districts) or 瑞安市 (county-level) as names begin */
	int pop;	    /* resident population, 10,000s (weights) */
	int urban;	    /* a district of the central city */
	double box[4];	    /* lng_min, lng_max, lat_min, lat_max */
	int town0, ntowns;  /* its towns in plan.towns */
	int street0;	    /* first 街道 among them, or -1 */
} demo_county;

typedef struct demo_town {
	char code[10];	   /* 9-digit town code, or the county's code for a county without town data */
	char name[48];	   /* 五马街道 */
	char short_name[48]; /* 五马 */
	int county;
	int street;	   /* 街道 (urban) rather than 镇/乡 */
	int grid0, ngrids; /* its grids in plan.grids */
} demo_town;

typedef struct demo_grid {
	char code[13];
	char name[64];
	int town;
	int64_t id;
} demo_grid;

typedef struct demo_inst {
	int kind;	   /* index into demo_kinds */
	int county, town;
	char credit[19], licence_no[23];
	char name[160], address[220];
	const char *level, *grade, *ownership, *profit, *state;
	char depts[128];   /* comma-separated codes */
	char equipment[64];
	int beds;
	double lng, lat;
	char valid_from[11], valid_to[11], verified_on[11], verify_due[11];
	int insured;
	char grid_code[13];
	int staff;	   /* practitioners with this primary institution */
	int64_t id;	   /* after writing (0: not written) */
} demo_inst;

typedef struct demo_prac {
	int inst;
	char name[32];
	char id_number[19];
	char cert[16];
	const char *category, *practice_type, *scope, *antibiotic, *assessment, *state;
	int rx, surgical, insurance;
	char assessment_date[11];
	char cert_from[11]; /* start of the current registration ("" for technicians: no licence) */
	int64_t id;
} demo_prac;

typedef struct demo_filing {
	int prac, inst;
	char start[11], end[11]; /* end "" when open */
} demo_filing;

typedef struct demo_plan {
	demo_county *counties;
	int ncounties;
	demo_town *towns;
	int ntowns;
	demo_grid *grids;
	int ngrids;
	demo_inst *insts;
	int ninsts;
	demo_prac *pracs;
	int npracs;
	demo_filing *filings;
	int nfilings;
	char **zj_counties; /* Zhejiang county codes for birthplaces in ID numbers */
	int nzj;
} demo_plan;

/* What a type of institution is like: the vocabulary code, how it is staffed, what it may do. */
typedef struct demo_kind {
	const char *key;      /* our name for the kind (several kinds may share a vocabulary type) */
	const char *type;     /* yj_voc_institution_type code */
	const char *suffix;   /* name ending: 口腔诊所 */
	const char *category; /* 4-character institution category of the licence number (after WS 218) */
	const char *depts;    /* registered clinical departments */
	int hospital;	      /* surgical grades, large equipment, beds */
	int staff_lo, staff_hi; /* fixed staff range; 0 = share of the rest by size */
	double insured;	      /* share designated by medical insurance */
} demo_kind;

extern const demo_kind demo_kinds[];
extern const size_t demo_nkinds;
int demo_kind_find(const char *key);

/* Builds the plan from the regions table; returns ST_OK or a failure with *err. */
int demo_plan_build(store_conn *c, const yj_demo_opts *o, demo_plan *p, char **err);
void demo_plan_free(demo_plan *p);
/* The region's credit (demo_credit.c): subjects in every grade and on every list. ST_OK or a failure. */
int yj_demo_credit(store *s, demo_plan *p, const char *actor);
/* The enforcement cases of the demo (demo_enforcement.c), after the region is written. */
int demo_enforcement(store *s, const demo_plan *p, const yj_demo_opts *o, char **err);
/* The other kinds of subject in every county, with their licences (demo_subjects.c). */
int demo_subjects(store *s, const demo_plan *p, const yj_demo_opts *o, char **err);

/* ---- names (demo_names.c) ---- */

/* A person's name: surname by Wenzhou frequency, one- or two-character given name by sex. */
void demo_person_name(demo_rng *r, int male, char out[32]);
/* A surname alone (clinics named after their doctor). */
const char *demo_surname(demo_rng *r);
/* A shop name for private institutions: 康宁, 仁爱, … */
const char *demo_brand(demo_rng *r);
/* The same for medical aesthetics: 丽人, 悦美, … */
const char *demo_beauty_brand(demo_rng *r);
const char *demo_road(demo_rng *r);
/* A village name for 村卫生室: 东垟村. */
void demo_village(demo_rng *r, char out[32]);
/* Chinese numeral 1..99 for grid names. */
void demo_numeral(int n, char out[16]);

/* Population (10,000s), urban flag and rough bounding box of a Wenzhou county; false when the
 * code is not one of the table's (the caller falls back to the city's centre). */
int demo_county_facts(const char *code, int *pop, int *urban, double box[4]);

/* Day number (base/date.h) of a YYYY-MM-DD the generator wrote itself; 0 when malformed. Days are
 * written back with yj_day_format. */
int64_t demo_days(const char *ymd);

/* ---- licences following their holders (demo.c) ---- */

/* The lifecycle action that makes a holder's licence follow the holder's state: LA_SUSPEND for a
 * suspended holder, LA_REVOKE for a revoked one, LA_COUNT (none) otherwise. None either for a
 * suspended holder whose licence has lapsed (valid_to before today, YYYY-MM-DD): the licence module
 * refuses to suspend an expired licence (it needs 延续 first), and a lapsed licence is out of use
 * already. valid_to may be NULL (no expiry). */
enum yj_licence_action demo_licence_follow(const char *holder_state, const char *valid_to, const char *today);
/* The generator's message for a record the registry or the licence module refused: the first
 * field error's field and detail, else why, else a plain "no reason given" — never "(null)".
 * errors and why may be NULL. The caller frees the result. */
char *demo_refusal_text(const char *what, const char *name, const json_t *errors, const char *why);
/* The demo's complaints, written through the complaints module (demo_complaints.c). ST_OK or a
 * failure with *err (English, caller frees). */
int yj_demo_complaints(store *s, const demo_plan *p, const char *actor, char **err);
/* The complaints module's second part (demo_cmp_work.c): rewards, joint actions and meetings, patrols,
 * public-opinion events, once (a re-run adds nothing). ST_OK or a failure with *err (caller frees). */
int yj_demo_complaints_work(store *s, const demo_plan *p, const char *actor, char **err);

#endif
