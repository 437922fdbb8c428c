/*
 * run.c - `pfagent run`: the run sequence.
 *
 * state directory -> lock -> state -> plan (which tasks run) -> run each
 * -> reload gate -> record (what each task's state becomes) -> save state
 * -> report -> exit code.  The decisions (plan_tasks, stays_due,
 * reload_refused, exit_code) are pure functions of what was configured,
 * recorded and returned; the effects are the steps of pfa_cmd_run, read
 * top to bottom.  Tasks return results; this file and the gate act on
 * them.  Nothing here exits: the exit code is returned to main.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "duration.h"
#include "gate.h"
#include "lock.h"
#include "log.h"
#include "report.h"
#include "run.h"
#include "state.h"
#include "task.h"

const struct pfa_finding_doc pfa_run_findings[] = {
	{ "PFA-RUN-001", PFA_SEV_WARNING, "pfagent is started less often than "
	    "a task's interval: install an hourly trigger" },
	{ NULL, 0, NULL },
};

/* ------------------------------------------------------------ decisions */

/*
 * How long cron (or the timer) takes between starts of `pfagent run`:
 * the shorter of the last two gaps, this start included; 0 while fewer
 * than two earlier starts are known.
 */
static int64_t
start_gap(struct pfa_state *st, time_t now)
{
	time_t t[PFA_STATE_RUNS];
	size_t n = pfa_state_runs(st, t);
	if (n < 2)
		return 0;
	int64_t a = (int64_t)(now - t[0]), b = (int64_t)(t[0] - t[1]);
	return a < b ? a : b;
}

/*
 * PFA-RUN-001 when pfagent starts much less often than the shortest
 * interval of the tasks it runs: a task due every hour on a weekly
 * cron job waits a week, whatever `pfagent list` says.
 */
static void
check_schedule(const struct pfa_config *cfg, int64_t gap,
    struct pfa_result *core)
{
	size_t k = SIZE_MAX;
	for (size_t i = 0; pfa_tasks[i]; i++)
		if (cfg->tasks[i].enabled && (k == SIZE_MAX ||
		    cfg->tasks[i].every < cfg->tasks[k].every))
			k = i;
	if (k == SIZE_MAX || gap <= 0 || gap < 4 * cfg->tasks[k].every ||
	    gap < 2 * 3600)
		return;
	char g[32], e[32];
	pfa_duration_format(gap, g, sizeof(g));
	pfa_duration_format(cfg->tasks[k].every, e, sizeof(e));
	pfa_result_add_finding(core, PFA_SEV_WARNING, "PFA-RUN-001",
	    pfa_tasks[k]->name, "install -m 0644 cron/pfagent.cron.d "
	    "/etc/cron.d/pfagent (or: systemctl enable --now pfagent.timer)",
	    "pfagent is started about every %s, but %s is due every %s: it "
	    "waits for the next start; start pfagent every hour (the shipped "
	    "cron.d file and systemd timer do) or set tasks.%s.every", g,
	    pfa_tasks[k]->name, e, pfa_tasks[k]->name);
}

static bool
task_is_due(struct pfa_state *st, const char *name, time_t now,
    int64_t every)
{
	time_t next = pfa_state_next_due(st, name);
	return pfa_state_last_run(st, name) == 0 ||
	    next <= now + pfa_due_slack(every);
}

/*
 * Which tasks run: the named ones (SELECTED), else every enabled task
 * that is due (or all enabled ones with --force).  RT[i].skipped says
 * why a task does not run; RUN[i] is set for those that do.
 */
static void
plan_tasks(const struct pfa_config *cfg, const struct pfa_run_opts *o,
    struct pfa_state *st, time_t now, const bool *named, size_t nnamed,
    bool *run, struct pfa_report_task *rt)
{
	for (size_t i = 0; pfa_tasks[i]; i++) {
		const struct pfa_task *t = pfa_tasks[i];
		rt[i].name = t->name;
		run[i] = false;
		if (nnamed > 0 && !named[i])
			rt[i].skipped = "not selected";
		else if (nnamed == 0 && !cfg->tasks[i].enabled)
			rt[i].skipped = "disabled";
		else if (nnamed == 0 && !o->force &&
		    !task_is_due(st, t->name, now, cfg->tasks[i].every))
			rt[i].skipped = "not due";
		else
			run[i] = true;
	}
}

