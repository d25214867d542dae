/* review.c — persisting a screening for review: engine flags grouped into flag records (one per flag
 * and claim), the file and rule-base hashes, the territory of each record, and the batched writing
 * of a run (see claims.h). The SQL is in review_store.c. */
#define _POSIX_C_SOURCE 200809L
#include "review_int.h"
#include "../base/base.h"
#include "../base/id.h"
#include "../platform/pii/pii.h"
#include "../registry/registry.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void rv_yuan(int64_t fen, char out[32])
{
	uint64_t a = fen < 0 ? (uint64_t)0 - (uint64_t)fen : (uint64_t)fen;
	snprintf(out, 32, "%s%llu.%02llu", fen < 0 ? "-" : "", (unsigned long long)(a / 100),
		 (unsigned long long)(a % 100));
}

/* ---- grouping ---- */

typedef struct rkey {
	int32_t rule, flag, claim, inst, phys, patient, line, idx;
} rkey;

static int rkey_cmp(const void *a, const void *b)
{
	const int32_t *x = a, *y = b;
	for (int i = 0; i < 8; i++)
		if (x[i] != y[i])
			return x[i] < y[i] ? -1 : 1;
	return 0;
}

static int same_record(const rkey *a, const rkey *b)
{
	return a->rule == b->rule && a->flag == b->flag && a->claim == b->claim && a->inst == b->inst &&
	       a->phys == b->phys && a->patient == b->patient;
}

/* Fills p->rows and p->rec: rows sorted by rule, flag, claim, institution, physician, patient and line. */
static void group(rv_plan *p)
{
	const yj_screen_result *res = p->res;
	const yj_claims *c = p->c;
	p->rows = yj_malloc((res->n ? res->n : 1) * sizeof *p->rows);
	p->rec = yj_malloc((res->n ? res->n : 1) * sizeof *p->rec);
	p->nrec = 0;
	if (!res->n)
		return;
	rkey *k = yj_malloc(res->n * sizeof *k);
	for (size_t i = 0; i < res->n; i++) {
		int32_t r = res->f[i].row;
		k[i] = (rkey){res->f[i].rule, res->f[i].flag, c->claim[r], c->inst[r], c->phys[r], c->patient[r],
			      c->line_no[r], (int32_t)i};
	}
	qsort(k, res->n, sizeof *k, rkey_cmp);
	for (size_t i = 0; i < res->n; i++) {
		p->rows[i] = k[i].idx;
		if (i == 0 || !same_record(&k[i - 1], &k[i]))
			p->rec[p->nrec++] = (rv_rec){(int32_t)i, 0, 0};
		rv_rec *r = &p->rec[p->nrec - 1];
		r->n++;
		r->amount += res->f[k[i].idx].amount;
	}
	free(k);
}

int64_t yj_review_count_records(const yj_claims *c, const yj_screen_result *res)
{
	rv_plan p = {.c = c, .res = res};
	group(&p);
	free(p.rows);
	free(p.rec);
	return (int64_t)p.nrec;
}

/* ---- hashes ---- */

static int sha256_files(const char *const *paths, int n, char hex[65], char **err)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
	char *buf = yj_malloc(1 << 20);
	int rc = YJ_OK;
	for (int i = 0; i < n && rc == YJ_OK; i++) {
		FILE *f = fopen(paths[i], "rb");
		if (!f) {
			*err = yj_asprintf("无法读取 %s，请检查文件是否存在", paths[i]);
			rc = YJ_ERR;
			break;
		}
		size_t got;
		while ((got = fread(buf, 1, 1 << 20, f)) > 0)
			EVP_DigestUpdate(ctx, buf, got);
		if (ferror(f)) {
			*err = yj_asprintf("读取 %s 时出错", paths[i]);
			rc = YJ_ERR;
		}
		fclose(f);
	}
	unsigned char h[32];
	unsigned hl = 0;
	EVP_DigestFinal_ex(ctx, h, &hl);
	EVP_MD_CTX_free(ctx);
	free(buf);
	if (rc == YJ_OK)
		yj_hex_encode(h, 32, hex);
	return rc;
}

int rv_rules_sha(const char *dir, char hex[65], char **err)
{
	char *r1 = yj_asprintf("%s/rules.csv", dir), *r2 = yj_asprintf("%s/item_lists.csv", dir);
	const char *rp[2] = {r1, r2};
	int rc = sha256_files(rp, 2, hex, err);
	free(r1);
	free(r2);
	return rc;
}

/* ---- territory ---- */

