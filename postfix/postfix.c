/*
 * postfix.c - Postfix's commands and the one configuration view, for the
 * core and the tasks.  The only module that knows command names and how
 * to reload.
 *
 * Every command is COMMAND_DIRECTORY/<cmd> -c CONFIG_DIRECTORY ... through
 * the exec service.  The configuration view (cfview.h) is filled from
 * postconf part by part as callers ask for it (-x parameters, -F and -P
 * services, -n main.cf as written, -dx defaults), each part at most once
 * per run, until pfa_postfix_invalidate(); the defaults never change in a
 * run and survive it.  Failures are logged here once and remembered for
 * pfa_postfix_error().
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "postconf_out.h"
#include "postfix.h"
#include "reload.h"
#include "result.h"

struct pfa_postfix {
	char *config_dir;
	char *command_dir;
	char *error;
	struct pfa_cfview view;
	unsigned have;			/* PFA_VIEW_* parts in view */
	struct pfa_postconf_kv *dflt;		/* postconf -dx, kept for the run */
	size_t ndflt;
	bool have_dflt;
	char *raw_err;			/* what postconf -n said on stderr */
	char *raw_why;			/* why it failed, NULL if it ran */
	bool raw_ran;			/* postconf -n could be started */
};

struct pfa_postfix *
pfa_postfix_new(const char *config_dir, const char *command_dir)
{
	struct pfa_postfix *pf = pfa_xcalloc(1, sizeof(*pf));
	pf->config_dir = pfa_xstrdup(config_dir);
	pf->command_dir = pfa_xstrdup(command_dir);
	pfa_cfview_init(&pf->view, config_dir);
	return pf;
}

static void
free_kv(struct pfa_postconf_kv *v, size_t n)
{
	pfa_postconf_kv_free(v, n);
}

void
pfa_postfix_invalidate(struct pfa_postfix *pf)
{
	pfa_cfview_free(&pf->view);
	pfa_cfview_init(&pf->view, pf->config_dir);
	pf->have = 0;
	free(pf->raw_err);
	free(pf->raw_why);
	pf->raw_err = pf->raw_why = NULL;
	pf->raw_ran = false;
}

void
pfa_postfix_free(struct pfa_postfix *pf)
{
	if (pf == NULL)
		return;
	pfa_postfix_invalidate(pf);
	pfa_cfview_free(&pf->view);
	free_kv(pf->dflt, pf->ndflt);
	free(pf->config_dir);
	free(pf->command_dir);
	free(pf->error);
	free(pf);
}

const char *
pfa_postfix_config_dir(const struct pfa_postfix *pf)
{
	return pf->config_dir;
}

const char *
pfa_postfix_error(const struct pfa_postfix *pf)
{
	return pf->error;
}

int
pfa_postfix_run(struct pfa_postfix *pf, const char *cmd,
    const char *const args[], const struct pfa_exec_opts *opts,
    struct pfa_exec_result *res)
{
	size_t n = 0;
	while (args && args[n])
		n++;
	const char **argv = pfa_xcalloc(n + 4, sizeof(*argv));
	char *path = pfa_xasprintf("%s/%s", pf->command_dir, cmd);
	argv[0] = path;
	argv[1] = "-c";
	argv[2] = pf->config_dir;
	for (size_t i = 0; i < n; i++)
		argv[3 + i] = args[i];
	int rc = pfa_exec(argv, opts, res);
	free(path);
	free(argv);
	return rc;
}

/* First line of TEXT, for error messages. */
static char *
first_line(const char *text)
{
	while (*text == '\n')
		text++;
	size_t n = strcspn(text, "\n");
	char *s = pfa_xmalloc(n + 1);
	memcpy(s, text, n);
	s[n] = '\0';
	return s;
}

static void
set_error(struct pfa_postfix *pf, char *msg)
{
	free(pf->error);
	pf->error = msg;
}

/*
 * Runs postconf with ARG and parses "name = value" lines into V.  With
 * ERR, what postconf wrote on stderr is kept there (free it) and *WHY is
 * the reason it failed (free it), or NULL if it exited 0; both stay NULL
 * when it could not be started.
 */
