/* test_licence.c — electronic licences without a database: the canonical payload byte for byte,
 * signing and verification (also of whole downloaded files), tamper and wrong-key detection,
 * verification codes (alphabet, length, uniqueness), numbers, term dates, the key files and every
 * lifecycle transition. */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include <unistd.h>

#include "base/base.h"
#include "registry/licence.h"

static char keydir[64];

static const yj_licence_fields sample = {
	"med_inst_practice", "医疗机构执业许可证", "013303022026123456", "institution", 1234567890123LL,
	"温州市鹿城区\"康宁\"诊所", "52330302100000017X", "温州市鹿城区卫生健康局", "2026-01-15", "2031-01-14",
	"ABCDEFGH23456789", 1,
};

static int setup(void **state)
{
	(void)state;
	snprintf(keydir, sizeof keydir, "/tmp/yj-licence-test-XXXXXX");
	assert_non_null(mkdtemp(keydir));
	char *err = NULL;
	assert_int_equal(yj_licence_keys_load(keydir, &err), YJ_OK);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char path[128];
	snprintf(path, sizeof path, "%s/licence.key", keydir);
	unlink(path);
	snprintf(path, sizeof path, "%s/licence.pub", keydir);
	unlink(path);
	rmdir(keydir);
	return 0;
}

static void canonical_form(void **state)
{
	(void)state;
	json_t *p = yj_licence_payload(&sample);
	char *c = yj_licence_canonical(p);
	/* Keys in byte order, no white space, Chinese as UTF-8, quotes escaped, version a number. */
	assert_string_equal(c, "{\"holder_id\":\"1234567890123\",\"holder_identifier\":\"52330302100000017X\","
			       "\"holder_name\":\"温州市鹿城区\\\"康宁\\\"诊所\",\"holder_type\":\"institution\","
			       "\"issuer\":\"温州市鹿城区卫生健康局\",\"kind\":\"med_inst_practice\",\"kind_name\":\"医疗机构执业许可证\","
			       "\"number\":\"013303022026123456\",\"valid_from\":\"2026-01-15\",\"valid_to\":\"2031-01-14\","
			       "\"verify_code\":\"ABCDEFGH23456789\",\"version\":1}");
	free(c);
	json_decref(p);
	/* No expiry: valid_to is JSON null, not absent. */
	yj_licence_fields f = sample;
	f.valid_to = NULL;
	p = yj_licence_payload(&f);
	c = yj_licence_canonical(p);
	assert_non_null(strstr(c, "\"valid_to\":null,"));
	const char *why;
	assert_int_equal(yj_licence_payload_check(p, &why), 0);
	free(c);
	json_decref(p);
}

/* A downloaded file for f, as GET /api/v1/licences/{id}/download writes it (caller frees). */
static char *file_of(const yj_licence_fields *f, const char *pk)
{
	json_t *p = yj_licence_payload(f);
	char *c = yj_licence_canonical(p), sig[129];
	assert_int_equal(yj_licence_sign(c, sig), YJ_OK);
	json_t *doc = json_pack("{s:o, s:s, s:s, s:s}", "payload", p, "signature", sig, "public_key", pk, "algorithm", "ed25519");
	char *text = json_dumps(doc, JSON_INDENT(2));
	json_decref(doc);
	free(c);
	return text;
}

static char *replace(const char *s, const char *from, const char *to)
{
	const char *at = strstr(s, from);
	assert_non_null(at);
	return yj_asprintf("%.*s%s%s", (int)(at - s), s, to, at + strlen(from));
}

static void sign_and_verify(void **state)
{
	(void)state;
	const char *pk = yj_licence_public_key_hex();
	assert_non_null(pk);
	assert_int_equal(strlen(pk), 64);
	json_t *p = yj_licence_payload(&sample);
	char *c = yj_licence_canonical(p), sig[129];
	assert_int_equal(yj_licence_sign(c, sig), YJ_OK);
	assert_int_equal(strlen(sig), 128);
	assert_int_equal(yj_licence_signature_ok(p, sig, pk), 1);
	/* Key order in the object does not matter: the canonical form sorts. */
	json_t *shuffled = json_loads("{\"version\":1}", 0, NULL);
	json_object_update(shuffled, p);
	assert_int_equal(yj_licence_signature_ok(shuffled, sig, pk), 1);
	json_decref(shuffled);
	/* Malformed signature or key. */
	assert_int_equal(yj_licence_signature_ok(p, "abcd", pk), -1);
	assert_int_equal(yj_licence_signature_ok(p, sig, "zz"), -1);

	char *text = file_of(&sample, pk), *why = NULL;
	json_t *out = NULL;
	assert_int_equal(yj_licence_file_verify(text, strlen(text), NULL, &out, &why), 1);
	assert_string_equal(json_string_value(json_object_get(out, "number")), sample.number);
	json_decref(out);
	assert_int_equal(yj_licence_file_verify(text, strlen(text), pk, &out, &why), 1);
	json_decref(out);
	free(text);
	free(c);
	json_decref(p);
}

