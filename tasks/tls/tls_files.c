/*
 * tls_files.c - the files behind check-tls's checks: reading a key or
 * certificate file (symbolic links followed, as Postfix follows them;
 * a directory, FIFO or device is refused without blocking), the
 * permissions of a file holding a private key, CA files and directories
 * (a trust store per keyset), DH parameter files, and the sources of
 * tls_server_sni_maps tables, whose entries become keysets.
 *
 * Reads files only through pfa_file_read (agent/file.h); the system
 * trust store and a CApath directory are read by OpenSSL itself.  Must
 * not write, reload or log a key: private keys never leave memory, the
 * texts holding them are cleared before they are freed (tls_certs.c),
 * the keys by OpenSSL.  Every problem is a finding naming the file (and
 * the table line).
 */
#include <errno.h>
#include <grp.h>
#include <stdbool.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "file.h"
#include "mapspec.h"
#include "remedy.h"
#include "sni.h"
#include "tls_int.h"

int
tls_read(struct tls_run *r, const char *path, const char *param, char **buf,
    size_t *len, struct stat *st)
{
	if (pfa_file_read(path, TLS_FILE_MAX, PFA_FILE_FOLLOW, buf, len,
	    st) == 0)
		return 0;
	int e = errno;
	if (tls_once(r, "read:%s", path))
		tls_finding(r, PFA_SEV_CRITICAL, "PFA-CERT-017", path, NULL,
		    "%s names %s, which cannot be read: %s; Postfix cannot "
		    "load it and disables TLS (\"disabling TLS support\")",
		    param, path, pfa_file_strerror(e));
	return -1;
}

/* The names of the users who are in group GID (as a member or by their
 * primary group) into BUF; 0 when there is none. */
static size_t
group_users(gid_t gid, char *buf, size_t n)
{
	size_t count = 0, used = 0;
	buf[0] = '\0';
	struct group *g = getgrgid(gid);
	for (char **m = g ? g->gr_mem : NULL; m && *m; m++, count++)
		used += (size_t)snprintf(buf + used, used < n ? n - used : 0,
		    "%s%s", count ? ", " : "", *m);
	setpwent();
	struct passwd *pw;
	while ((pw = getpwent()) != NULL)
		if (pw->pw_gid == gid && pw->pw_uid != 0) {
			used += (size_t)snprintf(buf + used, used < n ?
			    n - used : 0, "%s%s", count ? ", " : "",
			    pw->pw_name);
			count++;
		}
	endpwent();
	return count;
}

void
tls_key_perms(struct tls_run *r, const char *path, const struct stat *st)
{
	if (!tls_once(r, "perms:%s", path))
		return;
	char *q = pfa_shquote(path);
	char *fix = pfa_xasprintf("chown root:root %s && chmod 600 %s", q, q);
	free(q);
	unsigned mode = (unsigned)st->st_mode & 07777;
	if (st->st_uid != 0) {
		struct passwd *pw = getpwuid(st->st_uid);
		tls_finding(r, PFA_SEV_CRITICAL, "PFA-CERT-015", path, fix,
		    "the private key file is owned by %s (uid %ld), not root: "
		    "that user can read or replace the key", pw ? pw->pw_name :
		    "an unknown user", (long)st->st_uid);
	} else if (mode & 007) {
		tls_finding(r, PFA_SEV_CRITICAL, "PFA-CERT-015", path, fix,
		    "the private key file has mode %04o: every local user can "
		    "read it", mode);
	} else if (mode & 070) {
		char users[256];
		struct group *g = getgrgid(st->st_gid);
		char gname[64];
		snprintf(gname, sizeof(gname), "%s", g ? g->gr_name : "?");
		/* no remedy: chmod would lock out whoever shares it */
		if (group_users(st->st_gid, users, sizeof(users)) > 0)
			tls_finding(r, PFA_SEV_CRITICAL, "PFA-CERT-015", path,
			    NULL, "the private key file has mode %04o: group "
			    "%s (%s) can read it; if they need it, give Postfix "
			    "a copy of its own with mode 0600", mode, gname,
			    users);
		else
			tls_finding(r, PFA_SEV_INFO, "PFA-CERT-015", path, fix,
			    "the private key file has mode %04o, but group %s "
			    "has no members: only root can read it now", mode,
			    gname);
	}
	free(fix);
}

/* ----------------------------------------------------------- CA */

