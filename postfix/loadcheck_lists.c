/*
 * loadcheck_lists.c - the loadability checks of list-valued settings.
 * smtpd's restriction lists: every name is a restriction Postfix 3.7's
 * smtpd knows (its smtpd_check.c), a type:table or a restriction class;
 * restrictions that take an argument have one; every class has a
 * definition; the relay guard smtpd insists on is there.  TLS: protocol
 * lists parse, cipher grades exist, exclusions are plain cipher names.
 * Table lists: every table has a type Postfix knows.
 *
 * Reads the configuration view only, adds findings through
 * pfa_lc_add() (loadcheck_int.h); runs nothing and does not log.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "loadcheck_int.h"
#include "tlsparam.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

bool
pfa_lc_main_used(const struct pfa_cfview *v, const char *command,
    const char *const *names)
{
	if (v->nsvcs == 0)
		return true;
	for (size_t i = 0; i < v->nsvcs; i++)
		if (strcmp(v->svcs[i].command, command) == 0 &&
		    !pfa_lc_overrides(&v->svcs[i], names))
			return true;
	return false;
}

/* ------------------------------------------------- restriction lists */

/* What a restriction takes after it. */
enum rarg { R_NONE, R_TABLE, R_DOMAIN, R_POLICY, R_NUMBER };

/*
 * The restrictions generic_checks() in smtpd_check.c of Postfix 3.7
 * accepts (compared without case), including the old names it still
 * takes (reject_unknown_client, reject_rbl, check_relay_domains, ...) and
 * the built-in class reject_sender_login_mismatch.  Not here:
 * reject_unknown_forward_client_hostname (not compiled in by default).
 */
static const struct rname {
	const char *name;
	enum rarg arg;
} rnames[] = {
	{ "permit", R_NONE }, { "reject", R_NONE }, { "defer", R_NONE },
	{ "defer_if_permit", R_NONE }, { "defer_if_reject", R_NONE },
	{ "warn_if_reject", R_NONE }, { "reject_unauth_pipelining", R_NONE },
	{ "reject_plaintext_session", R_NONE }, { "sleep", R_NUMBER },
	{ "check_policy_service", R_POLICY },
	/* client */
	{ "reject_unknown_client_hostname", R_NONE },
	{ "reject_unknown_client", R_NONE },
	{ "reject_unknown_reverse_client_hostname", R_NONE },
	{ "permit_inet_interfaces", R_NONE }, { "permit_mynetworks", R_NONE },
	{ "reject_maps_rbl", R_NONE }, { "reject_rbl_client", R_DOMAIN },
	{ "reject_rbl", R_DOMAIN }, { "permit_dnswl_client", R_DOMAIN },
	{ "reject_rhsbl_client", R_DOMAIN },
	{ "permit_rhswl_client", R_DOMAIN },
	{ "reject_rhsbl_reverse_client", R_DOMAIN },
	{ "check_client_access", R_TABLE },
	{ "check_client_ns_access", R_TABLE },
	{ "check_client_mx_access", R_TABLE },
	{ "check_client_a_access", R_TABLE },
	{ "check_reverse_client_hostname_access", R_TABLE },
	{ "check_reverse_client_hostname_ns_access", R_TABLE },
	{ "check_reverse_client_hostname_mx_access", R_TABLE },
	{ "check_reverse_client_hostname_a_access", R_TABLE },
	{ "check_ccert_access", R_TABLE }, { "check_sasl_access", R_TABLE },
	{ "permit_sasl_authenticated", R_NONE },
	{ "permit_tls_all_clientcerts", R_NONE },
	{ "permit_tls_clientcerts", R_NONE },
	/* helo */
	{ "check_helo_access", R_TABLE }, { "check_helo_ns_access", R_TABLE },
	{ "check_helo_mx_access", R_TABLE }, { "check_helo_a_access", R_TABLE },
	{ "reject_invalid_helo_hostname", R_NONE },
	{ "reject_invalid_hostname", R_NONE },
	{ "reject_unknown_helo_hostname", R_NONE },
	{ "reject_unknown_hostname", R_NONE },
	{ "reject_non_fqdn_helo_hostname", R_NONE },
	{ "reject_non_fqdn_hostname", R_NONE },
	{ "permit_naked_ip_address", R_NONE },
	{ "reject_rhsbl_helo", R_DOMAIN },
	/* sender */
	{ "check_sender_access", R_TABLE },
	{ "check_sender_ns_access", R_TABLE },
	{ "check_sender_mx_access", R_TABLE },
	{ "check_sender_a_access", R_TABLE },
	{ "reject_unknown_sender_domain", R_NONE },
	{ "reject_unknown_address", R_NONE },
	{ "reject_unverified_sender", R_NONE },
	{ "reject_non_fqdn_sender", R_NONE },
	{ "reject_rhsbl_sender", R_DOMAIN },
	{ "reject_unlisted_sender", R_NONE },
	{ "reject_sender_login_mismatch", R_NONE },
	{ "reject_authenticated_sender_login_mismatch", R_NONE },
	{ "reject_known_sender_login_mismatch", R_NONE },
	{ "reject_unauthenticated_sender_login_mismatch", R_NONE },
	/* recipient */
	{ "check_recipient_access", R_TABLE },
	{ "check_recipient_ns_access", R_TABLE },
	{ "check_recipient_mx_access", R_TABLE },
	{ "check_recipient_a_access", R_TABLE },
	{ "permit_mx_backup", R_NONE }, { "permit_auth_destination", R_NONE },
	{ "reject_unauth_destination", R_NONE },
	{ "defer_unauth_destination", R_NONE },
	{ "check_relay_domains", R_NONE },
	{ "reject_unknown_recipient_domain", R_NONE },
	{ "reject_non_fqdn_recipient", R_NONE },
	{ "reject_rhsbl_recipient", R_DOMAIN },
	{ "reject_unlisted_recipient", R_NONE },
	{ "check_recipient_maps", R_NONE },
	{ "reject_multi_recipient_bounce", R_NONE },
	{ "reject_unverified_recipient", R_NONE },
	/* etrn */
	{ "check_etrn_access", R_TABLE },
};

