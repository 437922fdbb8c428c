/*
 * loadcheck.c - the loadability checks: settings `postconf` 3.7 accepts
 * with exit status 0 but a Postfix daemon dies on ("fatal: bad numerical
 * configuration", "mailbox_size_limit is smaller than message_size_limit",
 * "open database") or answers "451 4.3.5 Server configuration error" for.
 * This part checks lookup tables, '#' comments and size limits, and holds
 * the table probe and the reload gate's validator; numbers, times and
 * booleans are in loadcheck_values.c, the smtpd restriction lists, the
 * relay guard and the TLS lists in loadcheck_lists.c.
 *
 * Reads a configuration view (cfview.h) and adds findings PFA-LOAD-* to
 * a result: CRITICAL ones block a reload and are counted, WARNING ones
 * (PFA-LOAD-009, 018: Postfix runs with them) are not.  The only command
 * run is `postmap -q`, through the Postfix module, by the production
 * probe; the checks get the probe as a seam.  Writes no file and does
 * not log.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "loadcheck_int.h"
#include "mapspec.h"
#include "remedy.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

const struct pfa_finding_doc pfa_loadcheck_findings[] = {
	{ "PFA-LOAD-001", PFA_SEV_CRITICAL, "integer parameter not a number" },
	{ "PFA-LOAD-002", PFA_SEV_CRITICAL, "time parameter not a time" },
	{ "PFA-LOAD-003", PFA_SEV_CRITICAL, "boolean parameter not yes/no" },
	{ "PFA-LOAD-004", PFA_SEV_CRITICAL, "unknown smtpd restriction" },
	{ "PFA-LOAD-005", PFA_SEV_CRITICAL, "restriction argument missing" },
	{ "PFA-LOAD-006", PFA_SEV_CRITICAL, "restriction class undefined" },
	{ "PFA-LOAD-007", PFA_SEV_CRITICAL, "lookup table of unknown type" },
	{ "PFA-LOAD-008", PFA_SEV_CRITICAL, "lookup table does not open" },
	{ "PFA-LOAD-009", PFA_SEV_WARNING, "'#' comment inside a value" },
	{ "PFA-LOAD-010", PFA_SEV_CRITICAL, "TLS protocol list invalid" },
	{ "PFA-LOAD-011", PFA_SEV_CRITICAL, "TLS cipher grade invalid" },
	{ "PFA-LOAD-012", PFA_SEV_CRITICAL, "TLS cipher exclusion invalid" },
	{ "PFA-LOAD-013", PFA_SEV_CRITICAL, "mailbox_size_limit too small" },
	{ "PFA-LOAD-014", PFA_SEV_CRITICAL, "virtual_mailbox_limit too small" },
	{ "PFA-LOAD-015", PFA_SEV_CRITICAL, "no relay guard for smtpd" },
	{ "PFA-LOAD-016", PFA_SEV_CRITICAL, "configuration unreadable" },
	{ "PFA-LOAD-017", PFA_SEV_CRITICAL, "Postfix programs die on main.cf" },
	{ "PFA-LOAD-018", PFA_SEV_WARNING, "database older than its source" },
	{ NULL, 0, NULL },
};

/* ------------------------------------------------------------ helpers */

char *
pfa_lc_set_cmd(const struct pfa_lc *c, const struct pfa_cfsvc *s,
    const char *name, const char *value)
{
	const char *dir = c->v->config_dir;
	if (value == NULL)
		return s ? pfa_remedy(dir, "postconf -PX '%s/%s/%s'", s->name,
		    s->type, name) : pfa_remedy(dir, "postconf -# %s", name);
	/* inside '...' a quote is written '\'' */
	char *q = pfa_xmalloc(strlen(value) * 4 + 1), *o = q;
	for (const char *p = value; *p; p++) {
		if (*p == '\'') {
			memcpy(o, "'\\''", 4);
			o += 4;
		} else
			*o++ = *p;
	}
	*o = '\0';
	char *cmd = s ? pfa_remedy(dir, "postconf -P '%s/%s/%s=%s'", s->name,
	    s->type, name, q) : pfa_remedy(dir, "postconf -e '%s = %s'", name,
	    q);
	free(q);
	return cmd;
}

