/* load.c — claim lines from CSV into columns.
 *
 * The file is memory-mapped and cut into chunks (1–32 MiB, about eight per thread) just after a
 * newline. Threads parse chunks independently: rows go one after another into a mapped buffer
 * (their pages fill in order), codes into small per-chunk dictionaries, and a chunk's pages of
 * the file are released as soon as it is parsed. A cut that fell inside a quoted field is found
 * afterwards — a chunk that starts on a record boundary parses exactly like a single pass, so
 * only its last record can run into the cut inside quotes — and that chunk is parsed again with
 * the next one (and, if that fails too, with the rest of the file), so the result never depends
 * on the cuts. Then each dictionary is merged on all threads (yj_dict_merge: partitions by hash;
 * codes in order of first sight, so they do not depend on the thread count), the columns are
 * allocated once in one mapping with huge pages, and the threads spread each chunk's rows into
 * their place with the merged codes.
 * Just over 800 lines on purpose: parsing, chunk mending, merging and spreading share the chunk and
 * loader structs; refund netting and the refund records are kept apart in refund.c. */
#include "claims.h"
#include "refund_int.h"
#include "../base/base.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

enum col {
	C_CLAIM, C_LINE, C_PATIENT, C_SEX, C_BIRTH, C_INST, C_PHYS, C_DEPT, C_VISIT, C_ADMIT, C_DISCH,
	C_SERVICE, C_DIAG, C_ITEM, C_NAME, C_TYPE, C_QTY, C_PRICE, C_AMOUNT, C_DAYS, NCOL
};
static const char *const col_names[NCOL] = {
	"claim_id", "line_no", "patient_id", "sex", "birth_date", "institution_code", "physician_id", "dept_code",
	"visit_type", "admit_date", "discharge_date", "service_date", "diagnosis", "item_code", "item_name",
	"item_type", "quantity", "unit_price", "amount", "days_supply"};
/* Which dictionary a string column goes to (-1: not a dictionary column). */
static const int col_dict[NCOL] = {
	[C_CLAIM] = YJ_D_CLAIM, [C_LINE] = -1, [C_PATIENT] = YJ_D_PATIENT, [C_SEX] = -1, [C_BIRTH] = -1,
	[C_INST] = YJ_D_INST, [C_PHYS] = YJ_D_PHYS, [C_DEPT] = YJ_D_DEPT, [C_VISIT] = -1, [C_ADMIT] = -1,
	[C_DISCH] = -1, [C_SERVICE] = -1, [C_DIAG] = YJ_D_DIAG, [C_ITEM] = YJ_D_ITEM, [C_NAME] = YJ_D_NAME,
	[C_TYPE] = -1, [C_QTY] = -1, [C_PRICE] = -1, [C_AMOUNT] = -1, [C_DAYS] = -1};

/* A parsed row in a chunk: rows are written one after another (the pages fill in order) and are
 * spread into the columns once the dictionaries are merged. */
typedef struct prow {
	int32_t code[YJ_D_COUNT]; /* chunk dictionary codes */
	int32_t line_no, birth, admit, discharge, service, days;
	int64_t qty, price, amount;
	uint8_t sex, visit, type;
} prow;

typedef struct chunk {
	const char *b, *e;
	prow *rows;
	size_t nrows, caprows, maplen;
	yj_dict *dict[YJ_D_COUNT];
	int32_t last[YJ_D_COUNT]; /* last code per dictionary: lines of a claim repeat most codes */
	uint32_t lastn[YJ_D_COUNT];
	const char *lastp[YJ_D_COUNT]; /* its string (the pool moves only when a string is added) */
	char dtext[4][10]; /* last text and value per date column: lines of a claim repeat dates */
	int32_t dval[4];
	int64_t nrec, nbad;
	int open_end; /* the last record ran into the chunk's end inside quotes */
	yj_refund_row *refunds; /* rows with a negative quantity (row: within the chunk; rec: within it) */
	size_t nrefunds;
	yj_load_error *errs;
	int nerr;
	size_t out; /* first row of the chunk in the columns */
} chunk;

