/*
 * main.c - pfagent's command line: options, the process's known state,
 * the configuration, and the command (run in agent/run.c, list and status
 * in agent/commands.c, help here).  The only place that exits.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "config.h"
#include "duration.h"
#include "log.h"
#include "run.h"
#include "signals.h"
#include "task.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "0.0"
#endif

struct opts {
	const char *config;
	struct pfa_run_opts run;
};

static void
usage(FILE *fp)
{
	fprintf(fp,
	    "usage: pfagent [-c FILE] [-n|--dry-run] [-v|--verbose] [-q|--quiet]\n"
	    "               [--json] [--exit-changed] [--nagios] COMMAND [ARGS]\n"
	    "\n"
	    "Maintenance agent for a Postfix mail server.\n"
	    "\n"
	    "Commands:\n"
	    "  run [TASK...] [--force]  run every due task, or the named tasks now\n"
	    "  list                     tasks, intervals, last run, status, next due\n"
	    "  status                   last outcome of every task (from the state file)\n"
	    "  check-config             check pfagent's configuration (exit 0 or 3)\n"
	    "  help [TASK]              this text, or what TASK does, its settings\n"
	    "                           and its finding ids (reload-gate: the gate's)\n"
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
	    "      --nagios        run one task as a monitoring check: one status\n"
	    "                      line with perfdata, exit 0/1/2/3\n"
	    "  -h, --help          this text\n"
	    "  -V, --version       print the version\n"
	    "\n"
	    "Exit status: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (bad configuration,\n"
	    "lock held, a task could not run).\n"
	    "Tasks:", PFA_DEFAULT_CONFIG);
	for (size_t i = 0; pfa_tasks[i]; i++)
		fprintf(fp, " %s", pfa_tasks[i]->name);
	fprintf(fp, "\n");
	for (size_t i = 0; pfa_tasks[i]; i++)
		if (pfa_tasks[i]->command != NULL)
			fprintf(fp, "Task command (%s): pfagent [OPTIONS] %s\n",
			    pfa_tasks[i]->name, pfa_tasks[i]->command->usage);
}

/* The index of the first argument that is not an option or -c's value
 * (ARGC if none). */
static int
first_operand(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--") == 0)
			return i + 1;
		if (a[0] != '-' || a[1] == '\0')
			return i;
		if (strcmp(a, "-c") == 0 || strcmp(a, "--config") == 0)
			i++;
	}
	return argc;
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
	/* an inherited ignored SIGCHLD, blocked signals: as Postfix does,
	 * start from a known state */
	pfa_signals_init();
}

/* The exit status for "could not run at all". */
static int
fail_code(const struct opts *o)
{
	return o->run.exit_changed ? 1 : PFA_UNKNOWN;
}

/* main without the final check of standard output */
static int
pfagent(int argc, char **argv)
{
	enum { OPT_JSON = 256, OPT_FORCE, OPT_EXIT_CHANGED, OPT_NAGIOS };
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "force", no_argument, NULL, OPT_FORCE },
		{ "exit-changed", no_argument, NULL, OPT_EXIT_CHANGED },
		{ "nagios", no_argument, NULL, OPT_NAGIOS },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct opts o = { 0 };
	sane_process();
	/* a task's command ("pfagent queue purge --recipient ...") takes
	 * its own options: pfagent's end where it starts */
	int first = first_operand(argc, argv);
	const struct pfa_task *tc = first < argc ?
	    pfa_task_command(argv[first]) : NULL;
	int gargc = tc != NULL ? first : argc;
	int ch;
	while ((ch = getopt_long(gargc, argv, "c:nvqhV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			o.config = optarg;
			break;
		case 'n':
			o.run.dry_run = true;
			break;
		case 'v':
			o.run.verbose = true;
			break;
		case 'q':
			o.run.quiet = true;
			break;
		case OPT_JSON:
			o.run.json = true;
			break;
		case OPT_FORCE:
			o.run.force = true;
			break;
		case OPT_EXIT_CHANGED:
			o.run.exit_changed = true;
			break;
		case OPT_NAGIOS:
			o.run.nagios = true;
			o.run.quiet = true;
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
		return pfa_cmd_help(args[0]) == 0 ? 0 : fail_code(&o);
	}
	if (tc != NULL) {
		args = argv + first;
		nargs = argc - first;
	} else if (strcmp(cmd, "run") != 0 && strcmp(cmd, "list") != 0 &&
	    strcmp(cmd, "status") != 0 && strcmp(cmd, "check-config") != 0) {
		fprintf(stderr, "pfagent: unknown command \"%s\"\n", cmd);
		usage(stderr);
		return fail_code(&o);
	}
	if (tc == NULL && strcmp(cmd, "run") != 0 && nargs > 0) {
		fprintf(stderr, "pfagent: %s takes no arguments\n", cmd);
		return fail_code(&o);
	}

	struct pfa_log_opts lo = {
		.facility = LOG_MAIL,
		.to_stderr = isatty(STDERR_FILENO) || o.run.verbose,
		.verbose = o.run.verbose,
		.quiet = o.run.quiet,
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
	if (tc != NULL) {
		rc = pfa_cmd_task(&cfg, tc, o.run.dry_run, o.run.json, nargs,
		    args);
	} else if (strcmp(cmd, "check-config") == 0) {
		if (!o.run.quiet)
			printf("pfagent: configuration OK (%s)\n",
			    cfg.path ? cfg.path : "built-in defaults");
		rc = 0;
	} else if (strcmp(cmd, "list") == 0) {
		rc = pfa_cmd_list(&cfg, o.run.json);
	} else if (strcmp(cmd, "status") == 0) {
		rc = pfa_cmd_status(&cfg, o.run.json);
	} else {
		rc = pfa_cmd_run(&cfg, &o.run, args, nargs);
	}
	pfa_config_free(&cfg);
	pfa_log_close();
	return rc;
}

int
main(int argc, char **argv)
{
	bool exit_changed = false;
	for (int i = 1; i < argc; i++)
		exit_changed |= strcmp(argv[i], "--exit-changed") == 0;
	int rc = pfagent(argc, argv);
	/* output that did not reach its reader (a full disk, a closed
	 * pipe) is a failure, whatever the command did */
	errno = 0;
	int flushed = fflush(stdout);
	int e = errno;
	if (flushed != 0 || ferror(stdout)) {
		/* an earlier write's errno is gone: only this one's is known */
		fprintf(stderr, "pfagent: cannot write to standard output%s%s "
		    "(what it says is incomplete)\n", e ? ": " : "",
		    e ? strerror(e) : "");
		rc = exit_changed ? 1 : (int)pfa_status_worst(
		    (enum pfa_status)rc, PFA_UNKNOWN);
	}
	return rc;
}
