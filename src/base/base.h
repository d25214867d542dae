/* base.h — the few things every module of yijian shares: the return-code convention, the
 * allocation wrappers (they abort on out-of-memory, so callers never check), and a growable byte buffer.
 * base/ knows nothing but libc. */
#ifndef YJ_BASE_H
#define YJ_BASE_H

#include <stddef.h>
#include <stdint.h>
#include <stdarg.h>
#include <string.h>

/* One convention across the codebase: 0 is success, a negative value is failure. */
#define YJ_OK 0
#define YJ_ERR (-1)

#define YJ_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#if defined(__GNUC__)
#define YJ_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define YJ_PRINTF(f, a)
#endif

/* Out-of-memory policy, decided once: our own allocations abort. */
void *yj_malloc(size_t n);
void *yj_calloc(size_t count, size_t n);
void *yj_realloc(void *p, size_t n);
/* Returns a copy the caller frees; NULL in gives NULL out. */
char *yj_strdup(const char *s);
char *yj_strndup(const char *s, size_t n);
/* printf into a new string the caller frees. */
char *yj_asprintf(const char *fmt, ...) YJ_PRINTF(1, 2);

/* A growable byte buffer, always NUL-terminated. Init with YJ_BUF_INIT; yj_buf_free releases it;
 * yj_buf_detach hands the storage to the caller (who then frees it) and resets the buffer. */
typedef struct yj_buf {
	char *data;
	size_t len;
	size_t cap;
} yj_buf;
#define YJ_BUF_INIT {NULL, 0, 0}

void yj_buf_grow_append(yj_buf *b, const void *p, size_t n);
/* Inline while the bytes fit: a page of JSON rows makes thousands of small appends, and the call was
 * a fifth of a search's instructions in the worker (docs/benchmarks.md, "the search's saturation"). */
static inline void yj_buf_append(yj_buf *b, const void *p, size_t n)
{
	if (b->len + n < b->cap) {
		if (n) /* p may be NULL then, which memcpy must not be given */
			memcpy(b->data + b->len, p, n);
		b->len += n;
		b->data[b->len] = '\0';
	} else {
		yj_buf_grow_append(b, p, n);
	}
}
void yj_buf_puts(yj_buf *b, const char *s);
void yj_buf_printf(yj_buf *b, const char *fmt, ...) YJ_PRINTF(2, 3);
void yj_buf_vprintf(yj_buf *b, const char *fmt, va_list ap);
void yj_buf_reset(yj_buf *b);
char *yj_buf_detach(yj_buf *b);
void yj_buf_free(yj_buf *b);

/* Strings copied into blocks that are freed together: for the many small texts a bulk write holds
 * to its end (an import's deferred audit leaves and events), one free per block instead of one per
 * text. A copy stays where it is until yj_strpool_free. Init with YJ_STRPOOL_INIT. */
typedef struct yj_strpool {
	struct yj_strpool_block *head;
	size_t used, cap; /* in head */
} yj_strpool;
#define YJ_STRPOOL_INIT {NULL, 0, 0}
char *yj_strpool_dup(yj_strpool *p, const char *s);
void yj_strpool_free(yj_strpool *p);

/* Wall clock as UTC epoch milliseconds, a monotonic clock in nanoseconds for durations, and the calling
 * thread's CPU time in nanoseconds (for log lines that set a phase's CPU beside its wall time). */
int64_t yj_now_ms(void);
uint64_t yj_mono_ns(void);
uint64_t yj_thread_cpu_ns(void);

/* Lower-case hex of n bytes into out (2n+1 bytes). hex_decode returns the number of bytes or -1. */
void yj_hex_encode(const unsigned char *in, size_t n, char *out);
int yj_hex_decode(const char *hex, unsigned char *out, size_t cap);

/* Constant-time comparison for secrets of equal length. */
int yj_ct_equal(const void *a, const void *b, size_t n);

/* True when s is valid UTF-8 (no overlongs, no surrogates). */
int yj_utf8_valid(const char *s, size_t n);
/* The length (2–4) of the valid UTF-8 sequence at s[0..n) that starts with a byte >= 0x80, or 0 when it
 * is not one (a stray continuation byte, a truncated, overlong or surrogate sequence, or beyond
 * U+10FFFF): the rules yj_utf8_valid applies, and jansson's utf8_check_full. */
size_t yj_utf8_seq(const unsigned char *s, size_t n);
/* Number of code points in a valid UTF-8 string. */
size_t yj_utf8_len(const char *s, size_t n);

#endif
