/*
 * cfview.h - the one model of a Postfix configuration: parameters (as
 * expanded, as main.cf writes them, and Postfix's defaults), master.cf
 * services with their -o overrides, and the list tokenizer every reader
 * of a Postfix list uses.
 *
 * In production the Postfix module fills it from postconf (postfix.h,
 * pfa_postfix_view: -x for the expanded values, -n for what main.cf sets
 * as written, -dx for the defaults, -F and -P for master.cf) and owns it.
 * Unit tests build one by hand with pfa_cfview_set() and friends: this is
 * the seam, no rule runs a command or reads main.cf itself.  Nothing here
 * runs a program or logs.
 */
#ifndef PFA_CFVIEW_H
#define PFA_CFVIEW_H

#include <stdbool.h>
#include <stddef.h>


struct pfa_cfparam {
	char *name;
	char *value;	/* expanded (postconf -x), "" when empty */
	char *raw;	/* as main.cf writes it (postconf -n), NULL if unset */
	char *dflt;	/* Postfix's default, expanded; NULL if not known */
};

struct pfa_cfsvc_opt {
	char *name;
	char *value;	/* as written after -o name=value */
};

/* One master.cf service (postconf -F). */
struct pfa_cfsvc {
	char *name;	/* "smtp", "submission", "127.0.0.1:2525" */
	char *type;	/* "inet", "unix", "pass", ... */
	char *command;	/* the command name alone: "smtpd", "cleanup" */
	struct pfa_cfsvc_opt *opts;	/* its -o overrides (postconf -P) */
	size_t nopts;
};

struct pfa_cfview {
	char *config_dir;
	struct pfa_cfparam *params;	/* sorted by name */
	size_t nparams;
	bool sorted;
	struct pfa_cfsvc *svcs;
	size_t nsvcs;
	int version[3];		/* mail_version: {3, 7, 11}; {0,0,0} unknown */
};

void pfa_cfview_init(struct pfa_cfview *v, const char *config_dir);
void pfa_cfview_free(struct pfa_cfview *v);

/* --- building by hand (unit tests; also used by pfa_postfix_view) --- */

/* Sets NAME as main.cf would: raw = value = VALUE (no expansion). */
void pfa_cfview_set(struct pfa_cfview *v, const char *name, const char *value);
/* Sets Postfix's default for NAME; also its value when main.cf leaves it
 * unset. */
void pfa_cfview_set_default(struct pfa_cfview *v, const char *name,
    const char *value);
/* Sets the expanded value only (raw untouched). */
void pfa_cfview_set_expanded(struct pfa_cfview *v, const char *name,
    const char *value);
/* Adds a service; returns it for pfa_cfview_svc_opt().  The pointer is
 * valid until the next pfa_cfview_add_service (the array may move). */
struct pfa_cfsvc *pfa_cfview_add_service(struct pfa_cfview *v,
    const char *name, const char *type, const char *command);
void pfa_cfview_svc_opt(struct pfa_cfsvc *s, const char *name,
    const char *value);
/* Parses "3.7.11" into v->version. */
void pfa_cfview_set_version(struct pfa_cfview *v, const char *mail_version);

/* --- loading from postconf (pfa_postfix_view), in any order --- */

/* NAME as main.cf writes it (postconf -n); also its value if unknown. */
void pfa_cfview_load_raw(struct pfa_cfview *v, const char *name,
    const char *value);
/* Postfix's default for NAME (postconf -dx); also its value if unknown. */
void pfa_cfview_load_default(struct pfa_cfview *v, const char *name,
    const char *value);
/* Sorts the parameters after a bulk load, for fast lookups. */
void pfa_cfview_sort(struct pfa_cfview *v);

/* --- reading --- */

/* The parameter, or NULL if Postfix does not know it. */
const struct pfa_cfparam *pfa_cfview_param(const struct pfa_cfview *v,
    const char *name);
/* Its expanded value, or NULL if unknown. */
const char *pfa_cf_get(const struct pfa_cfview *v, const char *name);
/* Its value as main.cf writes it, or NULL when main.cf does not set it. */
const char *pfa_cf_raw(const struct pfa_cfview *v, const char *name);
bool pfa_cf_is_set(const struct pfa_cfview *v, const char *name);
/* true for "yes" (any case), as Postfix reads booleans; false otherwise. */
bool pfa_cf_yes(const struct pfa_cfview *v, const char *name);
bool pfa_cf_value_yes(const char *value);
/* true if Postfix is at least MAJOR.MINOR (false when unknown). */
bool pfa_cf_version_ge(const struct pfa_cfview *v, int major, int minor);

/* The first service with NAME and TYPE (TYPE may be NULL), or NULL. */
const struct pfa_cfsvc *pfa_cfview_service(const struct pfa_cfview *v,
    const char *name, const char *type);
/* S's -o override of NAME, or NULL. */
const char *pfa_cfsvc_opt(const struct pfa_cfsvc *s, const char *name);
/*
 * NAME's value as service S sees it: its -o override (with a leading $
 * reference to a main.cf parameter resolved once), else main.cf's
 * expanded value.  NULL if neither is known.
 */
const char *pfa_cfsvc_get(const struct pfa_cfview *v,
    const struct pfa_cfsvc *s, const char *name);

/*
 * The one list tokenizer: calls FN for every token of VALUE split at
 * whitespace and commas outside braces, as Postfix splits lists
 * (mystrtokq): "inline:{ a = b }" is one token, and a token that is a
 * "{ ... }" group is passed without its braces and the spaces inside them
 * (extpar; an unterminated group takes the rest).  A nonzero return from
 * FN stops the walk and is returned.
 */
int pfa_cf_tokens(const char *value,
    int (*fn)(void *arg, const char *token, size_t index), void *arg);

#endif
