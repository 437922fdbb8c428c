/*
 * drift.c - what changed in Postfix's configuration since the last run.
 *
 * Owns the snapshot directory OPTS->dir (created 0700; a symlink or a
 * non-directory there is refused): the snapshots "postconf-n" and
 * "services" and the copies main.cf.1 (newest) .. main.cf.N and
 * master.cf.1 .. master.cf.N, all written through the atomic writer, mode
 * 0600.  It reads the view it is given and CONFIG_DIR's main.cf and
 * master.cf; it never writes CONFIG_DIR, runs a command or reloads.
 *
 * The snapshots' model and text format are drift_snap.c's (described
 * there); this file compares them, keeps the copies and reports.  A
 * snapshot that does not parse is renamed aside (FILE.corrupt-EPOCH),
 * reported as INFO and counts as absent.
 *
 * Errors: a directory or file that cannot be read or written becomes an
 * UNKNOWN finding and -1; the failed call is logged where it failed.
 */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "drift.h"
#include "drift_int.h"
#include "log.h"
#include "remedy.h"

#define MAX_LISTED	20	/* change findings per run */
#define SHOW_MAX	160	/* bytes of a value shown in a message */
#define KEEP_MAX	100

const struct pfa_finding_doc pfa_drift_findings[] = {
	{ "PFA-DRIFT-001", PFA_SEV_INFO, "no earlier snapshot: baseline" },
	{ "PFA-DRIFT-002", PFA_SEV_INFO, "main.cf parameter changed" },
	{ "PFA-DRIFT-003", PFA_SEV_INFO, "master.cf service changed" },
	{ "PFA-DRIFT-004", PFA_SEV_INFO, "more changes than listed" },
	{ "PFA-DRIFT-005", PFA_SEV_WARNING, "restart-only parameter changed "
	    "while Postfix kept running" },
	{ "PFA-DRIFT-006", PFA_SEV_INFO, "unusable snapshot set aside" },
	{ "PFA-DRIFT-007", PFA_SEV_UNKNOWN, "snapshot cannot be read or "
	    "written" },
	{ NULL, 0, NULL },
};

/* A snapshot file and the configuration file it describes. */
struct part {
	const char *file;	/* "postconf-n" */
	const char *cf;		/* "main.cf" */
	const char *id;		/* the rule of its changes */
	struct pfa_snap cur, old;
	bool restart_ok;	/* holds inet_interfaces & co */
	bool have_old, unreadable, saved, rotated;
	char *hint;		/* "diff A B", or NULL */
};

struct change {
	const struct part *p;
	const char *key, *old, *new;
};

struct run {
	const char *dir, *config_dir;
	const struct pfa_drift_opts *opts;
	struct pfa_result *res;
	char **secret;		/* parameters whose values are never shown */
	size_t nsecret;
	struct change listed[MAX_LISTED];
	size_t nchanges;	/* listed or not */
	bool restart[2];	/* inet_interfaces, inet_protocols changed */
	int rc;
};

static const char *const restart_params[2] = {
	"inet_interfaces", "inet_protocols",
};

/* ---------------------------------------------------------------- files */

static void
unusable(struct run *r, const char *path, const char *what)
{
	pfa_result_add_finding(r->res, PFA_SEV_UNKNOWN, "PFA-DRIFT-007", path,
	    NULL, "cannot %s %s; configuration drift is not tracked", what,
	    path);
	r->rc = -1;
}

/* 0: the directory is there; 1: it is not (dry run); -1: unusable. */
static int
prepare_dir(struct run *r)
{
	struct stat sb;
	if (lstat(r->dir, &sb) == 0) {
		if (S_ISDIR(sb.st_mode))
			return 0;
		unusable(r, r->dir, S_ISLNK(sb.st_mode) ? "use a symbolic "
		    "link as snapshot directory" : "use a non-directory as "
		    "snapshot directory");
		return -1;
	}
	if (errno == ENOENT && r->opts->ctx->dry_run)
		return 1;
	const char *step = errno == ENOENT ? "mkdir" : "lstat";
	if (errno != ENOENT || mkdir(r->dir, 0700) < 0) {
		pfa_log_path_failed("drift-dir-failed", r->dir, step);
		unusable(r, r->dir, "create the snapshot directory");
		return -1;
	}
	char q[1024];
	pfa_log(LOG_NOTICE, "task=drift event=created path=%s",
	    pfa_log_quote(q, sizeof(q), r->dir));
	return 0;
}

