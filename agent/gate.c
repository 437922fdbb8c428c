/*
 * gate.c - the reload gate: after the tasks, validate, reload once, check
 * health, or roll back.  The only module that decides to reload Postfix.
 *
 * Never reloads a configuration that does not validate, never starts a
 * Postfix that is not running, and never leaves a half-done state: when
 * something fails, every changed file is put back from its kept version
 * and the outcome (CRITICAL findings with the reason) says so.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomic.h"
#include "gate.h"
#include "health.h"
#include "loadcheck.h"
#include "log.h"
#include "reload.h"
#include "remedy.h"

const struct pfa_finding_doc pfa_gate_findings[] = {
	{ "PFA-GATE-001", PFA_SEV_CRITICAL, "postfix check (or postconf -n) "
	    "failed after the changes; they were put back" },
	{ "PFA-GATE-002", PFA_SEV_CRITICAL, "a Postfix warning that was not "
	    "there before the run; the changes were put back" },
	{ "PFA-GATE-003", PFA_SEV_CRITICAL, "postfix reload failed; the "
	    "changes were rolled back" },
	{ "PFA-GATE-004", PFA_SEV_CRITICAL, "a changed file could not be put "
	    "back from its kept version" },
	{ "PFA-GATE-005", PFA_SEV_INFO, "Postfix is not running: nothing was "
	    "reloaded or started" },
	{ "PFA-GATE-006", PFA_SEV_INFO, "postfix.reload is false: Postfix was "
	    "not reloaded" },
	{ "PFA-GATE-007", PFA_SEV_UNKNOWN, "whether Postfix runs could not be "
	    "told; not reloaded" },
	{ "PFA-GATE-008", PFA_SEV_CRITICAL, "this task's changes were rolled "
	    "back by the reload gate" },
	{ "PFA-GATE-009", PFA_SEV_CRITICAL, "the configuration still does not "
	    "validate after the rollback" },
	{ "PFA-GATE-010", PFA_SEV_CRITICAL, "Postfix was unhealthy after the "
	    "reload; the changes were rolled back" },
	{ "PFA-GATE-011", PFA_SEV_CRITICAL, "Postfix's checks could not be "
	    "run; the changes were put back" },
	{ NULL, 0, NULL },
};

void
pfa_gate_init(struct pfa_gate *g)
{
	memset(g, 0, sizeof(*g));
}

static void
free_list(char **v)
{
	if (v == NULL)
		return;
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}

void
pfa_gate_free(struct pfa_gate *g)
{
	free_list(g->baseline_warnings);
	memset(g, 0, sizeof(*g));
}

void
pfa_gate_outcome_free(struct pfa_gate_outcome *o)
{
	pfa_result_free(&o->res);
}

void
pfa_gate_baseline(struct pfa_gate *g, struct pfa_postfix *pf)
{
	g->baseline_tried = true;
	struct pfa_postfix_check c;
	if (pfa_postfix_check(pf, &c) < 0)
		return;
	g->have_baseline = true;
	g->baseline_check_ok = c.ok;
	g->baseline_warnings = c.warnings;
	c.warnings = NULL;
	c.nwarnings = 0;
	pfa_postfix_check_free(&c);
}

static bool
in_baseline(const struct pfa_gate *g, const char *w)
{
	if (g->baseline_warnings == NULL)
		return false;
	for (char **p = g->baseline_warnings; *p; p++)
		if (strcmp(*p, w) == 0)
			return true;
	return false;
}

/* Text of the last lines of S (at most about 400 bytes), one line. */
static char *
tail_text(const char *s)
{
	size_t n = strlen(s);
	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == ' '))
		n--;
	size_t start = n > 400 ? n - 400 : 0;
	char *t = pfa_xmalloc(n - start + 1);
	memcpy(t, s + start, n - start);
	t[n - start] = '\0';
	for (char *p = t; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	return t;
}

