/* xlsx.c — one worksheet of an .xlsx workbook as rows of strings (xlsx.h). libzip opens the archive
 * from memory; expat parses the workbook, its relationships, the shared strings, the styles (to know
 * which numbers are dates) and the sheet, each streamed from its zip entry in chunks so that no part
 * is held whole and none may grow past its bound (a zip bomb stops at the limit, not at the RAM). */
#include "xlsx.h"
#include "base.h"
#include "date.h"

#include <expat.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#define MAX_COL 16384
#define MAX_ROW 1048576
#define MAX_CELL_TEXT (32767 * 4) /* Excel's 32,767 characters, in UTF-8 bytes at most */

typedef struct strs {
	char **s;
	size_t n, cap;
} strs;

static void strs_push(strs *a, char *s)
{
	if (a->n == a->cap) {
		a->cap = a->cap ? a->cap * 2 : 64;
		a->s = yj_realloc(a->s, sizeof *a->s * a->cap);
	}
	a->s[a->n++] = s;
}

static void strs_free(strs *a)
{
	for (size_t i = 0; i < a->n; i++)
		free(a->s[i]);
	free(a->s);
	memset(a, 0, sizeof *a);
}

/* What every parse shares: the parser to stop, the first error, and the bounds. */
typedef struct ctx {
	XML_Parser p;
	char *err;
	const char *part;
	yj_xlsx_limits lim;
	size_t text; /* cell text kept so far */
	int64_t cells;
} ctx;

static void fail(ctx *c, char *msg)
{
	if (!c->err)
		c->err = msg;
	else
		free(msg);
	if (c->p)
		XML_StopParser(c->p, XML_FALSE);
}

/* The local name of an element or attribute: "x:c" and "c" are the same element. */
static const char *local(const char *name)
{
	const char *s = strrchr(name, ':');
	return s ? s + 1 : name;
}

static const char *attr(const char **a, const char *name)
{
	for (; a && a[0]; a += 2)
		if (strcmp(local(a[0]), name) == 0)
			return a[1];
	return NULL;
}

static void XMLCALL refuse_dtd(void *ud, const XML_Char *name, const XML_Char *sysid, const XML_Char *pubid,
			       int has_internal)
{
	(void)name, (void)sysid, (void)pubid, (void)has_internal;
	ctx *c = ud;
	fail(c, yj_asprintf("%s: holds a DTD (<!DOCTYPE>), which no Excel workbook has; refused", c->part));
}

/* Streams zip entry `name` through a new expat parser whose user data is `ud` (starting with a ctx).
 * missing_ok: an absent entry is no error (1 returned). */
static int parse_part(zip_t *za, const char *name, void *ud, XML_StartElementHandler start,
		      XML_EndElementHandler end, XML_CharacterDataHandler text, int missing_ok)
{
	ctx *c = ud;
	c->part = name;
	zip_int64_t idx = zip_name_locate(za, name, 0);
	if (idx < 0) {
		if (missing_ok)
			return 1;
		fail(c, yj_asprintf("not an Excel workbook (.xlsx): it has no %s", name));
		return -1;
	}
	zip_stat_t st;
	if (zip_stat_index(za, (zip_uint64_t)idx, 0, &st) == 0 && (st.valid & ZIP_STAT_SIZE) && st.size > c->lim.max_part) {
		fail(c, yj_asprintf("%s: %llu bytes uncompressed, more than the %zu MiB a part may have", name,
				    (unsigned long long)st.size, c->lim.max_part >> 20));
		return -1;
	}
	zip_file_t *zf = zip_fopen_index(za, (zip_uint64_t)idx, 0);
	if (!zf) {
		fail(c, yj_asprintf("%s: cannot be read (%s); save the workbook again in Excel without a password", name,
				    zip_strerror(za)));
		return -1;
	}
	XML_Parser p = XML_ParserCreate("UTF-8");
	c->p = p;
	XML_SetUserData(p, ud);
	XML_SetElementHandler(p, start, end);
	if (text)
		XML_SetCharacterDataHandler(p, text);
	XML_SetStartDoctypeDeclHandler(p, refuse_dtd);
	char buf[65536];
	size_t total = 0;
	int rc = 0;
	for (;;) {
		zip_int64_t k = zip_fread(zf, buf, sizeof buf);
		if (k < 0) {
			fail(c, yj_asprintf("%s: the archive is damaged (%s)", name, zip_file_strerror(zf)));
			rc = -1;
			break;
		}
		total += (size_t)k;
		if (total > c->lim.max_part) {
			fail(c, yj_asprintf("%s: more than the %zu MiB a part may have uncompressed", name, c->lim.max_part >> 20));
			rc = -1;
			break;
		}
		if (XML_Parse(p, buf, (int)k, k == 0) != XML_STATUS_OK) {
			if (!c->err)
				c->err = yj_asprintf("%s: not well-formed XML at line %lu: %s", name,
						     (unsigned long)XML_GetCurrentLineNumber(p), XML_ErrorString(XML_GetErrorCode(p)));
			rc = -1;
			break;
		}
		if (c->err) {
			rc = -1;
			break;
		}
		if (k == 0)
			break;
	}
	XML_ParserFree(p);
	c->p = NULL;
	zip_fclose(zf);
	return rc;
}

