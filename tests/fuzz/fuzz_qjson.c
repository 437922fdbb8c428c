/*
 * fuzz_qjson.c - libFuzzer target for `postqueue -j` lines
 * (tasks/queue/qjson.c) and their tally (qtally.c, with reason grouping
 * from postfix/reason.c): the input is cut into lines as the exec
 * service would hand them over, each parsed and counted; the tally must
 * stay within its bounds.  Built by `make fuzz`, run by `make fuzz-run`,
 * seed inputs in tests/fuzz/corpus/fuzz_qjson/.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "queue.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
sampler(void *arg, const struct pfa_qmsg *m, size_t r, struct pfa_reason *rs)
{
	(void)arg;
	if (r >= m->nrcpts || strlen(rs->text) > PFA_REASON_MAX)
		abort();
	(void)strlen(m->rcpts[r].address);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pfa_qtally t;
	pfa_qtally_init(&t, 1800000000, 16);
	t.sample = sampler;
	t.samples = 4;
	struct pfa_qjson *p = pfa_qjson_new();
	const char *s = (const char *)data, *end = s + size;
	size_t lines = 0;
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t len = (size_t)((nl ? nl : end) - s);
		/* a NUL-terminated copy, as the exec service hands it */
		char *line = malloc(len + 1);
		if (line == NULL)
			abort();
		memcpy(line, s, len);
		line[len] = '\0';
		pfa_qtally_line(&t, p, line, len, len > 4096);
		free(line);
		lines++;
		s = nl ? nl + 1 : end;
	}
	if (t.lines != lines || t.malformed > t.lines ||
	    t.rdomains.n > 16 || t.reasons.n > 16 || t.senders.n > 16 ||
	    t.noldest > PFA_QOLDEST_KEPT)
		abort();
	struct pfa_qcount all;
	pfa_qtally_total(&t, &all);
	if (all.msgs + t.malformed > t.lines)
		abort();
	const struct pfa_qkey *top[4];
	size_t n = pfa_qtable_top(&t.reasons, 4, top);
	for (size_t i = 0; i < n; i++) {
		char *k = pfa_reason_key(&top[i]->reason);
		for (const char *c = k; *c; c++)
			if ((unsigned char)*c < 0x20)
				abort();
		free(k);
	}
	pfa_qjson_free(p);
	pfa_qtally_free(&t);
	return 0;
}
