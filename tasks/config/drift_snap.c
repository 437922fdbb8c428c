/*
 * drift_snap.c - the snapshots of drift.c: the model and its file format.
 *
 * Snapshot format, both files: a header line "pfagent-drift-snapshot 1
 * KIND", one "KEY = VALUE" line per entry sorted by KEY, and a trailer
 * "end COUNT", so that a truncated file is recognised.  VALUE is every
 * byte after the first " = " up to the newline (a newline inside a value
 * is stored as a space).
 *   postconf-n: KEY is a parameter main.cf sets, VALUE its raw value.
 *   services:   "NAME/TYPE command = CMD" for each master.cf service and
 *               "NAME/TYPE -o PARAM = VALUE" for each of its -o options.
 *
 * Builds a snapshot from the configuration view, formats and parses it,
 * and reads a file whole (snapshots and the copies of main.cf and
 * master.cf, for drift.c).  Must not: write files, log or exit.
 *
 * Errors: a file that does not parse is -1 with the reason as a static
 * string; a failed read is -1 with errno set, for the caller to log.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "drift_int.h"
#include "file.h"

#define SNAP_MAGIC	"pfagent-drift-snapshot"
#define SNAP_VERSION	1
#define FILE_MAX	(16 * 1024 * 1024)

/* Adds KEY = VAL; a newline becomes '?' in KEY, ' ' in VAL. */
static void
snap_add(struct pfa_snap *s, const char *key, const char *val)
{
	if ((s->n & (s->n - 1)) == 0)
		s->e = pfa_xrealloc(s->e, (s->n ? s->n * 2 : 1) *
		    sizeof(*s->e));
	struct pfa_snap_entry *e = &s->e[s->n++];
	e->key = pfa_xstrdup(key);
	e->val = pfa_xstrdup(val);
	for (char *p; (p = strchr(e->key, '\n')) != NULL; )
		*p = '?';
	for (char *p; (p = strchr(e->val, '\n')) != NULL; )
		*p = ' ';
}

void
pfa_snap_free(struct pfa_snap *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->e[i].key);
		free(s->e[i].val);
	}
	free(s->e);
	memset(s, 0, sizeof(*s));
}

static int
cmp_entry(const void *a, const void *b)
{
	return strcmp(((const struct pfa_snap_entry *)a)->key,
	    ((const struct pfa_snap_entry *)b)->key);
}

/* qsort, but not of an empty snapshot (e is NULL then). */
static void
sort(struct pfa_snap *s)
{
	if (s->n > 1)
		qsort(s->e, s->n, sizeof(*s->e), cmp_entry);
}

void
pfa_snap_from_view(const struct pfa_cfview *v, struct pfa_snap *params,
    struct pfa_snap *svcs)
{
	for (size_t i = 0; i < v->nparams; i++)
		if (v->params[i].raw != NULL)
			snap_add(params, v->params[i].name, v->params[i].raw);
	for (size_t i = 0; i < v->nsvcs; i++) {
		const struct pfa_cfsvc *s = &v->svcs[i];
		char *k = pfa_xasprintf("%s/%s command", s->name, s->type);
		snap_add(svcs, k, s->command);
		free(k);
		for (size_t j = 0; j < s->nopts; j++) {
			k = pfa_xasprintf("%s/%s -o %s", s->name, s->type,
			    s->opts[j].name);
			snap_add(svcs, k, s->opts[j].value);
			free(k);
		}
	}
	sort(params);
	sort(svcs);
}

/* ---------------------------------------------------------- text format */

char *
pfa_snap_format(const struct pfa_snap *s, const char *kind, size_t *lenp)
{
	size_t cap = sizeof(SNAP_MAGIC) + strlen(kind) + 64;
	for (size_t i = 0; i < s->n; i++)
		cap += strlen(s->e[i].key) + strlen(s->e[i].val) + 4;
	char *buf = pfa_xmalloc(cap);
	size_t len = (size_t)snprintf(buf, cap, "%s %d %s\n", SNAP_MAGIC,
	    SNAP_VERSION, kind);
	for (size_t i = 0; i < s->n; i++)
		len += (size_t)snprintf(buf + len, cap - len, "%s = %s\n",
		    s->e[i].key, s->e[i].val);
	len += (size_t)snprintf(buf + len, cap - len, "end %zu\n", s->n);
	*lenp = len;
	return buf;
}

int
pfa_snap_parse(char *buf, size_t len, const char *kind, struct pfa_snap *s,
    const char **why)
{
	char hdr[96], *line, *nl, *end = NULL;
	size_t hl = (size_t)snprintf(hdr, sizeof(hdr), "%s %d %s\n",
	    SNAP_MAGIC, SNAP_VERSION, kind);
	*why = len == 0 ? "empty" : memchr(buf, '\0', len) ? "contains NUL "
	    "bytes" : strncmp(buf, hdr, hl) != 0 ? "not a snapshot of this "
	    "kind and version" : buf[len - 1] != '\n' || len == hl ?
	    "truncated" : NULL;
	if (*why != NULL)
		return -1;
	buf[len - 1] = '\0';
	for (line = buf + hl; (nl = strchr(line, '\n')); line = nl + 1) {
		*nl = '\0';
		char *eq = strstr(line, " = ");
		if (eq == NULL || eq == line) {
			*why = "malformed line";
			goto fail;
		}
		*eq = '\0';
		snap_add(s, line, eq + 3);
	}
	/* the trailer "end COUNT" */
	unsigned long long n = 0;
	errno = 0;
	if (strncmp(line, "end ", 4) == 0 && isdigit((unsigned char)line[4]))
		n = strtoull(line + 4, &end, 10);
	if (end == NULL || *end != '\0' || errno != 0 || n != s->n) {
		*why = "truncated";
		goto fail;
	}
	sort(s);
	return 0;
fail:
	pfa_snap_free(s);
	return -1;
}

/* ---------------------------------------------------------------- files */

int
pfa_snap_read_file(const char *path, bool follow, char **bufp, size_t *lenp,
    const char **why)
{
	*bufp = NULL;
	*lenp = 0;
	if (pfa_file_read(path, FILE_MAX, follow ? PFA_FILE_FOLLOW : 0, bufp,
	    lenp, NULL) == 0)
		return 0;
	switch (errno) {
	case ENOENT:
		return 1;
	case ELOOP:
	case EINVAL:
	case EFBIG:
		*why = pfa_file_strerror(errno);
		return 2;
	default:
		return -1;
	}
}