static void
set_aside(struct run *r, struct part *p, const char *path, const char *why)
{
	char q[1024];
	char *aside = pfa_xasprintf("%s.corrupt-%lld", path,
	    (long long)time(NULL));
	const char *act = r->opts->ctx->dry_run ? "none-dry-run" :
	    rename(path, aside) < 0 ? "overwrite" : "set-aside";
	pfa_log(LOG_WARNING, "task=drift event=snapshot-corrupt file=%s "
	    "reason=\"%s\" action=%s", pfa_log_quote(q, sizeof(q), path), why,
	    act);
	pfa_result_add_finding(r->res, PFA_SEV_INFO, "PFA-DRIFT-006", path,
	    NULL, "%s snapshot %s is unusable (%s); %s, starting a new "
	    "baseline", p->cf, path, why, r->opts->ctx->dry_run ? "dry run: left "
	    "in place" : "set aside");
	free(aside);
}

static void
load_old(struct run *r, struct part *p)
{
	char *path = pfa_xasprintf("%s/%s", r->dir, p->file), *buf;
	size_t len;
	const char *why = NULL;
	int rc = pfa_snap_read_file(path, false, &buf, &len, &why);
	if (rc < 0) {
		pfa_log_path_failed("drift-read-failed", path, "read");
		unusable(r, path, "read");
		p->unreadable = true;
	} else if (rc == 2 || (rc == 0 &&
	    pfa_snap_parse(buf, len, p->file, &p->old, &why) < 0))
		set_aside(r, p, path, why);
	else if (rc == 0)
		p->have_old = true;
	free(buf);
	free(path);
}

/* -------------------------------------------------------- comparison */

static void
note(struct run *r, const struct part *p, const char *key, const char *old,
    const char *new)
{
	if (r->nchanges < MAX_LISTED)
		r->listed[r->nchanges] = (struct change){ p, key, old, new };
	r->nchanges++;
	for (size_t i = 0; i < 2 && p->restart_ok; i++)
		if (strcmp(key, restart_params[i]) == 0)
			r->restart[i] = true;
}

/* Both snapshots are sorted by key: one merge pass. */
static void
compare(struct run *r, const struct part *p)
{
	const struct pfa_snap *o = &p->old, *c = &p->cur;
	size_t i = 0, j = 0;
	while (i < o->n || j < c->n) {
		int cmp = i >= o->n ? 1 : j >= c->n ? -1 :
		    strcmp(o->e[i].key, c->e[j].key);
		if (cmp < 0)
			note(r, p, o->e[i].key, o->e[i].val, NULL);
		else if (cmp > 0)
			note(r, p, c->e[j].key, NULL, c->e[j].val);
		else if (strcmp(o->e[i].val, c->e[j].val) != 0)
			note(r, p, c->e[j].key, o->e[i].val, c->e[j].val);
		i += cmp <= 0;
		j += cmp >= 0;
	}
}

/* ------------------------------------------------------------ writing */

/* Writes DATA to PATH (0600 if new): 0, or -1 after an UNKNOWN finding. */
static int
write_file(struct run *r, const char *path, const char *data, size_t len)
{
	int rc = pfa_ctx_write_private(r->opts->ctx, path, data, len);
	if (rc < 0)
		unusable(r, path, "write");
	return rc < 0 ? -1 : 0;
}

static void
save(struct run *r, struct part *p)
{
	size_t len;
	char *buf = pfa_snap_format(&p->cur, p->file, &len);
	char *path = pfa_xasprintf("%s/%s", r->dir, p->file);
	p->saved = write_file(r, path, buf, len) == 0;
	free(path);
	free(buf);
}

/*
 * Keeps DATA, the current CONFIG_DIR/NAME, as NAME.1 after shifting
 * NAME.1 .. NAME.(keep-1) up by one (by content: only the atomic writer
 * puts files in place); copies beyond KEEP are removed.
 */