typedef struct loader {
	const char *data;
	size_t n;
	int map[NCOL];	/* file column of each required column */
	int orig_col;	/* file column of the optional orig_line_no (a refund's original line), or -1 */
	int ncols;	/* columns in the header */
	char **hdr;	/* header names, for error reports */
	int max_errors;
	int mapped;	/* data is an mmap of a file: release parsed pages */
	chunk *chunks;
	int nchunks;
	atomic_int next;
	atomic_size_t done;
	int progress;
	pthread_t main;
	uint64_t t0, shown;
	yj_claims *c;		     /* spreading: the columns */
	int32_t **remap[YJ_D_COUNT]; /* spreading: per dictionary and chunk, chunk code → code */
	int phase;		     /* 0 parse, 1 spread */
} loader;

/* Big buffers are mapped directly: they are returned to the system when freed, grow without
 * copying (mremap), and the columns ask for transparent huge pages (one fault per 2 MiB instead of
 * per 4 KiB, which is what dominated the merge in this VM). Small ones (below MAP_MIN: a real-time
 * check's claim and history, a test's file) come from malloc: an mmap, its page faults and the
 * munmap's TLB shootdown cost more than the whole load of a few dozen lines. The length decides which
 * (map_free, map_grow), so it is kept beside each buffer. */
#define MAP_MIN ((size_t)1 << 20)

static void *map_alloc(size_t len)
{
	if (len < MAP_MIN)
		return yj_malloc(len);
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		fprintf(stderr, "out of memory (mapping %zu bytes)\n", len);
		abort();
	}
	return p;
}

static void map_free(void *p, size_t len)
{
	if (len < MAP_MIN)
		free(p);
	else
		munmap(p, len);
}

static size_t page_round(size_t n)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	return (n + pg - 1) / pg * pg;
}

static void chunk_reserve(chunk *ch, size_t need)
{
	if (need <= ch->caprows)
		return;
	size_t cap = ch->caprows ? ch->caprows * 2 : 16;
	while (cap < need)
		cap *= 2;
	size_t len = page_round(cap * sizeof(prow));
	if (!ch->rows) {
		ch->rows = map_alloc(len);
	} else {
		void *p;
		if (len < MAP_MIN) {
			p = yj_realloc(ch->rows, len);
		} else if (ch->maplen < MAP_MIN) {
			p = map_alloc(len);
			memcpy(p, ch->rows, ch->maplen);
			free(ch->rows);
		} else if ((p = mremap(ch->rows, ch->maplen, len, MREMAP_MAYMOVE)) == MAP_FAILED) {
			fprintf(stderr, "out of memory (mapping %zu bytes)\n", len);
			abort();
		}
		ch->rows = p;
	}
	ch->maplen = len;
	ch->caprows = len / sizeof(prow);
}

static void chunk_release(chunk *ch)
{
	if (ch->rows)
		map_free(ch->rows, ch->maplen);
	for (int k = 0; k < YJ_D_COUNT; k++)
		yj_dict_free(ch->dict[k]);
	free(ch->errs);
	free(ch->refunds);
	const char *b = ch->b, *e = ch->e;
	memset(ch, 0, sizeof *ch);
	ch->b = b;
	ch->e = e;
}

void yj_claims_free(yj_claims *c)
{
	if (!c)
		return;
	if (c->arena)
		map_free(c->arena, c->arena_len);
	for (int k = 0; k < YJ_D_COUNT; k++)
		yj_dict_free(c->dict[k]);
	free(c);
}

void yj_load_report_free(yj_load_report *rep)
{
	if (rep) {
		free(rep->errors);
		free(rep->orphans);
		memset(rep, 0, sizeof *rep);
	}
}

static void add_error(chunk *ch, int max, int64_t rec, int col, const char *column, const char *reason)
{
	if (ch->nerr >= max)
		return;
	if (!ch->errs)
		ch->errs = yj_malloc(sizeof *ch->errs * (size_t)max);
	yj_load_error *e = &ch->errs[ch->nerr++];
	e->row = rec;
	e->col = col;
	snprintf(e->column, sizeof e->column, "%s", column);
	snprintf(e->reason, sizeof e->reason, "%s", reason);
}

/* a[0..n) == b[0..n), inline for the short strings of claim files */
static inline int same(const char *a, const char *b, size_t n)
{
	if (n >= 8 && n <= 16) {
		uint64_t x, y, z, w;
		memcpy(&x, a, 8);
		memcpy(&y, b, 8);
		memcpy(&z, a + n - 8, 8);
		memcpy(&w, b + n - 8, 8);
		return x == y && z == w;
	}
	if (n < 8) {
		for (size_t i = 0; i < n; i++)
			if (a[i] != b[i])
				return 0;
		return 1;
	}
	return memcmp(a, b, n) == 0;
}

