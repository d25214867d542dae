/* load.c — claim lines from CSV into columns.
 *
 * The file is memory-mapped and cut into chunks (1–4 MiB: a chunk's dictionaries then stay in the
 * L2 cache) just after a newline. The threads first count each chunk's newlines (a bound of its
 * records), the columns are allocated once with those slots in one mapping, and
 * the threads parse chunks independently, writing rows straight into their slots with codes of
 * small per-chunk dictionaries; a chunk's pages of the file are released as soon as they are read.
 * A cut that fell inside a quoted field is found afterwards — a chunk that starts on a record
 * boundary parses exactly like a single pass, so only its last record can run into the cut inside
 * quotes — and that chunk is parsed again with the next one (and, if that fails too, with the rest
 * of the file), so the result never depends on the cuts. Slots left empty (bad rows, quoted
 * newlines) are closed by moving the later chunks' rows down. Then each dictionary is merged on all
 * threads (yj_dict_merge: partitions by hash; codes in order of first sight, so they do not depend
 * on the thread count), and the threads recode each chunk's code columns in place.
 * Just over 800 lines on purpose: counting, parsing, chunk mending, merging and recoding share the
 * chunk and loader structs; refund netting and the refund records are kept apart in refund.c. */
#include "claims.h"
#include "refund_int.h"
#include "../base/base.h"

#include <errno.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* Loads of at least this many bytes give freed heap pages back to the OS before the rules run. */
#define TRIM_BYTES ((size_t)64 << 20)

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

typedef struct chunk {
	const char *b, *e;
	size_t base, cap; /* its slots in the columns: rows go to base.., at most cap of them */
	size_t nrows;
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
	size_t out; /* first row of the chunk in the columns once the gaps are closed */
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
	yj_claims *c;		     /* the columns (parsed rows are written straight into them) */
	int32_t *dcol[YJ_D_COUNT];   /* the code column of each dictionary */
	int32_t **remap[YJ_D_COUNT]; /* recoding: per dictionary and chunk, chunk code → code */
	int phase;		     /* 0 count, 1 parse, 2 recode */
} loader;

/* The columns' mapping, when big, is mapped directly: it is returned to the system when freed.
 * A small one (below MAP_MIN: a real-time check's claim and history, a test's file) comes from
 * malloc: an mmap, its page faults and the munmap's TLB shootdown cost more than the whole load of a
 * few dozen lines. The length decides which (map_free), so it is kept beside the buffer. */
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

