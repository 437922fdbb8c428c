/*
 * fuzz_maillog.c - libFuzzer target for mail-log lines: every line of
 * the input is parsed (postfix/maillog.c: both timestamp styles, program,
 * pid, severity, queue id) and counted by log-report's ledger
 * (tasks/logreport/ledger*.c), half of them in a second ledger merged
 * into the first as a split file is; then the report is rendered as text
 * and JSON and everything is freed.  Built by `make fuzz`, run by
 * `make fuzz-run` (tests/fuzz/), seeds in tests/fuzz/corpus/fuzz_maillog/.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "logreport.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct lr_conf conf = { .journal = 0, .top = 5,
		.max_keys = 200, .sasl_warn = 2, .provider_warn = 1 };
	struct lr_run r;
	memset(&r, 0, sizeof(r));
	r.c = &conf;
	r.top = conf.top;
	r.masked = size > 0 && data[0] == 'M';
	pfa_lognames_add(&r.names, "postfix");
	pfa_ledger_init(&r.lg, &r.names, (size_t)conf.max_keys);
	struct pfa_ledger second;
	pfa_ledger_init(&second, &r.names, (size_t)conf.max_keys);
	second.split = true;
	char *buf = malloc(size + 1);
	memcpy(buf, data, size);
	buf[size] = '\0';
	struct pfa_logclock clk = { .ref = 1772532000 };
	struct pfa_logclock clk2 = { .ref = 1772532000 };
	size_t half = size / 2;
	for (size_t i = 0; i < size;) {
		char *nl = memchr(buf + i, '\n', size - i);
		size_t len = nl ? (size_t)(nl - (buf + i)) : size - i;
		buf[i + len] = '\0';
		struct pfa_logline l;
		bool second_half = i >= half;
		bool ok = pfa_logline_parse(buf + i, len,
		    second_half ? &clk2 : &clk, &l) == 0;
		if (ok && (l.hostlen > len || l.proglen > len ||
		    l.textlen > len || l.msglen > l.textlen || l.hour < 0 ||
		    l.hour > 23))
			abort();
		pfa_ledger_line(second_half ? &second : &r.lg, ok ? &l : NULL,
		    ok, buf + i, len);
		i += len + 1;
	}
	pfa_ledger_merge(&r.lg, &second, &clk);
	pfa_ledger_free(&second);
	struct pfa_result res;
	pfa_result_init(&res);
	pfa_lr_render(&r, &res);
	if (res.text == NULL || res.details == NULL)
		abort();
	pfa_result_free(&res);
	pfa_ledger_free(&r.lg);
	pfa_lognames_free(&r.names);
	free(buf);
	return 0;
}
