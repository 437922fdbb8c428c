/*
 * testutil.c - helpers shared by the unit tests: temporary directories,
 * writing fixture files, recursive removal.  Each fails the running
 * cmocka test when a step fails.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"

void
pfa_test_rm_rf(const char *path)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		return;
	if (!S_ISDIR(st.st_mode)) {
		unlink(path);
		return;
	}
	DIR *d = opendir(path);
	struct dirent *de;
	while (d != NULL && (de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		char sub[4096];
		snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
		pfa_test_rm_rf(sub);
	}
	if (d != NULL)
		closedir(d);
	rmdir(path);
}

char *
pfa_test_mkdtemp(const char *name)
{
	char *p = malloc(strlen(name) + 32);
	assert_non_null(p);
	sprintf(p, "/tmp/pfa-%s.XXXXXX", name);
	if (mkdtemp(p) == NULL)
		fail_msg("mkdtemp %s failed", p);
	return p;
}

void
pfa_test_write(const char *path, const void *data, size_t len, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0)
		fail_msg("cannot create %s", path);
	const char *p = data;
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n <= 0)
			fail_msg("cannot write %s", path);
		p += n;
		len -= (size_t)n;
	}
	if (fchmod(fd, mode) < 0 || close(fd) < 0)
		fail_msg("cannot finish %s", path);
}

void
pfa_test_write_text(const char *path, const char *text, mode_t mode)
{
	pfa_test_write(path, text, strlen(text), mode);
}

char *
pfa_test_path(const char *dir, const char *name)
{
	char *p = malloc(strlen(dir) + strlen(name) + 2);
	assert_non_null(p);
	sprintf(p, "%s/%s", dir, name);
	return p;
}

char *
pfa_test_write_in(const char *dir, const char *name, const char *text)
{
	char *p = pfa_test_path(dir, name);
	pfa_test_write(p, text, strlen(text), 0644);
	return p;
}
