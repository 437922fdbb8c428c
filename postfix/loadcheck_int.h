/*
 * loadcheck_int.h - what the two halves of the loadability checks share:
 * loadcheck.c (tables, '#' comments, size limits, the probe and the
 * gate), loadcheck_values.c (numbers, times, booleans) and
 * loadcheck_lists.c (smtpd restriction lists, the relay guard, TLS lists,
 * table types).  Not for other modules: they use
 * loadcheck.h.
 */
#ifndef PFA_LOADCHECK_INT_H
#define PFA_LOADCHECK_INT_H

#include <ctype.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "loadcheck.h"

/* One run: where findings go and which tables were probed already. */
struct pfa_lc {
	const struct pfa_cfview *v;
	struct pfa_result *res;
	pfa_table_probe probe;
	void *probe_arg;
	int problems;		/* the CRITICAL findings */
	char **seen;
	size_t nseen;
};

/* --- small helpers of both halves --- */

static inline bool
pfa_lc_in_list(const char *s, const char *const *list)
{
	for (size_t i = 0; list[i]; i++)
		if (strcmp(s, list[i]) == 0)
			return true;
	return false;
}

static inline bool
pfa_lc_ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* true if S is digits only, and not empty. */
static inline bool
pfa_lc_digits(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

/* true if service S overrides any of NAMES (NULL-terminated). */
static inline bool
pfa_lc_overrides(const struct pfa_cfsvc *s, const char *const *names)
{
	for (size_t j = 0; names[j]; j++)
		if (pfa_cfsvc_opt(s, names[j]) != NULL)
			return true;
	return false;
}

/* --- loadcheck.c --- */

/*
 * Adds a finding of severity SEV about NAME (of service S, or main.cf
 * when S is NULL); frees REMEDY (may be NULL).  Only a CRITICAL finding
 * blocks a reload, and only it is counted in c->problems: Postfix dies
 * or fails mail of it.  A WARNING is something Postfix runs with.
 */
void pfa_lc_finding(struct pfa_lc *c, enum pfa_sev sev, const char *id,
    const struct pfa_cfsvc *s, const char *name, char *remedy,
    const char *fmt, ...) __attribute__((format(printf, 7, 8)));
/* A blocking (CRITICAL, counted) finding. */
#define pfa_lc_add(c, ...) pfa_lc_finding((c), PFA_SEV_CRITICAL, __VA_ARGS__)
/* A pasteable postconf command for C's instance setting NAME to VALUE
 * (NULL: the default). */
char *pfa_lc_set_cmd(const struct pfa_lc *c, const struct pfa_cfsvc *s,
    const char *name, const char *value);

/* --- loadcheck_values.c --- */

/* PFA-LOAD-001/002/003 for NAME = VALUE of main.cf (S NULL) or S. */
void pfa_lc_value(struct pfa_lc *c, const struct pfa_cfsvc *s,
    const char *name, const char *value);

/* --- loadcheck_lists.c --- */

/*
 * Whether main.cf's values of NAMES reach a daemon: true when the view has
 * no services, or some service running COMMAND overrides none of NAMES.
 */
bool pfa_lc_main_used(const struct pfa_cfview *v, const char *command,
    const char *const *names);
/* PFA-LOAD-004/005/006: the lists of main.cf and of smtpd services. */
void pfa_lc_restrictions(struct pfa_lc *c);
/* PFA-LOAD-015. */
void pfa_lc_relay_guard(struct pfa_lc *c);
/* PFA-LOAD-010/011/012 for NAME = VALUE if it is a TLS list or grade. */
void pfa_lc_tls(struct pfa_lc *c, const struct pfa_cfsvc *s,
    const char *name, const char *value);
/*
 * PFA-LOAD-007 for every top-level "type:name" of table list NAME = VALUE
 * whose type Postfix does not have (inside {...} "x:y" may be a value:
 * inline:{ a = smtp:[b] }).
 */
void pfa_lc_table_types(struct pfa_lc *c, const struct pfa_cfsvc *s,
    const char *name, const char *value);

#endif
