/*
 * reason.c - deferral and bounce reasons reduced to their cause
 * (reason.h).  A small scanner over the text: no regular expressions, no
 * allocation beyond the result, linear in the input (a reason comes from
 * a remote server and may be anything).  Pure; never logs.  The shapes it
 * knows come from real Postfix texts (tests/unit/postfix/reasons/, with
 * their sources): "host X[ip] said: ...", "connect to X[ip]:port: ...",
 * "lost connection with X[ip] while ...", "X refused to talk to me: ...",
 * "Name service error for name=X ...", "delivery temporarily suspended:
 * ..." around any of these.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reason.h"
#include "result.h"

#define ELLIPSIS "..."

struct out {
	char *buf;
	size_t len, cap;
};

static void
put(struct out *o, const char *s, size_t n)
{
	if (o->len >= PFA_REASON_MAX)
		return;
	if (n > PFA_REASON_MAX - o->len)
		n = PFA_REASON_MAX - o->len;
	memcpy(o->buf + o->len, s, n);
	o->len += n;
}

static bool
word_char(int c)
{
	return isalnum(c) || c == '.' || c == '-' || c == '_' || c == '+' ||
	    c == '=' || c == '%' || c == '/';
}

/* An SMTP reply code ("450", "550-") or an enhanced status code
 * ("4.7.1", "5.1.1"), which say what the server meant: kept. */
static size_t
status_code(const char *p)
{
	if (isdigit((unsigned char)p[0]) && p[1] == '.' &&
	    isdigit((unsigned char)p[2])) {
		size_t n = 3;
		while (isdigit((unsigned char)p[n]) && n < 5)
			n++;
		if (p[n] == '.' && isdigit((unsigned char)p[n + 1])) {
			n++;
			size_t m = 0;
			while (isdigit((unsigned char)p[n]) && m < 3) {
				n++;
				m++;
			}
			if (!isdigit((unsigned char)p[n]) &&
			    !isalpha((unsigned char)p[n]))
				return n;
		}
		return 0;
	}
	if (strchr("2345", p[0]) != NULL && isdigit((unsigned char)p[1]) &&
	    isdigit((unsigned char)p[2]) && (p[3] == ' ' || p[3] == '-'))
		return 3;
	return 0;
}

static size_t dsn_at(const char *p);

static bool
ends_with(const struct out *o, const char *s)
{
	size_t n = strlen(s);
	return o->len >= n && memcmp(o->buf + o->len - n, s, n) == 0;
}

/* The next word names the remote server: kept as it is. */
static bool
after_server_mark(const struct out *o)
{
	return ends_with(o, "host ") || ends_with(o, "connect to ") ||
	    ends_with(o, "connection with ") ||
	    ends_with(o, "conversation with ") || ends_with(o, "error to ");
}

/* A reply code comes first in what the server said ("said: 550",
 * "refused to talk to me: 554", a continuation "550-5.7.1"). */
static bool
after_said(const struct out *o)
{
	return o->len == 0 || ends_with(o, ": ") || ends_with(o, "-");
}

/*
 * One part of a word (between dots): digits only become N; a long part
 * mixing digits and letters (a queue id, a hash, a counter) becomes ...;
 * in a short one each run of digits becomes N ("mx40" -> "mxN").
 */
static void
put_label(struct out *o, const char *p, size_t len)
{
	size_t digits = 0;
	for (size_t i = 0; i < len; i++)
		digits += isdigit((unsigned char)p[i]) != 0;
	if (digits == 0) {
		put(o, p, len);
	} else if (digits == len) {
		put(o, "N", 1);
	} else if (len >= 8) {
		put(o, ELLIPSIS, 3);
	} else {
		for (size_t i = 0; i < len; i++) {
			if (!isdigit((unsigned char)p[i])) {
				put(o, p + i, 1);
				continue;
			}
			put(o, "N", 1);
			while (i + 1 < len && isdigit((unsigned char)p[i + 1]))
				i++;
		}
	}
}

/* A word: an IPv4 address becomes ...; a host name keeps its words;
 * each part between dots as put_label says. */
static void
put_word(struct out *o, const char *p, size_t len)
{
	if (len >= 7 && strspn(p, "0123456789.") >= len &&
	    memchr(p, '.', len) != NULL) {
		put(o, ELLIPSIS, 3);
		return;
	}
	size_t i = 0;
	while (i < len) {
		size_t n = 0;
		while (i + n < len && p[i + n] != '.')
			n++;
		put_label(o, p + i, n);
		i += n;
		if (i < len) {
			put(o, ".", 1);
			i++;
		}
	}
}

