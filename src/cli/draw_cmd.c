/* draw_cmd.c — `yijian draw verify BUNDLE.json`: recomputes a published draw bundle with no
 * database and says whether it reproduces its result; and `yijian draw run INPUT.json --witness W`:
 * an offline draw over an input file (format, plan, subjects, inspectors) that writes a complete
 * bundle — for rehearsals and tests; the server's draws also commit to the audit log. */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"
#include "../base/base.h"
#include "../inspection/inspection.h"

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *load(const char *path)
{
	json_error_t e;
	json_t *b = json_load_file(path, JSON_REJECT_DUPLICATES, &e);
	if (!b)
		fprintf(stderr, "yijian: 无法读取 %s（第 %d 行第 %d 列：%s）/ cannot read the bundle\n", path, e.line, e.column,
			e.text);
	return b;
}

static int verify(int argc, char **argv)
{
	cli_opt o[] = {{NULL, 0, NULL, NULL}};
	char **rest = NULL;
	int nrest = 0, code;
	if (cli_parse(argc, argv,
		      "Usage: yijian draw verify BUNDLE.json\n"
		      "Recomputes a published draw bundle (docs/draw.md) and prints \"match\" (exit 0) or the first\n"
		      "difference (exit 1); exit 2 when the file is not a draw bundle.",
		      o, &rest, &nrest, &code) < 0)
		return code;
	if (nrest != 1) {
		fprintf(stderr, "yijian: 请给出一个抽取结果文件 / usage: yijian draw verify BUNDLE.json\n");
		return 2;
	}
	json_t *b = load(rest[0]);
	if (!b)
		return 2;
	char *report = NULL;
	int rc = yj_draw_bundle_verify(b, &report);
	json_decref(b);
	if (rc == 0)
		printf("%s\n", report);
	else
		fprintf(stderr, "%s%s\n", rc > 0 ? "mismatch: " : "yijian: ", report);
	free(report);
	return rc == 0 ? 0 : rc > 0 ? 1 : 2;
}

static int run(int argc, char **argv)
{
	cli_opt o[] = {
		{"witness", 1, "the witness value entered at draw time (e.g. a public lottery number)", NULL},
		{"secret", 1, "server secret, 64 hex digits (default: fresh random bytes)", NULL},
		{"out", 1, "where to write the bundle (default: standard output)", NULL},
		{NULL, 0, NULL, NULL},
	};
	char **rest = NULL;
	int nrest = 0, code;
	if (cli_parse(argc, argv,
		      "Usage: yijian draw run INPUT.json --witness VALUE [--secret HEX] [--out BUNDLE.json]\n"
		      "Draws offline over INPUT (format, plan, subjects, inspectors) and writes the complete bundle.",
		      o, &rest, &nrest, &code) < 0)
		return code;
	if (nrest != 1 || !cli_get(o, "witness")) {
		fprintf(stderr, "yijian: 需要输入文件和 --witness / usage: yijian draw run INPUT.json --witness VALUE\n");
		return 2;
	}
	json_t *b = load(rest[0]);
	if (!b)
		return 2;
	char secret[65], ih[65], sh[65], seed[65], *why = NULL;
	if (cli_get(o, "secret")) {
		snprintf(secret, sizeof secret, "%s", cli_get(o, "secret"));
	} else {
		unsigned char raw[32];
		randombytes_buf(raw, sizeof raw);
		yj_hex_encode(raw, sizeof raw, secret);
	}
	json_object_set_new(b, "format", json_string(YJ_DRAW_FORMAT));
	json_t *result = NULL;
	if (yj_draw_input_hash(b, ih, &why) < 0 || yj_draw_bundle_compute(b, secret, cli_get(o, "witness"), &result, seed, &why) < 0) {
		fprintf(stderr, "yijian: 无法抽取：%s\n", why ? why : "输入文件不完整");
		free(why);
		json_decref(b);
		return 1;
	}
	yj_draw_secret_hash(secret, sh);
	json_object_set_new(b, "commitment", json_pack("{s:s, s:s}", "input_hash", ih, "secret_hash", sh));
	json_object_set_new(b, "witness", json_string(cli_get(o, "witness")));
	json_object_set_new(b, "server_secret", json_string(secret));
	json_object_set_new(b, "seed", json_string(seed));
	json_object_set_new(b, "result", result);
	const char *out = cli_get(o, "out");
	int rc = out ? json_dump_file(b, out, JSON_INDENT(1) | JSON_SORT_KEYS)
		     : json_dumpf(b, stdout, JSON_INDENT(1) | JSON_SORT_KEYS);
	if (!out)
		putchar('\n');
	json_decref(b);
	if (rc < 0) {
		fprintf(stderr, "yijian: 无法写入 %s\n", out);
		return 1;
	}
	fprintf(stderr, "drawn offline; this commitment was not written to any audit log\n");
	return 0;
}

int cmd_draw(int argc, char **argv)
{
	if (argc >= 1 && strcmp(argv[0], "verify") == 0)
		return verify(argc - 1, argv + 1);
	if (argc >= 1 && strcmp(argv[0], "run") == 0)
		return run(argc - 1, argv + 1);
	FILE *out = argc >= 1 && (!strcmp(argv[0], "--help") || !strcmp(argv[0], "-h")) ? stdout : stderr;
	fprintf(out, "Usage: yijian draw verify BUNDLE.json | yijian draw run INPUT.json --witness VALUE\n"
		     "  verify  recompute a published draw bundle and compare (双随机抽取结果核验)\n"
		     "  run     draw offline over an input file and write the bundle\n");
	return out == stdout ? 0 : 2;
}
