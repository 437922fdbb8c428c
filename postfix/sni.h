/*
 * sni.h - the sources of tls_server_sni_maps tables: what postmap -F
 * reads.  A value of such a table is a list of file names (the private
 * keys and certificate chains Postfix serves for the key's name),
 * split as postmap -F splits it.  Used by rebuild-maps (which files a
 * table's database holds) and check-tls (which certificates each name
 * gets).  Pure functions: no file, no command, no log.
 */
#ifndef PFA_SNI_H
#define PFA_SNI_H

#include <stddef.h>

/*
 * Calls FN for every file name in V (VLEN bytes, no NUL needed) split at
 * white space and commas as postmap -F splits a value; NAME is not
 * NUL-terminated (LEN bytes).  Returns the number of names.
 */
size_t pfa_sni_names(const char *v, size_t vlen,
    void (*fn)(void *arg, const char *name, size_t len), void *arg);

#endif
