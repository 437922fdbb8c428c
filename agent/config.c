/*
 * config.c - reads and checks pfagent.conf (libconfig), all at once.
 *
 * Owns: the pfa_config structure, the built-in defaults, the file's
 * ownership check, and the pfa_conf_* helpers tasks use for their own
 * sections.  Every problem is reported as "FILE:LINE: setting: message" on
 * stderr and in syslog, and counted; loading fails if any was found.
 * Nothing here runs programs or writes files.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "duration.h"
#include "log.h"
#include "task.h"

static int nerrors;

int
pfa_conf_errors(void)
{
	return nerrors;
}

/* "tasks.rotate-dh.bits" for a setting (the root has no name). */
static void
setting_path(const config_setting_t *s, char *buf, size_t size)
{
	const char *names[16];
	int n = 0;
	for (; s != NULL && n < 16; s = config_setting_parent(s)) {
		const char *name = config_setting_name(s);
		if (name != NULL)
			names[n++] = name;
	}
	size_t o = 0;
	buf[0] = '\0';
	while (n-- > 0 && o < size) {
		int w = snprintf(buf + o, size - o, "%s%s", o ? "." : "",
		    names[n]);
		if (w < 0)
			break;
		o += (size_t)w;
	}
}

static void
verror(const char *file, int line, const char *path, const char *fmt,
    va_list ap)
{
	char msg[1024], q[1100], qf[600];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	nerrors++;
	if (file == NULL)
		file = "(built-in defaults)";
	fprintf(stderr, "pfagent: %s:%d: %s%s%s\n", file, line,
	    path && *path ? path : "", path && *path ? ": " : "", msg);
	pfa_log_syslog(LOG_ERR,
	    "event=config-error file=%s line=%d setting=%s message=%s",
	    pfa_log_quote(qf, sizeof(qf), file), line, path ? path : "",
	    pfa_log_quote(q, sizeof(q), msg));
}

