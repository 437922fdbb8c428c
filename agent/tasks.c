/*
 * tasks.c - the task registry (one table), the reload gate's validators
 * (one table) and the file-replacing service tasks use.  Adding a task is
 * one line here plus its file in tasks/.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic.h"
#include "file.h"
#include "loadcheck.h"
#include "log.h"
#include "task.h"

extern const struct pfa_task task_validate_config;
extern const struct pfa_task task_rotate_dh;
extern const struct pfa_task task_rebuild_maps;

const struct pfa_task *const pfa_tasks[] = {
	&task_validate_config,
	&task_rotate_dh,
	&task_rebuild_maps,
	NULL,
};

/* What the reload gate runs before every reload (gate.h). */
const pfa_gate_validator pfa_gate_validators[] = {
	pfa_loadcheck_gate,
	NULL,
};

size_t
pfa_task_count(void)
{
	size_t n = 0;
	while (pfa_tasks[n] != NULL)
		n++;
	return n;
}

int
pfa_task_index(const char *name)
{
	if (name == NULL)
		return -1;
	for (size_t i = 0; pfa_tasks[i]; i++)
		if (strcmp(pfa_tasks[i]->name, name) == 0)
			return (int)i;
	return -1;
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
