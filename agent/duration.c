/*
 * duration.c - parses and formats durations ("7d", "12h", "30m", "1d12h").
 *
 * Pure functions, no I/O; the caller reports errors with file:line.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>

#include "duration.h"

static int64_t
unit_secs(char c)
{
	switch (c) {
	case 's':
		return 1;
	case 'm':
		return 60;
	case 'h':
		return 3600;
	case 'd':
		return 86400;
	case 'w':
		return 7 * 86400;
	default:
		return 0;
	}
}

int
pfa_duration_parse(const char *s, int64_t *secs)
{
	if (s == NULL || *s == '\0')
		return -1;
	int64_t total = 0;
	int components = 0;
	const char *p = s;
	while (*p) {
		if (!isdigit((unsigned char)*p))
			return -1;
		int64_t n = 0;
		while (isdigit((unsigned char)*p)) {
			if (n > (INT64_MAX - 9) / 10)
				return -1;
			n = n * 10 + (*p - '0');
			p++;
		}
		int64_t mul = 1;
		if (*p != '\0') {
			mul = unit_secs(*p);
			if (mul == 0)
				return -1;
			p++;
		} else if (p - s != 0 && components > 0) {
			/* a bare number is only allowed alone ("90") */
			return -1;
		}
		components++;
		if (n > INT64_MAX / mul || total > INT64_MAX - n * mul)
			return -1;
		total += n * mul;
	}
	*secs = total;
	return 0;
}

int64_t
pfa_due_slack(int64_t every)
{
	int64_t s = every / 10;
	return s > 6 * 3600 ? 6 * 3600 : s;
}

const char *
pfa_duration_format(int64_t secs, char *buf, unsigned size)
{
	static const struct {
		char unit;
		int64_t secs;
	} units[] = { { 'w', 604800 }, { 'd', 86400 }, { 'h', 3600 },
		      { 'm', 60 }, { 's', 1 } };
	if (size == 0)
		return buf;
	buf[0] = '\0';
	if (secs <= 0) {
		snprintf(buf, size, "%llds", (long long)(secs < 0 ? 0 : secs));
		return buf;
	}
	unsigned o = 0;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		/* weeks only when exact, so "14d" stays readable as "2w" */
		if (units[i].unit == 'w' && secs % 604800 != 0)
			continue;
		int64_t n = secs / units[i].secs;
		if (n == 0)
			continue;
		int w = snprintf(buf + o, size - o, "%lld%c", (long long)n,
		    units[i].unit);
		if (w < 0 || (unsigned)w >= size - o)
			break;
		o += (unsigned)w;
		secs -= n * units[i].secs;
	}
	return buf;
}
