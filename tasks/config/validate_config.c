/*
 * validate_config.c - the validate-config task: Postfix's own checks, the
 * loadability checks the reload gate also runs, the hardening audit for
 * the host's roles, and drift since the last run.
 *
 * Reads main.cf itself only to tell a missing, unreadable or binary file
 * apart (an UNKNOWN finding with file:line, never a crash); everything
 * else comes from Postfix through the configuration view (cfview.c).
 * Writes nothing but the drift snapshots in the state directory, never
 * reloads.  Findings the task's `ignore` names (the core's setting of
 * every task) are left out of the report; the gate's loadability checks
 * still block a reload whatever `ignore` says.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "audit.h"
#include "cfview.h"
#include "drift.h"
#include "loadcheck.h"
#include "log.h"
#include "remedy.h"
#include "task.h"

struct vc_conf {
	unsigned roles;		/* 0: derive them from the configuration */
	bool audit;
	bool drift;
	long long keep;
};

static const char *const settings[] = {
	"roles", "audit", "drift", "keep", NULL,
};

/* This module's own rules. */
const struct pfa_finding_doc pfa_cfg_findings[] = {
	{ "PFA-CFG-001", PFA_SEV_CRITICAL, "postfix check fails" },
	{ "PFA-CFG-002", PFA_SEV_WARNING, "postconf warns about main.cf "
	    "(an unused or misspelled parameter)" },
	{ "PFA-CFG-003", PFA_SEV_UNKNOWN, "the configuration directory is "
	    "missing" },
	{ "PFA-CFG-004", PFA_SEV_UNKNOWN, "main.cf or master.cf cannot be "
	    "read" },
	{ "PFA-CFG-005", PFA_SEV_UNKNOWN, "main.cf is not a Postfix "
	    "configuration (binary data, a line without '=')" },
	{ "PFA-CFG-006", PFA_SEV_UNKNOWN, "postconf failed: the configuration "
	    "could not be read" },
	{ NULL, 0, NULL },
};

static const struct pfa_finding_doc *const findings[] = {
	pfa_cfg_findings, pfa_loadcheck_findings, pfa_audit_relay_findings,
	pfa_audit_smtpd_findings, pfa_audit_tls_findings,
	pfa_audit_obs_findings, pfa_audit_sasl_findings, pfa_drift_findings,
	NULL,
};

static int
configure(const config_setting_t *s, void **out)
{
	struct vc_conf *c = pfa_xcalloc(1, sizeof(*c));
	int rc = 0;
	char **roles = NULL;
	if (pfa_conf_string_list(s, "roles", &roles) < 0)
		rc = -1;
	for (char **r = roles; r && *r; r++) {
		unsigned bit;
		if (strcmp(*r, "auto") == 0)
			continue;
		if (pfa_role_parse(*r, &bit) < 0) {
			pfa_conf_error(config_setting_get_member(
			    (config_setting_t *)s, "roles"), "unknown role "
			    "\"%s\" (one of mx, submission, relay, null-client, "
			    "auto)", *r);
			rc = -1;
		} else {
			c->roles |= bit;
		}
	}
	pfa_conf_free_list(roles);
	if (pfa_conf_bool(s, "audit", true, &c->audit) < 0 ||
	    pfa_conf_bool(s, "drift", true, &c->drift) < 0 ||
	    pfa_conf_int(s, "keep", 10, 1, 1000, &c->keep) < 0)
		rc = -1;
	*out = c;
	return rc;
}

static void
free_conf(void *p)
{
	struct vc_conf *c = p;
	if (c == NULL)
		return;
	free(c);
}

/* ------------------------------------------------------------ main.cf */

/*
 * 0 if DIR/main.cf looks like a Postfix configuration; -1 after an
 * UNKNOWN finding that names the file (and the line).
 */
