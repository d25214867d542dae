/* auth_cache.c — what a session cookie or bearer token resolves to, cached in this process, and the one
 * read of the credential epoch (auth_epoch) that concurrent requests share. No SQL here: the epoch is read
 * through auth_store.c. The guarantee (docs/security.md): a change committed before a request arrives is
 * seen by that request, on every process, because the request trusts its cache only after a read of the
 * epoch that began after it arrived; every change that ends or alters a credential raises the epoch.
 * A route that confirms in its own statement (auth.c, yj_auth_confirm) makes that read itself, and
 * writes and sends nothing before it. */
#define _POSIX_C_SOURCE 200809L
#include "auth_int.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- the epoch read, combined ----
 * A request needs a value read by a query that started after the request arrived; a query already in
 * flight started too early, so the request waits for the next one, which it starts itself if nobody
 * has. Under load one round trip serves every request that arrived while the previous one ran. */

/* The latest epochs this process read: provisional authentication trusts only an entry cached under
 * them (an older one would fail its confirmation anyway). A hint: never what confirms a request. */
static _Atomic int64_t seen_cred = -1, seen_ref = -1;

void auth_cache_seen(int64_t epoch, int64_t ref)
{
	if (epoch >= atomic_load(&seen_cred)) {
		atomic_store(&seen_cred, epoch);
		atomic_store(&seen_ref, ref);
	}
}

static pthread_mutex_t ep_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ep_done = PTHREAD_COND_INITIALIZER;
static uint64_t ep_started, ep_finished; /* reads begun and ended, in order */
static int ep_in_flight, ep_rc;
static int64_t ep_value, ep_ref;

int auth_cache_epoch(store_conn *c, int64_t *epoch, int64_t *ref)
{
	pthread_mutex_lock(&ep_lock);
	uint64_t need = ep_started + 1; /* the first read to begin after now */
	for (;;) {
		if (ep_finished >= need) {
			int rc = ep_rc;
			*epoch = ep_value;
			*ref = ep_ref;
			pthread_mutex_unlock(&ep_lock);
			return rc;
		}
		if (!ep_in_flight)
			break;
		pthread_cond_wait(&ep_done, &ep_lock);
	}
	ep_in_flight = 1;
	uint64_t mine = ++ep_started;
	pthread_mutex_unlock(&ep_lock);
	int64_t v = 0, rv = 0;
	int rc = auth_epoch_read(c, &v, &rv);
	pthread_mutex_lock(&ep_lock);
	ep_in_flight = 0;
	ep_finished = mine;
	ep_value = v;
	ep_ref = rv;
	ep_rc = rc;
	if (rc == ST_OK)
		auth_cache_seen(v, rv);
	pthread_cond_broadcast(&ep_done);
	pthread_mutex_unlock(&ep_lock);
	*epoch = v;
	*ref = rv;
	return rc;
}

/* ---- the reference-data epoch of the request being handled ----
 * A request is handled by one thread from authentication to reply; authentication notes here the
 * epochs it read, so a handler can trust its own cache of reference data under the same rule. */

static _Thread_local const yj_req *ref_req;
static _Thread_local int64_t ref_value;

void auth_cache_note(const yj_req *r, int64_t ref)
{
	ref_req = r;
	ref_value = ref;
}

int yj_ref_epoch(const yj_req *r, int64_t *epoch)
{
	if (!r || ref_req != r)
		return 0;
	*epoch = ref_value;
	return 1;
}

static _Thread_local struct {
	const store_conn *c;
	int64_t serial, ref;
} tx_memo;

int yj_ref_epoch_tx(store_conn *c, int64_t *epoch)
{
	if (!auth_cache_enabled())
		return 0;
	if (tx_memo.c != c || tx_memo.serial != store_conn_tx_serial(c)) {
		int64_t cred = 0, ref = 0;
		int rc = auth_epoch_read(c, &cred, &ref);
		if (rc < 0)
			return rc;
		tx_memo.c = c;
		tx_memo.serial = store_conn_tx_serial(c);
		tx_memo.ref = ref;
	}
	*epoch = tx_memo.ref;
	return 1;
}

/* ---- the cache ----
 * A fixed table indexed by the credential's SHA-256 (never the secret itself); a collision replaces the
 * older entry, so the memory is bounded whatever the number of sessions. Misses are never cached. */

#define SLOTS 4096

typedef struct {
	char hash[65];
	int kind; /* 0 empty */
	int64_t epoch, ref; /* a principal holds reference data too (region name, department remit) */
	auth_cred cred;
} slot;

static slot slots[SLOTS];
static pthread_mutex_t slot_lock = PTHREAD_MUTEX_INITIALIZER;
static int cache_on; /* set once by serve before its threads start */

void yj_auth_cache_start(void)
{
	const char *v = getenv("YJ_AUTH_CACHE"); /* "off": for measuring the caches */
	cache_on = !(v && strcmp(v, "off") == 0);
}

int auth_cache_enabled(void)
{
	return cache_on;
}

static slot *slot_of(const char *hash)
{
	unsigned h = 0;
	for (int i = 0; i < 8 && hash[i]; i++) {
		char ch = hash[i];
		h = h << 4 | (unsigned)(ch <= '9' ? ch - '0' : (ch | 0x20) - 'a' + 10);
	}
	return &slots[h % SLOTS];
}

int auth_cache_get(const char *hash, int kind, int64_t epoch, int64_t ref, int64_t now, auth_cred *out)
{
	slot *s = slot_of(hash);
	int hit = 0;
	pthread_mutex_lock(&slot_lock);
	if (s->kind == kind && s->epoch == epoch && s->ref == ref && s->cred.expires > now && strcmp(s->hash, hash) == 0) {
		*out = s->cred;
		hit = 1;
	}
	pthread_mutex_unlock(&slot_lock);
	return hit;
}

int auth_cache_peek(const char *hash, int kind, int64_t now, auth_cred *out, int64_t *epoch, int64_t *ref)
{
	slot *s = slot_of(hash);
	int hit = 0;
	pthread_mutex_lock(&slot_lock);
	if (s->kind == kind && s->epoch == atomic_load(&seen_cred) && s->ref == atomic_load(&seen_ref) &&
	    s->cred.expires > now && strcmp(s->hash, hash) == 0) {
		*out = s->cred;
		*epoch = s->epoch;
		*ref = s->ref;
		hit = 1;
	}
	pthread_mutex_unlock(&slot_lock);
	return hit;
}

void auth_cache_put(const char *hash, int kind, int64_t epoch, int64_t ref, const auth_cred *cred)
{
	slot *s = slot_of(hash);
	pthread_mutex_lock(&slot_lock);
	/* Never replace an entry with one read under an older epoch. */
	if (!(s->kind && s->epoch > epoch && strcmp(s->hash, hash) == 0)) {
		memcpy(s->hash, hash, sizeof s->hash);
		s->kind = kind;
		s->epoch = epoch;
		s->ref = ref;
		s->cred = *cred;
	}
	pthread_mutex_unlock(&slot_lock);
}
