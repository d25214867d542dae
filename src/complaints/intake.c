/* intake.c — one way in for every new matter, whichever door it came through: the public form, the
 * console's phone and walk-in entry (and later the 12345 import and Open311). Checks the fields,
 * seals the reporter's identity, keeps attachments in the platform's store, gives the tracking code,
 * opens the dispatch to-do and writes the first step — in the caller's transaction. */
#define _POSIX_C_SOURCE 200809L
#include "intake.h"
#include "../platform/attach/attach.h"
#include "../platform/pii/pii.h"
#include "../platform/regions/regions.h"
#include "../registry/registry.h"

#include <arpa/inet.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned limit_per_window = 10, limit_window_s = 3600;

void yj_cmp_set_intake_limit(unsigned per_window, unsigned window_s)
{
	limit_per_window = per_window;
	limit_window_s = window_s ? window_s : 3600;
}

/* The client address as counted: IPv6 by its /64 (one host is routinely given a whole /64), an
 * IPv4-mapped address as IPv4; then a keyed hash, so the table holds no address. */
static void addr_hash(const char *addr, char out[65])
{
	char key[INET6_ADDRSTRLEN + 4];
	unsigned char a6[16];
	snprintf(key, sizeof key, "%s", addr ? addr : "");
	if (addr && strchr(addr, ':') && inet_pton(AF_INET6, addr, a6) == 1) {
		static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
		if (!memcmp(a6, mapped, sizeof mapped)) {
			inet_ntop(AF_INET, a6 + 12, key, sizeof key);
		} else {
			memset(a6 + 8, 0, 8);
			inet_ntop(AF_INET6, a6, key, INET6_ADDRSTRLEN);
			strcat(key, "/64");
		}
	}
	yj_pii_hash(key, out);
}

/* Text a person typed: valid UTF-8 (the JSON layer saw to it), no control characters but line
 * breaks and tabs where multiline is allowed. Markup is kept as typed: it is data, shown as text. */
static int clean_text(const char *s, int multiline)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if ((*p < 0x20 && !(multiline && (*p == '\n' || *p == '\r' || *p == '\t'))) || *p == 0x7F)
			return 0;
	return 1;
}

static const char *media_sniff(const unsigned char *p, size_t n)
{
	if (n >= 3 && p[0] == 0xFF && p[1] == 0xD8 && p[2] == 0xFF)
		return "image/jpeg";
	if (n >= 8 && !memcmp(p, "\x89PNG\r\n\x1a\n", 8))
		return "image/png";
	if (n >= 5 && !memcmp(p, "%PDF-", 5))
		return "application/pdf";
	if (n >= 12 && !memcmp(p + 4, "ftyp", 4))
		return "video/mp4";
	return NULL;
}

static const char *bstr(const json_t *b, const char *k)
{
	return json_string_value(json_object_get(b, k));
}

/* Checks and stores the attachments; YJ_REFUSED for a bad one (nothing kept: the transaction rolls back). */
static int attachments(store_conn *c, cmp_intake *in, int64_t id)
{
	const json_t *list = json_object_get(in->body, "attachments");
	if (!list)
		return ST_OK;
	if (json_array_size(list) > CMP_MAX_ATTACHMENTS) {
		yj_refusal_field(&in->ref, "attachments", "附件最多 5 个，请删去多余的附件");
		return yj_refuse_invalid(&in->ref, NULL);
	}
	size_t i;
	json_t *a;
	json_array_foreach(list, i, a) {
		const char *name = bstr(a, "name"), *b64 = bstr(a, "content_base64");
		if (!name || !*name || strlen(name) > 200 || !clean_text(name, 0) || !b64) {
			yj_refusal_field(&in->ref, "attachments", "每个附件应有文件名 name（不超过 200 字节）和 Base64 编码的内容 content_base64");
			return yj_refuse_invalid(&in->ref, NULL);
		}
		size_t len = strlen(b64), max = len / 4 * 3 + 3, n = 0;
		if (len / 4 * 3 > CMP_MAX_ATTACHMENT + 3)
			return yj_refuse(&in->ref, 413, "payload-too-large", "附件过大",
					 "附件“%s”超过 4 MiB，请压缩照片或拆分文件后重新提交，本次提交未保存。", name);
		unsigned char *bin = yj_malloc(max ? max : 1);
		if (sodium_base642bin(bin, max, b64, len, "\r\n ", &n, NULL, sodium_base64_VARIANT_ORIGINAL) != 0) {
			free(bin);
			yj_refusal_field(&in->ref, "attachments", "附件内容应为标准 Base64 编码");
			return yj_refuse_invalid(&in->ref, NULL);
		}
		const char *type = media_sniff(bin, n);
		int rc = ST_OK;
		if (n > CMP_MAX_ATTACHMENT)
			rc = yj_refuse(&in->ref, 413, "payload-too-large", "附件过大",
				       "附件“%s”超过 4 MiB，请压缩照片或拆分文件后重新提交，本次提交未保存。", name);
		else if (!type)
			rc = yj_refuse(&in->ref, 415, "unsupported-media-type", "不支持的文件类型",
				       "附件“%s”不是 JPEG、PNG 照片、PDF 文件或 MP4 视频，请转换格式后重新提交。", name);
		char hex[65];
		if (rc >= 0 && (rc = yj_blob_put(c, bin, n, hex)) >= 0)
			rc = cmp_attach_add(c, id, hex, name, type, (int64_t)n);
		free(bin);
		if (rc < 0)
			return rc;
	}
	return ST_OK;
}

