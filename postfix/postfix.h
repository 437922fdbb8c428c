/*
 * postfix.h - the only module that knows Postfix's commands and paths.
 *
 * Every command runs through the exec service as
 * COMMAND_DIRECTORY/<cmd> -c CONFIG_DIRECTORY ..., so a non-default
 * instance works exactly like the default one.  `postconf -x` (all
 * parameters, expanded) and `postconf -P` are run at most once per run and
 * cached.  Failures are logged here once.
 */
#ifndef PFA_POSTFIX_H
#define PFA_POSTFIX_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "exec.h"

struct pfa_postfix;

/* A master.cf per-service override (postconf -P): service/type/param. */
struct pfa_svc_param {
	char *service;
	char *type;
	char *value;
};

struct pfa_postfix *pfa_postfix_new(const char *config_dir,
    const char *command_dir);
void pfa_postfix_free(struct pfa_postfix *pf);
const char *pfa_postfix_config_dir(const struct pfa_postfix *pf);

/*
 * Runs COMMAND_DIR/CMD -c CONFIG_DIR ARGS... (ARGS NULL-terminated).
 * Same return convention as pfa_exec.
 */
int pfa_postfix_run(struct pfa_postfix *pf, const char *cmd,
    const char *const args[], const struct pfa_exec_opts *opts,
    struct pfa_exec_result *res);

/*
 * The expanded value of parameter NAME (postconf -x, cached); NULL if
 * postconf failed or the parameter is unknown.  "" for an empty value.
 */
const char *pfa_postfix_param(struct pfa_postfix *pf, const char *name);
/* Why the last postconf failed, or NULL. */
const char *pfa_postfix_error(const struct pfa_postfix *pf);
/* Drops the cache (after the gate restored files). */
void pfa_postfix_invalidate(struct pfa_postfix *pf);

/*
 * Every master.cf override of parameter NAME (postconf -P, cached),
 * NULL-terminated array owned by PF; NULL on failure.
 */
const struct pfa_svc_param *const *pfa_postfix_service_params(
    struct pfa_postfix *pf, const char *name);

/*
 * Calls FN for every parameter of main.cf and the defaults, expanded
 * (postconf -x, cached).  0, or -1 if postconf failed (pfa_postfix_error).
 */
int pfa_postfix_each_param(struct pfa_postfix *pf,
    void (*fn)(void *arg, const char *name, const char *value), void *arg);
/*
 * Calls FN for every master.cf -o override (postconf -P, cached).  0 or -1.
 */
int pfa_postfix_each_service_param(struct pfa_postfix *pf,
    void (*fn)(void *arg, const char *service, const char *type,
    const char *name, const char *value), void *arg);

/*
 * Runs `postconf ARG` (not cached: "-n", "-dx", ...) and calls FN for
 * every "name = value" line.  0, or -1 if postconf failed
 * (pfa_postfix_error).
 */
int pfa_postfix_each_postconf(struct pfa_postfix *pf, const char *arg,
    void (*fn)(void *arg, const char *name, const char *value), void *fnarg);

/* Services in master.cf: `postconf -F` fields, cached. */
struct pfa_service {
	char *name;		/* "smtp", "127.0.0.1:2525", "[::1]:smtp" */
	char *type;		/* "inet", "unix", ... */
	char *command;		/* "smtpd -o smtpd_tls_wrappermode=yes" */
};
const struct pfa_service *const *pfa_postfix_services(struct pfa_postfix *pf);

/* 1 running, 0 not running, -1 could not tell (logged). */
int pfa_postfix_running(struct pfa_postfix *pf);
/*
 * When the running master process started (queue_directory/pid/master.pid,
 * checked against /proc), or 0 if it is not running or cannot be told.
 */
time_t pfa_postfix_master_started(struct pfa_postfix *pf);
/* 0 reloaded; -1 failed (*why set, free it). */
int pfa_postfix_reload(struct pfa_postfix *pf, char **why);

/* The outcome of Postfix's own checks. */
struct pfa_postfix_check {
	bool ok;		/* postfix check exited 0 */
	char *check_output;	/* what postfix check printed (on a pty) */
	char **warnings;	/* postconf -n warnings, NULL-terminated */
	size_t nwarnings;
};
/* 0 when the checks could be run (see out->ok), -1 otherwise (logged). */
int pfa_postfix_check(struct pfa_postfix *pf, struct pfa_postfix_check *out);
void pfa_postfix_check_free(struct pfa_postfix_check *c);

/*
 * Postfix's log file: maillog_file if set, else FALLBACK (the configured
 * postfix.log_file).  Never NULL.
 */
const char *pfa_postfix_log_file(struct pfa_postfix *pf, const char *fallback);

#endif
