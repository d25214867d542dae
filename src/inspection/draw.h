/* draw.h — the verifiable random draw of double random, one public (双随机、一公开): which
 * subjects are inspected and by whom. Pure computation over arrays — no store, no clock — so the
 * server, `yijian draw verify` and any independent re-implementation following docs/draw.md get
 * the same answer from the same bundle. Integer arithmetic only: weights are integers and every
 * random choice is an exact uniform integer from a ChaCha20 stream. */
#ifndef YJ_DRAW_H
#define YJ_DRAW_H

#include <stddef.h>
#include <stdint.h>

#define YJ_DRAW_MAX_DEPTS 8
#define YJ_DRAW_MAX_TEAM 8

typedef struct yj_draw_subject {
	const char *id;	    /* as the bundle carries it */
	const char *region; /* GB/T 2260 code of the subject */
	int64_t weight;	    /* > 0; thousandths (1000 = the base weight) */
	int due;	    /* due under the coverage period: taken first */
} yj_draw_subject;

typedef struct yj_draw_inspector {
	const char *id;
	const char *department;
	const char *region;	       /* territory: covers subjects whose region starts with its prefix */
	const size_t *conflicts;       /* ascending indices of subjects they must not inspect (declared conflicts) */
	size_t nconflicts;
	const size_t *previous;	       /* ascending indices of subjects they inspected last time (not twice running) */
	size_t nprevious;
} yj_draw_inspector;

typedef struct yj_draw_plan {
	int64_t count;			/* subjects to draw */
	int credit_share_permille;	/* share of non-due picks drawn by risk weight (≥ 500 by policy) */
	int team_size;			/* inspectors per subject, ≥ 2 */
	int ndepartments;		/* joint draws (联合抽查) name several */
	const char *departments[YJ_DRAW_MAX_DEPTS];
} yj_draw_plan;

typedef struct yj_draw_result {
	size_t n;	  /* subjects drawn */
	size_t *subjects; /* indices into the subject array, in draw order */
	size_t *teams;	  /* n × team_size indices into the inspector array */
	int team_size;
	int *phase;	  /* per drawn subject: 0 due (coverage), 1 credit-based (risk weight), 2 plain random */
} yj_draw_result;

/* seed = SHA-256("yijian-draw-v1" ‖ 0x00 ‖ secret ‖ 0x00 ‖ witness ‖ 0x00 ‖ input_hash_hex). */
void yj_draw_seed(const char *secret_hex, const char *witness, const char *input_hash_hex, unsigned char seed[32]);

/* Checks before any commitment that the plan can be drawn: count within the subject list, team
 * size 2..YJ_DRAW_MAX_TEAM, a positive weight everywhere, and for every subject enough inspectors of
 * the plan's departments covering it without a conflict (one per department in joint draws). Returns
 * 0, or -1 with *why (Chinese, caller frees) naming the first problem and how many subjects it hits. */
int yj_draw_check(const yj_draw_plan *p, const yj_draw_subject *s, size_t ns, const yj_draw_inspector *in, size_t ni,
		  char **why);

/* Runs the draw (docs/draw.md gives the algorithm step by step). Fills *out (free with
 * yj_draw_result_free). Returns 0, or -1 with *why when the plan fails yj_draw_check's conditions. */
int yj_draw_run(const yj_draw_plan *p, const yj_draw_subject *s, size_t ns, const yj_draw_inspector *in, size_t ni,
		const unsigned char seed[32], yj_draw_result *out, char **why);
void yj_draw_result_free(yj_draw_result *r);

/* The random stream, exposed for tests and for docs/draw.md's reference values. */
typedef struct yj_draw_stream {
	unsigned char key[32];
	uint32_t block;		/* next ChaCha20 block counter */
	unsigned char buf[4096];
	size_t pos;
} yj_draw_stream;
void yj_draw_stream_init(yj_draw_stream *st, const unsigned char seed[32]);
uint64_t yj_draw_u64(yj_draw_stream *st);	       /* next 8 bytes, little-endian */
uint64_t yj_draw_uniform(yj_draw_stream *st, uint64_t m); /* exact uniform in [0, m), m ≥ 1 */

#endif
