/* licence.c — the logic of electronic licences that needs no database: the licence signing key
 * files, verification codes and numbers, the term of a licence, the canonical payload and its
 * ed25519 signature, offline verification of a downloaded file, and the lifecycle's transitions. */
#define _POSIX_C_SOURCE 200809L
#include "licence.h"
#include "../base/base.h"
#include "../base/signkey.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#define PK_LEN crypto_sign_PUBLICKEYBYTES
#define SIG_LEN crypto_sign_BYTES

/* ---- keys: the same layout as the audit key (docs/licences.md), a separate pair so either can be
 * rotated or published without the other ---- */

/* Loaded once at start, before request threads run; read-only afterwards. */
static yj_signkey key;

static char public_url[512];

const char *yj_licence_public_key_hex(void)
{
	return key.loaded ? key.pk_hex : NULL;
}

void yj_licence_set_public_url(const char *base)
{
	size_t n = strlen(base);
	snprintf(public_url, sizeof public_url, "%s%s", base, n && base[n - 1] == '/' ? "" : "/");
}

const char *yj_licence_public_url(void)
{
	return public_url;
}

/* DIR/licence.key and DIR/licence.pub. */
int yj_licence_keys_load(const char *dir, char **err)
{
	return yj_signkey_load(&key, dir, "licence", err);
}

/* ---- codes and numbers ---- */

const char yj_licence_code_alphabet[] = "23456789ABCDEFGHJKMNPQRSTVWXYZ";

void yj_licence_code_new(char out[YJ_LICENCE_CODE_LEN + 1])
{
	uint32_t n = (uint32_t)(sizeof yj_licence_code_alphabet - 1);
	for (int i = 0; i < YJ_LICENCE_CODE_LEN; i++)
		out[i] = yj_licence_code_alphabet[randombytes_uniform(n)]; /* uniform: no modulo bias */
	out[YJ_LICENCE_CODE_LEN] = '\0';
}

int yj_licence_code_normalise(const char *in, char out[YJ_LICENCE_CODE_LEN + 1])
{
	int n = 0;
	for (const char *p = in; *p; p++) {
		char ch = *p;
		if (ch == ' ' || ch == '-')
			continue;
		if (ch >= 'a' && ch <= 'z')
			ch = (char)(ch - 'a' + 'A');
		if (n == YJ_LICENCE_CODE_LEN || !strchr(yj_licence_code_alphabet, ch) || !ch)
			return -1;
		out[n++] = ch;
	}
	out[n] = '\0';
	return n == YJ_LICENCE_CODE_LEN ? 0 : -1;
}

void yj_licence_number_new(int kind_seq, const char *region, const char *valid_from, char out[32])
{
	snprintf(out, 32, "%02d%.6s%.4s%06u", kind_seq % 100, region, valid_from, (unsigned)randombytes_uniform(1000000));
}

/* ---- dates ---- */

void yj_licence_term_end(const char *from, int years, char out[11])
{
	int64_t day = 0;
	int y, m, d;
	yj_day_parse(from, &day);
	yj_civil_from_days(day, &y, &m, &d);
	/* The anniversary (29 February rolls over to 1 March in a common year), less one day. */
	yj_day_format(yj_days_from_civil(y + years, m, d) - 1, out);
}

/* ---- payload and signature ---- */

json_t *yj_licence_payload(const yj_licence_fields *f)
{
	char hid[24];
	snprintf(hid, sizeof hid, "%lld", (long long)f->holder_id);
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s?, s:s, s:I}", "kind", f->kind, "kind_name",
			 f->kind_name, "number", f->number, "holder_type", f->holder_type, "holder_id", hid, "holder_name",
			 f->holder_name, "holder_identifier", f->holder_identifier, "issuer", f->issuer, "valid_from",
			 f->valid_from, "valid_to", f->valid_to, "verify_code", f->verify_code, "version",
			 (json_int_t)f->version);
}

char *yj_licence_canonical(const json_t *payload)
{
	/* No JSON_ENSURE_ASCII: Chinese text is signed as its UTF-8 bytes (docs/licences.md). */
	return json_dumps(payload, JSON_COMPACT | JSON_SORT_KEYS);
}

