/*
 * rotate_dh.c - the rotate-dh task: fresh Diffie-Hellman parameters for
 * Postfix, checked before they go anywhere, put in place atomically.
 *
 * Finds the parameter files (smtpd_tls_dh1024_param_file, its tlsproxy
 * twin and master.cf overrides, or the configured `files`), decides which
 * are due (older than `every`, invalid, or weaker than `bits`; all of them
 * when the task is named or forced), generates one set of parameters
 * (tasks/dhgen.c) or takes the RFC 7919 group, and replaces each due file
 * through pfa_ctx_replace().  Reports an obsolete smtpd_tls_dh512_param_file
 * instead of ever writing 512-bit parameters.  Never reloads: the core's
 * gate does that when a file changed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "dhgen.h"
#include "duration.h"
#include "file.h"
#include "log.h"
#include "remedy.h"
#include "signals.h"
#include "task.h"

/* larger than any DH parameter file */
#define DH_FILE_MAX (64 * 1024)

enum dh_mode { MODE_GENERATE, MODE_FFDHE };
static const char *const mode_names[] = { "generate", "ffdhe", NULL };

struct dh_conf {
	int bits;
	int mode;
	bool allow_weak;
	int threads;
	int64_t timeout;
	char **files;		/* NULL: from Postfix's configuration */
};

static const char *const settings[] = {
	"bits", "mode", "files", "allow_weak", "threads", "timeout", NULL,
};

static const struct pfa_finding_doc dh_findings[] = {
	{ "PFA-DH-001", PFA_SEV_INFO, "no DH parameter file is configured; "
	    "nothing to rotate" },
	{ "PFA-DH-002", PFA_SEV_WARNING, "smtpd_tls_dh512_param_file is set "
	    "(ignored since Postfix 3.6); not regenerated" },
	{ "PFA-DH-003", PFA_SEV_WARNING, "a parameter file was not valid DH "
	    "parameters; replaced" },
	{ "PFA-DH-004", PFA_SEV_UNKNOWN, "no parameters could be made; "
	    "nothing was replaced" },
	{ "PFA-DH-005", PFA_SEV_UNKNOWN, "a file could not be examined, or "
	    "is a link or not a regular file; not replaced" },
	{ "PFA-DH-006", PFA_SEV_CRITICAL, "a file could not be replaced; the "
	    "previous version is still in place" },
	{ "PFA-DH-007", PFA_SEV_UNKNOWN, "Postfix's configuration could not "
	    "be read" },
	{ "PFA-DH-008", PFA_SEV_INFO, "allow_weak: parameters below 2048 bits "
	    "are written" },
	{ "PFA-DH-009", PFA_SEV_INFO, "a parameter file had fewer bits than "
	    "configured; replaced" },
	{ "PFA-DH-010", PFA_SEV_CRITICAL, "the new parameters failed their "
	    "check; nothing was replaced" },
	{ NULL, 0, NULL },
};

static const struct pfa_finding_doc *const findings[] = { dh_findings, NULL };

static int
configure(const config_setting_t *s, void **out)
{
	struct dh_conf *c = pfa_xcalloc(1, sizeof(*c));
	long long bits = 2048, threads = 0;
	int rc = 0;
	/* each setting checked on its own, so every error is reported */
	bool bits_ok = pfa_conf_int(s, "bits", 2048, 512, 8192, &bits) == 0;
	bool mode_ok = pfa_conf_enum(s, "mode", mode_names, MODE_GENERATE,
	    &c->mode) == 0;
	bool weak_ok = pfa_conf_bool(s, "allow_weak", false,
	    &c->allow_weak) == 0;
	if (!bits_ok || !mode_ok || !weak_ok)
		rc = -1;
	if (pfa_conf_int(s, "threads", 0, 0, 64, &threads) < 0)
		rc = -1;
	if (pfa_conf_duration(s, "timeout", 3600, 1, 86400, &c->timeout) < 0)
		rc = -1;
	if (pfa_conf_string_list(s, "files", &c->files) < 0)
		rc = -1;
	c->bits = (int)bits;
	c->threads = (int)threads;
	const config_setting_t *b =
	    s ? config_setting_get_member((config_setting_t *)s, "bits") : NULL;
	if (bits_ok && weak_ok && c->bits < 2048 && !c->allow_weak) {
		pfa_conf_error(b, "%d bits is below the 2048-bit minimum; set "
		    "allow_weak = true only for tests", c->bits);
		rc = -1;
	}
	if (bits_ok && mode_ok && c->mode == MODE_FFDHE && c->bits != 2048 &&
	    c->bits != 3072 && c->bits != 4096 && c->bits != 6144 &&
	    c->bits != 8192) {
		pfa_conf_error(b, "mode \"ffdhe\" has groups of 2048, 3072, "
		    "4096, 6144 and 8192 bits, not %d", c->bits);
		rc = -1;
	}
	for (char **f = c->files; f && *f; f++)
		if (**f != '/') {
			pfa_conf_error(config_setting_get_member(
			    (config_setting_t *)s, "files"),
			    "\"%s\" is not an absolute path", *f);
			rc = -1;
		}
	*out = c;
	return rc;
}

