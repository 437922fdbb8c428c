/*
 * log.h - the only module that talks to syslog.
 *
 * syslog(3) with ident "pfagent", LOG_PID, the configured facility (mail by
 * default).  One event per line in key=value form, e.g.
 *   task=rotate-dh event=replaced file=/etc/postfix/dh2048.pem bits=2048
 * Values that may hold spaces or come from outside go through
 * pfa_log_quote().  When stderr is a terminal (or -v is given) the same
 * events are also written to stderr in a shorter human form.  Every
 * function preserves errno.  Messages from outside are never used as a
 * format string.
 */
#ifndef PFA_LOG_H
#define PFA_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <syslog.h>

#include "result.h"

struct pfa_log_opts {
	int facility;		/* LOG_MAIL, LOG_LOCAL0, ... */
	bool to_stderr;		/* also write to stderr */
	bool verbose;		/* also LOG_DEBUG/LOG_INFO on stderr */
	bool quiet;		/* only warnings and worse on stderr */
};

void pfa_log_open(const struct pfa_log_opts *opts);
/*
 * Whether a syslog daemon takes messages on /dev/log (syslog(3) drops
 * them silently when none does: a container, a minimal system).  0, or -1
 * with *WHY saying what is wrong (static text).
 */
int pfa_log_probe(const char **why);
void pfa_log_close(void);

/* A key=value event at a syslog priority. */
void pfa_log(int prio, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Only to syslog, never mirrored on stderr (the caller printed it). */
void pfa_log_syslog(int prio, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Same as pfa_log, with err="<strerror(errno)>" added. */
void pfa_log_errno(int prio, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * A failed system call on PATH: "event=EVENT file=PATH step=STEP err=..."
 * at LOG_ERR, PATH quoted.  Returns -1 so callers can `return` it.
 */
int pfa_log_path_failed(const char *event, const char *path,
    const char *step);

/* A finding of TASK, at the syslog level of its severity; mirrored on
 * stderr only with -v (the report shows it). */
void pfa_log_finding(const char *task, const struct pfa_finding *f);

/*
 * Quotes S for a key=value line into BUF: bare if it has no space, quote,
 * backslash or '=', else "..." with \" and \\ escaped; control characters
 * become '?'.  Returns BUF (always NUL-terminated, truncated if needed).
 */
const char *pfa_log_quote(char *buf, size_t size, const char *s);

/* Name ("mail", "local0", ...) to LOG_* facility; -1 if unknown. */
int pfa_log_facility(const char *name);
/* Syslog priority for a severity: info->LOG_INFO, warning->LOG_WARNING,
 * critical->LOG_CRIT, unknown->LOG_ERR. */
int pfa_log_sev_prio(enum pfa_sev s);

#endif