static int
postconf_run(struct pfa_postfix *pf, const char *arg, struct pfa_postconf_kv **v,
    size_t *n, char **err, char **why_out)
{
	const char *args[] = { arg, NULL };
	struct pfa_exec_opts o = { .timeout_ms = 30000,
		.max_capture = 16 * 1024 * 1024 };
	struct pfa_exec_result r;
	if (pfa_postfix_run(pf, "postconf", args, &o, &r) < 0) {
		set_error(pf, pfa_xasprintf("cannot run %s/postconf: %s",
		    pf->command_dir, strerror(errno)));
		return -1;
	}
	if (err != NULL)
		*err = pfa_xstrdup(r.err);
	if (r.status != 0) {
		char *why = first_line(r.err_len ? r.err : r.out);
		set_error(pf, pfa_xasprintf("postconf -c %s %s failed: %s",
		    pf->config_dir, arg, why));
		char q[600];
		pfa_log(LOG_ERR, "event=postconf-failed config_directory=%s "
		    "args=%s status=%d error=%s", pf->config_dir, arg, r.status,
		    pfa_log_quote(q, sizeof(q), why));
		if (why_out != NULL)
			*why_out = why;
		else
			free(why);
		pfa_exec_result_free(&r);
		return -1;
	}
	/* exit 0 is not enough: what it printed must be what postconf
	 * prints, and all of it */
	char bad[160];
	enum pfa_postconf_form form = arg[1] == 'F' || arg[1] == 'P' ?
	    PFA_POSTCONF_SERVICES : strcmp(arg, "-n") == 0 ?
	    PFA_POSTCONF_SOME : PFA_POSTCONF_ALL;
	if (r.out_truncated)
		snprintf(bad, sizeof(bad), "more than %zu bytes", o.max_capture);
	if (r.out_truncated || pfa_postconf_parse(r.out, r.out_len, form, v, n,
	    bad, sizeof(bad)) < 0) {
		set_error(pf, pfa_xasprintf("postconf -c %s %s printed what "
		    "postconf does not print: %s", pf->config_dir, arg, bad));
		char q[300];
		pfa_log(LOG_ERR, "event=postconf-garbled config_directory=%s "
		    "args=%s reason=%s", pf->config_dir, arg,
		    pfa_log_quote(q, sizeof(q), bad));
		if (err != NULL) {
			free(*err);
			*err = NULL;
		}
		pfa_exec_result_free(&r);
		*v = NULL;
		*n = 0;
		return -1;
	}
	pfa_exec_result_free(&r);
	return 0;
}

static int
postconf_lines(struct pfa_postfix *pf, const char *arg, struct pfa_postconf_kv **v,
    size_t *n)
{
	return postconf_run(pf, arg, v, n, NULL, NULL);
}

/* postconf -F's "name/type/command = ..." lines into services. */
static void
load_services(struct pfa_cfview *v, const struct pfa_postconf_kv *kv, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *key = kv[i].name;
		size_t klen = strlen(key);
		if (klen < 9 || strcmp(key + klen - 8, "/command") != 0)
			continue;
		const char *s1 = strchr(key, '/');
		if (s1 == NULL || s1 >= key + klen - 8)
			continue;
		char *name = strndup(key, (size_t)(s1 - key));
		char *type = strndup(s1 + 1, (size_t)(key + klen - 8 - s1 - 1));
		if (name == NULL || type == NULL)
			abort();
		pfa_cfview_add_service(v, name, type, kv[i].value);
		free(name);
		free(type);
	}
}

/* postconf -P's "service/type/param = value" lines into the services'
 * overrides (the service name holds no '/'). */
static void
load_svc_opts(struct pfa_cfview *v, const struct pfa_postconf_kv *kv, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *key = kv[i].name;
		const char *s1 = strchr(key, '/');
		const char *s2 = s1 ? strchr(s1 + 1, '/') : NULL;
		if (s2 == NULL)
			continue;
		for (size_t k = 0; k < v->nsvcs; k++) {
			struct pfa_cfsvc *s = &v->svcs[k];
			if (strlen(s->name) == (size_t)(s1 - key) &&
			    strncmp(s->name, key, (size_t)(s1 - key)) == 0 &&
			    strlen(s->type) == (size_t)(s2 - s1 - 1) &&
			    strncmp(s->type, s1 + 1, (size_t)(s2 - s1 - 1)) == 0) {
				pfa_cfview_svc_opt(s, s2 + 1, kv[i].value);
				break;
			}
		}
	}
}

