/* test_merkle.c — the Merkle primitives against RFC 6962's reference vectors (the tree of the
 * certificate-transparency test suite, cross-checked with an independent script), then every
 * inclusion and consistency proof for all m ≤ n ≤ 20, and tampered proofs that must fail. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "platform/audit/audit.h"

typedef unsigned char hash[YJ_HASH_LEN];

static const char *const ct_inputs[] = {"", "00", "10", "2021", "3031", "40414243", "5051525354555657",
					"606162636465666768696a6b6c6d6e6f"};

/* MTH of the first n inputs, n = 0 … 8. */
static const char *const ct_roots[] = {
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
	"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
	"aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
	"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
	"4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
	"76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
	"ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
	"5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

typedef struct vector {
	size_t m, n;
	const char *hashes[3];
	size_t len;
} vector;

/* Leaf indexes are 0-based here (the CT suite counts from 1). */
static const vector ct_inclusion[] = {
	{0, 8, {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
		"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
		"6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}, 3},
	{5, 8, {"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
		"ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
		"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}, 3},
	{2, 3, {"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"}, 1},
	{1, 5, {"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
		"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
		"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}, 3},
};

static const vector ct_consistency[] = {
	{1, 1, {NULL}, 0},
	{1, 8, {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
		"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
		"6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}, 3},
	{6, 8, {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
		"ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
		"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}, 3},
	{2, 5, {"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
		"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}, 2},
};

static void ct_leaves(hash out[8])
{
	for (size_t i = 0; i < 8; i++) {
		unsigned char data[16];
		int n = yj_hex_decode(ct_inputs[i], data, sizeof data);
		assert_true(n >= 0);
		yj_merkle_leaf_hash(data, (size_t)n, out[i]);
	}
}

static void assert_hex(const unsigned char *h, const char *want)
{
	char hx[2 * YJ_HASH_LEN + 1];
	yj_hex_encode(h, YJ_HASH_LEN, hx);
	assert_string_equal(hx, want);
}

static void root_of(hash *leaves, size_t n, hash out)
{
	yj_merkle_root((const unsigned char (*)[YJ_HASH_LEN])leaves, n, out);
}

static void reference_roots(void **state)
{
	hash leaves[8], root;
	ct_leaves(leaves);
	for (size_t n = 0; n <= 8; n++) {
		root_of(leaves, n, root);
		assert_hex(root, ct_roots[n]);
	}
	/* One leaf: the tree hash is the leaf hash, SHA-256(0x00 ‖ data). */
	yj_merkle_leaf_hash("", 0, root);
	assert_hex(root, ct_roots[1]);
}

static void reference_proofs(void **state)
{
	hash leaves[8];
	ct_leaves(leaves);
	for (size_t v = 0; v < YJ_ARRAY_LEN(ct_inclusion); v++) {
		const vector *t = &ct_inclusion[v];
		unsigned char (*p)[YJ_HASH_LEN];
		size_t len;
		assert_int_equal(yj_merkle_inclusion((const unsigned char (*)[YJ_HASH_LEN])leaves, t->n, t->m, &p, &len), YJ_OK);
		assert_int_equal(len, t->len);
		for (size_t i = 0; i < len; i++)
			assert_hex(p[i], t->hashes[i]);
		free(p);
	}
	for (size_t v = 0; v < YJ_ARRAY_LEN(ct_consistency); v++) {
		const vector *t = &ct_consistency[v];
		unsigned char (*p)[YJ_HASH_LEN];
		size_t len;
		assert_int_equal(yj_merkle_consistency((const unsigned char (*)[YJ_HASH_LEN])leaves, t->n, t->m, &p, &len),
				 YJ_OK);
		assert_int_equal(len, t->len);
		for (size_t i = 0; i < len; i++)
			assert_hex(p[i], t->hashes[i]);
		free(p);
	}
}

#define N_MAX 20

static void make_leaves(hash leaves[N_MAX])
{
	for (unsigned i = 0; i < N_MAX; i++) {
		unsigned char d[2] = {(unsigned char)i, (unsigned char)(i * 7)};
		yj_merkle_leaf_hash(d, sizeof d, leaves[i]);
	}
}

/* A proof with one bit flipped in each hash, one hash dropped, or one extra must fail. */
static void assert_inclusion_tamper_fails(const hash leaf, size_t m, size_t n, unsigned char (*p)[YJ_HASH_LEN],
					  size_t len, const hash root)
{
	for (size_t i = 0; i < len; i++) {
		p[i][i % YJ_HASH_LEN] ^= 0x01;
		assert_false(yj_merkle_verify_inclusion(leaf, m, n, (const unsigned char (*)[YJ_HASH_LEN])p, len, root));
		p[i][i % YJ_HASH_LEN] ^= 0x01;
	}
	if (len)
		assert_false(yj_merkle_verify_inclusion(leaf, m, n, (const unsigned char (*)[YJ_HASH_LEN])p, len - 1, root));
	unsigned char (*longer)[YJ_HASH_LEN] = yj_malloc((len + 1) * YJ_HASH_LEN);
	memcpy(longer, p, len * YJ_HASH_LEN);
	memcpy(longer[len], root, YJ_HASH_LEN);
	assert_false(yj_merkle_verify_inclusion(leaf, m, n, (const unsigned char (*)[YJ_HASH_LEN])longer, len + 1, root));
	free(longer);
}

static void inclusion_all_sizes(void **state)
{
	hash leaves[N_MAX], root, wrong;
	make_leaves(leaves);
	for (size_t n = 1; n <= N_MAX; n++) {
		root_of(leaves, n, root);
		for (size_t m = 0; m < n; m++) {
			unsigned char (*p)[YJ_HASH_LEN];
			size_t len;
			assert_int_equal(yj_merkle_inclusion((const unsigned char (*)[YJ_HASH_LEN])leaves, n, m, &p, &len), YJ_OK);
			const unsigned char (*cp)[YJ_HASH_LEN] = (const unsigned char (*)[YJ_HASH_LEN])p;
			assert_true(yj_merkle_verify_inclusion(leaves[m], m, n, cp, len, root));
			/* Another leaf, another index or another size must not verify. */
			assert_false(yj_merkle_verify_inclusion(leaves[(m + 1) % N_MAX], m, n, cp, len, root));
			if (n > 1)
				assert_false(yj_merkle_verify_inclusion(leaves[m], (m + 1) % n, n, cp, len, root));
			assert_false(yj_merkle_verify_inclusion(leaves[m], m, m, cp, len, root));
			memcpy(wrong, root, YJ_HASH_LEN);
			wrong[0] ^= 0x80;
			assert_false(yj_merkle_verify_inclusion(leaves[m], m, n, cp, len, wrong));
			assert_inclusion_tamper_fails(leaves[m], m, n, p, len, root);
			free(p);
		}
		unsigned char (*p)[YJ_HASH_LEN];
		size_t len;
		assert_int_equal(yj_merkle_inclusion((const unsigned char (*)[YJ_HASH_LEN])leaves, n, n, &p, &len), YJ_ERR);
	}
}

static void assert_consistency_tamper_fails(size_t m, size_t n, const hash r1, const hash r2,
					    unsigned char (*p)[YJ_HASH_LEN], size_t len)
{
	const unsigned char (*cp)[YJ_HASH_LEN] = (const unsigned char (*)[YJ_HASH_LEN])p;
	for (size_t i = 0; i < len; i++) {
		p[i][(i * 5) % YJ_HASH_LEN] ^= 0x10;
		assert_false(yj_merkle_verify_consistency(m, n, r1, r2, cp, len));
		p[i][(i * 5) % YJ_HASH_LEN] ^= 0x10;
	}
	if (len)
		assert_false(yj_merkle_verify_consistency(m, n, r1, r2, cp, len - 1));
	hash bad;
	memcpy(bad, r1, YJ_HASH_LEN);
	bad[31] ^= 1;
	assert_false(yj_merkle_verify_consistency(m, n, bad, r2, cp, len));
	memcpy(bad, r2, YJ_HASH_LEN);
	bad[31] ^= 1;
	assert_false(yj_merkle_verify_consistency(m, n, r1, bad, cp, len));
}

static void consistency_all_sizes(void **state)
{
	hash leaves[N_MAX], roots[N_MAX + 1];
	make_leaves(leaves);
	for (size_t n = 0; n <= N_MAX; n++)
		root_of(leaves, n, roots[n]);
	for (size_t n = 1; n <= N_MAX; n++)
		for (size_t m = 1; m <= n; m++) {
			unsigned char (*p)[YJ_HASH_LEN];
			size_t len;
			assert_int_equal(yj_merkle_consistency((const unsigned char (*)[YJ_HASH_LEN])leaves, n, m, &p, &len),
					 YJ_OK);
			const unsigned char (*cp)[YJ_HASH_LEN] = (const unsigned char (*)[YJ_HASH_LEN])p;
			assert_true(yj_merkle_verify_consistency(m, n, roots[m], roots[n], cp, len));
			if (m < n) {
				/* The proof is for these sizes only. */
				assert_false(yj_merkle_verify_consistency(m, n, roots[n], roots[m], cp, len));
				if (m > 1)
					assert_false(yj_merkle_verify_consistency(m - 1, n, roots[m - 1], roots[n], cp, len));
				assert_consistency_tamper_fails(m, n, roots[m], roots[n], p, len);
			} else {
				assert_int_equal(len, 0);
			}
			free(p);
		}
	/* From the empty tree everything follows; backwards nothing does. */
	assert_true(yj_merkle_verify_consistency(0, 5, roots[0], roots[5], NULL, 0));
	assert_false(yj_merkle_verify_consistency(0, 5, roots[1], roots[5], NULL, 0));
	assert_false(yj_merkle_verify_consistency(6, 5, roots[6], roots[5], NULL, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reference_roots),
		cmocka_unit_test(reference_proofs),
		cmocka_unit_test(inclusion_all_sizes),
		cmocka_unit_test(consistency_all_sizes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
