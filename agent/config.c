/*
 * config.c - reads and checks pfagent.conf (libconfig), all at once.
 *
 * Owns: the pfa_config structure, the built-in defaults, the error
 * reporting, the ownership checks of the directories it names; the files
 * are read by config_source.c, typed values by config_value.c.  Every
 * problem is reported as "FILE:LINE: setting: message" on stderr and in
 * syslog, and counted; loading fails if any was found.
 * Nothing here runs programs or writes files.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "config_source.h"
#include "duration.h"
#include "log.h"
#include "task.h"
#include "trust.h"

static int nerrors;
/* the files of the configuration being loaded (for file names and the
 * literals of numbers); NULL for built-in defaults */
static const struct pfa_conf_files *cur_files;

const struct pfa_conf_files *
pfa_conf_loading(void)
{
	return cur_files;
}

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
	/* libconfig's name for a file (NULL: the main one, else the
	 * @include's string) becomes the path that was read */
	const struct pfa_conf_file *f =
	    cur_files ? pfa_conf_files_find(cur_files, file) : NULL;
	if (f != NULL)
		file = f->path;
	if (file == NULL)
		file = "(built-in defaults)";
	char at[32] = "";
	if (line > 0)
		snprintf(at, sizeof(at), ":%d", line);
	fprintf(stderr, "pfagent: %s%s: %s%s%s\n", file, at,
	    path && *path ? path : "", path && *path ? ": " : "", msg);
	pfa_log_syslog(LOG_ERR,
	    "event=config-error file=%s line=%d setting=%s message=%s",
	    pfa_log_quote(qf, sizeof(qf), file), line, path ? path : "",
	    pfa_log_quote(q, sizeof(q), msg));
}

void
pfa_conf_file_error(const char *file, int line, const char *fmt, ...)
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
		const config_setting_t *m = pfa_conf_member(s, name);
		pfa_conf_error(m ? m : s,
		    "\"%s\" is not an absolute path", v);
		return -1;
	}
	return 0;
}

int
pfa_conf_check_owner(const char *path, const char *what)
{
	if (pfa_trust_require(path, what) < 0) {
		nerrors++;
		return -1;
	}
	return 0;
}

/* A directory that decides what runs (command_directory, Postfix's
 * config_directory), refused when untrusted; one that does not exist is
 * left to whoever uses it (postconf says so, with the file). */
static int
require_trusted_dir(const config_setting_t *s, const char *name,
    const char *dir)
{
	struct pfa_untrusted u;
	if (dir == NULL || pfa_trust_path(dir, &u) == 0 ||
	    (u.fix[0] == '\0' && strcmp(u.why, strerror(ENOENT)) == 0))
		return 0;
	const config_setting_t *m = pfa_conf_member(s, name);
	if (m == NULL)
		m = s;
	bool self = strcmp(u.path, dir) == 0;
	if (u.fix[0] == '\0')
		pfa_conf_error(m, "%s %s: %s%s%s", name, dir, self ? "" : u.path,
		    self ? "" : ": ", u.why);
	else
		pfa_conf_error(m, "refusing %s %s: %s%s %s; fix with: %s", name,
		    dir, self ? "it" : "", self ? "" : u.path, u.why, u.fix);
	return -1;
}

static const char *const top_keys[] = {
	"postfix", "log", "state_directory", "run_timeout", "tasks", NULL,
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
			pfa_conf_error(pfa_conf_member(s, "ignore"), "unknown finding id "
			    "\"%s\" for %s (`pfagent help %s` lists them)", id,
			    t->name, t->name);
			rc = -1;
		} else if ((*p)[n] == ' ' && (*p)[n + 1 + strspn(*p + n + 1,
		    " ")] == '\0') {
			pfa_conf_error(pfa_conf_member(s, "ignore"), "\"%s\": a subject "
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
		const config_setting_t *s = pfa_conf_member(tasks, t->name);
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
	const config_setting_t *pf = pfa_conf_member(root, "postfix");
	const config_setting_t *lg = pfa_conf_member(root, "log");
	const config_setting_t *tasks = pfa_conf_member(root, "tasks");
	if (require_group(pf) < 0 || require_group(lg) < 0 ||
	    require_group(tasks) < 0)
		return -1;
	if (pfa_conf_check_known(pf, postfix_keys) < 0 ||
	    pfa_conf_check_known(lg, log_keys) < 0)
		rc = -1;

	if (pfa_conf_string(pf, "config_directory", "/etc/postfix",
	    &c->config_directory) < 0 ||
	    require_absolute(pf, "config_directory", c->config_directory) < 0 ||
	    require_trusted_dir(pf, "config_directory", c->config_directory) < 0)
		rc = -1;
	if (pfa_conf_string(pf, "command_directory", "/usr/sbin",
	    &c->command_directory) < 0 ||
	    require_absolute(pf, "command_directory", c->command_directory) < 0 ||
	    require_trusted_dir(pf, "command_directory",
	    c->command_directory) < 0)
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
		pfa_conf_error(pfa_conf_member(lg, "facility"), "unknown syslog "
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
	if (pfa_conf_duration(root, "run_timeout", 3600, 5, 86400,
	    &c->run_timeout) < 0)
		rc = -1;
	if (load_tasks(c, tasks) < 0)
		rc = -1;
	return rc;
}

/*
 * libconfig parses the text read and checked; it opens the @include files
 * again itself, relative to the working directory (its include_dir is
 * put in front of absolute names too), so it works in the configuration
 * file's directory for the time it parses.
 */
static int
parse(struct pfa_config *c)
{
	int back = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (chdir(c->files->dir) < 0) {
		pfa_conf_file_error(c->path, 0, "cannot enter %s: %s",
		    c->files->dir, strerror(errno));
		if (back >= 0)
			close(back);
		return -1;
	}
	int ok = config_read_string(&c->cfg, c->files->v[0].text);
	if (back < 0 || fchdir(back) < 0)
		(void)!chdir("/");	/* where we were is gone */
	if (back >= 0)
		close(back);
	return ok == CONFIG_TRUE ? 0 : -1;
}

int
pfa_config_load(struct pfa_config *c, const char *path, bool explicit_path)
{
	memset(c, 0, sizeof(*c));
	nerrors = 0;
	cur_files = NULL;
	if (path == NULL)
		path = PFA_DEFAULT_CONFIG;
	if (access(path, F_OK) < 0 && errno == ENOENT && !explicit_path) {
		/* built-in defaults */
	} else {
		c->files = pfa_xcalloc(1, sizeof(*c->files));
		cur_files = c->files;
		if (pfa_conf_files_read(c->files, path) < 0)
			return -1;
		c->path = pfa_xstrdup(path);
		config_init(&c->cfg);
		c->have_cfg = true;
		if (parse(c) < 0) {
			pfa_conf_file_error(config_error_file(&c->cfg),
			    config_error_line(&c->cfg), "%s",
			    config_error_text(&c->cfg));
			return -1;
		}
		if (pfa_conf_files_cover(c->files,
		    config_root_setting(&c->cfg)) < 0)
			return -1;
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
	if (c->files != NULL) {
		if (cur_files == c->files)
			cur_files = NULL;
		pfa_conf_files_free(c->files);
		free(c->files);
	}
	memset(c, 0, sizeof(*c));
}
