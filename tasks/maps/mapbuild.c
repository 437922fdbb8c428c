/*
 * mapbuild.c - builds an indexed table beside the live one and swaps it in
 * (rebuild-maps; the sequence is in mapbuild.h).
 *
 * Owns the build copy ".NAME.pfagent-build.XXXXXX" of a source and every
 * file postmap makes from it (COPY.db, COPY.lmdb, COPY.cdb, COPY.cdb.tmp,
 * Berkeley DB's "__db.COPYNAME.db").  It never writes the live database
 * itself: the built one is put in place by pfa_ctx_install, and only
 * postmap runs, through the Postfix module.  Values looked up for the
 * check are compared, never logged (sasl_passwd holds passwords), and
 * wiped after the check for a secret or SNI table; those of an SNI table
 * (postmap -F: the named key and certificate files, in base64) are only
 * required to be there, and its copy and database never get group or
 * other permission.
 *
 * Errors: a failed system call is logged once where it happens; every
 * failure ends as one CRITICAL finding (PFA-MAP-010 build, PFA-MAP-011
 * entry count, PFA-MAP-012 sample lookup) with the build files removed
 * and the live database as it was.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "mapbuild.h"
#include "maptable.h"
#include "mapcount.h"

#define BUILD_TAG ".pfagent-build."
#define RAND_LEN 6
#define TMP_TRIES 100
#define POSTMAP_TIMEOUT_MS (10 * 60 * 1000)
#define POSTMAP_CAPTURE (1024 * 1024)

/* What postmap may leave beside COPY: NAME + suffix. */
static const char *const by_products[] = {
	"", ".db", ".lmdb", ".cdb", ".cdb.tmp", NULL,
};
#define BDB_TMP_PREFIX "__db."		/* Berkeley DB's creation name */

struct pfa_map_build {
	struct pfa_ctx *ctx;
	struct pfa_result *res;
	const char *type;
	const char *source;
	const char *live_db;
	char *table;		/* "TYPE:SOURCE", for logs and findings */
	char *copy;		/* dir/.NAME.pfagent-build.XXXXXX */
	char *copy_db;
	char *map;		/* "TYPE:COPY" */
	char *live;		/* owned copy of live_db */
	bool failed;		/* a finding says why */
	bool sni;		/* postmap -F: values are file lists */
	bool secret;		/* looked-up values are wiped */
	struct stat src;	/* the source's owner */
	mode_t mode;		/* the copy's and database's mode */
};

/* The CRITICAL finding that ends a failed build; -1. */
static int
build_failed(struct pfa_map_build *b, const char *id, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
build_failed(struct pfa_map_build *b, const char *id, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pfa_result_add_finding(b->res, PFA_SEV_CRITICAL, id, b->table, NULL,
	    "%s; the live database is unchanged", msg);
	return -1;
}

/* "dir/" of PATH and its length. */
static size_t
dir_len(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? (size_t)(slash - path) + 1 : 0;
}

/* NAME is ".SRC.pfagent-build.XXXXXX" plus a by-product suffix, or
 * "__db." of one ending in ".db" (Berkeley DB's temporary name). */
static bool
is_build_name(const char *name, const char *prefix, size_t plen)
{
	if (strncmp(name, BDB_TMP_PREFIX, strlen(BDB_TMP_PREFIX)) == 0) {
		name += strlen(BDB_TMP_PREFIX);
		size_t n = strlen(name);
		if (n < 3 || strcmp(name + n - 3, ".db") != 0 ||
		    n - 3 != plen + RAND_LEN)
			return false;
		return strncmp(name, prefix, plen) == 0;
	}
	if (strncmp(name, prefix, plen) != 0 || strlen(name) < plen + RAND_LEN)
		return false;
	for (size_t i = plen; i < plen + RAND_LEN; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') ||
		    (name[i] >= 'A' && name[i] <= 'Z') ||
		    (name[i] >= '0' && name[i] <= '9')))
			return false;
	for (size_t i = 0; by_products[i] != NULL; i++)
		if (strcmp(name + plen + RAND_LEN, by_products[i]) == 0)
			return true;
	return false;
}

/* Build files of SOURCE from an interrupted run (regular files only; the
 * caller holds the run lock). */
