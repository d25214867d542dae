/* import_cmd.c — `yijian import institutions|practitioners|licences FILE`: the CSV import of
 * registry/import.c from the command line, unrestricted in territory, with one line per bad row on
 * stderr ("第 N 行 第 M 列（列名）：原因") and a summary on stdout. Exit status: 0 when every row
 * was accepted, 1 when rows or the file were refused, 2 for usage errors, 3 when the database or
 * the file could not be used. */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"
#include "../base/base.h"
#include "../registry/registry.h"
#include "../complaints/complaints.h"

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
	"Usage: yijian import institutions|practitioners|licences FILE.csv [--db URL] [--keys DIR] [--dry-run] [--skip-invalid]\n"
	"                     [--chunk ROWS]\n"
	"       yijian import institutions|practitioners|licences --columns\n"
	"       yijian import complaints FILE.csv [--db URL] [--keys DIR] [--dry-run]   12345 work orders (docs/complaints.md)\n\n"
	"The first row names the columns (JSON names or Chinese labels, any order); UTF-8 (with or without BOM)\n"
	"and GBK files are read. Records are matched on 统一社会信用代码 / 执业证书编码 / 证照编号: new ones are\n"
	"added, changed ones updated (licences: renewed, changed, suspended or revoked), identical ones left alone.\n"
	"Without --skip-invalid nothing is written unless every row is valid. Licences are issued in the name of\n"
	"each holder's county health authority unless the file names the issuer (发证机关). Exit status 0 when\n"
	"every row was accepted, 1 otherwise, 2 usage, 3 database or file.\n"
	"--chunk ROWS: staged rows the publication parses and writes at a time (default 4096; at most two chunks\n"
	"are in memory as objects): smaller bounds that memory, larger saves a little CPU; the result is the same.";

static char *read_file(const char *path, size_t *n)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	if (!f)
		return NULL;
	yj_buf b = YJ_BUF_INIT;
	char chunk[65536];
	size_t got;
	while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
		yj_buf_append(&b, chunk, got);
	int bad = ferror(f);
	if (f != stdin)
		fclose(f);
	if (bad) {
		yj_buf_free(&b);
		return NULL;
	}
	*n = b.len;
	return b.data ? yj_buf_detach(&b) : yj_strdup("");
}

static void print_columns(const reg_kind *k)
{
	json_t *cols = yj_import_columns(k);
	size_t i;
	json_t *c;
	printf("%s（%s）的导入列：列名可用英文名或中文名，顺序不限；* 为必填，# 为匹配已有记录的编号\n\n", k->label, k->table);
	json_array_foreach(cols, i, c) {
		printf("%-22s %s%s%s\t%s\n", json_string_value(json_object_get(c, "name")),
		       json_string_value(json_object_get(c, "label")), json_is_true(json_object_get(c, "required")) ? " *" : "",
		       json_is_true(json_object_get(c, "key")) ? " #" : "", json_string_value(json_object_get(c, "type")));
	}
	json_decref(cols);
}

typedef struct progress {
	uint64_t t0;
} progress;

static void on_progress(void *ctx, long rows)
{
	progress *p = ctx;
	double s = (double)(yj_mono_ns() - p->t0) / 1e9;
	fprintf(stderr, "yijian: 已处理 %ld 行（%.0f 行/秒）\n", rows, s > 0 ? rows / s : 0.0);
}

/* One line per bad row with every error of the row ("第 5 行 第 3 列（机构名称）：必填；第 7 列…");
 * when the whole file was refused, one line per problem. */
static void print_errors(const json_t *errors, int refused)
{
	long cur = -1;
	size_t i;
	json_t *e;
	json_array_foreach(errors, i, e) {
		long row = (long)json_integer_value(json_object_get(e, "row"));
		int col = (int)json_integer_value(json_object_get(e, "column"));
		const char *detail = json_string_value(json_object_get(e, "detail"));
		const char *label = json_string_value(json_object_get(e, "label"));
		size_t dl = strlen(detail);
		if (row != cur || refused) {
			if (cur != -1)
				fputc('\n', stderr);
			fprintf(stderr, row > 0 ? "第 %ld 行" : "文件", row);
			cur = row;
		} else {
			fputs("；", stderr);
		}
		if (col > 0)
			fprintf(stderr, " 第 %d 列", col);
		if (label && *label)
			fprintf(stderr, "（%s）", label);
		/* joined parts end in one full stop, at the end of the line */
		if (!refused && dl >= 3 && !strcmp(detail + dl - 3, "。"))
			dl -= 3;
		fprintf(stderr, "：%.*s", (int)dl, detail);
	}
	if (cur != -1)
		fputc('\n', stderr);
}