static void tamper_detected(void **state)
{
	(void)state;
	const char *pk = yj_licence_public_key_hex();
	char *text = file_of(&sample, pk), *why = NULL;
	json_t *out = NULL;
	/* Every altered value fails: name, dates, number, version, identifier. */
	static const char *const edits[][2] = {
		{"康宁", "康泰"}, {"2031-01-14", "2041-01-14"}, {"013303022026123456", "013303022026123457"},
		{"\"version\": 1", "\"version\": 2"}, {"52330302100000017X", "52330302100000018X"},
	};
	for (size_t i = 0; i < sizeof edits / sizeof edits[0]; i++) {
		char *bad = replace(text, edits[i][0], edits[i][1]);
		assert_int_equal(yj_licence_file_verify(bad, strlen(bad), NULL, &out, &why), 0);
		assert_null(out);
		assert_non_null(strstr(why, "tampered"));
		free(why);
		free(bad);
	}
	/* A different key than the one that signed: "wrong key", also named as such. */
	char other[65];
	memset(other, 'a', 64);
	other[64] = '\0';
	assert_int_equal(yj_licence_file_verify(text, strlen(text), other, &out, &why), 0);
	assert_non_null(strstr(why, "wrong key"));
	free(why);
	/* A forger's file: altered content signed with their own key, which they put in the file. It
	 * holds against its own key — hence the CLI's warning — and fails against the published one. */
	unsigned char fpk[crypto_sign_PUBLICKEYBYTES], fsk[crypto_sign_SECRETKEYBYTES], fsig[crypto_sign_BYTES];
	char fpk_hex[65], fsig_hex[129];
	crypto_sign_keypair(fpk, fsk);
	yj_licence_fields forged = sample;
	forged.valid_to = "2099-12-31";
	json_t *fp = yj_licence_payload(&forged);
	char *fc = yj_licence_canonical(fp);
	crypto_sign_detached(fsig, NULL, (const unsigned char *)fc, strlen(fc), fsk);
	yj_hex_encode(fpk, sizeof fpk, fpk_hex);
	yj_hex_encode(fsig, sizeof fsig, fsig_hex);
	json_t *fdoc = json_pack("{s:o, s:s, s:s, s:s}", "payload", fp, "signature", fsig_hex, "public_key", fpk_hex,
				 "algorithm", "ed25519");
	char *ftext = json_dumps(fdoc, 0);
	assert_int_equal(yj_licence_file_verify(ftext, strlen(ftext), NULL, &out, &why), 1);
	json_decref(out);
	assert_int_equal(yj_licence_file_verify(ftext, strlen(ftext), pk, &out, &why), 0);
	assert_non_null(strstr(why, "wrong key"));
	free(why);
	free(ftext);
	free(fc);
	json_decref(fdoc);
	/* Malformed files. */
	static const char *const malformed[] = {
		"not json", "[]", "{\"payload\":{}, \"signature\":\"00\", \"public_key\":\"00\", \"algorithm\":\"ed25519\"}",
	};
	for (size_t i = 0; i < sizeof malformed / sizeof malformed[0]; i++) {
		assert_int_equal(yj_licence_file_verify(malformed[i], strlen(malformed[i]), NULL, &out, &why), -1);
		assert_non_null(why);
		free(why);
	}
	char *alg = replace(text, "\"ed25519\"", "\"rsa\"");
	assert_int_equal(yj_licence_file_verify(alg, strlen(alg), NULL, &out, &why), -1);
	free(why);
	free(alg);
	char *extra = replace(text, "\"version\": 1", "\"version\": 1, \"state\": \"valid\"");
	assert_int_equal(yj_licence_file_verify(extra, strlen(extra), NULL, &out, &why), -1);
	free(why);
	free(extra);
	char *missing = replace(text, "\"valid_from\": \"2026-01-15\",", "");
	assert_int_equal(yj_licence_file_verify(missing, strlen(missing), NULL, &out, &why), -1);
	free(why);
	free(missing);
	free(text);
}