/* ---- workbook.xml: sheet names and relationship ids; whether dates count from 1904 ---- */
typedef struct wb {
	ctx c;
	strs names, rids;
	int date1904;
} wb;

static void XMLCALL wb_start(void *ud, const XML_Char *el, const XML_Char **a)
{
	wb *w = ud;
	const char *n = local(el);
	if (strcmp(n, "sheet") == 0) {
		const char *name = attr(a, "name"), *rid = attr(a, "id");
		if (name && rid && w->names.n < 4096) {
			strs_push(&w->names, yj_strdup(name));
			strs_push(&w->rids, yj_strdup(rid));
		}
	} else if (strcmp(n, "workbookPr") == 0) {
		const char *d = attr(a, "date1904");
		w->date1904 = d && (strcmp(d, "1") == 0 || strcmp(d, "true") == 0);
	}
}

/* ---- xl/_rels/workbook.xml.rels: relationship id → part ---- */
typedef struct rels {
	ctx c;
	const char *want_id; /* the sheet's id */
	char *sheet, *shared, *styles;
} rels;

static char *part_path(const char *target)
{
	return target[0] == '/' ? yj_strdup(target + 1) : yj_asprintf("xl/%s", target);
}

static int ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), t = strlen(tail);
	return n >= t && strcmp(s + n - t, tail) == 0;
}

static void XMLCALL rels_start(void *ud, const XML_Char *el, const XML_Char **a)
{
	rels *r = ud;
	if (strcmp(local(el), "Relationship") != 0)
		return;
	const char *id = attr(a, "Id"), *target = attr(a, "Target"), *type = attr(a, "Type");
	if (!id || !target || !type)
		return;
	if (!r->sheet && r->want_id && strcmp(id, r->want_id) == 0)
		r->sheet = part_path(target);
	else if (!r->shared && ends_with(type, "/sharedStrings"))
		r->shared = part_path(target);
	else if (!r->styles && ends_with(type, "/styles"))
		r->styles = part_path(target);
}

/* ---- text collection shared by the shared strings and the sheet: <t> outside <rPh> ---- */
typedef struct textc {
	yj_buf t;
	int in_t, in_rph;
} textc;

/* The start the shared-strings and sheet states share, so that one handler collects <t> for both. */
typedef struct txbase {
	ctx c;
	textc tx;
} txbase;

static void XMLCALL collect(void *ud, const XML_Char *s, int len);

/* ---- sharedStrings.xml ---- */
typedef struct sst {
	ctx c;
	textc tx;
	int in_si;
	strs s;
} sst;

static void XMLCALL sst_start(void *ud, const XML_Char *el, const XML_Char **a)
{
	(void)a;
	sst *x = ud;
	const char *n = local(el);
	if (strcmp(n, "si") == 0) {
		x->in_si = 1;
		yj_buf_reset(&x->tx.t);
	} else if (strcmp(n, "rPh") == 0) {
		x->tx.in_rph++;
	} else if (strcmp(n, "t") == 0 && x->in_si && !x->tx.in_rph) {
		x->tx.in_t = 1;
	}
}