static void
free_conf(void *p)
{
	struct dh_conf *c = p;
	if (c == NULL)
		return;
	pfa_conf_free_list(c->files);
	free(c);
}

struct file_list {
	char **v;
	size_t n;
};

static void
add_file(struct file_list *l, const char *path)
{
	if (path == NULL || *path == '\0' || strcmp(path, "auto") == 0)
		return;
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i], path) == 0)
			return;
	l->v = pfa_xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	l->v[l->n++] = pfa_xstrdup(path);
}

static void
free_files(struct file_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
}

/* The files Postfix reads DH parameters from; -1 if postconf failed. */
static int
discover(struct pfa_ctx *ctx, struct pfa_result *res, struct file_list *l)
{
	static const char *const params[] = {
		"smtpd_tls_dh1024_param_file",
		"tlsproxy_tls_dh1024_param_file",
		NULL,
	};
	const struct pfa_cfview *v = pfa_postfix_view(ctx->pf,
	    PFA_VIEW_SERVICES);
	if (v == NULL || pfa_cf_get(v, params[0]) == NULL) {
		pfa_result_add_finding(res, PFA_SEV_UNKNOWN, "PFA-DH-007",
		    pfa_postfix_config_dir(ctx->pf), NULL,
		    "cannot read Postfix's configuration: %s",
		    pfa_postfix_error(ctx->pf) ?
		    pfa_postfix_error(ctx->pf) : "postconf failed");
		return -1;
	}
	for (size_t i = 0; params[i]; i++) {
		add_file(l, pfa_cf_get(v, params[i]));
		for (size_t k = 0; k < v->nsvcs; k++)
			add_file(l, pfa_cfsvc_opt(&v->svcs[k], params[i]));
	}
	return 0;
}

static void
report_dh512(struct pfa_ctx *ctx, struct pfa_result *res)
{
	const char *v = pfa_postfix_param(ctx->pf, "smtpd_tls_dh512_param_file");
	if (v == NULL || *v == '\0')
		return;
	char *remedy = pfa_remedy(pfa_postfix_config_dir(ctx->pf),
	    "postconf -X smtpd_tls_dh512_param_file");
	pfa_result_add_finding(res, PFA_SEV_WARNING, "PFA-DH-002",
	    "smtpd_tls_dh512_param_file", remedy,
	    "smtpd_tls_dh512_param_file = %s is obsolete: Postfix 3.6 and "
	    "later ignore it (export-grade DH is gone); it is not "
	    "regenerated; remove the setting and the file", v);
	free(remedy);
}

/*
 * Is PATH due?  Sets *why.  -1: it cannot be replaced (finding added).
 */
