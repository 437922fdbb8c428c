/*
 * config_source.c - the files a pfagent configuration is made of
 * (config_source.h): the main file and every @include, checked and read
 * without blocking before libconfig parses them; the literal of a number.
 *
 * The @include scan follows libconfig's scanner: `@include "NAME"` at the
 * start of a line (after blanks), outside a string and a block comment;
 * `#` and `//` comment out the rest of a line.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "config_source.h"
#include "file.h"
#include "log.h"
#include "trust.h"

static char *
dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (slash == NULL)
		return pfa_xstrdup(".");
	if (slash == path)
		return pfa_xstrdup("/");
	char *d = pfa_xstrdup(path);
	d[slash - path] = '\0';
	return d;
}

/* The file's trust and contents; -1 after reporting (FROM:LINE names the
 * @include, or FROM is NULL for the main file). */
static int
load(struct pfa_conf_files *f, const char *name, const char *path,
    const char *from, int line)
{
	const char *what = from ? "included file" : "configuration file";
	struct pfa_untrusted u;
	if (pfa_trust_path(path, &u) < 0) {
		bool self = strcmp(u.path, path) == 0;
		const char *at = from ? from : path;
		if (u.fix[0] == '\0')
			pfa_conf_file_error(at, line, "%s %s: %s%s%s", what,
			    path, self ? "" : u.path, self ? "" : ": ", u.why);
		else
			pfa_conf_file_error(at, line, "refusing %s %s: %s%s "
			    "%s; fix with: %s", what, path, self ? "it" : "",
			    self ? "" : u.path, u.why, u.fix);
		return -1;
	}
	if (f->n == PFA_CONF_MAX_FILES) {
		pfa_conf_file_error(from, line, "more than %d files included",
		    PFA_CONF_MAX_FILES);
		return -1;
	}
	char *text;
	size_t len;
	if (pfa_file_read(path, PFA_CONF_MAX_SIZE, PFA_FILE_FOLLOW, &text,
	    &len, NULL) < 0) {
		pfa_conf_file_error(from ? from : path, from ? line : 0,
		    "%s %s: cannot read: %s", what, path,
		    pfa_file_strerror(errno));
		return -1;
	}
	if (memchr(text, '\0', len) != NULL) {
		pfa_conf_file_error(path, 0, "not a text file (holds a NUL "
		    "byte)");
		free(text);
		return -1;
	}
	struct pfa_conf_file *e = &f->v[f->n++];
	e->name = name ? pfa_xstrdup(name) : NULL;
	e->path = pfa_xstrdup(path);
	e->text = text;
	return 0;
}

/* The string of `@include "..."` starting at P (after "@include"), into
 * OUT; 0, or -1 when it is not one libconfig would take. */
static int
include_name(const char *p, char *out, size_t size)
{
	if (*p != ' ' && *p != '\t')
		return -1;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p++ != '"')
		return -1;
	size_t o = 0;
	for (; *p && *p != '"' && *p != '\n'; p++) {
		if (*p == '\\' && p[1] != '\0' && p[1] != '\n')
			p++;
		if (o + 1 >= size)
			return -1;
		out[o++] = *p;
	}
	out[o] = '\0';
	return *p == '"' && o > 0 ? 0 : -1;
}

static int scan(struct pfa_conf_files *f, size_t idx, int depth);

static int
include(struct pfa_conf_files *f, const char *from, int line,
    const char *name, int depth)
{
	if (depth >= PFA_CONF_MAX_DEPTH) {
		pfa_conf_file_error(from, line, "@include nested more than %d "
		    "deep", PFA_CONF_MAX_DEPTH);
		return -1;
	}
	char *path;
	if (name[0] == '/') {
		path = pfa_xstrdup(name);
	} else {
		size_t n = strlen(f->dir) + strlen(name) + 2;
		path = pfa_xmalloc(n);
		snprintf(path, n, "%s/%s", f->dir, name);
	}
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->v[i].path, path) == 0) {
			free(path);	/* read already (included twice) */
			return 0;
		}
	int rc = load(f, name, path, from, line);
	free(path);
	return rc < 0 ? -1 : scan(f, f->n - 1, depth + 1);
}

