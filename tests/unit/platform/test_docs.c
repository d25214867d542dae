/* test_docs.c — the document facility (platform/docs/docs.h) on a migrated store (a temporary SQLite
 * file, or YJ_TEST_DB's PostgreSQL in a schema of its own): a rendered PDF holds the Chinese text and
 * the number (read back with poppler's pdftotext), long content breaks into numbered pages, the same
 * input gives the same bytes, a preview carries the watermark and no number; 文号 have no gap and no
 * duplicate when threads and when several processes allocate at once, and a rolled-back issue gives
 * its number back; an issue stores the PDF, the row and an audit leaf with its SHA-256, which the
 * records check holds every row to. */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../testdb.h"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/base.h"
#include "base/id.h"
#include "platform/attach/attach.h"
#include "platform/audit/audit.h"
#include "platform/docs/docs.h"

#include <sodium.h>

static yj_testdb t;
static store *db;
static const int64_t AT = 1796520000000; /* 2026-12-06 ~ 08:00 Asia/Shanghai */

static int setup(void **state)
{
	db = yj_testdb_open(&t, "docs");
	yj_id_seed(8881);
	char *err = NULL;
	if (yj_audit_keys_load(t.dir, &err) < 0)
		fail_msg("keys: %s", err);
	return 0;
}

static int teardown(void **state)
{
	yj_testdb_close(&t);
	return 0;
}

/* Writes pdf to a file of the test's directory and returns what `tool file -` prints (caller frees). */
static char *run_tool(const char *tool, const unsigned char *pdf, size_t len)
{
	char *path = yj_asprintf("%s/doc.pdf", t.dir);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(pdf, 1, len, f), len);
	fclose(f);
	char *cmd = yj_asprintf("%s '%s' %s", tool, path, strcmp(tool, "pdftotext") ? "" : "-");
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	yj_buf out = YJ_BUF_INIT;
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, p)) > 0)
		yj_buf_append(&out, chunk, n);
	assert_int_equal(pclose(p), 0);
	free(cmd);
	free(path);
	yj_buf_puts(&out, "");
	/* pdftotext spaces CJK text as it likes (and a rotated watermark goes out a character a line):
	 * compare without white space. */
	char *w = out.data;
	for (const char *r = out.data; *r; r++)
		if (!strchr(" \n\r\t\f", *r) || !strcmp(tool, "pdfinfo"))
			*w++ = *r;
	*w = '\0';
	return yj_buf_detach(&out);
}

static int pdf_pages(const unsigned char *pdf, size_t len)
{
	char *info = run_tool("pdfinfo", pdf, len);
	char *p = strstr(info, "Pages:");
	assert_non_null(p);
	int n = atoi(p + 6);
	free(info);
	return n;
}

static void render_has_text_and_number(void **state)
{
	json_t *m = yj_doc_sample(3);
	yj_doc_render_opts o = {"温鹿卫医罚〔2026〕12号", 0, AT, "http://127.0.0.1/api/v1/public/documents/verify?no=x"};
	unsigned char *pdf = NULL;
	size_t len = 0;
	int pages = 0;
	char *err = NULL;
	assert_int_equal(yj_doc_render(m, &o, &pdf, &len, &pages, &err), YJ_OK);
	assert_true(len > 1000);
	assert_memory_equal(pdf, "%PDF-", 5);
	char *text = run_tool("pdftotext", pdf, len);
	assert_non_null(strstr(text, "行政处罚决定书"));
	assert_non_null(strstr(text, "温州市鹿城区卫生健康局"));
	assert_non_null(strstr(text, "温鹿卫医罚〔2026〕12号"));
	assert_non_null(strstr(text, "医疗机构管理条例"));
	assert_non_null(strstr(text, "2026年12月6日"));
	assert_non_null(strstr(text, "第1页共"));
	assert_null(strstr(text, "预览"));
	assert_int_equal(pdf_pages(pdf, len), pages);
	char *info = run_tool("pdfinfo", pdf, len);
	assert_non_null(strstr(info, "595.276 x 841.89 pts (A4)"));
	assert_non_null(strstr(info, "行政处罚决定书"));
	free(info);
	free(text);
	free(pdf);
	json_decref(m);
}

