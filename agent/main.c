/*
 * main.c - pfagent's command line and the run sequence.
 *
 * CLI -> config -> lock -> state -> select due tasks -> run each ->
 * reload gate -> save state -> report -> exit code.  The only place that
 * exits.  Tasks return results; this file and the gate act on them.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "config.h"
#include "duration.h"
#include "gate.h"
#include "lock.h"
#include "log.h"
#include "postfix.h"
#include "report.h"
#include "state.h"
#include "task.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "0.0"
#endif

struct opts {
	const char *config;
	bool dry_run;
	bool verbose;
	bool quiet;
	bool json;
	bool force;
	bool exit_changed;
};

static void
usage(FILE *fp)
{
	fprintf(fp,
	    "usage: pfagent [-c FILE] [-n|--dry-run] [-v|--verbose] [-q|--quiet]\n"
	    "               [--json] [--exit-changed] COMMAND [ARGS]\n"
	    "\n"
	    "Maintenance agent for a Postfix mail server.\n"
	    "\n"
	    "Commands:\n"
	    "  run [TASK...] [--force]  run every due task, or the named tasks now\n"
	    "  list                     tasks, intervals, last run, status, next due\n"
	    "  status                   last outcome of every task (from the state file)\n"
	    "  check-config             check pfagent's configuration (exit 0 or 3)\n"
	    "  help [TASK]              this text, or what TASK does and its settings\n"
	    "\n"
	    "Options:\n"
	    "  -c, --config FILE   configuration file (default %s)\n"
	    "  -n, --dry-run       change nothing; say what would be done\n"
	    "  -v, --verbose       report everything, also on stderr\n"
	    "  -q, --quiet         print only what needs a person\n"
	    "      --json          one JSON document on stdout (see pfagent(8))\n"
	    "      --force         run tasks even if not due\n"
	    "      --exit-changed  exit 0 if something changed, 2 if nothing did,\n"
	    "                      1 on error (for `pfagent run X --exit-changed && ...`)\n"
	    "  -h, --help          this text\n"
	    "  -V, --version       print the version\n"
	    "\n"
	    "Exit status: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (bad configuration,\n"
	    "lock held, a task could not run).\n"
	    "Tasks:", PFA_DEFAULT_CONFIG);
	for (size_t i = 0; pfa_tasks[i]; i++)
		fprintf(fp, " %s", pfa_tasks[i]->name);
	fprintf(fp, "\n");
}

/* fds 0-2 open, a known umask, SIGPIPE as an error return. */
static void
sane_process(void)
{
	for (int fd = 0; fd < 3; fd++)
		if (fcntl(fd, F_GETFD) < 0 && errno == EBADF) {
			int n = open("/dev/null", O_RDWR);
			if (n < 0)
				abort();
			if (n != fd)
				abort();
		}
	umask(022);
	signal(SIGPIPE, SIG_IGN);
}

/* The exit status for "could not run at all". */
static int
fail_code(const struct opts *o)
{
	return o->exit_changed ? 1 : PFA_UNKNOWN;
}

static int
help_task(const char *name)
{
	int i = pfa_task_index(name);
	if (i < 0) {
		fprintf(stderr, "pfagent: unknown task \"%s\"; "
		    "`pfagent list` shows them\n", name);
		return PFA_UNKNOWN;
	}
	const struct pfa_task *t = pfa_tasks[i];
	char every[32];
	printf("%s - %s\n\n%s\n\nDefault interval: %s.\n", t->name, t->summary,
	    t->help, pfa_duration_format(t->default_every, every,
	    sizeof(every)));
	return 0;
}

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

static bool
task_is_due(struct pfa_state *st, const char *name, time_t now,
    int64_t every)
{
	time_t next = pfa_state_next_due(st, name);
	return pfa_state_last_run(st, name) == 0 ||
	    next <= now + pfa_due_slack(every);
}

static int
exit_code(const struct opts *o, struct pfa_result *const res[], size_t n,
    const struct pfa_gate_outcome *g)
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