char *
pfa_reason_normalize(const char *text)
{
	struct out o = { pfa_xmalloc(PFA_REASON_MAX + 1), 0, PFA_REASON_MAX };
	const char *p = text ? text : "";
	bool space = false;
	while (*p != '\0' && o.len < PFA_REASON_MAX) {
		unsigned char c = (unsigned char)*p;
		if (isspace(c) || c < 0x20 || c == 0x7f) {
			space = o.len > 0;
			p++;
			continue;
		}
		if (space) {
			put(&o, " ", 1);
			space = false;
		}
		size_t n;
		if (c == '"') {
			/* a quoted name ("unknown user: \"jdoe\""): which
			 * one differs between messages of one cause */
			const char *e = strchr(p + 1, '"');
			if (e != NULL && e - p <= 64) {
				put(&o, "\"" ELLIPSIS "\"", 5);
				p = e + 1;
				continue;
			}
		}
		if (c == '<') {
			/* <address>: the whole of it */
			const char *e = strchr(p, '>');
			if (e != NULL && memchr(p, '@', (size_t)(e - p)) != NULL) {
				put(&o, "<" ELLIPSIS ">", 5);
				p = e + 1;
				continue;
			}
		}
		if (c == '[') {
			/* [192.0.2.1], [2001:db8::1], [IPv6:...] */
			const char *e = strchr(p, ']');
			if (e != NULL && e - p <= 48 &&
			    strspn(p + 1, "0123456789abcdefABCDEFIPv6:.") ==
			    (size_t)(e - p - 1) && e - p > 1) {
				put(&o, "[" ELLIPSIS "]", 5);
				p = e + 1;
				continue;
			}
		}
		if ((n = status_code(p)) == 3 && p[3] == '-' && p[4] == p[0] &&
		    dsn_at(p + 4) > 0) {
			/* a continuation line of a multi-line reply, joined
			 * into the text: "550-5.7.1" */
			put(&o, p, 4);
			p += 4;
			continue;
		}
		if (n > 0 && (n != 3 || after_said(&o))) {
			put(&o, p, n);
			p += n;
			continue;
		}
		if (word_char(c) || c == '@') {
			/* a word: an address, a token with digits, or text */
			size_t len = 0;
			bool at = false;
			while (p[len] != '\0' && (word_char((unsigned char)p[len]) ||
			    p[len] == '@')) {
				if (p[len] == '@')
					at = true;
				len++;
			}
			if (at && len > 2)
				put(&o, ELLIPSIS "@" ELLIPSIS, 7);
			else if (after_server_mark(&o))
				put(&o, p, len);	/* the server's name */
			else
				put_word(&o, p, len);
			p += len;
			continue;
		}
		put(&o, p, 1);
		p++;
	}
	o.buf[o.len] = '\0';
	return o.buf;
}

/* The remote host TEXT names: "host X[", "connect to X[", "X said". */
static char *
server_of(const char *text)
{
	static const char *const marks[] = { "host ", "connect to ",
		"lost connection with ", "conversation with ", "error to ",
		"name=", "mail for ", NULL };
	for (size_t i = 0; marks[i]; i++) {
		const char *p = strstr(text, marks[i]);
		if (p == NULL)
			continue;
		p += strlen(marks[i]);
		size_t n = strspn(p, "abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_");
		if (n == 0 || n > 253 || (p[n] != '[' && p[n] != ' ' &&
		    p[n] != ':'))
			continue;
		char *s = pfa_xmalloc(n + 1);
		for (size_t k = 0; k < n; k++)
			s[k] = (char)tolower((unsigned char)p[k]);
		s[n] = '\0';
		return s;
	}
	return NULL;
}

/* "4.7.1" at P (a class 2, 4 or 5, then one to three and one to three
 * digits), its length, or 0. */
static size_t
dsn_at(const char *p)
{
	if (strchr("245", p[0]) == NULL || p[0] == '\0' || p[1] != '.')
		return 0;
	size_t n = 2, d = 0;
	while (isdigit((unsigned char)p[n]) && d < 3)
		n++, d++;
	if (d == 0 || p[n] != '.')
		return 0;
	n++;
	d = 0;
	while (isdigit((unsigned char)p[n]) && d < 3)
		n++, d++;
	return d > 0 && !isalnum((unsigned char)p[n]) && p[n] != '.' ? n : 0;
}

/* The enhanced status code a remote server gave in TEXT ("said: 450
 * 4.7.1 ...", "to me: 421 4.3.2 ..."), into DSN (size 16); "" if none. */
static void
dsn_of(const char *text, char *dsn)
{
	*dsn = '\0';
	for (const char *p = text; (p = strstr(p, ": ")) != NULL; p++) {
		const char *q = p + 2;
		if (strchr("2345", q[0]) == NULL || q[0] == '\0' ||
		    !isdigit((unsigned char)q[1]) ||
		    !isdigit((unsigned char)q[2]) || (q[3] != ' ' && q[3] != '-'))
			continue;
		size_t n = dsn_at(q + 4);
		if (n > 0 && n < 16 && q[4] == q[0]) {
			memcpy(dsn, q + 4, n);
			dsn[n] = '\0';
		}
		return;		/* only the first reply counts */
	}
}

/* Postfix's wrapper for a destination it stopped trying ("delivery
 * temporarily suspended: connect to ...: Connection refused") repeats the
 * cause that suspended it: the cause is what counts. */
static const char *
unwrap(const char *text)
{
	static const char wrap[] = "delivery temporarily suspended: ";
	while (strncmp(text, wrap, sizeof(wrap) - 1) == 0)
		text += sizeof(wrap) - 1;
	return text;
}

void
pfa_reason_make(struct pfa_reason *r, const char *dsn, const char *text)
{
	memset(r, 0, sizeof(*r));
	const char *t = unwrap(text ? text : "");
	if (dsn != NULL && *dsn != '\0' && strlen(dsn) < sizeof(r->dsn) &&
	    strspn(dsn, "0123456789.") == strlen(dsn))
		strcpy(r->dsn, dsn);
	else if (dsn == NULL || *dsn == '\0')
		dsn_of(t, r->dsn);
	r->server = server_of(t);
	r->text = pfa_reason_normalize(t);
}

void
pfa_reason_free(struct pfa_reason *r)
{
	free(r->server);
	free(r->text);
	memset(r, 0, sizeof(*r));
}

char *
pfa_reason_key(const struct pfa_reason *r)
{
	return pfa_xasprintf("%s%s%s%s%s", r->dsn, *r->dsn ? " " : "",
	    r->server ? r->server : "", r->server ? ": " : "",
	    r->text ? r->text : "");
}
