/* jsonw.h — JSON written straight into a byte buffer (yj_buf), byte for byte as jansson's json_dumps
 * writes the same values: the replies' lists without a tree per row (issue 15), and the canonical
 * texts that history and the audit log hash, without jansson's key sorting and dump callbacks. */
#ifndef YJ_JSONW_H
#define YJ_JSONW_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "base.h"

/* Append values to b byte for byte as json_dumps(JSON_COMPACT |
 * JSON_REAL_PRECISION(12)) of the same jansson values, which the replies use. A string that is not
 * UTF-8 (jansson would refuse it) goes out with U+FFFD for each byte that does not fit. yj_jw_cstr
 * writes NULL as null; yj_jw_key writes "key": ; yj_jw_json writes any jansson value (NULL: null). */
void yj_jw_str(yj_buf *b, const char *s, size_t n);
void yj_jw_cstr(yj_buf *b, const char *s);
void yj_jw_key(yj_buf *b, const char *key);
void yj_jw_int(yj_buf *b, int64_t v);
void yj_jw_real(yj_buf *b, double v);
/* v as %.<precision>g the way jansson writes a real at JSON_REAL_PRECISION(precision); 0 is jansson's
 * default, 17 digits. yj_jw_real is precision 12. */
void yj_jw_real_prec(yj_buf *b, double v, int precision);
/* The real e6 / 10^6 (micro-degrees as degrees) as yj_jw_real writes it, mostly without printf. */
void yj_jw_e6(yj_buf *b, int64_t e6);
void yj_jw_json(yj_buf *b, const json_t *v);
/* v as json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY | JSON_REAL_PRECISION(precision))
 * writes it (NULL: null): every object's keys in byte order. What the audit log's state text and
 * history's canonical records are made of — their bytes are hashed, so they must not change: the
 * tests compare them with jansson's on every kind of value. */
void yj_jw_canonical(yj_buf *b, const json_t *v, int precision);

#endif
