/*
 * NAME
 *	mapsrc_sni - checks the values of tls_server_sni_maps tables (for
 *	mapsrc.c)
 * SUMMARY
 *	pfa_mapsrc_sni_names(), pfa_mapsrc_sni_unique() (mapsrc_int.h)
 * DESCRIPTION
 *	Owns what sets a PFA_MAP_SNI table apart from other postmap
 *	tables: its values are lists of file names that postmap -F reads
 *	(the private key and certificate chain files).  A value is split
 *	as postmap -F splits it, at white space and commas (postfix/sni.c,
 *	shared with check-tls); each name
 *	must be absolute and is added to the result's refs, which are
 *	then sorted by name with each name kept once, with its first
 *	line.  Whether those files exist is the caller's question, not
 *	this file's.
 *
 *	Must not: do I/O, log or exit.
 * DIAGNOSTICS
 *	Problems go to the result through pfa_mapsrc_problem.  Allocation
 *	failures abort (pfa_xmalloc).
 */
#include <stdlib.h>
#include <string.h>

#include "mapsrc.h"
#include "mapsrc_int.h"
#include "result.h"
#include "sni.h"

/* c->refs (room for *CAP) with room for one more. */
static void
refs_grow(struct pfa_map_check *c, size_t *cap)
{
	if (c->nrefs + 1 <= *cap)
		return;
	size_t n = *cap ? *cap : 64;
	while (n < c->nrefs + 1)
		n *= 2;
	*cap = n;
	c->refs = pfa_xrealloc(c->refs, n * sizeof(*c->refs));
}

struct names {
	struct pfa_map_check *c;
	size_t *caprefs;
	int line;
};

/* One name of the value: a ref, or an error of the line. */
static void
one_name(void *arg, const char *name, size_t len)
{
	struct names *w = arg;
	struct pfa_map_check *c = w->c;

	if (name[0] != '/') {
		char *q = pfa_mapsrc_quote(name, len);
		pfa_mapsrc_problem(c, w->line, true, "file name %s is not "
		    "absolute (postmap -F would look for it in the "
		    "directory it happens to run in)", q);
		free(q);
		return;
	}
	refs_grow(c, w->caprefs);
	char *path = pfa_xmalloc(len + 1);
	memcpy(path, name, len);
	path[len] = '\0';
	c->refs[c->nrefs].path = path;
	c->refs[c->nrefs++].line = w->line;
}

void
pfa_mapsrc_sni_names(struct pfa_map_check *c, size_t *caprefs, int line,
    const char *v, size_t vlen)
{
	struct names w = { c, caprefs, line };

	if (pfa_sni_names(v, vlen, one_name, &w) == 0)
		pfa_mapsrc_problem(c, line, true, "no file names in the "
		    "value (postmap -F expects the key and certificate "
		    "files)");
}

static int
ref_cmp(const void *a, const void *b)
{
	const struct pfa_map_ref *x = a, *y = b;
	int d = strcmp(x->path, y->path);
	return d != 0 ? d : (x->line > y->line) - (x->line < y->line);
}

void
pfa_mapsrc_sni_unique(struct pfa_map_check *c)
{
	size_t n = 0;

	if (c->nrefs == 0)
		return;
	qsort(c->refs, c->nrefs, sizeof(*c->refs), ref_cmp);
	for (size_t i = 1; i < c->nrefs; i++) {
		if (strcmp(c->refs[i].path, c->refs[n].path) == 0)
			free(c->refs[i].path);
		else
			c->refs[++n] = c->refs[i];
	}
	c->nrefs = n + 1;
}