/* Characters outside the cut fonts (docs_fonts.c: GB 2312 level 1) print from the full Noto face. */
static void rare_characters_print(void **state)
{
	json_t *m = json_pack("{s:s, s:[{s:s, s:[{s:s, s:s}]}]}", "title", "测试", "blocks", "type", "fields", "rows", "label",
			      "当事人", "value", "王喆堃𠮷");
	yj_doc_render_opts o = {"x", 0, AT, NULL};
	unsigned char *pdf = NULL;
	size_t len = 0;
	char *err = NULL;
	assert_int_equal(yj_doc_render(m, &o, &pdf, &len, NULL, &err), YJ_OK);
	char *text = run_tool("pdftotext", pdf, len);
	assert_non_null(strstr(text, "王喆堃𠮷"));
	free(text);
	free(pdf);
	json_decref(m);
}

static void long_content_breaks_pages(void **state)
{
	json_t *m = yj_doc_sample(60);
	yj_doc_render_opts o = {"温鹿卫医罚〔2026〕13号", 0, AT, NULL};
	unsigned char *pdf = NULL;
	size_t len = 0;
	int pages = 0;
	char *err = NULL;
	assert_int_equal(yj_doc_render(m, &o, &pdf, &len, &pages, &err), YJ_OK);
	assert_true(pages >= 5);
	assert_int_equal(pdf_pages(pdf, len), pages);
	char *text = run_tool("pdftotext", pdf, len);
	char last[64];
	snprintf(last, sizeof last, "第%d页共%d页", pages, pages);
	assert_non_null(strstr(text, last));
	assert_non_null(strstr(text, "60.经查")); /* the last paragraph made it */
	free(text);
	free(pdf);
	json_decref(m);
}

static void same_input_same_bytes(void **state)
{
	json_t *m = yj_doc_sample(5);
	yj_doc_render_opts o = {"温鹿卫医罚〔2026〕14号", 0, AT, "http://h/api/v1/public/documents/verify?no=y"};
	unsigned char *a = NULL, *b = NULL, *c = NULL;
	size_t la = 0, lb = 0, lc = 0;
	char *err = NULL;
	assert_int_equal(yj_doc_render(m, &o, &a, &la, NULL, &err), YJ_OK);
	assert_int_equal(yj_doc_render(m, &o, &b, &lb, NULL, &err), YJ_OK);
	assert_int_equal(la, lb);
	assert_memory_equal(a, b, la);
	o.created_ms = AT + 1000; /* the metadata date is part of the bytes */
	assert_int_equal(yj_doc_render(m, &o, &c, &lc, NULL, &err), YJ_OK);
	assert_true(la != lc || memcmp(a, c, la) != 0);
	free(a);
	free(b);
	free(c);
	json_decref(m);
}

static void preview_has_watermark_no_number(void **state)
{
	json_t *m = yj_doc_sample(1);
	unsigned char *pdf = NULL;
	size_t len = 0;
	char *err = NULL;
	assert_int_equal(yj_doc_preview(m, &pdf, &len, NULL, &err), YJ_OK);
	char *text = run_tool("pdftotext", pdf, len);
	assert_non_null(strstr(text, "预")); /* the watermark */
	assert_non_null(strstr(text, "（样稿，签发时编号）"));
	assert_null(strstr(text, "〔2026〕"));
	free(text);
	free(pdf);
	json_decref(m);
}

/* An image block draws its PNG (one image in the PDF, of the PNG's size); a PNG that does not decode
 * prints a placeholder line instead of failing the document. */
static void image_block_draws_the_png(void **state)
{
	/* 4 × 2 grey PNG, written out by hand: signature, IHDR, IDAT (zlib of four-byte rows), IEND. */
	static const char png[] = "iVBORw0KGgoAAAANSUhEUgAAAAQAAAACCAAAAABawyK/AAAADklEQVR4nGNoAAIGEAEAFAoEAeiOg+cAAAAASUVORK5CYII=";
	json_t *m = json_pack("{s:s, s:[{s:s, s:s, s:s}, {s:s, s:s}]}", "title", "签名测试", "blocks", "type", "image", "png", png,
			      "caption", "被检查单位签字：", "type", "image", "png", "iVBORw0KGgoAAAAbroken");
	char *err = NULL;
	assert_int_equal(yj_doc_validate(m, &err), YJ_OK);
	unsigned char *pdf = NULL;
	size_t len = 0;
	yj_doc_render_opts o = {"x", 0, AT, NULL};
	assert_int_equal(yj_doc_render(m, &o, &pdf, &len, NULL, &err), YJ_OK);
	char *text = run_tool("pdftotext", pdf, len);
	assert_non_null(strstr(text, "被检查单位签字："));
	assert_non_null(strstr(text, "〔图片无法显示〕"));
	free(text);
	char *list = run_tool("pdfimages -list", pdf, len);
	assert_non_null(strstr(list, "image42gray"));
	free(list);
	free(pdf);
	json_decref(m);
}

