/* modules.c — the one list of modules the binary is built from, in dependency order (a module comes
 * after every module it requires). Adding a capability is one line here (docs/development.md). */
#include "modules.h"
#include "../registry/registry.h"
#include "../claims/claims.h"
#include "../inspection/inspection.h"
#include "../fhir/fhir.h"

#include <stdlib.h>

const yj_module *const yj_modules[] = {
	&yj_platform_module,
	&yj_registry_module,
	&yj_claims_module,
	&yj_inspection_module,
	&yj_fhir_module,
};
const size_t yj_modules_len = sizeof yj_modules / sizeof yj_modules[0];

int yj_migrate(store *s, char **err)
{
	return yj_modules_migrate(s, yj_modules, yj_modules_len, err);
}

const yj_route *const *yj_all_routes(size_t *n)
{
	/* Filled once from constant descriptors; several threads filling it write the same values. */
	static const yj_route *tables[64];
	static size_t ntables;
	if (!ntables) {
		size_t k = yj_modules_routes(yj_modules, yj_modules_len, tables, sizeof tables / sizeof tables[0]);
		if (k == (size_t)-1)
			abort(); /* more route tables than room: raise the bound above */
		ntables = k;
	}
	*n = ntables;
	return tables;
}
