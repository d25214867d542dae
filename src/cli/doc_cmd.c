/* doc_cmd.c — `yijian doc render`: renders a document model (docs/documents.md) to a PDF file with no
 * database, for a quick look at the layout: the built-in sample 行政处罚决定书 or a model from a JSON file,
 * as a preview (watermark, no number) or as it would be issued with a given number. `yijian doc issue`
 * issues documents into a database (as the capabilities do, for tests and the bench), and `yijian doc
 * number` only allocates numbers, one transaction each (the bench of concurrent allocation). */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"
#include "../base/base.h"
#include "../platform/docs/docs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int render(int argc, char **argv)
{
	cli_opt o[] = {
		{"sample", 0, "render the built-in sample 行政处罚决定书", NULL},
		{"paragraphs", 1, "paragraphs of facts in the sample (default 3; 60 gives several pages)", NULL},
		{"model", 1, "a document model in a JSON file instead of the sample", NULL},
		{"number", 1, "the 文号 to print (default 温鹿卫医罚〔2026〕12号)", NULL},
		{"preview", 0, "render as a preview: watermark, no number, no QR code", NULL},
		{"out", 1, "the PDF file to write (default document.pdf)", NULL},
		{NULL, 0, NULL, NULL},
	};
	char **rest;
	int nrest, code;
	if (cli_parse(argc, argv,
		      "Usage: yijian doc render (--sample [--paragraphs N] | --model FILE) [--number NO] [--preview] [--out FILE]\n\n"
		      "Renders a document to PDF with the platform's document facility, touching no database.",
		      o, &rest, &nrest, &code) < 0)
		return code;
	json_t *model = NULL;
	const char *file = cli_get(o, "model");
	if (file) {
		json_error_t je;
		model = json_load_file(file, 0, &je);
		if (!model) {
			fprintf(stderr, "yijian: %s: %s (line %d)\n", file, je.text, je.line);
			return 2;
		}
	} else if (cli_get(o, "sample")) {
		const char *p = cli_get(o, "paragraphs");
		model = yj_doc_sample(p ? atoi(p) : 3);
	} else {
		fprintf(stderr, "yijian: 请给出 --sample 或 --model FILE\n");
		return 2;
	}
	const char *no = cli_get(o, "number");
	yj_doc_render_opts ro = {.number = no ? no : "温鹿卫医罚〔2026〕12号",
				 .preview = cli_get(o, "preview") != NULL,
				 .created_ms = yj_now_ms(),
				 .verify_url = "http://127.0.0.1:8080/api/v1/public/documents/verify?no=sample"};
	unsigned char *pdf = NULL;
	size_t len = 0;
	int pages = 0;
	char *err = NULL;
	int rc = yj_doc_render(model, &ro, &pdf, &len, &pages, &err);
	json_decref(model);
	if (rc < 0) {
		fprintf(stderr, "yijian: %s\n", err);
		free(err);
		return 1;
	}
	const char *out = cli_get(o, "out") ? cli_get(o, "out") : "document.pdf";
	FILE *f = fopen(out, "wb");
	int ok = f && fwrite(pdf, 1, len, f) == len;
	if (f && fclose(f) != 0)
		ok = 0;
	free(pdf);
	if (!ok) {
		fprintf(stderr, "yijian: cannot write %s\n", out);
		return 1;
	}
	printf("%s: %d page(s), %zu bytes\n", out, pages, len);
	return 0;
}

static store *open_with_keys(const cli_opt *o)
{
	const char *url = cli_db_url(o);
	store *s = cli_open_store(url, 1);
	if (!s)
		return NULL;
	char *keys = cli_keys_dir(o, url), *err = NULL;
	if (cli_load_keys(keys, &err) < 0) {
		fprintf(stderr, "yijian: %s\n", err);
		free(err);
		free(keys);
		store_close(s);
		return NULL;
	}
	free(keys);
	return s;
}

struct issue_arg {
	yj_doc_issue_req req;
	yj_doc_issued out;
	char *err;
};

static int issue_tx(store_conn *c, void *arg)
{
	struct issue_arg *a = arg;
	free(a->err);
	a->err = NULL;
	return yj_doc_issue(c, &a->req, &a->out, &a->err);
}