static void bad_models_refused(void **state)
{
	static const char *const bad[] = {
		"[]",
		"{\"blocks\": []}",
		"{\"title\": \"\", \"blocks\": []}",
		"{\"title\": \"t\"}",
		"{\"title\": \"t\", \"blocks\": [{\"type\": \"table\"}]}",
		"{\"title\": \"t\", \"blocks\": [{\"type\": \"paragraph\"}]}",
		"{\"title\": \"t\", \"blocks\": [{\"type\": \"paragraph\", \"text\": \"a\\u0007b\"}]}",
		"{\"title\": \"t\\nx\", \"blocks\": []}",
		"{\"title\": \"t\", \"blocks\": [{\"type\": \"signature\", \"organ\": \"o\", \"date\": \"2026-02-30\"}]}",
		"{\"title\": \"t\", \"blocks\": [{\"type\": \"fields\", \"rows\": [{\"label\": \"a\"}]}]}",
		"{\"title\": \"t\", \"blocks\": [{\"type\": \"space\", \"lines\": 11}]}",
		"{\"title\": \"t\", \"blocks\": [{\"type\": \"image\"}]}",
		"{\"title\": \"t\", \"blocks\": [{\"type\": \"image\", \"png\": \"/9j/4AAQ\"}]}",
		"{\"title\": \"t\", \"blocks\": [{\"type\": \"image\", \"png\": \"iVBORw0KGgo\", \"width_mm\": 5}]}",
	};
	for (size_t i = 0; i < YJ_ARRAY_LEN(bad); i++) {
		json_t *m = json_loads(bad[i], JSON_ALLOW_NUL, NULL);
		assert_non_null(m);
		char *err = NULL;
		unsigned char *pdf = NULL;
		size_t len = 0;
		if (yj_doc_validate(m, &err) != YJ_ERR)
			fail_msg("accepted: %s", bad[i]);
		assert_non_null(err);
		free(err);
		err = NULL;
		yj_doc_render_opts o = {"x", 0, AT, NULL};
		assert_int_equal(yj_doc_render(m, &o, &pdf, &len, NULL, &err), YJ_ERR);
		assert_null(pdf);
		free(err);
		json_decref(m);
	}
	/* Many blocks, each within its limit, but too much text for one document. */
	json_t *big = yj_doc_sample(1), *blocks = json_object_get(big, "blocks");
	char *text = yj_malloc(19001);
	memset(text, 'a', 19000);
	text[19000] = '\0';
	for (int i = 0; i < 25; i++)
		json_array_append_new(blocks, json_pack("{s:s, s:s}", "type", "paragraph", "text", text));
	char *err = NULL;
	assert_int_equal(yj_doc_validate(big, &err), YJ_ERR);
	assert_non_null(strstr(err, "拆分"));
	free(err);
	free(text);
	json_decref(big);
}

/* ---- numbering ---- */

struct alloc_arg {
	const char *office;
	int n;
	int64_t *seqs;
};

struct num_tx {
	const char *office;
	int64_t seq;
};

static int num_tx(store_conn *c, void *arg)
{
	struct num_tx *a = arg;
	return yj_doc_number_next(c, a->office, "医罚", 2026, &a->seq, NULL);
}

static void *alloc_thread(void *p)
{
	struct alloc_arg *a = p;
	for (int i = 0; i < a->n; i++) {
		struct num_tx x = {a->office, 0};
		if (store_tx(db, num_tx, &x) != ST_OK)
			return NULL;
		a->seqs[i] = x.seq;
	}
	return a;
}

/* seqs[0..n) is exactly 1..n. */
static void exactly_one_to_n(int64_t *seqs, int n)
{
	char *seen = yj_calloc((size_t)n + 1, 1);
	for (int i = 0; i < n; i++) {
		if (seqs[i] < 1 || seqs[i] > n)
			fail_msg("sequence %lld outside 1..%d", (long long)seqs[i], n);
		if (seen[seqs[i]]++)
			fail_msg("sequence %lld twice", (long long)seqs[i]);
	}
	free(seen);
}