void
pfa_lc_finding(struct pfa_lc *c, enum pfa_sev sev, const char *id,
    const struct pfa_cfsvc *s, const char *name, char *remedy,
    const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* main.cf: "name"; a service: "service/type/name" as postconf -P */
	char *subj = s ? pfa_xasprintf("%s/%s/%s", s->name, s->type, name) :
	    pfa_xstrdup(name);
	pfa_result_add_finding(c->res, sev, id, subj, remedy, "%s", msg);
	free(subj);
	free(remedy);
	c->problems += sev == PFA_SEV_CRITICAL;
}

/* Calls FN for every parameter main.cf sets and every master.cf -o. */
static void
each_setting(struct pfa_lc *c, void (*fn)(struct pfa_lc *,
    const struct pfa_cfsvc *, const char *, const char *))
{
	const struct pfa_cfview *v = c->v;
	for (size_t i = 0; i < v->nparams; i++)
		if (v->params[i].raw != NULL && v->params[i].value != NULL)
			fn(c, NULL, v->params[i].name, v->params[i].value);
	for (size_t i = 0; i < v->nsvcs; i++)
		for (size_t j = 0; j < v->svcs[i].nopts; j++) {
			const char *n = v->svcs[i].opts[j].name;
			fn(c, &v->svcs[i], n, pfa_cfsvc_get(v, &v->svcs[i], n));
		}
}

/* ---------------------------------------------------------- the tables */

/*
 * Rebuild an indexed table: aliases with postalias, the others through
 * rebuild-maps and its checks (a plain postmap would build a source it
 * refused on purpose); correct a text one and try it again.
 */
static char *
table_remedy(const struct pfa_lc *c, const char *type, const char *path,
    const char *param)
{
	static const char *const indexed[] = {
		"hash", "btree", "lmdb", "cdb", "dbm", NULL,
	};
	if (!pfa_lc_in_list(type, indexed))
		return pfa_remedy(c->v->config_dir, "correct %s, then: postmap "
		    "-q test %s:%s", path, type, path);
	if (strcmp(param, "alias_maps") == 0)
		return pfa_remedy(c->v->config_dir, "postalias %s:%s", type,
		    path);
	return pfa_xstrdup("pfagent run rebuild-maps");
}

struct twalk {
	struct pfa_lc *c;
	const char *name;
};

/* Probes TYPE:PATH, once a run, unless it is one of Postfix's own. */
static void
probe_once(struct pfa_lc *c, const char *type, const char *path,
    const char *param)
{
	if (pfa_map_path_below(path, pfa_cf_get(c->v, "data_directory")) ||
	    pfa_map_path_below(path, pfa_cf_get(c->v, "queue_directory")))
		return;
	char *spec = pfa_xasprintf("%s:%s", type, path), *why = NULL;
	for (size_t i = 0; i < c->nseen; i++)
		if (strcmp(c->seen[i], spec) == 0) {
			free(spec);
			return;
		}
	c->seen = pfa_xrealloc(c->seen, (c->nseen + 1) * sizeof(*c->seen));
	c->seen[c->nseen++] = spec;
	int rc = c->probe(c->probe_arg, spec, &why);
	if (rc < 0)
		pfa_lc_add(c, "PFA-LOAD-008", NULL, spec,
		    table_remedy(c, type, path, param), "table %s (named in %s) "
		    "does not open: %s", spec, param,
		    why ? why : "unknown error");
	else if (rc > 0)
		pfa_lc_finding(c, PFA_SEV_WARNING, "PFA-LOAD-018", NULL, spec,
		    table_remedy(c, type, path, param), "table %s (named in %s) "
		    "opens, but its database is older than its source file: "
		    "Postfix answers from the old content (%s)", spec, param,
		    why ? why : "postmap warned");
	free(why);
}

static int
table_token(void *arg, const char *tok)
{
	struct twalk *w = arg;
	char *type, *path;
	if (w->c->probe != NULL &&
	    pfa_mapspec_parse(tok, &type, &path) == 0) {
		probe_once(w->c, type, path, w->name);
		free(type);
		free(path);
	}
	return 0;
}