static void
remove_leftovers(const struct pfa_map_build *b)
{
	size_t dl = dir_len(b->source);
	char *dir = dl ? pfa_xasprintf("%.*s", (int)dl, b->source) :
	    pfa_xstrdup(".");
	char *prefix = pfa_xasprintf(".%s%s", b->source + dl, BUILD_TAG);
	size_t plen = strlen(prefix);
	char q[1024];
	DIR *d = opendir(dir);
	if (d == NULL) {
		pfa_log_path_failed("build-failed", dir, "leftover-scan");
		goto out;
	}
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		struct stat st;
		if (!is_build_name(de->d_name, prefix, plen) ||
		    fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISREG(st.st_mode))
			continue;
		char *p = pfa_xasprintf("%.*s%s", (int)dl, b->source,
		    de->d_name);
		pfa_log_quote(q, sizeof(q), p);
		if (unlinkat(dirfd(d), de->d_name, 0) == 0)
			pfa_log(LOG_NOTICE, "task=%s event=removed-leftover "
			    "file=%s", b->ctx->task, q);
		else
			pfa_log_path_failed("build-failed", p, "remove-leftover");
		free(p);
	}
	closedir(d);
out:
	free(dir);
	free(prefix);
}

/* Removes COPY and everything postmap made from it. */
static void
remove_build(const struct pfa_map_build *b)
{
	if (b->copy == NULL)
		return;
	for (size_t i = 0; by_products[i] != NULL; i++) {
		char *p = pfa_xasprintf("%s%s", b->copy, by_products[i]);
		if (unlink(p) < 0 && errno != ENOENT)
			pfa_log_path_failed("build-failed", p, "remove-build");
		free(p);
	}
	size_t dl = dir_len(b->copy);
	char *p = pfa_xasprintf("%.*s" BDB_TMP_PREFIX "%s.db", (int)dl,
	    b->copy, b->copy + dl);
	if (unlink(p) < 0 && errno != ENOENT)
		pfa_log_path_failed("build-failed", p, "remove-build");
	free(p);
}

static int
write_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Creates "dir/.NAME.pfagent-build.XXXXXX" (O_EXCL, no symlink followed);
 * b->copy set on success. */
