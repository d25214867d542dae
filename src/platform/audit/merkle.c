/* merkle.c — the Merkle tree of RFC 6962 §2.1 over leaf hashes: the tree hash (MTH), audit paths
 * (PATH) and consistency proofs (PROOF) as the RFC defines them recursively, and the iterative
 * verifiers of RFC 9162 §2.1.3.2 and §2.1.4.2, which share no code with the generators on purpose. */
#include "audit.h"
#include "../../base/base.h"

#include <openssl/sha.h>
#include <stdlib.h>
#include <string.h>

/* A tree of 2^64 leaves has paths of at most 64 hashes. */
#define MAX_DEPTH 64

void yj_merkle_leaf_hash(const void *data, size_t len, unsigned char out[YJ_HASH_LEN])
{
	unsigned char small[1024];
	unsigned char *buf = len < sizeof small ? small : yj_malloc(len + 1);
	buf[0] = 0x00;
	if (len)
		memcpy(buf + 1, data, len);
	SHA256(buf, len + 1, out);
	if (buf != small)
		free(buf);
}

/* out may alias l or r: the input is copied before hashing. */
void yj_merkle_node_hash(const unsigned char l[YJ_HASH_LEN], const unsigned char r[YJ_HASH_LEN],
			 unsigned char out[YJ_HASH_LEN])
{
	unsigned char buf[1 + 2 * YJ_HASH_LEN];
	buf[0] = 0x01;
	memcpy(buf + 1, l, YJ_HASH_LEN);
	memcpy(buf + 1 + YJ_HASH_LEN, r, YJ_HASH_LEN);
	SHA256(buf, sizeof buf, out);
}

/* The largest power of two strictly smaller than n (n > 1): the RFC's split point k. */
static size_t split(size_t n)
{
	size_t k = 1;
	while (k < n - k)
		k <<= 1;
	return k;
}

void yj_merkle_root(const unsigned char (*leaves)[YJ_HASH_LEN], size_t n, unsigned char out[YJ_HASH_LEN])
{
	if (n == 0) {
		SHA256((const unsigned char *)"", 0, out);
		return;
	}
	if (n == 1) {
		memcpy(out, leaves[0], YJ_HASH_LEN);
		return;
	}
	size_t k = split(n);
	unsigned char l[YJ_HASH_LEN], r[YJ_HASH_LEN];
	yj_merkle_root(leaves, k, l);
	yj_merkle_root(leaves + k, n - k, r);
	yj_merkle_node_hash(l, r, out);
}

/* Hashes collected leaf-side first, as the RFC lists them; bounded by MAX_DEPTH. */
typedef struct hash_list {
	size_t n;
	unsigned char h[MAX_DEPTH][YJ_HASH_LEN];
} hash_list;

/* PATH(m, D[n]): the recursion descends towards leaf m; each level's sibling is appended after
 * the deeper levels, so the list ends up ordered from the leaf upwards. */
static void path(const unsigned char (*d)[YJ_HASH_LEN], size_t n, size_t m, hash_list *out)
{
	if (n <= 1)
		return;
	size_t k = split(n);
	if (m < k) {
		path(d, k, m, out);
		yj_merkle_root(d + k, n - k, out->h[out->n++]);
	} else {
		path(d + k, n - k, m - k, out);
		yj_merkle_root(d, k, out->h[out->n++]);
	}
}

/* SUBPROOF(m, D[n], b) of RFC 6962 §2.1.2; complete is b. */
static void subproof(const unsigned char (*d)[YJ_HASH_LEN], size_t n, size_t m, int complete, hash_list *out)
{
	if (m == n) {
		if (!complete)
			yj_merkle_root(d, n, out->h[out->n++]);
		return;
	}
	size_t k = split(n);
	if (m <= k) {
		subproof(d, k, m, complete, out);
		yj_merkle_root(d + k, n - k, out->h[out->n++]);
	} else {
		subproof(d + k, n - k, m - k, 0, out);
		yj_merkle_root(d, k, out->h[out->n++]);
	}
}