static void numbers_threads_no_gap_no_duplicate(void **state)
{
	enum { THREADS = 6, EACH = 50 };
	int64_t seqs[THREADS * EACH];
	pthread_t th[THREADS];
	struct alloc_arg a[THREADS];
	for (int i = 0; i < THREADS; i++) {
		a[i] = (struct alloc_arg){"线程卫", EACH, seqs + i * EACH};
		assert_int_equal(pthread_create(&th[i], NULL, alloc_thread, &a[i]), 0);
	}
	for (int i = 0; i < THREADS; i++) {
		void *ok;
		pthread_join(th[i], &ok);
		assert_non_null(ok);
	}
	exactly_one_to_n(seqs, THREADS * EACH);
	/* Another office, kind code or year counts on its own. */
	struct num_tx x = {"别处卫", 0};
	assert_int_equal(store_tx(db, num_tx, &x), ST_OK);
	assert_int_equal(x.seq, 1);
	char no[YJ_DOC_NO_MAX];
	yj_doc_number_format("温鹿卫", "医罚", 2026, 12, no);
	assert_string_equal(no, "温鹿卫医罚〔2026〕12号");
}

static int child_issue(store *s, int n); /* below, with the issuing helpers */

/* Three processes allocate numbers, then issue documents, all at once: as several `yijian serve`
 * sharing one database do. */
static void numbers_processes_no_gap_no_duplicate(void **state)
{
	enum { PROCS = 3, EACH = 60 };
	int fds[PROCS][2];
	pid_t pids[PROCS];
	for (int i = 0; i < PROCS; i++) {
		assert_int_equal(pipe(fds[i]), 0);
		pids[i] = fork();
		assert_true(pids[i] >= 0);
		if (pids[i] == 0) {
			/* The child opens the database afresh (the parent's connections are not its own). */
			close(fds[i][0]);
			char *err = NULL;
			store *s = store_open(t.url, &err);
			int64_t out[EACH];
			int ok = s != NULL;
			for (int k = 0; ok && k < EACH; k++) {
				struct num_tx x = {"进程卫", 0};
				ok = store_tx(s, num_tx, &x) == ST_OK;
				out[k] = x.seq;
			}
			if (ok && write(fds[i][1], out, sizeof out) != (ssize_t)sizeof out)
				ok = 0;
			if (ok)
				ok = child_issue(s, 3) == 0;
			if (s)
				store_close(s);
			_exit(ok ? 0 : 1);
		}
		close(fds[i][1]);
	}
	int64_t seqs[PROCS * EACH];
	for (int i = 0; i < PROCS; i++) {
		size_t got = 0;
		ssize_t n;
		while (got < sizeof(int64_t) * EACH &&
		       (n = read(fds[i][0], (char *)(seqs + i * EACH) + got, sizeof(int64_t) * EACH - got)) > 0)
			got += (size_t)n;
		close(fds[i][0]);
		int st;
		assert_int_equal(waitpid(pids[i], &st, 0), pids[i]);
		assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
		assert_int_equal(got, sizeof(int64_t) * EACH);
	}
	exactly_one_to_n(seqs, PROCS * EACH);
	assert_int_equal(yj_testdb_int(&t, "SELECT COUNT(DISTINCT seq) FROM documents WHERE kind_code = ?", "医进"), PROCS * 3);
	assert_int_equal(yj_testdb_int(&t, "SELECT MAX(seq) FROM documents WHERE kind_code = ?", "医进"), PROCS * 3);
	assert_int_equal(yj_testdb_int(&t, "SELECT last_seq FROM doc_counters WHERE kind_code = ?", "医进"), PROCS * 3);
}

/* ---- issuing ---- */

struct issue_arg {
	yj_doc_issue_req req;
	yj_doc_issued out;
	char *err;
	int fail_after; /* roll back after issuing */
};

static int issue_tx(store_conn *c, void *arg)
{
	struct issue_arg *a = arg;
	free(a->err);
	a->err = NULL;
	int rc = yj_doc_issue(c, &a->req, &a->out, &a->err);
	if (rc >= 0 && a->fail_after)
		return ST_ERR;
	return rc;
}

static yj_doc_issue_req sample_req(const json_t *m)
{
	return (yj_doc_issue_req){.kind = "penalty_decision", .office = "温鹿卫", .kind_code = "医罚",
				  .subject_type = "enforcement_case", .subject_id = "42", .institution_id = 0,
				  .region_code = "330302", .department = "health", .issued_by = "7001",
				  .issued_at_ms = AT, .public_url = "https://yijian.example/", .model = m};
}