/* "smtpd", "tlsproxy", "smtp" or "lmtp": whose CA settings SET has. */
static const char *
ca_side(const struct tls_set *set)
{
	static const char *const sides[] = { "smtpd_", "tlsproxy_", "smtp_",
		"lmtp_" };
	for (size_t i = 0; i < 4; i++)
		if (strncmp(set->ks.param, sides[i], strlen(sides[i])) == 0)
			return i == 0 ? "smtpd" : i == 1 ? "tlsproxy" :
			    i == 2 ? "smtp" : "lmtp";
	return "smtpd";		/* an SNI table: smtpd's */
}

X509_STORE *
tls_store(struct tls_run *r, const struct tls_set *set)
{
	const char *side = ca_side(set);
	STACK_OF(X509) *extra = NULL;
	char err[400];
	if (set->ks.cafile != NULL && *set->ks.cafile != '\0') {
		char *param = pfa_xasprintf("%s_tls_CAfile", side);
		char *buf = NULL;
		size_t len = 0;
		if (tls_read(r, set->ks.cafile, param, &buf, &len, NULL) == 0) {
			struct pfa_pem_text t = { set->ks.cafile, buf, len };
			if (pfa_pem_read_certs(&t, &extra, err,
			    sizeof(err)) < 0 &&
			    tls_once(r, "ca:%s", set->ks.cafile))
				tls_finding(r, PFA_SEV_CRITICAL, "PFA-CERT-019",
				    set->ks.cafile, NULL, "%s: %s; Postfix "
				    "cannot load it and disables TLS (\"cannot "
				    "load Certification Authority data\")",
				    param, err);
		}
		free(buf);
		free(param);
	}
	struct stat st;
	const char *capath = set->ks.capath;
	if (capath != NULL && *capath != '\0' &&
	    (stat(capath, &st) < 0 || !S_ISDIR(st.st_mode))) {
		if (tls_once(r, "capath:%s", capath))
			tls_finding(r, PFA_SEV_WARNING, "PFA-CERT-019", capath,
			    NULL, "%s_tls_CApath = %s is not a directory: no "
			    "CA certificate is found there", side, capath);
		capath = NULL;
	}
	X509_STORE *store = pfa_store_new(extra, capath, true, err,
	    sizeof(err));
	sk_X509_pop_free(extra, X509_free);
	if (store == NULL && tls_once(r, "store:%s", set->ks.where))
		tls_finding(r, PFA_SEV_WARNING, "PFA-CERT-019",
		    capath ? capath : "trust store", NULL, "cannot make a "
		    "trust store to verify chains with: %s", err);
	return store;
}

/* ----------------------------------------------------------- DH */

static void
check_dh_file(struct tls_run *r, const char *path)
{
	char *buf = NULL, err[300] = "";
	size_t len = 0;
	struct stat st;
	struct pfa_dh_info dh;
	char *fix = pfa_ctx_remedy_pfagent(r->ctx, "run rotate-dh");

	if (pfa_file_read(path, 64 * 1024, PFA_FILE_FOLLOW, &buf, &len,
	    &st) < 0) {
		tls_finding(r, PFA_SEV_WARNING, "PFA-DHP-001", path, fix,
		    "the DH parameter file cannot be read: %s; Postfix logs "
		    "\"error opening DH parameter file\" and uses its "
		    "compiled-in group", pfa_file_strerror(errno));
	} else if (pfa_dh_inspect_pem(buf, len, &dh, err, sizeof(err)) < 0) {
		tls_finding(r, PFA_SEV_WARNING, "PFA-DHP-001", path, fix,
		    "not valid DH parameters (%s); Postfix logs \"error "
		    "decoding DH parameters\" and uses its compiled-in group",
		    err);
	} else {
		if (dh.bits < 1024)
			tls_finding(r, PFA_SEV_CRITICAL, "PFA-DHP-002", path, fix,
			    "%d-bit DH parameters: trivially broken, and "
			    "OpenSSL refuses them (\"dh key too small\"), so "
			    "DHE handshakes fail", dh.bits);
		else if (dh.bits < 2048)
			tls_finding(r, PFA_SEV_WARNING, "PFA-DHP-003", path, fix,
			    "%d-bit DH parameters: below the 2048-bit minimum",
			    dh.bits);
		if (!dh.check_ok || !dh.safe_prime)
			tls_finding(r, PFA_SEV_WARNING, "PFA-DHP-004", path, fix,
			    "%s", !dh.check_ok ? dh.check_err : "the prime is "
			    "not a safe prime ((p - 1) / 2 is not prime)");
		double days = difftime(r->now, st.st_mtime) / 86400.0;
		tls_finding(r, PFA_SEV_INFO, "PFA-DHP-005", path, NULL,
		    "%d-bit DH parameters, %s%s%s, %.0f day%s old", dh.bits,
		    *dh.group ? "the standard group " : "a custom group",
		    dh.group, *dh.group ? (dh.group[0] == 'f' ?
		    " (RFC 7919)" : " (RFC 3526)") : dh.safe_prime ?
		    " (a safe prime)" : "", days, days >= 0.5 &&
		    days < 1.5 ? "" : "s");
	}
	free(fix);
	free(buf);
}