/* The per-address limit of the public door; YJ_REFUSED with 429 and Retry-After beyond it. */
static int rate_limit(store_conn *c, cmp_intake *in, int64_t now)
{
	if (!in->is_public || !limit_per_window)
		return ST_OK;
	char h[65];
	addr_hash(yj_client_addr(in->r), h);
	int64_t n = 0, window = (int64_t)limit_window_s * 1000;
	int rc = cmp_intake_count(c, h, now - window, &n);
	if (rc < 0)
		return rc;
	if (n >= limit_per_window) {
		char ra[16];
		snprintf(ra, sizeof ra, "%u", limit_window_s);
		yj_add_header(in->r, "Retry-After", ra);
		return yj_refuse(&in->ref, 429, "too-many-requests", "提交过于频繁",
				 "同一网络地址在 %u 分钟内最多提交 %u 件投诉举报，请稍后再试；情况紧急请拨打 12345 热线。",
				 limit_window_s / 60, limit_per_window);
	}
	return cmp_intake_hit(c, h, now, now - window);
}

/* Field checks; fills cat and the subject. YJ_REFUSED with every field error at once. */
static int check_fields(store_conn *c, cmp_intake *in, cmp_category *cat, int64_t *subject_id, char subject_region[16])
{
	const json_t *b = in->body;
	const char *v;
	int rc;
	int64_t epoch = in->has_epoch ? in->ref_epoch : -1; /* -1: no cache, read them */
	*subject_id = 0;
	if ((rc = cmp_category_get_at(c, epoch, bstr(b, "category"), cat)) < 0 && rc != ST_NOTFOUND)
		return rc;
	if (rc == ST_NOTFOUND || !cat->active)
		yj_refusal_field(&in->ref, "category", "未知的事项分类，请从分类列表（/api/v1/public/complaint-categories）中选择");
	if (!clean_text(bstr(b, "title"), 0) || !*bstr(b, "title"))
		yj_refusal_field(&in->ref, "title", "标题不能为空，也不能含有控制字符");
	if (!clean_text(bstr(b, "content"), 1) || yj_utf8_len(bstr(b, "content"), strlen(bstr(b, "content"))) < 5)
		yj_refusal_field(&in->ref, "content", "请用至少 5 个字说明所投诉举报的事实，不能含有控制字符");
	v = bstr(b, "region_code");
	if ((rc = yj_region_exists_at(c, epoch, v)) < 0)
		return rc;
	if (!rc)
		yj_refusal_field(&in->ref, "region_code", "未知的行政区划代码，请选择事发地所在的县（市、区）或乡镇（街道）");
	else if (in->sc && !yj_scope_allows(in->sc, v, NULL))
		yj_refusal_field(&in->ref, "region_code", "事发地不在您的辖区内，请由事发地的部门登记");
	if ((v = bstr(b, "subject_name")) && !clean_text(v, 0))
		yj_refusal_field(&in->ref, "subject_name", "被投诉对象名称不能含有控制字符");
	if ((v = bstr(b, "subject_credit_code")) && *v) {
		if ((rc = yj_reg_subject_hooks.find(c, v, subject_id, subject_region)) < 0 && rc != ST_NOTFOUND)
			return rc;
		if (rc == ST_NOTFOUND)
			yj_refusal_field(&in->ref, "subject_credit_code", "主体库中没有这个统一社会信用代码的机构，请核对，或不填代码只填名称");
	}
	int anonymous = json_is_true(json_object_get(b, "anonymous"));
	if (!anonymous) {
		v = bstr(b, "reporter_name");
		if (!v || !*v || !clean_text(v, 0))
			yj_refusal_field(&in->ref, "reporter_name", "实名投诉举报请填写姓名；不愿留名请选择匿名");
		v = bstr(b, "reporter_phone");
		if (!v || strlen(v) < 5 || strlen(v) > 20 || strspn(v, "0123456789+- ") != strlen(v))
			yj_refusal_field(&in->ref, "reporter_phone", "请填写可以联系到您的电话号码（5 到 20 位数字）");
	}
	if (!in->channel) {
		v = bstr(b, "channel");
		if (!v || (strcmp(v, "phone") && strcmp(v, "walk_in") && strcmp(v, "hotline") && strcmp(v, "letter")))
			yj_refusal_field(&in->ref, "channel", "来源应为 phone（电话）、walk_in（来访）、letter（来信）或 hotline（12345 热线）");
	}
	return yj_refusal_has_fields(&in->ref) ? yj_refuse_invalid(&in->ref, NULL) : ST_OK;
}

