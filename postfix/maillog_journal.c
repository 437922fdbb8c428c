/*
 * maillog_journal.c - the journal as a mail log (maillog.h), through
 * libsystemd's sd-journal: the entries of Postfix's syslog facility
 * (not one unit: postdrop, postsuper and sendmail log from other units
 * than postfix@-.service), from a cursor, and journald's own notes that
 * it dropped messages.
 *
 * Each field is copied into a bounded buffer before the next is read
 * (sd_journal_get_data's data lives only until then); a field longer
 * than PFA_MAILLOG_LINE_MAX is cut there.  Never logs: -1 with errno.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-journal.h>
#include <time.h>

#include "maillog.h"
#include "result.h"

/* SD_MESSAGE_JOURNAL_DROPPED: "Suppressed N messages from UNIT" */
#define DROPPED_ID "a596d6fe7bfa4994828e72309e95d61e"

static sd_journal *
open_journal(const char *dir)
{
	sd_journal *j = NULL;
	int r = dir != NULL ? sd_journal_open_directory(&j, dir, 0) :
	    sd_journal_open(&j, SD_JOURNAL_LOCAL_ONLY);
	if (r < 0) {
		errno = -r;
		return NULL;
	}
	sd_journal_set_data_threshold(j, PFA_MAILLOG_LINE_MAX);
	return j;
}

/* FIELD's value of the current entry into BUF (NUL-terminated); its
 * length, or -1 if the entry has no such field. */
static ssize_t
field(sd_journal *j, const char *name, char *buf, size_t size)
{
	const void *d;
	size_t l;
	if (sd_journal_get_data(j, name, &d, &l) < 0)
		return -1;
	size_t nl = strlen(name);
	if (l <= nl || ((const char *)d)[nl] != '=')
		return -1;
	l -= nl + 1;
	if (l >= size)
		l = size - 1;
	memcpy(buf, (const char *)d + nl + 1, l);
	buf[l] = '\0';
	return (ssize_t)l;
}

static uint64_t
number_after(const char *s, const char *word)
{
	const char *p = strstr(s, word);
	if (p == NULL)
		return 0;
	p += strlen(word);
	return strtoull(p, NULL, 10);
}

/* journald's note that it dropped messages: counted in INFO. */
static bool
dropped_note(sd_journal *j, const char *msg, struct pfa_journal_info *info)
{
	char id[64];
	bool by_id = field(j, "MESSAGE_ID", id, sizeof(id)) > 0 &&
	    strcmp(id, DROPPED_ID) == 0;
	uint64_t n = 0;
	if (strncmp(msg, "Suppressed ", 11) == 0)
		n = number_after(msg, "Suppressed ");
	else if (strncmp(msg, "Forwarding to syslog missed ", 28) == 0)
		n = number_after(msg, "missed ");
	else if (!by_id)
		return false;
	info->suppressed += n;
	info->suppress_events++;
	return true;
}

int
pfa_maillog_read_journal(const char *dir, const char *cursor,
    int64_t from_usec, int64_t until_usec, int facility, pfa_logline_fn fn,
    void *arg, struct pfa_journal_info *info)
{
	memset(info, 0, sizeof(*info));
	sd_journal *j = open_journal(dir);
	if (j == NULL)
		return -1;
	if (facility >= 0) {
		char m[64];
		snprintf(m, sizeof(m), "SYSLOG_FACILITY=%d", facility);
		sd_journal_add_match(j, m, 0);
		sd_journal_add_disjunction(j);
		sd_journal_add_match(j, "MESSAGE_ID=" DROPPED_ID, 0);
		sd_journal_add_disjunction(j);
		sd_journal_add_match(j, "SYSLOG_IDENTIFIER=systemd-journald", 0);
	}
	int r;
	bool pending = false;	/* the current entry is unread */
	if (cursor != NULL && *cursor) {
		r = sd_journal_seek_cursor(j, cursor);
		if (r >= 0) {
			r = sd_journal_next(j);
			if (r <= 0 || sd_journal_test_cursor(j, cursor) <= 0) {
				/* vacuumed: the next closest entry is unread */
				info->cursor_lost = true;
				pending = r > 0;
			}
		} else {
			info->cursor_lost = true;
			sd_journal_seek_head(j);
		}
	} else if (from_usec > 0) {
		sd_journal_seek_realtime_usec(j, (uint64_t)from_usec);
	} else {
		sd_journal_seek_head(j);
	}
	char *msg = pfa_xmalloc(PFA_MAILLOG_LINE_MAX + 1);
	char ident[256], host[256], pid[32];
	int64_t hour_start = -1;
	int hour = 0, mon = 0;
	int rc = 0;
	r = 0;
	for (;;) {
		if (pending) {
			pending = false;
		} else if ((r = sd_journal_next(j)) <= 0) {
			break;
		}
		uint64_t usec = 0;
		sd_journal_get_realtime_usec(j, &usec);
		if (until_usec > 0 && (int64_t)usec > until_usec)
			break;
		free(info->cursor);
		info->cursor = NULL;
		char *c = NULL;
		if (sd_journal_get_cursor(j, &c) >= 0) {
			info->cursor = pfa_xstrdup(c);
			free(c);
		}
		info->entries++;
		ssize_t ml = field(j, "MESSAGE", msg, PFA_MAILLOG_LINE_MAX + 1);
		if (ml < 0)
			continue;
		ssize_t il = field(j, "SYSLOG_IDENTIFIER", ident, sizeof(ident));
		if (il > 0 && strcmp(ident, "systemd-journald") == 0 &&
		    dropped_note(j, msg, info))
			continue;
		if (il <= 0)
			continue;	/* not a syslog entry */
		struct pfa_logline l;
		memset(&l, 0, sizeof(l));
		int64_t t = (int64_t)(usec / 1000000);
		if (hour_start < 0 || t < hour_start || t >= hour_start + 3600) {
			time_t tt = (time_t)t;
			struct tm tm;
			localtime_r(&tt, &tm);
			hour = tm.tm_hour;
			mon = tm.tm_mon + 1;
			hour_start = t - tm.tm_min * 60 - tm.tm_sec;
		}
		l.when = t;
		l.hour = hour;
		l.mon = mon;
		ssize_t hl = field(j, "_HOSTNAME", host, sizeof(host));
		l.host = hl > 0 ? host : "";
		l.hostlen = hl > 0 ? (size_t)hl : 0;
		pfa_logline_prog(&l, ident, (size_t)il);
		l.pid = -1;
		if (field(j, "SYSLOG_PID", pid, sizeof(pid)) > 0 ||
		    field(j, "_PID", pid, sizeof(pid)) > 0)
			l.pid = strtol(pid, NULL, 10);
		pfa_logline_text(&l, msg, (size_t)ml);
		if (fn(arg, &l, true, msg, (size_t)ml) != 0)
			break;
	}
	if (r < 0) {
		errno = -r;
		rc = -1;
	}
	free(msg);
	sd_journal_close(j);
	return rc;
}

char *
pfa_maillog_journal_tail(const char *dir)
{
	sd_journal *j = open_journal(dir);
	if (j == NULL)
		return NULL;
	char *out = NULL, *c = NULL;
	int e = ENOENT;		/* no entry at all: nothing to read */
	if (sd_journal_seek_tail(j) >= 0 && sd_journal_previous(j) > 0 &&
	    sd_journal_get_cursor(j, &c) >= 0) {
		out = pfa_xstrdup(c);
		free(c);
		e = 0;
	}
	sd_journal_close(j);
	errno = e;
	return out;
}