int yj_licence_sign(const char *canonical, char sig_hex[129])
{
	if (!key.loaded)
		return YJ_ERR;
	unsigned char sig[SIG_LEN];
	crypto_sign_detached(sig, NULL, (const unsigned char *)canonical, strlen(canonical), key.sk);
	yj_hex_encode(sig, SIG_LEN, sig_hex);
	return YJ_OK;
}

int yj_licence_signature_ok(const json_t *payload, const char *sig_hex, const char *pk_hex)
{
	unsigned char sig[SIG_LEN], pk[PK_LEN];
	if (!sig_hex || !pk_hex || strlen(sig_hex) != 2 * SIG_LEN || strlen(pk_hex) != 2 * PK_LEN ||
	    yj_hex_decode(sig_hex, sig, sizeof sig) != SIG_LEN || yj_hex_decode(pk_hex, pk, sizeof pk) != PK_LEN)
		return -1;
	char *canon = yj_licence_canonical(payload);
	if (!canon)
		return -1;
	int ok = crypto_sign_verify_detached(sig, (const unsigned char *)canon, strlen(canon), pk) == 0;
	free(canon);
	return ok;
}

static const char *const string_keys[] = {"kind", "kind_name", "number", "holder_type", "holder_id", "holder_name",
					  "holder_identifier", "issuer", "valid_from", "verify_code"};

int yj_licence_payload_check(const json_t *payload, const char **why)
{
	if (!json_is_object(payload)) {
		*why = "payload 不是 JSON 对象";
		return -1;
	}
	for (size_t i = 0; i < YJ_ARRAY_LEN(string_keys); i++)
		if (!json_is_string(json_object_get(payload, string_keys[i]))) {
			*why = "payload 缺少必需的字段或字段类型不对";
			return -1;
		}
	json_t *to = json_object_get(payload, "valid_to");
	if (!to || !(json_is_string(to) || json_is_null(to)) || !json_is_integer(json_object_get(payload, "version"))) {
		*why = "payload 的 valid_to 或 version 缺失或类型不对";
		return -1;
	}
	if (json_object_size(payload) != YJ_ARRAY_LEN(string_keys) + 2) {
		*why = "payload 含有规定以外的字段";
		return -1;
	}
	return 0;
}

int yj_licence_file_verify(const char *text, size_t len, const char *pk_hex, json_t **payload_out, char **why)
{
	*payload_out = NULL;
	*why = NULL;
	json_error_t je;
	json_t *doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je), *payload;
	const char *bad = NULL;
	int rc = -1;
	if (!doc) {
		*why = yj_asprintf("文件不是合法的 JSON（第 %d 行：%s）/ malformed file: not JSON", je.line, je.text);
		return -1;
	}
	payload = json_object_get(doc, "payload");
	const char *alg = json_string_value(json_object_get(doc, "algorithm"));
	const char *sig = json_string_value(json_object_get(doc, "signature"));
	const char *own = json_string_value(json_object_get(doc, "public_key"));
	if (!json_is_object(doc) || !alg || strcmp(alg, "ed25519") != 0) {
		*why = yj_strdup("文件缺少 algorithm 或算法不是 ed25519 / malformed file: algorithm must be ed25519");
		goto done;
	}
	if (!sig || strlen(sig) != 2 * SIG_LEN || strspn(sig, "0123456789abcdefABCDEF") != 2 * SIG_LEN) {
		*why = yj_strdup("文件缺少签名或签名格式不对（应为 128 位十六进制）/ malformed file: signature");
		goto done;
	}
	if (yj_licence_payload_check(payload, &bad) < 0) {
		*why = yj_asprintf("%s / malformed file: payload", bad);
		goto done;
	}
	const char *use = pk_hex ? pk_hex : own;
	if (!use || strlen(use) != 2 * PK_LEN || strspn(use, "0123456789abcdefABCDEF") != 2 * PK_LEN) {
		*why = yj_strdup(pk_hex ? "给出的公钥格式不对（应为 64 位十六进制）/ malformed public key"
					: "文件缺少公钥或公钥格式不对 / malformed file: public_key");
		goto done;
	}
	rc = yj_licence_signature_ok(payload, sig, use);
	if (rc == 1) {
		*payload_out = json_incref(payload);
	} else if (rc == 0) {
		/* Tell a wrong key from altered content when the file's own key still verifies. */
		int own_ok = pk_hex && own && strcasecmp(own, pk_hex) != 0 && yj_licence_signature_ok(payload, sig, own) == 1;
		*why = yj_strdup(own_ok ? "签名不是用给定公钥签发的：证照并非由该公钥对应的发证机关签发 / wrong key"
					: "签名与证照内容不符：证照内容已被改动，或签名不属于该公钥 / tampered payload");
	} else {
		*why = yj_strdup("签名或公钥格式不对 / malformed signature or key");
	}
