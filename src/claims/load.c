/* load.c — claim lines from CSV into columns.
 *
 * The file is memory-mapped and cut into chunks of about 8 MiB at likely record boundaries: a
 * newline preceded by an even number of quotes since the start of the file (RFC 4180 quoting keeps
 * quotes paired). Stray quotes in a broken file can fool that guess; a wrong cut always leaves
 * its chunk ending inside an unterminated quoted field, which is detected, and the file is then
 * parsed again in one pass, so the result never depends on the cut.
 * Threads parse chunks independently into local columns with local dictionaries; the chunks are
 * then merged in file order, remapping local codes to global ones, so the codes (and everything
 * downstream) are the same whatever the number of threads. A chunk's pages are released as soon
 * as it is parsed, which keeps the peak resident size near the size of the columns. */
#include "claims.h"
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

typedef struct chunk {
	const char *b, *e;
	yj_claims cols;
	int64_t nrec, nbad;
	int open_end; /* the last record ran into the chunk's end inside quotes */
	yj_load_error *errs;
	int nerr;
	int32_t last[YJ_D_COUNT]; /* last code per dictionary: lines of a claim repeat most codes */
} chunk;

typedef struct loader {
	const char *data;
	size_t n;
	int map[NCOL];	/* file column of each required column */
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
} loader;

static void cols_reserve(yj_claims *c, size_t need)
{
	if (need <= c->cap)
		return;
	size_t cap = c->cap ? c->cap : 1024;
	while (cap < need)
		cap *= 2;
#define GROW(f) c->f = yj_realloc(c->f, sizeof *c->f * cap)
	GROW(claim); GROW(line_no); GROW(patient); GROW(inst); GROW(phys); GROW(dept); GROW(diag); GROW(item);
	GROW(name); GROW(birth); GROW(admit); GROW(discharge); GROW(service); GROW(days_supply); GROW(sex);
	GROW(visit); GROW(item_type); GROW(qty); GROW(price); GROW(amount);
#undef GROW
	c->cap = cap;
}

static void cols_release(yj_claims *c)
{
	free(c->claim); free(c->line_no); free(c->patient); free(c->inst); free(c->phys); free(c->dept);
	free(c->diag); free(c->item); free(c->name); free(c->birth); free(c->admit); free(c->discharge);
	free(c->service); free(c->days_supply); free(c->sex); free(c->visit); free(c->item_type); free(c->qty);
	free(c->price); free(c->amount);
	for (int k = 0; k < YJ_D_COUNT; k++)
		yj_dict_free(c->dict[k]);
	memset(c, 0, sizeof *c);
}

void yj_claims_free(yj_claims *c)
{
	if (!c)
		return;
	cols_release(c);
	free(c);
}

