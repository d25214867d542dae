/* attach_api.c — photos, documents and videos of a field inspection: an upload checked by its first
 * bytes, counted against the uploader's quota and kept in the platform's content-addressed store
 * (platform/attach/attach.h); a download streamed from there, never cached. */
#define _POSIX_C_SOURCE 200809L
#include "insp_int.h"
#include "../platform/attach/attach.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_ATTACHMENT (8u << 20)

/* The per-user quota (serve --attachment-quota): the sizes of every attachment the caller has
 * added, each at its full size even when its content was already stored — deduplication is the
 * store's business, and counting only new content would tell a user whether someone else had
 * uploaded a given file. Re-sending a file already on the task adds nothing and counts nothing. */
static int check_quota(store_conn *c, insp_task_arg *a, const char *actor, size_t n)
{
	int64_t used = 0, quota = yj_config(a->r)->attachment_quota;
	int rc = insp_attached_bytes(c, actor, &used);
	if (rc < 0 || used + (int64_t)n <= quota)
		return rc < 0 ? rc : ST_OK;
	char u[32], f[32], q[32];
	insp_human_bytes(used, u);
	insp_human_bytes((int64_t)n, f);
	insp_human_bytes(quota, q);
	return yj_refuse(&a->ref, 413, "attachment-quota", "附件配额已用完",
			 "您已上传的附件共 %s，加上本文件（%s）将超过每人 %s 的附件配额，本文件未保存。请压缩照片或视频后重试，"
			 "或请系统管理员提高配额。", u, f, q);
}

/* Checks the file and its name: field errors refuse with 422, the file as such with its own status.
 * Returns ST_OK or YJ_REFUSED; *type receives the sniffed media type. */
static int attach_check(insp_task_arg *a, const unsigned char *data, size_t n, const char *name, const char **type)
{
	if (!n)
		yj_refusal_field(&a->ref, "body", "附件内容为空，请选择要上传的照片或文件");
	if (name && (strlen(name) > 200 || !insp_clean(name, 0) || !yj_utf8_valid(name, strlen(name))))
		yj_refusal_field(&a->ref, "name", "文件名不能超过 200 个字节，也不能含有控制字符，请修改后重新上传");
	if (yj_refusal_has_fields(&a->ref))
		return yj_refuse_invalid(&a->ref, NULL);
	if (n > MAX_ATTACHMENT)
		return yj_refuse(&a->ref, 413, "payload-too-large", "附件过大", "附件超过 8 MiB，请压缩后重新上传。");
	if (!(*type = insp_media_sniff(data, n)))
		return yj_refuse(&a->ref, 415, "unsupported-media-type", "不支持的文件类型",
				 "只接受 JPEG、PNG、WebP、HEIC 照片，PDF 文件和 MP4 视频，请转换格式后重新上传。");
	return ST_OK;
}

static int do_attach(store_conn *c, insp_task_arg *a, json_t *t)
{
	size_t n = 0;
	const unsigned char *data = (const unsigned char *)yj_body_raw(a->r, &n);
	const char *name = yj_query(a->r, "name"), *type = NULL;
	int rc = attach_check(a, data, n, name, &type);
	if (rc < 0)
		return rc;
	unsigned char h[32];
	char hex[65], actor[21];
	crypto_hash_sha256(h, data, n); /* the name under which the content is (or will be) stored */
	yj_hex_encode(h, sizeof h, hex);
	insp_actor(a->r, actor);
	int have = 0;
	if ((rc = insp_attachment_exists(c, a->id, hex, &have)) < 0)
		return rc;
	if (!have) {
		insp_record rec = {a->id, yj_now_ms(), json_string_value(json_object_get(t, "region_code")),
				   json_string_value(json_object_get(t, "department")), actor};
		if ((rc = check_quota(c, a, actor, n)) < 0 || (rc = yj_blob_put(c, data, n, hex)) < 0 ||
		    (rc = insp_attachment_insert(c, &rec, hex, type, (int64_t)n, name && *name ? name : hex)) < 0)
			return rc;
	}
	char url[160];
	snprintf(url, sizeof url, "/api/v1/inspection/tasks/%s/attachments/%s", yj_param(a->r, "id"), hex);
	a->out = json_pack("{s:s, s:s, s:I, s:s, s:s, s:b}", "sha256", hex, "media_type", type, "size", (json_int_t)n, "name",
			   name && *name ? name : hex, "url", url, "duplicate", (int)have);
	return insp_task_touch(c, a->id);
}

int insp_task_attach(yj_req *r)
{
	return insp_field_op(r, do_attach, "inspection.task.attachment", 201);
}

int insp_attachment_get(yj_req *r)
{
	int64_t id;
	if (yj_path_id_or_reply(r, "id", &id) < 0)
		return YJ_OK;
	const char *sha = yj_param(r, "sha256");
	store_conn *c = store_conn_get(yj_store(r));
	char type[40] = "";
	int rc = insp_attachment_type(c, &yj_who(r)->scope, id, sha, type);
	if (rc < 0)
		return yj_reply_store_error(r, rc);
	/* The content goes to an unlinked temporary file one chunk at a time and is sent from there, so
	 * no attachment is ever whole in memory. */
	char path[] = "/tmp/yijian-attachment-XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0)
		return yj_reply_store_error(r, ST_ERR);
	unlink(path);
	int64_t len = 0;
	if ((rc = yj_blob_size(c, sha, &len)) < 0 || (rc = yj_blob_write(c, sha, fd)) < 0) {
		close(fd);
		return yj_reply_store_error(r, rc);
	}
	/* The reply keeps the media type's pointer past this frame: hand it a static string. */
	static const char *const types[] = {"image/jpeg", "image/png", "image/webp", "image/heic", "application/pdf", "video/mp4"};
	const char *ct = "application/octet-stream";
	for (size_t i = 0; i < YJ_ARRAY_LEN(types); i++)
		if (!strcmp(types[i], type))
			ct = types[i];
	/* Photos and documents from a site visit may show people, ID cards or patient records. The URL
	 * never changes content (it is the SHA-256), but a copy kept for a year in a browser's or a
	 * proxy's cache outlives sign-out, role and scope changes and sits on shared office machines:
	 * store none, and let every view go through the scope check. */
	yj_add_header(r, "Cache-Control", "private, no-store");
	return yj_reply_fd(r, 200, ct, fd, (size_t)len);
}
