/* docs_render.c — lays a document model (docs.h) out on A4 and writes it as PDF with cairo + pango
 * and the Noto CJK fonts. Two passes: the first places every line, QR code and mark on its page (so
 * the page count is known), the second draws the pages with "第 N 页 共 M 页" under each. Pure: no
 * store and no clock; the creation date comes from the caller, so the same input gives the same bytes. */
#include "docs_int.h"
#include "../../base/base.h"
#include "../../base/date.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>
#include <qrencode.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Geometry in points (1 mm = 72 / 25.4 pt). A4 with margins near GB/T 9704's for official documents. */
#define MM (72.0 / 25.4)
#define PAGE_W (210 * MM)
#define PAGE_H (297 * MM)
#define M_TOP (30 * MM)
#define M_BOTTOM (28 * MM)
#define M_LEFT (28 * MM)
#define M_RIGHT (26 * MM)
#define BODY_W (PAGE_W - M_LEFT - M_RIGHT)
#define BODY_BOTTOM (PAGE_H - M_BOTTOM)
#define FOOT_Y (PAGE_H - 16 * MM)
#define QR_SIDE (26 * MM)

#define SERIF docs_family(0)
#define SANS docs_family(1)
#define BODY_PT 14.0
#define LINE_FACTOR 1.6 /* line pitch as a multiple of the font size */

/* What is drawn where: a line of a pango layout, a QR code or a picture. */
enum piece_kind { P_LINE, P_QR, P_IMG };
typedef struct piece {
	enum piece_kind kind;
	int page;	      /* from 0 */
	double x, y;	      /* the line's baseline start; the QR code's top left corner */
	PangoLayoutLine *line; /* P_LINE: borrowed from a layout in the document's list */
	const char *url;      /* P_QR: borrowed from the model; NULL draws a placeholder box */
	cairo_surface_t *img; /* P_IMG: owned by the layout's list (freed with the layouts) */
	double w, h;	      /* P_IMG: size on the page */
} piece;

typedef struct doc_layout {
	cairo_t *cr;
	piece *pieces;
	size_t n, cap;
	PangoLayout **layouts; /* kept until the pages are drawn */
	size_t nl, capl;
	cairo_surface_t **imgs; /* decoded pictures, freed after drawing */
	size_t ni;
	int page;
	double y; /* top of the free space on the page */
	const yj_doc_render_opts *o;
} doc_layout;

static void add_piece(doc_layout *d, piece p)
{
	if (d->n == d->cap) {
		d->cap = d->cap ? 2 * d->cap : 64;
		d->pieces = yj_realloc(d->pieces, d->cap * sizeof *d->pieces);
	}
	d->pieces[d->n++] = p;
}

static void new_page(doc_layout *d)
{
	d->page++;
	d->y = M_TOP;
}

