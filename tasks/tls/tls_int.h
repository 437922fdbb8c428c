/*
 * tls_int.h - what the files of check-tls share (private to tasks/tls/).
 *
 * check_tls.c owns the descriptor, the run and the summary; tls_conf.c
 * the settings and the expiry thresholds; tls_certs.c the checks of keys,
 * certificates and chains; tls_files.c reading files, key permissions,
 * CA files, DH files and SNI tables; tls_probe.c the probes of the live
 * listeners and the reload request.  None reloads, writes a file or
 * logs a secret; findings go through tls_finding, which drops ignored
 * ids.
 */
#ifndef PFA_TLS_INT_H
#define PFA_TLS_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <time.h>

#include "pem.h"
#include "task.h"
#include "tlsfiles.h"

/* ------------------------------------------------------------ settings */

struct tls_conf {
	double warn_left;	/* fraction of the lifetime: 0.25 */
	double crit_left;	/* 0.10 */
	int64_t crit_min;	/* seconds: 12 h */
	int64_t short_lived;	/* seconds: lifetimes up to this are short */
	long long warn_days;	/* 0: not set */
	long long crit_days;
	bool probe;
	bool legacy;		/* probe TLS 1.0 / 1.1 (and SSLv3) */
	int64_t timeout;	/* seconds, per probe */
	unsigned roles;		/* 0: detect */
	char **ignore;		/* finding ids, NULL-terminated or NULL */
};

extern const char *const pfa_tls_settings[];
/* Every finding check-tls reports (check_tls.c), NULL-ended tables. */
extern const struct pfa_finding_doc *const pfa_tls_findings[];
int pfa_tls_configure(const config_setting_t *s, void **out);
void pfa_tls_free_conf(void *conf);

/* What the thresholds say about a certificate. */
struct tls_expiry {
	enum pfa_sev sev;	/* INFO: nothing to report */
	const char *id;		/* the finding, or NULL */
	bool short_lived;
	double warn_at;		/* seconds left at which it warns */
	double crit_at;		/* and at which it is critical */
};

/*
 * The verdict for a certificate with LIFETIME seconds of which LEFT are
 * left, VALIDITY as pfa_cert_info's.  Pure.
 */
void pfa_tls_expiry(const struct tls_conf *c, double lifetime, double left,
    int validity, struct tls_expiry *out);
/* "1/4", "25%" or "0.25" into (0, 1]; -1 if it is none of those. */
int pfa_tls_fraction(const char *s, double *out);

/* ------------------------------------------------------------ the run */

/* A keyset with what was read from disk for it. */
struct tls_set {
	struct pfa_tls_keyset ks;
	char *used_by;		/* "main.cf, submission/inet" */
	char *hostname;		/* the name its first user must be */
	struct pfa_pem_chains chains;	/* as Postfix would pair them */
	bool loaded;		/* every file read as Postfix would */
};

/* A tls_server_sni_maps table and its entries' sets in run.sets. */
struct tls_sni {
	char *spec;		/* "hash:/etc/postfix/sni" */
	size_t *sets;		/* indexes into run.sets */
	size_t nsets;
};

struct tls_run {
	struct pfa_ctx *ctx;
	struct pfa_result *res;
	const struct tls_conf *conf;
	const struct pfa_cfview *view;
	unsigned roles;
	time_t now;
	struct tls_set *sets;
	size_t nsets;
	struct tls_sni *sni;
	size_t nsni;
	/* metrics so far */
	size_t ncerts;
	double min_days, min_frac;	/* over every leaf */
	double min_warn_days, min_crit_days;	/* thresholds of that leaf */
	char **once;		/* what was reported or counted already */
	size_t nonce;
	size_t nprobed;
	bool reload_asked;
	json_object *asked;	/* reload requests made now, by leaf */
};

/* check_tls.c: the sets of every part of Postfix (and the SNI
 * tables'), and what a run holds freed. */
void tls_collect(struct tls_run *r);
void tls_run_free(struct tls_run *r);

/* A finding, unless its id is ignored; the status is raised. */
void tls_finding(struct tls_run *r, enum pfa_sev sev, const char *id,
    const char *subject, const char *remedy, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
/* true the first time KEY is seen in this run ("leaf:SHA256", ...). */
bool tls_once(struct tls_run *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* WARNING when the host receives mail (MX or submission), else INFO. */
enum pfa_sev tls_sev_receiving(const struct tls_run *r);

/* tls_files.c */
#define TLS_FILE_MAX (1024 * 1024)	/* larger than any PEM file */
/* Reads PATH (symbolic links followed) for WHAT; -1 after a finding. */
int tls_read(struct tls_run *r, const char *path, const char *param,
    char **buf, size_t *len, struct stat *st);
/* The permission check of a file holding a private key. */
void tls_key_perms(struct tls_run *r, const char *path,
    const struct stat *st);
void tls_check_dh(struct tls_run *r);
/* Reads the SNI tables into r->sni (their entries become sets). */
void tls_read_sni(struct tls_run *r);
/* The trust store of SET (its CA file and directory, the system's);
 * NULL after a finding. */
X509_STORE *tls_store(struct tls_run *r, const struct tls_set *set);

/* tls_certs.c */
/* Adds KS (once: a keyset already there gets USED_BY appended);
 * returns its index. */
size_t tls_add_set(struct tls_run *r, struct pfa_tls_keyset *ks,
    const char *used_by, const char *hostname);
/* Reads and checks every set. */
void tls_check_sets(struct tls_run *r);

/* tls_probe.c */
void tls_probe_all(struct tls_run *r);

#endif
