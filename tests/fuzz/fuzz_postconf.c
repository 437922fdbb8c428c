/*
 * fuzz_postconf.c - libFuzzer target for the check of what postconf
 * prints (postfix/postconf_out.c): every input is parsed in each form;
 * what is accepted must be names of that form with values on one line,
 * each name once.  Built by `make fuzz`, run by `make fuzz-run`, seed
 * inputs in tests/fuzz/corpus/fuzz_postconf/.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "postconf_out.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum pfa_postconf_form forms[] = {
		PFA_POSTCONF_SOME, PFA_POSTCONF_ALL, PFA_POSTCONF_SERVICES,
	};
	for (size_t f = 0; f < sizeof(forms) / sizeof(forms[0]); f++) {
		struct pfa_postconf_kv *v;
		size_t n;
		char why[160];
		if (pfa_postconf_parse((const char *)data, size, forms[f], &v,
		    &n, why, sizeof(why)) < 0) {
			if (v != NULL || n != 0 || strlen(why) == 0)
				abort();
			continue;
		}
		if (forms[f] == PFA_POSTCONF_ALL && n < PFA_POSTCONF_MIN_ALL)
			abort();
		for (size_t i = 0; i < n; i++) {
			if (v[i].name[0] == '\0' || strchr(v[i].name, ' ') ||
			    strchr(v[i].name, '\n') || strchr(v[i].value, '\n'))
				abort();
			for (size_t k = 0; k < i; k++)
				if (strcmp(v[k].name, v[i].name) == 0)
					abort();
		}
		pfa_postconf_kv_free(v, n);
	}
	return 0;
}