static int
is_due(struct pfa_ctx *ctx, struct pfa_result *res, const struct dh_conf *c,
    const char *path, const char **why)
{
	struct stat st;
	if (lstat(path, &st) < 0) {
		if (errno != ENOENT) {
			pfa_result_add_finding(res, PFA_SEV_UNKNOWN,
			    "PFA-DH-005", path, NULL, "cannot examine the "
			    "file: %s", strerror(errno));
			return -1;
		}
		char *dir = pfa_xstrdup(path);
		char *slash = strrchr(dir, '/');
		*slash = '\0';
		struct stat ds;
		int ok = stat(*dir ? dir : "/", &ds) == 0 &&
		    S_ISDIR(ds.st_mode);
		free(dir);
		if (!ok) {
			pfa_result_add_finding(res, PFA_SEV_UNKNOWN,
			    "PFA-DH-005", path, NULL, "the file's directory "
			    "does not exist");
			return -1;
		}
		*why = "missing";
		return 1;
	}
	if (!S_ISREG(st.st_mode)) {
		pfa_result_add_finding(res, PFA_SEV_UNKNOWN, "PFA-DH-005", path,
		    "replace the link with a regular file, or point Postfix "
		    "at the link's target",
		    "not replaced: it is a %s, and pfagent never writes "
		    "through links or into special files",
		    S_ISLNK(st.st_mode) ? "symbolic link" : "non-regular file");
		return -1;
	}
	char *buf = NULL, err[256] = "";
	size_t len = 0;
	int bits = 0;
	if (pfa_file_read(path, DH_FILE_MAX, 0, &buf, &len, NULL) < 0 ||
	    pfa_dh_check_pem(buf, len, &bits, err, sizeof(err)) < 0) {
		pfa_result_add_finding(res, PFA_SEV_WARNING, "PFA-DH-003", path,
		    NULL, "the current file is not valid DH parameters (%s): "
		    "Postfix silently falls back to its compiled-in group; "
		    "replacing it", *err ? err : pfa_file_strerror(errno));
		free(buf);
		*why = "invalid";
		return 1;
	}
	free(buf);
	if (bits < c->bits) {
		/* a deliberate size increase: replacing it is the remedy */
		pfa_result_add_finding(res, PFA_SEV_INFO, "PFA-DH-009", path,
		    NULL, "the current parameters have %d bits, fewer than "
		    "the configured %d; replacing them", bits, c->bits);
		*why = "weak";
		return 1;
	}
	if (ctx->named || ctx->forced) {
		*why = ctx->forced ? "forced" : "requested";
		return 1;
	}
	time_t age = time(NULL) - st.st_mtime;
	if (age >= ctx->every - pfa_due_slack(ctx->every)) {
		*why = "old";
		return 1;
	}
	*why = "fresh";
	return 0;
}

static void
progress(void *arg, unsigned long tested, double elapsed)
{
	const struct dh_conf *c = arg;
	fprintf(stderr, "\rpfagent: rotate-dh: generating %d-bit DH "
	    "parameters: %lu candidates tested, %.0f s ", c->bits, tested,
	    elapsed);
	fflush(stderr);
}

