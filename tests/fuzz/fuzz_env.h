/* fuzz_env.h — a server without a socket for the fuzz targets: a migrated SQLite database on
 * tmpfs, the full route table, an admin and a bearer token for authenticated paths. */
#ifndef YJ_FUZZ_ENV_H
#define YJ_FUZZ_ENV_H

#include "platform/http/http.h"

typedef struct fuzz_env {
	yj_server *srv;
	char auth[128]; /* "Bearer yjt_…" of an admin with read,write */
} fuzz_env;

/* Builds the environment once per process; aborts when it cannot. */
fuzz_env *fuzz_env_get(void);

#endif