/* A layout of text in font family/size/weight, wrapped at width (points; <= 0: no wrapping). */
static PangoLayout *make_layout(doc_layout *d, const char *text, const char *family, double pt, int bold, double width)
{
	PangoLayout *l = docs_layout_new(d->cr);
	PangoFontDescription *fd = pango_font_description_new();
	pango_font_description_set_family(fd, family);
	pango_font_description_set_absolute_size(fd, pt * PANGO_SCALE);
	pango_font_description_set_weight(fd, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
	pango_layout_set_font_description(l, fd);
	pango_font_description_free(fd);
	if (width > 0) {
		pango_layout_set_width(l, (int)(width * PANGO_SCALE));
		pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
	}
	pango_layout_set_line_spacing(l, (float)LINE_FACTOR);
	pango_layout_set_text(l, text, -1);
	if (d->nl == d->capl) {
		d->capl = d->capl ? 2 * d->capl : 32;
		d->layouts = yj_realloc(d->layouts, d->capl * sizeof *d->layouts);
	}
	d->layouts[d->nl++] = l;
	return l;
}

/* Places the lines of l at x, from d->y on, breaking pages between lines. pitch is the line
 * advance in points. Returns the baseline offset of the first line (for a label beside it). */
static void place_lines(doc_layout *d, PangoLayout *l, double x, double pitch, int *first_page, double *first_y)
{
	PangoLayoutIter *it = pango_layout_get_iter(l);
	int first = 1;
	do {
		PangoLayoutLine *line = pango_layout_iter_get_line_readonly(it);
		PangoRectangle logical;
		pango_layout_iter_get_line_extents(it, NULL, &logical);
		if (d->y + pitch > BODY_BOTTOM + 0.01)
			new_page(d);
		/* The baseline sits where a line of the body font's ascent would: centred in the pitch. */
		double base = d->y + (pitch - BODY_PT * 1.0) / 2 + BODY_PT * 0.88;
		piece p = {P_LINE, d->page, x + (double)logical.x / PANGO_SCALE, base, line, NULL, NULL, 0, 0};
		add_piece(d, p);
		if (first && first_page) {
			*first_page = d->page;
			*first_y = base;
		}
		first = 0;
		d->y += pitch;
	} while (pango_layout_iter_next_line(it));
	pango_layout_iter_free(it);
}

/* The space left on the page. */
static double room(const doc_layout *d)
{
	return BODY_BOTTOM - d->y;
}

static void head(doc_layout *d, const json_t *model)
{
	const char *organ = json_string_value(json_object_get(model, "organ"));
	const char *title = json_string_value(json_object_get(model, "title"));
	if (organ && *organ) {
		PangoLayout *l = make_layout(d, organ, SERIF, 18, 1, BODY_W);
		pango_layout_set_alignment(l, PANGO_ALIGN_CENTER);
		place_lines(d, l, M_LEFT, 18 * 1.5, NULL, NULL);
	}
	PangoLayout *l = make_layout(d, title, SERIF, 22, 1, BODY_W);
	pango_layout_set_alignment(l, PANGO_ALIGN_CENTER);
	PangoAttrList *attrs = pango_attr_list_new();
	pango_attr_list_insert(attrs, pango_attr_letter_spacing_new(4 * PANGO_SCALE));
	pango_layout_set_attributes(l, attrs);
	pango_attr_list_unref(attrs);
	place_lines(d, l, M_LEFT, 22 * 1.6, NULL, NULL);
	const char *no = d->o->preview ? "（样稿，签发时编号）" : d->o->number;
	if (no && *no) {
		l = make_layout(d, no, SERIF, BODY_PT, 0, BODY_W);
		pango_layout_set_alignment(l, PANGO_ALIGN_RIGHT);
		place_lines(d, l, M_LEFT, BODY_PT * LINE_FACTOR, NULL, NULL);
	}
	d->y += BODY_PT * 0.8;
}

static void paragraph(doc_layout *d, const json_t *b)
{
	const json_t *ind = json_object_get(b, "indent");
	const char *align = json_string_value(json_object_get(b, "align"));
	PangoLayout *l = make_layout(d, json_string_value(json_object_get(b, "text")), SERIF, BODY_PT, 0, BODY_W);
	if (align && !strcmp(align, "center"))
		pango_layout_set_alignment(l, PANGO_ALIGN_CENTER);
	else if (align && !strcmp(align, "right"))
		pango_layout_set_alignment(l, PANGO_ALIGN_RIGHT);
	else if (!ind || json_is_true(ind)) /* not justified: pango would stretch a line's one space */
		pango_layout_set_indent(l, (int)(2 * BODY_PT * PANGO_SCALE));
	place_lines(d, l, M_LEFT, BODY_PT * LINE_FACTOR, NULL, NULL);
}

static void heading(doc_layout *d, const json_t *b)
{
	double pitch = BODY_PT * LINE_FACTOR;
	if (room(d) < 2 * pitch) /* keep a heading with the line after it */
		new_page(d);
	PangoLayout *l = make_layout(d, json_string_value(json_object_get(b, "text")), SANS, BODY_PT, 1, BODY_W);
	place_lines(d, l, M_LEFT, pitch, NULL, NULL);
}

/* Label/value rows: labels with a full-width colon in a column as wide as the widest (at most 9.5
 * characters; a longer one wraps), values wrapped in the rest. */
static void fields(doc_layout *d, const json_t *b)
{
	const json_t *rows = json_object_get(b, "rows"), *row;
	size_t i;
	double pitch = BODY_PT * LINE_FACTOR, lw = 0;
	json_array_foreach(rows, i, row) {
		char *label = yj_asprintf("%s：", json_string_value(json_object_get(row, "label")));
		PangoLayout *l = make_layout(d, label, SERIF, BODY_PT, 1, 0);
		free(label);
		int w;
		pango_layout_get_size(l, &w, NULL);
		if ((double)w / PANGO_SCALE > lw)
			lw = (double)w / PANGO_SCALE;
	}
	if (lw > 9.5 * BODY_PT)
		lw = 9.5 * BODY_PT;
	/* The labels laid out above are the first json_array_size(rows) layouts before this point. */
	size_t first = d->nl - json_array_size(rows);
	json_array_foreach(rows, i, row) {
		PangoLayout *label = d->layouts[first + i];
		pango_layout_set_width(label, (int)(lw * PANGO_SCALE));
		pango_layout_set_wrap(label, PANGO_WRAP_CHAR);
		PangoLayout *v = make_layout(d, json_string_value(json_object_get(row, "value")), SERIF, BODY_PT, 0,
					     BODY_W - lw);
		int page;
		double base;
		double y0 = d->y;
		int p0 = d->page;
		place_lines(d, v, M_LEFT + lw, pitch, &page, &base);
		/* The label's lines beside the value's first ones (a label longer than its column wraps). */
		int saved_page = d->page;
		double saved_y = d->y;
		d->page = page;
		d->y = page == p0 ? y0 : M_TOP;
		place_lines(d, label, M_LEFT, pitch, NULL, NULL);
		if (d->page < saved_page || (d->page == saved_page && d->y < saved_y)) {
			d->page = saved_page;
			d->y = saved_y;
		}
	}
	d->y += BODY_PT * 0.4;
}

/* "2026年12月6日" of YYYY-MM-DD (validated). */
static void chinese_date(const char *day, char out[32])
{
	int y = 0, m = 0, dd = 0;
	sscanf(day, "%d-%d-%d", &y, &m, &dd);
	snprintf(out, 32, "%d年%d月%d日", y, m, dd);
}

static void signature(doc_layout *d, const json_t *b)
{
	double pitch = BODY_PT * LINE_FACTOR;
	const char *date = json_string_value(json_object_get(b, "date"));
	int seal = json_is_true(json_object_get(b, "seal"));
	double need = pitch * (2 + 1 + (seal ? 1 : 0) + (date ? 1 : 0));
	if (room(d) < need)
		new_page(d);
	d->y += 2 * pitch; /* two blank lines above the signature */
	/* The date ends four characters in from the right margin (GB/T 9704's 右空四字); the organ and the
	 * seal are centred over it, or end where it ends when wider. */
	char cn[32] = "";
	if (date)
		chinese_date(date, cn);
	double right = BODY_W - 4 * BODY_PT;
	PangoLayout *dl = date ? make_layout(d, cn, SERIF, BODY_PT, 0, 0) : NULL;
	PangoLayout *ol = make_layout(d, json_string_value(json_object_get(b, "organ")), SERIF, BODY_PT, 0, right);
	PangoLayout *sl = seal ? make_layout(d, "（印章）", SERIF, BODY_PT, 0, 0) : NULL;
	int dw = 0, ow, sw = 0;
	if (dl)
		pango_layout_get_size(dl, &dw, NULL);
	pango_layout_get_size(ol, &ow, NULL);
	if (sl)
		pango_layout_get_size(sl, &sw, NULL);
	double centre = dl ? right - (double)dw / PANGO_SCALE / 2 : right - (double)ow / PANGO_SCALE / 2;
	if (centre + (double)ow / PANGO_SCALE / 2 > right)
		centre = right - (double)ow / PANGO_SCALE / 2;
	if (sl)
		place_lines(d, sl, M_LEFT + centre - (double)sw / PANGO_SCALE / 2, pitch, NULL, NULL);
	place_lines(d, ol, M_LEFT + (ow / PANGO_SCALE > right ? 0 : centre - (double)ow / PANGO_SCALE / 2), pitch, NULL,
		    NULL);
	if (dl)
		place_lines(d, dl, M_LEFT + right - (double)dw / PANGO_SCALE, pitch, NULL, NULL);
}

static void qr(doc_layout *d, const json_t *b)
{
	const char *url = json_string_value(json_object_get(b, "url"));
	const char *caption = json_string_value(json_object_get(b, "caption"));
	if (!url)
		url = d->o->verify_url;
	d->y += BODY_PT * 0.5;
	if (room(d) < QR_SIDE)
		new_page(d);
	piece p = {P_QR, d->page, M_LEFT, d->y, NULL, url, NULL, 0, 0};
	add_piece(d, p);
	double bottom = d->y + QR_SIDE;
	if (!caption)
		caption = "扫描二维码核验本文书";
	if (!url)
		caption = "（样稿：签发后此处为核验二维码）";
	PangoLayout *l = make_layout(d, caption, SANS, 10.5, 0, BODY_W - QR_SIDE - 4 * MM);
	int h;
	pango_layout_get_size(l, NULL, &h);
	d->y += (QR_SIDE - (double)h / PANGO_SCALE) / 2 - 10.5 * 0.3;
	place_lines(d, l, M_LEFT + QR_SIDE + 4 * MM, 10.5 * 1.5, NULL, NULL);
	d->y = bottom;
}

/* A PNG read from memory by cairo. */
struct png_src {
	const unsigned char *p;
	size_t n, at;
};
static cairo_status_t read_png(void *closure, unsigned char *data, unsigned int len)
{
	struct png_src *s = closure;
	if (s->n - s->at < len)
		return CAIRO_STATUS_READ_ERROR;
	memcpy(data, s->p + s->at, len);
	s->at += len;
	return CAIRO_STATUS_SUCCESS;
}

static void image(doc_layout *d, const json_t *b)
{
	const char *b64 = json_string_value(json_object_get(b, "png"));
	const char *caption = json_string_value(json_object_get(b, "caption"));
	json_int_t wmm = json_integer_value(json_object_get(b, "width_mm"));
	size_t cap = strlen(b64), n = 0;
	unsigned char *bin = yj_malloc(cap ? cap : 1);
	cairo_surface_t *img = NULL;
	if (sodium_base642bin(bin, cap, b64, cap, " \n", &n, NULL, sodium_base64_VARIANT_ORIGINAL) == 0) {
		struct png_src src = {bin, n, 0};
		img = cairo_image_surface_create_from_png_stream(read_png, &src);
		if (cairo_surface_status(img) != CAIRO_STATUS_SUCCESS || cairo_image_surface_get_width(img) < 1) {
			cairo_surface_destroy(img);
			img = NULL;
		}
	}
	free(bin);
	double pitch = BODY_PT * LINE_FACTOR;
	if (caption) {
		PangoLayout *l = make_layout(d, caption, SERIF, BODY_PT, 0, BODY_W);
		place_lines(d, l, M_LEFT, pitch, NULL, NULL);
	}
	if (!img) {
		PangoLayout *l = make_layout(d, "〔图片无法显示〕", SERIF, BODY_PT, 0, BODY_W);
		place_lines(d, l, M_LEFT, pitch, NULL, NULL);
		return;
	}
	double w = (double)(wmm ? wmm : 50) * MM;
	double h = w * cairo_image_surface_get_height(img) / cairo_image_surface_get_width(img);
	if (h > 60 * MM) { /* a tall picture is scaled to 60 mm high */
		w *= 60 * MM / h;
		h = 60 * MM;
	}
	if (room(d) < h)
		new_page(d);
	d->imgs = yj_realloc(d->imgs, (d->ni + 1) * sizeof *d->imgs);
	d->imgs[d->ni++] = img;
	piece p = {P_IMG, d->page, M_LEFT + 2 * BODY_PT, d->y, NULL, NULL, img, w, h};
	add_piece(d, p);
	d->y += h + BODY_PT * 0.5;
}

/* ---- drawing ---- */

static void draw_img(cairo_t *cr, const piece *p)
{
	cairo_save(cr);
	cairo_translate(cr, p->x, p->y);
	cairo_scale(cr, p->w / cairo_image_surface_get_width(p->img), p->h / cairo_image_surface_get_height(p->img));
	cairo_set_source_surface(cr, p->img, 0, 0);
	cairo_paint(cr);
	cairo_restore(cr);
	cairo_set_source_rgb(cr, 0, 0, 0);
}

static void draw_qr(cairo_t *cr, const piece *p)
{
	if (!p->url) {
		cairo_set_source_rgb(cr, 0.6, 0.6, 0.6);
		cairo_set_line_width(cr, 0.8);
		cairo_rectangle(cr, p->x, p->y, QR_SIDE, QR_SIDE);
		cairo_stroke(cr);
		cairo_set_source_rgb(cr, 0, 0, 0);
		return;
	}
	QRcode *q = QRcode_encodeString(p->url, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	if (!q)
		return;
	double m = QR_SIDE / (q->width + 8); /* four modules of quiet zone each side */
	/* One rectangle per horizontal run of dark modules: fewer path operations, same picture. */
	for (int y = 0; y < q->width; y++)
		for (int x = 0; x < q->width;) {
			if (!(q->data[y * q->width + x] & 1)) {
				x++;
				continue;
			}
			int e = x;
			while (e < q->width && (q->data[y * q->width + e] & 1))
				e++;
			cairo_rectangle(cr, p->x + (4 + x) * m, p->y + (4 + y) * m, (e - x) * m, m);
			x = e;
		}
	cairo_set_source_rgb(cr, 0, 0, 0);
	cairo_fill(cr);
	QRcode_free(q);
}

static void draw_watermark(cairo_t *cr)
{
	PangoLayout *l = docs_layout_new(cr);
	PangoFontDescription *fd = pango_font_description_new();
	pango_font_description_set_family(fd, SANS);
	pango_font_description_set_weight(fd, PANGO_WEIGHT_BOLD);
	pango_font_description_set_absolute_size(fd, 72 * PANGO_SCALE);
	pango_layout_set_font_description(l, fd);
	pango_font_description_free(fd);
	pango_layout_set_text(l, "预览 · 样稿", -1);
	int w, h;
	pango_layout_get_size(l, &w, &h);
	cairo_save(cr);
	cairo_translate(cr, PAGE_W / 2, PAGE_H / 2);
	cairo_rotate(cr, -0.6);
	cairo_move_to(cr, -(double)w / PANGO_SCALE / 2, -(double)h / PANGO_SCALE / 2);
	cairo_set_source_rgb(cr, 0.88, 0.88, 0.88);
	pango_cairo_show_layout(cr, l);
	cairo_restore(cr);
	g_object_unref(l);
}

static void draw_footer(cairo_t *cr, int page, int pages)
{
	char text[64];
	snprintf(text, sizeof text, "第 %d 页 共 %d 页", page, pages);
	PangoLayout *l = docs_layout_new(cr);
	PangoFontDescription *fd = pango_font_description_new();
	pango_font_description_set_family(fd, SANS);
	pango_font_description_set_absolute_size(fd, 10.5 * PANGO_SCALE);
	pango_layout_set_font_description(l, fd);
	pango_font_description_free(fd);
	pango_layout_set_text(l, text, -1);
	pango_layout_set_width(l, (int)(PAGE_W * PANGO_SCALE));
	pango_layout_set_alignment(l, PANGO_ALIGN_CENTER);
	cairo_move_to(cr, 0, FOOT_Y);
	cairo_set_source_rgb(cr, 0, 0, 0);
	pango_cairo_show_layout(cr, l);
	g_object_unref(l);
}

static cairo_status_t write_buf(void *closure, const unsigned char *data, unsigned int len)
{
	yj_buf_append(closure, data, len);
	return CAIRO_STATUS_SUCCESS;
}

/* "2026-12-06T09:30:00+08:00": the PDF date of ms in Asia/Shanghai, to the second. */
static void pdf_date(int64_t ms, char out[32])
{
	char inst[YJ_INSTANT_LEN];
	yj_instant_format(ms, 8 * 60, inst);
	/* "2026-03-01T09:30:00.000+08:00" → drop the milliseconds. */
	snprintf(out, 32, "%.19s%s", inst, inst + 23);
}

int yj_doc_render(const json_t *model, const yj_doc_render_opts *o, unsigned char **pdf, size_t *len, int *pages,
		  char **err)
{
	*pdf = NULL;
	*len = 0;
	if (err)
		*err = NULL;
	if (yj_doc_validate(model, err) < 0)
		return YJ_ERR;
	yj_buf out = YJ_BUF_INIT;
	cairo_surface_t *surf = cairo_pdf_surface_create_for_stream(write_buf, &out, PAGE_W, PAGE_H);
	cairo_pdf_surface_restrict_to_version(surf, CAIRO_PDF_VERSION_1_5);
	char date[32];
	pdf_date(o->created_ms, date);
	cairo_pdf_surface_set_metadata(surf, CAIRO_PDF_METADATA_TITLE, json_string_value(json_object_get(model, "title")));
	cairo_pdf_surface_set_metadata(surf, CAIRO_PDF_METADATA_CREATOR, "yijian " YJ_VERSION);
	cairo_pdf_surface_set_metadata(surf, CAIRO_PDF_METADATA_CREATE_DATE, date);
	cairo_pdf_surface_set_metadata(surf, CAIRO_PDF_METADATA_MOD_DATE, date);
	cairo_t *cr = cairo_create(surf);

	doc_layout d = {.cr = cr, .page = 0, .y = M_TOP, .o = o};
	head(&d, model);
	const json_t *blocks = json_object_get(model, "blocks"), *b;
	size_t i;
	json_array_foreach(blocks, i, b) {
		const char *type = json_string_value(json_object_get(b, "type"));
		if (!strcmp(type, "heading"))
			heading(&d, b);
		else if (!strcmp(type, "paragraph"))
			paragraph(&d, b);
		else if (!strcmp(type, "fields"))
			fields(&d, b);
		else if (!strcmp(type, "signature"))
			signature(&d, b);
		else if (!strcmp(type, "qr"))
			qr(&d, b);
		else if (!strcmp(type, "image"))
			image(&d, b);
		else if (!strcmp(type, "space")) {
			json_int_t n = json_integer_value(json_object_get(b, "lines"));
			d.y += (double)(n ? n : 1) * BODY_PT * LINE_FACTOR;
			if (d.y > BODY_BOTTOM)
				new_page(&d);
		} else if (!strcmp(type, "page_break") && d.y > M_TOP)
			new_page(&d);
	}
	int npages = d.page + 1;
	for (size_t k = 0; k < d.n; k++)
		if (d.pieces[k].page >= npages)
			npages = d.pieces[k].page + 1;
	for (int pg = 0; pg < npages; pg++) {
		if (o->preview)
			draw_watermark(cr);
		cairo_set_source_rgb(cr, 0, 0, 0);
		/* Pieces are mostly in page order, but a label is placed after its value's lines. */
		for (size_t k = 0; k < d.n; k++) {
			const piece *p = &d.pieces[k];
			if (p->page != pg)
				continue;
			if (p->kind == P_QR) {
				draw_qr(cr, p);
				continue;
			}
			if (p->kind == P_IMG) {
				draw_img(cr, p);
				continue;
			}
			cairo_move_to(cr, p->x, p->y);
			pango_cairo_show_layout_line(cr, p->line);
		}
		draw_footer(cr, pg + 1, npages);
		cairo_show_page(cr);
	}
	for (size_t j = 0; j < d.nl; j++)
		g_object_unref(d.layouts[j]);
	free(d.layouts);
	for (size_t j = 0; j < d.ni; j++)
		cairo_surface_destroy(d.imgs[j]);
	free(d.imgs);
	free(d.pieces);
	cairo_destroy(cr);
	cairo_surface_finish(surf);
	cairo_status_t st = cairo_surface_status(surf);
	cairo_surface_destroy(surf);
	if (st != CAIRO_STATUS_SUCCESS) {
		yj_buf_free(&out);
		if (err)
			*err = yj_asprintf("PDF 生成失败：%s", cairo_status_to_string(st));
		return YJ_ERR;
	}
	*len = out.len;
	*pdf = (unsigned char *)yj_buf_detach(&out);
	if (pages)
		*pages = npages;
	return YJ_OK;
}

int yj_doc_preview(const json_t *model, unsigned char **pdf, size_t *len, int *pages, char **err)
{
	yj_doc_render_opts o = {.number = NULL, .preview = 1, .created_ms = yj_now_ms(), .verify_url = NULL};
	return yj_doc_render(model, &o, pdf, len, pages, err);
}
