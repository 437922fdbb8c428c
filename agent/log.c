/*
 * log.c - syslog(3) and the stderr mirror; nothing else in pfagent calls
 * openlog() or syslog().
 *
 * Events are key=value lines.  On stderr (when interactive or -v) the
 * leading "task=X event=Y" becomes "X: Y:" so a person reads it easily.
 * Every function saves and restores errno.  Lines from outside are passed
 * as "%s" arguments, never as formats.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"

static struct pfa_log_opts opts = { LOG_MAIL, false, false, false };
static bool opened;

void
pfa_log_open(const struct pfa_log_opts *o)
{
	int saved = errno;
	if (o != NULL)
		opts = *o;
	if (opened)
		closelog();
	openlog("pfagent", LOG_PID | LOG_NDELAY, opts.facility);
	opened = true;
	errno = saved;
}

int
pfa_log_probe(const char **why)
{
	int saved = errno;
	static const int types[] = { SOCK_DGRAM, SOCK_STREAM };
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	strcpy(sa.sun_path, "/dev/log");
	int err = ENOENT;
	for (size_t i = 0; i < 2; i++) {
		int fd = socket(AF_UNIX, types[i] | SOCK_CLOEXEC, 0);
		if (fd < 0) {
			err = errno;
			continue;
		}
		int rc = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
		err = rc == 0 ? 0 : errno;
		close(fd);
		if (rc == 0) {
			errno = saved;
			return 0;
		}
	}
	*why = err == ENOENT ? "there is no /dev/log" :
	    err == ECONNREFUSED || err == ENOTSOCK ? "nothing listens on "
	    "/dev/log" : err == EACCES ? "/dev/log may not be written" :
	    "/dev/log cannot be reached";
	errno = saved;
	return -1;
}

void
pfa_log_close(void)
{
	int saved = errno;
	if (opened)
		closelog();
	opened = false;
	errno = saved;
}

static const char *
prio_word(int prio)
{
	switch (prio) {
	case LOG_EMERG:
	case LOG_ALERT:
	case LOG_CRIT:
		return "critical";
	case LOG_ERR:
		return "error";
	case LOG_WARNING:
		return "warning";
	case LOG_NOTICE:
		return "notice";
	case LOG_INFO:
		return "info";
	default:
		return "debug";
	}
}

/* "task=X event=Y rest" -> "X: Y: rest" for people; anything else as is. */
static void
to_stderr(int prio, const char *line)
{
	if (!opts.to_stderr)
		return;
	if (opts.quiet && prio > LOG_WARNING)
		return;
	if (!opts.verbose && prio >= LOG_DEBUG)
		return;
	const char *task = NULL, *event = NULL, *rest = line;
	size_t tlen = 0, elen = 0;
	if (strncmp(rest, "task=", 5) == 0) {
		task = rest + 5;
		tlen = strcspn(task, " ");
		rest = task + tlen;
		while (*rest == ' ')
			rest++;
	}
	if (strncmp(rest, "event=", 6) == 0) {
		event = rest + 6;
		elen = strcspn(event, " ");
		rest = event + elen;
		while (*rest == ' ')
			rest++;
	}
	const char *word = prio <= LOG_WARNING ? prio_word(prio) : NULL;
	fprintf(stderr, "pfagent: %s%s%.*s%s%.*s%s%s\n",
	    word ? word : "", word ? ": " : "",
	    (int)tlen, task ? task : "", task ? ": " : "",
	    (int)elen, event ? event : "", event ? (*rest ? ": " : "") : "",
	    rest);
}

static void
vlog(int prio, const char *suffix, bool mirror, const char *fmt, va_list ap)
{
	char line[2048];
	vsnprintf(line, sizeof(line), fmt, ap);
	if (suffix != NULL) {
		size_t n = strlen(line);
		snprintf(line + n, sizeof(line) - n, "%s", suffix);
	}
	if (!opened)
		pfa_log_open(NULL);
	syslog(prio, "%s", line);
	if (mirror)
		to_stderr(prio, line);
}