/* A reload RES asked for was refused: it forgets what it saw this run,
 * so that it asks again next time. */
static bool
reload_refused(const struct pfa_result *res, const struct pfa_gate_outcome *go)
{
	return res->reload_wanted && go->needed &&
	    (!go->validated || go->rolled_back);
}

/* A task that could not work, whose change was rolled back, or whose
 * reload request was refused stays due. */
static bool
stays_due(const struct pfa_result *res, const struct pfa_gate_outcome *go)
{
	bool restored = false;
	for (size_t j = 0; j < res->nchanges; j++)
		restored = restored ||
		    (go->rolled_back && res->changes[j].reload);
	return res->status == PFA_UNKNOWN || restored ||
	    reload_refused(res, go);
}

static int
fail_code(const struct pfa_run_opts *o)
{
	return o->exit_changed ? 1 : PFA_UNKNOWN;
}

static int
exit_code(const struct pfa_run_opts *o, struct pfa_result *const res[],
    size_t n, const struct pfa_gate_outcome *g)
{
	enum pfa_status worst = g->res.status;
	size_t changed = 0;
	for (size_t i = 0; i < n; i++)
		if (res[i] != NULL) {
			worst = pfa_status_worst(worst, res[i]->status);
			changed += res[i]->nchanges;
		}
	if (!o->exit_changed)
		return (int)worst;
	if (worst == PFA_CRITICAL || worst == PFA_UNKNOWN || g->rolled_back)
		return 1;
	return changed > 0 ? 0 : 2;
}

/* -------------------------------------------------------------- effects */

/* 0 ready, 1 absent in a dry run (nothing to read), -1 unusable (said). */
static int
prepare_statedir(const char *dir, bool create)
{
	struct stat sb;
	if (stat(dir, &sb) < 0) {
		if (errno != ENOENT || !create) {
			if (errno == ENOENT)
				return 1;	/* dry run: nothing to read */
			fprintf(stderr, "pfagent: state directory %s: %s\n",
			    dir, strerror(errno));
			return -1;
		}
		if (mkdir(dir, 0700) < 0) {
			fprintf(stderr, "pfagent: cannot create state "
			    "directory %s: %s\n", dir, strerror(errno));
			pfa_log_errno(LOG_ERR, "event=mkdir-failed path=%s",
			    dir);
			return -1;
		}
		pfa_log(LOG_NOTICE, "event=created path=%s", dir);
	} else if (!S_ISDIR(sb.st_mode)) {
		fprintf(stderr, "pfagent: state directory %s is not a "
		    "directory\n", dir);
		return -1;
	}
	return pfa_conf_check_owner(dir, "state directory") < 0 ? -1 : 0;
}

/* 0 and *FD, or -1 after saying who holds the lock. */
static int
take_lock(const char *dir, int *fd)
{
	pid_t holder = 0;
	int l = pfa_lock_acquire(dir, fd, &holder);
	if (l == 0)
		return 0;
	if (l > 0 && holder > 0)
		fprintf(stderr, "pfagent: another pfagent run (PID %ld) holds "
		    "%s/lock; nothing done\n", (long)holder, dir);
	else if (l > 0)
		fprintf(stderr, "pfagent: another pfagent run holds %s/lock; "
		    "nothing done\n", dir);
	if (l > 0)
		pfa_log(LOG_WARNING, "event=lock-held pid=%ld action=exit",
		    (long)holder);
	return -1;
}

/* Runs task I; returns its result.  *SAVED is its state data before the
 * run, kept in case the gate refuses a reload it asks for. */
