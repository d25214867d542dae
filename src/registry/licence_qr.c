/* licence_qr.c — the QR code printed on a licence and served as qr.png: libqrencode makes the
 * module matrix, libpng's simplified API writes it as an 8-bit greyscale PNG in memory. */
#include "licence.h"
#include "../base/base.h"

#include <png.h>
#include <qrencode.h>
#include <stdlib.h>
#include <string.h>

#define QUIET 4 /* modules of white border the standard (ISO/IEC 18004) asks for */

int yj_licence_qr_png(const char *text, int scale, unsigned char **png, size_t *len)
{
	*png = NULL;
	*len = 0;
	QRcode *qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	if (!qr)
		return YJ_ERR;
	int side = (qr->width + 2 * QUIET) * scale;
	unsigned char *pixels = yj_malloc((size_t)side * (size_t)side);
	memset(pixels, 0xFF, (size_t)side * (size_t)side);
	for (int y = 0; y < qr->width; y++)
		for (int x = 0; x < qr->width; x++)
			if (qr->data[y * qr->width + x] & 1) /* bit 0: dark module */
				for (int dy = 0; dy < scale; dy++)
					memset(pixels + (size_t)((QUIET + y) * scale + dy) * side + (QUIET + x) * scale, 0, scale);
	QRcode_free(qr);

	png_image img;
	memset(&img, 0, sizeof img);
	img.version = PNG_IMAGE_VERSION;
	img.width = (png_uint_32)side;
	img.height = (png_uint_32)side;
	img.format = PNG_FORMAT_GRAY;
	png_alloc_size_t size = 0;
	int rc = YJ_ERR;
	/* First call measures, second writes. */
	if (!png_image_write_to_memory(&img, NULL, &size, 0, pixels, 0, NULL) || !size)
		goto done;
	*png = yj_malloc(size);
	if (!png_image_write_to_memory(&img, *png, &size, 0, pixels, 0, NULL)) {
		free(*png);
		*png = NULL;
		goto done;
	}
	*len = size;
	rc = YJ_OK;
done:
	png_image_free(&img);
	free(pixels);
	return rc;
}