/* Decodes the _xHHHH_ escapes Excel writes for control characters (and _x005F_ for a literal _). */
static char *unescape(const char *s, size_t n)
{
	if (!memchr(s, '_', n))
		return yj_strdup(s);
	yj_buf b = YJ_BUF_INIT;
	yj_buf_append(&b, "", 0);
	for (size_t i = 0; i < n; i++) {
		unsigned v = 0;
		int ok = i + 7 <= n && s[i] == '_' && s[i + 1] == 'x' && s[i + 6] == '_';
		for (int k = 2; ok && k < 6; k++) {
			char ch = s[i + k];
			int d = ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
				: ch >= 'A' && ch <= 'F' ? ch - 'A' + 10 : -1;
			ok = d >= 0;
			v = v * 16 + (unsigned)(d < 0 ? 0 : d);
		}
		if (!ok || (v >= 0xD800 && v <= 0xDFFF) || v == 0) {
			yj_buf_append(&b, s + i, 1);
			continue;
		}
		char u[3];
		size_t k = 0;
		if (v < 0x80) {
			u[k++] = (char)v;
		} else if (v < 0x800) {
			u[k++] = (char)(0xC0 | (v >> 6));
			u[k++] = (char)(0x80 | (v & 0x3F));
		} else {
			u[k++] = (char)(0xE0 | (v >> 12));
			u[k++] = (char)(0x80 | ((v >> 6) & 0x3F));
			u[k++] = (char)(0x80 | (v & 0x3F));
		}
		yj_buf_append(&b, u, k);
		i += 6;
	}
	return yj_buf_detach(&b);
}

static void XMLCALL sst_end(void *ud, const XML_Char *el)
{
	sst *x = ud;
	const char *n = local(el);
	if (strcmp(n, "si") == 0 && x->in_si) {
		x->in_si = 0;
		x->c.text += x->tx.t.len;
		if (++x->c.cells > x->c.lim.max_cells || x->c.text > x->c.lim.max_text) {
			fail(&x->c, yj_asprintf("%s: more than %lld strings or %zu MiB of text", x->c.part,
						(long long)x->c.lim.max_cells, x->c.lim.max_text >> 20));
			return;
		}
		strs_push(&x->s, unescape(x->tx.t.data ? x->tx.t.data : "", x->tx.t.len));
	} else if (strcmp(n, "rPh") == 0 && x->tx.in_rph) {
		x->tx.in_rph--;
	} else if (strcmp(n, "t") == 0) {
		x->tx.in_t = 0;
	}
}

/* ---- styles.xml: which cell formats (the `s` of a cell) show a number as a date or time ---- */
typedef struct sty {
	ctx c;
	int in_numfmts, in_xfs;
	int *date_fmt; /* custom numFmtIds with a date or time code */
	size_t ndate;
	unsigned char *xf_date; /* per cellXfs entry */
	size_t nxf;
} sty;

static int builtin_date(long id)
{
	return (id >= 14 && id <= 22) || (id >= 27 && id <= 36) || (id >= 45 && id <= 47) || (id >= 50 && id <= 58);
}

/* A format code shows a date or time when it has y, m, d, h or s outside quotes, brackets and escapes. */
static int code_is_date(const char *s)
{
	for (; *s; s++) {
		if (*s == '"') {
			const char *e = strchr(s + 1, '"');
			if (!e)
				return 0;
			s = e;
		} else if (*s == '[') {
			const char *e = strchr(s + 1, ']');
			if (!e)
				return 0;
			s = e;
		} else if (*s == '\\' || *s == '_' || *s == '*') {
			if (!s[1])
				return 0;
			s++;
		} else if (strchr("ymdhsYMDHS", *s)) {
			return 1;
		} else if (*s == ';') {
			return 0; /* the first section decides */
		}
	}
	return 0;
}

static void XMLCALL sty_start(void *ud, const XML_Char *el, const XML_Char **a)
{
	sty *x = ud;
	const char *n = local(el);
	if (strcmp(n, "numFmts") == 0) {
		x->in_numfmts = 1;
	} else if (strcmp(n, "cellXfs") == 0) {
		x->in_xfs = 1;
	} else if (x->in_numfmts && strcmp(n, "numFmt") == 0) {
		const char *id = attr(a, "numFmtId"), *code = attr(a, "formatCode");
		if (id && code && code_is_date(code) && x->ndate < 4096) {
			x->date_fmt = yj_realloc(x->date_fmt, sizeof *x->date_fmt * (x->ndate + 1));
			x->date_fmt[x->ndate++] = atoi(id);
		}
	} else if (x->in_xfs && strcmp(n, "xf") == 0 && x->nxf < 65536) {
		const char *id = attr(a, "numFmtId");
		long f = id ? strtol(id, NULL, 10) : 0;
		int d = builtin_date(f);
		for (size_t i = 0; i < x->ndate && !d; i++)
			d = x->date_fmt[i] == f;
		x->xf_date = yj_realloc(x->xf_date, x->nxf + 1);
		x->xf_date[x->nxf++] = (unsigned char)d;
	}
}

