/* docs_fonts.c — the fonts documents are set in, made fast to embed. cairo embeds a font in each PDF by
 * loading and parsing its whole CFF table, which for a Noto CJK face (65,000 glyphs, 20 MB) costs
 * some 50 ms per face per document. So, once per process, each face used is cut with HarfBuzz's
 * subsetter to the common characters of GB 2312 with ASCII and Chinese punctuation (a file of 2 MB,
 * written once into a cache directory and reused), registered in a private fontconfig set under the
 * family "YJ Serif" / "YJ Sans"; layouts name that family first and the full Noto face after it, so a
 * character outside the cut (a rare one in a name) still prints, from the full font. */
#include "docs_int.h"
#include "../../base/base.h"
#include "../../base/log.h"

#include <errno.h>
#include <fcntl.h>
#include <fontconfig/fontconfig.h>
#include <hb-subset.h>
#include <hb.h>
#include <iconv.h>
#include <pango/pangocairo.h>
#include <pango/pangofc-fontmap.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The faces documents use: the family layouts ask for, the Noto face it is cut from. */
static const struct face {
	const char *family; /* our name for the cut */
	const char *noto;   /* the fontconfig pattern of the full face */
	const char *file;   /* cache file name (the source's size is added) */
} faces[] = {
	{"YJ Serif", "Noto Serif CJK SC:weight=80", "serif-regular"},
	{"YJ Serif", "Noto Serif CJK SC:weight=200", "serif-bold"},
	{"YJ Sans", "Noto Sans CJK SC:weight=80", "sans-regular"},
	{"YJ Sans", "Noto Sans CJK SC:weight=200", "sans-bold"},
};

#define CUT_VERSION "gb1d" /* GB 2312 level 1, desubroutinized */

static FcConfig *config; /* NULL: the cut failed; layouts use the system's fonts as they are */
static pthread_once_t once = PTHREAD_ONCE_INIT;
static pthread_key_t map_key;

/* Adds the symbols and the 3,755 common characters (level 1) of GB 2312 — rows 0xA1–0xD7, cells
 * 0xA1–0xFE, through iconv — with ASCII and the punctuation blocks a Chinese document uses. Level 2
 * and rarer characters come from the full face: the cut stays small, so embedding it stays cheap. */
static void charset(hb_set_t *s)
{
	hb_set_add_range(s, 0x20, 0x7e);
	hb_set_add_range(s, 0xa0, 0xff);
	hb_set_add_range(s, 0x2000, 0x206f); /* general punctuation: — ‘ ’ “ ” … */
	hb_set_add_range(s, 0x2160, 0x216b); /* Roman numerals */
	hb_set_add_range(s, 0x2460, 0x2473); /* ① … ⑳ */
	hb_set_add_range(s, 0x3000, 0x303f); /* CJK symbols and punctuation: 、。〔〕《》 */
	hb_set_add_range(s, 0xff00, 0xffef); /* full-width forms: ，：（）¥ */
	iconv_t cd = iconv_open("UTF-32LE", "GB2312");
	if (cd == (iconv_t)-1)
		return;
	for (unsigned hi = 0xa1; hi <= 0xd7; hi++)
		for (unsigned lo = 0xa1; lo <= 0xfe; lo++) {
			char in[2] = {(char)hi, (char)lo}, out[4];
			char *ip = in, *op = out;
			size_t il = 2, ol = 4;
			if (iconv(cd, &ip, &il, &op, &ol) != (size_t)-1 && ol == 0) {
				unsigned char *u = (unsigned char *)out;
				hb_set_add(s, (hb_codepoint_t)(u[0] | u[1] << 8 | u[2] << 16 | (unsigned)u[3] << 24));
			}
			iconv(cd, NULL, NULL, NULL, NULL);
		}
	iconv_close(cd);
}

/* The cache directory: $YIJIAN_FONT_CACHE, else /tmp/yijian-fonts-UID, made 0700 and required to be a
 * directory of ours (not a link someone planted). Caller frees; NULL when unusable. */