/* yj_parse_decimal, with the common form (digits, then optionally '.' and 1..scale digits, at
 * most 15 characters) inline; anything else goes to the full parser. */
static inline int dec(const char *p, size_t n, int scale, int64_t *out)
{
	if (n == 0 || n > 15 || p[0] < '0' || p[0] > '9')
		return yj_parse_decimal(p, n, scale, out);
	int64_t v = 0;
	size_t i = 0;
	while (i < n && (unsigned)(p[i] - '0') < 10)
		v = v * 10 + (p[i++] - '0');
	int frac = 0;
	if (i < n) {
		if (p[i] != '.' || i + 1 == n)
			return yj_parse_decimal(p, n, scale, out);
		for (i++; i < n; i++, frac++) {
			if ((unsigned)(p[i] - '0') >= 10 || frac == scale)
				return yj_parse_decimal(p, n, scale, out);
			v = v * 10 + (p[i] - '0');
		}
	}
	for (; frac < scale; frac++)
		v *= 10;
	*out = v;
	return YJ_OK;
}

static int parse_int(const char *p, size_t n, int64_t lo, int64_t hi, int64_t *out)
{
	int64_t v;
	if (dec(p, n, 0, &v) < 0 || v < lo || v > hi)
		return YJ_ERR;
	*out = v;
	return YJ_OK;
}

/* Parses the current record of r into row `row` of ch->cols; returns the failing column (enum col)
 * with *why set, or -1 when the row is good. */
static int parse_row(loader *L, chunk *ch, yj_csv *r, size_t row, const char **why)
{
	const yj_csv_field *f = r->f;
	prow *pr = &ch->rows[row];
#define FLD(k) (&f[L->map[k]])
	for (int k = 0; k < NCOL; k++) {
		int d = col_dict[k];
		if (d < 0)
			continue;
		const yj_csv_field *x = FLD(k);
		if (x->n == 0 && k != C_NAME) {
			*why = "missing value";
			return k;
		}
		int32_t last = ch->last[d];
		if (last >= 0 && ch->lastn[d] == x->n && same(ch->lastp[d], x->p, x->n)) {
			pr->code[d] = last;
			continue;
		}
		int32_t code = yj_dict_intern_valid(ch->dict[d], x->p, x->n);
		if (code < 0) {
			*why = "invalid UTF-8";
			return k;
		}
		pr->code[d] = ch->last[d] = code;
		ch->lastn[d] = x->n;
		ch->lastp[d] = yj_dict_str(ch->dict[d], code);
	}
	const yj_csv_field *x = FLD(C_SEX);
	if (x->n != 1 || (x->p[0] != 'M' && x->p[0] != 'F')) {
		*why = "sex must be M or F";
		return C_SEX;
	}
	uint8_t sex = (uint8_t)x->p[0];
	x = FLD(C_VISIT);
	int visit = x->n != 1 ? -1 : x->p[0] == 'O' ? YJ_VISIT_O : x->p[0] == 'E' ? YJ_VISIT_E : x->p[0] == 'I' ? YJ_VISIT_I : -1;
	if (visit < 0) {
		*why = "visit_type must be O, E or I";
		return C_VISIT;
	}
	x = FLD(C_TYPE);
	int type = x->n == 4 && memcmp(x->p, "drug", 4) == 0      ? YJ_ITEM_DRUG
		   : x->n == 7 && memcmp(x->p, "service", 7) == 0  ? YJ_ITEM_SERVICE
		   : x->n == 8 && memcmp(x->p, "material", 8) == 0 ? YJ_ITEM_MATERIAL
								    : -1;
	if (type < 0) {
		*why = "item_type must be drug, service or material";
		return C_TYPE;
	}
	int32_t dates[4] = {YJ_NO_DATE, YJ_NO_DATE, YJ_NO_DATE, YJ_NO_DATE};
	static const int dcol[4] = {C_BIRTH, C_ADMIT, C_DISCH, C_SERVICE};
	for (int i = 0; i < 4; i++) {
		x = FLD(dcol[i]);
		if (x->n == 0) {
			if (i == 0 || i == 3 || visit == YJ_VISIT_I) {
				*why = "missing date";
				return dcol[i];
			}
			continue;
		}
		if (x->n == 10 && ch->dval[i] != YJ_NO_DATE && same(x->p, ch->dtext[i], 10)) {
			dates[i] = ch->dval[i];
			continue;
		}
		int64_t day;
		if (yj_date_parse(x->p, x->n, YJ_CLAIM_YEAR_MIN, YJ_CLAIM_YEAR_MAX, &day) < 0) {
			*why = "invalid date (YYYY-MM-DD)";
			return dcol[i];
		}
		dates[i] = (int32_t)day;
		memcpy(ch->dtext[i], x->p, 10);
		ch->dval[i] = dates[i];
	}
	if (dates[1] != YJ_NO_DATE && dates[2] != YJ_NO_DATE && dates[2] < dates[1]) {
		*why = "discharge before admission";
		return C_DISCH;
	}
	if (dates[3] < dates[0]) {
		*why = "service before birth";
		return C_SERVICE;
	}
	int64_t line, qty, price, amount, days = -1;
	x = FLD(C_LINE);
	if (parse_int(x->p, x->n, 1, INT32_MAX, &line) < 0) {
		*why = "line_no must be a positive integer";
		return C_LINE;
	}
	static const int mcol[3] = {C_QTY, C_PRICE, C_AMOUNT};
	int64_t *mv[3] = {&qty, &price, &amount};
	for (int i = 0; i < 3; i++) {
		x = FLD(mcol[i]);
		if (dec(x->p, x->n, i == 0 ? 3 : 2, mv[i]) < 0) {
			*why = x->n == 0 ? "missing value" : i == 0 ? "not a number (at most 3 decimals)" : "not an amount in yuan (at most 2 decimals)";
			return mcol[i];
		}
		if ((i == 1 && *mv[i] < 0) || *mv[i] > (int64_t)1 << 50 || *mv[i] < -((int64_t)1 << 50)) {
			*why = *mv[i] < 0 ? "negative unit price" : "value out of range";
			return mcol[i];
		}
	}
	/* A refund or reversal (冲销) has a negative quantity and a negative (or zero) amount; it is
	 * netted against its original line after loading (refund.c). */
	if (qty < 0 ? amount > 0 : amount < 0) {
		*why = qty < 0 ? "refund (negative quantity) with a positive amount" : "negative amount with a positive quantity";
		return C_AMOUNT;
	}
	x = FLD(C_DAYS);
	if (x->n && parse_int(x->p, x->n, 0, 3650, &days) < 0) {
		*why = "days_supply must be an integer 0–3650";
		return C_DAYS;
	}
#undef FLD
	pr->line_no = (int32_t)line;
	pr->sex = sex;
	pr->visit = (uint8_t)visit;
	pr->type = (uint8_t)type;
	pr->birth = dates[0];
	pr->admit = dates[1];
	pr->discharge = dates[2];
	pr->service = dates[3];
	pr->qty = qty;
	pr->price = price;
	pr->amount = amount;
	pr->days = (int32_t)days;
	return -1;
}