static void XMLCALL sty_end(void *ud, const XML_Char *el)
{
	sty *x = ud;
	const char *n = local(el);
	if (strcmp(n, "numFmts") == 0)
		x->in_numfmts = 0;
	else if (strcmp(n, "cellXfs") == 0)
		x->in_xfs = 0;
}

/* ---- the sheet ---- */
typedef struct cell {
	int col;
	size_t off, len; /* in sh->rowtext */
} cell;

typedef struct sh {
	ctx c;
	textc tx;
	const strs *sst;
	const sty *styles;
	int date1904;
	int in_sheetdata, in_c, in_v, in_is;
	int rownum, colnum; /* current row and the last cell's column */
	char ctype[16];
	long cstyle;
	yj_buf v;       /* <v> text */
	yj_buf rowtext; /* the current row's cell values */
	cell *cells;
	size_t ncells, capcells;
	yj_xlsx_sheet *out;
	size_t caprows;
} sh;

static void XMLCALL collect(void *ud, const XML_Char *s, int len)
{
	ctx *c = &((txbase *)ud)->c;
	textc *tx = &((txbase *)ud)->tx;
	if (tx->in_t && !tx->in_rph) {
		if (tx->t.len + (size_t)len > MAX_CELL_TEXT) {
			fail(c, yj_asprintf("%s: a cell's text is longer than Excel's 32,767 characters", c->part));
			return;
		}
		yj_buf_append(&tx->t, s, (size_t)len);
	}
}

static void XMLCALL sh_text(void *ud, const XML_Char *s, int len)
{
	sh *x = ud;
	if (x->in_v) {
		if (x->v.len + (size_t)len > MAX_CELL_TEXT) {
			fail(&x->c, yj_asprintf("%s: a cell's value is longer than Excel's 32,767 characters", x->c.part));
			return;
		}
		yj_buf_append(&x->v, s, (size_t)len);
	} else {
		collect(ud, s, len);
	}
}