static char *cache_dir(void)
{
	const char *env = getenv("YIJIAN_FONT_CACHE");
	char *dir = env && *env ? yj_strdup(env) : yj_asprintf("/tmp/yijian-fonts-%u", (unsigned)getuid());
	struct stat st;
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		goto bad;
	if (lstat(dir, &st) < 0 || !S_ISDIR(st.st_mode) || st.st_uid != getuid())
		goto bad;
	return dir;
bad:
	free(dir);
	return NULL;
}

/* Cuts the face of pattern f->noto into dir/<file>-<source size>.otf unless it is there; the path
 * (caller frees) or NULL. */
static char *cut(const struct face *f, const char *dir, const hb_set_t *chars)
{
	FcPattern *p = FcNameParse((const FcChar8 *)f->noto), *m = NULL;
	FcResult res;
	FcConfigSubstitute(NULL, p, FcMatchPattern);
	FcDefaultSubstitute(p);
	m = FcFontMatch(NULL, p, &res);
	FcChar8 *file = NULL;
	int index = 0;
	char *out = NULL, *tmp = NULL;
	hb_blob_t *blob = NULL, *result = NULL;
	hb_face_t *face = NULL, *sub = NULL;
	hb_subset_input_t *in = NULL;
	struct stat st;
	if (!m || FcPatternGetString(m, FC_FILE, 0, &file) != FcResultMatch || stat((const char *)file, &st) < 0)
		goto done;
	FcPatternGetInteger(m, FC_INDEX, 0, &index);
	/* The name changes with the source and with the way it is cut (CUT_VERSION). */
	out = yj_asprintf("%s/%s-%lld-%d-" CUT_VERSION ".otf", dir, f->file, (long long)st.st_size, index);
	if (access(out, R_OK) == 0)
		goto done;
	blob = hb_blob_create_from_file_or_fail((const char *)file);
	if (!blob)
		goto fail;
	face = hb_face_create(blob, (unsigned)index);
	in = hb_subset_input_create_or_fail();
	if (!in)
		goto fail;
	hb_set_union(hb_subset_input_unicode_set(in), chars);
	/* Without subroutines each embedded glyph carries its own outline: cairo's subset of the cut then
	 * holds only the glyphs used (about a third of the PDF's size, and less to compress). */
	hb_subset_input_set_flags(in, HB_SUBSET_FLAGS_DESUBROUTINIZE);
	sub = hb_subset_or_fail(face, in);
	if (!sub)
		goto fail;
	result = hb_face_reference_blob(sub);
	unsigned len = 0;
	const char *data = hb_blob_get_data(result, &len);
	if (!len)
		goto fail;
	/* Written aside and renamed, so another process never loads half a file. */
	tmp = yj_asprintf("%s.%ld.tmp", out, (long)getpid());
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		goto fail;
	ssize_t w = write(fd, data, len);
	if (close(fd) < 0 || w != (ssize_t)len || rename(tmp, out) < 0) {
		unlink(tmp);
		goto fail;
	}
	goto done;
fail:
	free(out);
	out = NULL;
done:
	free(tmp);
	hb_blob_destroy(result);
	hb_face_destroy(sub);
	hb_subset_input_destroy(in);
	hb_face_destroy(face);
	hb_blob_destroy(blob);
	if (m)
		FcPatternDestroy(m);
	FcPatternDestroy(p);
	return out;
}

static void map_free(void *m)
{
	g_object_unref(m);
}