static void parse_chunk(loader *L, chunk *ch)
{
	for (int k = 0; k < YJ_D_COUNT; k++) {
		ch->dict[k] = yj_dict_new();
		ch->last[k] = -1;
	}
	for (int i = 0; i < 4; i++)
		ch->dval[i] = YJ_NO_DATE;
	yj_csv r;
	yj_csv_init(&r, ch->b, (size_t)(ch->e - ch->b));
	chunk_reserve(ch, (size_t)(ch->e - ch->b) / 100 + 16); /* lines are ~140 bytes */
	while (yj_csv_next(&r)) {
		int64_t rec = ch->nrec++;
		ch->open_end = r.unterminated;
		if (r.err) {
			ch->nbad++;
			add_error(ch, L->max_errors, rec, r.err_col,
				  r.err_col >= 1 && r.err_col <= L->ncols ? L->hdr[r.err_col - 1] : "", r.err);
			continue;
		}
		if (r.nf != L->ncols) {
			char why[96];
			snprintf(why, sizeof why, "wrong number of columns: %d, header has %d", r.nf, L->ncols);
			ch->nbad++;
			add_error(ch, L->max_errors, rec, 0, "", why);
			continue;
		}
		chunk_reserve(ch, ch->nrows + 1);
		const char *why = NULL;
		int bad = parse_row(L, ch, &r, ch->nrows, &why);
		if (bad >= 0) {
			ch->nbad++;
			add_error(ch, L->max_errors, rec, L->map[bad] + 1, col_names[bad], why);
			continue;
		}
		if (ch->rows[ch->nrows].qty < 0) {
			int64_t orig = 0;
			if (L->orig_col >= 0 && r.f[L->orig_col].n &&
			    parse_int(r.f[L->orig_col].p, r.f[L->orig_col].n, 1, INT32_MAX, &orig) < 0) {
				ch->nbad++;
				add_error(ch, L->max_errors, rec, L->orig_col + 1, "orig_line_no", "orig_line_no must be a positive integer");
				continue;
			}
			ch->refunds = yj_realloc(ch->refunds, sizeof *ch->refunds * (ch->nrefunds + 1));
			ch->refunds[ch->nrefunds++] = (yj_refund_row){rec, (int32_t)ch->nrows, (int32_t)orig};
		}
		ch->nrows++;
	}
	yj_csv_free(&r);
	if (L->mapped) {
		/* Release the parsed pages of the mapping (whole pages strictly inside the chunk). */
		long pg = sysconf(_SC_PAGESIZE);
		uintptr_t b = ((uintptr_t)ch->b + (uintptr_t)pg - 1) & ~((uintptr_t)pg - 1);
		uintptr_t e = (uintptr_t)ch->e & ~((uintptr_t)pg - 1);
		if (e > b)
			madvise((void *)b, e - b, MADV_DONTNEED);
	}
}