static const char *const rlists[] = {
	"smtpd_client_restrictions", "smtpd_helo_restrictions",
	"smtpd_sender_restrictions", "smtpd_relay_restrictions",
	"smtpd_recipient_restrictions", "smtpd_data_restrictions",
	"smtpd_end_of_data_restrictions", "smtpd_etrn_restrictions", NULL,
};

/* Every table type of Postfix 3.7, to tell a misspelt type from a table. */
static const char *const table_types[] = {
	"btree", "cdb", "cidr", "dbm", "environ", "fail", "hash", "inline",
	"internal", "ldap", "lmdb", "memcache", "mongodb", "mysql", "netinfo",
	"nis", "nisplus", "pcre", "pgsql", "pipemap", "proxy", "randmap",
	"regexp", "sdbm", "socketmap", "sqlite", "static", "tcp", "texthash",
	"unionmap", "unix", NULL,
};

/* PFA-LOAD-007 if TOK is "type:name" with a type Postfix does not have. */
static void
table_type(struct pfa_lc *c, const struct pfa_cfsvc *s,
    const char *name, const char *tok)
{
	char type[32];
	if (strncmp(tok, "proxy:", 6) == 0)
		tok += 6;
	size_t n = strcspn(tok, ":");
	if (tok[n] != ':' || n == 0 || n >= sizeof(type))
		return;
	memcpy(type, tok, n);
	type[n] = '\0';
	/* "a@x=smtp:[host]": no type name, no table */
	for (size_t i = 0; i < n; i++)
		if (!islower((unsigned char)type[i]) &&
		    !isdigit((unsigned char)type[i]) && type[i] != '_')
			return;
	if (!pfa_lc_in_list(type, table_types))
		pfa_lc_add(c, "PFA-LOAD-007", s, name, NULL, "%s names table "
		    "\"%s\" of unknown type \"%s\": Postfix cannot open it",
		    name, tok, type);
}

void
pfa_lc_table_types(struct pfa_lc *c, const struct pfa_cfsvc *s,
    const char *name, const char *value)
{
	static const char seps[] = " \t\r\n,{}";
	char tok[256];
	int depth = 0;
	for (const char *p = value; *p != '\0';) {
		size_t n = strcspn(p, seps);
		if (n == 0) {
			depth += (*p == '{') - (*p == '}');
			p++;
			continue;
		}
		if (depth == 0 && n < sizeof(tok)) {
			memcpy(tok, p, n);
			tok[n] = '\0';
			table_type(c, s, name, tok);
		}
		p += n;
	}
}

static const struct rname *
rname_find(const char *tok)
{
	for (size_t i = 0; i < NELEM(rnames); i++)
		if (strcasecmp(tok, rnames[i].name) == 0)
			return &rnames[i];
	return NULL;
}