static int
cmd_run(const struct pfa_config *cfg, const struct opts *o, char **names,
    int nnames)
{
	size_t ntasks = pfa_task_count();
	bool *selected = pfa_xcalloc(ntasks, sizeof(*selected));
	for (int i = 0; i < nnames; i++) {
		int k = pfa_task_index(names[i]);
		if (k < 0) {
			fprintf(stderr, "pfagent: unknown task \"%s\"; "
			    "`pfagent list` shows them\n", names[i]);
			free(selected);
			return fail_code(o);
		}
		selected[k] = true;
	}

	int sd = prepare_statedir(cfg->state_directory, !o->dry_run);
	if (sd < 0) {
		free(selected);
		return fail_code(o);
	}
	int lockfd = -1;
	if (sd == 0) {
		pid_t holder = 0;
		int l = pfa_lock_acquire(cfg->state_directory, &lockfd, &holder);
		if (l != 0) {
			if (l > 0 && holder > 0) {
				fprintf(stderr, "pfagent: another pfagent run "
				    "(PID %ld) holds %s/lock; nothing done\n",
				    (long)holder, cfg->state_directory);
				pfa_log(LOG_WARNING, "event=lock-held pid=%ld "
				    "action=exit", (long)holder);
			} else if (l > 0) {
				fprintf(stderr, "pfagent: another pfagent run "
				    "holds %s/lock; nothing done\n",
				    cfg->state_directory);
				pfa_log(LOG_WARNING, "event=lock-held pid=%ld "
				    "action=exit", (long)holder);
			}
			free(selected);
			return fail_code(o);
		}
	}

	struct pfa_state st;
	pfa_state_load(&st, cfg->state_directory);
	time_t now = time(NULL);
	struct pfa_postfix *pf = pfa_postfix_new(cfg->config_directory,
	    cfg->command_directory);
	struct pfa_result **res = pfa_xcalloc(ntasks, sizeof(*res));
	json_object **saved = pfa_xcalloc(ntasks, sizeof(*saved));
	struct pfa_report_task *rt = pfa_xcalloc(ntasks, sizeof(*rt));
	for (size_t i = 0; i < ntasks; i++) {
		const struct pfa_task *t = pfa_tasks[i];
		rt[i].name = t->name;
		if (nnames > 0 && !selected[i]) {
			rt[i].skipped = "not selected";
		} else if (nnames == 0 && !cfg->tasks[i].enabled) {
			rt[i].skipped = "disabled";
		} else if (nnames == 0 && !o->force &&
		    !task_is_due(&st, t->name, now, cfg->tasks[i].every)) {
			rt[i].skipped = "not due";
		} else {
			selected[i] = true;
			continue;
		}
		selected[i] = false;
	}

	struct pfa_gate gate;
	pfa_gate_init(&gate);

	for (size_t i = 0; i < ntasks; i++) {
		if (!selected[i])
			continue;
		const struct pfa_task *t = pfa_tasks[i];
		struct pfa_ctx ctx = {
			.task = t->name,
			.cfg = cfg,
			.pf = pf,
			.conf = cfg->tasks[i].data,
			.every = cfg->tasks[i].every,
			.dry_run = o->dry_run,
			.named = nnames > 0,
			.forced = o->force,
			.progress = isatty(STDERR_FILENO) && !o->quiet,
			.data = pfa_state_data(&st, t->name),
			.gate = o->dry_run ? NULL : &gate,
		};
		/* kept in case the gate refuses a reload the task asks for */
		if (json_object_deep_copy(ctx.data, &saved[i], NULL) != 0)
			saved[i] = NULL;
		res[i] = pfa_xmalloc(sizeof(*res[i]));
		pfa_result_init(res[i]);
		pfa_log(LOG_INFO, "task=%s event=start%s", t->name,
		    o->dry_run ? " dry_run=yes" : "");
		t->run(&ctx, res[i]);
		rt[i].ran = true;
	}

	struct pfa_gate_outcome go;
	pfa_gate_run(&gate, cfg, pf, res, ntasks, o->dry_run, &go);

	for (size_t i = 0; i < ntasks; i++) {
		if (res[i] == NULL)
			continue;
		char q[600];
		for (size_t j = 0; j < res[i]->nfindings; j++)
			pfa_log_finding(pfa_tasks[i]->name,
			    &res[i]->findings[j]);
		pfa_log(res[i]->status == PFA_OK ? LOG_INFO : LOG_WARNING,
		    "task=%s event=done status=%s changed=%zu findings=%zu "
		    "summary=%s", pfa_tasks[i]->name,
		    pfa_status_name(res[i]->status), res[i]->nchanges,
		    res[i]->nfindings, pfa_log_quote(q, sizeof(q),
		    res[i]->summary));
		rt[i].res = res[i];
		if (!o->dry_run) {
			/* a task that could not work, or whose change was
			 * rolled back, stays due */
			bool restored = false;
			for (size_t j = 0; j < res[i]->nchanges; j++)
				restored = restored ||
				    (go.rolled_back && res[i]->changes[j].reload);
			/* a reload it asked for was refused: it forgets what it
			 * saw this run, so that it asks again next time */
			bool refused = res[i]->reload_wanted && go.needed &&
			    (!go.validated || go.rolled_back);
			if (refused && saved[i] != NULL) {
				pfa_state_set_data(&st, pfa_tasks[i]->name,
				    saved[i]);
				saved[i] = NULL;
			}
			bool retry = res[i]->status == PFA_UNKNOWN || restored ||
			    refused;
			pfa_state_record(&st, pfa_tasks[i]->name, now,
			    retry ? 0 : cfg->tasks[i].every, res[i]);
		}
		json_object_put(saved[i]);
		saved[i] = NULL;
	}
	free(saved);
	for (size_t j = 0; j < go.res.nfindings; j++)
		pfa_log_finding("reload-gate", &go.res.findings[j]);

	int rc = exit_code(o, res, ntasks, &go);
	if (!o->dry_run && sd == 0 && pfa_state_save(&st) < 0) {
		fprintf(stderr, "pfagent: could not save the state file "
		    "%s\n", st.path);
		rc = o->exit_changed ? 1 :
		    pfa_status_worst((enum pfa_status)rc, PFA_UNKNOWN);
	}

	struct pfa_report rep = {
		.command = "run",
		.dry_run = o->dry_run,
		.tasks = rt,
		.ntasks = ntasks,
		.gate = &go,
		.exit_code = rc,
	};
	if (o->json) {
		json_object *doc = pfa_report_json(&rep);
		pfa_report_print_json(stdout, doc);
		json_object_put(doc);
	} else {
		bool interactive = isatty(STDOUT_FILENO);
		pfa_report_print_text(stdout, &rep,
		    o->quiet || (!interactive && !o->verbose));
	}
	pfa_log(LOG_INFO, "event=run-finished exit=%d reloaded=%s "
	    "rolled_back=%s", rc, go.reloaded ? "yes" : "no",
	    go.rolled_back ? "yes" : "no");

	pfa_gate_outcome_free(&go);
	pfa_gate_free(&gate);
	for (size_t i = 0; i < ntasks; i++)
		if (res[i] != NULL) {
			pfa_result_free(res[i]);
			free(res[i]);
		}
	free(res);
	free(rt);
	free(selected);
	pfa_postfix_free(pf);
	pfa_state_free(&st);
	if (lockfd >= 0)
		pfa_lock_release(lockfd);
	return rc;
}