static struct pfa_result *
run_task(size_t i, const struct pfa_config *cfg, const struct pfa_run_opts *o,
    bool named, struct pfa_state *st, struct pfa_postfix *pf,
    struct pfa_gate *gate, json_object **saved)
{
	const struct pfa_task *t = pfa_tasks[i];
	struct pfa_ctx ctx = pfa_ctx_for(i, cfg, pf);
	ctx.dry_run = o->dry_run;
	ctx.named = named;
	ctx.forced = o->force;
	ctx.progress = isatty(STDERR_FILENO) && !o->quiet;
	ctx.data = pfa_state_data(st, t->name);
	ctx.gate = o->dry_run ? NULL : gate;
	if (json_object_deep_copy(ctx.data, saved, NULL) != 0)
		*saved = NULL;
	struct pfa_result *res = pfa_xmalloc(sizeof(*res));
	pfa_result_init(res);
	res->ignore = cfg->tasks[i].ignore;
	pfa_log(LOG_INFO, "task=%s event=start%s", t->name,
	    o->dry_run ? " dry_run=yes" : "");
	t->run(&ctx, res);
	return res;
}

/* Logs what task I found and did, and records it in the state. */
static void
record_task(size_t i, const struct pfa_config *cfg, const struct pfa_run_opts *o,
    struct pfa_state *st, time_t now, const struct pfa_result *res,
    const struct pfa_gate_outcome *go, json_object **saved)
{
	const char *name = pfa_tasks[i]->name;
	char q[600];
	for (size_t j = 0; j < res->nfindings; j++)
		pfa_log_finding(name, &res->findings[j]);
	pfa_log(res->status == PFA_OK ? LOG_INFO : LOG_WARNING,
	    "task=%s event=done status=%s changed=%zu findings=%zu summary=%s",
	    name, pfa_status_name(res->status), res->nchanges, res->nfindings,
	    pfa_log_quote(q, sizeof(q), res->summary));
	if (o->dry_run)
		return;
	if (reload_refused(res, go) && *saved != NULL) {
		pfa_state_set_data(st, name, *saved);
		*saved = NULL;
	}
	pfa_state_record(st, name, now,
	    stays_due(res, go) ? 0 : cfg->tasks[i].every, res);
}

static void
report(const struct pfa_run_opts *o, struct pfa_report_task *rt, size_t n,
    const struct pfa_gate_outcome *go, const struct pfa_result *core, int rc,
    const char *syslog_missing)
{
	struct pfa_report rep = {
		.core = core,
		.command = "run",
		.dry_run = o->dry_run,
		.tasks = rt,
		.ntasks = n,
		.gate = go,
		.exit_code = rc,
		.syslog_missing = syslog_missing,
	};
	if (o->nagios) {
		pfa_report_print_nagios(stdout, &rep);
	} else if (o->json) {
		json_object *doc = pfa_report_json(&rep);
		pfa_report_print_json(stdout, doc);
		json_object_put(doc);
	} else {
		/* only -q (cron's scripts give it) makes the report short:
		 * `pfagent run | less` shows all of it */
		pfa_report_print_text(stdout, &rep, o->quiet);
	}
}

