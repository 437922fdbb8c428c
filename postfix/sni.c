/*
 * sni.c - the sources of tls_server_sni_maps tables (sni.h): the file
 * names of a value, split as postmap -F splits them.
 *
 * Must not: do I/O, log, exit or allocate for the caller.  Nothing here
 * fails: what a name means (absolute, existing) is the caller's question.
 */
#include <string.h>

#include "sni.h"

size_t
pfa_sni_names(const char *v, size_t vlen,
    void (*fn)(void *arg, const char *name, size_t len), void *arg)
{
	static const char seps[] = ", \t\r\n";
	size_t n = 0;

	for (size_t i = 0; i < vlen;) {
		size_t k = i;
		while (k < vlen && strchr(seps, v[k]) == NULL)
			k++;
		if (k == i) {
			i++;
			continue;
		}
		n++;
		fn(arg, v + i, k - i);
		i = k;
	}
	return n;
}