int yj_xlsx_ref(const char *ref, int *col, int *row)
{
	const char *s = ref;
	long c = 0, r = 0;
	if (*s == '$')
		s++;
	int nl = 0;
	for (; (*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z'); s++, nl++) {
		if (nl == 3)
			return -1;
		c = c * 26 + ((*s | 0x20) - 'a' + 1);
	}
	if (!nl || c > MAX_COL)
		return -1;
	if (*s == '$')
		s++;
	int nd = 0;
	for (; *s >= '0' && *s <= '9'; s++, nd++) {
		if (nd == 7 || (nd == 0 && *s == '0'))
			return -1;
		r = r * 10 + (*s - '0');
	}
	if (*s || r > MAX_ROW || (ref[nl + (ref[0] == '$')] == '$' && !nd))
		return -1;
	*col = (int)c;
	if (row)
		*row = (int)r;
	return 0;
}

static void XMLCALL sh_start(void *ud, const XML_Char *el, const XML_Char **a)
{
	sh *x = ud;
	const char *n = local(el);
	if (strcmp(n, "sheetData") == 0) {
		x->in_sheetdata = 1;
	} else if (!x->in_sheetdata) {
		return;
	} else if (strcmp(n, "row") == 0) {
		const char *r = attr(a, "r");
		int rn = x->rownum + 1;
		if (r) {
			char *e;
			long v = strtol(r, &e, 10);
			rn = *e || v < 1 || v > MAX_ROW ? -1 : (int)v;
		}
		if (rn <= x->rownum || rn > MAX_ROW) {
			fail(&x->c, yj_asprintf("%s: row %s is out of order or not a row number", x->c.part, r ? r : "?"));
			return;
		}
		x->rownum = rn;
		x->colnum = 0;
		x->ncells = 0;
		yj_buf_reset(&x->rowtext);
	} else if (strcmp(n, "c") == 0) {
		const char *r = attr(a, "r"), *t = attr(a, "t"), *s = attr(a, "s");
		int col = x->colnum + 1, row = 0;
		if (r && (yj_xlsx_ref(r, &col, &row) < 0 || (row && row != x->rownum))) {
			fail(&x->c, yj_asprintf("%s: cell reference '%.20s' is not in row %d", x->c.part, r, x->rownum));
			return;
		}
		if (col <= x->colnum || col > MAX_COL || x->rownum == 0) {
			fail(&x->c, yj_asprintf("%s: cell %.20s is out of order", x->c.part, r ? r : "?"));
			return;
		}
		x->colnum = col;
		x->in_c = 1;
		snprintf(x->ctype, sizeof x->ctype, "%s", t ? t : "n");
		x->cstyle = s ? strtol(s, NULL, 10) : 0;
		yj_buf_reset(&x->v);
		yj_buf_reset(&x->tx.t);
	} else if (!x->in_c) {
		return;
	} else if (strcmp(n, "v") == 0) {
		x->in_v = 1;
	} else if (strcmp(n, "is") == 0) {
		x->in_is = 1;
	} else if (strcmp(n, "rPh") == 0) {
		x->tx.in_rph++;
	} else if (strcmp(n, "t") == 0 && x->in_is && !x->tx.in_rph) {
		x->tx.in_t = 1;
	}
}

/* A number as Excel's General format shows it: at most 15 significant digits, no exponent for the
 * magnitudes a catalogue has. */
static void fmt_number(yj_buf *b, double d)
{
	char s[40];
	if (d != 0 && (fabs(d) >= 1e15 || fabs(d) < 1e-9))
		snprintf(s, sizeof s, "%.15G", d);
	else
		snprintf(s, sizeof s, "%.15g", d);
	yj_buf_puts(b, s);
}

static void fmt_date(yj_buf *b, double serial, int date1904)
{
	double whole = floor(serial);
	long secs = lround((serial - whole) * 86400.0);
	int64_t days = (int64_t)whole;
	if (secs >= 86400) {
		secs -= 86400;
		days++;
	}
	if (date1904)
		days += yj_days_from_civil(1904, 1, 1);
	else if (days >= 61)
		days += yj_days_from_civil(1899, 12, 30);
	else
		days += yj_days_from_civil(1899, 12, 31); /* before Excel's fictitious 1900-02-29 */
	if (whole >= 1 || date1904) {
		char d[11];
		yj_day_format(days, d);
		yj_buf_puts(b, d);
	}
	if (secs)
		yj_buf_printf(b, "%s%02ld:%02ld:%02ld", whole >= 1 || date1904 ? " " : "", secs / 3600, secs / 60 % 60,
			      secs % 60);
	else if (whole < 1 && !date1904)
		yj_buf_puts(b, "00:00:00");
}

static void cell_value(sh *x, yj_buf *o)
{
	const char *v = x->v.data ? x->v.data : "";
	const char *t = x->ctype;
	if (strcmp(t, "s") == 0) {
		char *e;
		long i = strtol(v, &e, 10);
		if (!*v || *e || i < 0 || !x->sst || (size_t)i >= x->sst->n) {
			fail(&x->c, yj_asprintf("%s: row %d: shared string '%.20s' does not exist", x->c.part, x->rownum, v));
			return;
		}
		yj_buf_puts(o, x->sst->s[i]);
	} else if (strcmp(t, "inlineStr") == 0) {
		char *s = unescape(x->tx.t.data ? x->tx.t.data : "", x->tx.t.len);
		yj_buf_puts(o, s);
		free(s);
	} else if (strcmp(t, "b") == 0) {
		yj_buf_puts(o, !*v ? "" : strcmp(v, "0") == 0 ? "FALSE" : "TRUE");
	} else if (strcmp(t, "n") == 0 && *v) {
		char *e;
		double d = strtod(v, &e);
		if (*e || !isfinite(d)) {
			fail(&x->c, yj_asprintf("%s: row %d: '%.20s' is not a number", x->c.part, x->rownum, v));
			return;
		}
		int is_date = x->styles && x->cstyle >= 0 && (size_t)x->cstyle < x->styles->nxf && x->styles->xf_date[x->cstyle];
		if (is_date && d >= 0 && d < 2958466)
			fmt_date(o, d, x->date1904);
		else
			fmt_number(o, d);
	} else { /* str (a formula's text), e (an error such as #N/A), d (an ISO date): as stored */
		char *s = unescape(v, x->v.len);
		yj_buf_puts(o, s);
		free(s);
	}
}

static void end_row(sh *x)
{
	int nf = x->ncells ? x->cells[x->ncells - 1].col : 0;
	if (!nf)
		return;
	if (x->c.cells + nf > x->c.lim.max_cells) {
		fail(&x->c, yj_asprintf("%s: more than %lld cells; split the sheet", x->c.part, (long long)x->c.lim.max_cells));
		return;
	}
	x->c.cells += nf;
	size_t need = sizeof(char *) * (size_t)nf + x->rowtext.len + (size_t)nf;
	char **f = yj_malloc(need);
	char *p = (char *)(f + nf);
	size_t k = 0;
	for (int col = 1; col <= nf; col++) {
		f[col - 1] = p;
		if (k < x->ncells && x->cells[k].col == col) {
			memcpy(p, x->rowtext.data + x->cells[k].off, x->cells[k].len);
			p += x->cells[k].len;
			k++;
		}
		*p++ = '\0';
	}
	yj_xlsx_sheet *o = x->out;
	if ((size_t)o->nrows == x->caprows) {
		x->caprows = x->caprows ? x->caprows * 2 : 256;
		o->rows = yj_realloc(o->rows, sizeof *o->rows * x->caprows);
	}
	o->rows[o->nrows++] = (yj_xlsx_row){.row = x->rownum, .nf = nf, .f = f};
}

static void XMLCALL sh_end(void *ud, const XML_Char *el)
{
	sh *x = ud;
	const char *n = local(el);
	if (strcmp(n, "sheetData") == 0) {
		x->in_sheetdata = 0;
	} else if (!x->in_sheetdata) {
		return;
	} else if (strcmp(n, "row") == 0) {
		end_row(x);
		x->ncells = 0;
	} else if (strcmp(n, "c") == 0 && x->in_c) {
		x->in_c = x->in_v = x->in_is = x->tx.in_t = x->tx.in_rph = 0;
		size_t off = x->rowtext.len;
		cell_value(x, &x->rowtext);
		size_t len = x->rowtext.len - off;
		if (!len || x->c.err)
			return;
		if (memchr(x->rowtext.data + off, '\0', len)) {
			fail(&x->c, yj_asprintf("%s: row %d: a cell holds a NUL character", x->c.part, x->rownum));
			return;
		}
		x->c.text += len;
		if (x->c.text > x->c.lim.max_text) {
			fail(&x->c, yj_asprintf("%s: more than %zu MiB of cell text", x->c.part, x->c.lim.max_text >> 20));
			return;
		}
		if (x->ncells == x->capcells) {
			x->capcells = x->capcells ? x->capcells * 2 : 32;
			x->cells = yj_realloc(x->cells, sizeof *x->cells * x->capcells);
		}
		x->cells[x->ncells++] = (cell){x->colnum, off, len};
	} else if (strcmp(n, "v") == 0) {
		x->in_v = 0;
	} else if (strcmp(n, "is") == 0) {
		x->in_is = 0;
	} else if (strcmp(n, "rPh") == 0 && x->tx.in_rph) {
		x->tx.in_rph--;
	} else if (strcmp(n, "t") == 0) {
		x->tx.in_t = 0;
	}
}

int yj_xlsx_sniff(const void *data, size_t n)
{
	return n >= 4 && memcmp(data, "PK\x03\x04", 4) == 0;
}

void yj_xlsx_free(yj_xlsx_sheet *s)
{
	for (int i = 0; i < s->nrows; i++)
		free(s->rows[i].f);
	free(s->rows);
	free(s->name);
	memset(s, 0, sizeof *s);
}

int yj_xlsx_read(const void *data, size_t n, const char *sheet, const yj_xlsx_limits *lim, yj_xlsx_sheet *out,
		 char **err)
{
	*err = NULL;
	memset(out, 0, sizeof *out);
	yj_xlsx_limits L = {256u << 20, 256u << 20, 8 * 1024 * 1024};
	if (lim) { /* a zero member keeps its default */
		L.max_part = lim->max_part ? lim->max_part : L.max_part;
		L.max_text = lim->max_text ? lim->max_text : L.max_text;
		L.max_cells = lim->max_cells ? lim->max_cells : L.max_cells;
	}
	wb w = {.c = {.lim = L}};
	rels r = {.c = {.lim = L}};
	sst ss = {.c = {.lim = L}};
	sty st = {.c = {.lim = L}};
	sh x = {.c = {.lim = L}};
	char *msg = NULL;
	zip_t *za = NULL;
	int rc = YJ_ERR;
	if (!yj_xlsx_sniff(data, n)) {
		msg = yj_strdup("not an Excel workbook (.xlsx); an .xls (Excel 97–2003) file must be saved as .xlsx first");
		goto done;
	}
	zip_error_t ze;
	zip_error_init(&ze);
	zip_source_t *src = zip_source_buffer_create(data, n, 0, &ze);
	if (src) {
		za = zip_open_from_source(src, ZIP_RDONLY, &ze);
		if (!za)
			zip_source_free(src);
	}
	if (!za) {
		msg = yj_asprintf("not an Excel workbook (.xlsx): the archive cannot be opened (%s)", zip_error_strerror(&ze));
		zip_error_fini(&ze);
		goto done;
	}
	zip_error_fini(&ze);
	if (parse_part(za, "xl/workbook.xml", &w, wb_start, NULL, NULL, 0) < 0) {
		msg = w.c.err;
		w.c.err = NULL;
		goto done;
	}
	size_t which = 0;
	if (sheet) {
		for (which = 0; which < w.names.n && strcmp(w.names.s[which], sheet) != 0; which++)
			;
		if (which == w.names.n) {
			yj_buf b = YJ_BUF_INIT;
			for (size_t i = 0; i < w.names.n && i < 20; i++)
				yj_buf_printf(&b, "%s'%s'", i ? ", " : "", w.names.s[i]);
			msg = yj_asprintf("the workbook has no sheet '%s'; its sheets are %s", sheet, b.data ? b.data : "none");
			yj_buf_free(&b);
			goto done;
		}
	} else if (!w.names.n) {
		msg = yj_strdup("not an Excel workbook (.xlsx): xl/workbook.xml names no sheet");
		goto done;
	}
	r.want_id = w.rids.s[which];
	if (parse_part(za, "xl/_rels/workbook.xml.rels", &r, rels_start, NULL, NULL, 0) < 0) {
		msg = r.c.err;
		r.c.err = NULL;
		goto done;
	}
	if (!r.sheet) {
		msg = yj_asprintf("not an Excel workbook (.xlsx): sheet '%s' has no part", w.names.s[which]);
		goto done;
	}
	if (parse_part(za, r.shared ? r.shared : "xl/sharedStrings.xml", &ss, sst_start, sst_end, collect, 1) < 0) {
		msg = ss.c.err;
		ss.c.err = NULL;
		goto done;
	}
	if (parse_part(za, r.styles ? r.styles : "xl/styles.xml", &st, sty_start, sty_end, NULL, 1) < 0) {
		msg = st.c.err;
		st.c.err = NULL;
		goto done;
	}
	x.sst = &ss.s;
	x.styles = &st;
	x.date1904 = w.date1904;
	x.out = out;
	if (parse_part(za, r.sheet, &x, sh_start, sh_end, sh_text, 0) < 0) {
		msg = x.c.err;
		x.c.err = NULL;
		goto done;
	}
	out->name = yj_strdup(w.names.s[which]);
	rc = YJ_OK;
done:
	if (za)
		zip_discard(za);
	strs_free(&w.names);
	strs_free(&w.rids);
	free(w.c.err);
	free(r.sheet);
	free(r.shared);
	free(r.styles);
	free(r.c.err);
	strs_free(&ss.s);
	yj_buf_free(&ss.tx.t);
	free(ss.c.err);
	free(st.date_fmt);
	free(st.xf_date);
	free(st.c.err);
	yj_buf_free(&x.tx.t);
	yj_buf_free(&x.v);
	yj_buf_free(&x.rowtext);
	free(x.cells);
	free(x.c.err);
	if (rc < 0) {
		yj_xlsx_free(out);
		*err = msg ? msg : yj_strdup("not an Excel workbook (.xlsx)");
	}
	return rc;
}