/* Every @include of file IDX, loaded and scanned in turn. */
static int
scan(struct pfa_conf_files *f, size_t idx, int depth)
{
	enum { CODE, STRING, BLOCK } st = CODE;
	int line = 1, rc = 0;
	bool bol = true;	/* only blanks so far on this line */
	/* f->v is a fixed array: what include() adds never moves these */
	const char *from = f->v[idx].path;
	const char *t = f->v[idx].text;
	for (size_t i = 0; t[i] != '\0'; i++) {
		char c = t[i];
		if (c == '\n') {
			line++;
			bol = true;
			continue;
		}
		if (st == STRING) {
			if (c == '\\' && t[i + 1] != '\0')
				i++;
			else if (c == '"')
				st = CODE;
			continue;
		}
		if (st == BLOCK) {
			if (c == '*' && t[i + 1] == '/') {
				st = CODE;
				i++;
			}
			continue;
		}
		if (c == ' ' || c == '\t' || c == '\r')
			continue;
		if (bol && strncmp(t + i, "@include", 8) == 0) {
			char name[1024];
			if (include_name(t + i + 8, name, sizeof(name)) == 0 &&
			    include(f, from, line, name, depth) < 0)
				rc = -1;
		}
		bol = false;
		if (c == '#' || (c == '/' && t[i + 1] == '/')) {
			while (t[i + 1] != '\0' && t[i + 1] != '\n')
				i++;
		} else if (c == '/' && t[i + 1] == '*') {
			st = BLOCK;
			i++;
		} else if (c == '"') {
			st = STRING;
		}
	}
	return rc;
}

int
pfa_conf_files_read(struct pfa_conf_files *f, const char *path)
{
	memset(f, 0, sizeof(*f));
	char *abs = NULL;
	if (path[0] != '/') {
		char cwd[PATH_MAX];
		if (getcwd(cwd, sizeof(cwd)) == NULL) {
			pfa_conf_file_error(path, 0, "cannot tell the working "
			    "directory: %s", strerror(errno));
			return -1;
		}
		size_t n = strlen(cwd) + strlen(path) + 2;
		abs = pfa_xmalloc(n);
		snprintf(abs, n, "%s/%s", cwd, path);
		path = abs;
	}
	f->dir = dir_of(path);
	int rc = load(f, NULL, path, NULL, 0);
	if (rc == 0)
		rc = scan(f, 0, 0);
	free(abs);
	return rc;
}

void
pfa_conf_files_free(struct pfa_conf_files *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->v[i].name);
		free(f->v[i].path);
		free(f->v[i].text);
	}
	free(f->dir);
	memset(f, 0, sizeof(*f));
}

const struct pfa_conf_file *
pfa_conf_files_find(const struct pfa_conf_files *f, const char *name)
{
	for (size_t i = 0; i < f->n; i++) {
		const char *n = f->v[i].name;
		if ((name == NULL && n == NULL) ||
		    (name != NULL && n != NULL && strcmp(name, n) == 0))
			return &f->v[i];
	}
	return NULL;
}

int
pfa_conf_files_cover(const struct pfa_conf_files *f,
    const config_setting_t *root)
{
	if (root == NULL)
		return 0;
	const char *name = config_setting_source_file(root);
	if (config_setting_parent(root) != NULL &&
	    pfa_conf_files_find(f, name) == NULL) {
		pfa_conf_file_error(name, (int)config_setting_source_line(root),
		    "this file was included in a way pfagent did not check; "
		    "refusing it");
		return -1;
	}
	int n = config_setting_length(root);
	for (int i = 0; i < n; i++)
		if (pfa_conf_files_cover(f, config_setting_get_elem(root, i)) < 0)
			return -1;
	return 0;
}

int
pfa_conf_literal(const struct pfa_conf_files *f, const config_setting_t *s,
    char *buf, size_t size)
{
	const struct pfa_conf_file *file =
	    pfa_conf_files_find(f, config_setting_source_file(s));
	const char *name = config_setting_name(s);
	unsigned line = config_setting_source_line(s);
	if (file == NULL || name == NULL || line == 0 || size == 0)
		return -1;
	const char *p = file->text;
	for (unsigned l = 1; l < line && p != NULL; l++)
		if ((p = strchr(p, '\n')) != NULL)
			p++;
	if (p == NULL)
		return -1;
	const char *end = strchr(p, '\n');
	size_t nlen = strlen(name);
	for (const char *q = p; (end == NULL || q < end) && *q; q++) {
		if (strncmp(q, name, nlen) != 0 ||
		    (q > p && (q[-1] == '_' || q[-1] == '-' ||
		    (q[-1] >= 'a' && q[-1] <= 'z') ||
		    (q[-1] >= 'A' && q[-1] <= 'Z') ||
		    (q[-1] >= '0' && q[-1] <= '9'))))
			continue;
		const char *v = q + nlen;
		while (*v == ' ' || *v == '\t')
			v++;
		if (*v != '=' && *v != ':')
			continue;
		v++;
		while (*v == ' ' || *v == '\t')
			v++;
		size_t o = 0;
		while ((*v == '-' || *v == '+' || *v == 'x' || *v == 'X' ||
		    *v == 'L' || (*v >= '0' && *v <= '9') ||
		    (*v >= 'a' && *v <= 'f') || (*v >= 'A' && *v <= 'F')) &&
		    o + 1 < size)
			buf[o++] = *v++;
		buf[o] = '\0';
		return o > 0 ? 0 : -1;
	}
	return -1;
}
