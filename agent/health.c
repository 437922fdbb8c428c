/*
 * health.c - the health check after a reload: master alive, every
 * loopback SMTP listener answers 220, no fatal/panic in Postfix's log
 * since the reload.
 *
 * Which listeners to probe comes from the one listener model
 * (postfix/listener.h): a service disabled by master_service_disable is
 * not listening and is not probed; one that speaks TLS first (wrapper
 * mode) has no plain banner and is left to check-tls.  Talks only to
 * loopback addresses.  The log is read through the one mail-log reader
 * (postfix/maillog.h): the log file, or the journal on a host without
 * one; only this instance's own fatal:/panic: count (the severity prefix
 * at the start of a message from one of its syslog names), never the
 * same words inside a message (text a client sent, quoted in a warning).
 * Never writes anything.  Findings go into the result it is given.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "health.h"
#include "listener.h"
#include "log.h"
#include "maillog.h"
#include "smtp.h"

#define MAX_LOG_LINES 10
#define LOG_SCAN_MAX (8 * 1024 * 1024)

const struct pfa_finding_doc pfa_health_findings[] = {
	{ "PFA-HEALTH-001", PFA_SEV_CRITICAL, "the Postfix master is not "
	    "running after the reload" },
	{ "PFA-HEALTH-002", PFA_SEV_CRITICAL, "an SMTP listener does not "
	    "answer with a 220 banner after the reload" },
	{ "PFA-HEALTH-003", PFA_SEV_CRITICAL, "Postfix logged fatal: or panic: "
	    "after the reload" },
	{ "PFA-HEALTH-004", PFA_SEV_INFO, "something could not be checked "
	    "(the log, the listeners)" },
	{ NULL, 0, NULL },
};

int
pfa_health_mark(const char *logfile, struct pfa_maillog_mark *m)
{
	return pfa_maillog_mark(logfile, NULL, m);
}

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static bool
check_listeners(struct pfa_postfix *pf, struct pfa_result *res)
{
	const struct pfa_cfview *v = pfa_postfix_view(pf, PFA_VIEW_SERVICES);
	bool ok = true;
	if (v == NULL) {
		pfa_result_add_finding(res, PFA_SEV_INFO, "PFA-HEALTH-004",
		    "master.cf", NULL, "could not list master.cf services "
		    "(postconf -F failed), listeners were not probed");
		return true;
	}
	struct pfa_listeners ls;
	pfa_listeners_get(v, &ls);
	for (size_t i = 0; i < ls.n; i++) {
		const struct pfa_listener *l = &ls.v[i];
		/* disabled: not listening; TLS first: no plain banner */
		if (l->disabled || l->wrapper || l->nloopback == 0)
			continue;
		const char *host = l->loopback[0];
		char line[512] = "";
		int rc = -1;
		for (int attempt = 0; attempt < 2 && rc < 0; attempt++) {
			if (attempt > 0)
				sleep_ms(1000);
			rc = pfa_smtp_banner(host, l->port, 5000, line,
			    sizeof(line));
		}
		char q[600];
		if (rc == 0) {
			pfa_log(LOG_INFO, "event=health-banner service=%s "
			    "address=%s port=%s banner=%s", l->svc->name, host,
			    l->port, pfa_log_quote(q, sizeof(q), line));
			continue;
		}
		ok = false;
		pfa_result_add_finding(res, PFA_SEV_CRITICAL, "PFA-HEALTH-002",
		    l->svc->name, NULL, "the %s listener on %s port %s does "
		    "not answer with a 220 banner after the reload: %s",
		    l->svc->command, host, l->port, line);
	}
	pfa_listeners_free(&ls);
	return ok;
}

struct logscan {
	const char *logfile;
	const struct pfa_lognames *names;
	struct pfa_result *res;
	bool ok;
	int shown;
	char *seen[MAX_LOG_LINES];
};

static int
log_line(void *arg, const struct pfa_logline *l, bool parsed, const char *line,
    size_t len)
{
	struct logscan *ls = arg;
	(void)len;
	if (!parsed || (l->sev != PFA_LOGSEV_FATAL &&
	    l->sev != PFA_LOGSEV_PANIC) || !pfa_lognames_match(ls->names, l))
		return 0;
	const char *what = l->text;
	ls->ok = false;
	/* a crash-looping daemon repeats itself: report each message once,
	 * the first time it appeared */
	for (int i = 0; i < ls->shown; i++)
		if (strcmp(ls->seen[i], what) == 0)
			return 0;
	if (ls->shown == MAX_LOG_LINES)
		return 0;
	ls->seen[ls->shown++] = pfa_xstrdup(what);
	if (line == l->text)	/* a journal entry: MESSAGE only */
		pfa_result_add_finding(ls->res, PFA_SEV_CRITICAL,
		    "PFA-HEALTH-003", ls->logfile, NULL, "Postfix logged after "
		    "the reload: %.*s[%ld]: %s", (int)l->proglen, l->prog,
		    l->pid, line);
	else
		pfa_result_add_finding(ls->res, PFA_SEV_CRITICAL,
		    "PFA-HEALTH-003", ls->logfile, NULL, "Postfix logged after "
		    "the reload: %s", line);
	return 0;
}

/* This instance's fatal:/panic: lines logged since MARK. */
static bool
check_log(struct pfa_postfix *pf, const char *logfile,
    const struct pfa_maillog_mark *mark, struct pfa_result *res)
{
	struct pfa_lognames names;
	pfa_lognames_from_postfix(pf, &names);
	struct logscan ls = { .logfile = mark->file ? logfile : "journal",
		.names = &names, .res = res, .ok = true };
	int rc = pfa_maillog_since(mark, logfile, NULL, LOG_SCAN_MAX, log_line,
	    &ls);
	pfa_lognames_free(&names);
	for (int i = 0; i < ls.shown; i++)
		free(ls.seen[i]);
	if (rc < 0) {
		pfa_result_add_finding(res, PFA_SEV_INFO, "PFA-HEALTH-004",
		    logfile, NULL, "Postfix's log could not be read (neither "
		    "the log file nor the journal), so it was not checked for "
		    "fatal errors after the reload (set postfix.log_file, or "
		    "maillog_file in main.cf)");
		return true;
	}
	return ls.ok;
}

bool
pfa_health_check(struct pfa_postfix *pf, const char *logfile,
    const struct pfa_maillog_mark *mark, int wait, struct pfa_result *res)
{
	sleep_ms(wait * 1000L);
	bool ok = true;
	int running = pfa_postfix_running(pf);
	if (running != 1) {
		ok = false;
		pfa_result_add_finding(res, PFA_SEV_CRITICAL, "PFA-HEALTH-001",
		    pfa_postfix_config_dir(pf), NULL, "the Postfix master is "
		    "not running after the reload");
	} else if (!check_listeners(pf, res)) {
		ok = false;
	}
	sleep_ms(300);	/* let postlogd write what the probes caused */
	if (!check_log(pf, logfile, mark, res))
		ok = false;
	return ok;
}
