/* licence_print.c — the licence as a printable certificate (证照打印件): the platform's document facility
 * (platform/docs) renders the signed payload of the licence's current version, its QR code to the public
 * verification page, and the signature data (algorithm, public key, signature, SHA-256 of the signed
 * bytes) that the signed JSON file carries for offline verification. Not numbered and not stored: the
 * signed payload is the record, and its print is the same bytes for the same version (docs/console.md). */
#define _POSIX_C_SOURCE 200809L
#include "licence.h"
#include "registry.h"
#include "../platform/docs/docs.h"
#include "../base/id.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *s_(const json_t *o, const char *k)
{
	const char *v = json_string_value(json_object_get(o, k));
	return v ? v : "";
}

static void field(json_t *rows, const char *label, const char *value)
{
	if (value && *value)
		json_array_append_new(rows, json_pack("{s:s, s:s}", "label", label, "value", value));
}

/* The certificate of row (a licence as yj_licence_load gives it, payload and signature included): new
 * reference. The holder's identifier is the masked one the licence page shows. */
json_t *yj_licence_print_model(const json_t *row)
{
	const json_t *p = json_object_get(row, "payload");
	json_t *blocks = json_array(), *rows = json_array(), *sig = json_array();
	char term[64], ver[24], hex[65];
	unsigned char h[crypto_hash_sha256_BYTES];
	char *canon = yj_licence_canonical(p);
	crypto_hash_sha256(h, (const unsigned char *)(canon ? canon : ""), canon ? strlen(canon) : 0);
	free(canon);
	sodium_bin2hex(hex, sizeof hex, h, sizeof h);
	snprintf(term, sizeof term, "%s 至 %s", s_(p, "valid_from"), *s_(p, "valid_to") ? s_(p, "valid_to") : "长期");
	snprintf(ver, sizeof ver, "第 %lld 版", (long long)json_integer_value(json_object_get(p, "version")));
	field(rows, "证号", s_(p, "number"));
	field(rows, !strcmp(s_(p, "holder_type"), "institution") ? "机构名称" : "姓名", s_(p, "holder_name"));
	field(rows, !strcmp(s_(p, "holder_type"), "institution") ? "统一社会信用代码" : "证件号码", s_(row, "holder_identifier"));
	field(rows, "有效期限", term);
	field(rows, "发证机关", s_(p, "issuer"));
	field(rows, "版本", ver);
	field(rows, "当前状态", s_(row, "status_label"));
	field(rows, "核验码", s_(p, "verify_code"));
	json_array_append_new(blocks, json_pack("{s:s, s:o}", "type", "fields", "rows", rows));
	json_array_append_new(blocks, json_pack("{s:s, s:s, s:s, s:b}", "type", "signature", "organ", s_(p, "issuer"), "date",
						s_(p, "valid_from"), "seal", 1));
	json_array_append_new(blocks, json_pack("{s:s, s:s, s:s}", "type", "qr", "url", s_(row, "verify_url"), "caption",
						"扫描二维码，在公开页面核验本证照"));
	json_array_append_new(blocks, json_pack("{s:s, s:s}", "type", "heading", "text", "电子签名"));
	field(sig, "签名算法", "Ed25519");
	field(sig, "签名内容摘要", hex);
	field(sig, "签名", s_(row, "signature"));
	field(sig, "公钥", yj_licence_public_key_hex());
	/* the signed bytes: the payload as JSON with sorted keys, UTF-8 — the same as the signed JSON file's */
	field(sig, "离线核验", "证照签名 JSON 文件，yijian licence verify");
	json_array_append_new(blocks, json_pack("{s:s, s:o}", "type", "fields", "rows", sig));
	return json_pack("{s:s, s:s, s:o}", "title", *s_(p, "kind_name") ? s_(p, "kind_name") : "电子证照", "organ",
			 s_(p, "issuer"), "blocks", blocks);
}

int yj_licence_certificate(yj_req *r)
{
	int64_t id;
	if (yj_path_id_or_reply(r, "id", &id) < 0)
		return YJ_OK;
	json_t *row = NULL;
	int rc = yj_licence_load(store_conn_get(yj_store(r)), &yj_who(r)->scope, id, 0, &row);
	if (rc < 0)
		return yj_reply_store_error(r, rc);
	json_t *model = yj_licence_print_model(row);
	/* the version's time: the same version prints the same bytes */
	yj_doc_render_opts o = {.created_ms = json_integer_value(json_object_get(row, "updated_at")),
				.verify_url = s_(row, "verify_url")};
	unsigned char *pdf = NULL;
	size_t len = 0;
	char *err = NULL, disp[200];
	const char *number = s_(row, "number");
	snprintf(disp, sizeof disp, "attachment; filename=\"licence-%s.pdf\"",
		 strspn(number, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-") == strlen(number) && strlen(number) < 80
			 ? number
			 : yj_param(r, "id"));
	rc = yj_doc_render(model, &o, &pdf, &len, NULL, &err);
	json_decref(model);
	json_decref(row);
	if (rc < 0) {
		free(err);
		return yj_reply_problem(r, 500, "licence-print", "证照打印件生成失败", "生成 PDF 时出错，请稍后重试；如仍失败请联系管理员。");
	}
	yj_add_header(r, "Content-Disposition", disp);
	return yj_reply_take(r, 200, "application/pdf", pdf, len);
}
