/* serve.c — `yijian serve`: open and migrate the store, load the audit signing key, serve HTTP
 * and run the jobs (platform/jobs: leases let several processes share them) until SIGTERM or
 * SIGINT, then stop the jobs, finish in-flight requests and close the store. Keeps no state
 * outside the store, so several processes can share one PostgreSQL. */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"
#include "modules.h"
#include "../base/log.h"
#include "../platform/audit/audit.h"
#include "../platform/auth/auth.h"
#include "../platform/docs/docs.h"
#include "../platform/jobs/jobs.h"
#include "../platform/pii/pii.h"
#include "../claims/claims.h"
#include "../registry/registry.h"

#include <errno.h>
#include <malloc.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *find_web_dir(const char *given)
{
	static char buf[4096];
	struct stat st;
	if (given)
		return *given ? given : NULL;
	if (stat("web/dist/index.html", &st) == 0)
		return "web/dist";
	/* Beside the binary: build/yijian → ../web/dist */
	ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 32);
	if (n > 0) {
		buf[n] = '\0';
		char *slash = strrchr(buf, '/');
		if (slash) {
			strcpy(slash, "/../web/dist");
			char probe[4200];
			snprintf(probe, sizeof probe, "%s/index.html", buf);
			if (stat(probe, &st) == 0)
				return buf;
		}
	}
	return NULL;
}

/* The default operator listener: loopback, the port after the main one ("" when there is none). */
static void default_operator(const char *listen, char *out, size_t cap)
{
	const char *colon = strrchr(listen, ':');
	long port = colon ? strtol(colon + 1, NULL, 10) : 0;
	out[0] = '\0';
	if (port > 0 && port < 65535)
		snprintf(out, cap, "127.0.0.1:%ld", port + 1);
}

static unsigned num(const cli_opt *o, const char *name, unsigned dflt)
{
	const char *v = cli_get(o, name);
	return v ? (unsigned)strtoul(v, NULL, 10) : dflt;
}

/* A positive byte count (decimal digits only) into *out. */
static int bytes_opt(const char *v, int64_t *out)
{
	char *end;
	errno = 0;
	unsigned long long n = strtoull(v, &end, 10);
	if (!*v || *end || *v == '-' || errno || n == 0 || n > INT64_MAX)
		return YJ_ERR;
	*out = (int64_t)n;
	return YJ_OK;
}

/* glibc gives threads up to 8 malloc arenas per core; each keeps its own free memory, and a chunk
 * allocated by one thread and freed by another (an import's preparing thread and its writer, a
 * request's worker and the poller) leaves arenas fragmented. Under the soak's mix serve's RSS crept
 * +12-13 % in 30 minutes over 15 arenas while the bytes in use stayed ~3.7 MB: arenas, not a leak. One
 * arena per core is as many as can be contended at once (docs/capacity.md, "Memory"). The
 * environment's MALLOC_ARENA_MAX, when set, is left to rule. */
static void limit_arenas(void)
{
	if (getenv("MALLOC_ARENA_MAX"))
		return;
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	mallopt(M_ARENA_MAX, cores < 2 ? 2 : (int)cores);
}