void
pfa_log(int prio, const char *fmt, ...)
{
	int saved = errno;
	va_list ap;
	va_start(ap, fmt);
	vlog(prio, NULL, true, fmt, ap);
	va_end(ap);
	errno = saved;
}

void
pfa_log_syslog(int prio, const char *fmt, ...)
{
	int saved = errno;
	va_list ap;
	va_start(ap, fmt);
	vlog(prio, NULL, false, fmt, ap);
	va_end(ap);
	errno = saved;
}

void
pfa_log_errno(int prio, const char *fmt, ...)
{
	int saved = errno;
	char q[512], suffix[600];
	snprintf(suffix, sizeof(suffix), " err=%s",
	    pfa_log_quote(q, sizeof(q), strerror(saved)));
	va_list ap;
	va_start(ap, fmt);
	vlog(prio, suffix, true, fmt, ap);
	va_end(ap);
	errno = saved;
}

int
pfa_log_path_failed(const char *event, const char *path, const char *step)
{
	int saved = errno;
	char q[1024];
	pfa_log_quote(q, sizeof(q), path);
	errno = saved;
	pfa_log_errno(LOG_ERR, "event=%s file=%s step=%s", event, q, step);
	errno = saved;
	return -1;
}

int
pfa_log_sev_prio(enum pfa_sev s)
{
	switch (s) {
	case PFA_SEV_WARNING:
		return LOG_WARNING;
	case PFA_SEV_CRITICAL:
		return LOG_CRIT;
	case PFA_SEV_UNKNOWN:
		return LOG_ERR;
	case PFA_SEV_INFO:
	default:
		return LOG_INFO;
	}
}

void
pfa_log_finding(const char *task, const struct pfa_finding *f)
{
	int saved = errno;
	char subj[512], msg[1024];
	/* the report shows every finding: on stderr too only with -v */
	(opts.verbose ? pfa_log : pfa_log_syslog)(pfa_log_sev_prio(f->sev),
	    "task=%s event=finding id=%s severity=%s subject=%s message=%s",
	    task, f->id, pfa_sev_name(f->sev),
	    pfa_log_quote(subj, sizeof(subj), f->subject),
	    pfa_log_quote(msg, sizeof(msg), f->message));
	errno = saved;
}

const char *
pfa_log_quote(char *buf, size_t size, const char *s)
{
	if (size < 3) {
		if (size > 0)
			buf[0] = '\0';
		return buf;
	}
	if (s == NULL)
		s = "";
	bool bare = *s != '\0' && strpbrk(s, " \t\"\\=") == NULL;
	size_t o = 0;
	if (!bare && o + 1 < size)
		buf[o++] = '"';
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		char c = (char)*p;
		if (*p < 0x20 || *p == 0x7f)
			c = '?';
		size_t need = (c == '"' || c == '\\') ? 2 : 1;
		if (o + need + (bare ? 0 : 1) >= size)
			break;
		if (need == 2)
			buf[o++] = '\\';
		buf[o++] = c;
	}
	if (!bare)
		buf[o++] = '"';
	buf[o] = '\0';
	return buf;
}

static const struct {
	const char *name;
	int value;
} facilities[] = {
	{ "mail", LOG_MAIL }, { "daemon", LOG_DAEMON }, { "user", LOG_USER },
	{ "auth", LOG_AUTH }, { "authpriv", LOG_AUTHPRIV },
	{ "local0", LOG_LOCAL0 }, { "local1", LOG_LOCAL1 },
	{ "local2", LOG_LOCAL2 }, { "local3", LOG_LOCAL3 },
	{ "local4", LOG_LOCAL4 }, { "local5", LOG_LOCAL5 },
	{ "local6", LOG_LOCAL6 }, { "local7", LOG_LOCAL7 },
};

int
pfa_log_facility(const char *name)
{
	for (size_t i = 0; i < sizeof(facilities) / sizeof(facilities[0]); i++)
		if (strcmp(name, facilities[i].name) == 0)
			return facilities[i].value;
	return -1;
}
