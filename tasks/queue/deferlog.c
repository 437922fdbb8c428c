/*
 * deferlog.c - Postfix's per-message defer logs: where they are and what
 * their records say.
 *
 * queue_directory/defer/H/ID (H: hash_queue_depth levels of the queue
 * id's first characters when "defer" is in hash_queue_names; for a long
 * queue id the characters of its microseconds, as Postfix's
 * mail_queue_dir() does) holds one record per deferred recipient:
 * "name=value" lines (recipient, original_recipient, status, action,
 * reason, diag_type, diag_text, mta_type, mta_mname, ...), records
 * separated by blank lines; older Postfix wrote "<address>: text".  The
 * parser is Postfix's bounce_log_read() in spirit: it takes what it
 * knows, skips and describes the first odd line, never fails.  The file
 * itself is read by the caller through pfa_file_read (size cap); its
 * bytes are data.  No I/O here, no log.
 */
#include <stdio.h>
#include <string.h>

#include "queue.h"

/* Long queue ids (enable_long_queue_ids): seconds, four characters of
 * microseconds, 'z', inode number, in this alphabet (safe_ultostr). */
static const char safe_chars[] =
    "0123456789BCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz";
#define LONG_TIME_PAD 10
#define LONG_USEC_PAD 4

/* The part of ID the directory forest is made of: ID itself, or for a
 * long id its microseconds as a short id writes them ("%05X"). */
static void
hash_source(const char *id, char *buf, size_t size)
{
	const char *z = strrchr(id, 'z');
	if (z != NULL && z - id >= LONG_TIME_PAD) {
		unsigned long usec = 0;
		bool ok = true;
		for (const char *p = z - LONG_USEC_PAD; p < z; p++) {
			const char *c = strchr(safe_chars, *p);
			if (c == NULL || *p == '\0') {
				ok = false;
				break;
			}
			usec = usec * 52 + (unsigned long)(c - safe_chars);
		}
		snprintf(buf, size, "%05lX", ok ? usec : 0UL);
		return;
	}
	snprintf(buf, size, "%s", id);
}

int
pfa_deferlog_path(const struct pfa_qdirs *d, const char *id, char *buf,
    size_t size)
{
	if (!pfa_qid_ok(id) || d->queue_directory == NULL)
		return -1;
	char forest[64] = "";
	if (d->defer_hashed && d->hash_depth > 0) {
		char src[300];
		hash_source(id, src, sizeof(src));
		size_t n = 0;
		const char *p = src;
		for (int i = 0; i < d->hash_depth && n + 2 < sizeof(forest);
		    i++) {
			forest[n++] = *p ? *p++ : '_';
			forest[n++] = '/';
		}
		forest[n] = '\0';
	}
	int n = snprintf(buf, size, "%s/defer/%s%s", d->queue_directory,
	    forest, id);
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

/* The record being read: pointers into the buffer. */
static void
clear(struct pfa_defrec *r)
{
	memset(r, 0, sizeof(*r));
}

static int
flush(struct pfa_defrec *r, bool *open, pfa_defrec_fn fn, void *arg,
    size_t *count)
{
	if (!*open)
		return 0;
	*open = false;
	(*count)++;
	int stop = fn(arg, r);
	clear(r);
	return stop;
}

static void
note_odd(char *odd, size_t oddsize, size_t line, const char *what)
{
	if (odd != NULL && oddsize > 0 && *odd == '\0')
		snprintf(odd, oddsize, "line %zu: %s", line, what);
}

/* NAME=VALUE into R; false if NAME is not one Postfix writes. */
static bool
set_field(struct pfa_defrec *r, const char *name, const char *value)
{
	static const char *const ignored[] = { "offset", "dsn_orig_rcpt",
		"notify_flags", NULL };
	struct { const char *name; const char **field; } known[] = {
		{ "recipient", &r->recipient },
		{ "original_recipient", &r->orig_recipient },
		{ "status", &r->status },
		{ "action", &r->action },
		{ "reason", &r->reason },
		{ "diag_type", &r->diag_type },
		{ "diag_text", &r->diag_text },
		{ "mta_type", &r->mta_type },
		{ "mta_mname", &r->mta_mname },
	};
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strcmp(name, known[i].name) == 0) {
			*known[i].field = value;
			return true;
		}
	for (size_t i = 0; ignored[i]; i++)
		if (strcmp(name, ignored[i]) == 0)
			return true;
	return false;
}

size_t
pfa_deferlog_parse(char *buf, size_t len, pfa_defrec_fn fn, void *arg,
    char *odd, size_t oddsize)
{
	struct pfa_defrec r;
	bool open = false;
	size_t count = 0, lineno = 0;
	if (odd != NULL && oddsize > 0)
		*odd = '\0';
	clear(&r);
	char *p = buf, *end = buf + len;
	while (p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		char *e = nl ? nl : end;
		size_t n = (size_t)(e - p);
		lineno++;
		*e = '\0';	/* BUF[LEN] is the caller's NUL */
		char *line = p;
		p = nl ? nl + 1 : end;
		if (memchr(line, '\0', n) != NULL) {
			note_odd(odd, oddsize, lineno, "a NUL byte");
			continue;
		}
		if (n > 0 && line[n - 1] == '\r')
			line[--n] = '\0';
		if (*line == '\0') {
			if (flush(&r, &open, fn, arg, &count) != 0)
				return count;
			continue;
		}
		if (!open) {
			open = true;
			r.line = lineno;
		}
		if (*line == '<') {
			/* the old form: "<address>: text" */
			char *gt = strstr(line, ">: ");
			if (gt == NULL) {
				note_odd(odd, oddsize, lineno, "an odd record");
				continue;
			}
			*gt = '\0';
			if (r.recipient == NULL)
				r.recipient = line + 1;
			if (r.reason == NULL)
				r.reason = gt + 3;
			continue;
		}
		char *eq = strchr(line, '=');
		if (eq == NULL || eq == line) {
			note_odd(odd, oddsize, lineno, "no name=value");
			continue;
		}
		*eq = '\0';
		char *name = line, *value = eq + 1;
		/* Postfix trims blanks around both (split_nameval) */
		for (char *t = eq - 1; t > name && (*t == ' ' || *t == '\t');
		    t--)
			*t = '\0';
		while (*value == ' ' || *value == '\t')
			value++;
		if (!set_field(&r, name, value))
			note_odd(odd, oddsize, lineno, "an unknown name");
	}
	flush(&r, &open, fn, arg, &count);
	return count;
}
