/*
 * report.h - what a run tells the person or program that started it:
 * the --json document (an interface, documented in pfagent(8)) and the
 * plain-text summary.  Also converts results to and from the JSON shape
 * the state file stores.
 */
#ifndef PFA_REPORT_H
#define PFA_REPORT_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>

#include "gate.h"
#include "result.h"

/* One task's entry in a run. */
struct pfa_report_task {
	const char *name;
	bool ran;		/* false: not due, disabled or not selected */
	const char *skipped;	/* why it did not run, or NULL */
	const struct pfa_result *res;	/* NULL if it did not run */
};

struct pfa_report {
	const char *command;	/* "run" */
	bool dry_run;
	struct pfa_report_task *tasks;
	size_t ntasks;
	const struct pfa_gate_outcome *gate;	/* NULL if none ran */
	const struct pfa_result *core;	/* findings about no task, or NULL */
	int exit_code;
	const char *syslog_missing;	/* why syslog takes nothing, or NULL */
};

/* The task result in --json shape (new object). */
json_object *pfa_report_result_json(const char *name,
    const struct pfa_result *res);
/* The whole --json document (new object). */
json_object *pfa_report_json(const struct pfa_report *r);
/* Writes the document, pretty-printed, with a trailing newline. */
int pfa_report_print_json(FILE *fp, json_object *doc);
/*
 * One finding as people read it: "  SEV ID SUBJECT: MESSAGE" and its
 * remedy, the subject left out when the message begins with it.  Shared
 * by the run's report and `pfagent status`.
 */
void pfa_report_print_finding(FILE *fp, const char *indent, const char *sev,
    const char *id, const char *subject, const char *message,
    const char *remedy);

/* Plain text for people; quiet: only what needs a person. */
void pfa_report_print_text(FILE *fp, const struct pfa_report *r, bool quiet);
/*
 * The monitoring-plugin form of a run of one task (--nagios): one line
 * "PFAGENT TASK STATUS - summary | perfdata" (perfdata from the task's
 * metrics, with their thresholds and range), then one line per finding
 * that is not a note.  The status is the run's exit code.  0 or -1 (a
 * write error on FP).
 */
int pfa_report_print_nagios(FILE *fp, const struct pfa_report *r);

#endif