/*
 * Not tables a daemon opens: Postfix's own caches (as maptable.c);
 * alias_database, read by newaliases only; the proxy_*_maps, lists of the
 * tables proxymap may open for others.
 */
static bool
not_opened(const char *name)
{
	static const char *const names[] = { "alias_database",
	    "proxy_read_maps", NULL };
	return pfa_map_cache_param(name) || pfa_lc_in_list(name, names);
}

static void
check_tables(struct pfa_lc *c, const struct pfa_cfsvc *s, const char *name,
    const char *value)
{
	struct twalk w = { c, name };
	if (value == NULL || strchr(value, '$') != NULL || not_opened(name))
		return;
	if (pfa_lc_ends_with(name, "_maps") ||
	    pfa_lc_ends_with(name, "_checks"))
		pfa_lc_table_types(c, s, name, value);
	pfa_table_walk(value, table_token, &w);
}

/* --------------------------------------------------- '#' inside a value */

static void
check_comment(struct pfa_lc *c, const struct pfa_cfsvc *s, const char *name,
    const char *value)
{
	(void)value;
	const char *raw = s ? pfa_cfsvc_opt(s, name) : pfa_cf_raw(c->v, name);
	if (raw == NULL)
		return;
	const char *h = raw;
	while ((h = strchr(h, '#')) != NULL && h != raw &&
	    !isspace((unsigned char)h[-1]))
		h++;
	if (h == NULL)
		return;
	size_t n = (size_t)(h - raw);
	while (n > 0 && isspace((unsigned char)raw[n - 1]))
		n--;
	char *kept = pfa_xasprintf("%.*s", (int)n, raw);
	pfa_lc_finding(c, PFA_SEV_WARNING, "PFA-LOAD-009", s, name,
	    pfa_lc_set_cmd(c, s, name, n ? kept : NULL), "%s = %s has a '#' "
	    "inside the value; Postfix 3.7 takes it and what follows "
	    "literally (put comments on their own line)", name, raw);
	free(kept);
}

/* --------------------------------------------------- size limits */

/*
 * local(8) and virtual(8) refuse to start when their mailbox limit is
 * below message_size_limit, or is a limit while message_size_limit = 0
 * (unlimited).  LIMIT is the parameter of DAEMON.
 */
static void
size_one(struct pfa_lc *c, const struct pfa_cfsvc *s, const char *daemon,
    const char *limit, const char *id)
{
	const char *ms = pfa_cfsvc_get(c->v, s, "message_size_limit");
	const char *ls = pfa_cfsvc_get(c->v, s, limit);
	if (ms == NULL || ls == NULL || !pfa_lc_digits(ms) ||
	    !pfa_lc_digits(ls))
		return;
	long long m = strtoll(ms, NULL, 10), l = strtoll(ls, NULL, 10);
	if (l == 0 || (m != 0 && l >= m))
		return;
	if (m == 0)
		pfa_lc_add(c, id, s, limit,
		    pfa_lc_set_cmd(c, s, "message_size_limit", ls), "%s = %lld "
		    "but message_size_limit = 0 (unlimited): %s dies with "
		    "\"%s is limited but message_size_limit is unlimited\"",
		    limit, l, daemon, limit);
	else
		pfa_lc_add(c, id, s, limit, pfa_lc_set_cmd(c, s, limit, ms),
		    "%s = %lld is smaller than message_size_limit = %lld: %s "
		    "dies with \"configuration error: %s is smaller than "
		    "message_size_limit\"", limit, l, m, daemon, limit);
}

/*
 * Does mail reach DAEMON: DOMAINS (its address class) is not empty and
 * TRANSPORT names a master.cf service running it?  Unknown values count
 * as yes; a view without services has every daemon.
 */
static bool
daemon_used(const struct pfa_cfview *v, const char *daemon,
    const char *domains, const char *transport)
{
	const char *d = pfa_cf_get(v, domains), *t = pfa_cf_get(v, transport);
	if (d != NULL && strspn(d, " \t\r\n,") == strlen(d))
		return false;
	if (t == NULL || v->nsvcs == 0)
		return true;
	size_t n = strcspn(t, ":");
	for (size_t i = 0; i < v->nsvcs; i++)
		if (strcmp(v->svcs[i].command, daemon) == 0 &&
		    strlen(v->svcs[i].name) == n &&
		    strncmp(v->svcs[i].name, t, n) == 0)
			return true;
	return false;
}

