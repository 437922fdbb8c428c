/*
 * reason.h - why Postfix could not deliver, reduced to its cause: the
 * one grouping of deferral and bounce reasons that check-queue (from the
 * queue and its defer logs) and log-report (from the mail log) share.
 *
 * A reason is the DSN status ("4.4.1"), the remote server the text names
 * ("mx.example.com") and the text with everything that differs between
 * messages of one cause normalised: mail addresses, bracketed IP
 * addresses, queue ids and other long tokens with digits, and numbers
 * (but the SMTP reply code and the enhanced status code the remote server
 * gave are kept), and quoted names.  "connect to mx.example.com[192.0.2.1]:25: Connection
 * refused" for a thousand messages is one cause, per destination.  Pure
 * functions: no I/O, no log.  Text from outside is only ever data here.
 */
#ifndef PFA_REASON_H
#define PFA_REASON_H

#include <stddef.h>

#define PFA_REASON_MAX 300	/* longest normalised text kept */

struct pfa_reason {
	char dsn[16];		/* "4.4.1"; "" when there is none */
	char *server;		/* the remote host named, lower-cased; NULL */
	char *text;		/* normalised, at most PFA_REASON_MAX bytes */
};

/*
 * Fills R from DSN (may be NULL) and TEXT (the reason as Postfix gives
 * it, e.g. postqueue's delay_reason or a log line's "(...)").  Postfix's
 * "delivery temporarily suspended: " in front of the cause that suspended
 * a destination is dropped, so both group as one cause.  Without a DSN
 * (NULL or ""), the enhanced status code of the remote server's reply is
 * taken from TEXT ("said: 450 4.7.1 ..."), if it has one; a DSN that is
 * not digits and dots is dropped.  Free with pfa_reason_free.
 */
void pfa_reason_make(struct pfa_reason *r, const char *dsn, const char *text);
void pfa_reason_free(struct pfa_reason *r);

/* One string for grouping: "DSN SERVER: TEXT" (parts left out when
 * empty).  Caller frees. */
char *pfa_reason_key(const struct pfa_reason *r);

/* TEXT normalised as above.  Caller frees. */
char *pfa_reason_normalize(const char *text);

#endif
