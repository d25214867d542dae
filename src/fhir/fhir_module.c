/* fhir_module.c — the FHIR facade's module descriptor: the registry's subjects as FHIR resources
 * (mCSD); it owns no table and reads the registry through registry.h. */
#include "fhir_int.h"
#include "../platform/module.h"

static const char *const requires[] = {"platform", "registry", NULL};
static const yj_route *const routes[] = {yj_fhir_routes, NULL};
/* FHIR clients parse errors as OperationOutcome resources (fhir_outcome.c). */
static const yj_path_prefix prefixes[] = {{"/fhir/", fhir_reply_outcome}, {NULL, NULL}};

const yj_module yj_fhir_module = {
	.name = "fhir",
	.requires = requires,
	.routes = routes,
	.prefixes = prefixes,
};
