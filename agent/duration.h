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

/*
 * Tolerance when deciding whether something is due: a tenth of EVERY, at
 * most 6 hours, so that a weekly cron job starting a little earlier than
 * last week (or a timer with a random delay) does not skip a week.
 */
int64_t pfa_due_slack(int64_t every);

#endif
