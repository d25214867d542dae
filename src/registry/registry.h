/* registry.h — the registry of subjects: for now the organisation model that scope rests on,
 * regions (GB/T 2260) and departments. Institutions, practitioners and licences join it later. */
#ifndef YJ_REGISTRY_H
#define YJ_REGISTRY_H

#include "../platform/http/http.h"

/* Routes: /api/v1/regions…, /api/v1/departments. */
extern const yj_route yj_region_routes[];

/* Loads the compiled-in region table (data/regions.csv) into regions; used by migration 2. */
int yj_regions_load(store_conn *c);

#endif