static void issue_stores_pdf_row_and_leaf(void **state)
{
	json_t *m = yj_doc_sample(2);
	struct issue_arg a = {.req = sample_req(m)};
	assert_int_equal(store_tx(db, issue_tx, &a), ST_OK);
	assert_string_equal(a.out.number, "温鹿卫医罚〔2026〕1号");
	assert_int_equal(a.out.year, 2026);
	assert_int_equal(strlen(a.out.sha256), 64);

	/* The stored bytes hash to the recorded SHA-256 and hold the number. */
	store_conn *c = store_conn_get(db);
	char *path = yj_asprintf("%s/issued.pdf", t.dir);
	FILE *f = fopen(path, "wb");
	assert_int_equal(yj_blob_write(c, a.out.sha256, fileno(f)), ST_OK);
	fclose(f);
	f = fopen(path, "rb");
	unsigned char *pdf = yj_malloc((size_t)a.out.size);
	assert_int_equal(fread(pdf, 1, (size_t)a.out.size, f), (size_t)a.out.size);
	fclose(f);
	unsigned char h[32];
	char hex[65];
	crypto_hash_sha256(h, pdf, (size_t)a.out.size);
	yj_hex_encode(h, 32, hex);
	assert_string_equal(hex, a.out.sha256);
	char *text = run_tool("pdftotext", pdf, (size_t)a.out.size);
	assert_non_null(strstr(text, "温鹿卫医罚〔2026〕1号"));
	free(text);

	/* Rendering again with what was stored gives the same bytes (nothing depends on the clock). */
	char *url = yj_doc_verify_url("https://yijian.example/", a.out.number);
	assert_non_null(strstr(url, "/api/v1/public/documents/verify?no=%E6%B8%A9"));
	yj_doc_render_opts o = {a.out.number, 0, AT, url};
	unsigned char *again = NULL;
	size_t len = 0;
	char *err = NULL;
	assert_int_equal(yj_doc_render(m, &o, &again, &len, NULL, &err), YJ_OK);
	assert_int_equal(len, (size_t)a.out.size);
	assert_memory_equal(again, pdf, len);
	free(again);
	free(url);
	free(pdf);
	free(path);

	/* The row, in scope and out of it, and the audit leaf. */
	yj_doc_info d;
	assert_int_equal(yj_doc_get(c, NULL, a.out.id, &d), ST_OK);
	assert_string_equal(d.number, a.out.number);
	assert_string_equal(d.sha256, a.out.sha256);
	assert_string_equal(d.title, "行政处罚决定书");
	yj_scope mine, other;
	yj_scope_init(&mine, "330300", "health", "health");
	yj_scope_init(&other, "330381", "health", "health");
	assert_int_equal(yj_doc_get(c, &mine, a.out.id, &d), ST_OK);
	assert_int_equal(yj_doc_get(c, &other, a.out.id, &d), ST_NOTFOUND);
	assert_int_equal(yj_doc_by_number(c, a.out.number, &d), ST_OK);
	assert_int_equal(yj_doc_latest_for(c, "enforcement_case", "42", "penalty_decision", &d), ST_OK);
	assert_int_equal(d.id, a.out.id);
	char id[21];
	yj_id_format(a.out.id, id);
	assert_int_equal(yj_testdb_int(&t, "SELECT COUNT(*) FROM audit_leaves WHERE action = 'document.issue' AND object_id = ?", id), 1);
	free(a.err);
	json_decref(m);
}

static void rolled_back_issue_gives_number_back(void **state)
{
	json_t *m = yj_doc_sample(1);
	struct issue_arg a = {.req = sample_req(m)};
	a.req.kind_code = "医回";
	a.fail_after = 1;
	assert_int_equal(store_tx(db, issue_tx, &a), ST_ERR);
	assert_int_equal(yj_testdb_int(&t, "SELECT COUNT(*) FROM documents WHERE kind_code = ?", "医回"), 0);
	a.fail_after = 0;
	assert_int_equal(store_tx(db, issue_tx, &a), ST_OK);
	assert_string_equal(a.out.number, "温鹿卫医回〔2026〕1号");
	/* An invalid request writes nothing and says why. */
	a.req.office = "温 鹿";
	assert_int_equal(store_tx(db, issue_tx, &a), YJ_ERR);
	assert_non_null(a.err);
	a.req.office = "温鹿卫";
	json_t *bad = json_pack("{s:s}", "title", "无正文");
	a.req.model = bad;
	assert_int_equal(store_tx(db, issue_tx, &a), YJ_ERR);
	assert_non_null(strstr(a.err, "blocks"));
	assert_int_equal(yj_testdb_int(&t, "SELECT last_seq FROM doc_counters WHERE kind_code = ?", "医回"), 1);
	json_decref(bad);
	free(a.err);
	json_decref(m);
}

