/*
 * fuzz_deferlog.c - libFuzzer target for Postfix's defer logs
 * (tasks/queue/deferlog.c): any bytes, parsed in a buffer of exactly
 * their size plus the NUL pfa_file_read adds; every record's fields must
 * be strings inside that buffer, the line numbers rising, the note about
 * odd lines bounded.  Built by `make fuzz`, run by `make fuzz-run`, seed
 * inputs in tests/fuzz/corpus/fuzz_deferlog/.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "queue.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct check {
	const char *buf;
	size_t len, last;
};

static void
inside(const struct check *c, const char *s)
{
	if (s != NULL && (s < c->buf || s + strlen(s) > c->buf + c->len))
		abort();
}

static int
on_rec(void *arg, const struct pfa_defrec *r)
{
	struct check *c = arg;
	if (r->line < c->last || r->line == 0)
		abort();
	c->last = r->line;
	inside(c, r->recipient);
	inside(c, r->orig_recipient);
	inside(c, r->status);
	inside(c, r->action);
	inside(c, r->reason);
	inside(c, r->diag_type);
	inside(c, r->diag_text);
	inside(c, r->mta_type);
	inside(c, r->mta_mname);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1);
	if (buf == NULL)
		abort();
	memcpy(buf, data, size);
	buf[size] = '\0';
	struct check c = { buf, size, 0 };
	char odd[64];
	size_t n = pfa_deferlog_parse(buf, size, on_rec, &c, odd, sizeof(odd));
	if (n > size / 2 + 1 || strlen(odd) >= sizeof(odd))
		abort();
	free(buf);
	return 0;
}