done:
	json_decref(doc);
	return rc;
}

/* ---- lifecycle ---- */

static const char *const action_names[LA_COUNT] = {"issue", "renew", "change", "suspend", "resume", "revoke"};
static const char *const action_labels[LA_COUNT] = {"核发", "延续", "变更", "暂停", "恢复", "吊销"};

const char *yj_licence_action_name(enum yj_licence_action a)
{
	return a < LA_COUNT ? action_names[a] : "";
}

const char *yj_licence_action_label(enum yj_licence_action a)
{
	return a < LA_COUNT ? action_labels[a] : "";
}

static const char *transition(const char *state, int expired, enum yj_licence_action a, const char **why)
{
	int valid = !strcmp(state, "valid"), suspended = !strcmp(state, "suspended"), revoked = !strcmp(state, "revoked");
	if (revoked) {
		*why = a == LA_REVOKE ? "该证照已被吊销，不能重复吊销。"
				      : "该证照已被吊销，不能再办理此业务；如需继续执业，请重新申请核发新证。";
		return NULL;
	}
	switch (a) {
	case LA_RENEW:
		if (suspended) {
			*why = "该证照处于暂停状态，不能延续；请先恢复后再办理延续。";
			return NULL;
		}
		return valid ? "valid" : NULL;
	case LA_CHANGE:
		return valid || suspended ? state : NULL;
	case LA_SUSPEND:
		if (suspended) {
			*why = "该证照已处于暂停状态，无需重复暂停。";
			return NULL;
		}
		if (expired) {
			*why = "该证照已过有效期，无需暂停；如需继续使用，请办理延续。";
			return NULL;
		}
		return valid ? "suspended" : NULL;
	case LA_RESUME:
		if (valid) {
			*why = "该证照未被暂停，无需恢复。";
			return NULL;
		}
		return suspended ? "valid" : NULL;
	case LA_REVOKE:
		return valid || suspended ? "revoked" : NULL;
	default:
		*why = "不支持的操作。";
		return NULL;
	}
}

const char *yj_licence_transition(const char *state, int expired, enum yj_licence_action a, const char **why)
{
	*why = NULL;
	const char *next = transition(state, expired, a, why);
	if (!next && !*why)
		*why = "该证照的状态不允许此操作，请刷新后查看证照当前状态。";
	return next;
}

const char *yj_licence_status(const char *state, const char *valid_to, const char *today)
{
	if (!strcmp(state, "revoked"))
		return "revoked";
	if (!strcmp(state, "suspended"))
		return "suspended";
	if (valid_to && strcmp(valid_to, today) < 0)
		return "expired";
	return "valid";
}

const char *yj_licence_status_label(const char *status)
{
	if (!strcmp(status, "valid"))
		return "有效";
	if (!strcmp(status, "suspended"))
		return "暂停";
	if (!strcmp(status, "revoked"))
		return "吊销";
	if (!strcmp(status, "expired"))
		return "过期";
	return "未知";
}

int yj_licence_holder_allowed(const char *types, const char *type)
{
	size_t n = strlen(type);
	for (const char *p = types; p && *p;) {
		size_t len = strcspn(p, ",");
		if (len == n && !strncmp(p, type, n))
			return 1;
		p += len + (p[len] == ',');
	}
	return 0;
}