/* The registry region of every institution of the file (one lookup per distinct code). */
static int find_regions(store *s, rv_plan *p)
{
	const yj_dict *d = p->c->dict[YJ_D_INST];
	int32_t n = yj_dict_count(d);
	p->inst_region = yj_calloc(n ? (size_t)n : 1, sizeof *p->inst_region);
	store_conn *c = store_conn_get(s);
	if (store_begin(c, 0) < 0)
		return ST_ERR;
	int rc = ST_OK;
	for (int32_t i = 0; i < n && rc >= 0; i++) {
		int64_t id, version;
		char region[16] = "";
		rc = yj_reg_find_key(c, &yj_institution_kind, yj_dict_str(d, i), &id, &version, region);
		if (rc == ST_OK)
			snprintf(p->inst_region[i], 16, "%s", region);
		if (rc == ST_NOTFOUND)
			rc = ST_OK;
	}
	if (rc < 0) {
		store_rollback(c);
		return rc;
	}
	return store_commit(c);
}

/* The smallest region (province, city, county or town) holding every region in the list: the
 * common prefix cut to a level boundary, padded back to a GB/T 2260 code that exists. */
static int common_region(store *s, const rv_plan *p, char out[16])
{
	static const size_t levels[] = {9, 6, 4, 2};
	const char *first = NULL;
	size_t common = 0;
	int32_t n = yj_dict_count(p->c->dict[YJ_D_INST]);
	for (int32_t i = 0; i < n; i++) {
		const char *r = p->inst_region[i];
		if (!*r)
			continue;
		if (!first) {
			first = r;
			common = strlen(r);
			continue;
		}
		size_t k = 0;
		while (k < common && r[k] && r[k] == first[k])
			k++;
		common = k;
	}
	if (!first)
		return ST_NOTFOUND;
	store_conn *c = store_conn_get(s);
	for (size_t l = 0; l < YJ_ARRAY_LEN(levels); l++) {
		size_t len = levels[l];
		if (len > common)
			continue;
		char code[16];
		snprintf(code, sizeof code, "%.*s%.*s", (int)len, first, len < 6 ? (int)(6 - len) : 0, "000000");
		int rc = rv_region_exists(c, code);
		if (rc < 0)
			return rc;
		if (rc == 1) {
			snprintf(out, 16, "%s", code);
			return ST_OK;
		}
	}
	return ST_NOTFOUND;
}

/* ---- the run ---- */

static int run_tx(store_conn *c, void *arg)
{
	int rc = rv_insert_run(c, arg);
	return rc < 0 ? rc : rv_insert_physicians(c, arg);
}

/* Lines, claims and amounts per (physician, institution), in an open-addressing table keyed by the
 * pair (kept under half full); a claim counts for the pair of the first of its lines seen. */
static size_t phys_slot(const int64_t *slot, size_t cap, const rv_phys *v, int32_t ph, int32_t in)
{
	uint64_t key = (uint64_t)(uint32_t)ph << 32 | (uint32_t)in;
	size_t h = (size_t)((key * 0x9E3779B97F4A7C15ULL) >> 20) & (cap - 1);
	while (slot[h] >= 0 && (v[slot[h]].phys != ph || v[slot[h]].inst != in))
		h = (h + 1) & (cap - 1);
	return h;
}

static void physicians(rv_plan *p)
{
	const yj_claims *c = p->c;
	size_t cap = 1024, n = 0, room = 64;
	int64_t *slot = yj_malloc(sizeof *slot * cap);
	memset(slot, 0xff, sizeof *slot * cap);
	rv_phys *v = yj_malloc(sizeof *v * room);
	int32_t ncl = yj_dict_count(c->dict[YJ_D_CLAIM]);
	uint8_t *seen = yj_calloc((size_t)ncl + 1, 1);
	for (size_t i = 0; i < c->n; i++) {
		if (2 * (n + 1) > cap) {
			cap *= 2;
			slot = yj_realloc(slot, sizeof *slot * cap);
			memset(slot, 0xff, sizeof *slot * cap);
			for (size_t k = 0; k < n; k++)
				slot[phys_slot(slot, cap, v, v[k].phys, v[k].inst)] = (int64_t)k;
		}
		size_t h = phys_slot(slot, cap, v, c->phys[i], c->inst[i]);
		if (slot[h] < 0) {
			if (n == room) {
				room *= 2;
				v = yj_realloc(v, sizeof *v * room);
			}
			v[n] = (rv_phys){c->phys[i], c->inst[i], c->dept[i], 0, 0, 0};
			slot[h] = (int64_t)n++;
		}
		rv_phys *e = &v[slot[h]];
		e->lines++;
		e->amount += c->amount[i];
		if (!seen[c->claim[i]]) {
			seen[c->claim[i]] = 1;
			e->claims++;
		}
	}
	free(seen);
	free(slot);
	p->phys = v;
	p->nphys = n;
}

