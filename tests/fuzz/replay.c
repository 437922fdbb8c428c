/*
 * replay.c - make check's driver for the fuzz targets: runs one target's
 * LLVMFuzzerTestOneInput over every input of its committed corpus
 * (PFA_SRCDIR/tests/fuzz/corpus/fuzz_NAME, NAME from the program's name
 * replay_NAME) and prints one TAP line per input.  A target that no
 * longer builds, or a seed that crashes, aborts or trips a sanitizer,
 * fails make check, not only the libFuzzer run in CI (make fuzz-run).
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
byname(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static unsigned char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	unsigned char *buf = NULL;
	size_t cap = 0, n = 0;
	for (;;) {
		if (n == cap) {
			cap = cap ? cap * 2 : 65536;
			unsigned char *nb = realloc(buf, cap);
			if (nb == NULL) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
		}
		size_t r = fread(buf + n, 1, cap - n, f);
		n += r;
		if (r == 0)
			break;
	}
	int bad = ferror(f);
	fclose(f);
	if (bad) {
		free(buf);
		return NULL;
	}
	*len = n;
	return buf;
}

int
main(int argc, char **argv)
{
	(void)argc;
	const char *src = getenv("PFA_SRCDIR");
	const char *prog = strrchr(argv[0], '/');
	prog = prog ? prog + 1 : argv[0];
	if (src == NULL || strncmp(prog, "replay_", 7) != 0) {
		printf("1..0 # PFA_SRCDIR unset or not run as replay_NAME\n");
		return 1;
	}
	char dir[4096];
	snprintf(dir, sizeof(dir), "%s/tests/fuzz/corpus/fuzz_%s", src,
	    prog + 7);
	DIR *d = opendir(dir);
	if (d == NULL) {
		printf("1..1\nnot ok 1 - %s: cannot open\n", dir);
		return 1;
	}
	char **names = NULL;
	size_t count = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		char **nn = realloc(names, (count + 1) * sizeof(*names));
		if (nn == NULL || (nn[count] = strdup(e->d_name)) == NULL) {
			printf("1..0 # out of memory\n");
			return 1;
		}
		names = nn;
		count++;
	}
	closedir(d);
	if (count == 0) {
		printf("1..1\nnot ok 1 - %s: empty corpus\n", dir);
		return 1;
	}
	qsort(names, count, sizeof(*names), byname);
	printf("1..%zu\n", count);
	int rc = 0;
	for (size_t i = 0; i < count; i++) {
		char path[8192];
		size_t len = 0;
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		unsigned char *buf = slurp(path, &len);
		if (buf == NULL) {
			printf("not ok %zu - fuzz_%s/%s: cannot read\n", i + 1,
			    prog + 7, names[i]);
			rc = 1;
		} else {
			fflush(stdout);
			(void)LLVMFuzzerTestOneInput(buf, len);
			printf("ok %zu - fuzz_%s/%s (%zu bytes)\n", i + 1,
			    prog + 7, names[i], len);
			free(buf);
		}
		free(names[i]);
	}
	free(names);
	return rc;
}
