/* licence_cmd.c — `yijian licence verify FILE [--public-key FILE|HEX]`: checks a downloaded
 * electronic licence offline, with no database: the ed25519 signature over the canonical payload
 * (docs/licences.md) against the published public key, or the key inside the file with a warning. */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"
#include "../base/base.h"
#include "../base/keyfile.h"
#include "../registry/registry.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FILE (1 << 20) /* a licence file is about 1 KB; anything near this is not one */

static char *read_file(const char *path, size_t *len, char **why)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		*why = yj_asprintf("无法打开文件 %s：%s / cannot open the file", path, strerror(errno));
		return NULL;
	}
	yj_buf b = YJ_BUF_INIT;
	char chunk[8192];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0 && b.len <= MAX_FILE)
		yj_buf_append(&b, chunk, n);
	int failed = ferror(f);
	fclose(f);
	if (failed || b.len > MAX_FILE) {
		*why = yj_asprintf(failed ? "读取文件 %s 出错 / cannot read the file" : "文件 %s 过大，不是电子证照文件 / malformed file: too large",
				   path);
		yj_buf_free(&b);
		return NULL;
	}
	*len = b.len;
	if (!b.data)
		yj_buf_puts(&b, "");
	return yj_buf_detach(&b);
}

/* The key given on the command line: 64 hex digits, a file holding them (licence.pub), or the JSON
 * answer of GET /api/v1/public/licence-key saved to a file. */
static int public_key_arg(const char *arg, char out[65], char **why)
{
	if (strlen(arg) == 64 && strspn(arg, "0123456789abcdefABCDEF") == 64) {
		memcpy(out, arg, 65);
		return 0;
	}
	size_t len = 0;
	char *text = read_file(arg, &len, why);
	if (!text)
		return -1;
	const char *hex = NULL;
	json_t *doc = json_loadb(text, len, 0, NULL);
	if (doc)
		hex = json_string_value(json_object_get(doc, "public_key"));
	char *line = text + strspn(text, " \t\r\n");
	line[strcspn(line, " \t\r\n")] = '\0';
	if (!hex)
		hex = line;
	int rc = 0;
	if (strlen(hex) != 64 || strspn(hex, "0123456789abcdefABCDEF") != 64) {
		*why = yj_asprintf("%s 中没有公钥（应为 64 位十六进制，或 /api/v1/public/licence-key 的应答）/ malformed public key", arg);
		rc = -1;
	} else {
		memcpy(out, hex, 65);
	}
	json_decref(doc);
	free(text);
	return rc;
}

static int verify(int argc, char **argv)
{
	cli_opt o[] = {
		{"public-key", 1, "the published public key: 64 hex digits, or a file holding them (licence.pub or the "
				  "saved answer of GET /api/v1/public/licence-key); default: the key inside the file", NULL},
		{NULL, 0, NULL, NULL},
	};
	char **rest;
	int nrest, code;
	if (cli_parse(argc, argv,
		      "Usage: yijian licence verify FILE [--public-key FILE|HEX]\n\n"
		      "Checks a licence file downloaded from GET /api/v1/licences/{id}/download offline: exit 0 and\n"
		      "\"valid signature\" when the signature holds, 1 with the reason when it does not (tampered\n"
		      "payload, wrong key), 2 when the file or key is malformed. The signature shows who issued the\n"
		      "licence and that it is unaltered; whether it is still in force is answered by the public\n"
		      "verification page (GET /api/v1/public/licences/{code}).",
		      o, &rest, &nrest, &code) < 0)
		return code;
	if (nrest != 1) {
		fprintf(stderr, "yijian: 请给出一个证照文件：yijian licence verify FILE [--public-key FILE|HEX]\n");
		return 2;
	}
	char pk[65], *why = NULL;
	const char *given = cli_get(o, "public-key");
	if (given && public_key_arg(given, pk, &why) < 0) {
		fprintf(stderr, "yijian: %s\n", why);
		free(why);
		return 2;
	}
	size_t len = 0;
	char *text = read_file(rest[0], &len, &why);
	if (!text) {
		fprintf(stderr, "yijian: %s\n", why);
		free(why);
		return 2;
	}
	json_t *payload = NULL;
	int rc = yj_licence_file_verify(text, len, given ? pk : NULL, &payload, &why);
	free(text);
	if (rc != 1) {
		fprintf(stderr, "yijian: 验证失败 / verification failed: %s\n", why);
		free(why);
		return rc == 0 ? 1 : 2;
	}
	if (!given)
		fprintf(stderr, "yijian: 警告：未给出 --public-key，使用的是文件自带的公钥；请将其与发证机关公布的公钥"
				"（GET /api/v1/public/licence-key）核对，否则无法排除伪造。\n"
				"warning: checked against the key inside the file; compare it with the published key.\n");
	const char *to = json_string_value(json_object_get(payload, "valid_to"));
	printf("valid signature（签名有效）\n"
	       "证照名称 kind:        %s\n"
	       "证照编号 number:      %s\n"
	       "持证主体 holder:      %s（%s）\n"
	       "发证机关 issuer:      %s\n"
	       "有效期 validity:      %s 至 %s\n"
	       "核验码 verify code:   %s\n"
	       "版本 version:         %lld\n"
	       "证照当前状态（有效/暂停/吊销/过期）请以发证机关公开核验页为准。\n",
	       json_string_value(json_object_get(payload, "kind_name")), json_string_value(json_object_get(payload, "number")),
	       json_string_value(json_object_get(payload, "holder_name")),
	       json_string_value(json_object_get(payload, "holder_identifier")),
	       json_string_value(json_object_get(payload, "issuer")), json_string_value(json_object_get(payload, "valid_from")),
	       to ? to : "长期", json_string_value(json_object_get(payload, "verify_code")),
	       (long long)json_integer_value(json_object_get(payload, "version")));
	json_decref(payload);
	return 0;
}

int cmd_licence(int argc, char **argv)
{
	if (argc >= 1 && strcmp(argv[0], "verify") == 0)
		return verify(argc - 1, argv + 1);
	FILE *out = argc >= 1 && (!strcmp(argv[0], "--help") || !strcmp(argv[0], "-h")) ? stdout : stderr;
	fprintf(out, "Usage: yijian licence verify FILE [--public-key FILE|HEX]   check a downloaded licence offline\n");
	return out == stdout ? 0 : 2;
}