/* Spreads chunk ch's rows into the columns at row ch->out, with merged dictionary codes, and
 * frees the rows. */
static void spread_chunk(loader *L, int ci)
{
	chunk *ch = &L->chunks[ci];
	yj_claims *c = L->c;
	const int32_t *rm[YJ_D_COUNT];
	for (int k = 0; k < YJ_D_COUNT; k++)
		rm[k] = L->remap[k][ci];
	size_t o = ch->out;
	for (size_t i = 0; i < ch->nrows; i++) {
		const prow *pr = &ch->rows[i];
		size_t j = o + i;
		c->claim[j] = rm[YJ_D_CLAIM][pr->code[YJ_D_CLAIM]];
		c->patient[j] = rm[YJ_D_PATIENT][pr->code[YJ_D_PATIENT]];
		c->inst[j] = rm[YJ_D_INST][pr->code[YJ_D_INST]];
		c->phys[j] = rm[YJ_D_PHYS][pr->code[YJ_D_PHYS]];
		c->dept[j] = rm[YJ_D_DEPT][pr->code[YJ_D_DEPT]];
		c->diag[j] = rm[YJ_D_DIAG][pr->code[YJ_D_DIAG]];
		c->item[j] = rm[YJ_D_ITEM][pr->code[YJ_D_ITEM]];
		c->name[j] = rm[YJ_D_NAME][pr->code[YJ_D_NAME]];
		c->line_no[j] = pr->line_no;
		c->birth[j] = pr->birth;
		c->admit[j] = pr->admit;
		c->discharge[j] = pr->discharge;
		c->service[j] = pr->service;
		c->days_supply[j] = pr->days;
		c->sex[j] = pr->sex;
		c->visit[j] = pr->visit;
		c->item_type[j] = pr->type;
		c->qty[j] = pr->qty;
		c->price[j] = pr->price;
		c->amount[j] = pr->amount;
	}
	if (ch->rows)
		map_free(ch->rows, ch->maplen);
	ch->rows = NULL;
}

static void *worker(void *arg)
{
	loader *L = arg;
	for (;;) {
		int i = atomic_fetch_add(&L->next, 1);
		if (i >= L->nchunks)
			break;
		if (L->phase == 1) {
			spread_chunk(L, i);
			continue;
		}
		parse_chunk(L, &L->chunks[i]);
		size_t done = atomic_fetch_add(&L->done, (size_t)(L->chunks[i].e - L->chunks[i].b)) +
			      (size_t)(L->chunks[i].e - L->chunks[i].b);
		if (L->progress && pthread_equal(pthread_self(), L->main)) {
			uint64_t now = yj_mono_ns();
			if (now - L->shown > 1000000000ull) {
				L->shown = now;
				double s = (double)(now - L->t0) / 1e9;
				fprintf(stderr, "loading: %.0f%% (%.0f MB of %.0f MB, %.1f s)\n", 100.0 * (double)done / (double)L->n,
					(double)done / 1e6, (double)L->n / 1e6, s);
			}
		}
	}
	return NULL;
}

