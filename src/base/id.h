/* id.h — application-generated row ids. No database sequences, so a sharded PostgreSQL works:
 * 41 bits of milliseconds since 2020-01-01 UTC, then 22 bits from a per-process random start plus
 * a counter. Ids sort by creation time; JSON carries them as strings (they exceed 2^53). */
#ifndef YJ_ID_H
#define YJ_ID_H

#include <stdint.h>

/* Call once at start (needs a seeded randomness source; see yj_id_seed). Thread-safe afterwards. */
void yj_id_seed(uint32_t random_start);
int64_t yj_id_new(void);
/* The smallest id yj_id_new makes at epoch milliseconds ms: every id made before ms is below it. */
int64_t yj_id_at(int64_t ms);
/* Formats an id as decimal into out (at least 21 bytes). */
void yj_id_format(int64_t id, char out[21]);
/* Parses a decimal id; returns 0 and sets *id, or -1 on anything else. */
int yj_id_parse(const char *s, int64_t *id);

#endif