static void chunk_release(chunk *ch)
{
	for (int k = 0; k < YJ_D_COUNT; k++)
		yj_dict_free(ch->dict[k]);
	free(ch->errs);
	free(ch->refunds);
	const char *b = ch->b, *e = ch->e;
	size_t base = ch->base, cap = ch->cap;
	memset(ch, 0, sizeof *ch);
	ch->b = b;
	ch->e = e;
	ch->base = base;
	ch->cap = cap;
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

/* Releases the chunk's pages of the mapped file (whole pages strictly inside it) once read: the
 * mapped file would otherwise count in the peak resident set on top of the columns. */
static void release_pages(const loader *L, const chunk *ch)
{
	if (!L->mapped)
		return;
	long pg = sysconf(_SC_PAGESIZE);
	uintptr_t b = ((uintptr_t)ch->b + (uintptr_t)pg - 1) & ~((uintptr_t)pg - 1);
	uintptr_t e = (uintptr_t)ch->e & ~((uintptr_t)pg - 1);
	if (e > b)
		madvise((void *)b, e - b, MADV_DONTNEED);
}

/* Parses the current record of r into row j of the columns (dictionary columns get chunk codes);
 * returns the failing column (enum col) with *why set, or -1 when the row is good. A bad row may
 * leave some of row j written: the next row overwrites it. */
static int parse_row(loader *L, chunk *ch, yj_csv *r, size_t j, const char **why)
{
	const yj_csv_field *f = r->f;
	yj_claims *c = L->c;
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
			L->dcol[d][j] = last;
			continue;
		}
		int32_t code = yj_dict_intern_valid(ch->dict[d], x->p, x->n);
		if (code < 0) {
			*why = "invalid UTF-8";
			return k;
		}
		L->dcol[d][j] = ch->last[d] = code;
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
	c->line_no[j] = (int32_t)line;
	c->sex[j] = sex;
	c->visit[j] = (uint8_t)visit;
	c->item_type[j] = (uint8_t)type;
	c->birth[j] = dates[0];
	c->admit[j] = dates[1];
	c->discharge[j] = dates[2];
	c->service[j] = dates[3];
	c->qty[j] = qty;
	c->price[j] = price;
	c->amount[j] = amount;
	c->days_supply[j] = (int32_t)days;
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
	while (yj_csv_next(&r)) {
		int64_t rec = ch->nrec++;
		if ((size_t)ch->nrec > ch->cap) { /* cannot happen: see count_records */
			fprintf(stderr, "claims loader: more records than the chunk's bound\n");
			abort();
		}
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
		const char *why = NULL;
		int bad = parse_row(L, ch, &r, ch->base + ch->nrows, &why);
		if (bad >= 0) {
			ch->nbad++;
			add_error(ch, L->max_errors, rec, L->map[bad] + 1, col_names[bad], why);
			continue;
		}
		if (L->c->qty[ch->base + ch->nrows] < 0) {
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
	release_pages(L, ch);
}

/* An upper bound of the records in data[0..n): its newlines, plus one when it does not end in a
 * newline. Every record the reader returns ends at a newline it consumes or at the end of the range;
 * one that ends at the end holds the last byte, so it holds a newline of its own unless that byte is
 * not one (blank lines are not records). A chunk's rows get that many slots in the columns; a mended
 * chunk, the sum of its parts' (every chunk but the last ends in a newline). Counted 16 bytes at a
 * time: byte counters of the compare results, summed every 255 blocks. */
static size_t count_records(const char *data, size_t n)
{
	size_t cnt = 0, i = 0;
#if defined(__SSE2__)
	const __m128i nl = _mm_set1_epi8('\n'), zero = _mm_setzero_si128();
	while (n - i >= 16) {
		__m128i acc = zero;
		size_t stop = n - i >= 255 * 16 ? i + 255 * 16 : i + (n - i) / 16 * 16;
		for (; i < stop; i += 16)
			acc = _mm_sub_epi8(acc, _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(const void *)(data + i)), nl));
		__m128i sad = _mm_sad_epu8(acc, zero);
		cnt += (size_t)_mm_cvtsi128_si32(sad) + (size_t)_mm_cvtsi128_si32(_mm_srli_si128(sad, 8));
	}
#endif
	for (; i < n; i++)
		cnt += data[i] == '\n';
	return cnt + (n && data[n - 1] != '\n');
}

/* Replaces chunk ci's codes (at their final place, ch->out) by the merged dictionaries' codes. */
static void recode_chunk(loader *L, int ci)
{
	chunk *ch = &L->chunks[ci];
	for (int k = 0; k < YJ_D_COUNT; k++) {
		const int32_t *rm = L->remap[k][ci];
		int32_t *col = L->dcol[k] + ch->out;
		for (size_t i = 0; i < ch->nrows; i++)
			col[i] = rm[col[i]];
	}
}

