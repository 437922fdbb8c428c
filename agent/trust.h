/*
 * trust.h - the ownership rule for everything that decides what pfagent
 * runs as root.
 *
 * pfagent's configuration file and every file it includes, the state
 * directory, command_directory and every program pfagent executes, and
 * Postfix's config_directory are trusted only when the file and every
 * directory above it (along the path as named and along the path its
 * symbolic links lead to) belong to root and are not writable by group or
 * other, the rule Postfix's `postfix check` and logrotate apply.  A
 * directory above that others may write is accepted only when it belongs
 * to root and has the sticky bit (/tmp): no one else can rename or remove
 * what is in it.  When pfagent does not run as root, its own user may own
 * them too.  Nothing here writes or opens anything but directories and
 * stat(2).
 */
#ifndef PFA_TRUST_H
#define PFA_TRUST_H

#include <limits.h>

/* What is wrong, for the message that refuses. */
struct pfa_untrusted {
	char path[PATH_MAX];	/* the file or directory at fault */
	char why[128];		/* "is writable by group or other (mode 0666)" */
	char fix[2 * PATH_MAX + 48];	/* "chown root:root P && chmod go-w P"; "" when none */
	int err;		/* when it could not be examined: the errno */
};

/*
 * 0 when PATH (absolute) and everything above it is trusted; -1 with *U
 * filled when not, and when PATH or a directory above it cannot be
 * examined (U->why then says why: "No such file or directory" and the
 * like, with U->fix empty).
 */
int pfa_trust_path(const char *path, struct pfa_untrusted *u);

/*
 * pfa_trust_path, and when it fails the refusal on stderr and in syslog:
 * "pfagent: refusing WHAT PATH: U->path U->why; fix with: U->fix".
 * 0 or -1.
 */
int pfa_trust_require(const char *path, const char *what);

#endif
