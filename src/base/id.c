/* id.c — time-ordered 63-bit ids; see id.h for the layout and why. */
#include "id.h"
#include "base.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#define EPOCH_2020_MS 1577836800000LL
#define LOW_BITS 22
#define LOW_MASK ((1u << LOW_BITS) - 1)

static _Atomic uint32_t counter;
static _Atomic int64_t last_ms;

void yj_id_seed(uint32_t random_start)
{
	atomic_store(&counter, random_start & LOW_MASK);
}

int64_t yj_id_new(void)
{
	int64_t ms = yj_now_ms() - EPOCH_2020_MS;
	/* Never go backwards when the wall clock steps back: reuse the last millisecond. */
	int64_t prev = atomic_load(&last_ms);
	while (ms > prev && !atomic_compare_exchange_weak(&last_ms, &prev, ms))
		;
	if (ms < prev)
		ms = prev;
	uint32_t low = atomic_fetch_add(&counter, 1) & LOW_MASK;
	return (ms << LOW_BITS) | (int64_t)low;
}

int64_t yj_id_at(int64_t ms)
{
	return ms > EPOCH_2020_MS ? (ms - EPOCH_2020_MS) << LOW_BITS : 0;
}

void yj_id_format(int64_t id, char out[21])
{
	snprintf(out, 21, "%lld", (long long)id);
}

int yj_id_parse(const char *s, int64_t *id)
{
	char *end;
	if (!s || !*s || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || *end || v <= 0)
		return -1;
	*id = v;
	return 0;
}