typedef struct batch_arg {
	rv_plan *p;
	size_t from, to;
	int per_insert;
} batch_arg;

static int batch_tx(store_conn *c, void *arg)
{
	batch_arg *b = arg;
	return rv_insert_records(c, b->p, b->from, b->to, b->per_insert);
}

static int finish_tx(store_conn *c, void *arg)
{
	return rv_finish_run(c, arg);
}

static int delete_tx(store_conn *c, void *arg)
{
	return rv_delete_run(c, *(int64_t *)arg);
}

static void plan_free(rv_plan *p)
{
	if (p->patient_cipher) {
		int32_t n = yj_dict_count(p->c->dict[YJ_D_PATIENT]);
		for (int32_t i = 0; i < n; i++)
			free(p->patient_cipher[i]);
	}
	free(p->patient_cipher);
	free(p->inst_region);
	free(p->rows);
	free(p->rec);
	free(p->phys);
}

/* ---- a partition of a run (runs_job.c) ---- */

int rv_run_header(rv_plan *p, const yj_rules *rs, const yj_review_opts *o, char **err)
{
	memset(p, 0, sizeof *p);
	p->rs = rs;
	p->o = o;
	p->run_id = o->run_id;
	snprintf(p->region, sizeof p->region, "%s", o->region_code ? o->region_code : "");
	const char *base = strrchr(o->claims_path, '/');
	snprintf(p->input_name, sizeof p->input_name, "%s",
		 o->input_name ? o->input_name : base ? base + 1 : o->claims_path);
	const char *in[1] = {o->claims_path};
	if (sha256_files(in, 1, p->input_sha, err) < 0)
		return YJ_ERR;
	char *r1 = yj_asprintf("%s/rules.csv", o->rules_dir), *r2 = yj_asprintf("%s/item_lists.csv", o->rules_dir);
	const char *rp[2] = {r1, r2};
	int rc = sha256_files(rp, 2, p->rules_sha, err);
	free(r1);
	free(r2);
	return rc;
}

struct with_arg {
	rv_plan *p;
	int (*tx)(store_conn *, rv_plan *, void *);
	void *arg;
};

static int with_tx(store_conn *c, void *arg)
{
	struct with_arg *w = arg;
	return w->tx(c, w->p, w->arg);
}

int rv_persist_with(store *s, const yj_claims *c, const yj_rules *rs, const yj_screen_result *res,
		    const yj_review_opts *o, int (*tx)(store_conn *, rv_plan *, void *), void *arg, char **err)
{
	if (!yj_pii_ready()) {
		*err = yj_strdup("未加载个人信息加密密钥，请用 --keys 指定密钥目录");
		return YJ_ERR;
	}
	rv_plan p = {.c = c, .rs = rs, .res = res, .o = o, .run_id = o->run_id};
	snprintf(p.region, sizeof p.region, "%s", o->region_code);
	group(&p);
	physicians(&p);
	p.patient_cipher = yj_calloc((size_t)yj_dict_count(c->dict[YJ_D_PATIENT]) + 1, sizeof *p.patient_cipher);
	p.line_count = (int64_t)c->n;
	p.flag_count = res->nflags;
	p.flagged_lines = (int64_t)res->n;
	for (size_t i = 0; i < p.nrec; i++)
		p.amount_fen += p.rec[i].amount;
	int rc = YJ_ERR;
	if (find_regions(s, &p) < 0) {
		*err = yj_asprintf("读取主体库失败：%s", store_errmsg(store_conn_get(s)));
		goto done;
	}
	struct with_arg w = {&p, tx, arg};
	if (store_tx(s, with_tx, &w) < 0) {
		*err = yj_asprintf("保存分区疑点失败：%s", store_errmsg(store_conn_get(s)));
		goto done;
	}
	rc = YJ_OK;
done:
	plan_free(&p);
	return rc;
}

