/*
 * audit_sasl.c - the SASL relayhost client part of the hardening audit
 * (PFA-SASL-*): the relayhost form, the password table's keys, the SASL
 * security options, the TLS level towards the relay, and the password
 * file's and its database's mode and age.
 *
 * Runs only when smtp_sasl_auth_enable = yes.  Reads the configuration
 * view, stat(2)s the table files and reads the source text of file-based
 * password tables to learn their keys.  A password never leaves this
 * file: only the first field of a line (the key) is kept, the buffer
 * holding the file is wiped before it is freed, and messages name keys
 * and files only.  Runs no command and never logs; an unreadable table
 * only means its keys are not checked.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "audit.h"
#include "file.h"
#include "mapspec.h"
#include "remedy.h"

const struct pfa_finding_doc pfa_audit_sasl_findings[] = {
	{ "PFA-SASL-001", PFA_SEV_INFO,
	    "relayhost not in [host] or [host]:port form" },
	{ "PFA-SASL-002", PFA_SEV_CRITICAL,
	    "no key of smtp_sasl_password_maps matches relayhost" },
	{ "PFA-SASL-003", PFA_SEV_WARNING,
	    "SASL security options lack noanonymous" },
	{ "PFA-SASL-004", PFA_SEV_CRITICAL,
	    "TLS to the relay not mandatory: the password can go in clear" },
	{ "PFA-SASL-005", PFA_SEV_CRITICAL,
	    "password file or its database open to group or other" },
	{ "PFA-SASL-006", PFA_SEV_CRITICAL,
	    "password database older than its source, or missing" },
	{ NULL, 0, NULL },
};

#define MAPS		"smtp_sasl_password_maps"
#define MAX_SOURCE	(4L * 1024 * 1024)

/* What the password tables tell: their keys, and whether all were read. */
struct keys {
	char **v;
	size_t n;
	bool partial;		/* some table's keys could not be read */
	char *first;		/* the first table's source, for subjects */
	char *first_spec;	/* "hash:/etc/postfix/sasl_passwd" */
};

static void
keys_free(struct keys *k)
{
	for (size_t i = 0; i < k->n; i++)
		free(k->v[i]);
	free(k->v);
	free(k->first);
	free(k->first_spec);
}

static bool
keys_has(const struct keys *k, const char *key)
{
	for (size_t i = 0; i < k->n; i++)
		if (strcasecmp(k->v[i], key) == 0)	/* postmap folds case */
			return true;
	return false;
}

static bool
has_token(const char *list, const char *word)
{
	size_t n = strlen(word);
	for (const char *p = list; p != NULL && *p != '\0';) {
		p += strspn(p, " \t,");
		size_t len = strcspn(p, " \t,");
		if (len == n && strncasecmp(p, word, n) == 0)
			return true;
		p += len;
	}
	return false;
}

/* The client's TLS level: the parameter, else the obsolete booleans. */
static const char *
client_level(const struct pfa_cfview *v)
{
	const char *l = pfa_cf_get(v, "smtp_tls_security_level");
	if (l != NULL && *l != '\0')
		return l;
	if (pfa_cf_yes(v, "smtp_enforce_tls"))
		return "encrypt";
	if (pfa_cf_yes(v, "smtp_use_tls"))
		return "may";
	return "none";
}

/* ---------------------------------------------------------- relayhost */

/* "smtp.example.com" from "[smtp.example.com]:587" or "host:587". */
static char *
bare_host(const char *dest)
{
	const char *p = dest;
	size_t n;
	if (*p == '[') {
		p++;
		n = strcspn(p, "]");
	} else {
		n = strcspn(p, ":");
	}
	char *h = pfa_xmalloc(n + 1);
	memcpy(h, p, n);
	h[n] = '\0';
	return h;
}

struct match {
	const struct pfa_cfview *v;
	struct keys *k;
	struct pfa_result *res;
};

static int
relay_form(void *arg, const char *dest, size_t index)
{
	struct match *m = arg;
	struct pfa_result *res = m->res;
	(void)index;
	if (dest[0] == '[')
		return 0;
	char *host = bare_host(dest);
	const char *port = strchr(dest, ':');
	char *rem = pfa_remedy(m->v->config_dir, "postconf -e 'relayhost = "
	    "[%s]%s'", host, port ? port : "");
	pfa_result_add_finding(res, PFA_SEV_INFO, "PFA-SASL-001", "relayhost",
	    rem, "relayhost %s has no brackets: Postfix looks up its MX "
	    "records, and the password key must match the form written "
	    "here; write [%s]%s if it names the relay host itself", dest,
	    host, port ? port : "");
	free(rem);
	free(host);
	return 0;
}

