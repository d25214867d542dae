/* runs_part.c — a large run in partitions by patient hash: the coordinator (the claims.screen_run job)
 * splits the spooled file, one line to fnv1a(patient_id) mod parts, and defers a claims.screen_part job per
 * partition, which any `serve` on the database takes by lease; each partition is stored in one guarded
 * transaction (runs_store.c, rj_part_tx), and the last one merges the run. */
#define _POSIX_C_SOURCE 200809L
#include "runs_int.h"
#include "review_int.h"
#include "check_int.h"
#include "../base/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int rj_parts_for(int64_t bytes)
{
	const char *env = getenv("YIJIAN_CLAIMS_PART_BYTES");
	int64_t per = env && *env ? strtoll(env, NULL, 10) : 0;
	if (per <= 0) {
		long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);
		per = pages > 0 && size > 0 ? (int64_t)pages * size / 4 : (int64_t)1 << 30;
	}
	int64_t n = (bytes + per - 1) / per;
	return n < 1 ? 1 : n > 1024 ? 1024 : (int)n;
}

/* The index of column name in a header line (commas; no quoted names), or -1. */
static int column_of(const char *line, const char *name)
{
	if (!strncmp(line, "\xEF\xBB\xBF", 3))
		line += 3;
	size_t len = strlen(name);
	for (int i = 0;; i++) {
		size_t n = strcspn(line, ",\r\n");
		if (n == len && !memcmp(line, name, len))
			return i;
		if (line[n] != ',')
			return -1;
		line += n + 1;
	}
}

/* Field idx of a CSV line: *b, *n its bytes without surrounding quotes ("" when absent). */
static void field_at(const char *s, int idx, const char **b, size_t *n)
{
	int f = 0, q = 0;
	const char *start = s;
	for (;; s++) {
		if (*s == '"')
			q = !q;
		else if (!*s || *s == '\n' || *s == '\r' || (!q && *s == ',')) {
			if (f == idx)
				break;
			if (*s != ',') {
				start = s;
				break;
			}
			f++;
			start = s + 1;
		}
	}
	*b = start;
	*n = f == idx ? (size_t)(s - start) : 0;
	if (*n >= 2 && start[0] == '"' && start[*n - 1] == '"') {
		*b = start + 1;
		*n -= 2;
	}
}