/* Loads one part of the view; 0 or -1 (pf->error set). */
static int
load_part(struct pfa_postfix *pf, unsigned part)
{
	struct pfa_postconf_kv *kv = NULL, *kv2 = NULL;
	size_t n = 0, n2 = 0;
	struct pfa_cfview *v = &pf->view;
	switch (part) {
	case PFA_VIEW_PARAMS:
		if (postconf_lines(pf, "-x", &kv, &n) < 0)
			return -1;
		for (size_t i = 0; i < n; i++)
			pfa_cfview_set_expanded(v, kv[i].name, kv[i].value);
		pfa_cfview_set_version(v, pfa_cf_get(v, "mail_version"));
		break;
	case PFA_VIEW_RAW:
		/* its warnings are kept for pfa_postfix_check */
		free(pf->raw_err);
		free(pf->raw_why);
		pf->raw_err = pf->raw_why = NULL;
		pf->raw_ran = false;
		if (postconf_run(pf, "-n", &kv, &n, &pf->raw_err,
		    &pf->raw_why) < 0) {
			pf->raw_ran = pf->raw_err != NULL;
			return -1;
		}
		pf->raw_ran = true;
		for (size_t i = 0; i < n; i++)
			pfa_cfview_load_raw(v, kv[i].name, kv[i].value);
		break;
	case PFA_VIEW_DEFAULTS:
		if (!pf->have_dflt) {
			if (postconf_lines(pf, "-dx", &pf->dflt, &pf->ndflt) < 0)
				return -1;
			pf->have_dflt = true;
		}
		for (size_t i = 0; i < pf->ndflt; i++)
			pfa_cfview_load_default(v, pf->dflt[i].name,
			    pf->dflt[i].value);
		break;
	case PFA_VIEW_SERVICES:
		if (postconf_lines(pf, "-F", &kv, &n) < 0 ||
		    postconf_lines(pf, "-P", &kv2, &n2) < 0) {
			free_kv(kv, n);
			return -1;
		}
		load_services(v, kv, n);
		load_svc_opts(v, kv2, n2);
		break;
	default:
		abort();
	}
	free_kv(kv, n);
	free_kv(kv2, n2);
	pfa_cfview_sort(v);
	return 0;
}

const struct pfa_cfview *
pfa_postfix_view(struct pfa_postfix *pf, unsigned parts)
{
	static const unsigned order[] = { PFA_VIEW_PARAMS, PFA_VIEW_RAW,
		PFA_VIEW_DEFAULTS, PFA_VIEW_SERVICES };
	/* an override's "$name" is resolved through main.cf's values */
	if (parts & PFA_VIEW_SERVICES)
		parts |= PFA_VIEW_PARAMS;
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		if (!(parts & order[i]) || (pf->have & order[i]))
			continue;
		if (load_part(pf, order[i]) < 0)
			return NULL;
		pf->have |= order[i];
	}
	return &pf->view;
}

const char *
pfa_postfix_param(struct pfa_postfix *pf, const char *name)
{
	const struct pfa_cfview *v = pfa_postfix_view(pf, PFA_VIEW_PARAMS);
	return v != NULL ? pfa_cf_get(v, name) : NULL;
}

int
pfa_postfix_running(struct pfa_postfix *pf)
{
	const char *args[] = { "status", NULL };
	struct pfa_exec_opts o = { .timeout_ms = 30000 };
	struct pfa_exec_result r;
	if (pfa_postfix_run(pf, "postfix", args, &o, &r) < 0)
		return -1;
	int rc = r.status == 0 ? 1 : r.status == 1 ? 0 : -1;
	if (rc < 0)
		pfa_log(LOG_ERR, "event=postfix-status-failed "
		    "config_directory=%s status=%d signal=%d", pf->config_dir,
		    r.status, r.signal);
	pfa_exec_result_free(&r);
	return rc;
}

/* The first line of PATH into BUF; 0 or -1. */
static int
read_line(const char *path, char *buf, size_t n)
{
	FILE *f = fopen(path, "re");
	if (f == NULL)
		return -1;
	char *l = fgets(buf, (int)n, f);
	fclose(f);
	return l ? 0 : -1;
}

time_t
pfa_postfix_master_started(struct pfa_postfix *pf)
{
	const char *qdir = pfa_postfix_param(pf, "queue_directory");
	if (qdir == NULL)
		return 0;
	char path[4096], buf[1024];
	snprintf(path, sizeof(path), "%s/pid/master.pid", qdir);
	if (read_line(path, buf, sizeof(buf)) < 0)
		return 0;
	long pid = strtol(buf, NULL, 10);
	if (pid <= 0)
		return 0;
	/* /proc/PID/stat: "pid (comm) state ..."; starttime is field 22 */
	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	if (read_line(path, buf, sizeof(buf)) < 0)
		return 0;
	char *rp = strrchr(buf, ')');
	if (rp == NULL || strncmp(strchr(buf, '(') ? strchr(buf, '(') : "",
	    "(master)", 8) != 0)
		return 0;
	if (rp[1] != ' ' || rp[2] == 'Z' || rp[2] == 'X')
		return 0;	/* stopped, not yet reaped: not running */
	char *p = rp + 2;
	for (int field = 3; field < 22 && p; field++) {
		p = strchr(p, ' ');
		if (p)
			p++;
	}
	if (p == NULL)
		return 0;
	unsigned long long ticks = strtoull(p, NULL, 10);
	FILE *f = fopen("/proc/stat", "re");
	if (f == NULL)
		return 0;
	unsigned long long btime = 0;
	while (fgets(buf, sizeof(buf), f) != NULL)
		if (sscanf(buf, "btime %llu", &btime) == 1)
			break;
	fclose(f);
	long hz = sysconf(_SC_CLK_TCK);
	if (btime == 0 || hz <= 0)
		return 0;
	return (time_t)(btime + ticks / (unsigned long long)hz);
}