/* Levenshtein distance of A and B without case; SIZE_MAX if too long. */
static size_t
distance(const char *a, const char *b)
{
	size_t n = strlen(a), m = strlen(b), row[65];
	if (n > 64 || m > 64)
		return (size_t)-1;
	for (size_t j = 0; j <= m; j++)
		row[j] = j;
	for (size_t i = 1; i <= n; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= m; j++) {
			int ca = tolower((unsigned char)a[i - 1]);
			int cb = tolower((unsigned char)b[j - 1]);
			size_t up = row[j], best = diag + (ca != cb);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[m];
}

static int
class_cb(void *arg, const char *tok, size_t idx)
{
	(void)idx;
	return strcmp(tok, arg) == 0;
}

/* Is TOK one of the names in CLASSES (smtpd_restriction_classes)? */
static bool
is_class(const char *classes, const char *tok)
{
	return pfa_cf_tokens(classes, class_cb, (void *)tok) != 0;
}

/* The walk over one restriction list. */
struct rwalk {
	struct pfa_lc *c;
	const struct pfa_cfsvc *s;
	const char *name;	/* the list's parameter */
	const char *written;	/* its value as written, for the remedy */
	const char *classes;
	bool no_bare_table;	/* the data and end-of-data lists */
	const struct rname *pending;	/* waits for its argument */
};

/* VALUE with the first whole-word OLD replaced by NEW, or NULL. */
static char *
replace_word(const char *value, const char *old, const char *new)
{
	size_t ol = strlen(old);
	for (const char *p = value; (p = strstr(p, old)) != NULL; p++) {
		bool start = p == value || strchr(" \t\n,{", p[-1]) != NULL;
		if (start && strchr(" \t\n,}", p[ol]) != NULL)
			return pfa_xasprintf("%.*s%s%s", (int)(p - value),
			    value, new, p + ol);
	}
	return NULL;
}

static void
unknown_restriction(struct rwalk *w, const char *tok)
{
	const char *best = NULL;
	size_t bd = 3;		/* suggest within an edit distance of 2 */
	for (size_t i = 0; i < NELEM(rnames); i++) {
		size_t d = distance(tok, rnames[i].name);
		if (d < bd) {
			bd = d;
			best = rnames[i].name;
		}
	}
	char *remedy = NULL;
	if (best != NULL) {
		char *fixed = replace_word(w->written, tok, best);
		remedy = fixed ? pfa_lc_set_cmd(w->c, w->s, w->name, fixed) :
		    pfa_xasprintf("replace %s with %s in %s", tok, best,
		    w->name);
		free(fixed);
	}
	pfa_lc_add(w->c, "PFA-LOAD-004", w->s, w->name, remedy, "%s names "
	    "unknown restriction \"%s\"%s%s%s: smtpd answers \"451 4.3.5 "
	    "Server configuration error\"", w->name, tok,
	    best ? " (did you mean " : "", best ? best : "", best ? "?)" : "");
}

static void
missing_arg(struct rwalk *w, const char *tok)
{
	enum rarg a = w->pending->arg;
	pfa_lc_add(w->c, "PFA-LOAD-005", w->s, w->name, NULL, "in %s, %s must "
	    "be followed by %s, not %s%s%s: smtpd answers \"451 4.3.5 Server "
	    "configuration error\"", w->name, w->pending->name,
	    a == R_TABLE ? "a type:table" : a == R_POLICY ?
	    "a transport:endpoint" : "a number of seconds", tok ? "\"" : "",
	    tok ? tok : "the end of the list", tok ? "\"" : "");
}

static int
rwalk_token(void *arg, const char *tok, size_t idx)
{
	struct rwalk *w = arg;
	(void)idx;
	if (strchr(tok, '$') != NULL) {	/* not expanded: cannot tell */
		w->pending = NULL;
		return 0;
	}
	if (w->pending != NULL) {
		enum rarg a = w->pending->arg;
		if ((a == R_TABLE || a == R_POLICY) && strchr(tok, ':') == NULL)
			missing_arg(w, tok);
		else if (a == R_NUMBER && !pfa_lc_digits(tok))
			missing_arg(w, tok);
		else if (a == R_TABLE)
			table_type(w->c, w->s, w->name, tok);
		w->pending = NULL;
		return 0;
	}
	if (strchr(tok, ':') != NULL) {
		/* a bare table: an access table of the list's own kind */
		if (w->no_bare_table)
			pfa_lc_add(w->c, "PFA-LOAD-005", w->s, w->name, NULL,
			    "%s has table \"%s\" without a check_*_access "
			    "before it: smtpd answers \"451 4.3.5 Server "
			    "configuration error\"", w->name, tok);
		else
			table_type(w->c, w->s, w->name, tok);
		return 0;
	}
	const struct rname *r = rname_find(tok);
	if (r != NULL) {
		if (r->arg != R_NONE)
			w->pending = r;
	} else if (!is_class(w->classes, tok))
		unknown_restriction(w, tok);
	return 0;
}

static void
check_list(struct pfa_lc *c, const struct pfa_cfsvc *s, const char *name,
    const char *value)
{
	const char *written = s ? pfa_cfsvc_opt(s, name) :
	    pfa_cf_raw(c->v, name);
	struct rwalk w = {
		.c = c, .s = s, .name = name,
		.written = written ? written : value,
		.classes = pfa_cfsvc_get(c->v, s, "smtpd_restriction_classes"),
		.no_bare_table = strcmp(name, "smtpd_data_restrictions") == 0 ||
		    strcmp(name, "smtpd_end_of_data_restrictions") == 0,
	};
	pfa_cf_tokens(value, rwalk_token, &w);
	/* a missing DNS list domain is only a warning in smtpd */
	if (w.pending != NULL && w.pending->arg != R_DOMAIN)
		missing_arg(&w, NULL);
}

struct cwalk {
	struct pfa_lc *c;
	const struct pfa_cfsvc *s;
	bool overridden_only;	/* S keeps main.cf's class list */
};

/* A restriction class needs a definition, itself a restriction list. */
static int
class_def(void *arg, const char *cls, size_t idx)
{
	struct cwalk *w = arg;
	(void)idx;
	if (w->overridden_only && pfa_cfsvc_opt(w->s, cls) == NULL)
		return 0;
	const char *def = pfa_cfsvc_get(w->c->v, w->s, cls);
	if (def == NULL || *def == '\0')
		pfa_lc_add(w->c, "PFA-LOAD-006", w->s, cls, NULL, "restriction "
		    "class %s is named in smtpd_restriction_classes but has no "
		    "definition: smtpd dies with \"restriction class `%s' "
		    "needs a definition\"", cls, cls);
	else
		check_list(w->c, w->s, cls, def);
	return 0;
}

/* The lists of main.cf (S NULL), or what smtpd service S overrides. */
static void
check_lists(struct pfa_lc *c, const struct pfa_cfsvc *s)
{
	for (size_t i = 0; rlists[i]; i++) {
		if (s != NULL && pfa_cfsvc_opt(s, rlists[i]) == NULL)
			continue;
		const char *value = pfa_cfsvc_get(c->v, s, rlists[i]);
		if (value != NULL)
			check_list(c, s, rlists[i], value);
	}
	struct cwalk w = { c, s, s != NULL &&
	    pfa_cfsvc_opt(s, "smtpd_restriction_classes") == NULL };
	pfa_cf_tokens(pfa_cfsvc_get(c->v, s, "smtpd_restriction_classes"),
	    class_def, &w);
}

void
pfa_lc_restrictions(struct pfa_lc *c)
{
	check_lists(c, NULL);
	for (size_t i = 0; i < c->v->nsvcs; i++)
		if (strcmp(c->v->svcs[i].command, "smtpd") == 0)
			check_lists(c, &c->v->svcs[i]);
}

/* ------------------------------------------------------- relay guard */

/* smtpd_check.c: "specify at least one working instance of: ..." */
static const char *const relay_required[] = {
	"reject_unauth_destination", "defer_unauth_destination", "reject",
	"defer", "defer_if_permit", "check_relay_domains", NULL,
};

struct gwalk {
	const struct pfa_cfview *v;
	const struct pfa_cfsvc *s;
	const char *classes;
	bool skip_next;		/* the one after warn_if_reject */
	int depth;
};

/*
 * As has_required() in smtpd_check.c sees the list: 1 when TOK (or the
 * class it names) is a relay guard, 2 at an unconditional permit (the
 * search ends there); the one after warn_if_reject does not count.
 */
static int
guard_token(void *arg, const char *tok, size_t idx)
{
	struct gwalk *g = arg;
	(void)idx;
	if (g->skip_next) {
		g->skip_next = false;
		return 0;
	}
	if (strcasecmp(tok, "warn_if_reject") == 0) {
		g->skip_next = true;
		return 0;
	}
	if (strcasecmp(tok, "permit") == 0)
		return 2;
	for (size_t i = 0; relay_required[i]; i++)
		if (strcasecmp(tok, relay_required[i]) == 0)
			return 1;
	if (g->depth < 16 && is_class(g->classes, tok)) {
		struct gwalk sub = { g->v, g->s, g->classes, false,
		    g->depth + 1 };
		return pfa_cf_tokens(pfa_cfsvc_get(g->v, g->s, tok),
		    guard_token, &sub) == 1;
	}
	return 0;
}

static bool
has_guard(struct gwalk *g, const char *list)
{
	g->skip_next = false;
	return pfa_cf_tokens(pfa_cfsvc_get(g->v, g->s, list), guard_token,
	    g) == 1;
}

static void
guard_one(struct pfa_lc *c, const struct pfa_cfsvc *s)
{
	struct gwalk g = { c->v, s, pfa_cfsvc_get(c->v, s,
	    "smtpd_restriction_classes"), false, 0 };
	/* a view that knows neither list cannot tell */
	if (pfa_cfsvc_get(c->v, s, "smtpd_relay_restrictions") == NULL &&
	    pfa_cfsvc_get(c->v, s, "smtpd_recipient_restrictions") == NULL)
		return;
	if (has_guard(&g, "smtpd_relay_restrictions") ||
	    has_guard(&g, "smtpd_recipient_restrictions"))
		return;
	pfa_lc_add(c, "PFA-LOAD-015", s, "smtpd_relay_restrictions",
	    pfa_lc_set_cmd(c, s, "smtpd_relay_restrictions", s ?
	    "permit_mynetworks,permit_sasl_authenticated,"
	    "defer_unauth_destination" : "permit_mynetworks, "
	    "permit_sasl_authenticated, defer_unauth_destination"),
	    "neither smtpd_relay_restrictions nor "
	    "smtpd_recipient_restrictions has reject_unauth_destination, "
	    "defer_unauth_destination, reject, defer, defer_if_permit or "
	    "check_relay_domains before any plain permit: smtpd dies with "
	    "\"specify at least one working instance of\" them");
}

void
pfa_lc_relay_guard(struct pfa_lc *c)
{
	static const char *const names[] = { "smtpd_relay_restrictions",
	    "smtpd_recipient_restrictions", "smtpd_restriction_classes",
	    NULL };
	if (pfa_lc_main_used(c->v, "smtpd", names))
		guard_one(c, NULL);
	for (size_t i = 0; i < c->v->nsvcs; i++) {
		const struct pfa_cfsvc *s = &c->v->svcs[i];
		if (strcmp(s->command, "smtpd") == 0 &&
		    pfa_lc_overrides(s, names))
			guard_one(c, s);
	}
}

/* ---------------------------------------------------------------- TLS */

#define TLS_SEPS " \t\r\n,:"

/* The first cipher exclusion of VALUE starting with ! + - @, or 0. */
static int
bad_exclusion(const char *value)
{
	for (const char *p = value; *(p += strspn(p, TLS_SEPS)) != '\0';
	    p += strcspn(p, TLS_SEPS))
		if (strchr("!+-@", *p))
			return *p;
	return 0;
}

void
pfa_lc_tls(struct pfa_lc *c, const struct pfa_cfsvc *s, const char *name,
    const char *value)
{
	int bad;
	if (value == NULL || strchr(value, '$') != NULL)
		return;
	if ((pfa_lc_ends_with(name, "_tls_protocols") ||
	    pfa_lc_ends_with(name, "_tls_mandatory_protocols")) &&
	    pfa_tls_protocols(value) < 0)
		pfa_lc_add(c, "PFA-LOAD-010", s, name,
		    pfa_lc_set_cmd(c, s, name, ">=TLSv1.2"),
		    "%s = %s does not parse (names are SSLv2, SSLv3, TLSv1, "
		    "TLSv1.1, TLSv1.2, TLSv1.3): Postfix logs "
		    "\"Invalid TLS protocol list\" and disables TLS", name,
		    value);
	else if ((pfa_lc_ends_with(name, "_tls_ciphers") ||
	    pfa_lc_ends_with(name, "_tls_mandatory_ciphers")) &&
	    !pfa_tls_grade_ok(value))
		pfa_lc_add(c, "PFA-LOAD-011", s, name,
		    pfa_lc_set_cmd(c, s, name, "medium"),
		    "%s = %s is not a cipher grade (high, medium, low, export, "
		    "null): TLS handshakes fail with \"invalid cipher grade\"",
		    name, value);
	else if (pfa_lc_ends_with(name, "_exclude_ciphers") &&
	    (bad = bad_exclusion(value)) != 0)
		pfa_lc_add(c, "PFA-LOAD-012", s, name, NULL, "%s = %s has an "
		    "exclusion starting with %c (list cipher names only): TLS "
		    "handshakes fail with \"invalid unary '!+-@' in cipher "
		    "exclusion\"", name, value, bad);
}