int cmd_serve(int argc, char **argv)
{
	cli_opt o[] = {
		{"db", 1, "database URL: sqlite:PATH (default sqlite:yijian.db) or postgresql://…", NULL},
		{"db-read", 1, "postgresql:// URL of a streaming replica of --db serving the GET routes' reads (default none)", NULL},
		{"db-read-max-lag", 1, "milliseconds the replica may be behind before reads go to the primary (default 1000)", NULL},
		{"db-read-check", 1, "milliseconds between checks of the replica's position (default 100)", NULL},
		{"listen", 1, "HOST:PORT to listen on (default 127.0.0.1:8080)", NULL},
		{"web", 1, "directory of the built console (default web/dist; empty to serve none)", NULL},
		{"keys", 1, "directory of the audit signing key (default PATH.keys beside a SQLite file)", NULL},
		{"max-body", 1, "largest request body in bytes (default 8388608)", NULL},
		{"threads", 1, "threads running handlers, each with its own database connection (default max(8, 4 × cores))", NULL},
		{"pollers", 1, "with --dispatch queue: threads reading requests and sending replies (default 1)", NULL},
		{"dispatch", 1, "queue: one thread reads requests, the --threads workers run them in arrival order; inline: each of --threads threads runs its own connections' requests (default $YIJIAN_DISPATCH, else queue on PostgreSQL and inline on SQLite)", NULL},
		{"max-connections", 1, "simultaneous connections (default 1024)", NULL},
		{"idle-timeout", 1, "seconds before an idle or slow connection is closed (default 30)", NULL},
		{"max-connections-per-address", 1, "simultaneous connections from one client address, 0 = no limit (default 128)", NULL},
		{"reuse-port", 0, "share --listen's port with other processes on purpose (SO_REUSEPORT; default: a taken port is an error)", NULL},
		{"operator-listen", 1, "HOST:PORT serving /healthz and /metrics to operators; '' = none (default 127.0.0.1:PORT+1)", NULL},
		{"trusted-proxy", 1, "address of the reverse proxy whose X-Real-IP header names the client (default none)", NULL},
		{"secure-cookies", 0, "mark cookies Secure (default on when --public-url is https)", NULL},
		{"no-secure-cookies", 0, "do not mark cookies Secure even with an https --public-url", NULL},
		{"public-url", 1, "public base URL: licence QR codes (<URL>verify/<code>) and FHIR links (default http://LISTEN/)", NULL},
		{"attachment-quota", 1, "bytes of attachments each user may upload in all (default 2147483648)", NULL},
		{"id-lookups-per-hour", 1, "resident ID disclosures and lookups per user and hour (default 30; 0: no limit)", NULL},
		{"job-lease", 1, "seconds a job's lease lasts unless renewed (default 30; renewed every third of it)", NULL},
		{"job-threads", 1, "jobs run at once by this process (default 2)", NULL},
		{"audit-merge-delay", 1, "milliseconds within which a signed tree head covers each audit leaf (default 1000)", NULL},
		{"max-upload", 1, "largest file streamed to disk by an upload route, e.g. a claims file (default 68719476736)", NULL},
		{"spool-dir", 1, "directory uploaded files are streamed to (default $TMPDIR or /tmp)", NULL},
		{"rules", 1, "claims rule base directory for the real-time check (default rules, when present)", NULL},
		{"claims-registry", 1, "registry directory (institutions.csv, physicians.csv) for the real-time check", NULL},
		{"claims-deaths", 1, "death register (patient_id,death_date) for the real-time check", NULL},
		{"claims-drop", 1, "directory whose *.csv claims files are screened each night (moved to --spool-dir, one run each)", NULL},
		{"claims-drop-region", 1, "territory code the nightly runs of --claims-drop belong to", NULL},
		{"quiet", 0, "log warnings and errors only", NULL},
		{"signin-pair-limit", 1, "failed sign-ins of one account from one address per window before 429 (default 5)", NULL},
		{"signin-address-limit", 1, "failed sign-ins from one address, any account, per window (default 30)", NULL},
		{"signin-account-limit", 1, "failed sign-ins of one account from all addresses per account window (default 100)", NULL},
		{"signin-window", 1, "minutes the pair and address limits count over (default 15)", NULL},
		{"signin-account-window", 1, "minutes the account limit counts over (default 60)", NULL},
		{NULL, 0, NULL, NULL},
	};
	int code;
	if (cli_parse(argc, argv, "Usage: yijian serve [--db URL] [--listen HOST:PORT] [options]", o, NULL, NULL, &code) < 0)
		return code;
	if (cli_get(o, "quiet"))
		yj_log_set_level(YJ_LOG_WARN);
	limit_arenas();
	int64_t quota = 0; /* 0: the server's default */
	if (cli_get(o, "attachment-quota") && bytes_opt(cli_get(o, "attachment-quota"), &quota) < 0) {
		fprintf(stderr, "yijian: --attachment-quota must be a positive number of bytes\n");
		return 2;
	}
	int64_t merge_delay = YJ_AUDIT_MERGE_DELAY_MS;
	if (cli_get(o, "audit-merge-delay") && (bytes_opt(cli_get(o, "audit-merge-delay"), &merge_delay) < 0 ||
						merge_delay > 3600000)) {
		fprintf(stderr, "yijian: --audit-merge-delay must be a number of milliseconds from 1 to 3600000\n");
		return 2;
	}
	int64_t max_lag = 1000, check_ms = 100;
	if ((cli_get(o, "db-read-max-lag") && (bytes_opt(cli_get(o, "db-read-max-lag"), &max_lag) < 0 || max_lag > 3600000)) ||
	    (cli_get(o, "db-read-check") && (bytes_opt(cli_get(o, "db-read-check"), &check_ms) < 0 || check_ms > 60000))) {
		fprintf(stderr, "yijian: --db-read-max-lag and --db-read-check must be numbers of milliseconds (at most an hour"
				" and a minute)\n");
		return 2;
	}
	const char *url = cli_db_url(o);
	store *s = cli_open_store(url, 1);
	if (!s)
		return 1;
	char *keys = cli_keys_dir(o, url), *err = NULL;
	if (cli_load_keys(keys, &err) < 0) {
		fprintf(stderr, "yijian: %s\n", err);
		free(err);
		free(keys);
		store_close(s);
		return 1;
	}
	yj_http_config cfg = {
		.listen = cli_get(o, "listen") ? cli_get(o, "listen") : "127.0.0.1:8080",
		.web_dir = find_web_dir(cli_get(o, "web")),
		.max_body = num(o, "max-body", 8u << 20),
		.threads = num(o, "threads", 0),
		.pollers = num(o, "pollers", 0),
		.max_connections = num(o, "max-connections", 0),
		.idle_timeout = num(o, "idle-timeout", 0),
		.secure_cookies = cli_get(o, "secure-cookies") != NULL,
		.per_address_connections = num(o, "max-connections-per-address", 128),
		.trusted_proxy = cli_get(o, "trusted-proxy"),
		.attachment_quota = quota,
		.spool_dir = cli_get(o, "spool-dir"),
		.reuse_port = cli_get(o, "reuse-port") != NULL,
	};
	const char *dispatch = cli_get(o, "dispatch") ? cli_get(o, "dispatch") : getenv("YIJIAN_DISPATCH");
	if (dispatch && *dispatch && strcmp(dispatch, "queue") != 0 && strcmp(dispatch, "inline") != 0) {
		fprintf(stderr, "yijian: --dispatch must be queue or inline\n");
		free(keys);
		store_close(s);
		return 2;
	}
	/* By default queue on PostgreSQL, whose round trips leave inline threads idle while their other
	 * connections wait (case list p99 87 → 34 ms), and inline on SQLite, where a request rarely waits
	 * and the queue's two hand-offs cost more than they save (/healthz 122,600 → 46,600 req/s);
	 * docs/benchmarks.md, "Arrival order". */
	cfg.dispatch_inline = dispatch && *dispatch ? strcmp(dispatch, "inline") == 0 : strcmp(store_engine(s), "sqlite") == 0;
	if (cli_get(o, "max-upload") && bytes_opt(cli_get(o, "max-upload"), &cfg.max_upload) < 0) {
		fprintf(stderr, "yijian: --max-upload must be a number of bytes\n");
		free(keys);
		store_close(s);
		return 2;
	}
	/* Cookies sent to an https public address are Secure unless the operator says otherwise. */
	const char *pub = cli_get(o, "public-url");
	if (pub && strncasecmp(pub, "https://", 8) == 0 && !cli_get(o, "no-secure-cookies"))
		cfg.secure_cookies = 1;
	char op_default[32];
	default_operator(cfg.listen, op_default, sizeof op_default);
	cfg.operator_listen = cli_get(o, "operator-listen") ? cli_get(o, "operator-listen") : op_default;
	cfg.operator_optional = cli_get(o, "operator-listen") == NULL;
	yj_pii_set_lookup_limit(num(o, "id-lookups-per-hour", YJ_PII_LOOKUPS_PER_HOUR));
	yj_signin_limits limits = {num(o, "signin-pair-limit", 0), num(o, "signin-address-limit", 0),
				   num(o, "signin-account-limit", 0), num(o, "signin-window", 0),
				   num(o, "signin-account-window", 0)};
	yj_auth_set_signin_limits(&limits);
	yj_auth_cache_start(); /* one database per serve process: its caches (unless YJ_AUTH_CACHE=off) */
	if (cli_get(o, "public-url")) {
		yj_licence_set_public_url(cli_get(o, "public-url"));
	} else {
		char *base = yj_asprintf("http://%s/", cfg.listen);
		yj_licence_set_public_url(base);
		free(base);
	}
	cfg.public_url = yj_licence_public_url(); /* FHIR links use it too: never the request's Host header */
	/* Block the stop signals in every thread; the main thread waits for them below. */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	/* The real-time claims check's rule base: given, or ./rules when present (else the route answers 503). */
	struct stat rst;
	const char *rules = cli_get(o, "rules") ? cli_get(o, "rules") : stat("rules/rules.csv", &rst) == 0 ? "rules" : NULL;
	if (rules && *rules &&
	    yj_claims_check_configure(rules, cli_get(o, "claims-registry"), cli_get(o, "claims-deaths"), &err) < 0) {
		fprintf(stderr, "yijian: %s\n", err);
		free(err);
		free(keys);
		store_close(s);
		return 1;
	}
	/* The nightly screening of a drop directory: a job registered before the runner starts. */
	if (cli_get(o, "claims-drop") &&
	    yj_claims_drop_configure(cli_get(o, "claims-drop"), cli_get(o, "spool-dir"), cli_get(o, "claims-drop-region"), &err) < 0) {
		fprintf(stderr, "yijian: %s\n", err);
		free(err);
		free(keys);
		store_close(s);
		return 1;
	}
	/* The read replica, opened after the signals are blocked: its checker thread inherits the mask. */
	store *view = NULL;
	if (cli_get(o, "db-read") && !(view = store_view_open(s, cli_get(o, "db-read"), check_ms, &err))) {
		fprintf(stderr, "yijian: --db-read: %s\n", err);
		free(err);
		free(keys);
		store_close(s);
		return 1;
	}
	yj_doc_warm(); /* the document fonts, off the first issuing transaction */
	size_t ntables;
	const yj_route *const *tables = yj_all_routes(&ntables);
	yj_server *srv = yj_server_new(&cfg, s, tables, ntables, &yj_auth_hooks_default, keys);
	yj_server_set_read_view(srv, view, max_lag);
	yj_modules_set_prefixes(srv, yj_modules, yj_modules_len); /* /fhir/, /open311/: their own errors */
	if (yj_server_start(srv, &err) < 0) {
		fprintf(stderr, "yijian: %s\n", err);
		free(err);
		yj_server_free(srv);
		store_close(view);
		free(keys);
		store_close(s);
		return 1;
	}
	/* Jobs and event delivery; YIJIAN_LEASE_PROBE_MS adds the harmless lease probe (jobs.h). */
	yj_modules_register_jobs(yj_modules, yj_modules_len, 1);
	if (getenv("YIJIAN_LEASE_PROBE_MS"))
		yj_jobs_enable_probe(s, strtoll(getenv("YIJIAN_LEASE_PROBE_MS"), NULL, 10));
	yj_jobs_config jcfg = {.threads = (int)num(o, "job-threads", 0), .lease_ms = 1000LL * num(o, "job-lease", 0)};
	yj_jobs *jobs = yj_jobs_start(s, &jcfg, &err);
	/* Tree heads: signed at start (what a killed process left unsigned), then within the delay. */
	yj_audit_signer *signer = jobs ? yj_audit_signer_start(s, merge_delay, &err) : NULL;
	if (!signer) {
		fprintf(stderr, "yijian: %s\n", err);
		free(err);
		yj_jobs_stop(jobs);
		yj_server_stop(srv);
		yj_server_free(srv);
		store_close(view);
		free(keys);
		store_close(s);
		return 1;
	}
	fprintf(stderr, "yijian %s serving http://%s/ (database: %s%s, console: %s; operator listener: %s)\n", YJ_VERSION,
		cfg.listen, store_engine(s), view ? " with a read replica" : "", cfg.web_dir ? cfg.web_dir : "not built",
		yj_server_operator(srv) ? yj_server_operator(srv) : "none");
	yj_log(YJ_LOG_INFO, "serve.start", "\"listen\":\"%s\",\"engine\":\"%s\"", cfg.listen, store_engine(s));
	int sig = 0;
	sigwait(&set, &sig);
	yj_log(YJ_LOG_INFO, "serve.stop", "\"signal\":%d", sig);
	yj_jobs_stop(jobs); /* running jobs see yj_job_stopping and hand their leases back */
	yj_server_stop(srv);
	yj_audit_signer_stop(signer); /* after the last request: it signs what they appended */
	yj_server_free(srv);
	store_close(view); /* before the primary it reads through */
	store_close(s);
	free(keys);
	return 0;
}