static void
check_sizes(struct pfa_lc *c)
{
	static const struct {
		const char *daemon, *domains, *transport, *limit, *id;
	} t[] = {
		{ "local", "mydestination", "local_transport",
		    "mailbox_size_limit", "PFA-LOAD-013" },
		{ "virtual", "virtual_mailbox_domains", "virtual_transport",
		    "virtual_mailbox_limit", "PFA-LOAD-014" },
	};
	for (size_t k = 0; k < NELEM(t); k++) {
		const char *names[] = { "message_size_limit", t[k].limit,
		    NULL };
		if (!daemon_used(c->v, t[k].daemon, t[k].domains,
		    t[k].transport))
			continue;
		if (pfa_lc_main_used(c->v, t[k].daemon, names))
			size_one(c, NULL, t[k].daemon, t[k].limit, t[k].id);
		for (size_t i = 0; i < c->v->nsvcs; i++) {
			const struct pfa_cfsvc *s = &c->v->svcs[i];
			if (strcmp(s->command, t[k].daemon) == 0 &&
			    pfa_lc_overrides(s, names))
				size_one(c, s, t[k].daemon, t[k].limit,
				    t[k].id);
		}
	}
}

/* ------------------------------------------------------------- driver */

static void
per_setting(struct pfa_lc *c, const struct pfa_cfsvc *s, const char *name,
    const char *value)
{
	pfa_lc_value(c, s, name, value);
	check_tables(c, s, name, value);
	check_comment(c, s, name, value);
	pfa_lc_tls(c, s, name, value);
}

int
pfa_loadcheck(const struct pfa_cfview *v, pfa_table_probe probe,
    void *probe_arg, struct pfa_result *res)
{
	struct pfa_lc c = { v, res, probe, probe_arg, 0, NULL, 0 };
	each_setting(&c, per_setting);
	pfa_lc_restrictions(&c);
	check_sizes(&c);
	pfa_lc_relay_guard(&c);
	for (size_t i = 0; i < c.nseen; i++)
		free(c.seen[i]);
	free(c.seen);
	return c.problems;
}

/* -------------------------------------------------- probe and gate */

/* What postmap -q said about a table. */
enum said { S_FAILED = -1, S_CLEAN, S_STALE, S_BROKEN };

/*
 * Reads postmap's stderr ERR about table PATH: S_BROKEN at a fatal: or a
 * warning that the table does not open, S_STALE at a warning that its
 * database is older than its source (it opens and answers), S_CLEAN
 * otherwise: regexp, pcre and cidr tables warn about a bad line and skip
 * that rule.  *line: the line, NULL when clean.
 */
static enum said
complaint(const char *err, const char *path, char **line)
{
	static const char *const unopened[] = { "open database",
	    "unsupported dictionary type", "No such file", "cannot open",
	    "is unavailable", NULL };
	enum said r = S_CLEAN;
	*line = NULL;
	for (const char *l = err; r != S_BROKEN && l && *l; l = strchr(l,
	    '\n') ? strchr(l, '\n') + 1 : NULL) {
		char *t = pfa_xasprintf("%.*s", (int)strcspn(l, "\n"), l);
		bool warns = strstr(t, "warning:") && (strstr(t, path) ||
		    strstr(t, "dictionary type"));
		bool unopen = false;
		for (size_t i = 0; warns && unopened[i]; i++)
			unopen |= strstr(t, unopened[i]) != NULL;
		enum said k = strstr(t, "fatal:") || unopen ? S_BROKEN :
		    warns && strstr(t, "older than source") ? S_STALE : S_CLEAN;
		if (k > r) {
			free(*line);
			*line = t;
			r = k;
		} else
			free(t);
	}
	return r;
}

/*
 * Runs `postmap -q pfagent-probe SPEC`: S_FAILED when it did not run or
 * finish, with *line why; else what it said about PATH (a status other
 * than 0 and 1, not found, is S_BROKEN too), with *line its complaint.
 */