void
tls_check_dh(struct tls_run *r)
{
	struct pfa_tls_names files;
	pfa_tls_dh_files(r->view, &files);
	for (size_t i = 0; i < files.n; i++)
		check_dh_file(r, files.v[i]);
	pfa_tls_names_free(&files);
}

/* ----------------------------------------------------------- SNI */

/* The source file of table SPEC, or NULL when it is not one pfagent can
 * read (a finding is added). */
static char *
sni_source(struct tls_run *r, const char *spec)
{
	char *type = NULL, *path = NULL;
	static const char *const readable[] = { "hash", "btree", "lmdb",
		"cdb", "dbm", "texthash", NULL };
	bool ok = pfa_mapspec_parse(spec, &type, &path) == 0;
	size_t i = 0;
	while (ok && readable[i] != NULL && strcmp(readable[i], type) != 0)
		i++;
	if (!ok || readable[i] == NULL) {
		tls_finding(r, PFA_SEV_INFO, "PFA-CERT-023", spec, NULL,
		    "tls_server_sni_maps table %s is not a file-based table "
		    "pfagent can read; its certificates are not checked", spec);
		free(type);
		free(path);
		return NULL;
	}
	free(type);
	return path;
}

static void
sni_table(struct tls_run *r, const char *spec)
{
	char *path = sni_source(r, spec);
	if (path == NULL)
		return;
	char *buf = NULL;
	size_t len = 0;
	if (pfa_file_read(path, TLS_FILE_MAX * 16, PFA_FILE_FOLLOW, &buf, &len,
	    NULL) < 0) {
		tls_finding(r, PFA_SEV_WARNING, "PFA-CERT-022", path, NULL,
		    "the source of tls_server_sni_maps table %s cannot be "
		    "read: %s; its certificates are not checked", spec,
		    pfa_file_strerror(errno));
		free(path);
		return;
	}
	struct pfa_sni_source src;
	pfa_sni_source_read(buf, len, &src);
	free(buf);
	if (src.nproblems > 0)
		tls_finding(r, PFA_SEV_WARNING, "PFA-CERT-022", path, NULL,
		    "%s:%d: %s%s (%zu entr%s left out; postmap -F would fail "
		    "or skip them)", path, src.problem_line, src.problem,
		    src.nproblems > 1 ? ", and more" : "", src.nproblems,
		    src.nproblems == 1 ? "y" : "ies");
	r->sni = pfa_xrealloc(r->sni, (r->nsni + 1) * sizeof(*r->sni));
	struct tls_sni *t = &r->sni[r->nsni++];
	t->spec = pfa_xstrdup(spec);
	t->sets = NULL;
	t->nsets = 0;
	const char *cafile = pfa_cf_get(r->view, "smtpd_tls_CAfile");
	const char *capath = pfa_cf_get(r->view, "smtpd_tls_CApath");
	for (size_t i = 0; i < src.n; i++) {
		struct pfa_sni_entry *e = &src.v[i];
		struct pfa_tls_keyset ks = { 0 };
		ks.where = pfa_xasprintf("%s:%d", path, e->line);
		ks.param = pfa_xstrdup("tls_server_sni_maps");
		ks.files = e->files;
		ks.nfiles = e->nfiles;
		e->files = NULL;
		e->nfiles = 0;
		ks.cafile = pfa_xstrdup(cafile ? cafile : "");
		ks.capath = pfa_xstrdup(capath ? capath : "");
		ks.sni = pfa_xstrdup(e->name);
		ks.sni_line = e->line;
		char *host = e->name[0] == '.' ?
		    pfa_xasprintf("pfagent%s", e->name) : pfa_xstrdup(e->name);
		char *by = pfa_xasprintf("%s (%s)", spec, e->name);
		size_t k = tls_add_set(r, &ks, by, host);
		free(by);
		free(host);
		pfa_tls_keyset_free(&ks);
		t->sets = pfa_xrealloc(t->sets, (t->nsets + 1) *
		    sizeof(*t->sets));
		t->sets[t->nsets++] = k;
	}
	pfa_sni_source_free(&src);
	free(path);
}

void
tls_read_sni(struct tls_run *r)
{
	struct pfa_tls_names tables;
	pfa_tls_sni_tables(r->view, &tables);
	for (size_t i = 0; i < tables.n; i++)
		sni_table(r, tables.v[i]);
	pfa_tls_names_free(&tables);
}
