/*
 * mapsafe.c - may a table's source be trusted, and is it at rest
 * (mapsafe.h).  Reads stat(2) and the ownership rule (agent/trust.h);
 * writes nothing but findings.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mapsafe.h"
#include "mapsrc.h"
#include "trust.h"

bool
pfa_mapsafe_sensitive(const struct pfa_maptable *t)
{
	static const char *const words[] = { "restrictions", "access",
		"checks", "mynetworks", "relay", "sasl", "sni", "alias",
		"permit", "reject", "blacklist", NULL };
	if (t->flags & (PFA_MT_SECRET | PFA_MT_SNI | PFA_MT_ALIAS |
	    PFA_MT_BLACKLIST))
		return true;
	for (size_t i = 0; words[i] != NULL; i++)
		if (t->param != NULL && strstr(t->param, words[i]) != NULL)
			return true;
	return false;
}

int
pfa_mapsafe_source(const struct pfa_maptable *t, struct pfa_result *res)
{
	struct stat l;
	if (lstat(t->path, &l) == 0 && S_ISLNK(l.st_mode)) {
		char *real = realpath(t->path, NULL);
		pfa_result_add_finding(res, PFA_SEV_INFO, "PFA-MAP-020",
		    t->path, NULL, "%s: the source is a symbolic link to %s: "
		    "that file (and its directory) is what is checked and "
		    "built", t->spec, real ? real : "(unresolvable)");
		free(real);
	}
	struct pfa_untrusted u;
	if (pfa_trust_path(t->path, &u) == 0 || u.fix[0] == '\0')
		return 0;	/* not there: the read says so */
	bool writable = strstr(u.why, "writable") != NULL;
	bool sensitive = pfa_mapsafe_sensitive(t);
	if (writable && sensitive) {
		pfa_result_add_finding(res, PFA_SEV_CRITICAL, "PFA-MAP-019",
		    t->path, u.fix, "%s (%s): %s %s, so anyone who can write "
		    "it decides what this table says; not %s", t->spec,
		    t->param, u.path, u.why, pfa_map_is_indexed(t->type) ?
		    "rebuilt, the previous database stays in service" :
		    "checked or reloaded");
		return -1;
	}
	pfa_result_add_finding(res, PFA_SEV_WARNING, "PFA-MAP-019", t->path,
	    u.fix, "%s (%s): %s %s", t->spec, t->param, u.path, u.why);
	return 0;
}

static long long
now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static long long
changed_ms(const struct stat *st)
{
	const struct timespec *m = &st->st_mtim, *c = &st->st_ctim;
	const struct timespec *t = c->tv_sec > m->tv_sec ||
	    (c->tv_sec == m->tv_sec && c->tv_nsec > m->tv_nsec) ? c : m;
	return (long long)t->tv_sec * 1000 + t->tv_nsec / 1000000;
}

bool
pfa_mapsafe_settle(const char *path)
{
	for (int i = 0; i < 4; i++) {
		struct stat st;
		if (stat(path, &st) < 0)
			return true;
		long long age = now_ms() - changed_ms(&st);
		if (age >= PFA_MAPSAFE_SETTLE_MS || age < -60000)
			return true;	/* old enough (or a clock ahead) */
		long long wait = PFA_MAPSAFE_SETTLE_MS - age;
		struct timespec ts = { (time_t)(wait / 1000),
			(long)(wait % 1000) * 1000000 };
		nanosleep(&ts, NULL);
	}
	return false;
}

bool
pfa_mapsafe_moved(const char *path, const struct stat *then)
{
	struct stat now;
	if (stat(path, &now) < 0)
		return true;
	return now.st_ino != then->st_ino || now.st_dev != then->st_dev ||
	    now.st_size != then->st_size ||
	    now.st_mtim.tv_sec != then->st_mtim.tv_sec ||
	    now.st_mtim.tv_nsec != then->st_mtim.tv_nsec ||
	    now.st_ctim.tv_sec != then->st_ctim.tv_sec ||
	    now.st_ctim.tv_nsec != then->st_ctim.tv_nsec;
}

mode_t
pfa_mapsafe_db_mode(mode_t src, bool secret)
{
	return (mode_t)(src & (secret ? 0600 : 0644));
}
