/*
 * dhgen_bench.c - "dhgen-bench BITS OUTFILE": one pfa_dh_generate run
 * with one thread per CPU, the PEM written to OUTFILE, for bench_dh.sh.
 *
 * A bench tool, not part of pfagent: it writes the file plainly (no
 * atomic rename) and reports errors on stderr.  Exit 0 on success, 1 on
 * any failure.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dhgen.h"

int
main(int argc, char **argv)
{
	struct pfa_dh_opts opts = { .threads = 0 };
	char err[256] = "", *pem = NULL, *end;
	size_t len;
	FILE *f;
	long bits;

	if (argc != 3) {
		fprintf(stderr, "usage: dhgen-bench BITS OUTFILE\n");
		return 1;
	}
	errno = 0;
	bits = strtol(argv[1], &end, 10);
	if (errno != 0 || end == argv[1] || *end != '\0' || bits < 1 ||
	    bits > 65536) {
		fprintf(stderr, "dhgen-bench: bad size \"%s\"\n", argv[1]);
		return 1;
	}
	opts.bits = (int)bits;
	if (pfa_dh_generate(&opts, &pem, &len, err, sizeof(err)) != 0) {
		fprintf(stderr, "dhgen-bench: %s\n", err);
		return 1;
	}
	if ((f = fopen(argv[2], "w")) == NULL) {
		fprintf(stderr, "dhgen-bench: %s: %s\n", argv[2],
		    strerror(errno));
		free(pem);
		return 1;
	}
	if (fwrite(pem, 1, len, f) != len || fclose(f) != 0) {
		fprintf(stderr, "dhgen-bench: %s: write failed\n", argv[2]);
		free(pem);
		return 1;
	}
	free(pem);
	return 0;
}
