/*
 * mapsrc_int.h - what the files behind mapsrc.h share; private to
 * tasks/mapsrc.c, tasks/mapsrc_cidr.c, tasks/mapsrc_re.c and
 * tasks/mapsrc_sni.c.
 *
 * mapsrc.c owns the reading of a table (logical lines, NUL bytes, UTF-8,
 * length), the problem list, the if/endif stack, and the postmap
 * "key whitespace value" format.  mapsrc_cidr.c owns the rules of cidr:
 * tables; mapsrc_re.c those of regexp: and pcre: tables, and compiles
 * each pattern with the library Postfix uses (POSIX regcomp, PCRE2);
 * mapsrc_sni.c the file-name values of tls_server_sni_maps tables.
 * None does I/O or logs.
 */
#ifndef PFA_MAPSRC_INT_H
#define PFA_MAPSRC_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "mapsrc.h"

/* Problems beyond this many are counted, not listed. */
#define PFA_MAPSRC_MAX_PROBLEMS 100

/* Postfix's ISSPACE in the C locale, independent of setlocale(). */
#define PFA_MAPSRC_ISSPACE(ch) ((ch) == ' ' || ((ch) >= '\t' && (ch) <= '\r'))

/*
 * Open if statements: the line of each, innermost last; minus the line
 * for an if already reported as bad, so that its missing endif is not
 * reported again, and its endif is not reported as one without an if.
 */
struct pfa_mapsrc_nest {
	int *lines;
	size_t n;
	size_t cap;
};

void pfa_mapsrc_nest_push(struct pfa_mapsrc_nest *nest, int line);

/* pfa_mapsrc_problem (mapsrc.h) keeps the first PFA_MAPSRC_MAX_PROBLEMS. */

/*
 * TEXT (LEN bytes) as a short printable string for a message: control
 * bytes escaped as \xNN, cut after 60 bytes with "...".  Caller frees.
 */
char *pfa_mapsrc_quote(const char *text, size_t len);

/*
 * Checks one logical line of a cidr: table, as pfa_mapsrc_re_line does
 * for regexp: and pcre: tables.
 */
void pfa_mapsrc_cidr_line(struct pfa_map_check *c,
    struct pfa_mapsrc_nest *nest, int line, char *text);

/*
 * Checks one logical line of a regexp: (PCRE false) or pcre: (PCRE true)
 * table: NUL-terminated, trailing whitespace removed, valid UTF-8.  LINE
 * is its first physical line.  Counts a good rule in c->entries; keeps
 * NEST up to date for if/endif.  TEXT may be modified.
 */
void pfa_mapsrc_re_line(struct pfa_map_check *c, struct pfa_mapsrc_nest *nest,
    bool pcre, int line, char *text);

/*
 * Adds the file names of the value V (VLEN bytes, no NUL) of a
 * PFA_MAP_SNI entry at LINE to c->refs, split as postmap -F splits it
 * (white space and commas); a name that is not absolute, or a value
 * without names, is an error of LINE instead.  *CAPREFS is the room in
 * c->refs, 0 before the first call.
 */
void pfa_mapsrc_sni_names(struct pfa_map_check *c, size_t *caprefs,
    int line, const char *v, size_t vlen);

/* Sorts c->refs by name and keeps each name once, with its first line. */
void pfa_mapsrc_sni_unique(struct pfa_map_check *c);

#endif