static uint64_t fnv1a(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

/* Rules whose flags depend on other patients' lines: key_drug's cells are an institution's monthly total
 * of a drug over every patient. They do not run in the patient partitions but in the cross partition, which
 * holds only the lines of their listed items — all they read — so it stays small. */
static int cross_rule(const yj_rule *r)
{
	return r->type == YJ_RT_KEY_DRUG && r->list;
}

int rj_has_cross(const yj_rules *rs)
{
	for (int i = 0; i < rs->n; i++)
		if (cross_rule(&rs->r[i]))
			return 1;
	return 0;
}

static int cross_item(const yj_rules *rs, const char *code, size_t n)
{
	for (int i = 0; i < rs->n; i++)
		if (cross_rule(&rs->r[i]) && yj_list_last(rs->r[i].list, code, n) >= 0)
			return 1;
	return 0;
}

void rj_rules_subset(const yj_rules *rs, int cross, yj_rules *out)
{
	*out = *rs;
	out->r = yj_malloc(sizeof *out->r * (size_t)(rs->n ? rs->n : 1));
	out->n = 0;
	for (int i = 0; i < rs->n; i++)
		if (cross_rule(&rs->r[i]) == cross)
			out->r[out->n++] = rs->r[i]; /* shallow: the strings and lists stay rs's */
}

static size_t quotes(const char *s, size_t n)
{
	size_t q = 0;
	for (size_t i = 0; i < n; i++)
		q += s[i] == '"';
	return q;
}

/* One CSV record: a physical line, and the next ones while a quoted field is open (RFC 4180 allows line
 * breaks inside quotes), into *line. Its length, or -1 at the end. */
static ssize_t read_record(FILE *in, char **line, size_t *cap)
{
	ssize_t n = getline(line, cap, in);
	if (n <= 0)
		return n;
	size_t len = (size_t)n, q = quotes(*line, len);
	char *more = NULL;
	size_t mcap = 0;
	ssize_t m;
	while (q % 2 && (m = getline(&more, &mcap, in)) > 0) {
		if (len + (size_t)m + 1 > *cap) {
			*cap = (len + (size_t)m + 1) * 2;
			*line = yj_realloc(*line, *cap);
		}
		memcpy(*line + len, more, (size_t)m + 1);
		len += (size_t)m;
		q += quotes(more, (size_t)m);
	}
	free(more);
	return (ssize_t)len;
}

int rj_split(const char *path, int parts, const yj_rules *rs, int64_t *rows, char **err)
{
	int cross = rj_has_cross(rs), nout = parts + cross;
	FILE *in = fopen(path, "rb"), **out = yj_calloc((size_t)nout, sizeof *out);
	char *line = NULL;
	size_t cap = 0;
	int rc = YJ_ERR, col = -1, icol = -1;
	if (!in) {
		*err = yj_strdup("暂存文件无法读取，请重新提交");
		goto done;
	}
	if (getline(&line, &cap, in) < 0 || (col = column_of(line, "patient_id")) < 0 ||
	    (cross && (icol = column_of(line, "item_code")) < 0)) {
		*err = yj_strdup("文件缺少表头或 patient_id、item_code 列，请按 docs/claims.md 的列修正后重新提交");
		goto done;
	}
	for (int k = 0; k < nout; k++) {
		char *pp = yj_asprintf("%s.part%d", path, k);
		out[k] = fopen(pp, "wb");
		free(pp);
		rows[k] = 0;
		if (!out[k] || fputs(line, out[k]) < 0) {
			*err = yj_strdup("暂存目录不可写，请联系管理员检查磁盘空间");
			goto done;
		}
	}
	ssize_t n;
	while ((n = read_record(in, &line, &cap)) > 0) {
		if (line[0] == '\n' || (line[0] == '\r' && line[1] == '\n'))
			continue;
		const char *b;
		size_t len;
		field_at(line, col, &b, &len);
		int k = (int)(fnv1a(b, len) % (uint64_t)parts), again = 0;
		if (cross) {
			field_at(line, icol, &b, &len);
			again = cross_item(rs, b, len);
		}
		for (int w = 0; w <= again; w++, k = parts) {
			if (fwrite(line, 1, (size_t)n, out[k]) != (size_t)n) {
				*err = yj_strdup("暂存目录不可写，请联系管理员检查磁盘空间");
				goto done;
			}
			rows[k]++;
		}
	}
	rc = YJ_OK;
done:
	for (int k = 0; k < nout; k++)
		if (out[k] && fclose(out[k]) != 0 && rc == YJ_OK) {
			*err = yj_strdup("暂存目录不可写，请联系管理员检查磁盘空间");
			rc = YJ_ERR;
		}
	free(out);
	free(line);
	if (in)
		fclose(in);
	return rc;
}

int rj_start_parts(store *s, const rj_row *row, const yj_rules *rs, int parts, char **err)
{
	yj_review_opts o = {.claims_path = row->input_path, .rules_dir = ck_rules_dir(), .region_code = row->region,
			    .actor = row->actor, .started_at = yj_now_ms(), .run_id = row->id, .input_name = row->input_name};
	rv_plan hdr;
	if (rv_run_header(&hdr, rs, &o, err) < 0)
		return YJ_ERR;
	int64_t *rows = yj_calloc((size_t)parts + 1, sizeof *rows);
	int rc = rj_split(row->input_path, parts, rs, rows, err);
	if (rc == YJ_OK && rj_partition(s, &hdr, parts, rj_has_cross(rs), rows) < 0) {
		*err = yj_asprintf("保存分区失败：%s", store_errmsg(store_conn_get(s)));
		rc = YJ_ERR;
	}
	free(rows);
	return rc;
}

/* YIJIAN_CLAIMS_PART_PAUSE_MS: each partition waits this long before it is stored (renewing its lease), so a
 * test or an operator can see partitions held by several processes and kill one midway. */
static int pause_or_stop(yj_job_ctx *ctx)
{
	const char *env = getenv("YIJIAN_CLAIMS_PART_PAUSE_MS");
	long ms = env ? strtol(env, NULL, 10) : 0;
	for (long t = 0; t < ms; t += 50) {
		if (yj_job_stopping(ctx))
			return 1;
		nanosleep(&(struct timespec){0, 50000000L}, NULL);
	}
	return yj_job_stopping(ctx);
}

int rj_screen_part(yj_job_ctx *ctx)
{
	store *s = yj_job_store(ctx);
	long long id = 0;
	int k = -1, cross = 0;
	if (sscanf(yj_job_payload(ctx), "%lld:%d:%d", &id, &k, &cross) != 3 || k < 0)
		return YJ_OK;
	rj_row row;
	int rc = rj_get(store_conn_get(s), id, &row);
	if (rc == ST_OK && !strcmp(row.state, "failed")) {
		/* another partition failed the run: this one's file is of no further use */
		char *path = yj_asprintf("%s.part%d", row.input_path, k);
		unlink(path);
		free(path);
		return YJ_OK;
	}
	if (rc == ST_NOTFOUND || (rc == ST_OK && strcmp(row.state, "partitioned")))
		return YJ_OK;
	if (rc < 0)
		return rc;
	char *path = yj_asprintf("%s.part%d", row.input_path, k);
	rc = rj_part_done(store_conn_get(s), id, k);
	if (rc != 0) {
		if (rc == 1)
			unlink(path);
		free(path);
		return rc == 1 ? YJ_OK : rc;
	}
	const yj_rules *all = ck_rules_all();
	yj_rules sub = {0}, *rs = all ? &sub : NULL;
	if (all)
		rj_rules_subset(all, cross, &sub);
	yj_load_opts lo = {.threads = 0};
	yj_load_report rep;
	yj_claims *c = NULL;
	char *err = NULL;
	if (!rs || yj_claims_load_file(path, &lo, &c, &rep, &err) < 0) {
		char *why = yj_asprintf("分区 %d 无法载入：%s", k, !rs ? "服务未加载规则库" : err ? err : "格式错误");
		free(err);
		if (rs)
			yj_load_report_free(&rep);
		rj_set(s, id, "failed", -1, -1, -1, -1, why);
		free(why);
		/* as a failed single run does: its input goes; the other partitions remove theirs */
		unlink(path);
		unlink(row.input_path);
		free(path);
		free(sub.r);
		return YJ_OK;
	}
	yj_load_report_free(&rep);
	if (pause_or_stop(ctx)) {
		yj_claims_free(c);
		free(path);
		free(sub.r);
		return YJ_ERR;
	}
	yj_screen_result res;
	yj_screen(c, rs, ck_refs(), 0, &res);
	yj_review_opts o = {.claims_path = path, .rules_dir = ck_rules_dir(), .region_code = row.region,
			    .actor = row.actor, .run_id = id, .input_name = row.input_name};
	rj_part_arg a = {.part = k, .cross = cross, .per_insert = strcmp(store_engine(s), "sqlite") ? 100 : 1};
	rc = rv_persist_with(s, c, rs, &res, &o, rj_part_tx, &a, &err);
	yj_screen_result_free(&res);
	yj_claims_free(c);
	free(sub.r);
	if (rc < 0) {
		/* the store's message may quote row values (patient data): only the ids are logged */
		yj_log(YJ_LOG_WARN, "claims.part.store_failed", "\"run\":%lld,\"part\":%d", id, k);
		free(err);
		free(path);
		return YJ_ERR; /* a store failure is retried with back-off */
	}
	unlink(path);
	free(path);
	if (a.merged)
		unlink(row.input_path);
	return YJ_OK;
}
