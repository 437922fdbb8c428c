/*
 * postfix.c - Postfix's commands, parameters and services, for the core
 * and the tasks.  The only module that knows command names and how to
 * reload.
 *
 * Every command is COMMAND_DIRECTORY/<cmd> -c CONFIG_DIRECTORY ... through
 * the exec service.  postconf's views (-x, -P, -F) are run once per run and
 * cached until pfa_postfix_invalidate().  Failures are logged here once and
 * remembered for pfa_postfix_error().
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "postfix.h"
#include "result.h"

struct kv {
	char *name;
	char *value;
};

struct pfa_postfix {
	char *config_dir;
	char *command_dir;
	char *error;
	bool have_params;
	struct kv *params;
	size_t nparams;
	bool have_svc_params;
	struct kv *svc_params;		/* name = "service/type/param" */
	size_t nsvc_params;
	struct pfa_svc_param **svc_result;	/* last query result */
	bool have_services;
	struct pfa_service **services;
};

struct pfa_postfix *
pfa_postfix_new(const char *config_dir, const char *command_dir)
{
	struct pfa_postfix *pf = pfa_xcalloc(1, sizeof(*pf));
	pf->config_dir = pfa_xstrdup(config_dir);
	pf->command_dir = pfa_xstrdup(command_dir);
	return pf;
}

static void
free_kv(struct kv *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].value);
	}
	free(v);
}

static void
free_svc_result(struct pfa_postfix *pf)
{
	if (pf->svc_result == NULL)
		return;
	for (struct pfa_svc_param **p = pf->svc_result; *p; p++) {
		free((*p)->service);
		free((*p)->type);
		free((*p)->value);
		free(*p);
	}
	free(pf->svc_result);
	pf->svc_result = NULL;
}

void
pfa_postfix_invalidate(struct pfa_postfix *pf)
{
	free_kv(pf->params, pf->nparams);
	free_kv(pf->svc_params, pf->nsvc_params);
	pf->params = pf->svc_params = NULL;
	pf->nparams = pf->nsvc_params = 0;
	pf->have_params = pf->have_svc_params = false;
	free_svc_result(pf);
	if (pf->services != NULL) {
		for (struct pfa_service **s = pf->services; *s; s++) {
			free((*s)->name);
			free((*s)->type);
			free((*s)->command);
			free(*s);
		}
		free(pf->services);
	}
	pf->services = NULL;
	pf->have_services = false;
}

void
pfa_postfix_free(struct pfa_postfix *pf)
{
	if (pf == NULL)
		return;
	pfa_postfix_invalidate(pf);
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

/* Runs postconf with ARG and parses "name = value" lines into V. */
static int
postconf_lines(struct pfa_postfix *pf, const char *arg, struct kv **v,
    size_t *n)
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
	if (r.status != 0) {
		char *why = first_line(r.err_len ? r.err : r.out);
		set_error(pf, pfa_xasprintf("postconf -c %s %s failed: %s",
		    pf->config_dir, arg, why));
		char q[600];
		pfa_log(LOG_ERR, "event=postconf-failed config_directory=%s "
		    "args=%s status=%d error=%s", pf->config_dir, arg, r.status,
		    pfa_log_quote(q, sizeof(q), why));
		free(why);
		pfa_exec_result_free(&r);
		return -1;
	}
	size_t cap = 256, cnt = 0;
	struct kv *out = pfa_xcalloc(cap, sizeof(*out));
	char *save = NULL;
	for (char *line = strtok_r(r.out, "\n", &save); line;
	    line = strtok_r(NULL, "\n", &save)) {
		char *eq = strstr(line, " =");
		if (eq == NULL)
			continue;
		*eq = '\0';
		char *val = eq + 2;
		if (*val == ' ')
			val++;
		if (cnt == cap) {
			cap *= 2;
			out = pfa_xrealloc(out, cap * sizeof(*out));
		}
		out[cnt].name = pfa_xstrdup(line);
		out[cnt].value = pfa_xstrdup(val);
		cnt++;
	}
	pfa_exec_result_free(&r);
	*v = out;
	*n = cnt;
	return 0;
}

