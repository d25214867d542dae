/* fuzz_csv.c — the claims CSV loader on arbitrary bytes. It must never crash, and cutting the input
 * into many tiny chunks parsed on two threads must give exactly the rows, bad rows and dictionary
 * codes of a single pass (the parallel loader's record boundaries follow the reader's quoting).
 * The fuzz environment is linked but not used. */
#include "claims/claims.h"

#include <stdlib.h>
#include <string.h>

static const char header[] =
	"claim_id,line_no,patient_id,sex,birth_date,institution_code,physician_id,dept_code,visit_type,admit_date,"
	"discharge_date,service_date,diagnosis,item_code,item_name,item_type,quantity,unit_price,amount,days_supply\n";

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	/* Half the inputs get a valid header so the fuzzer reaches the row parser quickly. */
	int with_header = size && (data[0] & 1);
	size_t hn = with_header ? sizeof header - 1 : 0;
	char *buf = malloc(hn + size + 1);
	memcpy(buf, header, hn);
	if (size)
		memcpy(buf + hn, data + (with_header ? 1 : 0), size - (with_header ? 1 : 0));
	size_t n = hn + size - (with_header ? 1 : 0);

	yj_load_opts one = {.threads = 1, .max_bad_share = 1.0};
	yj_load_opts many = {.threads = 2, .max_bad_share = 1.0, .chunk_bytes = 7};
	yj_claims *a = NULL, *b = NULL;
	yj_load_report ra, rb;
	char *ea = NULL, *eb = NULL;
	int rca = yj_claims_load_mem(buf, n, &one, &a, &ra, &ea);
	int rcb = yj_claims_load_mem(buf, n, &many, &b, &rb, &eb);
	if (rca != rcb || ra.rows != rb.rows || ra.bad_rows != rb.bad_rows)
		abort();
	if (a && b) {
		if (a->n != b->n || a->n + (size_t)ra.bad_rows != (size_t)ra.rows)
			abort();
		for (size_t i = 0; i < a->n; i++)
			if (a->claim[i] != b->claim[i] || a->item[i] != b->item[i] || a->amount[i] != b->amount[i] ||
			    a->service[i] != b->service[i])
				abort();
	}
	yj_claims_free(a);
	yj_claims_free(b);
	yj_load_report_free(&ra);
	yj_load_report_free(&rb);
	free(ea);
	free(eb);
	free(buf);
	return 0;
}
