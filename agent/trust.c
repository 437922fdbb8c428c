/*
 * trust.c - the ownership rule for everything that decides what pfagent
 * runs as root (trust.h): the file, every directory above it as named,
 * and the same again along the path symbolic links lead to.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "trust.h"

static void
set_fix(struct pfa_untrusted *u, bool chown_too)
{
	if (chown_too)
		snprintf(u->fix, sizeof(u->fix), "chown root:root %s && "
		    "chmod go-w %s", u->path, u->path);
	else
		snprintf(u->fix, sizeof(u->fix), "chmod go-w %s", u->path);
}

/* One file or directory; ABOVE: a directory above the one asked about. */
static int
check_one(const char *p, const struct stat *st, bool above,
    struct pfa_untrusted *u)
{
	uid_t me = geteuid();
	bool owner_ok = st->st_uid == 0 || (me != 0 && st->st_uid == me);
	bool writable = (st->st_mode & (S_IWGRP | S_IWOTH)) != 0;
	if (above && S_ISDIR(st->st_mode) && writable &&
	    (st->st_mode & S_ISVTX) && st->st_uid == 0)
		return 0;	/* /tmp: others cannot replace what is in it */
	if (owner_ok && !writable)
		return 0;
	snprintf(u->path, sizeof(u->path), "%s", p);
	if (!owner_ok)
		snprintf(u->why, sizeof(u->why), "is not owned by root (owner "
		    "uid %u, mode %04o)", (unsigned)st->st_uid,
		    (unsigned)(st->st_mode & 07777));
	else
		snprintf(u->why, sizeof(u->why), "is writable by group or "
		    "other (mode %04o)", (unsigned)(st->st_mode & 07777));
	set_fix(u, !owner_ok || me == 0);
	return -1;
}

static int
cannot(const char *p, int err, struct pfa_untrusted *u)
{
	snprintf(u->path, sizeof(u->path), "%s", p);
	snprintf(u->why, sizeof(u->why), "%s", strerror(err));
	u->fix[0] = '\0';
	u->err = err;
	return -1;
}

/* One step of a walk: P as named (lstat, a link skipped) or followed. */
static int
step(const char *p, bool follow, bool above, struct pfa_untrusted *u)
{
	struct stat st;
	if ((follow ? stat(p, &st) : lstat(p, &st)) < 0)
		return cannot(p, errno, u);
	/* a link's own mode means nothing: the directory holding it is
	 * checked, and the path it leads to is walked separately */
	if (S_ISLNK(st.st_mode))
		return 0;
	return check_one(p, &st, above, u);
}

/*
 * "/", every prefix of PATH ("/a", "/a/b", ...) and PATH itself.
 * FOLLOW: stat (for the real path, where no component is a link).
 */
static int
walk(const char *path, bool follow, struct pfa_untrusted *u)
{
	char buf[PATH_MAX];
	size_t n = strlen(path);
	if (n == 0 || n >= sizeof(buf) || path[0] != '/')
		return cannot(path, EINVAL, u);
	memcpy(buf, path, n + 1);
	while (n > 1 && buf[n - 1] == '/')
		buf[--n] = '\0';
	if (step("/", follow, n > 1, u) < 0)
		return -1;
	for (size_t i = 2; i <= n; i++) {
		if (i < n && buf[i] != '/')
			continue;
		char save = buf[i];
		buf[i] = '\0';
		int r = step(buf, follow, i < n, u);
		buf[i] = save;
		if (r < 0)
			return -1;
	}
	return 0;
}

int
pfa_trust_path(const char *path, struct pfa_untrusted *u)
{
	memset(u, 0, sizeof(*u));
	if (walk(path, false, u) < 0)
		return -1;
	char *real = realpath(path, NULL);
	if (real == NULL)
		return cannot(path, errno, u);
	int rc = strcmp(real, path) == 0 ? 0 : walk(real, true, u);
	free(real);
	return rc;
}

int
pfa_trust_require(const char *path, const char *what)
{
	struct pfa_untrusted u;
	if (pfa_trust_path(path, &u) == 0)
		return 0;
	bool self = strcmp(u.path, path) == 0;
	if (u.fix[0] == '\0') {
		fprintf(stderr, "pfagent: %s %s: %s%s%s\n", what, path,
		    self ? "" : u.path, self ? "" : ": ", u.why);
		pfa_log(LOG_ERR, "event=unreadable-path what=\"%s\" path=%s "
		    "at=%s reason=\"%s\"", what, path, u.path, u.why);
		return -1;
	}
	fprintf(stderr, "pfagent: refusing %s %s: %s%s %s; fix with: %s\n",
	    what, path, self ? "it" : "", self ? "" : u.path, u.why, u.fix);
	pfa_log(LOG_ERR, "event=unsafe-path what=\"%s\" path=%s at=%s "
	    "reason=\"%s\"", what, path, u.path, u.why);
	return -1;
}