static double
seconds_since(const struct timespec *t0)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) +
	    (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static int
make_params(struct pfa_ctx *ctx, struct pfa_result *res,
    const struct dh_conf *c, char **pem, size_t *len)
{
	char err[512] = "";
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int rc;
	if (c->mode == MODE_FFDHE) {
		rc = pfa_dh_ffdhe(c->bits, pem, len, err, sizeof(err));
	} else {
		struct pfa_dh_opts o = {
			.bits = c->bits,
			.threads = c->threads,
			.progress = ctx->progress ? progress : NULL,
			.progress_arg = (void *)c,
			.timeout = (double)c->timeout,
			.stop = pfa_stop_requested,
		};
		rc = pfa_dh_generate(&o, pem, len, err, sizeof(err));
		if (ctx->progress)
			fputc('\n', stderr);
	}
	double secs = seconds_since(&t0);
	if (rc < 0) {
		pfa_result_add_finding(res, PFA_SEV_UNKNOWN, "PFA-DH-004",
		    "rotate-dh", NULL, "could not make %d-bit DH parameters: "
		    "%s; nothing was replaced", c->bits, err);
		return -1;
	}
	int bits = 0;
	if (pfa_dh_check_pem(*pem, *len, &bits, err, sizeof(err)) < 0 ||
	    bits != c->bits) {
		pfa_result_add_finding(res, PFA_SEV_CRITICAL, "PFA-DH-010",
		    "rotate-dh", NULL, "the new parameters failed their check "
		    "(%s); nothing was replaced", *err ? err : "wrong size");
		free(*pem);
		*pem = NULL;
		return -1;
	}
	pfa_result_add_metric(res, "generation_seconds", secs, "s");
	pfa_result_add_metric(res, "bits", c->bits, "");
	pfa_log(LOG_INFO, "task=%s event=generated bits=%d mode=%s "
	    "seconds=%.2f", ctx->task, c->bits, mode_names[c->mode], secs);
	return 0;
}

static void
run(struct pfa_ctx *ctx, struct pfa_result *res)
{
	const struct dh_conf *c = ctx->conf;
	struct file_list files = { NULL, 0 };
	report_dh512(ctx, res);
	if (c->files != NULL) {
		for (char **f = c->files; *f; f++)
			add_file(&files, *f);
	} else if (discover(ctx, res, &files) < 0) {
		pfa_result_set_summary(res, "cannot read Postfix's "
		    "configuration");
		return;
	}
	if (files.n == 0) {
		pfa_result_add_finding(res, PFA_SEV_INFO, "PFA-DH-001",
		    "smtpd_tls_dh1024_param_file", NULL, "no DH parameter file "
		    "is configured: Postfix >= 3.7 with OpenSSL 3 lets OpenSSL "
		    "choose the group, which is the recommended setup; nothing "
		    "to rotate");
		pfa_result_set_summary(res, "no DH parameter file configured");
		free_files(&files);
		return;
	}
	if (c->bits < 2048)
		pfa_result_add_finding(res, PFA_SEV_INFO, "PFA-DH-008",
		    "tasks.rotate-dh.bits", NULL, "allow_weak is set: writing "
		    "%d-bit parameters, below the 2048-bit minimum", c->bits);

	struct file_list due = { NULL, 0 };
	size_t fresh = 0;
	for (size_t i = 0; i < files.n; i++) {
		const char *why = NULL;
		int d = is_due(ctx, res, c, files.v[i], &why);
		if (d > 0)
			add_file(&due, files.v[i]);
		else if (d == 0)
			fresh++;
		char q[1024];
		pfa_log(LOG_INFO, "task=%s event=%s file=%s reason=%s",
		    ctx->task, d > 0 ? "due" : "not-due",
		    pfa_log_quote(q, sizeof(q), files.v[i]), why ? why : "error");
	}
	char *pem = NULL;
	size_t len = 0, replaced = 0;
	/* a dry run generates nothing; an RFC 7919 group costs nothing, so
	 * it is compared to say exactly what would change */
	bool make = !ctx->dry_run || c->mode == MODE_FFDHE;
	if (due.n > 0 && (!make || make_params(ctx, res, c, &pem, &len) == 0)) {
		for (size_t i = 0; i < due.n; i++)
			if (pfa_ctx_replace(ctx, res, due.v[i], pem, len,
			    "PFA-DH-006") > 0)
				replaced++;
	}
	if (replaced > 0)
		pfa_result_set_summary(res, "%s %zu file%s with %s %d-bit "
		    "parameters", ctx->dry_run ? "would replace" : "replaced",
		    replaced, replaced == 1 ? "" : "s",
		    c->mode == MODE_FFDHE ? "RFC 7919" : "fresh", c->bits);
	else if (due.n == 0)
		pfa_result_set_summary(res, "%zu file%s younger than the "
		    "interval, nothing to do", fresh, fresh == 1 ? "" : "s");
	else if (res->status == PFA_OK)
		pfa_result_set_summary(res, "already up to date");
	else
		pfa_result_set_summary(res, "nothing replaced");
	free(pem);
	free_files(&due);
	free_files(&files);
}

const struct pfa_task task_rotate_dh = {
	.name = "rotate-dh",
	.summary = "replace Postfix's Diffie-Hellman parameter files with "
	    "fresh, checked ones",
	.help =
	    "Generates Diffie-Hellman parameters (a safe prime, generator 2, "
	    "searched on every core) or, with mode = \"ffdhe\", takes the "
	    "RFC 7919 group of the configured size; checks them; and replaces "
	    "each parameter file atomically, keeping the previous version "
	    "as FILE.pfagent-prev for rollback.  The files are those named by "
	    "smtpd_tls_dh1024_param_file (and tlsproxy_tls_dh1024_param_file "
	    "and master.cf -o overrides) unless `files` lists them.  A file "
	    "is replaced when it is older than `every`, invalid, or weaker "
	    "than `bits`; `pfagent run rotate-dh` replaces it now.  A "
	    "configured smtpd_tls_dh512_param_file is reported as obsolete, "
	    "never regenerated.  The reload gate reloads Postfix once "
	    "afterwards.\n"
	    "Settings (tasks.rotate-dh): enabled (true), every (\"7d\"), "
	    "bits (2048; 512..8192, below 2048 only with allow_weak), "
	    "mode (\"generate\" or \"ffdhe\"), files (list of absolute "
	    "paths), allow_weak (false), threads (0 = every core), "
	    "timeout (\"1h\").",
	.default_every = 7 * 86400,
	.settings = settings,
	.findings = findings,
	.configure = configure,
	.free_conf = free_conf,
	.run = run,
};