static void run_workers(loader *L, int phase, int threads)
{
	L->phase = phase;
	atomic_store(&L->next, 0);
	if (threads > L->nchunks)
		threads = L->nchunks ? L->nchunks : 1;
	pthread_t tid[64];
	int started = 0;
	for (int i = 1; i < threads && i < 64; i++)
		if (pthread_create(&tid[started], NULL, worker, L) == 0)
			started++;
	worker(L);
	for (int i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
}

/* Cuts data[start..n) into chunks of about `size` bytes, each ending after a newline. A newline
 * inside a quoted field makes a wrong cut; it is found and mended after parsing (see load()). */
static void make_chunks(loader *L, size_t start, size_t size)
{
	const char *d = L->data, *end = d + L->n, *p = d + start;
	int cap = 16;
	L->chunks = yj_calloc((size_t)cap, sizeof *L->chunks);
	while (p < end) {
		const char *cut = end;
		if ((size_t)(end - p) > size) {
			const char *nl = memchr(p + size, '\n', (size_t)(end - p - (ptrdiff_t)size));
			cut = nl ? nl + 1 : end;
		}
		if (L->nchunks == cap) {
			cap *= 2;
			L->chunks = yj_realloc(L->chunks, sizeof *L->chunks * (size_t)cap);
		}
		chunk *ch = &L->chunks[L->nchunks++];
		memset(ch, 0, sizeof *ch);
		ch->b = p;
		ch->e = cut;
		p = cut;
	}
}

/* The columns, one after another in one mapping that asks for huge pages (every byte of it is
 * written, so huge pages waste nothing but the tail). */
static void alloc_columns(yj_claims *c, size_t n)
{
	size_t align = 64, len = 0;
	void **col[] = {(void **)&c->claim,   (void **)&c->line_no, (void **)&c->patient,   (void **)&c->inst,
			(void **)&c->phys,    (void **)&c->dept,    (void **)&c->diag,	    (void **)&c->item,
			(void **)&c->name,    (void **)&c->birth,   (void **)&c->admit,	    (void **)&c->discharge,
			(void **)&c->service, (void **)&c->days_supply, (void **)&c->sex, (void **)&c->visit,
			(void **)&c->item_type, (void **)&c->qty,   (void **)&c->price,	    (void **)&c->amount};
	static const size_t width[] = {4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 1, 1, 1, 8, 8, 8};
	size_t off[20];
	for (int i = 0; i < 20; i++) {
		off[i] = len;
		len += (width[i] * (n ? n : 1) + align - 1) / align * align;
	}
	len = page_round(len);
	char *p = map_alloc(len);
	c->arena = p;
	c->arena_len = len;
#ifdef MADV_HUGEPAGE
	if (len >= ((size_t)8 << 20))
		madvise(p, len, MADV_HUGEPAGE);
#endif
	for (int i = 0; i < 20; i++)
		*col[i] = p + off[i];
}

/* 1 when data[0..n) is not UTF-8 but reads as GBK/GB18030 two-byte text (lead 0x81–0xFE, trail
 * 0x40–0xFE except 0x7F) with at least one such pair: the encoding of many exports from hospital
 * and insurance systems. The last byte may be half a pair cut by the sample. */
static int looks_gbk(const char *data, size_t n)
{
	const unsigned char *p = (const unsigned char *)data;
	if (yj_utf8_valid(data, n))
		return 0;
	int pairs = 0;
	for (size_t i = 0; i < n; i++) {
		if (p[i] < 0x80)
			continue;
		if (i + 1 == n)
			break;
		if (p[i] == 0x80 || p[i] == 0xFF || p[i + 1] < 0x40 || p[i + 1] == 0x7F || p[i + 1] == 0xFF)
			return 0;
		pairs++;
		i++;
	}
	return pairs > 0;
}

static int online_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1 : n > 64 ? 64 : (int)n;
}