static int
rotate(struct run *r, const char *name, const char *data, size_t len,
    int keep)
{
	int rc = 0;
	for (int i = keep; i >= 2 && rc == 0; i--) {
		char *from = pfa_xasprintf("%s/%s.%d", r->dir, name, i - 1);
		char *to = pfa_xasprintf("%s/%s.%d", r->dir, name, i), *buf;
		size_t n;
		const char *why;
		if ((rc = pfa_snap_read_file(from, false, &buf, &n, &why)) == 0)
			rc = write_file(r, to, buf, n);
		else if (rc == 1)
			rc = 0;		/* a gap: nothing to shift */
		else {
			if (rc < 0)
				pfa_log_path_failed("drift-read-failed", from,
				    "read");
			unusable(r, from, "read");
			rc = -1;
		}
		free(buf);
		free(from);
		free(to);
	}
	char *path = pfa_xasprintf("%s/%s.1", r->dir, name);
	if (rc == 0)
		rc = write_file(r, path, data, len);
	for (int i = keep + 1; rc == 0 && i <= KEEP_MAX + 1; i++) {
		free(path);
		path = pfa_xasprintf("%s/%s.%d", r->dir, name, i);
		if (unlink(path) < 0 && errno == ENOENT)
			break;
	}
	free(path);
	return rc;
}

/* Rotates the copies of CONFIG_DIR/P->cf if it differs from the newest. */
static void
copy_config(struct run *r, struct part *p)
{
	char *src = pfa_xasprintf("%s/%s", r->config_dir, p->cf);
	char *first = pfa_xasprintf("%s/%s.1", r->dir, p->cf);
	char *data, *prev = NULL;
	size_t len, plen = 0;
	const char *why;
	int keep = r->opts->keep < 1 ? 1 : r->opts->keep > KEEP_MAX ?
	    KEEP_MAX : r->opts->keep;
	int rc = pfa_snap_read_file(src, true, &data, &len, &why);
	if (rc == -1)
		pfa_log_path_failed("drift-read-failed", src, "read");
	if (rc == 0 && (pfa_snap_read_file(first, false, &prev, &plen,
	    &why) != 0 || plen != len || memcmp(prev, data, len) != 0))
		p->rotated = rotate(r, p->cf, data, len, keep) == 0;
	free(prev);
	free(data);
	free(src);
	free(first);
}

/* ---------------------------------------------------------- reporting */

/* S for a message: "(redacted)" if SECRET, '?' for control bytes, cut at
 * SHOW_MAX. */
static const char *
show(char *buf, const char *s, bool secret)
{
	size_t n = 0;
	if (secret)
		s = "(redacted)";
	for (; n < SHOW_MAX && s[n] != '\0'; n++)
		buf[n] = (unsigned char)s[n] < 0x20 || s[n] == 0x7f ? '?' :
		    s[n];
	strcpy(buf + n, s[n] != '\0' ? "..." : "");
	return buf;
}

static bool
is_secret(const char *key)
{
	char low[SHOW_MAX];
	size_t n = 0;
	for (; n < sizeof(low) - 1 && key[n] != '\0'; n++)
		low[n] = (char)tolower((unsigned char)key[n]);
	low[n] = '\0';
	return strstr(low, "password") != NULL || strstr(low, "passwd") != NULL;
}

/* "diff OLD NEW" for the copies of P->cf, or NULL when none shows it. */
static char *
diff_hint(struct run *r, const struct part *p)
{
	struct stat sb;
	char *a = pfa_xasprintf("%s/%s.%d", r->dir, p->cf, p->rotated ? 2 : 1);
	char *b = p->rotated ? pfa_xasprintf("%s/%s.1", r->dir, p->cf) :
	    pfa_xasprintf("%s/%s", r->config_dir, p->cf);
	char *hint = NULL;
	if ((p->rotated || r->opts->ctx->dry_run) && lstat(a, &sb) == 0) {
		char *qa = pfa_shquote(a), *qb = pfa_shquote(b);
		hint = pfa_xasprintf("diff %s %s", qa, qb);
		free(qa);
		free(qb);
	}
	free(a);
	free(b);
	return hint;
}

static bool
secret_value(const char *v)
{
	return v != NULL && (strstr(v, "static:") != NULL ||
	    strstr(v, "inline:") != NULL);
}