static int
create_copy(struct pfa_map_build *b)
{
	static const char set[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	static unsigned counter;
	size_t dl = dir_len(b->source);
	for (int i = 0; i < TMP_TRIES; i++) {
		unsigned char r[RAND_LEN];
		char rnd[RAND_LEN + 1];
		if (getrandom(r, sizeof(r), GRND_NONBLOCK) != (ssize_t)sizeof(r))
			for (size_t k = 0; k < RAND_LEN; k++)	/* O_EXCL copes */
				r[k] = (unsigned char)((unsigned)getpid() *
				    2654435761u >> (k * 4) ^ ++counter * 40503u);
		for (size_t k = 0; k < RAND_LEN; k++)
			rnd[k] = set[r[k] % (sizeof(set) - 1)];
		rnd[RAND_LEN] = '\0';
		b->copy = pfa_xasprintf("%.*s.%s" BUILD_TAG "%s", (int)dl,
		    b->source, b->source + dl, rnd);
		int fd = open(b->copy, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		    O_CLOEXEC | O_NOCTTY, 0600);
		if (fd >= 0)
			return fd;
		int saved = errno;
		pfa_log_path_failed("build-failed", b->copy, "create-copy");
		free(b->copy);
		b->copy = NULL;
		errno = saved;
		if (errno != EEXIST && errno != EINTR)
			break;
	}
	return -1;
}

/*
 * Writes DATA (the source as it was read and checked) to a new COPY beside
 * the source, with the source's owner and b->mode.  No fsync: COPY is only
 * postmap's input and never put in place; after a crash it is a leftover,
 * removed unread.  The database built from it is fsynced by
 * pfa_ctx_install (the atomic writer) before the rename.
 */
static int
make_copy(struct pfa_map_build *b, const char *data, size_t len)
{
	int out = create_copy(b);
	if (out < 0) {
		int saved = errno;
		return build_failed(b, "PFA-MAP-010", "cannot create the "
		    "build copy: %s", strerror(saved));
	}
	const char *step = NULL;
	if (fchown(out, b->src.st_uid, b->src.st_gid) < 0)
		step = "chown-copy";
	else if (fchmod(out, b->mode) < 0)
		step = "chmod-copy";
	else if (write_all(out, data, len) < 0)
		step = "write-copy";
	int saved = errno;
	if (close(out) < 0 && step == NULL)
		saved = errno, step = "close-copy";
	if (step == NULL)
		return 0;
	errno = saved;
	pfa_log_path_failed("build-failed", b->copy, step);
	return build_failed(b, "PFA-MAP-010", "cannot copy the source "
	    "(%s): %s", step, strerror(saved));
}

/*
 * The first line of TEXT that has one of Postfix's severity tags, or NULL.
 * postmap's "duplicate entry" warnings are not failures: the source check
 * reported them already, and postmap keeps the first value as it says.
 */
static char *
tagged_line(const char *text)
{
	for (const char *p = text; *p != '\0';) {
		size_t n = strcspn(p, "\n");
		char *line = pfa_xasprintf("%.*s", (int)n, p);
		bool dup = strstr(line, "warning:") != NULL &&
		    strstr(line, ": duplicate entry: ") != NULL;
		if (!dup && (strstr(line, "fatal:") ||
		    strstr(line, "warning:") || strstr(line, "panic:") ||
		    strstr(line, "error:")))
			return line;
		free(line);
		p += n + (p[n] == '\n');
	}
	return NULL;
}

/* TEXT with every COPY replaced by SOURCE: the user's own file name. */
static char *
as_source(const struct pfa_map_build *b, const char *text)
{
	size_t cl = strlen(b->copy), n = 0;
	for (const char *p = text; (p = strstr(p, b->copy)) != NULL; p += cl)
		n++;
	char *s = pfa_xmalloc(strlen(text) + n * strlen(b->source) + 1);
	char *o = s;
	for (const char *p = text;;) {
		const char *hit = strstr(p, b->copy);
		size_t k = hit ? (size_t)(hit - p) : strlen(p);
		memcpy(o, p, k);
		o += k;
		if (hit == NULL)
			break;
		o = stpcpy(o, b->source);
		p = hit + cl;
	}
	*o = '\0';
	return s;
}

/*
 * Runs postmap ARG1 [ARG2] TYPE:COPY.  0 if it exited 0 with no tagged
 * line on stderr (R kept for the caller); -1 after the finding ID (R
 * freed).  MISS_OK: exit status 1 with a clean stderr is "not found".
 */
static int
postmap(struct pfa_map_build *b, const char *what, const char *const args[],
    const char *in, struct pfa_exec_result *r, bool miss_ok)
{
	struct pfa_exec_opts o = {
		.timeout_ms = POSTMAP_TIMEOUT_MS,
		.max_capture = POSTMAP_CAPTURE,
		.stdin_data = in,
		.stdin_len = in ? strlen(in) : 0,
	};
	if (pfa_postfix_run(b->ctx->pf, "postmap", args, &o, r) < 0)
		return build_failed(b, "PFA-MAP-010", "cannot run postmap: %s",
		    strerror(errno));
	char *why = tagged_line(r->err);
	bool ok = why == NULL && !r->timed_out &&
	    (r->status == 0 || (miss_ok && r->status == 1));
	if (ok)
		return 0;
	if (why == NULL && r->timed_out)
		why = pfa_xasprintf("timed out after %d s",
		    POSTMAP_TIMEOUT_MS / 1000);
	else if (why == NULL && r->signal != 0)
		why = pfa_xasprintf("killed by signal %d", r->signal);
	else if (why == NULL)
		why = pfa_xasprintf("%.*s", (int)strcspn(r->err, "\n"),
		    r->err[0] ? r->err : "exit status without a message");
	/* postmap quotes keys and values: never let a table's content
	 * (sasl_passwd holds secrets) reach a finding or syslog */
	char *named = as_source(b, why);
	char *msg = pfa_map_redact(named);
	free(named);
	char q[1024], qm[1024];
	pfa_log(LOG_ERR, "task=%s event=postmap-failed table=%s step=%s "
	    "status=%d error=%s", b->ctx->task,
	    pfa_log_quote(q, sizeof(q), b->table), what, r->status,
	    pfa_log_quote(qm, sizeof(qm), msg));
	build_failed(b, "PFA-MAP-010", "postmap %s failed: %s", what, msg);
	free(why);
	free(msg);
	if (b->secret && r->out != NULL)
		explicit_bzero(r->out, r->out_len);
	pfa_exec_result_free(r);
	return -1;
}

/* Entries of the built database: read from the file where its layout is
 * known, else one `postmap -s` counted as it streams. */
static int
count_entries(struct pfa_map_build *b, const char *map, size_t *count)
{
	long long n = pfa_mapcount(b->type, b->copy_db);
	if (n == -1)
		return build_failed(b, "PFA-MAP-010",
		    "cannot read the built database: %s", strerror(errno));
	if (n >= 0) {
		*count = (size_t)n;
		return 0;
	}
	struct pfa_exec_result r;
	const char *args[] = { "-s", map, NULL };
	if (postmap(b, "-s", args, NULL, &r, false) < 0)
		return -1;
	*count = r.out_lines;
	pfa_exec_result_free(&r);
	return 0;
}

/* Every sample key returns its value from one `postmap -q -` (an SNI
 * table's key: some value; it is the named files' content, in base64). */
static int
check_samples(struct pfa_map_build *b, const char *map,
    const struct pfa_map_check *chk)
{
	if (chk->nsamples == 0)
		return 0;
	size_t len = 1;
	for (size_t i = 0; i < chk->nsamples; i++)
		len += strlen(chk->sample_keys[i]) + 1;
	char *in = pfa_xmalloc(len), *o = in;
	for (size_t i = 0; i < chk->nsamples; i++) {
		o = stpcpy(o, chk->sample_keys[i]);
		*o++ = '\n';
	}
	*o = '\0';
	struct pfa_exec_result r;
	const char *args[] = { "-q", "-", map, NULL };
	int rc = postmap(b, "-q", args, in, &r, true);
	free(in);
	if (rc < 0)
		return -1;
	for (size_t i = 0; i < chk->nsamples && rc == 0; i++) {
		const char *key = chk->sample_keys[i];
		size_t kl = strlen(key);
		const char *got = NULL;
		size_t gl = 0;
		for (const char *p = r.out; *p != '\0' && got == NULL;) {
			size_t n = strcspn(p, "\n");
			if (n > kl && strncmp(p, key, kl) == 0 && p[kl] == '\t') {
				got = p + kl + 1;
				gl = n - kl - 1;
			}
			p += n + (p[n] == '\n');
		}
		const char *want = chk->sample_values[i];
		if (got != NULL && (b->sni || (gl == strlen(want) &&
		    memcmp(got, want, gl) == 0)))
			continue;
		/* keys may be secret (sasl_passwd): the sample is named by
		 * its number, never by its text */
		char q[1024];
		pfa_log(LOG_ERR, "task=%s event=verify-failed table=%s "
		    "check=lookup sample=%zu result=%s", b->ctx->task,
		    pfa_log_quote(q, sizeof(q), b->table), i + 1,
		    got ? "other-value" : "not-found");
		rc = build_failed(b, "PFA-MAP-012", "looking up sample key %zu "
		    "of the source in the built table %s", i + 1,
		    got ? "returned another value than the source has" :
		    "found nothing");
	}
	if (b->secret)		/* passwords, or an SNI table's keys */
		explicit_bzero(r.out, r.out_len);
	pfa_exec_result_free(&r);
	return rc;
}

/* The built database gets the source's owner and b->mode (postmap copies
 * only the mode, and only without -p). */
static int
fix_owner_mode(struct pfa_map_build *b)
{
	struct stat st;
	const char *step = NULL;
	int fd = open(b->copy_db, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC | O_NOCTTY);
	if (fd < 0 || fstat(fd, &st) < 0)
		step = "open-db";
	else if (!S_ISREG(st.st_mode))
		errno = EINVAL, step = "open-db";
	else if ((st.st_uid != b->src.st_uid || st.st_gid != b->src.st_gid) &&
	    fchown(fd, b->src.st_uid, b->src.st_gid) < 0)
		step = "chown-db";
	else if ((st.st_mode & 07777) != b->mode && fchmod(fd, b->mode) < 0)
		step = "chmod-db";
	int saved = errno;
	if (fd >= 0)
		close(fd);	/* read-only */
	if (step == NULL)
		return 0;
	errno = saved;
	pfa_log_path_failed("build-failed", b->copy_db, step);
	return build_failed(b, "PFA-MAP-010", "cannot give the built "
	    "database the source's owner and mode (%s): %s", step,
	    strerror(saved));
}

/* Copy and postmap; -1 after the finding. */
static int
build(struct pfa_map_build *b, const char *data, size_t len)
{
	remove_leftovers(b);
	if (make_copy(b, data, len) < 0)
		return -1;
	b->copy_db = pfa_map_db_path(b->type, b->copy);
	b->map = pfa_xasprintf("%s:%s", b->type, b->copy);
	struct pfa_exec_result r;
	const char *plain[] = { b->map, NULL };
	const char *files[] = { "-F", b->map, NULL };
	if (postmap(b, "build", b->sni ? files : plain, NULL, &r, false) < 0)
		return -1;
	pfa_exec_result_free(&r);
	return 0;
}

/* Verify against CHK and install; -1 after the finding. */
static int
verify_and_swap(struct pfa_map_build *b, const struct pfa_map_check *chk)
{
	size_t entries = 0;
	int rc = count_entries(b, b->map, &entries);
	if (rc == 0 && entries != chk->entries) {
		char q[1024];
		pfa_log(LOG_ERR, "task=%s event=verify-failed table=%s "
		    "check=entries expected=%zu found=%zu", b->ctx->task,
		    pfa_log_quote(q, sizeof(q), b->table), chk->entries,
		    entries);
		rc = build_failed(b, "PFA-MAP-011", "the built table has %zu "
		    "entries, the source %zu", entries, chk->entries);
	}
	if (rc == 0)
		rc = check_samples(b, b->map, chk);
	if (rc == 0)
		rc = fix_owner_mode(b);
	if (rc < 0)
		return -1;

	/*
	 * No kept hard link (pfa_ctx_install keeps none): Postfix notices a
	 * replaced table only when the file it has open is unlinked
	 * (st_nlink == 0) or its mtime changes; a link to the old inode
	 * would hide the change from every running daemon.  The gate never
	 * restores tables, which need no reload.
	 */
	if (pfa_ctx_install(b->ctx, b->res, b->copy_db, b->live_db) < 0)
		return build_failed(b, "PFA-MAP-010", "could not put the "
		    "built database in place (see syslog for the failed step)");
	char q[1024], qf[1024];
	pfa_log(LOG_NOTICE, "task=%s event=rebuilt table=%s entries=%zu "
	    "file=%s kept=none", b->ctx->task,
	    pfa_log_quote(q, sizeof(q), b->table), entries,
	    pfa_log_quote(qf, sizeof(qf), b->live_db));
	return 0;
}

static void
free_build(struct pfa_map_build *b)
{
	remove_build(b);
	free(b->table);
	free(b->copy);
	free(b->copy_db);
	free(b->map);
	free(b->live);
	free(b);
}

struct pfa_map_build *
pfa_map_build_start(struct pfa_ctx *ctx, struct pfa_result *res,
    const char *type, const char *source, unsigned flags, const char *data,
    size_t len, const struct stat *st)
{
	struct pfa_map_build *b = pfa_xcalloc(1, sizeof(*b));
	b->ctx = ctx;
	b->sni = (flags & PFA_MT_SNI) != 0;
	b->secret = (flags & (PFA_MT_SNI | PFA_MT_SECRET)) != 0;
	/* an SNI database holds the private keys its source names */
	b->mode = st->st_mode & (b->sni ? 0700 : 07777);
	b->res = res;
	b->type = type;
	b->source = source;
	b->src = *st;
	b->table = pfa_xasprintf("%s:%s", type, source);
	b->live = pfa_map_db_path(type, source);
	b->live_db = b->live;
	char q[1024];
	if (b->live == NULL) {
		pfa_log(LOG_ERR, "task=%s event=build-refused table=%s "
		    "reason=no-atomic-swap", ctx->task,
		    pfa_log_quote(q, sizeof(q), b->table));
		build_failed(b, "PFA-MAP-010", "pfagent cannot replace a %s "
		    "table atomically; use hash, lmdb or cdb", type);
		b->failed = true;
	} else if (!ctx->dry_run && build(b, data, len) < 0) {
		b->failed = true;
	}
	return b;
}

int
pfa_map_build_finish(struct pfa_map_build *b, const struct pfa_map_check *chk)
{
	int rc = -1;
	char q[1024], qf[1024];
	if (b->failed || chk == NULL) {
		rc = -1;
	} else if (b->ctx->dry_run) {
		pfa_log(LOG_NOTICE, "task=%s event=would-rebuild table=%s "
		    "file=%s", b->ctx->task,
		    pfa_log_quote(q, sizeof(q), b->table),
		    pfa_log_quote(qf, sizeof(qf), b->live_db));
		rc = pfa_ctx_install(b->ctx, b->res, NULL, b->live_db);
	} else {
		rc = verify_and_swap(b, chk) < 0 ? -1 : 1;
	}
	free_build(b);
	return rc;
}