static int load(const char *data, size_t n, const yj_load_opts *o, int mapped, yj_claims **out, yj_load_report *rep,
		char **err)
{
	yj_load_opts def = {0};
	if (!o)
		o = &def;
	uint64_t t0 = yj_mono_ns();
	memset(rep, 0, sizeof *rep);
	*out = NULL;
	*err = NULL;
	rep->bytes = n;
	loader L = {.data = data, .n = n, .mapped = mapped, .max_errors = o->max_errors > 0 ? o->max_errors : 100,
		    .progress = o->progress, .main = pthread_self(), .t0 = t0, .shown = t0};
	size_t skip = n >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
	/* A GBK file would fail on every row with "invalid UTF-8": say what it is and how to convert. */
	size_t sample = n - skip < 65536 ? n - skip : 65536;
	while (sample < n - skip && sample > 0 && data[skip + sample - 1] != '\n')
		sample--; /* end the sample on a line so that no UTF-8 character is cut */
	if (looks_gbk(data + skip, sample ? sample : (n - skip < 65536 ? n - skip : 65536))) {
		*err = yj_strdup("文件不是 UTF-8 编码，看起来是 GBK（GB18030）编码。请先转换为 UTF-8 再筛查，例如："
				 "iconv -f GB18030 -t UTF-8 原文件.csv > 转换后.csv");
		return YJ_ERR;
	}
	yj_csv hr;
	yj_csv_init(&hr, data + skip, n - skip);
	hr.max_field = 256;
	if (!yj_csv_next(&hr)) {
		yj_csv_free(&hr);
		*err = yj_strdup("empty file: no header row");
		return YJ_ERR;
	}
	if (hr.err) {
		*err = yj_asprintf("header row, column %d: %s", hr.err_col, hr.err);
		yj_csv_free(&hr);
		return YJ_ERR;
	}
	L.ncols = hr.nf;
	L.orig_col = -1;
	for (int i = 0; i < hr.nf; i++)
		if (hr.f[i].n == 12 && memcmp(hr.f[i].p, "orig_line_no", 12) == 0)
			L.orig_col = i;
	L.hdr = yj_malloc(sizeof *L.hdr * (size_t)hr.nf);
	for (int i = 0; i < hr.nf; i++)
		L.hdr[i] = yj_csv_dup(&hr, i);
	for (int k = 0; k < NCOL; k++) {
		L.map[k] = -1;
		for (int i = 0; i < hr.nf; i++) {
			const yj_csv_field *f = &hr.f[i];
			const char *s = f->p;
			size_t len = f->n;
			while (len && (*s == ' ' || *s == '\t'))
				s++, len--;
			while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
				len--;
			if (len == strlen(col_names[k]) && memcmp(s, col_names[k], len) == 0) {
				if (L.map[k] >= 0) {
					*err = yj_asprintf("header: column %s appears twice", col_names[k]);
					goto header_fail;
				}
				L.map[k] = i;
			}
		}
		if (L.map[k] < 0) {
			*err = yj_asprintf("header: missing required column %s", col_names[k]);
			goto header_fail;
		}
	}
	size_t body = (size_t)(hr.p - data);
	yj_csv_free(&hr);

	int threads = o->threads > 0 ? o->threads : online_cpus();
	size_t csize = o->chunk_bytes;
	if (!csize) { /* about 8 chunks per thread, 1–32 MiB each */
		csize = (n - body) / ((size_t)threads * 8) + 1;
		csize = csize < ((size_t)1 << 20) ? (size_t)1 << 20 : csize > ((size_t)32 << 20) ? (size_t)32 << 20 : csize;
	}
	make_chunks(&L, body, csize);
	run_workers(&L, 0, threads);
	/* Chunk 0 starts at a record boundary. A chunk that starts at one is parsed exactly as a
	 * single pass would parse it, so its cut is a boundary too unless its last record ran into the
	 * cut inside quotes (a newline in a quoted field). Then the chunk is parsed again together with
	 * the next one, and if that still ends inside quotes (an unterminated quote), with the rest of
	 * the file. */
	for (int i = 0, mended = -1; i + 1 < L.nchunks;) {
		if (!L.chunks[i].open_end) {
			i++;
			continue;
		}
		int last = mended == i ? L.nchunks - 1 : i + 1;
		const char *b = L.chunks[i].b, *e = L.chunks[last].e;
		for (int k = i; k <= last; k++)
			chunk_release(&L.chunks[k]);
		memmove(&L.chunks[i + 1], &L.chunks[last + 1], sizeof *L.chunks * (size_t)(L.nchunks - last - 1));
		L.nchunks -= last - i;
		L.chunks[i].b = b;
		L.chunks[i].e = e;
		parse_chunk(&L, &L.chunks[i]);
		mended = i;
	}

	yj_claims *c = yj_calloc(1, sizeof *c);
	size_t total = 0;
	int64_t rec = 0;
	rep->errors = yj_malloc(sizeof *rep->errors * (size_t)L.max_errors);
	size_t nref = 0;
	yj_refund_row *refunds = NULL;
	for (int i = 0; i < L.nchunks; i++) {
		chunk *ch = &L.chunks[i];
		if (ch->nrefunds) {
			refunds = yj_realloc(refunds, sizeof *refunds * (nref + ch->nrefunds));
			for (size_t k = 0; k < ch->nrefunds; k++)
				refunds[nref++] = (yj_refund_row){rec + ch->refunds[k].rec + 2, (int32_t)(total + (size_t)ch->refunds[k].row),
								  ch->refunds[k].orig};
			free(ch->refunds);
			ch->refunds = NULL;
		}
		for (int e = 0; e < ch->nerr && rep->nerrors < L.max_errors; e++) {
			rep->errors[rep->nerrors] = ch->errs[e];
			rep->errors[rep->nerrors].row = rec + ch->errs[e].row + 2;
			rep->nerrors++;
		}
		rec += ch->nrec;
		rep->bad_rows += ch->nbad;
		ch->out = total;
		total += ch->nrows;
		free(ch->errs);
		ch->errs = NULL;
	}
	/* Dictionaries: merged one after another, each on all threads (by hash partition). */
	yj_dict **src = yj_malloc(sizeof *src * (size_t)(L.nchunks ? L.nchunks : 1));
	for (int k = 0; k < YJ_D_COUNT; k++) {
		L.remap[k] = yj_malloc(sizeof *L.remap[k] * (size_t)(L.nchunks ? L.nchunks : 1));
		for (int i = 0; i < L.nchunks; i++) {
			src[i] = L.chunks[i].dict[k];
			L.remap[k][i] = yj_malloc(sizeof(int32_t) * (size_t)(yj_dict_count(src[i]) + 1));
		}
		c->dict[k] = yj_dict_merge(src, L.nchunks, threads, L.remap[k]);
		for (int i = 0; i < L.nchunks; i++) {
			yj_dict_free(L.chunks[i].dict[k]);
			L.chunks[i].dict[k] = NULL;
		}
	}
	free(src);
	/* Columns: each chunk's rows spread to their place, chunks on all threads. */
	alloc_columns(c, total);
	c->n = c->cap = total;
	L.c = c;
	run_workers(&L, 1, threads);
	yj_refunds_net(c, refunds, nref, rep, L.max_errors);
	free(refunds);
	for (int k = 0; k < YJ_D_COUNT; k++) {
		for (int i = 0; i < L.nchunks; i++)
			free(L.remap[k][i]);
		free(L.remap[k]);
	}
	free(L.chunks);
	for (int i = 0; i < L.ncols; i++)
		free(L.hdr[i]);
	free(L.hdr);
	rep->rows = rec;
	rep->seconds = (double)(yj_mono_ns() - t0) / 1e9;
	double share = o->max_bad_share > 0 ? o->max_bad_share : 0.01;
	if (rep->bad_rows > 0 && (double)rep->bad_rows > share * (double)rep->rows) {
		rep->refused = 1;
		*err = yj_asprintf("refused: %lld of %lld rows are malformed (more than %.4g%%)", (long long)rep->bad_rows,
				   (long long)rep->rows, share * 100);
		yj_claims_free(c);
		return YJ_ERR;
	}
	*out = c;
	return YJ_OK;

header_fail:
	for (int i = 0; i < L.ncols; i++)
		free(L.hdr[i]);
	free(L.hdr);
	yj_csv_free(&hr);
	return YJ_ERR;
}

