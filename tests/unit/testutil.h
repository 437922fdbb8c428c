/*
 * testutil.h - small helpers shared by the unit tests (not part of
 * libpfagent).
 */
#ifndef PFA_TESTUTIL_H
#define PFA_TESTUTIL_H

/* Removes PATH and everything below it; never follows symlinks. */
void pfa_test_rm_rf(const char *path);

#endif
