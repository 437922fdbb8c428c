/*
 * postconf_out.h - what postconf prints, parsed and checked before
 * anything believes it.
 *
 * postconf that exits 0 may still print garbage or stop half-way (a full
 * pipe, a broken binary, a planted one): every line must be NAME = VALUE
 * (or NAME = for an empty value) with a name of the kind asked for, no
 * name twice, no NUL byte, and the output must end with a newline.  A
 * listing of every parameter (-x, -dx) must be complete: it names
 * mail_version and config_directory and has at least PFA_POSTCONF_MIN_ALL
 * of them.  Pure: no I/O, for postfix.c and the fuzz target.
 */
#ifndef PFA_POSTCONF_OUT_H
#define PFA_POSTCONF_OUT_H

#include <stdbool.h>
#include <stddef.h>

/* Postfix 3.7 has more than 1000 parameters; 3.0 had about 800. */
#define PFA_POSTCONF_MIN_ALL	300

enum pfa_postconf_form {
	PFA_POSTCONF_SOME,	/* -n: parameters (any number, even none) */
	PFA_POSTCONF_ALL,	/* -x, -dx: every parameter */
	PFA_POSTCONF_SERVICES,	/* -F, -P: SERVICE/TYPE/FIELD = VALUE */
};

struct pfa_postconf_kv {
	char *name;
	char *value;
};

/*
 * Parses TEXT (LEN bytes) in FORM into *V (*N entries, in the order
 * printed; free with pfa_postconf_kv_free).  0, or -1 with WHY ("line 12:
 * not NAME = VALUE") and nothing allocated.
 */
int pfa_postconf_parse(const char *text, size_t len,
    enum pfa_postconf_form form, struct pfa_postconf_kv **v, size_t *n,
    char *why, size_t why_size);
void pfa_postconf_kv_free(struct pfa_postconf_kv *v, size_t n);

#endif