int
main(int argc, char **argv)
{
	enum { OPT_JSON = 256, OPT_FORCE, OPT_EXIT_CHANGED };
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "force", no_argument, NULL, OPT_FORCE },
		{ "exit-changed", no_argument, NULL, OPT_EXIT_CHANGED },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct opts o = { 0 };
	sane_process();
	int ch;
	while ((ch = getopt_long(argc, argv, "c:nvqhV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			o.config = optarg;
			break;
		case 'n':
			o.dry_run = true;
			break;
		case 'v':
			o.verbose = true;
			break;
		case 'q':
			o.quiet = true;
			break;
		case OPT_JSON:
			o.json = true;
			break;
		case OPT_FORCE:
			o.force = true;
			break;
		case OPT_EXIT_CHANGED:
			o.exit_changed = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("pfagent %s\n", PACKAGE_VERSION);
			return 0;
		default:
			usage(stderr);
			return fail_code(&o);
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return fail_code(&o);
	}
	const char *cmd = argv[optind++];
	char **args = argv + optind;
	int nargs = argc - optind;

	if (strcmp(cmd, "help") == 0) {
		if (nargs == 0) {
			usage(stdout);
			return 0;
		}
		return help_task(args[0]) == 0 ? 0 : fail_code(&o);
	}
	if (strcmp(cmd, "run") != 0 && strcmp(cmd, "list") != 0 &&
	    strcmp(cmd, "status") != 0 && strcmp(cmd, "check-config") != 0) {
		fprintf(stderr, "pfagent: unknown command \"%s\"\n", cmd);
		usage(stderr);
		return fail_code(&o);
	}
	if (strcmp(cmd, "run") != 0 && nargs > 0) {
		fprintf(stderr, "pfagent: %s takes no arguments\n", cmd);
		return fail_code(&o);
	}

	struct pfa_log_opts lo = {
		.facility = LOG_MAIL,
		.to_stderr = isatty(STDERR_FILENO) || o.verbose,
		.verbose = o.verbose,
		.quiet = o.quiet,
	};
	pfa_log_open(&lo);
	struct pfa_config cfg;
	if (pfa_config_load(&cfg, o.config, o.config != NULL) < 0) {
		fprintf(stderr, "pfagent: configuration %s is not valid "
		    "(%d error%s); nothing done\n",
		    o.config ? o.config : PFA_DEFAULT_CONFIG,
		    pfa_conf_errors(), pfa_conf_errors() == 1 ? "" : "s");
		pfa_config_free(&cfg);
		pfa_log_close();
		return fail_code(&o);
	}
	lo.facility = cfg.facility;
	pfa_log_open(&lo);

	int rc;
	if (strcmp(cmd, "check-config") == 0) {
		if (!o.quiet)
			printf("pfagent: configuration OK (%s)\n",
			    cfg.path ? cfg.path : "built-in defaults");
		rc = 0;
	} else if (strcmp(cmd, "list") == 0) {
		rc = pfa_cmd_list(&cfg, o.json);
	} else if (strcmp(cmd, "status") == 0) {
		rc = pfa_cmd_status(&cfg, o.json);
	} else {
		rc = cmd_run(&cfg, &o, args, nargs);
	}
	pfa_config_free(&cfg);
	pfa_log_close();
	return rc;
}
