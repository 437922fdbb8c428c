/*
 * task.h - the one seam every task plugs into.
 *
 * A task is a descriptor: name, summary, help text, default interval, the
 * finding ids it can report, a configure() that reads and checks its own
 * config section (reporting errors with file:line through pfa_conf_*),
 * and a run() that fills a result.  A task never reloads Postfix, never
 * writes the state file, never decides the exit code and never exits:
 * the core does all of that.  It reads Postfix through the Postfix module
 * (postfix/postfix.h) and puts every file on disk through the context
 * services below, which decide what a dry run does in one place.  The
 * gate's baseline (Postfix's own warnings before anything changed) is
 * taken by pfa_ctx_replace() just before the first file Postfix reads is
 * replaced, so a run that changes nothing, or only indexed tables, never
 * pays for `postfix check`.
 */
#ifndef PFA_TASK_H
#define PFA_TASK_H

#include <json-c/json.h>
#include <libconfig.h>
#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#include "config.h"
#include "postfix.h"
#include "result.h"

struct pfa_gate;	/* the core's; opaque to tasks */

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
	json_object *data;		/* task-private state, persisted (NULL
					 * for a task command) */
	struct pfa_gate *gate;		/* the core's; NULL in a dry run */
	bool json;			/* --json (for a task command) */
};

/*
 * An explicit command a task offers besides its run (check-queue's
 * `pfagent queue purge ...`): never run by cron or `pfagent run`, only
 * when a person types it.  RUN gets a context (the task's settings, the
 * Postfix module, -n as dry_run, --json) and the command's own arguments
 * (ARGV[0] is NAME); it prints what it did and returns the exit code
 * (0..3).  It changes Postfix only through Postfix's own commands, run
 * by the Postfix module, and logs what it did.
 */
struct pfa_task_command {
	const char *name;		/* "queue" */
	const char *usage;		/* one line, for --help */
	int (*run)(struct pfa_ctx *ctx, int argc, char **argv);
};

struct pfa_task {
	const char *name;
	const char *summary;		/* one line */
	const char *help;		/* what it does, which settings it reads */
	int64_t default_every;		/* seconds */
	const char *const *settings;	/* keys of its section, NULL-ended */
	/* the ids it reports: tables ending in { NULL }, NULL-ended */
	const struct pfa_finding_doc *const *findings;
	const struct pfa_task_command *command;	/* or NULL */
	/* 0, or -1 after reporting errors.  SECTION may be NULL. */
	int (*configure)(const config_setting_t *section, void **conf);
	void (*free_conf)(void *conf);
	void (*run)(struct pfa_ctx *ctx, struct pfa_result *res);
};

/* The registry: one table, NULL-terminated, in run order (registry.c). */
extern const struct pfa_task *const pfa_tasks[];
size_t pfa_task_count(void);
int pfa_task_index(const char *name);	/* -1 if unknown */
/* The task offering command NAME, or NULL. */
const struct pfa_task *pfa_task_command(const char *name);

/* The core's own finding tables (the reload gate, the health check),
 * NULL-ended. */
extern const struct pfa_finding_doc *const pfa_core_findings[];
/* The declaration of ID by any task or the core, or NULL. */
const struct pfa_finding_doc *pfa_finding_lookup(const char *id);
/* The declaration of ID among T's findings, or NULL. */
const struct pfa_finding_doc *pfa_task_finding(const struct pfa_task *t,
    const char *id);

/* The context of task I of the registry, as the core starts it: its
 * name, settings and interval, the configuration and Postfix (the rest
 * zero, for the caller to set). */
struct pfa_ctx pfa_ctx_for(size_t i, const struct pfa_config *cfg,
    struct pfa_postfix *pf);

/* ---------------------------------------------------------- services */

/*
 * Replaces PATH, a file Postfix reads, with DATA through the atomic
 * writer, keeping the previous version for the gate's rollback, recording
 * the change in RES (a reload is needed) and logging the event.  In a dry
 * run it writes nothing and logs what would be replaced (DATA may then be
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

/*
 * Puts TMP, a complete file the task built in PATH's directory (a lookup
 * table's database after postmap), in place of PATH: no previous version
 * is kept (Postfix's daemons notice a replaced table only by the old
 * file's link count), the change is recorded in RES (no reload needed).
 * In a dry run nothing is touched (TMP should be NULL: nothing was built)
 * and the change is recorded as one that would be made.  1 installed,
 * 0 dry run, -1 failed (logged; TMP removed, PATH untouched).
 */
int pfa_ctx_install(struct pfa_ctx *ctx, struct pfa_result *res,
    const char *tmp, const char *path);

/*
 * Writes PATH, one of the task's own files in the state directory (drift
 * snapshots), atomically with mode 0600 and no kept version.  In a dry
 * run nothing is written.  1 written, 0 identical or dry run, -1 failed
 * (logged).
 */
int pfa_ctx_write_private(struct pfa_ctx *ctx, const char *path,
    const void *data, size_t len);

/* "pfagent [-c CONF] FMT..." for a remedy that runs pfagent again with
 * this run's configuration file.  Caller frees. */
char *pfa_ctx_remedy_pfagent(const struct pfa_ctx *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