static int
relay_key(void *arg, const char *dest, size_t index)
{
	struct match *m = arg;
	const struct keys *k = m->k;
	(void)index;
	if (keys_has(k, dest))
		return 0;
	char *host = bare_host(dest);
	char *rem = pfa_remedy(m->v->config_dir, "key the relay's line as "
	    "'%s' in %s, then: postmap %s", dest, k->first, k->first_spec);
	if (keys_has(k, host))
		pfa_result_add_finding(m->res, PFA_SEV_INFO, "PFA-SASL-002",
		    k->first, rem, "the password for relayhost %s is keyed "
		    "by the host name %s only: Postfix finds it through the "
		    "server's name, which a CNAME or a change of relay breaks; "
		    "key it as %s", dest, host, dest);
	else if (!k->partial)
		pfa_result_add_finding(m->res,
		    pfa_cf_yes(m->v, "smtp_sender_dependent_authentication") ?
		    PFA_SEV_WARNING : PFA_SEV_CRITICAL, "PFA-SASL-002",
		    k->first, rem, "no key of %s is %s (nor %s): the relay is "
		    "sent no password%s", MAPS, dest, host,
		    pfa_cf_yes(m->v, "smtp_sender_dependent_authentication") ?
		    " unless the sender has its own entry" : "");
	free(rem);
	free(host);
	return 0;
}

/* ------------------------------------------------------------ tables */

/* Adds the keys of the source text BUF: the first field of a line. */
static void
parse_keys(struct keys *k, const char *buf)
{
	for (const char *p = buf; *p != '\0';) {
		size_t line = strcspn(p, "\n");
		/* blank, comment, or a continuation of the line before */
		if (line > 0 && !strchr(" \t\r#", *p)) {
			size_t n = strcspn(p, " \t\r\n");
			k->v = pfa_xrealloc(k->v, (k->n + 1) * sizeof(*k->v));
			k->v[k->n] = pfa_xmalloc(n + 1);
			memcpy(k->v[k->n], p, n);
			k->v[k->n++][n] = '\0';
		}
		p += line;
		if (*p == '\n')
			p++;
	}
}

/* Reads the keys of the source file SRC; false if it cannot. */
static bool
read_keys(struct keys *k, const char *src)
{
	char *buf;
	size_t len;
	struct stat st;
	if (pfa_file_read(src, MAX_SOURCE, PFA_FILE_FOLLOW, &buf, &len,
	    &st) < 0)
		return false;
	parse_keys(k, buf);
	explicit_bzero(buf, len);	/* it holds passwords */
	free(buf);
	return true;
}

/* The file postmap builds from PATH for TYPE, or NULL (no database). */
static char *
db_path(const char *type, const char *path)
{
	static const struct {
		const char *type, *suffix;
	} dbs[] = {
		{ "hash", ".db" }, { "btree", ".db" }, { "lmdb", ".lmdb" },
		{ "cdb", ".cdb" }, { "dbm", ".pag" }, { NULL, NULL },
	};
	for (size_t i = 0; dbs[i].type; i++)
		if (strcmp(dbs[i].type, type) == 0)
			return pfa_xasprintf("%s%s", path, dbs[i].suffix);
	return NULL;
}

static void
check_mode(const char *path, const struct stat *st, struct pfa_result *res)
{
	if ((st->st_mode & 077) == 0)
		return;
	char *rem = pfa_xasprintf("chmod 600 %s", path);
	pfa_result_add_finding(res, PFA_SEV_CRITICAL, "PFA-SASL-005", path,
	    rem, "%s holds the relay password and has mode %04o: group or "
	    "other can %s it; it must be 0600, owned by root", path,
	    (unsigned)(st->st_mode & 07777),
	    st->st_mode & 044 ? "read" : "access");
	free(rem);
}

static bool
newer(const struct stat *a, const struct stat *b)
{
	return a->st_mtim.tv_sec > b->st_mtim.tv_sec ||
	    (a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	    a->st_mtim.tv_nsec > b->st_mtim.tv_nsec);
}

/* Mode, age and keys of one password table TYPE:PATH. */
static void
check_table(const struct pfa_cfview *v, const char *spec, const char *type,
    const char *path, struct keys *k, struct pfa_result *res)
{
	struct stat sst, dst;
	bool src_ok = stat(path, &sst) == 0;
	char *db = db_path(type, path);
	bool db_ok = db != NULL && stat(db, &dst) == 0;
	char *postmap = pfa_remedy(v->config_dir, "postmap %s", spec);
	if (src_ok)
		check_mode(path, &sst, res);
	if (db_ok)
		check_mode(db, &dst, res);
	if (db != NULL && !db_ok)
		pfa_result_add_finding(res, PFA_SEV_CRITICAL, "PFA-SASL-006",
		    db, src_ok ? postmap : NULL, "%s is missing%s: Postfix "
		    "cannot open %s and defers mail to the relay", db,
		    src_ok ? " (postmap was not run)" : "", spec);
	else if (db == NULL && !src_ok)
		pfa_result_add_finding(res, PFA_SEV_CRITICAL, "PFA-SASL-006",
		    path, NULL, "%s is missing: Postfix cannot open %s and "
		    "defers mail to the relay", path, spec);
	else if (db_ok && src_ok && newer(&sst, &dst))
		pfa_result_add_finding(res, PFA_SEV_WARNING, "PFA-SASL-006",
		    db, postmap, "%s is older than %s: the last edit of the "
		    "passwords is not in effect", db, path);
	free(postmap);
	free(db);
	/* regexp, pcre, cidr: the keys are patterns, not names */
	bool named = strcmp(type, "regexp") != 0 && strcmp(type, "pcre") != 0 &&
	    strcmp(type, "cidr") != 0;
	if (!named || !src_ok || !read_keys(k, path))
		k->partial = true;
	if (k->first == NULL) {
		k->first = pfa_xstrdup(path);
		k->first_spec = pfa_xstrdup(spec);
	}
}