/* The parameter an entry sets: KEY for main.cf, PARAM of "svc/type -o
 * PARAM"; NULL for a service's command. */
static const char *
param_of(const char *key)
{
	const char *o = strstr(key, " -o ");
	if (o != NULL)
		return o + 4;
	return strchr(key, ' ') != NULL ? NULL : key;
}

static bool
in_secret(const struct run *r, const char *name, size_t len)
{
	for (size_t i = 0; i < r->nsecret; i++)
		if (strlen(r->secret[i]) == len &&
		    strncmp(r->secret[i], name, len) == 0)
			return true;
	return false;
}

static bool
add_secret(struct run *r, const char *name, size_t len)
{
	if (len == 0 || in_secret(r, name, len))
		return false;
	r->secret = pfa_xrealloc(r->secret, (r->nsecret + 1) *
	    sizeof(*r->secret));
	char *n = pfa_xmalloc(len + 1);
	memcpy(n, name, len);
	n[len] = '\0';
	r->secret[r->nsecret++] = n;
	return true;
}

/* Every $NAME, ${NAME} and $(NAME) in V (with ${NAME?...} and the like,
 * the NAME part) becomes secret; true if one was new. */
static bool
secret_refs(struct run *r, const char *v)
{
	bool grew = false;
	for (const char *p = v ? strchr(v, '$') : NULL; p != NULL;
	    p = strchr(p + 1, '$')) {
		const char *q = p + 1;
		if (*q == '{' || *q == '(')
			q++;
		size_t n = 0;
		while (isalnum((unsigned char)q[n]) || q[n] == '_' ||
		    q[n] == '-')
			n++;
		grew |= add_secret(r, q, n);
	}
	return grew;
}

/*
 * The parameters whose values are never shown: those named like a
 * password, those holding a static: or inline: table (credentials in
 * the value), and, until nothing is added, every parameter their values
 * name ($relay_pw in "static:user:$relay_pw"), in the snapshots old and
 * new.
 */
static void
find_secrets(struct run *r, const struct part *parts)
{
	const struct pfa_snap *sn[4] = { &parts[0].cur, &parts[0].old,
		&parts[1].cur, &parts[1].old };
	for (size_t i = 0; i < 4; i++)
		for (size_t k = 0; k < sn[i]->n; k++) {
			const char *name = param_of(sn[i]->e[k].key);
			if (name != NULL && (is_secret(name) ||
			    secret_value(sn[i]->e[k].val)))
				add_secret(r, name, strlen(name));
		}
	for (bool grew = true; grew;) {
		grew = false;
		for (size_t i = 0; i < 4; i++)
			for (size_t k = 0; k < sn[i]->n; k++) {
				const char *name = param_of(sn[i]->e[k].key);
				if (name != NULL &&
				    in_secret(r, name, strlen(name)))
					grew |= secret_refs(r, sn[i]->e[k].val);
			}
	}
}

static void
report_change(struct run *r, const struct change *c)
{
	char k[SHOW_MAX + 4], o[SHOW_MAX + 4], n[SHOW_MAX + 4];
	/* a password may also sit in a value (static:user:pass, an inline:
	 * table), or in a parameter such a value names */
	const char *name = param_of(c->key);
	bool secret = is_secret(c->key) || secret_value(c->old) ||
	    secret_value(c->new) ||
	    (name != NULL && in_secret(r, name, strlen(name)));
	show(k, c->key, false);
	/* the subject in postconf notation: smtp/inet, smtp/inet/PARAM */
	char *subj = pfa_xstrdup(k), *sp = strchr(subj, ' ');
	bool svc = sp != NULL && strcmp(sp, " command") == 0;
	if (svc)
		*sp = '\0';
	else if (sp != NULL && strncmp(sp, " -o ", 4) == 0) {
		memmove(sp, sp + 3, strlen(sp + 3) + 1);
		*sp = '/';
	}
	char *what = c->old == NULL ? pfa_xasprintf("added with value '%s'",
	    show(n, c->new, secret)) : c->new == NULL ? pfa_xasprintf(
	    "removed (was '%s')", show(o, c->old, secret)) : pfa_xasprintf(
	    "changed from '%s' to '%s'", show(o, c->old, secret),
	    show(n, c->new, secret));
	pfa_result_add_finding(r->res, PFA_SEV_INFO, c->p->id, subj,
	    c->p->hint, "%s: %s%s %s", c->p->cf, svc ? "service " : "", k,
	    what);
	free(what);
	free(subj);
}

