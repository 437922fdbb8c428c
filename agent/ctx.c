/*
 * ctx.c - the services a task uses to put files on disk (task.h): files
 * Postfix reads, source texts, databases built aside, the task's own
 * files in the state directory.  The one place that decides what a dry
 * run does: it writes nothing and says what would change.  Every write
 * goes through the atomic writer; every change is recorded in the task's
 * result for the gate.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic.h"
#include "file.h"
#include "gate.h"
#include "log.h"
#include "remedy.h"
#include "task.h"

struct pfa_ctx
pfa_ctx_for(size_t i, const struct pfa_config *cfg, struct pfa_postfix *pf)
{
	return (struct pfa_ctx){
		.task = pfa_tasks[i]->name,
		.cfg = cfg,
		.pf = pf,
		.conf = cfg->tasks[i].data,
		.every = cfg->tasks[i].every,
	};
}

static int
replace(struct pfa_ctx *ctx, struct pfa_result *res, const char *path,
    const void *data, size_t len, const char *id, bool reload)
{
	if (ctx->dry_run) {
		char q[1024];
		if (data != NULL && pfa_file_same(path, data, len)) {
			pfa_log(LOG_INFO, "task=%s event=unchanged file=%s",
			    ctx->task, pfa_log_quote(q, sizeof(q), path));
			return 0;
		}
		pfa_log(LOG_NOTICE, "task=%s event=would-replace file=%s",
		    ctx->task, pfa_log_quote(q, sizeof(q), path));
		if (reload)
			pfa_result_add_change(res, path, NULL);
		else
			pfa_result_add_change_noreload(res, path, NULL);
		return 1;
	}
	if (reload && ctx->gate != NULL && !ctx->gate->baseline_tried)
		pfa_gate_baseline(ctx->gate, ctx->pf);
	struct pfa_atomic_opts o = { .new_mode = 0644, .keep = true };
	char *kept = NULL;
	int rc = pfa_atomic_write(path, data, len, &o, &kept);
	if (rc < 0) {
		pfa_result_add_finding(res, PFA_SEV_CRITICAL, id, path, NULL,
		    "could not replace the file; the previous version is "
		    "still in place (see syslog for the failed step)");
		return -1;
	}
	char q[1024], qk[1024];
	if (rc == 0) {
		pfa_log(LOG_INFO, "task=%s event=unchanged file=%s", ctx->task,
		    pfa_log_quote(q, sizeof(q), path));
		return 0;
	}
	pfa_log(LOG_NOTICE, "task=%s event=replaced file=%s kept=%s",
	    ctx->task, pfa_log_quote(q, sizeof(q), path),
	    pfa_log_quote(qk, sizeof(qk), kept ? kept : "none"));
	if (reload)
		pfa_result_add_change(res, path, kept);
	else
		pfa_result_add_change_noreload(res, path, kept);
	free(kept);
	return 1;
}

int
pfa_ctx_replace(struct pfa_ctx *ctx, struct pfa_result *res, const char *path,
    const void *data, size_t len, const char *id)
{
	return replace(ctx, res, path, data, len, id, true);
}

int
pfa_ctx_replace_noreload(struct pfa_ctx *ctx, struct pfa_result *res,
    const char *path, const void *data, size_t len, const char *id)
{
	return replace(ctx, res, path, data, len, id, false);
}

int
pfa_ctx_install(struct pfa_ctx *ctx, struct pfa_result *res, const char *tmp,
    const char *path)
{
	if (ctx->dry_run) {
		if (tmp != NULL)
			(void)unlink(tmp);
		pfa_result_add_change_noreload(res, path, NULL);
		return 0;
	}
	char *kept = NULL;
	if (pfa_atomic_install(tmp, path, false, &kept) < 0)
		return -1;
	pfa_result_add_change_noreload(res, path, kept);
	free(kept);
	return 1;
}

int
pfa_ctx_write_private(struct pfa_ctx *ctx, const char *path,
    const void *data, size_t len)
{
	if (ctx->dry_run)
		return 0;
	struct pfa_atomic_opts o = { .new_mode = 0600, .keep = false };
	char *kept = NULL;
	int rc = pfa_atomic_write(path, data, len, &o, &kept);
	free(kept);
	return rc;
}

char *
pfa_ctx_remedy_pfagent(const struct pfa_ctx *ctx, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *rest = pfa_xvasprintf(fmt, ap);
	va_end(ap);
	const char *conf = ctx->cfg ? ctx->cfg->path : NULL;
	char *out;
	if (conf != NULL && strcmp(conf, PFA_DEFAULT_CONFIG) != 0) {
		char *q = pfa_shquote(conf);
		out = pfa_xasprintf("pfagent -c %s %s", q, rest);
		free(q);
	} else {
		out = pfa_xasprintf("pfagent %s", rest);
	}
	free(rest);
	return out;
}
