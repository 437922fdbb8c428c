/*
 * fuzz_mapsrc.c - libFuzzer target for the lookup table source checks
 * (tasks/maps/mapsrc.c, mapsrc_cidr.c, mapsrc_re.c, mapsrc_sni.c): every
 * input is checked as each kind of table, and the result is walked and
 * freed.  Built by `make fuzz`, run by `make fuzz-run` (tests/fuzz/), seed
 * inputs in tests/fuzz/corpus/fuzz_mapsrc/.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mapsrc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum pfa_map_kind kinds[] = {
		PFA_MAP_INDEXED, PFA_MAP_TEXTHASH, PFA_MAP_CIDR,
		PFA_MAP_REGEXP, PFA_MAP_PCRE, PFA_MAP_SNI, PFA_MAP_OTHER,
	};

	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		struct pfa_map_check c;
		int rc = pfa_mapsrc_check((const char *)data, size, kinds[k],
		    &c);
		if ((rc == 0) != (c.errors == 0) ||
		    c.nproblems > c.errors + c.warnings || c.nproblems > 100 ||
		    c.nsamples > PFA_MAPSRC_SAMPLES)
			abort();
		for (size_t i = 0; i < c.nproblems; i++) {
			if (c.problems[i].line < 1 || (i > 0 &&
			    c.problems[i].line < c.problems[i - 1].line))
				abort();
			(void)strlen(c.problems[i].message);
		}
		for (size_t i = 0; i < c.nsamples; i++)
			(void)strlen(c.sample_keys[i]),
			    (void)strlen(c.sample_values[i]);
		/* refs: SNI only, absolute, sorted, each name once */
		if (c.nrefs > 0 && kinds[k] != PFA_MAP_SNI)
			abort();
		for (size_t i = 0; i < c.nrefs; i++)
			if (c.refs[i].path[0] != '/' || c.refs[i].line < 1 ||
			    (i > 0 && strcmp(c.refs[i - 1].path,
			    c.refs[i].path) >= 0))
				abort();
		pfa_mapsrc_free(&c);
	}
	return 0;
}