static void
report_restart(struct run *r)
{
	char *path = pfa_xasprintf("%s/main.cf", r->config_dir), *remedy;
	struct stat sb;
	bool stale = r->opts->master_started != 0 && stat(path, &sb) == 0 &&
	    r->opts->master_started < sb.st_mtime;
	free(path);
	if (!stale || (!r->restart[0] && !r->restart[1]))
		return;
	remedy = pfa_remedy(r->config_dir, "postfix stop && postfix start");
	for (size_t i = 0; i < 2; i++)
		if (r->restart[i])
			pfa_result_add_finding(r->res, PFA_SEV_WARNING,
			    "PFA-DRIFT-005", restart_params[i], remedy,
			    "main.cf: %s changed while Postfix kept running; "
			    "a reload does not apply it", restart_params[i]);
	free(remedy);
}

static void
report(struct run *r, struct part *parts)
{
	for (const struct part *p = parts; p < parts + 2; p++)
		if (!p->have_old && !p->unreadable)
			pfa_result_add_finding(r->res, PFA_SEV_INFO,
			    "PFA-DRIFT-001", p->cf, NULL, "%s: no earlier "
			    "snapshot; baseline %srecorded (%zu entries)",
			    p->cf, p->saved ? "" : "not ", p->cur.n);
	size_t listed = r->nchanges < MAX_LISTED ? r->nchanges : MAX_LISTED;
	for (size_t i = 0; i < listed; i++)
		report_change(r, &r->listed[i]);
	if (r->nchanges > listed)
		pfa_result_add_finding(r->res, PFA_SEV_INFO, "PFA-DRIFT-004",
		    "configuration", parts[0].hint ? parts[0].hint :
		    parts[1].hint, "%zu more configuration changes not listed "
		    "(%zu in all)", r->nchanges - listed, r->nchanges);
	report_restart(r);
	pfa_result_add_metric(r->res, "config_changes", (double)r->nchanges,
	    "");
	if (r->nchanges > 0 || (parts[0].have_old && parts[1].have_old))
		pfa_result_set_summary(r->res, "%zu configuration change%s "
		    "since the last run", r->nchanges, r->nchanges == 1 ? "" :
		    "s");
	else
		pfa_result_set_summary(r->res, "no earlier snapshot");
}

int
pfa_drift_run(const struct pfa_cfview *v, const char *config_dir,
    const struct pfa_drift_opts *opts, struct pfa_result *res)
{
	struct run r = {
		.dir = opts->dir, .opts = opts, .res = res,
		.config_dir = config_dir ? config_dir : v->config_dir,
	};
	struct part parts[2] = {
		{ .file = "postconf-n", .cf = "main.cf",
		    .id = "PFA-DRIFT-002", .restart_ok = true },
		{ .file = "services", .cf = "master.cf",
		    .id = "PFA-DRIFT-003" },
	};
	int d = prepare_dir(&r);
	if (d < 0)
		return -1;
	pfa_snap_from_view(v, &parts[0].cur, &parts[1].cur);
	for (size_t i = 0; i < 2; i++) {
		if (d == 0)
			load_old(&r, &parts[i]);
		if (parts[i].have_old)
			compare(&r, &parts[i]);
	}
	/* after the first failed write, the rest would fail the same way */
	for (size_t i = 0; i < 2 && !opts->ctx->dry_run && r.rc == 0; i++) {
		save(&r, &parts[i]);
		if (r.rc == 0)
			copy_config(&r, &parts[i]);
	}
	for (size_t i = 0; i < 2; i++)
		parts[i].hint = diff_hint(&r, &parts[i]);
	find_secrets(&r, parts);
	report(&r, parts);
	for (size_t i = 0; i < r.nsecret; i++)
		free(r.secret[i]);
	free(r.secret);
	for (size_t i = 0; i < 2; i++) {
		pfa_snap_free(&parts[i].cur);
		pfa_snap_free(&parts[i].old);
		free(parts[i].hint);
	}
	return r.rc;
}