int yj_review_persist(store *s, const yj_claims *c, const yj_rules *rs, const yj_screen_result *res,
		      const yj_review_opts *o, yj_review_stats *st, char **err)
{
	memset(st, 0, sizeof *st);
	rv_plan p = {.c = c, .rs = rs, .res = res, .o = o};
	int rc = YJ_ERR, run_written = 0;
	if (!yj_pii_ready()) {
		*err = yj_strdup("未加载个人信息加密密钥，请用 --keys 指定密钥目录");
		return YJ_ERR;
	}
	const char *base = strrchr(o->claims_path, '/');
	snprintf(p.input_name, sizeof p.input_name, "%s",
		 o->input_name ? o->input_name : base ? base + 1 : o->claims_path);
	const char *in[1] = {o->claims_path};
	if (sha256_files(in, 1, p.input_sha, err) < 0)
		return YJ_ERR;
	char *r1 = yj_asprintf("%s/rules.csv", o->rules_dir), *r2 = yj_asprintf("%s/item_lists.csv", o->rules_dir);
	const char *rp[2] = {r1, r2};
	int hrc = sha256_files(rp, 2, p.rules_sha, err);
	free(r1);
	free(r2);
	if (hrc < 0)
		return YJ_ERR;

	group(&p);
	physicians(&p);
	p.patient_cipher = yj_calloc((size_t)yj_dict_count(c->dict[YJ_D_PATIENT]) + 1, sizeof *p.patient_cipher);
	p.line_count = (int64_t)c->n;
	p.flag_count = res->nflags;
	p.flagged_lines = (int64_t)res->n;
	for (size_t i = 0; i < p.nrec; i++)
		p.amount_fen += p.rec[i].amount;

	if (find_regions(s, &p) < 0) {
		*err = yj_asprintf("读取主体库失败：%s", store_errmsg(store_conn_get(s)));
		goto done;
	}
	if (o->region_code) {
		int ex = rv_region_exists(store_conn_get(s), o->region_code);
		if (ex != 1) {
			*err = ex < 0 ? yj_asprintf("读取行政区划失败：%s", store_errmsg(store_conn_get(s)))
				      : yj_asprintf("行政区划代码 %s 不存在，请核对 --region", o->region_code);
			goto done;
		}
		snprintf(p.region, sizeof p.region, "%s", o->region_code);
	} else if (common_region(s, &p, p.region) < 0) {
		*err = yj_strdup("主体库中没有本文件的医疗机构，无法确定本次筛查的管辖区域，请用 --region 指定行政区划代码（如 330300）");
		goto done;
	}
	for (size_t i = 0; i < p.nrec; i++)
		if (p.inst_region[c->inst[res->f[p.rows[p.rec[i].first]].row]][0])
			p.in_registry++;

	p.run_id = o->run_id ? o->run_id : yj_id_new();
	if (store_tx(s, run_tx, &p) < 0) {
		*err = yj_asprintf("保存筛查批次失败：%s", store_errmsg(store_conn_get(s)));
		goto done;
	}
	run_written = 1;
	/* Measured (docs/claims.md, "Review"): on PostgreSQL a 100-row INSERT saves a round trip per record;
	 * on SQLite it costs more than it saves, since a statement that may fail after changing some rows
	 * keeps a statement journal in a temporary file — single-row INSERTs there. */
	int batch = o->batch > 0 ? o->batch : 2000;
	int per = o->per_insert > 0 ? o->per_insert : strcmp(store_engine(s), "sqlite") ? 100 : 1;
	uint64_t t0 = yj_mono_ns(), last = t0;
	for (size_t from = 0; from < p.nrec; from += (size_t)batch) {
		batch_arg b = {&p, from, from + (size_t)batch < p.nrec ? from + (size_t)batch : p.nrec, per};
		if (store_tx(s, batch_tx, &b) < 0) {
			*err = yj_asprintf("保存疑点失败（第 %zu 条起）：%s", from + 1, store_errmsg(store_conn_get(s)));
			goto done;
		}
		st->transactions++;
		if (o->on_progress)
			o->on_progress(o->progress_arg, (int64_t)b.to, (int64_t)p.nrec);
		uint64_t now = yj_mono_ns();
		if (o->progress && (now - last > 1000000000ULL || b.to == p.nrec)) {
			double sec = (double)(now - t0) / 1e9;
			fprintf(stderr, "stored %zu/%zu flag records (%.0f records/s)\n", b.to, p.nrec,
				sec > 0 ? (double)b.to / sec : 0.0);
			last = now;
		}
	}
	if (store_tx(s, finish_tx, &p) < 0) {
		*err = yj_asprintf("完成筛查批次失败：%s", store_errmsg(store_conn_get(s)));
		goto done;
	}
	st->seconds = (double)(yj_mono_ns() - t0) / 1e9;
	st->run_id = p.run_id;
	st->records = (int64_t)p.nrec;
	st->amount_fen = p.amount_fen;
	st->in_registry = p.in_registry;
	snprintf(st->region_code, sizeof st->region_code, "%s", p.region);
	rc = YJ_OK;
done:
	if (rc < 0 && run_written && store_tx(s, delete_tx, &p.run_id) < 0)
		fprintf(stderr, "could not remove the partial run %lld: %s\n", (long long)p.run_id,
			store_errmsg(store_conn_get(s)));
	plan_free(&p);
	return rc;
}
