/* draw_bundle.h — the draw bundle: the self-contained JSON document the public portal publishes
 * for each draw (format "yijian-draw-v1", specified in docs/draw.md), and its verification.
 *
 *   {format, plan, subjects:[{id, region_code, weight, due, …}], inspectors:[{id, department,
 *    region_code, conflicts:[subject ids], previous:[subject ids], …}],
 *    commitment:{input_hash, secret_hash, …}, witness, server_secret, seed, result:{subjects:[…]}}
 *
 * Extra members are allowed (names, factor breakdowns); what is inside format, plan, subjects and
 * inspectors is covered by the input hash. Bundles are borrowed; results are new references. */
#ifndef YJ_DRAW_BUNDLE_H
#define YJ_DRAW_BUNDLE_H

#include <jansson.h>

#include "draw.h"

#define YJ_DRAW_FORMAT "yijian-draw-v1"

/* SHA-256 (hex) of the RFC 8785 canonical JSON of {format, plan, subjects, inspectors}: what the
 * commitment binds before the draw. 0, or -1 with *why (caller frees; why may be NULL) when the
 * input holds what RFC 8785 cannot carry (an integer beyond ±(2^53 − 1)). */
int yj_draw_input_hash(const json_t *bundle, char out[65], char **why);
/* RFC 8785 (JCS) text of v: keys sorted by UTF-16 code units, minimal escapes (lower-case hex),
 * numbers as ECMAScript prints them. New string (caller frees), or NULL with *why (caller frees). */
char *yj_draw_jcs(const json_t *v, char **why);
/* SHA-256 (hex) of the 32 secret bytes given as 64 hex digits. */
void yj_draw_secret_hash(const char *secret_hex, char out[65]);

/* yj_draw_check on a bundle's input, before it is committed: 0, or -1 with *why (caller frees). */
int yj_draw_precheck(const json_t *bundle, char **why);
/* Runs the draw of the bundle's input with the secret and witness: *result = {subjects:[{id,
 * phase, inspectors}]}, seed_hex the seed. 0, or -1 with *why (caller frees). */
int yj_draw_bundle_compute(const json_t *bundle, const char *secret_hex, const char *witness, json_t **result,
			   char seed_hex[65], char **why);

/* Recomputes a complete bundle: 0 when it reproduces its result (*report "match: …"), 1 when it
 * does not (*report names the first difference), -1 when it is not a bundle. *report: caller frees. */
int yj_draw_bundle_verify(const json_t *bundle, char **report);

#endif
