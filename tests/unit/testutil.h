/*
 * testutil.h - small helpers shared by the unit tests (not part of any
 * pfagent library).  They fail the running cmocka test on any error.
 */
#ifndef PFA_TESTUTIL_H
#define PFA_TESTUTIL_H

#include <stddef.h>
#include <sys/types.h>

/* Removes PATH and everything below it; never follows symlinks. */
void pfa_test_rm_rf(const char *path);

/* Creates /tmp/pfa-NAME.XXXXXX; returns its path (free it). */
char *pfa_test_mkdtemp(const char *name);

/* Writes PATH with LEN bytes of DATA and MODE (replacing it). */
void pfa_test_write(const char *path, const void *data, size_t len,
    mode_t mode);

/* Writes PATH with TEXT (a string) and MODE. */
void pfa_test_write_text(const char *path, const char *text, mode_t mode);

/* Writes DIR/NAME with TEXT, mode 0644; returns the path (free it). */
char *pfa_test_write_in(const char *dir, const char *name, const char *text);

/* "DIR/NAME" (free it). */
char *pfa_test_path(const char *dir, const char *name);

#endif
