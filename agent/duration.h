/*
 * duration.h - the one parser of durations in pfagent's configuration.
 *
 * "90" (seconds), "30s", "30m", "12h", "7d", "2w", and sums such as
 * "1d12h".  Rejects empty strings, unknown units, negative values and
 * overflow.
 */
#ifndef PFA_DURATION_H
#define PFA_DURATION_H

#include <stdint.h>

/* 0 and *secs set, or -1 (nothing logged: the caller names file:line). */
int pfa_duration_parse(const char *s, int64_t *secs);
/* Formats SECS compactly ("7d", "1d12h", "45s") into BUF. */
const char *pfa_duration_format(int64_t secs, char *buf, unsigned size);

#endif