static int
check_main_cf(const char *dir, struct pfa_result *res)
{
	struct stat st;
	int st_rc = stat(dir, &st);
	if (st_rc < 0 || !S_ISDIR(st.st_mode)) {
		pfa_result_add_finding(res, PFA_SEV_UNKNOWN, "PFA-CFG-003", dir,
		    "set postfix.config_directory in pfagent.conf",
		    "the Postfix configuration directory %s: %s", dir,
		    st_rc < 0 ? strerror(errno) : "not a directory");
		return -1;
	}
	char path[4096];
	snprintf(path, sizeof(path), "%s/main.cf", dir);
	FILE *f = fopen(path, "re");
	if (f == NULL) {
		pfa_result_add_finding(res, PFA_SEV_UNKNOWN, "PFA-CFG-004",
		    path, NULL, "cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	long lineno = 0;
	int rc = 0;
	while (rc == 0 && (n = getline(&line, &cap, f)) >= 0) {
		lineno++;
		const char *why = NULL;
		if (memchr(line, '\0', (size_t)n) != NULL)
			why = "a NUL byte: binary data, not a configuration";
		else if (line[0] != '#' && line[0] != ' ' &&
		    line[0] != '\t' && line[0] != '\n' && line[0] != '\r' &&
		    strchr(line, '=') == NULL)
			why = "not \"name = value\", a comment or a "
			    "continuation line";
		if (why != NULL) {
			pfa_result_add_finding(res, PFA_SEV_UNKNOWN,
			    "PFA-CFG-005", path, NULL, "%s:%ld: %s", path,
			    lineno, why);
			rc = -1;
		}
	}
	if (rc == 0 && ferror(f)) {
		pfa_result_add_finding(res, PFA_SEV_UNKNOWN, "PFA-CFG-004",
		    path, NULL, "cannot read %s: %s", path, strerror(errno));
		rc = -1;
	}
	free(line);
	fclose(f);
	return rc;
}

/* -------------------------------------------------------------- steps */

/* First line of S, at most 300 bytes. */
static char *
first_line(const char *s)
{
	while (*s == '\n' || *s == '\r' || *s == ' ')
		s++;
	size_t n = strcspn(s, "\r\n");
	if (n > 300)
		n = 300;
	char *t = pfa_xmalloc(n + 1);
	memcpy(t, s, n);
	t[n] = '\0';
	return t;
}

static void
postfix_view(struct pfa_postfix *pf, struct pfa_result *res)
{
	struct pfa_postfix_check c;
	const char *dir = pfa_postfix_config_dir(pf);
	if (pfa_postfix_check(pf, &c) < 0) {
		pfa_result_add_finding(res, PFA_SEV_UNKNOWN, "PFA-CFG-006",
		    dir, NULL, "could not run Postfix's own checks (see "
		    "syslog)");
		return;
	}
	if (!c.ok) {
		char *l = first_line(c.check_output ? c.check_output : "");
		char *fix = pfa_remedy(dir, "run `postfix check` to see every "
		    "message");
		pfa_result_add_finding(res, PFA_SEV_CRITICAL, "PFA-CFG-001",
		    dir, fix, "postfix check fails: %s", l);
		free(fix);
		free(l);
	}
	char *fix = pfa_remedy(dir, "remove or correct the parameter with "
	    "`postconf -# NAME` or `postconf -e`");
	for (size_t i = 0; i < c.nwarnings; i++)
		pfa_result_add_finding(res, PFA_SEV_WARNING, "PFA-CFG-002",
		    dir, fix, "postconf: %s", c.warnings[i]);
	free(fix);
	pfa_postfix_check_free(&c);
}

/* Moves SCRATCH's findings into RES (which leaves out what the task's
 * `ignore` names, and counts it). */
static void
take(struct pfa_result *scratch, struct pfa_result *res)
{
	for (size_t i = 0; i < scratch->nfindings; i++) {
		const struct pfa_finding *f = &scratch->findings[i];
		pfa_result_add_finding(res, f->sev, f->id, f->subject,
		    f->remedy, "%s", f->message);
	}
	pfa_result_free(scratch);
	pfa_result_init(scratch);
}

static void
run(struct pfa_ctx *ctx, struct pfa_result *res)
{
	const struct vc_conf *c = ctx->conf;
	const char *dir = pfa_postfix_config_dir(ctx->pf);
	struct pfa_result scratch;
	pfa_result_init(&scratch);

	if (check_main_cf(dir, res) < 0) {
		pfa_result_set_summary(res, "the Postfix configuration could "
		    "not be read");
		return;
	}
	postfix_view(ctx->pf, &scratch);

	const struct pfa_cfview *v = pfa_postfix_view(ctx->pf, PFA_VIEW_ALL);
	if (v == NULL) {
		const char *why = pfa_postfix_error(ctx->pf);
		pfa_result_add_finding(res, PFA_SEV_UNKNOWN, "PFA-CFG-006", dir,
		    NULL, "%s", why ? why : "postconf failed");
		take(&scratch, res);
		pfa_result_set_summary(res, "postconf failed");
		return;
	}

	int blocking = pfa_loadcheck_all(v, ctx->pf, &scratch);
	unsigned roles = c->roles ? c->roles : pfa_role_detect(v);
	if (c->audit) {
		pfa_audit_relay(v, roles, &scratch);
		pfa_audit_smtpd(v, roles, &scratch);
		pfa_audit_tls(v, roles, &scratch);
		pfa_audit_obs(v, roles, &scratch);
		pfa_audit_sasl(v, roles, &scratch);
	}
	if (c->drift) {
		char *ddir = pfa_xasprintf("%s/config",
		    ctx->cfg->state_directory);
		struct pfa_drift_opts o = {
			.dir = ddir,
			.keep = (int)c->keep,
			.ctx = ctx,
			.master_started = pfa_postfix_master_started(ctx->pf),
		};
		pfa_drift_run(v, dir, &o, &scratch);
		free(ddir);
	}
	take(&scratch, res);
	size_t dropped = res->nignored;

	size_t n[4] = { 0 };
	for (size_t i = 0; i < res->nfindings; i++)
		n[res->findings[i].sev]++;
	char rb[64];
	pfa_role_names(roles, rb, sizeof(rb));
	pfa_result_add_metric(res, "critical", (double)n[PFA_SEV_CRITICAL], "");
	pfa_result_add_metric(res, "warnings", (double)n[PFA_SEV_WARNING], "");
	pfa_result_add_metric(res, "notes", (double)n[PFA_SEV_INFO], "");
	pfa_result_add_metric(res, "ignored", (double)dropped, "");
	pfa_result_set_summary(res, "Postfix %d.%d.%d as %s%s: %zu critical, "
	    "%zu warning%s, %zu note%s%s%s", v->version[0], v->version[1],
	    v->version[2], rb, c->roles ? " (configured)" : "",
	    n[PFA_SEV_CRITICAL], n[PFA_SEV_WARNING],
	    n[PFA_SEV_WARNING] == 1 ? "" : "s", n[PFA_SEV_INFO],
	    n[PFA_SEV_INFO] == 1 ? "" : "s",
	    blocking ? "; a reload would be refused" : "",
	    dropped ? " (some ignored)" : "");
}

const struct pfa_task task_validate_config = {
	.name = "validate-config",
	.summary = "check Postfix's configuration: what would break it, "
	    "hardening, and what changed",
	.help =
	    "Runs Postfix's own checks (postfix check, postconf warnings); "
	    "the loadability checks postconf skips (numbers, sizes and "
	    "times, restriction names, lookup tables that must open, '#' "
	    "inside values, TLS protocol and cipher settings, "
	    "message_size_limit against the mailbox limits, the relay "
	    "guard), which the reload gate also runs before every reload; "
	    "a hardening audit whose severities follow the host's roles "
	    "(mx, submission, relay, null-client); and drift: what changed "
	    "in main.cf and master.cf since the last run, with the last "
	    "`keep` copies of both kept in STATE_DIRECTORY/config for diff.  "
	    "Changes nothing Postfix reads.\n"
	    "Settings (tasks.validate-config): enabled (true), every "
	    "(\"1d\"), roles (list of mx, submission, relay, null-client; "
	    "default derived from the configuration), ignore (list of \"ID\" "
	    "or \"ID SUBJECT\" to leave out of the report), audit (true), "
	    "drift (true), keep (10).",
	.default_every = 86400,
	.settings = settings,
	.findings = findings,
	.configure = configure,
	.free_conf = free_conf,
	.run = run,
};