int
pfa_postfix_each_postconf(struct pfa_postfix *pf, const char *arg,
    void (*fn)(void *arg, const char *name, const char *value), void *fnarg)
{
	struct kv *v;
	size_t n;
	if (postconf_lines(pf, arg, &v, &n) < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		fn(fnarg, v[i].name, v[i].value);
	free_kv(v, n);
	return 0;
}

const char *
pfa_postfix_param(struct pfa_postfix *pf, const char *name)
{
	if (!pf->have_params) {
		if (postconf_lines(pf, "-x", &pf->params, &pf->nparams) < 0)
			return NULL;
		pf->have_params = true;
	}
	for (size_t i = 0; i < pf->nparams; i++)
		if (strcmp(pf->params[i].name, name) == 0)
			return pf->params[i].value;
	return NULL;
}

int
pfa_postfix_each_param(struct pfa_postfix *pf,
    void (*fn)(void *arg, const char *name, const char *value), void *arg)
{
	if (!pf->have_params) {
		if (postconf_lines(pf, "-x", &pf->params, &pf->nparams) < 0)
			return -1;
		pf->have_params = true;
	}
	for (size_t i = 0; i < pf->nparams; i++)
		fn(arg, pf->params[i].name, pf->params[i].value);
	return 0;
}

static int
load_svc_params(struct pfa_postfix *pf)
{
	if (pf->have_svc_params)
		return 0;
	if (postconf_lines(pf, "-P", &pf->svc_params, &pf->nsvc_params) < 0)
		return -1;
	pf->have_svc_params = true;
	return 0;
}

int
pfa_postfix_each_service_param(struct pfa_postfix *pf,
    void (*fn)(void *arg, const char *service, const char *type,
    const char *name, const char *value), void *arg)
{
	if (load_svc_params(pf) < 0)
		return -1;
	for (size_t i = 0; i < pf->nsvc_params; i++) {
		/* "service/type/param" */
		char *key = pfa_xstrdup(pf->svc_params[i].name);
		char *s1 = strchr(key, '/');
		char *s2 = s1 ? strchr(s1 + 1, '/') : NULL;
		if (s2 != NULL) {
			*s1 = *s2 = '\0';
			fn(arg, key, s1 + 1, s2 + 1, pf->svc_params[i].value);
		}
		free(key);
	}
	return 0;
}

const struct pfa_svc_param *const *
pfa_postfix_service_params(struct pfa_postfix *pf, const char *name)
{
	if (load_svc_params(pf) < 0)
		return NULL;
	free_svc_result(pf);
	size_t cnt = 0;
	pf->svc_result = pfa_xcalloc(pf->nsvc_params + 1,
	    sizeof(*pf->svc_result));
	for (size_t i = 0; i < pf->nsvc_params; i++) {
		/* "service/type/param": the service name may hold no '/' */
		const char *key = pf->svc_params[i].name;
		const char *s1 = strchr(key, '/');
		const char *s2 = s1 ? strchr(s1 + 1, '/') : NULL;
		if (s2 == NULL || strcmp(s2 + 1, name) != 0)
			continue;
		struct pfa_svc_param *p = pfa_xcalloc(1, sizeof(*p));
		p->service = strndup(key, (size_t)(s1 - key));
		p->type = strndup(s1 + 1, (size_t)(s2 - s1 - 1));
		p->value = pfa_xstrdup(pf->svc_params[i].value);
		if (p->service == NULL || p->type == NULL)
			abort();
		pf->svc_result[cnt++] = p;
	}
	return (const struct pfa_svc_param *const *)pf->svc_result;
}

const struct pfa_service *const *
pfa_postfix_services(struct pfa_postfix *pf)
{
	if (pf->have_services)
		return (const struct pfa_service *const *)pf->services;
	struct kv *v;
	size_t n;
	if (postconf_lines(pf, "-F", &v, &n) < 0)
		return NULL;
	size_t cnt = 0;
	pf->services = pfa_xcalloc(n + 1, sizeof(*pf->services));
	for (size_t i = 0; i < n; i++) {
		/* "name/type/command = ..." */
		const char *key = v[i].name;
		size_t klen = strlen(key);
		if (klen < 9 || strcmp(key + klen - 8, "/command") != 0)
			continue;
		const char *s1 = strchr(key, '/');
		if (s1 == NULL || s1 >= key + klen - 8)
			continue;
		struct pfa_service *s = pfa_xcalloc(1, sizeof(*s));
		s->name = strndup(key, (size_t)(s1 - key));
		s->type = strndup(s1 + 1, (size_t)(key + klen - 8 - s1 - 1));
		s->command = pfa_xstrdup(v[i].value);
		if (s->name == NULL || s->type == NULL)
			abort();
		pf->services[cnt++] = s;
	}
	free_kv(v, n);
	pf->have_services = true;
	return (const struct pfa_service *const *)pf->services;
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

	const char *nargs[] = { "-n", NULL };
	struct pfa_exec_opts no = { .timeout_ms = 30000 };
	if (pfa_postfix_run(pf, "postconf", nargs, &no, &r) < 0) {
		pfa_postfix_check_free(c);
		return -1;
	}
	if (r.status != 0) {
		c->ok = false;
		char *why = first_line(r.err_len ? r.err : r.out);
		char *both = pfa_xasprintf("%s%spostconf -n: %s",
		    c->check_output, *c->check_output ? "\n" : "", why);
		free(why);
		free(c->check_output);
		c->check_output = both;
	}
	collect_warnings(c, r.err);
	pfa_exec_result_free(&r);
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