static void prepare(void)
{
	pthread_key_create(&map_key, map_free);
	char *dir = cache_dir();
	char *paths[YJ_ARRAY_LEN(faces)] = {NULL};
	int ok = dir && FcInit();
	hb_set_t *chars = hb_set_create();
	charset(chars);
	for (size_t i = 0; i < YJ_ARRAY_LEN(faces) && ok; i++)
		ok = (paths[i] = cut(&faces[i], dir, chars)) != NULL;
	hb_set_destroy(chars);
	if (ok) {
		/* The system's configuration and fonts (the full faces fall back), plus rules that name the cut
		 * files by our families as they are scanned, then the files. */
		FcConfig *c = FcInitLoadConfigAndFonts();
		yj_buf xml = YJ_BUF_INIT;
		yj_buf_puts(&xml, "<?xml version=\"1.0\"?><!DOCTYPE fontconfig SYSTEM \"fonts.dtd\"><fontconfig>");
		for (size_t i = 0; i < YJ_ARRAY_LEN(faces); i++)
			yj_buf_printf(&xml,
				      "<match target=\"scan\"><test name=\"file\"><string>%s</string></test>"
				      "<edit name=\"family\" mode=\"assign_replace\"><string>%s</string></edit></match>",
				      paths[i], faces[i].family);
		yj_buf_puts(&xml, "</fontconfig>");
		ok = c && FcConfigParseAndLoadFromMemory(c, (const FcChar8 *)xml.data, FcFalse);
		for (size_t i = 0; i < YJ_ARRAY_LEN(faces) && ok; i++)
			ok = FcConfigAppFontAddFile(c, (const FcChar8 *)paths[i]);
		yj_buf_free(&xml);
		if (ok)
			config = c;
		else if (c)
			FcConfigDestroy(c);
	}
	if (!ok)
		yj_log(YJ_LOG_WARN, "docs.fonts", "\"reason\":\"%s\"",
		       "could not cut the Noto CJK faces; documents embed the full fonts (slower)");
	for (size_t i = 0; i < YJ_ARRAY_LEN(faces); i++)
		free(paths[i]);
	free(dir);
}

PangoLayout *docs_layout_new(cairo_t *cr)
{
	pthread_once(&once, prepare);
	if (!config)
		return pango_cairo_create_layout(cr);
	/* One font map per thread (a pango font map is not shared between threads), freed with it. */
	PangoFontMap *fm = pthread_getspecific(map_key);
	if (!fm) {
		fm = pango_cairo_font_map_new_for_font_type(CAIRO_FONT_TYPE_FT);
		pango_fc_font_map_set_config(PANGO_FC_FONT_MAP(fm), config);
		pthread_setspecific(map_key, fm);
	}
	PangoContext *ctx = pango_font_map_create_context(fm);
	pango_cairo_update_context(cr, ctx);
	PangoLayout *l = pango_layout_new(ctx);
	g_object_unref(ctx);
	return l;
}

const char *docs_family(int sans)
{
	pthread_once(&once, prepare);
	if (!config)
		return sans ? "Noto Sans CJK SC" : "Noto Serif CJK SC";
	return sans ? "YJ Sans,Noto Sans CJK SC" : "YJ Serif,Noto Serif CJK SC";
}

static void *warm(void *arg)
{
	(void)arg;
	pthread_once(&once, prepare);
	return NULL;
}

void yj_doc_warm(void)
{
	pthread_t t;
	pthread_attr_t a;
	pthread_attr_init(&a);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&t, &a, warm, NULL) != 0)
		pthread_once(&once, prepare);
	pthread_attr_destroy(&a);
}

#ifdef __SANITIZE_ADDRESS__
/* Leaks inside the system libraries, which the sanitizer build reports at exit: cairo 1.16 loses about
 * 400 bytes per embedded CID font in cairo_surface_finish (with the full Noto faces as with the cut
 * ones), and fontconfig keeps font patterns and character sets it never frees. None is ours to fix.
 * The sanitizer's fast unwinder stops inside these libraries (no frame pointers), so only their module
 * can be named: a cairo or fontconfig object we forgot to release would go unreported too — the
 * render's own objects are released in one place (yj_doc_render's end, docs_layout_new's caller). */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:libcairo.so\n"
	       "leak:libfontconfig.so\n";
}
#endif