/* In a child process: issues n documents of kind code 医进 on s; 0 when all went through. */
static int child_issue(store *s, int n)
{
	json_t *m = yj_doc_sample(1);
	int rc = 0;
	for (int i = 0; i < n && rc == 0; i++) {
		struct issue_arg a = {.req = sample_req(m)};
		a.req.kind_code = "医进";
		rc = store_tx(s, issue_tx, &a) == ST_OK ? 0 : 1;
		free(a.err);
	}
	json_decref(m);
	return rc;
}

struct issue_thread {
	const json_t *m;
	int n;
	int ok;
};

static void *issue_thread(void *p)
{
	struct issue_thread *it = p;
	for (int i = 0; i < it->n; i++) {
		struct issue_arg a = {.req = sample_req(it->m)};
		a.req.kind_code = "医并";
		int rc = store_tx(db, issue_tx, &a);
		free(a.err);
		if (rc != ST_OK)
			return NULL;
	}
	it->ok = 1;
	return it;
}

static void concurrent_issues_numbered_densely(void **state)
{
	enum { THREADS = 3, EACH = 4 };
	json_t *m = yj_doc_sample(1);
	pthread_t th[THREADS];
	struct issue_thread it[THREADS];
	for (int i = 0; i < THREADS; i++) {
		it[i] = (struct issue_thread){m, EACH, 0};
		assert_int_equal(pthread_create(&th[i], NULL, issue_thread, &it[i]), 0);
	}
	for (int i = 0; i < THREADS; i++) {
		pthread_join(th[i], NULL);
		assert_true(it[i].ok);
	}
	assert_int_equal(yj_testdb_int(&t, "SELECT COUNT(DISTINCT seq) FROM documents WHERE kind_code = ?", "医并"), THREADS * EACH);
	assert_int_equal(yj_testdb_int(&t, "SELECT MAX(seq) FROM documents WHERE kind_code = ?", "医并"), THREADS * EACH);
	assert_int_equal(yj_testdb_int(&t, "SELECT MIN(seq) FROM documents WHERE kind_code = ?", "医并"), 1);
	json_decref(m);
}

/* `yijian audit verify --records`: every row matches its document.issue leaf until a PDF is swapped. */
static void records_match_the_log(void **state)
{
	yj_doc_records_register();
	char *report = NULL;
	int rc = yj_audit_verify_records(db, &report);
	if (rc != 0)
		fail_msg("records: %s", report);
	free(report);
	yj_testdb_exec_tx(&t, "UPDATE documents SET sha256 = (SELECT MAX(sha256) FROM documents) "
			      "WHERE id = (SELECT MIN(id) FROM documents WHERE sha256 <> (SELECT MAX(sha256) FROM documents))");
	assert_int_equal(yj_audit_verify_records(db, &report), 1);
	assert_non_null(strstr(report, "document"));
	free(report);
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	const struct CMUnitTest tests[] = {
		/* The processes fork before this process has started pango's threads. */
		cmocka_unit_test(numbers_processes_no_gap_no_duplicate),
		cmocka_unit_test(numbers_threads_no_gap_no_duplicate),
		cmocka_unit_test(render_has_text_and_number),
		cmocka_unit_test(rare_characters_print),
		cmocka_unit_test(long_content_breaks_pages),
		cmocka_unit_test(same_input_same_bytes),
		cmocka_unit_test(preview_has_watermark_no_number),
		cmocka_unit_test(bad_models_refused),
		cmocka_unit_test(image_block_draws_the_png),
		cmocka_unit_test(issue_stores_pdf_row_and_leaf),
		cmocka_unit_test(rolled_back_issue_gives_number_back),
		cmocka_unit_test(concurrent_issues_numbered_densely),
		cmocka_unit_test(records_match_the_log),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
