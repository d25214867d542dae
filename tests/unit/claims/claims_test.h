/* claims_test.h — helpers shared by the claims tests: the repository's rules/ directory (found
 * from this file's path), claim lines written compactly, and flag counts per rule. */
#ifndef CLAIMS_TEST_H
#define CLAIMS_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "claims/claims.h"

#define CT_HDR                                                                                                        \
	"claim_id,line_no,patient_id,sex,birth_date,institution_code,physician_id,dept_code,visit_type,admit_date,"   \
	"discharge_date,service_date,diagnosis,item_code,item_name,item_type,quantity,unit_price,amount,days_supply\n"

/* The repository root: this header lives in tests/unit/claims/. Caller frees. */
static inline char *ct_repo_dir(void)
{
	const char *f = __FILE__;
	const char *p = strstr(f, "tests/unit/claims/");
	return p ? yj_strndup(f, (size_t)(p - f)) : yj_strdup("./");
}

static inline yj_rules *ct_rules(void)
{
	char *root = ct_repo_dir(), *dir = yj_asprintf("%srules", root), *err = NULL;
	yj_rules *rs = yj_rules_load(dir, &err);
	if (!rs) {
		fprintf(stderr, "rules: %s\n", err);
		abort();
	}
	free(root);
	free(dir);
	return rs;
}

#endif