void yj_load_report_free(yj_load_report *rep)
{
	if (rep) {
		free(rep->errors);
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

static int parse_int(const char *p, size_t n, int64_t lo, int64_t hi, int64_t *out)
{
	int64_t v;
	if (yj_parse_decimal(p, n, 0, &v) < 0 || v < lo || v > hi)
		return YJ_ERR;
	*out = v;
	return YJ_OK;
}

/* Parses the current record of r into row `row` of ch->cols; returns the failing column (enum col)
 * with *why set, or -1 when the row is good. */
static int parse_row(loader *L, chunk *ch, yj_csv *r, size_t row, const char **why)
{
	yj_claims *c = &ch->cols;
	const yj_csv_field *f = r->f;
	int32_t codes[YJ_D_COUNT];
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
		if (last >= 0) {
			const char *s = yj_dict_str(c->dict[d], last);
			if (strlen(s) == x->n && memcmp(s, x->p, x->n) == 0) {
				codes[d] = last;
				continue;
			}
		}
		int32_t code = yj_dict_find(c->dict[d], x->p, x->n);
		if (code < 0) {
			if (!yj_utf8_valid(x->p, x->n) || memchr(x->p, 0, x->n)) {
				*why = "invalid UTF-8";
				return k;
			}
			code = yj_dict_intern(c->dict[d], x->p, x->n, NULL);
		}
		codes[d] = ch->last[d] = code;
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
		if (yj_parse_date(x->p, x->n, &dates[i]) < 0) {
			*why = "invalid date (YYYY-MM-DD)";
			return dcol[i];
		}
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
		if (yj_parse_decimal(x->p, x->n, i == 0 ? 3 : 2, mv[i]) < 0) {
			*why = x->n == 0 ? "missing value" : i == 0 ? "not a number (at most 3 decimals)" : "not an amount in yuan (at most 2 decimals)";
			return mcol[i];
		}
		if (*mv[i] < 0 || *mv[i] > (int64_t)1 << 50) {
			*why = *mv[i] < 0 ? (i == 0 ? "negative quantity" : "negative amount") : "value out of range";
			return mcol[i];
		}
	}
	x = FLD(C_DAYS);
	if (x->n && parse_int(x->p, x->n, 0, 3650, &days) < 0) {
		*why = "days_supply must be an integer 0–3650";
		return C_DAYS;
	}
#undef FLD
	c->claim[row] = codes[YJ_D_CLAIM];
	c->patient[row] = codes[YJ_D_PATIENT];
	c->inst[row] = codes[YJ_D_INST];
	c->phys[row] = codes[YJ_D_PHYS];
	c->dept[row] = codes[YJ_D_DEPT];
	c->diag[row] = codes[YJ_D_DIAG];
	c->item[row] = codes[YJ_D_ITEM];
	c->name[row] = codes[YJ_D_NAME];
	c->line_no[row] = (int32_t)line;
	c->sex[row] = sex;
	c->visit[row] = (uint8_t)visit;
	c->item_type[row] = (uint8_t)type;
	c->birth[row] = dates[0];
	c->admit[row] = dates[1];
	c->discharge[row] = dates[2];
	c->service[row] = dates[3];
	c->qty[row] = qty;
	c->price[row] = price;
	c->amount[row] = amount;
	c->days_supply[row] = (int32_t)days;
	return -1;
}

static void parse_chunk(loader *L, chunk *ch)
{
	yj_claims *c = &ch->cols;
	for (int k = 0; k < YJ_D_COUNT; k++) {
		c->dict[k] = yj_dict_new();
		ch->last[k] = -1;
	}
	yj_csv r;
	yj_csv_init(&r, ch->b, (size_t)(ch->e - ch->b));
	size_t est = (size_t)(ch->e - ch->b) / 160 + 16;
	cols_reserve(c, est);
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
		cols_reserve(c, c->n + 1);
		const char *why = NULL;
		int bad = parse_row(L, ch, &r, c->n, &why);
		if (bad >= 0) {
			ch->nbad++;
			add_error(ch, L->max_errors, rec, L->map[bad] + 1, col_names[bad], why);
			continue;
		}
		c->n++;
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

static void *worker(void *arg)
{
	loader *L = arg;
	for (;;) {
		int i = atomic_fetch_add(&L->next, 1);
		if (i >= L->nchunks)
			break;
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

/* Cuts data[start..n) into chunks of about `size` bytes ending on record boundaries. */
static void make_chunks(loader *L, size_t start, size_t size)
{
	const char *d = L->data, *end = d + L->n, *p = d + start;
	int cap = 16;
	L->chunks = yj_calloc((size_t)cap, sizeof *L->chunks);
	int inq = 0;
	const char *scan = d; /* quote parity is known up to scan */
	/* parity of quotes before `start` */
	for (const char *q; (q = memchr(scan, '"', (size_t)(p - scan))); scan = q + 1)
		inq = !inq;
	scan = p;
	while (p < end) {
		const char *target = (size_t)(end - p) > size ? p + size : end;
		const char *cut = end;
		if (target < end) {
			for (const char *q; (q = memchr(scan, '"', (size_t)(target - scan))); scan = q + 1)
				inq = !inq;
			scan = target;
			/* the next newline outside quotes */
			const char *x = target;
			while (x < end) {
				if (*x == '"')
					inq = !inq;
				else if (*x == '\n' && !inq)
					break;
				x++;
			}
			cut = x < end ? x + 1 : end;
			scan = cut;
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

/* Appends chunk ch to c, remapping its dictionary codes. */
static void merge_chunk(yj_claims *c, chunk *ch)
{
	yj_claims *l = &ch->cols;
	int32_t *remap[YJ_D_COUNT];
	for (int k = 0; k < YJ_D_COUNT; k++) {
		int32_t nl = yj_dict_count(l->dict[k]);
		remap[k] = yj_malloc(sizeof(int32_t) * (size_t)(nl ? nl : 1));
		for (int32_t i = 0; i < nl; i++) {
			const char *s = yj_dict_str(l->dict[k], i);
			remap[k][i] = yj_dict_intern(c->dict[k], s, strlen(s), NULL);
		}
	}
	size_t o = c->n, n = l->n;
	cols_reserve(c, o + n);
#define MAPC(f, k)                                                                                                    \
	for (size_t i = 0; i < n; i++)                                                                                \
	c->f[o + i] = remap[k][l->f[i]]
#define COPY(f) memcpy(c->f + o, l->f, sizeof *c->f * n)
	MAPC(claim, YJ_D_CLAIM); MAPC(patient, YJ_D_PATIENT); MAPC(inst, YJ_D_INST); MAPC(phys, YJ_D_PHYS);
	MAPC(dept, YJ_D_DEPT); MAPC(diag, YJ_D_DIAG); MAPC(item, YJ_D_ITEM); MAPC(name, YJ_D_NAME);
	if (n) {
		COPY(line_no); COPY(birth); COPY(admit); COPY(discharge); COPY(service); COPY(days_supply); COPY(sex);
		COPY(visit); COPY(item_type); COPY(qty); COPY(price); COPY(amount);
	}
#undef MAPC
#undef COPY
	c->n = o + n;
	for (int k = 0; k < YJ_D_COUNT; k++)
		free(remap[k]);
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
	make_chunks(&L, body, o->chunk_bytes ? o->chunk_bytes : (size_t)8 << 20);
	if (threads > L.nchunks)
		threads = L.nchunks ? L.nchunks : 1;
	pthread_t tid[64];
	int started = 0;
	for (int i = 1; i < threads && i < 64; i++)
		if (pthread_create(&tid[started], NULL, worker, &L) == 0)
			started++;
	worker(&L);
	for (int i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
	int recut = 0;
	for (int i = 0; i + 1 < L.nchunks; i++)
		recut |= L.chunks[i].open_end;
	if (recut) { /* a stray quote fooled the cut: parse the body again as one chunk */
		for (int i = 0; i < L.nchunks; i++) {
			cols_release(&L.chunks[i].cols);
			free(L.chunks[i].errs);
		}
		L.chunks[0] = (chunk){.b = data + body, .e = data + n};
		L.nchunks = 1;
		L.mapped = 0;
		parse_chunk(&L, &L.chunks[0]);
	}

	yj_claims *c = yj_calloc(1, sizeof *c);
	for (int k = 0; k < YJ_D_COUNT; k++)
		c->dict[k] = yj_dict_new();
	size_t total = 0;
	for (int i = 0; i < L.nchunks; i++)
		total += L.chunks[i].cols.n;
	cols_reserve(c, total ? total : 1);
	int64_t rec = 0;
	rep->errors = yj_malloc(sizeof *rep->errors * (size_t)L.max_errors);
	for (int i = 0; i < L.nchunks; i++) {
		chunk *ch = &L.chunks[i];
		for (int e = 0; e < ch->nerr && rep->nerrors < L.max_errors; e++) {
			rep->errors[rep->nerrors] = ch->errs[e];
			rep->errors[rep->nerrors].row = rec + ch->errs[e].row + 2;
			rep->nerrors++;
		}
		rec += ch->nrec;
		rep->bad_rows += ch->nbad;
		merge_chunk(c, ch);
		cols_release(&ch->cols);
		free(ch->errs);
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