int
pfa_postfix_reload(struct pfa_postfix *pf, char **why)
{
	/* on a pty, so postfix(1) says why when it fails */
	const char *args[] = { "reload", NULL };
	struct pfa_exec_opts o = { .timeout_ms = 60000, .use_pty = true };
	struct pfa_exec_result r;
	*why = NULL;
	if (pfa_postfix_run(pf, "postfix", args, &o, &r) < 0) {
		*why = pfa_xasprintf("cannot run %s/postfix: %s",
		    pf->command_dir, strerror(errno));
		return -1;
	}
	int rc = 0;
	if (r.status != 0) {
		*why = r.timed_out ? pfa_xstrdup("postfix reload timed out") :
		    r.out_len ? first_line(r.out) :
		    pfa_xasprintf("postfix reload exited %d", r.status);
		rc = -1;
	}
	pfa_exec_result_free(&r);
	return rc;
}

static void
add_warning(struct pfa_postfix_check *c, const char *line)
{
	for (size_t i = 0; i < c->nwarnings; i++)
		if (strcmp(c->warnings[i], line) == 0)
			return;
	c->warnings = pfa_xrealloc(c->warnings,
	    (c->nwarnings + 2) * sizeof(*c->warnings));
	c->warnings[c->nwarnings++] = pfa_xstrdup(line);
	c->warnings[c->nwarnings] = NULL;
}

/* Every line with "warning:" (without the leading "program: "). */
static void
collect_warnings(struct pfa_postfix_check *c, char *text)
{
	char *save = NULL;
	for (char *line = strtok_r(text, "\n", &save); line;
	    line = strtok_r(NULL, "\n", &save)) {
		char *w = strstr(line, "warning: ");
		if (w != NULL)
			add_warning(c, w);
	}
}

int
pfa_postfix_check(struct pfa_postfix *pf, struct pfa_postfix_check *c)
{
	memset(c, 0, sizeof(*c));
	c->warnings = pfa_xcalloc(1, sizeof(*c->warnings));

	const char *cargs[] = { "check", NULL };
	struct pfa_exec_opts po = { .timeout_ms = 120000, .use_pty = true };
	struct pfa_exec_result r;
	if (pfa_postfix_run(pf, "postfix", cargs, &po, &r) < 0) {
		pfa_postfix_check_free(c);
		return -1;
	}
	c->ok = r.status == 0;
	c->check_output = pfa_xstrdup(r.out);
	if (!c->ok && r.out_len == 0) {
		free(c->check_output);
		c->check_output = pfa_xasprintf("postfix check exited %d "
		    "without a message", r.status);
	}
	collect_warnings(c, r.out);
	pfa_exec_result_free(&r);

	/* postconf -n's warnings: the view's (it runs once) */
	if (pfa_postfix_view(pf, PFA_VIEW_RAW) == NULL) {
		if (!pf->raw_ran) {
			pfa_postfix_check_free(c);
			return -1;
		}
		c->ok = false;
		char *both = pfa_xasprintf("%s%spostconf -n: %s",
		    c->check_output, *c->check_output ? "\n" : "",
		    pf->raw_why ? pf->raw_why : "failed");
		free(c->check_output);
		c->check_output = both;
	}
	if (pf->raw_err != NULL) {
		char *err = pfa_xstrdup(pf->raw_err);
		collect_warnings(c, err);
		free(err);
	}
	return 0;
}

void
pfa_postfix_check_free(struct pfa_postfix_check *c)
{
	if (c->warnings != NULL)
		for (size_t i = 0; i < c->nwarnings; i++)
			free(c->warnings[i]);
	free(c->warnings);
	free(c->check_output);
	memset(c, 0, sizeof(*c));
}

const char *
pfa_postfix_log_file(struct pfa_postfix *pf, const char *fallback)
{
	const char *v = pfa_postfix_param(pf, "maillog_file");
	return v != NULL && *v != '\0' ? v : fallback;
}