static void *worker(void *arg)
{
	loader *L = arg;
	for (;;) {
		int i = atomic_fetch_add(&L->next, 1);
		if (i >= L->nchunks)
			break;
		if (L->phase == 0) {
			chunk *ch = &L->chunks[i];
			ch->cap = count_records(ch->b, (size_t)(ch->e - ch->b));
			release_pages(L, ch);
			continue;
		}
		if (L->phase == 2) {
			recode_chunk(L, i);
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

/* The columns, one after another in one mapping. Not with MADV_HUGEPAGE any more: since the rows
 * are parsed straight into the columns, their pages are first touched by the parsing threads, and
 * huge pages made the load's CPU 20 % higher in this VM (kernel time 0.29 → 0.68 s at 2 M lines: each
 * 2 MiB fault zeroes, and may compact, at once), with no gain in the rule phase. */
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
	for (int i = 0; i < 20; i++)
		*col[i] = p + off[i];
}

/* Moves rows [from, from+n) of every column down to `to` (to < from): closes the gap a chunk left. */
static void move_rows(yj_claims *c, size_t to, size_t from, size_t n)
{
#define M(f) memmove(c->f + to, c->f + from, n * sizeof *c->f);
	M(claim) M(line_no) M(patient) M(inst) M(phys) M(dept) M(diag) M(item) M(name) M(birth) M(admit)
	M(discharge) M(service) M(days_supply) M(sex) M(visit) M(item_type) M(qty) M(price) M(amount)
#undef M
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
	if (!csize) { /* at least 8 chunks per thread (balance), 1–4 MiB each: with 32 MiB the first probe of each
		       * new claim and patient id in the chunk's dictionary (a cache miss) was the load's
		       * largest cost; the merge then handles a patient once per chunk it occurs in */
		csize = (n - body) / ((size_t)threads * 8) + 1;
		csize = csize < ((size_t)1 << 20) ? (size_t)1 << 20 : csize > ((size_t)4 << 20) ? (size_t)4 << 20 : csize;
	}
	make_chunks(&L, body, csize);
	/* Each chunk's bound of records, then its slots: the columns are allocated once, before
	 * parsing, and the threads write parsed rows straight into them. */
	run_workers(&L, 0, threads);
	size_t slots = 0;
	for (int i = 0; i < L.nchunks; i++) {
		L.chunks[i].base = slots;
		slots += L.chunks[i].cap;
	}
	yj_claims *c = yj_calloc(1, sizeof *c);
	alloc_columns(c, slots);
	c->cap = slots;
	L.c = c;
	int32_t **dc[YJ_D_COUNT] = {[YJ_D_CLAIM] = &c->claim, [YJ_D_PATIENT] = &c->patient, [YJ_D_INST] = &c->inst,
				    [YJ_D_PHYS] = &c->phys,   [YJ_D_DEPT] = &c->dept,	    [YJ_D_DIAG] = &c->diag,
				    [YJ_D_ITEM] = &c->item,   [YJ_D_NAME] = &c->name};
	for (int k = 0; k < YJ_D_COUNT; k++)
		L.dcol[k] = *dc[k];
	run_workers(&L, 1, threads);
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
		size_t cap = 0;
		for (int k = i; k <= last; k++) {
			cap += L.chunks[k].cap;
			chunk_release(&L.chunks[k]);
		}
		memmove(&L.chunks[i + 1], &L.chunks[last + 1], sizeof *L.chunks * (size_t)(L.nchunks - last - 1));
		L.nchunks -= last - i;
		L.chunks[i].b = b;
		L.chunks[i].e = e;
		L.chunks[i].cap = cap;
		parse_chunk(&L, &L.chunks[i]);
		mended = i;
	}

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
		if (ch->out != ch->base && ch->nrows) /* bad rows, blank lines or quoted newlines before it */
			move_rows(c, ch->out, ch->base, ch->nrows);
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
#ifdef __GLIBC__
	/* The chunk dictionaries (small: malloc's heap, not mappings) are freed: give their pages back
	 * before the rule phase's indexes are allocated, or they stay in the peak resident set. Only for
	 * a large load: malloc_trim locks and walks every arena, which a real-time check of a few lines,
	 * run on many server threads at once, would pay on every request (bench/check: 17,700 → 3,600/s). */
	if (L.n >= TRIM_BYTES)
		malloc_trim(0);
#endif
	/* Codes: each chunk's recoded in place, chunks on all threads. */
	c->n = total;
	run_workers(&L, 2, threads);
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
