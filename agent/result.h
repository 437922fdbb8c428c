/*
 * result.h - the result model every task fills and the core acts on.
 *
 * A task reports three things on three channels: whether it managed to do
 * its job (status), what it saw (findings), and which files Postfix reads it
 * replaced (changes, each with the kept previous version for rollback).
 * Metrics are numbers for --json and monitoring.  A task whose job is a
 * report (log-report) may also hand back the report itself: TEXT for
 * people (printed under the task's line) and DETAILS for --json (the
 * task's "details" member).  Nothing here does I/O.
 * Allocation failures abort (pfa_xmalloc): a tool this small has no sane
 * way to continue without memory.
 */
#ifndef PFA_RESULT_H
#define PFA_RESULT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

/* Status of a task and of a run; the numbers are the exit codes. */
enum pfa_status {
	PFA_OK = 0,
	PFA_WARNING = 1,
	PFA_CRITICAL = 2,
	PFA_UNKNOWN = 3,
};

/* Severity of a finding.  INFO never changes a status. */
enum pfa_sev {
	PFA_SEV_INFO = 0,
	PFA_SEV_WARNING,
	PFA_SEV_CRITICAL,
	PFA_SEV_UNKNOWN,
};

struct pfa_finding {
	enum pfa_sev sev;
	char *id;	/* stable, e.g. "PFA-DH-002" */
	char *subject;	/* a parameter, file or address */
	char *message;	/* plain sentence */
	char *remedy;	/* something a person can paste, or NULL */
};

/*
 * What a finding id means, as declared by the module that reports it:
 * each task lists its tables in its descriptor (task.h), the core its
 * own (the gate's, the health check's).  `pfagent help`, the man page
 * test and the checking of `ignore` all read these declarations.
 */
struct pfa_finding_doc {
	const char *id;		/* "PFA-AREA-NNN" */
	enum pfa_sev sev;	/* its highest severity */
	const char *title;	/* one line */
};

struct pfa_change {
	char *path;	/* the file that was replaced */
	char *kept;	/* hard link to the previous version, NULL if new */
	bool reload;	/* Postfix must be reloaded to pick it up */
};

struct pfa_metric {
	char *name;
	double value;
	char *unit;	/* "", "s", "B", "c", ... */
	/* monitoring thresholds and range (--nagios perfdata), each only
	 * if its bit is set in HAVE */
	double warn, crit, min, max;
	unsigned have;
};
#define PFA_METRIC_WARN	0x01
#define PFA_METRIC_CRIT	0x02
#define PFA_METRIC_MIN	0x04
#define PFA_METRIC_MAX	0x08

struct json_object;

struct pfa_result {
	enum pfa_status status;	/* set by the task; raised by findings */
	bool reload_wanted;
	char *summary;		/* one line, may be NULL */
	struct pfa_change *changes;
	size_t nchanges;
	struct pfa_finding *findings;
	size_t nfindings;
	struct pfa_metric *metrics;
	size_t nmetrics;
	/* set by the core before the task runs: findings matching one of
	 * these ("ID", or "ID SUBJECT") are left out and only counted */
	char *const *ignore;
	size_t nignored;
	char *text;		/* a report for people, or NULL (owned) */
	struct json_object *details;	/* the same for --json, or NULL
					 * (owned; not kept in the state) */
};

void *pfa_xmalloc(size_t n);
void *pfa_xcalloc(size_t n, size_t size);
void *pfa_xrealloc(void *p, size_t n);
char *pfa_xstrdup(const char *s);
char *pfa_xasprintf(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
char *pfa_xvasprintf(const char *fmt, va_list ap)
    __attribute__((format(printf, 1, 0)));

void pfa_result_init(struct pfa_result *r);
void pfa_result_free(struct pfa_result *r);

/* Adds a finding; the status is raised to match its severity.  A finding
 * R->ignore names is not added (and does not raise the status): it is
 * counted in R->nignored. */
void pfa_result_add_finding(struct pfa_result *r, enum pfa_sev sev,
    const char *id, const char *subject, const char *remedy,
    const char *fmt, ...) __attribute__((format(printf, 6, 7)));
void pfa_result_add_change(struct pfa_result *r, const char *path,
    const char *kept);
/* A change that running daemons notice by themselves (an indexed lookup
 * table): no reload is needed for it. */
void pfa_result_add_change_noreload(struct pfa_result *r, const char *path,
    const char *kept);
void pfa_result_add_metric(struct pfa_result *r, const char *name,
    double value, const char *unit);
/* Sets the thresholds and range of metric NAME (added before); each of
 * WARN, CRIT, MIN, MAX may be NULL: not set.  Unknown NAME: nothing. */
void pfa_result_metric_limits(struct pfa_result *r, const char *name,
    const double *warn, const double *crit, const double *min,
    const double *max);
void pfa_result_set_summary(struct pfa_result *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Raises (never lowers) the status, in the order OK < WARNING < UNKNOWN <
 * CRITICAL. */
void pfa_result_raise(struct pfa_result *r, enum pfa_status s);
enum pfa_status pfa_status_worst(enum pfa_status a, enum pfa_status b);

const char *pfa_status_name(enum pfa_status s);	/* "ok", "warning", ... */
const char *pfa_sev_name(enum pfa_sev s);	/* "info", "warning", ... */
int pfa_status_parse(const char *name, enum pfa_status *out);
int pfa_sev_parse(const char *name, enum pfa_sev *out);
enum pfa_status pfa_sev_status(enum pfa_sev s);
/* true if IGNORE ("ID" or "ID SUBJECT" entries, NULL-terminated, may be
 * NULL) names the finding ID about SUBJECT. */
bool pfa_ignored(char *const *ignore, const char *id, const char *subject);

#endif