void cmp_intake_epoch(yj_req *r, cmp_intake *in)
{
	in->has_epoch = r && yj_ref_epoch(r, &in->ref_epoch);
}

int cmp_intake_tx(store_conn *c, void *arg)
{
	cmp_intake *in = arg;
	const json_t *b = in->body;
	int64_t now = yj_now_ms(), subject_id = 0;
	cmp_category cat;
	char subject_region[16] = "", code[YJ_CMP_CODE_LEN + 1], today[11], *sealed = NULL, masked[32] = "";
	int rc = in->has_epoch ? 1 : yj_ref_epoch_tx(c, &in->ref_epoch);
	if (rc < 0)
		return rc;
	in->has_epoch = rc; /* kept for a retry: it was still read after the request arrived */
	rc = rate_limit(c, in, now);
	if (rc < 0 || (rc = check_fields(c, in, &cat, &subject_id, subject_region)) < 0)
		return rc;
	int anonymous = json_is_true(json_object_get(b, "anonymous"));
	if (!anonymous) {
		json_t *who = json_pack("{s:s, s:s}", "name", bstr(b, "reporter_name"), "phone", bstr(b, "reporter_phone"));
		char *plain = json_dumps(who, JSON_COMPACT);
		json_decref(who);
		sealed = yj_pii_encrypt(plain);
		sodium_memzero(plain, strlen(plain));
		free(plain);
		if (!sealed)
			return ST_ERR; /* no personal-data key: refuse rather than keep the identity in clear */
		yj_pii_mask_phone(bstr(b, "reporter_phone"), masked);
	}
	unsigned char rnd[10];
	randombytes_buf(rnd, sizeof rnd);
	yj_cmp_tracking_code(rnd, code);
	yj_day_today(today);
	const char *ext = bstr(b, "external_ref");
	cmp_new n = {.id = yj_id_new(), .tracking_code = code, .channel = in->channel ? in->channel : bstr(b, "channel"),
		     .category = cat.code, .title = bstr(b, "title"), .content = bstr(b, "content"),
		     .region_code = bstr(b, "region_code"), .department = cat.department,
		     .subject_kind = subject_id ? "institution" : NULL, .subject_name = bstr(b, "subject_name"),
		     .reporter_sealed = sealed, .phone_masked = masked, .external_ref = ext && *ext ? ext : NULL,
		     .received_on = today, .subject_id = subject_id, .anonymous = anonymous, .address = in->address,
		     .lat = in->lat, .lng = in->lng, .client_id = in->client_id};
	json_t *m = NULL;
	rc = cmp_insert(c, &n, now, &m);
	free(sealed);
	if (rc < 0 || (rc = attachments(c, in, n.id)) < 0) {
		json_decref(m);
		return rc;
	}
	json_t *state = json_pack("{s:O, s:O, s:O, s:O, s:O, s:O}", "id", json_object_get(m, "id"), "tracking_code",
				  json_object_get(m, "tracking_code"), "category", json_object_get(m, "category"),
				  "region_code", json_object_get(m, "region_code"), "channel", json_object_get(m, "channel"),
				  "anonymous", json_object_get(m, "anonymous"));
	if ((rc = cmp_step_add(c, n.id, "received", "您的投诉举报已登记，正在确定办理部门。", in->actor, now)) >= 0 &&
	    (rc = cmp_audit(c, in->actor, "complaint.create", n.id, n.region_code, state)) >= 0)
		rc = cmp_todo_dispatch(c, m);
	json_decref(state);
	if (rc >= 0 && in->sc) { /* offered for merging at once (docs/complaints.md, "Duplicates") */
		json_t *dups = NULL;
		if ((rc = cmp_duplicates(c, in->sc, m, now - (int64_t)YJ_CMP_DUP_WINDOW_DAYS * YJ_DAY_MS,
					 &dups)) >= 0)
			json_object_set_new(m, "duplicates", dups);
	}
	if (rc < 0) {
		json_decref(m);
		return rc;
	}
	json_decref(in->out);
	in->out = m;
	return ST_OK;
}