static int issue(int argc, char **argv)
{
	cli_opt o[] = {
		{"db", 1, "database URL", NULL},
		{"keys", 1, "directory of the audit signing key", NULL},
		{"model", 1, "a document model in a JSON file (default: the sample 行政处罚决定书)", NULL},
		{"kind", 1, "document kind (default penalty_decision)", NULL},
		{"office", 1, "机关代字 (default 温鹿卫)", NULL},
		{"kind-code", 1, "类别代字 (default 医罚)", NULL},
		{"region", 1, "territory code (default 330302)", NULL},
		{"department", 1, "department (default health)", NULL},
		{"institution", 1, "id of the institution concerned (its users may download)", NULL},
		{"subject", 1, "subject as TYPE:ID (default cli:sample)", NULL},
		{"public-url", 1, "base of the verification address in the QR code", NULL},
		{"count", 1, "documents to issue, one transaction each (default 1)", NULL},
		{NULL, 0, NULL, NULL},
	};
	int code;
	if (cli_parse(argc, argv, "Usage: yijian doc issue [--model FILE] [--office X --kind-code Y] [--count N] [--db URL]\n\n"
				  "Issues documents as a capability would and prints one JSON line {id, number, sha256} each.",
		      o, NULL, NULL, &code) < 0)
		return code;
	json_t *model = NULL;
	if (cli_get(o, "model")) {
		json_error_t je;
		if (!(model = json_load_file(cli_get(o, "model"), 0, &je))) {
			fprintf(stderr, "yijian: %s: %s\n", cli_get(o, "model"), je.text);
			return 2;
		}
	} else {
		model = yj_doc_sample(3);
	}
	store *s = open_with_keys(o);
	if (!s) {
		json_decref(model);
		return 1;
	}
#define OR(name, dflt) (cli_get(o, name) ? cli_get(o, name) : (dflt))
	char subject[128];
	snprintf(subject, sizeof subject, "%s", OR("subject", "cli:sample"));
	char *colon = strchr(subject, ':');
	if (colon)
		*colon = '\0';
	struct issue_arg a = {.req = {.kind = OR("kind", "penalty_decision"), .office = OR("office", "温鹿卫"),
				      .kind_code = OR("kind-code", "医罚"), .subject_type = subject,
				      .subject_id = colon ? colon + 1 : "sample",
				      .institution_id = cli_get(o, "institution") ? atoll(cli_get(o, "institution")) : 0,
				      .region_code = OR("region", "330302"), .department = OR("department", "health"),
				      .issued_by = "cli", .public_url = cli_get(o, "public-url"), .model = model}};
	int n = cli_get(o, "count") ? atoi(cli_get(o, "count")) : 1, rc = 0;
	for (int i = 0; i < n && rc >= 0; i++) {
		rc = store_tx(s, issue_tx, &a);
		if (rc >= 0)
			printf("{\"id\": \"%lld\", \"number\": \"%s\", \"sha256\": \"%s\"}\n", (long long)a.out.id, a.out.number,
			       a.out.sha256);
	}
	if (rc < 0)
		fprintf(stderr, "yijian: %s\n", a.err ? a.err : "store failure");
	free(a.err);
	json_decref(model);
	store_close(s);
	return rc < 0 ? 1 : 0;
}

struct number_arg {
	const char *office, *kind_code;
	int year;
	int64_t seq;
};

static int number_tx(store_conn *c, void *arg)
{
	struct number_arg *a = arg;
	return yj_doc_number_next(c, a->office, a->kind_code, a->year, &a->seq, NULL);
}

static int number(int argc, char **argv)
{
	cli_opt o[] = {
		{"db", 1, "database URL", NULL},
		{"office", 1, "机关代字 (default 温鹿卫)", NULL},
		{"kind-code", 1, "类别代字 (default 医罚)", NULL},
		{"year", 1, "year (default 2026)", NULL},
		{"count", 1, "numbers to allocate, one transaction each (default 1)", NULL},
		{"quiet", 0, "print only the count and the time", NULL},
		{NULL, 0, NULL, NULL},
	};
	int code;
	if (cli_parse(argc, argv, "Usage: yijian doc number [--office X --kind-code Y --year N] [--count N] [--db URL]\n\n"
				  "Allocates document numbers (no document) and prints each sequence, one a line.",
		      o, NULL, NULL, &code) < 0)
		return code;
	store *s = cli_open_store(cli_db_url(o), 1);
	if (!s)
		return 1;
	struct number_arg a = {OR("office", "温鹿卫"), OR("kind-code", "医罚"), atoi(OR("year", "2026")), 0};
	int n = atoi(OR("count", "1")), rc = 0, quiet = cli_get(o, "quiet") != NULL;
	uint64_t t0 = yj_mono_ns();
	for (int i = 0; i < n && rc >= 0; i++)
		if ((rc = store_tx(s, number_tx, &a)) >= 0 && !quiet)
			printf("%lld\n", (long long)a.seq);
	double secs = (double)(yj_mono_ns() - t0) / 1e9;
	if (quiet && rc >= 0)
		printf("%d %.3f\n", n, secs);
	if (rc < 0)
		fprintf(stderr, "yijian: store failure %d\n", rc);
	store_close(s);
	return rc < 0 ? 1 : 0;
}

int cmd_doc(int argc, char **argv)
{
	if (argc >= 1 && strcmp(argv[0], "render") == 0)
		return render(argc - 1, argv + 1);
	if (argc >= 1 && strcmp(argv[0], "issue") == 0)
		return issue(argc - 1, argv + 1);
	if (argc >= 1 && strcmp(argv[0], "number") == 0)
		return number(argc - 1, argv + 1);
	FILE *out = argc >= 1 && (!strcmp(argv[0], "--help") || !strcmp(argv[0], "-h")) ? stdout : stderr;
	fprintf(out, "Usage: yijian doc render (--sample | --model FILE) [--preview] [--out FILE]   render a document to PDF\n"
		     "       yijian doc issue [--model FILE] [--count N] [--db URL]   issue documents into a database\n"
		     "       yijian doc number [--count N] [--db URL]                 allocate document numbers only\n");
	return out == stdout ? 0 : 2;
}