/* true if the configuration as it is on disk now may be reloaded. */
static bool
validate(const struct pfa_gate *g, struct pfa_postfix *pf,
    struct pfa_result *res, const char *when)
{
	pfa_postfix_invalidate(pf);
	struct pfa_postfix_check c;
	if (pfa_postfix_check(pf, &c) < 0) {
		pfa_result_add_finding(res, PFA_SEV_CRITICAL, "PFA-GATE-011",
		    pfa_postfix_config_dir(pf), NULL, "could not run Postfix's "
		    "checks %s", when);
		return false;
	}
	bool ok = true;
	if (!c.ok) {
		char *t = tail_text(c.check_output);
		char *fix = pfa_remedy(pfa_postfix_config_dir(pf), "run "
		    "`postfix check` on a terminal to see every message");
		pfa_result_add_finding(res, PFA_SEV_CRITICAL, "PFA-GATE-001",
		    pfa_postfix_config_dir(pf), fix,
		    "postfix check fails %s: %s", when, t);
		free(fix);
		free(t);
		ok = false;
	}
	/* without a baseline, old and new warnings cannot be told apart:
	 * only a failing check blocks then */
	for (size_t i = 0; g->have_baseline && i < c.nwarnings; i++) {
		if (in_baseline(g, c.warnings[i]))
			continue;
		pfa_result_add_finding(res, PFA_SEV_CRITICAL, "PFA-GATE-002",
		    pfa_postfix_config_dir(pf), NULL, "new Postfix %s %s",
		    c.warnings[i], when);
		ok = false;
	}
	pfa_postfix_check_free(&c);
	if (pfa_loadcheck_gate(pf, res) > 0)
		ok = false;
	return ok;
}

/* Puts every changed file back, newest change first. */
static bool
restore_all(struct pfa_result *const results[], size_t n,
    struct pfa_result *res)
{
	bool ok = true;
	for (size_t i = n; i-- > 0;) {
		struct pfa_result *r = results[i];
		if (r == NULL)
			continue;
		size_t restored = 0;
		const char *first = NULL;
		for (size_t j = r->nchanges; j-- > 0;) {
			const struct pfa_change *c = &r->changes[j];
			/* what needs no reload is not the gate's to undo */
			if (!c->reload)
				continue;
			if (pfa_atomic_restore(c->path, c->kept) < 0) {
				ok = false;
				pfa_result_add_finding(res, PFA_SEV_CRITICAL,
				    "PFA-GATE-004", c->path, NULL,
				    "could not put the previous version back "
				    "(kept as %s)", c->kept ? c->kept :
				    "nothing: the file was new");
			} else {
				restored++;
				first = c->path;
				char q[1024];
				pfa_log(LOG_WARNING, "event=restored file=%s",
				    pfa_log_quote(q, sizeof(q), c->path));
			}
		}
		if (restored > 0) {
			pfa_result_add_finding(r, PFA_SEV_CRITICAL,
			    "PFA-GATE-008", first, NULL,
			    "this task's changes were rolled back by the "
			    "reload gate (see its findings)");
			/* say what is true: replaced, then put back */
			char *was = r->summary ? pfa_xstrdup(r->summary) : NULL;
			pfa_result_set_summary(r, "%s, then rolled back by the "
			    "reload gate", was ? was : "changed files");
			free(was);
		}
	}
	return ok;
}