/* Adds each error's Chinese column label, for the lines above. */
static void label_errors(const reg_kind *k, json_t *errors)
{
	size_t i;
	json_t *e;
	json_array_foreach(errors, i, e) {
		const char *field = json_string_value(json_object_get(e, "field"));
		for (const reg_field *f = k->fields; field && *field && f->name; f++)
			if (!strcmp(f->name, field))
				json_object_set_new(e, "label", json_string(f->label));
	}
}

/* `yijian import complaints FILE`: 12345 work orders, one matter per row, idempotent on the number. */
static int import_complaints(cli_opt *o, const char *path)
{
	size_t n = 0;
	char *data = read_file(path, &n), *err = NULL;
	if (!data) {
		fprintf(stderr, "yijian: 无法读取文件 %s，请检查路径和权限\n", path);
		return 3;
	}
	const char *url = cli_db_url(o);
	store *s = cli_open_store(url, 1);
	char *keys = s ? cli_keys_dir(o, url) : NULL;
	if (!s || cli_load_keys(keys, &err) < 0) {
		if (err)
			fprintf(stderr, "yijian: %s\n", err);
		free(err);
		free(keys);
		free(data);
		if (s)
			store_close(s);
		return 3;
	}
	free(keys);
	const char *u = getenv("SUDO_USER") ? getenv("SUDO_USER") : getenv("USER");
	char *actor = yj_asprintf("cli:%s", u ? u : "unknown");
	yj_cmp_import_result res;
	/* each valid row is written (skip_invalid), as this command always did; --dry-run writes nothing */
	yj_cmp_import_opts io = {NULL, actor, cli_get(o, "dry-run") != NULL, 1};
	int rc = yj_cmp_import_12345(s, data, n, &io, &res, &err), status = 0;
	if (rc == YJ_REFUSED) {
		fprintf(stderr, "yijian: %s\n", err);
		status = 1;
	} else if (rc < 0) {
		fprintf(stderr, "yijian: 数据库错误（%s），其余行未导入\n", store_errmsg(store_conn_get(s)));
		status = 3;
	} else {
		if (res.gbk)
			fprintf(stderr, "yijian: 文件不是 UTF-8，已按 GBK/GB18030 编码读取\n");
		size_t i;
		json_t *e;
		json_array_foreach(res.errors, i, e) {
			const char *field = json_string_value(json_object_get(e, "field"));
			fprintf(stderr, "第 %lld 行：%s%s%s\n", (long long)json_integer_value(json_object_get(e, "row")),
				field && *field ? field : "", field && *field ? "：" : "", json_string_value(json_object_get(e, "detail")));
		}
		printf("12345 工单%s：共 %ld 行，%s %ld，已有 %ld，无效 %ld\n", io.dry_run ? "（试导入，未写入）" : "", res.rows,
		       io.dry_run ? "将新增" : "新增", res.inserted, res.present, res.invalid);
		status = res.invalid ? 1 : 0;
	}
	json_decref(res.errors);
	free(err);
	free(actor);
	free(data);
	store_close(s);
	return status;
}

