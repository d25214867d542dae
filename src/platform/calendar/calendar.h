/* calendar.h — the working-day calendar (工作日历) every deadline in working days uses: the exceptions to
 * "Monday to Friday" (public holidays, make-up working days 调休) are rows of work_calendar that an
 * administrator edits over /api/v1/calendar. Calendar days ('YYYY-MM-DD' ↔ day numbers, weekdays,
 * the Asia/Shanghai day of an instant) are base/date.h, included here for callers. */
#ifndef YJ_CALENDAR_H
#define YJ_CALENDAR_H

#include "../http/http.h"
#include "../store/store.h"
#include "../../base/date.h"

/* A day is a working day when the calendar marks it 'workday' (调休上班), else when it is Monday to
 * Friday and the calendar does not mark it 'holiday'. */
int yj_workday_is(store_conn *c, const char *day, int *is_workday);
/* The n-th working day after `day` (day itself not counted; n = 0 gives day), into out. n is 0..1000.
 * Returns ST_OK, ST_ERR for a bad date or n, or a store failure. */
int yj_workdays_add(store_conn *c, const char *day, int n, char out[11]);

/* GET /api/v1/calendar, GET /api/v1/calendar/working-days, PUT and DELETE /api/v1/calendar/{day}. */
extern const yj_route yj_calendar_routes[];

#endif