static enum said
postmap_q(struct pfa_postfix *pf, const char *spec, const char *path,
    char **line)
{
	const char *args[] = { "-q", "pfagent-probe", spec, NULL };
	struct pfa_exec_opts o = { .timeout_ms = 20000,
	    .max_capture = 64 * 1024 };
	struct pfa_exec_result r;
	*line = NULL;
	if (pfa_postfix_run(pf, "postmap", args, &o, &r) < 0) {
		*line = pfa_xstrdup("postmap could not be started");
		return S_FAILED;
	}
	enum said rc = S_FAILED;
	if (r.timed_out || r.signal != 0)
		*line = pfa_xstrdup(r.timed_out ? "postmap -q timed out" :
		    "postmap -q was killed");
	else if ((rc = complaint(r.err, path, line)) != S_BROKEN &&
	    r.status != 0 && r.status != 1) {
		free(*line);
		*line = pfa_xasprintf("postmap -q exited with status %d",
		    r.status);
		rc = S_BROKEN;
	}
	pfa_exec_result_free(&r);
	return rc;
}

int
pfa_loadcheck_probe_postmap(void *pf, const char *spec, char **why)
{
	const char *path = strchr(spec, ':') ? strchr(spec, ':') + 1 : spec;
	enum said r = postmap_q(pf, spec, path, why);
	/* postmap reads main.cf first: dying of that is not the table's
	 * fault (pfa_loadcheck_gate reports it) */
	if (r == S_BROKEN && strstr(*why, "fatal:") != NULL &&
	    strstr(*why, path) == NULL && !strstr(*why, "dictionary type")) {
		free(*why);
		*why = NULL;
		return 0;
	}
	return r == S_CLEAN ? 0 : r == S_STALE ? 1 : -1;
}

/*
 * postmap reads main.cf as every daemon does: if it dies before looking
 * up a table that cannot fail, so will they.  Bad numbers, times and
 * booleans are left to PFA-LOAD-001..003 when those found them.
 */
static int
check_startup(struct pfa_postfix *pf, struct pfa_result *res,
    int value_findings)
{
	char *line;
	if (postmap_q(pf, "static:pfagent", "static:pfagent", &line) ==
	    S_BROKEN && (value_findings == 0 || (!strstr(line,
	    "bad numerical configuration") && !strstr(line,
	    "bad boolean configuration") && !strstr(line, "bad time value")))) {
		char *fix = pfa_remedy(pfa_postfix_config_dir(pf), "correct "
		    "it, then check with: postmap -q test static:ok");
		pfa_result_add_finding(res, PFA_SEV_CRITICAL, "PFA-LOAD-017",
		    pfa_postfix_config_dir(pf), fix, "Postfix programs die "
		    "reading this configuration: %s", line);
		free(fix);
		free(line);
		return 1;
	}
	free(line);
	return 0;
}

int
pfa_loadcheck_gate(struct pfa_postfix *pf, struct pfa_result *res)
{
	const struct pfa_cfview *v = pfa_postfix_view(pf, PFA_VIEW_ALL);
	if (v == NULL) {
		const char *why = pfa_postfix_error(pf);
		char *fix = pfa_remedy(pfa_postfix_config_dir(pf), "run "
		    "`postconf -n` to see the error");
		pfa_result_add_finding(res, PFA_SEV_CRITICAL, "PFA-LOAD-016",
		    pfa_postfix_config_dir(pf), fix, "the configuration could "
		    "not be read: %s", why ? why : "postconf failed");
		free(fix);
		return 1;
	}
	return pfa_loadcheck_all(v, pf, res);
}

int
pfa_loadcheck_all(const struct pfa_cfview *v, struct pfa_postfix *pf,
    struct pfa_result *res)
{
	size_t before = res->nfindings;
	int n = pfa_loadcheck(v, pfa_loadcheck_probe_postmap, pf, res);
	int values = 0;	/* PFA-LOAD-001..003 */
	for (size_t i = before; i < res->nfindings; i++) {
		const char *id = res->findings[i].id;
		values += strncmp(id, "PFA-LOAD-00", 11) == 0 &&
		    id[11] >= '1' && id[11] <= '3';
	}
	return n + check_startup(pf, res, values);
}