void
pfa_gate_run(struct pfa_gate *g, const struct pfa_config *cfg,
    struct pfa_postfix *pf, struct pfa_result *const results[], size_t n,
    bool dry_run, struct pfa_gate_outcome *out)
{
	memset(out, 0, sizeof(*out));
	pfa_result_init(&out->res);
	size_t nchanged = 0;
	bool wanted = false;
	for (size_t i = 0; i < n; i++) {
		if (results[i] == NULL)
			continue;
		for (size_t j = 0; j < results[i]->nchanges; j++)
			if (results[i]->changes[j].reload)
				nchanged++;
		wanted = wanted || results[i]->reload_wanted;
	}
	/* changes Postfix notices by itself (indexed tables) need nothing */
	out->needed = nchanged > 0 || wanted;
	if (!out->needed || dry_run)
		return;

	out->checked = true;
	if (!validate(g, pf, &out->res, "after the changes")) {
		pfa_log(LOG_CRIT, "event=gate-invalid changed=%zu "
		    "action=rollback", nchanged);
		if (nchanged > 0) {
			restore_all(results, n, &out->res);
			out->rolled_back = true;
			struct pfa_result again;
			pfa_result_init(&again);
			if (!validate(g, pf, &again, "after the rollback"))
				pfa_result_add_finding(&out->res,
				    PFA_SEV_CRITICAL, "PFA-GATE-009",
				    pfa_postfix_config_dir(pf), NULL,
				    "the configuration still does not validate "
				    "after the rollback: the problem predates "
				    "this run; Postfix was not reloaded");
			pfa_result_free(&again);
		}
		return;
	}
	out->validated = true;

	int running = pfa_postfix_running(pf);
	if (running < 0) {
		/* left in place, the changes would never be reloaded: the
		 * next run sees nothing to do.  Put back, they are redone. */
		pfa_result_add_finding(&out->res, PFA_SEV_UNKNOWN,
		    "PFA-GATE-007", pfa_postfix_config_dir(pf), NULL,
		    "could not tell whether Postfix is running; not reloaded: "
		    "the changes were put back and the tasks stay due, so the "
		    "next run tries again");
		restore_all(results, n, &out->res);
		out->rolled_back = true;
		return;
	}
	out->running_known = true;
	out->running = running == 1;
	if (!out->running) {
		pfa_log(LOG_NOTICE, "event=no-reload reason=not-running "
		    "changed=%zu", nchanged);
		pfa_result_add_finding(&out->res, PFA_SEV_INFO, "PFA-GATE-005",
		    pfa_postfix_config_dir(pf), NULL, "Postfix is not running: "
		    "nothing was reloaded or started; the changes take effect "
		    "when it starts");
		return;
	}
	if (!cfg->reload) {
		char *fix = pfa_remedy(pfa_postfix_config_dir(pf),
		    "postfix reload");
		pfa_result_add_finding(&out->res, PFA_SEV_INFO, "PFA-GATE-006",
		    "postfix.reload", fix,
		    "reloading is disabled in pfagent.conf; Postfix picks up "
		    "the changes when its processes restart");
		free(fix);
		return;
	}

	/* a copy: the Postfix module's cache is dropped after a rollback */
	char *logfile = pfa_xstrdup(pfa_postfix_log_file(pf, cfg->log_file));
	struct pfa_maillog_mark mark;
	(void)pfa_health_mark(logfile, &mark);
	char *why = NULL;
	if (pfa_postfix_reload(pf, &why) < 0) {
		pfa_result_add_finding(&out->res, PFA_SEV_CRITICAL,
		    "PFA-GATE-003", pfa_postfix_config_dir(pf), NULL,
		    "postfix reload failed: %s", why);
		free(why);
		restore_all(results, n, &out->res);
		out->rolled_back = true;
		pfa_maillog_mark_free(&mark);
		free(logfile);
		return;
	}
	out->reloaded = true;
	pfa_log(LOG_NOTICE, "event=reloaded config_directory=%s changed=%zu",
	    pfa_postfix_config_dir(pf), nchanged);

	out->healthy = pfa_health_check(pf, logfile, &mark,
	    (int)cfg->health_wait, &out->res);
	if (out->healthy) {
		pfa_maillog_mark_free(&mark);
		free(logfile);
		return;
	}

	pfa_log(LOG_CRIT, "event=unhealthy-after-reload action=rollback");
	restore_all(results, n, &out->res);
	out->rolled_back = true;
	pfa_postfix_invalidate(pf);
	pfa_maillog_mark_free(&mark);
	(void)pfa_health_mark(logfile, &mark);
	if (pfa_postfix_reload(pf, &why) < 0) {
		pfa_result_add_finding(&out->res, PFA_SEV_CRITICAL,
		    "PFA-GATE-003", pfa_postfix_config_dir(pf), NULL,
		    "postfix reload after the rollback failed: %s", why);
		free(why);
		pfa_maillog_mark_free(&mark);
		free(logfile);
		return;
	}
	struct pfa_result after;
	pfa_result_init(&after);
	bool healthy = pfa_health_check(pf, logfile, &mark,
	    (int)cfg->health_wait, &after);
	pfa_result_add_finding(&out->res, PFA_SEV_CRITICAL, "PFA-GATE-010",
	    pfa_postfix_config_dir(pf), NULL, healthy ?
	    "Postfix was unhealthy after the reload; the changes were rolled "
	    "back and Postfix is healthy again" :
	    "Postfix was unhealthy after the reload and is still unhealthy "
	    "after the rollback: the problem predates this run");
	for (size_t i = 0; i < after.nfindings && !healthy; i++) {
		const struct pfa_finding *f = &after.findings[i];
		pfa_result_add_finding(&out->res, f->sev, f->id, f->subject,
		    f->remedy, "after the rollback: %s", f->message);
	}
	pfa_result_free(&after);
	pfa_maillog_mark_free(&mark);
	free(logfile);
}
