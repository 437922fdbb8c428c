/*
 * task.h - the one seam every task plugs into.
 *
 * A task is a descriptor: name, summary, help text, default interval, a
 * configure() that reads and checks its own config section (reporting
 * errors with file:line through pfa_conf_*), and a run() that fills a
 * result.  A task never reloads Postfix, never writes the state file, never
 * decides the exit code and never exits: the core does all of that.  It
 * replaces files only through pfa_ctx_replace() and runs Postfix commands
 * only through the Postfix module.  The gate's baseline (Postfix's own
 * warnings before anything changed) is taken by pfa_ctx_replace() just
 * before the first file Postfix reads is replaced, so a run that changes
 * nothing, or only indexed tables, never pays for `postfix check`.
 */
#ifndef PFA_TASK_H
#define PFA_TASK_H

#include <json-c/json.h>
#include <libconfig.h>
#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#include "config.h"
#include "gate.h"
#include "postfix.h"
#include "result.h"

struct pfa_ctx {
	const char *task;		/* the running task's name */
	const struct pfa_config *cfg;
	struct pfa_postfix *pf;		/* Postfix's view and commands */
	void *conf;			/* the task's parsed settings */
	int64_t every;			/* the task's interval, seconds */
	bool dry_run;			/* -n: change nothing */
	bool named;			/* named on the command line */
	bool forced;			/* --force */
	bool progress;			/* stderr is a terminal: progress ok */
	json_object *data;		/* task-private state, persisted */
	struct pfa_gate *gate;		/* takes its baseline before the first
					 * file Postfix reads is replaced */
};

struct pfa_task {
	const char *name;
	const char *summary;		/* one line */
	const char *help;		/* what it does, which settings it reads */
	int64_t default_every;		/* seconds */
	const char *const *settings;	/* keys of its section, NULL-ended */
	/* 0, or -1 after reporting errors.  SECTION may be NULL. */
	int (*configure)(const config_setting_t *section, void **conf);
	void (*free_conf)(void *conf);
	void (*run)(struct pfa_ctx *ctx, struct pfa_result *res);
};

/* The registry: one table, NULL-terminated (agent/tasks.c). */
extern const struct pfa_task *const pfa_tasks[];
size_t pfa_task_count(void);
int pfa_task_index(const char *name);	/* -1 if unknown */

/*
 * Replaces PATH with DATA through the atomic writer, keeping the previous
 * version, recording the change in RES and logging the event.  In dry-run
 * mode it writes nothing and logs what would be replaced (DATA may then be
 * NULL; if it is not, identical content is reported as unchanged).
 * 1 replaced (or would be), 0 content identical, -1 failed (a finding with
 * ID is added to RES).
 */
int pfa_ctx_replace(struct pfa_ctx *ctx, struct pfa_result *res,
    const char *path, const void *data, size_t len, const char *id);
/* The same for a file Postfix itself never reads (the source text of an
 * indexed lookup table): the change asks for no reload. */
int pfa_ctx_replace_noreload(struct pfa_ctx *ctx, struct pfa_result *res,
    const char *path, const void *data, size_t len, const char *id);

#endif