int
pfa_cmd_run(const struct pfa_config *cfg, const struct pfa_run_opts *o,
    char **names, int nnames)
{
	size_t ntasks = pfa_task_count();
	if (o->nagios && (nnames != 1 || o->json || o->exit_changed)) {
		fprintf(stderr, "pfagent: --nagios needs exactly one task "
		    "(pfagent run TASK --nagios) and neither --json nor "
		    "--exit-changed\n");
		printf("PFAGENT UNKNOWN - --nagios needs exactly one task\n");
		return PFA_UNKNOWN;
	}
	bool *named = pfa_xcalloc(ntasks, sizeof(*named));
	for (int i = 0; i < nnames; i++) {
		int k = pfa_task_index(names[i]);
		if (k < 0) {
			fprintf(stderr, "pfagent: unknown task \"%s\"; "
			    "`pfagent list` shows them\n", names[i]);
			free(named);
			return fail_code(o);
		}
		named[k] = true;
	}

	int sd = prepare_statedir(cfg->state_directory, !o->dry_run);
	int lockfd = -1;
	if (sd < 0 || (sd == 0 && take_lock(cfg->state_directory,
	    &lockfd) < 0)) {
		free(named);
		return fail_code(o);
	}

	/* syslog drops what it cannot deliver: say so, once, where cron
	 * mails it, and go on */
	const char *syslog_missing = NULL;
	if (pfa_log_probe(&syslog_missing) < 0)
		fprintf(stderr, "pfagent: syslog is not available (%s): events "
		    "and findings are not logged; pfagent(8), SYSLOG, says "
		    "where they go\n", syslog_missing);

	struct pfa_state st;
	pfa_state_load(&st, cfg->state_directory);
	time_t now = time(NULL);
	/* a run of the core's own, for what is about no task */
	struct pfa_result core;
	pfa_result_init(&core);
	if (nnames == 0 && !o->dry_run) {
		check_schedule(cfg, start_gap(&st, now), &core);
		pfa_state_add_run(&st, now);
	}
	bool *run = pfa_xcalloc(ntasks, sizeof(*run));
	struct pfa_report_task *rt = pfa_xcalloc(ntasks, sizeof(*rt));
	plan_tasks(cfg, o, &st, now, named, (size_t)nnames, run, rt);

	struct pfa_postfix *pf = pfa_postfix_new(cfg->config_directory,
	    cfg->command_directory);
	struct pfa_result **res = pfa_xcalloc(ntasks, sizeof(*res));
	json_object **saved = pfa_xcalloc(ntasks, sizeof(*saved));
	struct pfa_gate gate;
	pfa_gate_init(&gate);
	for (size_t i = 0; i < ntasks; i++)
		if (run[i]) {
			res[i] = run_task(i, cfg, o, nnames > 0, &st, pf, &gate,
			    &saved[i]);
			rt[i].ran = true;
			rt[i].res = res[i];
		}

	struct pfa_gate_outcome go;
	pfa_gate_run(&gate, cfg, pf, res, ntasks, o->dry_run, &go);

	for (size_t i = 0; i < ntasks; i++) {
		if (res[i] != NULL)
			record_task(i, cfg, o, &st, now, res[i], &go,
			    &saved[i]);
		json_object_put(saved[i]);
	}
	for (size_t j = 0; j < go.res.nfindings; j++)
		pfa_log_finding("reload-gate", &go.res.findings[j]);
	for (size_t j = 0; j < core.nfindings; j++)
		pfa_log_finding("pfagent", &core.findings[j]);

	int rc = exit_code(o, res, ntasks, &go);
	if (!o->exit_changed)
		rc = (int)pfa_status_worst((enum pfa_status)rc, core.status);
	if (!o->dry_run && sd == 0 && pfa_state_save(&st) < 0) {
		fprintf(stderr, "pfagent: could not save the state file "
		    "%s\n", st.path);
		rc = o->exit_changed ? 1 :
		    pfa_status_worst((enum pfa_status)rc, PFA_UNKNOWN);
	}
	report(o, rt, ntasks, &go, &core, rc, syslog_missing);
	pfa_log(LOG_INFO, "event=run-finished exit=%d reloaded=%s "
	    "rolled_back=%s", rc, go.reloaded ? "yes" : "no",
	    go.rolled_back ? "yes" : "no");

	pfa_gate_outcome_free(&go);
	pfa_gate_free(&gate);
	pfa_result_free(&core);
	for (size_t i = 0; i < ntasks; i++)
		if (res[i] != NULL) {
			pfa_result_free(res[i]);
			free(res[i]);
		}
	free(res);
	free(saved);
	free(rt);
	free(run);
	free(named);
	pfa_postfix_free(pf);
	pfa_state_free(&st);
	if (lockfd >= 0)
		pfa_lock_release(lockfd);
	return rc;
}