static int cmp_code(const void *a, const void *b)
{
	return memcmp(a, b, YJ_LICENCE_CODE_LEN + 1);
}

static void verification_codes(void **state)
{
	(void)state;
	enum { N = 20000 };
	char(*codes)[YJ_LICENCE_CODE_LEN + 1] = calloc(N, sizeof *codes);
	int seen[128] = {0};
	assert_int_equal(strlen(yj_licence_code_alphabet), 30);
	for (int i = 0; i < N; i++) {
		yj_licence_code_new(codes[i]);
		assert_int_equal(strlen(codes[i]), YJ_LICENCE_CODE_LEN);
		for (int j = 0; j < YJ_LICENCE_CODE_LEN; j++) {
			assert_non_null(strchr(yj_licence_code_alphabet, codes[i][j]));
			assert_null(strchr("0O1IlLU", codes[i][j])); /* nothing misread from paper */
			seen[(int)codes[i][j]]++;
		}
	}
	/* Every character of the alphabet is used, none much more than its share (uniform draw). */
	double share = (double)N * YJ_LICENCE_CODE_LEN / 30;
	for (const char *a = yj_licence_code_alphabet; *a; a++) {
		assert_true(seen[(int)*a] > share * 0.9);
		assert_true(seen[(int)*a] < share * 1.1);
	}
	qsort(codes, N, sizeof *codes, cmp_code);
	for (int i = 1; i < N; i++)
		assert_int_not_equal(memcmp(codes[i - 1], codes[i], YJ_LICENCE_CODE_LEN), 0);
	free(codes);

	char out[YJ_LICENCE_CODE_LEN + 1];
	assert_int_equal(yj_licence_code_normalise("abcd-efgh 2345-6789", out), 0);
	assert_string_equal(out, "ABCDEFGH23456789");
	assert_int_equal(yj_licence_code_normalise("ABCDEFGH2345678", out), -1);   /* 15 */
	assert_int_equal(yj_licence_code_normalise("ABCDEFGH234567890", out), -1); /* 17 */
	assert_int_equal(yj_licence_code_normalise("ABCDEFGH2345678O", out), -1);  /* letter O */
	assert_int_equal(yj_licence_code_normalise("ABCDEFGH2345678%", out), -1);
	assert_int_equal(yj_licence_code_normalise("", out), -1);
}

static void numbers_and_dates(void **state)
{
	(void)state;
	char n[32];
	yj_licence_number_new(1, "330302", "2026-03-01", n);
	assert_int_equal(strlen(n), 18);
	assert_int_equal(strncmp(n, "013303022026", 12), 0);
	assert_int_equal(strspn(n, "0123456789"), 18);

	char d[11];
	yj_licence_term_end("2026-01-15", 5, d);
	assert_string_equal(d, "2031-01-14");
	yj_licence_term_end("2026-01-01", 1, d);
	assert_string_equal(d, "2026-12-31");
	yj_licence_term_end("2024-02-29", 1, d);
	assert_string_equal(d, "2025-02-28");
	yj_licence_term_end("2024-02-29", 4, d);
	assert_string_equal(d, "2028-02-28");
	yj_licence_term_end("2026-03-01", 3, d);
	assert_string_equal(d, "2029-02-28");
	assert_true(yj_day_parse("2024-02-29", NULL) == 0);
	assert_false(yj_day_parse("2023-02-29", NULL) == 0);
	assert_false(yj_day_parse("2100-02-29", NULL) == 0);
	assert_true(yj_day_parse("2000-02-29", NULL) == 0);
	assert_false(yj_day_parse("2026-13-01", NULL) == 0);
	assert_false(yj_day_parse("2026-1-01", NULL) == 0);
	assert_false(yj_day_parse("2026/01/01", NULL) == 0);
	assert_false(yj_day_parse(NULL, NULL) == 0);
	yj_day_today(d);
	assert_true(yj_day_parse(d, NULL) == 0);
}

