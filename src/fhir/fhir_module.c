/* fhir_module.c — the FHIR facade's module descriptor: the registry's subjects as FHIR resources
 * (mCSD); it owns no table and reads the registry through registry.h. */
#include "fhir.h"
#include "../platform/module.h"

static const char *const requires[] = {"platform", "registry", NULL};
static const yj_route *const routes[] = {yj_fhir_routes, NULL};

const yj_module yj_fhir_module = {
	.name = "fhir",
	.requires = requires,
	.routes = routes,
};
