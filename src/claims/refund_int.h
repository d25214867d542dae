/* refund_int.h — the loader's netting of refund lines (refund.c), private to src/claims/.
 * load.c collects the refund rows while it parses and hands them over once the columns are
 * filled. */
#ifndef YJ_CLAIMS_REFUND_INT_H
#define YJ_CLAIMS_REFUND_INT_H

#include "claims.h"

typedef struct yj_refund_row {
	int64_t rec;	 /* record number in the file (header = 1) */
	int32_t row;	 /* row in the columns */
	int32_t orig;	 /* orig_line_no when given, else 0 */
} yj_refund_row;

/* Nets each refund (rows with qty < 0, in file order) against its original lines in c, then
 * removes the refund rows and the originals refunded in full from the columns (c->n shrinks).
 * Fills the refund fields of rep; rep->orphans (at most max_list, rep frees) lists refunds that
 * found no original. */
void yj_refunds_net(yj_claims *c, const yj_refund_row *rf, size_t nrf, yj_load_report *rep, int max_list);

#endif
