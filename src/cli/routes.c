/* routes.c — the whole route table of the server: every capability's routes. The router and
 * /api/v1/openapi.json both read this list; the order here decides nothing (the router tries
 * literal segments before parameters, and tests/unit/platform/test_router.c refuses a pair of
 * routes that only the order could settle). */
#include "routes.h"
#include "../platform/audit/audit.h"
#include "../platform/auth/auth.h"
#include "../platform/todos/todos.h"
#include "../platform/calendar/calendar.h"
#include "../registry/registry.h"
#include "../fhir/fhir.h"
#include "../claims/review.h"
#include "../inspection/inspection.h"

extern const yj_route yj_audit_routes[];

const yj_route *const yj_all_routes[] = {
	yj_system_routes, yj_session_routes, yj_user_routes, yj_token_routes, yj_region_routes, yj_audit_routes,
	yj_todo_routes, yj_calendar_routes,
	yj_institution_routes, yj_practitioner_routes, yj_vocab_routes, yj_grid_routes, yj_responsibility_routes,
	yj_filing_routes, yj_licence_routes, yj_reg_kind_routes,
	yj_import_routes,
	yj_claims_review_routes,
	yj_insp_item_routes, yj_insp_plan_routes, yj_insp_task_routes, yj_insp_rect_routes,
	yj_fhir_routes,
};
const size_t yj_all_routes_len = sizeof yj_all_routes / sizeof yj_all_routes[0];