static void key_files(void **state)
{
	(void)state;
	char before[65], *err = NULL;
	snprintf(before, sizeof before, "%s", yj_licence_public_key_hex());
	/* Loading again reads the same pair. */
	assert_int_equal(yj_licence_keys_load(keydir, &err), YJ_OK);
	assert_string_equal(yj_licence_public_key_hex(), before);
	/* A public key file naming another key is refused: licences handed out would stop verifying. */
	char path[128];
	snprintf(path, sizeof path, "%s/licence.pub", keydir);
	FILE *f = fopen(path, "w");
	fprintf(f, "%064d\n", 0);
	fclose(f);
	assert_int_equal(yj_licence_keys_load(keydir, &err), YJ_ERR);
	assert_non_null(strstr(err, "does not match"));
	free(err);
	assert_null(yj_licence_public_key_hex());
	f = fopen(path, "w");
	fprintf(f, "%s\n", before);
	fclose(f);
	assert_int_equal(yj_licence_keys_load(keydir, &err), YJ_OK);
}

static void transitions(void **state)
{
	(void)state;
	const char *why;
	static const struct {
		const char *state;
		int expired;
		enum yj_licence_action a;
		const char *next; /* NULL: refused */
	} t[] = {
		{"valid", 0, LA_SUSPEND, "suspended"},	  {"valid", 0, LA_RESUME, NULL},	{"valid", 0, LA_REVOKE, "revoked"},
		{"valid", 0, LA_RENEW, "valid"},	  {"valid", 0, LA_CHANGE, "valid"},	{"suspended", 0, LA_RESUME, "valid"},
		{"suspended", 0, LA_SUSPEND, NULL},	  {"suspended", 0, LA_RENEW, NULL},	{"suspended", 0, LA_CHANGE, "suspended"},
		{"suspended", 0, LA_REVOKE, "revoked"}, {"revoked", 0, LA_REVOKE, NULL},	{"revoked", 0, LA_RESUME, NULL},
		{"revoked", 0, LA_RENEW, NULL},	  {"revoked", 0, LA_CHANGE, NULL},	{"revoked", 0, LA_SUSPEND, NULL},
		{"valid", 1, LA_SUSPEND, NULL},		  {"valid", 1, LA_RENEW, "valid"},	{"valid", 1, LA_REVOKE, "revoked"},
		{"valid", 0, LA_ISSUE, NULL},		  {"nonsense", 0, LA_RESUME, NULL},
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		const char *next = yj_licence_transition(t[i].state, t[i].expired, t[i].a, &why);
		if (t[i].next) {
			assert_non_null(next);
			assert_string_equal(next, t[i].next);
			assert_null(why);
		} else {
			assert_null(next);
			/* Refusals explain in Chinese. */
			assert_non_null(why);
			assert_true((unsigned char)why[0] >= 0xE4);
		}
	}
	yj_licence_transition("revoked", 0, LA_REVOKE, &why);
	assert_non_null(strstr(why, "重复吊销"));
	yj_licence_transition("valid", 0, LA_RESUME, &why);
	assert_non_null(strstr(why, "无需恢复"));

	assert_string_equal(yj_licence_status("valid", NULL, "2026-05-01"), "valid");
	assert_string_equal(yj_licence_status("valid", "2026-05-01", "2026-05-01"), "valid"); /* the last day counts */
	assert_string_equal(yj_licence_status("valid", "2026-04-30", "2026-05-01"), "expired");
	assert_string_equal(yj_licence_status("suspended", "2026-04-30", "2026-05-01"), "suspended");
	assert_string_equal(yj_licence_status("revoked", "2026-04-30", "2026-05-01"), "revoked");
	assert_string_equal(yj_licence_status_label("expired"), "过期");
	assert_string_equal(yj_licence_status_label("revoked"), "吊销");
}

static void qr_png(void **state)
{
	(void)state;
	unsigned char *png = NULL;
	size_t len = 0;
	assert_int_equal(yj_licence_qr_png("http://127.0.0.1:8080/verify/ABCDEFGH23456789", 4, &png, &len), YJ_OK);
	assert_true(len > 100);
	assert_memory_equal(png, "\x89PNG\r\n\x1a\n", 8);
	/* Width in the IHDR chunk: (modules + 8) × scale; version 4 (33 modules) for this URL at level M. */
	unsigned w = (unsigned)png[16] << 24 | (unsigned)png[17] << 16 | (unsigned)png[18] << 8 | png[19];
	assert_int_equal(w % 4, 0);
	assert_true(w / 4 >= 21 + 8);
	free(png);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(canonical_form),	cmocka_unit_test(sign_and_verify), cmocka_unit_test(tamper_detected),
		cmocka_unit_test(verification_codes), cmocka_unit_test(numbers_and_dates), cmocka_unit_test(key_files),
		cmocka_unit_test(transitions),	cmocka_unit_test(qr_png),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
