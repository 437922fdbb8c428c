/*
 * fuzz_dh.c - libFuzzer target for the DH parameter check
 * (postfix/pem.c pfa_dh_check_pem, which rotate-dh runs on the files it
 * replaces and check-tls on what Postfix reads): each input is the text
 * of a parameter file.  Valid parameters give their size in bits, invalid
 * ones a reason; never a crash, never an OpenSSL error left queued.
 * Built by `make fuzz`, run by `make fuzz-run` (tests/fuzz/), seed inputs
 * in tests/fuzz/corpus/fuzz_dh/.
 */
#include <openssl/err.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256];
	int bits = -1;
	memset(err, 'x', sizeof(err));
	int rc = pfa_dh_check_pem((const char *)data, size, &bits, err,
	    sizeof(err));
	if (rc == 0 && bits <= 0)
		abort();
	if (rc != 0 && (rc != -1 || memchr(err, '\0', sizeof(err)) == NULL ||
	    err[0] == '\0'))
		abort();
	if (ERR_peek_error() != 0)
		abort();
	return 0;
}
