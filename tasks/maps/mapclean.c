/*
 * mapclean.c - the names of build copies (mapclean.h) and the removal of
 * what an interrupted or failed build left beside a table's source.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "mapclean.h"

const char *const pfa_map_by_products[] = {
	"", ".db", ".lmdb", ".cdb", ".cdb.tmp", NULL,
};

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
	if (strncmp(name, PFA_MAP_BDB_TMP, strlen(PFA_MAP_BDB_TMP)) == 0) {
		name += strlen(PFA_MAP_BDB_TMP);
		size_t n = strlen(name);
		if (n < 3 || strcmp(name + n - 3, ".db") != 0 ||
		    n - 3 != plen + PFA_MAP_RAND_LEN)
			return false;
		return strncmp(name, prefix, plen) == 0;
	}
	if (strncmp(name, prefix, plen) != 0 || strlen(name) < plen + PFA_MAP_RAND_LEN)
		return false;
	for (size_t i = plen; i < plen + PFA_MAP_RAND_LEN; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') ||
		    (name[i] >= 'A' && name[i] <= 'Z') ||
		    (name[i] >= '0' && name[i] <= '9')))
			return false;
	for (size_t i = 0; pfa_map_by_products[i] != NULL; i++)
		if (strcmp(name + plen + PFA_MAP_RAND_LEN, pfa_map_by_products[i]) == 0)
			return true;
	return false;
}

void
pfa_map_clean(const char *task, const char *source)
{
	size_t dl = dir_len(source);
	char *dir = dl ? pfa_xasprintf("%.*s", (int)dl, source) :
	    pfa_xstrdup(".");
	char *prefix = pfa_xasprintf(".%s%s", source + dl, PFA_MAP_BUILD_TAG);
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
		char *p = pfa_xasprintf("%.*s%s", (int)dl, source,
		    de->d_name);
		pfa_log_quote(q, sizeof(q), p);
		if (unlinkat(dirfd(d), de->d_name, 0) == 0)
			pfa_log(LOG_NOTICE, "task=%s event=removed-leftover "
			    "file=%s", task, q);
		else
			pfa_log_path_failed("build-failed", p, "remove-leftover");
		free(p);
	}
	closedir(d);
out:
	free(dir);
	free(prefix);
}