int cmd_import(int argc, char **argv)
{
	/* No glibc fastbins for this one-shot process: an import frees millions of small JSON objects,
	 * and every larger allocation then consolidated the fastbins, a cost that grew with the file
	 * (perf at 100,000 rows on PostgreSQL: malloc_consolidate and _int_malloc ~30 % of the client's
	 * samples; user CPU 17-18 s with them, 11.8 s without; docs/benchmarks.md). */
	mallopt(M_MXFAST, 0);
	cli_opt o[] = {
		{"db", 1, "database URL: sqlite:PATH or postgresql://…", NULL},
		{"keys", 1, "directory of the keys (audit signing, personal-data encryption)", NULL},
		{"dry-run", 0, "validate and report what would change; write nothing", NULL},
		{"skip-invalid", 0, "write the valid rows even when others are invalid", NULL},
		{"columns", 0, "list the columns a file of this kind may have, and exit", NULL},
		{"chunk", 1, "staged rows published per chunk (default 4096); what is written is the same", NULL},
		{NULL, 0, NULL, NULL},
	};
	char **rest;
	int nrest, code;
	if (cli_parse(argc, argv, usage, o, &rest, &nrest, &code) < 0)
		return code;
	if (nrest == 2 && !strcmp(rest[0], "complaints"))
		return import_complaints(o, rest[1]);
	const reg_kind *k = nrest >= 1 ? yj_import_kind(rest[0]) : NULL;
	if (!k) {
		fprintf(stderr, "yijian: 请指明导入类型：institutions（医疗机构）、practitioners（医务人员）或 licences（电子证照）\n\n%s\n", usage);
		return 2;
	}
	if (cli_get(o, "columns")) {
		print_columns(k);
		return 0;
	}
	if (nrest != 2) {
		fprintf(stderr, "yijian: 请给出一个 CSV 文件\n\n%s\n", usage);
		return 2;
	}
	if (cli_get(o, "chunk")) {
		/* The publication's chunk (registry/import_pipe.c): memory against a little CPU, never what is
		 * written, which is one transaction whatever the chunk (docs/import.md). */
		char *end;
		long per = strtol(cli_get(o, "chunk"), &end, 10);
		if (*end || per < 1 || per > 1000000) {
			fprintf(stderr, "yijian: --chunk 应为 1 至 1000000 之间的整数（每块发布的行数）\n");
			return 2;
		}
		yj_import_chunk_plans = (size_t)per;
	}
	size_t n = 0;
	char *data = read_file(rest[1], &n);
	if (!data) {
		fprintf(stderr, "yijian: 无法读取文件 %s，请检查路径和权限\n", rest[1]);
		return 3;
	}
	const char *url = cli_db_url(o);
	store *s = cli_open_store(url, 1);
	if (!s) {
		free(data);
		return 3;
	}
	char *keys = cli_keys_dir(o, url), *err = NULL;
	if (cli_load_keys(keys, &err) < 0) {
		fprintf(stderr, "yijian: %s\n", err);
		free(err);
		free(keys);
		free(data);
		store_close(s);
		return 3;
	}
	free(keys);

	const char *u = getenv("SUDO_USER");
	if (!u)
		u = getenv("USER");
	char *actor = yj_asprintf("cli:%s", u ? u : "unknown");
	yj_scope sc;
	yj_scope_unrestricted(&sc);
	progress pr = {yj_mono_ns()};
	int dry = cli_get(o, "dry-run") != NULL;
	yj_import_opts opts = {&sc, actor, "", dry, cli_get(o, "skip-invalid") != NULL, 1, on_progress, &pr, 10000};
	yj_import_result res;
	int rc = yj_import(s, k, data, n, &opts, &res);
	double secs = (double)(yj_mono_ns() - pr.t0) / 1e9;
	int status;
	if (rc < 0) {
		fprintf(stderr, "yijian: 数据库错误（%s），未写入任何数据\n", store_errmsg(store_conn_get(s)));
		status = 3;
	} else {
		if (res.encoding == YJ_ENC_GB18030 && !res.refused)
			fprintf(stderr, "yijian: 文件不是 UTF-8，已按 GBK/GB18030 编码读取\n");
		label_errors(k, res.errors);
		print_errors(res.errors, res.refused);
		if (res.refused) {
			printf("%s：文件无法导入，未写入任何数据\n", k->label);
		} else {
			printf("%s：共 %ld 行，新增 %ld，更新 %ld，未变 %ld，无效 %ld；%s（%.1f 秒，%.0f 行/秒）\n", k->label, res.rows,
			       res.inserted, res.updated, res.unchanged, res.invalid,
			       res.written && (res.inserted || res.updated) ? "已写入"
			       : res.written				     ? "与库中数据一致，无需写入"
			       : dry	   ? "试运行，未写入任何数据"
					   : "有无效行，未写入任何数据（改正后重新导入，或加 --skip-invalid 只导入有效行）",
			       secs, secs > 0 ? res.rows / secs : 0.0);
		}
		status = res.refused || res.invalid ? 1 : 0;
	}
	yj_import_result_free(&res);
	free(actor);
	free(data);
	cli_sign_heads(s);
	store_close(s);
	return status;
}