/* Hands the collected hashes to the caller in a new array (never NULL, so free() is uniform). */
static void hand_over(const hash_list *l, unsigned char (**dst)[YJ_HASH_LEN], size_t *len)
{
	*dst = yj_malloc((l->n ? l->n : 1) * YJ_HASH_LEN);
	memcpy(*dst, l->h, l->n * YJ_HASH_LEN);
	*len = l->n;
}

int yj_merkle_inclusion(const unsigned char (*leaves)[YJ_HASH_LEN], size_t n, size_t m,
			unsigned char (**out)[YJ_HASH_LEN], size_t *len)
{
	*out = NULL;
	*len = 0;
	if (m >= n)
		return YJ_ERR;
	hash_list l = {0};
	path(leaves, n, m, &l);
	hand_over(&l, out, len);
	return YJ_OK;
}

/* Sizes 0 and n prove nothing and give an empty proof; the RFC defines PROOF for 0 < m < n. */
int yj_merkle_consistency(const unsigned char (*leaves)[YJ_HASH_LEN], size_t n, size_t m,
			  unsigned char (**out)[YJ_HASH_LEN], size_t *len)
{
	*out = NULL;
	*len = 0;
	if (m > n)
		return YJ_ERR;
	hash_list l = {0};
	if (m > 0 && m < n)
		subproof(leaves, n, m, 1, &l);
	hand_over(&l, out, len);
	return YJ_OK;
}

static int same(const unsigned char a[YJ_HASH_LEN], const unsigned char b[YJ_HASH_LEN])
{
	return memcmp(a, b, YJ_HASH_LEN) == 0;
}

int yj_merkle_verify_inclusion(const unsigned char leaf[YJ_HASH_LEN], size_t m, size_t n,
			       const unsigned char (*p)[YJ_HASH_LEN], size_t len, const unsigned char root[YJ_HASH_LEN])
{
	if (m >= n)
		return 0;
	uint64_t fn = m, sn = n - 1;
	unsigned char r[YJ_HASH_LEN];
	memcpy(r, leaf, YJ_HASH_LEN);
	for (size_t i = 0; i < len; i++) {
		if (sn == 0)
			return 0; /* the path is longer than the tree is deep */
		if ((fn & 1) || fn == sn) {
			yj_merkle_node_hash(p[i], r, r);
			while (!(fn & 1) && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
		} else {
			yj_merkle_node_hash(r, p[i], r);
		}
		fn >>= 1;
		sn >>= 1;
	}
	return sn == 0 && same(r, root);
}

static int is_pow2(size_t v)
{
	return v && !(v & (v - 1));
}

int yj_merkle_verify_consistency(size_t m, size_t n, const unsigned char old_root[YJ_HASH_LEN],
				 const unsigned char new_root[YJ_HASH_LEN], const unsigned char (*p)[YJ_HASH_LEN],
				 size_t len)
{
	if (m > n)
		return 0;
	if (m == n)
		return len == 0 && same(old_root, new_root);
	if (m == 0) {
		unsigned char empty[YJ_HASH_LEN];
		yj_merkle_root(NULL, 0, empty);
		return len == 0 && same(old_root, empty);
	}
	if (len == 0)
		return 0;
	/* When m is a power of two the old root is itself a node of the new tree, and the proof
	 * leaves it out: the RFC prepends it. Here i starts one step later instead. */
	size_t i = 0;
	unsigned char fr[YJ_HASH_LEN], sr[YJ_HASH_LEN];
	memcpy(fr, is_pow2(m) ? old_root : p[i++], YJ_HASH_LEN);
	memcpy(sr, fr, YJ_HASH_LEN);
	uint64_t fn = m - 1, sn = n - 1;
	while (fn & 1) {
		fn >>= 1;
		sn >>= 1;
	}
	for (; i < len; i++) {
		if (sn == 0)
			return 0;
		if ((fn & 1) || fn == sn) {
			yj_merkle_node_hash(p[i], fr, fr);
			yj_merkle_node_hash(p[i], sr, sr);
			while (!(fn & 1) && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
		} else {
			yj_merkle_node_hash(sr, p[i], sr);
		}
		fn >>= 1;
		sn >>= 1;
	}
	return sn == 0 && same(fr, old_root) && same(sr, new_root);
}
