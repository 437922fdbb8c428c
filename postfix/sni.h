/*
 * sni.h - the sources of tls_server_sni_maps tables: what postmap -F
 * reads.  A value of such a table is a list of file names (the private
 * keys and certificate chains Postfix serves for the key's name),
 * split as postmap -F splits it.  Used by rebuild-maps (which files a
 * table's database holds) and check-tls (which certificates each name
 * gets), each reading the text it read itself.  Pure functions: no
 * file, no command, no log.
 */
#ifndef PFA_SNI_H
#define PFA_SNI_H

#include <stddef.h>

/*
 * Calls FN for every file name in V (VLEN bytes, no NUL needed) split at
 * white space and commas as postmap -F splits a value; NAME is not
 * NUL-terminated (LEN bytes).  Returns the number of names.
 */
size_t pfa_sni_names(const char *v, size_t vlen,
    void (*fn)(void *arg, const char *name, size_t len), void *arg);

/* One entry of a source: a server name and the files Postfix serves. */
struct pfa_sni_entry {
	char *name;		/* the key, in lower case as postmap stores it */
	int line;		/* where it starts */
	char **files;		/* NULL-terminated, absolute */
	size_t nfiles;
};

struct pfa_sni_source {
	struct pfa_sni_entry *v;
	size_t n;
	size_t nproblems;	/* entries left out */
	int problem_line;	/* the first of them */
	char problem[200];	/* what was wrong with it */
};

/*
 * Reads DATA (LEN bytes) as postmap reads a table's source: blank lines
 * and '#' comments skipped, a line starting with white space continuing
 * the one before, "key whitespace value"; each value split by
 * pfa_sni_names.  An entry without a value, with a file name that is
 * not absolute, or with a NUL byte is left out and counted (the first
 * described); of duplicate keys the first is kept, as postmap keeps it.
 * Never fails.  Free with pfa_sni_source_free.
 */
void pfa_sni_source_read(const char *data, size_t len,
    struct pfa_sni_source *out);
void pfa_sni_source_free(struct pfa_sni_source *s);

#endif