static void
file_error(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void
file_error(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	verror(file, line, NULL, fmt, ap);
	va_end(ap);
}

void
pfa_conf_error(const config_setting_t *s, const char *fmt, ...)
{
	char path[256] = "";
	const char *file = NULL;
	int line = 0;
	if (s != NULL) {
		setting_path(s, path, sizeof(path));
		file = config_setting_source_file(s);
		line = (int)config_setting_source_line(s);
	}
	va_list ap;
	va_start(ap, fmt);
	verror(file, line, path, fmt, ap);
	va_end(ap);
}

static const config_setting_t *
member(const config_setting_t *s, const char *name)
{
	if (s == NULL)
		return NULL;
	return config_setting_get_member((config_setting_t *)s, name);
}

int
pfa_conf_bool(const config_setting_t *s, const char *name, bool def, bool *out)
{
	const config_setting_t *m = member(s, name);
	*out = def;
	if (m == NULL)
		return 0;
	if (config_setting_type(m) != CONFIG_TYPE_BOOL) {
		pfa_conf_error(m, "expected true or false");
		return -1;
	}
	*out = config_setting_get_bool(m) != 0;
	return 0;
}

int
pfa_conf_int(const config_setting_t *s, const char *name, long long def,
    long long min, long long max, long long *out)
{
	const config_setting_t *m = member(s, name);
	*out = def;
	if (m == NULL)
		return 0;
	long long v;
	switch (config_setting_type(m)) {
	case CONFIG_TYPE_INT:
		v = config_setting_get_int(m);
		break;
	case CONFIG_TYPE_INT64:
		v = config_setting_get_int64(m);
		break;
	default:
		pfa_conf_error(m, "expected an integer");
		return -1;
	}
	if (v < min || v > max) {
		pfa_conf_error(m, "%lld is out of range (%lld to %lld)", v, min,
		    max);
		return -1;
	}
	*out = v;
	return 0;
}

int
pfa_conf_string(const config_setting_t *s, const char *name, const char *def,
    char **out)
{
	const config_setting_t *m = member(s, name);
	*out = def ? pfa_xstrdup(def) : NULL;
	if (m == NULL)
		return 0;
	if (config_setting_type(m) != CONFIG_TYPE_STRING) {
		pfa_conf_error(m, "expected a string in double quotes");
		return -1;
	}
	free(*out);
	*out = pfa_xstrdup(config_setting_get_string(m));
	return 0;
}

int
pfa_conf_duration(const config_setting_t *s, const char *name, int64_t def,
    int64_t min, int64_t max, int64_t *out)
{
	const config_setting_t *m = member(s, name);
	*out = def;
	if (m == NULL)
		return 0;
	int64_t v;
	char a[32], b[32];
	if (config_setting_type(m) != CONFIG_TYPE_STRING) {
		pfa_conf_error(m, "expected a duration in double quotes, "
		    "such as \"7d\", \"12h\" or \"30m\"");
		return -1;
	}
	const char *text = config_setting_get_string(m);
	if (pfa_duration_parse(text, &v) < 0) {
		pfa_conf_error(m, "bad duration \"%s\" (use a number with "
		    "s, m, h, d or w, such as \"7d\" or \"1d12h\")", text);
		return -1;
	}
	if (v < min || v > max) {
		pfa_conf_error(m, "duration \"%s\" is out of range (%s to %s)",
		    text, pfa_duration_format(min, a, sizeof(a)),
		    pfa_duration_format(max, b, sizeof(b)));
		return -1;
	}
	*out = v;
	return 0;
}

void
pfa_conf_free_list(char **list)
{
	if (list == NULL)
		return;
	for (char **p = list; *p; p++)
		free(*p);
	free(list);
}

int
pfa_conf_string_list(const config_setting_t *s, const char *name, char ***out)
{
	const config_setting_t *m = member(s, name);
	*out = NULL;
	if (m == NULL)
		return 0;
	int t = config_setting_type(m);
	if (t != CONFIG_TYPE_LIST && t != CONFIG_TYPE_ARRAY) {
		pfa_conf_error(m, "expected a list of strings, "
		    "such as [ \"a\", \"b\" ]");
		return -1;
	}
	int n = config_setting_length(m);
	char **v = pfa_xcalloc((size_t)n + 1, sizeof(*v));
	for (int i = 0; i < n; i++) {
		const config_setting_t *e =
		    config_setting_get_elem((config_setting_t *)m, (unsigned)i);
		if (config_setting_type(e) != CONFIG_TYPE_STRING) {
			pfa_conf_error(m, "element %d is not a string", i + 1);
			pfa_conf_free_list(v);
			return -1;
		}
		v[i] = pfa_xstrdup(config_setting_get_string(e));
	}
	*out = v;
	return 0;
}

int
pfa_conf_enum(const config_setting_t *s, const char *name,
    const char *const choices[], int def, int *out)
{
	const config_setting_t *m = member(s, name);
	*out = def;
	if (m == NULL)
		return 0;
	if (config_setting_type(m) == CONFIG_TYPE_STRING) {
		const char *v = config_setting_get_string(m);
		for (int i = 0; choices[i]; i++)
			if (strcmp(v, choices[i]) == 0) {
				*out = i;
				return 0;
			}
	}
	char list[256] = "";
	size_t o = 0;
	for (int i = 0; choices[i] && o < sizeof(list); i++) {
		int w = snprintf(list + o, sizeof(list) - o, "%s\"%s\"",
		    i ? ", " : "", choices[i]);
		if (w < 0)
			break;
		o += (size_t)w;
	}
	pfa_conf_error(m, "expected one of %s", list);
	return -1;
}

int
pfa_conf_check_known(const config_setting_t *s, const char *const known[])
{
	int bad = 0;
	if (s == NULL)
		return 0;
	int n = config_setting_length(s);
	for (int i = 0; i < n; i++) {
		const config_setting_t *e =
		    config_setting_get_elem((config_setting_t *)s, (unsigned)i);
		const char *name = config_setting_name(e);
		bool ok = false;
		for (int k = 0; known[k] && !ok; k++)
			ok = name != NULL && strcmp(name, known[k]) == 0;
		if (!ok) {
			pfa_conf_error(e, "unknown setting");
			bad = -1;
		}
	}
	return bad;
}

static int
require_group(const config_setting_t *s)
{
	if (s != NULL && config_setting_type(s) != CONFIG_TYPE_GROUP) {
		pfa_conf_error(s, "expected a group: name = { ... };");
		return -1;
	}
	return 0;
}

static int
require_absolute(const config_setting_t *s, const char *name, const char *v)
{
	if (v != NULL && v[0] != '/') {
		pfa_conf_error(member(s, name) ? member(s, name) : s,
		    "\"%s\" is not an absolute path", v);
		return -1;
	}
	return 0;
}

int
pfa_conf_check_owner(const char *path, const char *what)
{
	struct stat st;
	if (stat(path, &st) < 0) {
		nerrors++;
		fprintf(stderr, "pfagent: %s %s: %s\n", what, path,
		    strerror(errno));
		pfa_log_errno(LOG_ERR, "event=unreadable-path what=\"%s\" "
		    "path=%s", what, path);
		return -1;
	}
	const char *why = NULL;
	if (st.st_mode & (S_IWGRP | S_IWOTH))
		why = "is writable by group or other";
	else if (geteuid() == 0 && st.st_uid != 0)
		why = "is not owned by root";
	if (why != NULL) {
		nerrors++;
		fprintf(stderr, "pfagent: refusing %s %s: it %s (mode %04o, "
		    "owner uid %u); fix with: chown root:root %s && "
		    "chmod go-w %s\n", what, path, why,
		    (unsigned)(st.st_mode & 07777), (unsigned)st.st_uid, path,
		    path);
		pfa_log(LOG_ERR, "event=unsafe-path what=\"%s\" path=%s "
		    "reason=\"%s\"", what, path, why);
		return -1;
	}
	return 0;
}

static const char *const top_keys[] = {
	"postfix", "log", "state_directory", "tasks", NULL,
};
static const char *const postfix_keys[] = {
	"config_directory", "command_directory", "reload", "health_wait",
	"log_file", NULL,
};
static const char *const log_keys[] = { "facility", NULL };

/*
 * A task's `ignore`: "ID" (every finding with that id) or "ID SUBJECT"
 * (only the one about SUBJECT: a parameter, file or listener, as the
 * report names it).  ID must be one the task declares.
 */
static int
load_ignore(const struct pfa_task *t, const config_setting_t *s,
    struct pfa_task_conf *tc)
{
	if (pfa_conf_string_list(s, "ignore", &tc->ignore) < 0)
		return -1;
	int rc = 0;
	for (char **p = tc->ignore; p && *p; p++) {
		char id[64];
		size_t n = strcspn(*p, " ");
		snprintf(id, sizeof(id), "%.*s", (int)(n < 63 ? n : 63), *p);
		if (pfa_task_finding(t, id) == NULL) {
			pfa_conf_error(member(s, "ignore"), "unknown finding id "
			    "\"%s\" for %s (`pfagent help %s` lists them)", id,
			    t->name, t->name);
			rc = -1;
		} else if ((*p)[n] == ' ' && (*p)[n + 1 + strspn(*p + n + 1,
		    " ")] == '\0') {
			pfa_conf_error(member(s, "ignore"), "\"%s\": a subject "
			    "after the id, or the id alone", *p);
			rc = -1;
		}
	}
	return rc;
}

static int
load_tasks(struct pfa_config *c, const config_setting_t *tasks)
{
	int rc = 0;
	size_t n = pfa_task_count();
	c->tasks = pfa_xcalloc(n, sizeof(*c->tasks));
	if (tasks != NULL) {
		int len = config_setting_length(tasks);
		for (int i = 0; i < len; i++) {
			const config_setting_t *e = config_setting_get_elem(
			    (config_setting_t *)tasks, (unsigned)i);
			if (pfa_task_index(config_setting_name(e)) < 0) {
				pfa_conf_error(e, "unknown task (known: "
				    "see `pfagent list`)");
				rc = -1;
			}
		}
	}
	for (size_t i = 0; i < n; i++) {
		const struct pfa_task *t = pfa_tasks[i];
		const config_setting_t *s = member(tasks, t->name);
		struct pfa_task_conf *tc = &c->tasks[i];
		if (require_group(s) < 0) {
			rc = -1;
			s = NULL;
		}
		const char *known[64];
		size_t k = 0;
		known[k++] = "enabled";
		known[k++] = "every";
		known[k++] = "ignore";
		for (size_t j = 0; t->settings && t->settings[j] && k < 63; j++)
			known[k++] = t->settings[j];
		known[k] = NULL;
		if (pfa_conf_check_known(s, known) < 0)
			rc = -1;
		if (pfa_conf_bool(s, "enabled", true, &tc->enabled) < 0)
			rc = -1;
		if (pfa_conf_duration(s, "every", t->default_every, 60,
		    366 * 86400LL, &tc->every) < 0)
			rc = -1;
		if (load_ignore(t, s, tc) < 0)
			rc = -1;
		if (t->configure != NULL && t->configure(s, &tc->data) < 0)
			rc = -1;
	}
	return rc;
}

static int
load_settings(struct pfa_config *c)
{
	const config_setting_t *root =
	    c->have_cfg ? config_root_setting(&c->cfg) : NULL;
	int rc = 0;
	if (pfa_conf_check_known(root, top_keys) < 0)
		rc = -1;
	const config_setting_t *pf = member(root, "postfix");
	const config_setting_t *lg = member(root, "log");
	const config_setting_t *tasks = member(root, "tasks");
	if (require_group(pf) < 0 || require_group(lg) < 0 ||
	    require_group(tasks) < 0)
		return -1;
	if (pfa_conf_check_known(pf, postfix_keys) < 0 ||
	    pfa_conf_check_known(lg, log_keys) < 0)
		rc = -1;

	if (pfa_conf_string(pf, "config_directory", "/etc/postfix",
	    &c->config_directory) < 0 ||
	    require_absolute(pf, "config_directory", c->config_directory) < 0)
		rc = -1;
	if (pfa_conf_string(pf, "command_directory", "/usr/sbin",
	    &c->command_directory) < 0 ||
	    require_absolute(pf, "command_directory", c->command_directory) < 0)
		rc = -1;
	if (pfa_conf_bool(pf, "reload", true, &c->reload) < 0)
		rc = -1;
	if (pfa_conf_duration(pf, "health_wait", 1, 0, 60,
	    &c->health_wait) < 0)
		rc = -1;
	if (pfa_conf_string(pf, "log_file", "/var/log/mail.log",
	    &c->log_file) < 0 ||
	    require_absolute(pf, "log_file", c->log_file) < 0)
		rc = -1;

	char *fac = NULL;
	c->facility = LOG_MAIL;
	if (pfa_conf_string(lg, "facility", "mail", &fac) < 0) {
		rc = -1;
	} else if ((c->facility = pfa_log_facility(fac)) < 0) {
		pfa_conf_error(member(lg, "facility"), "unknown syslog "
		    "facility \"%s\" (mail, daemon, user, auth, authpriv, "
		    "local0..local7)",
		    fac);
		c->facility = LOG_MAIL;
		rc = -1;
	}
	free(fac);

	if (pfa_conf_string(root, "state_directory", PFA_DEFAULT_STATEDIR,
	    &c->state_directory) < 0 ||
	    require_absolute(root, "state_directory", c->state_directory) < 0)
		rc = -1;
	if (load_tasks(c, tasks) < 0)
		rc = -1;
	return rc;
}

int
pfa_config_load(struct pfa_config *c, const char *path, bool explicit_path)
{
	memset(c, 0, sizeof(*c));
	nerrors = 0;
	if (path == NULL)
		path = PFA_DEFAULT_CONFIG;
	if (access(path, F_OK) < 0 && errno == ENOENT && !explicit_path) {
		/* built-in defaults */
	} else {
		if (pfa_conf_check_owner(path, "configuration file") < 0)
			return -1;
		c->path = pfa_xstrdup(path);
		config_init(&c->cfg);
		c->have_cfg = true;
		if (config_read_file(&c->cfg, path) != CONFIG_TRUE) {
			const char *f = config_error_file(&c->cfg);
			if (config_error_type(&c->cfg) == CONFIG_ERR_FILE_IO)
				file_error(path, 0, "cannot read: %s",
				    strerror(errno));
			else
				file_error(f ? f : path,
				    config_error_line(&c->cfg), "%s",
				    config_error_text(&c->cfg));
			return -1;
		}
	}
	int rc = load_settings(c);
	return rc < 0 || nerrors > 0 ? -1 : 0;
}

void
pfa_config_free(struct pfa_config *c)
{
	if (c->tasks != NULL) {
		for (size_t i = 0; i < pfa_task_count(); i++) {
			if (pfa_tasks[i]->free_conf && c->tasks[i].data)
				pfa_tasks[i]->free_conf(c->tasks[i].data);
			pfa_conf_free_list(c->tasks[i].ignore);
		}
		free(c->tasks);
	}
	free(c->path);
	free(c->config_directory);
	free(c->command_directory);
	free(c->log_file);
	free(c->state_directory);
	if (c->have_cfg)
		config_destroy(&c->cfg);
	memset(c, 0, sizeof(*c));
}
