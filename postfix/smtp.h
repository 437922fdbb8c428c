/*
 * smtp.h - talking SMTP to a Postfix listener on loopback: the banner
 * probe of the reload gate's health check (and, growing, the STARTTLS
 * and TLS-first probes of check-tls).
 *
 * Connects only to the numeric address it is given (the callers pass
 * loopback addresses from listener.h), never resolves a name, and never
 * waits longer than the timeout it is given.  Sends nothing but QUIT.
 * Errors come back as text in the caller's buffer; nothing is logged.
 */
#ifndef PFA_SMTP_H
#define PFA_SMTP_H

#include <stddef.h>

/*
 * Connects to HOST:PORT (numeric host; PORT a number or a service name)
 * and reads the first reply line into LINE.  0 if it starts with "220",
 * -1 otherwise (LINE says why).
 */
int pfa_smtp_banner(const char *host, const char *port, int timeout_ms,
    char *line, size_t size);

#endif
