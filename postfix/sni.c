/*
 * sni.c - the sources of tls_server_sni_maps tables (sni.h): the file
 * names of a value, split as postmap -F splits them, and a whole source
 * read as postmap reads it (its readllines(): comments, blank lines,
 * continuation lines), for the names and files check-tls checks.
 * rebuild-maps checks sources with its own, stricter reader
 * (tasks/maps/mapsrc.c) and shares only the splitting of values.
 *
 * Must not: do I/O, log or exit.  Nothing here fails: a bad entry is
 * counted and described in the result.  Allocation failures abort
 * (pfa_xmalloc).
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "result.h"
#include "sni.h"

#define ISSPACE(ch) ((ch) == ' ' || ((ch) >= '\t' && (ch) <= '\r'))

size_t
pfa_sni_names(const char *v, size_t vlen,
    void (*fn)(void *arg, const char *name, size_t len), void *arg)
{
	static const char seps[] = ", \t\r\n";
	size_t n = 0;

	for (size_t i = 0; i < vlen;) {
		size_t k = i;
		while (k < vlen && strchr(seps, v[k]) == NULL)
			k++;
		if (k == i) {
			i++;
			continue;
		}
		n++;
		fn(arg, v + i, k - i);
		i = k;
	}
	return n;
}

/* ------------------------------------------------------------ sources */

struct value_walk {
	struct pfa_sni_entry *e;
	bool relative;
};

static void
add_file(void *arg, const char *name, size_t len)
{
	struct value_walk *w = arg;
	if (name[0] != '/') {
		w->relative = true;
		return;
	}
	struct pfa_sni_entry *e = w->e;
	e->files = pfa_xrealloc(e->files, (e->nfiles + 2) * sizeof(*e->files));
	char *f = pfa_xmalloc(len + 1);
	memcpy(f, name, len);
	f[len] = '\0';
	e->files[e->nfiles++] = f;
	e->files[e->nfiles] = NULL;
}

static void
problem(struct pfa_sni_source *s, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
problem(struct pfa_sni_source *s, int line, const char *fmt, ...)
{
	if (s->nproblems++ > 0)
		return;
	s->problem_line = line;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s->problem, sizeof(s->problem), fmt, ap);
	va_end(ap);
}

static void
entry_free(struct pfa_sni_entry *e)
{
	free(e->name);
	for (size_t i = 0; i < e->nfiles; i++)
		free(e->files[i]);
	free(e->files);
}

/* One logical line TEXT (LEN bytes) that starts at LINE. */
static void
logical_line(struct pfa_sni_source *s, const char *text, size_t len,
    int line)
{
	if (memchr(text, '\0', len) != NULL) {
		problem(s, line, "a NUL byte");
		return;
	}
	size_t k = 0;
	while (k < len && !ISSPACE(text[k]))
		k++;
	size_t v = k;
	while (v < len && ISSPACE(text[v]))
		v++;
	size_t vend = len;
	while (vend > v && ISSPACE(text[vend - 1]))
		vend--;
	if (k == 0 || vend == v) {
		problem(s, line, "expected \"name  files...\"");
		return;
	}
	for (size_t i = 0; i < s->n; i++)
		if (strlen(s->v[i].name) == k &&
		    strncasecmp(s->v[i].name, text, k) == 0)
			return;	/* postmap keeps the first */
	struct pfa_sni_entry e = { .line = line };
	struct value_walk w = { &e, false };
	(void)pfa_sni_names(text + v, vend - v, add_file, &w);
	if (w.relative || e.nfiles == 0) {
		problem(s, line, "a file name that is not absolute");
		entry_free(&e);
		return;
	}
	e.name = pfa_xmalloc(k + 1);
	for (size_t i = 0; i < k; i++)
		e.name[i] = text[i] >= 'A' && text[i] <= 'Z' ?
		    (char)(text[i] - 'A' + 'a') : text[i];
	e.name[k] = '\0';
	s->v = pfa_xrealloc(s->v, (s->n + 1) * sizeof(*s->v));
	s->v[s->n++] = e;
}

void
pfa_sni_source_read(const char *data, size_t len, struct pfa_sni_source *out)
{
	char *buf = NULL;
	size_t blen = 0, bcap = 0;
	int lineno = 0, first = 0;

	memset(out, 0, sizeof(*out));
	for (size_t pos = 0; data != NULL && pos < len;) {
		const char *p = data + pos;
		const char *nl = memchr(p, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - p) : len - pos;
		pos += n + (nl != NULL);
		lineno++;
		size_t i = 0;
		while (i < n && ISSPACE(p[i]))
			i++;
		if (i == n || p[i] == '#')
			continue;
		if (i > 0 && first == 0)
			continue;	/* continues nothing: postmap drops it */
		if (i == 0) {
			if (first != 0)
				logical_line(out, buf, blen, first);
			first = lineno;
			blen = 0;
		}
		if (blen + n + 1 > bcap) {
			bcap = 2 * (blen + n + 1);
			buf = pfa_xrealloc(buf, bcap);
		}
		memcpy(buf + blen, p, n);
		blen += n;
	}
	if (first != 0 && blen > 0)
		logical_line(out, buf, blen, first);
	free(buf);
}

void
pfa_sni_source_free(struct pfa_sni_source *s)
{
	for (size_t i = 0; i < s->n; i++)
		entry_free(&s->v[i]);
	free(s->v);
	memset(s, 0, sizeof(*s));
}