static int
each_table(void *arg, const char *token, size_t index)
{
	struct match *m = arg;
	char *type, *path;
	(void)index;
	if (pfa_mapspec_parse(token, &type, &path) < 0) {
		m->k->partial = true;	/* ldap:, mysql:... */
		return 0;
	}
	check_table(m->v, token, type, path, m->k, m->res);
	free(type);
	free(path);
	return 0;
}

/* ----------------------------------------------------- options, TLS */

static void
check_options(const struct pfa_cfview *v, struct pfa_result *res)
{
	static const char *const params[] = {
		"smtp_sasl_security_options", "smtp_sasl_tls_security_options",
		NULL,
	};
	for (size_t i = 0; params[i]; i++) {
		const char *val = pfa_cf_get(v, params[i]);
		if (val == NULL || has_token(val, "noanonymous"))
			continue;
		/* not noplaintext: smtp_sasl_tls_security_options defaults
		 * to this value, and relays that take only PLAIN or LOGIN
		 * over TLS would then refuse every login */
		char *rem = pfa_remedy(v->config_dir, "postconf -e "
		    "'%s = noanonymous'", params[i]);
		pfa_result_add_finding(res, PFA_SEV_WARNING, "PFA-SASL-003",
		    params[i], rem, "%s = %s lacks noanonymous: the client "
		    "may settle for anonymous authentication, which proves "
		    "nothing to the relay", params[i], val);
		free(rem);
	}
}

static void
check_relay_tls(const struct pfa_cfview *v, struct pfa_result *res)
{
	static const char *const mandatory[] = {
		"encrypt", "dane-only", "fingerprint", "verify", "secure", NULL,
	};
	const char *l = client_level(v);
	for (size_t i = 0; mandatory[i]; i++)
		if (strcasecmp(l, mandatory[i]) == 0)
			return;
	const char *pm = pfa_cf_get(v, "smtp_tls_policy_maps");
	if (pfa_cf_yes(v, "smtp_tls_wrappermode") || (pm != NULL && *pm))
		return;		/* TLS from the first byte, or per policy */
	bool noplain = has_token(pfa_cf_get(v, "smtp_sasl_security_options"),
	    "noplaintext");
	bool none = strcasecmp(l, "none") == 0;
	char *rem = pfa_remedy(v->config_dir, "postconf -e "
	    "'smtp_tls_security_level = encrypt'");
	pfa_result_add_finding(res, noplain ? PFA_SEV_WARNING :
	    PFA_SEV_CRITICAL, "PFA-SASL-004", "smtp_tls_security_level", rem,
	    "SASL to the relay with TLS level %s: %s; require TLS (SASL_README: "
	    "encrypt)", l, noplain ? "noplaintext keeps PLAIN and LOGIN off a "
	    "session without TLS, so authentication fails (or exposes a "
	    "challenge-response hash) instead of leaking the password" : none ?
	    "the password crosses the network in clear, as "
	    "smtp_sasl_security_options allows plaintext mechanisms" :
	    "whoever strips STARTTLS reads the password, as "
	    "smtp_sasl_security_options allows plaintext mechanisms");
	free(rem);
}

/* ------------------------------------------------------------- entry */

void
pfa_audit_sasl(const struct pfa_cfview *v, unsigned roles,
    struct pfa_result *res)
{
	(void)roles;	/* a relay client is one on any host */
	if (!pfa_cf_yes(v, "smtp_sasl_auth_enable"))
		return;
	const char *relay = pfa_cf_get(v, "relayhost");
	const char *maps = pfa_cf_get(v, MAPS);
	struct keys k = { 0 };
	struct match m = { v, &k, res };

	pfa_cf_tokens(relay, relay_form, &m);
	if (maps == NULL || *maps == '\0')
		pfa_result_add_finding(res, PFA_SEV_CRITICAL, "PFA-SASL-002",
		    MAPS, NULL, "smtp_sasl_auth_enable = yes but %s is empty: "
		    "the relay is sent no password", MAPS);
	else
		pfa_cf_tokens(maps, each_table, &m);
	if (k.first != NULL)
		pfa_cf_tokens(relay, relay_key, &m);
	keys_free(&k);
	check_options(v, res);
	check_relay_tls(v, res);
}