int yj_claims_load_mem(const char *data, size_t n, const yj_load_opts *o, yj_claims **out, yj_load_report *rep,
		       char **err)
{
	return load(data, n, o, 0, out, rep, err);
}

int yj_claims_load_file(const char *path, const yj_load_opts *o, yj_claims **out, yj_load_report *rep, char **err)
{
	memset(rep, 0, sizeof *rep);
	*out = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		*err = yj_asprintf("%s: %s", path, strerror(errno));
		return YJ_ERR;
	}
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		*err = yj_asprintf("%s: not a regular file", path);
		close(fd);
		return YJ_ERR;
	}
	size_t n = (size_t)st.st_size;
	if (n == 0) {
		close(fd);
		*err = yj_asprintf("%s: empty file: no header row", path);
		return YJ_ERR;
	}
	void *m = mmap(NULL, n, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (m == MAP_FAILED) {
		*err = yj_asprintf("%s: mmap: %s", path, strerror(errno));
		return YJ_ERR;
	}
	madvise(m, n, MADV_SEQUENTIAL);
	int rc = load(m, n, o, 1, out, rep, err);
	munmap(m, n);
	if (rc < 0 && *err) {
		char *e = yj_asprintf("%s: %s", path, *err);
		free(*err);
		*err = e;
	}
	return rc;
}
