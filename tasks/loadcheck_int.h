/*
 * loadcheck_int.h - what the two halves of the loadability checks share:
 * loadcheck.c (values, tables, '#' comments, size limits, the probe and
 * the gate) and loadcheck_lists.c (smtpd restriction lists, the relay
 * guard, TLS lists, table types).  Not for other modules: they use
 * loadcheck.h.
 */
#ifndef PFA_LOADCHECK_INT_H
#define PFA_LOADCHECK_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "loadcheck.h"

/* One run: where findings go and which tables were probed already. */
struct pfa_lc {
	const struct pfa_cfview *v;
	struct pfa_result *res;
	pfa_table_probe probe;
	void *probe_arg;
	int problems;
	char **seen;
	size_t nseen;
};

/* --- loadcheck.c --- */

/*
 * Adds a CRITICAL finding about NAME (of service S, or main.cf when S is
 * NULL) and counts it; frees REMEDY (may be NULL).
 */
void pfa_lc_add(struct pfa_lc *c, const char *id, const struct pfa_cfsvc *s,
    const char *name, char *remedy, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
/* A pasteable postconf command setting NAME to VALUE (NULL: the default). */
char *pfa_lc_set_cmd(const struct pfa_cfsvc *s, const char *name,
    const char *value);
bool pfa_lc_in_list(const char *s, const char *const *list);
bool pfa_lc_ends_with(const char *s, const char *suffix);
bool pfa_lc_digits(const char *s);

/* --- loadcheck_lists.c --- */

/* true if service S overrides any of NAMES (NULL-terminated). */
bool pfa_lc_overrides(const struct pfa_cfsvc *s, const char *const *names);
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
