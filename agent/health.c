/*
 * health.c - the health check after a reload: master alive, loopback SMTP
 * listeners answer 220, no fatal/panic in Postfix's log since the reload.
 *
 * Talks only to loopback addresses (127.0.0.1, ::1).  Reads the log file,
 * never writes anything.  Findings go into the result it is given.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "health.h"
#include "log.h"

#define MAX_LOG_LINES 10
#define LOG_SCAN_MAX (8 * 1024 * 1024)

off_t
pfa_health_mark(const char *logfile)
{
	struct stat st;
	if (logfile == NULL || stat(logfile, &st) < 0)
		return -1;
	return st.st_size;
}

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static long
now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

int
pfa_health_banner(const char *host, const char *port, int timeout_ms,
    char *line, size_t size)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
		.ai_flags = AI_NUMERICHOST };
	struct addrinfo *ai = NULL;
	int e = getaddrinfo(host, port, &hints, &ai);
	if (e != 0) {
		snprintf(line, size, "cannot resolve %s:%s: %s", host, port,
		    gai_strerror(e));
		return -1;
	}
	int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC |
	    SOCK_NONBLOCK, 0);
	if (fd < 0) {
		snprintf(line, size, "socket: %s", strerror(errno));
		freeaddrinfo(ai);
		return -1;
	}
	long deadline = now_ms() + timeout_ms;
	int rc = -1;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0 &&
	    errno != EINPROGRESS) {
		snprintf(line, size, "connect: %s", strerror(errno));
		goto out;
	}
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	if (poll(&p, 1, timeout_ms) <= 0) {
		snprintf(line, size, "connect: timed out");
		goto out;
	}
	int soerr = 0;
	socklen_t sl = sizeof(soerr);
	getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl);
	if (soerr != 0) {
		snprintf(line, size, "connect: %s", strerror(soerr));
		goto out;
	}
	size_t got = 0;
	line[0] = '\0';
	while (got + 1 < size && memchr(line, '\n', got) == NULL) {
		long left = deadline - now_ms();
		p.events = POLLIN;
		if (left <= 0 || poll(&p, 1, (int)left) <= 0) {
			snprintf(line, size, "no banner within %d ms",
			    timeout_ms);
			goto out;
		}
		ssize_t n = read(fd, line + got, size - 1 - got);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0) {
			if (got == 0)
				snprintf(line, size, "connection closed "
				    "without a banner");
			break;
		}
		got += (size_t)n;
		line[got] = '\0';
	}
	line[strcspn(line, "\r\n")] = '\0';
	if (strncmp(line, "220", 3) == 0) {
		rc = 0;
		(void)!write(fd, "QUIT\r\n", 6);
	}
out:
	close(fd);
	freeaddrinfo(ai);
	return rc;
}

/* Loopback address to probe for an inet service name, or NULL to skip. */
static const char *
probe_host(struct pfa_postfix *pf, const char *name, char *portbuf,
    size_t psize)
{
	const char *colon = strrchr(name, ':');
	const char *port = colon ? colon + 1 : name;
	snprintf(portbuf, psize, "%s", port);
	if (colon != NULL) {
		size_t hl = (size_t)(colon - name);
		char host[256];
		if (hl >= sizeof(host))
			return NULL;
		memcpy(host, name, hl);
		host[hl] = '\0';
		char *h = host;
		if (*h == '[' && hl > 1 && h[hl - 1] == ']') {
			h[hl - 1] = '\0';
			h++;
		}
		if (strncmp(h, "127.", 4) == 0 || strcmp(h, "localhost") == 0)
			return "127.0.0.1";
		if (strcmp(h, "::1") == 0)
			return "::1";
		return NULL;	/* not loopback: not ours to probe */
	}
	/* no host: the service listens on inet_interfaces */
	const char *ifs = pfa_postfix_param(pf, "inet_interfaces");
	const char *protos = pfa_postfix_param(pf, "inet_protocols");
	bool v4 = protos == NULL || strstr(protos, "ipv4") != NULL ||
	    strstr(protos, "all") != NULL;
	if (ifs == NULL)
		return NULL;
	if (strstr(ifs, "all") || strstr(ifs, "loopback-only") ||
	    strstr(ifs, "localhost"))
		return v4 ? "127.0.0.1" : "::1";
	if (strstr(ifs, "127.0.0.1"))
		return "127.0.0.1";
	if (strstr(ifs, "::1"))
		return "::1";
	return NULL;
}

static bool
is_smtp_listener(const struct pfa_service *s)
{
	if (strcmp(s->type, "inet") != 0)
		return false;
	size_t n = strcspn(s->command, " \t");
	bool smtpd = (n == 5 && strncmp(s->command, "smtpd", 5) == 0) ||
	    (n == 10 && strncmp(s->command, "postscreen", 10) == 0);
	/* implicit-TLS listeners speak TLS first: no plain banner */
	return smtpd && strstr(s->command, "wrappermode=yes") == NULL;
}

static bool
check_listeners(struct pfa_postfix *pf, struct pfa_result *res)
{
	const struct pfa_service *const *svcs = pfa_postfix_services(pf);
	bool ok = true;
	if (svcs == NULL) {
		pfa_result_add_finding(res, PFA_SEV_INFO, "PFA-HEALTH-004",
		    "master.cf", NULL, "could not list master.cf services "
		    "(postconf -F failed), listeners were not probed");
		return true;
	}
	for (size_t i = 0; svcs[i]; i++) {
		if (!is_smtp_listener(svcs[i]))
			continue;
		char port[64], line[512] = "";
		const char *host = probe_host(pf, svcs[i]->name, port,
		    sizeof(port));
		if (host == NULL)
			continue;
		int rc = -1;
		for (int attempt = 0; attempt < 2 && rc < 0; attempt++) {
			if (attempt > 0)
				sleep_ms(1000);
			rc = pfa_health_banner(host, port, 5000, line,
			    sizeof(line));
		}
		char q[600];
		if (rc == 0) {
			pfa_log(LOG_INFO, "event=health-banner service=%s "
			    "address=%s port=%s banner=%s", svcs[i]->name, host,
			    port, pfa_log_quote(q, sizeof(q), line));
			continue;
		}
		ok = false;
		pfa_result_add_finding(res, PFA_SEV_CRITICAL, "PFA-HEALTH-002",
		    svcs[i]->name, NULL, "the %s listener on %s port %s does "
		    "not answer with a 220 banner after the reload: %s",
		    svcs[i]->command, host, port, line);
	}
	return ok;
}

/* fatal:/panic: lines appended to LOGFILE since MARK. */
static bool
check_log(const char *logfile, off_t mark, struct pfa_result *res)
{
	int fd = open(logfile, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0 || mark < 0) {
		if (fd >= 0)
			close(fd);
		pfa_result_add_finding(res, PFA_SEV_INFO, "PFA-HEALTH-004",
		    logfile, NULL, "Postfix's log could not be read, so it was "
		    "not checked for fatal errors after the reload (set "
		    "postfix.log_file, or maillog_file in main.cf)");
		return true;
	}
	if (st.st_size < mark)
		mark = 0;	/* rotated */
	size_t len = (size_t)(st.st_size - mark);
	if (len > LOG_SCAN_MAX) {
		mark = st.st_size - LOG_SCAN_MAX;
		len = LOG_SCAN_MAX;
	}
	char *buf = pfa_xmalloc(len + 1);
	ssize_t n = pread(fd, buf, len, mark);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	bool ok = true;
	int shown = 0;
	const char *seen[MAX_LOG_LINES];
	char *save = NULL;
	for (char *line = strtok_r(buf, "\n", &save); line;
	    line = strtok_r(NULL, "\n", &save)) {
		const char *what = strstr(line, " fatal: ");
		if (what == NULL)
			what = strstr(line, " panic: ");
		if (what == NULL)
			continue;
		ok = false;
		/* a crash-looping daemon repeats itself: report each message
		 * once, the first time it appeared */
		bool dup = false;
		for (int i = 0; i < shown && !dup; i++)
			dup = strcmp(seen[i], what) == 0;
		if (dup || shown == MAX_LOG_LINES)
			continue;
		seen[shown++] = what;
		pfa_result_add_finding(res, PFA_SEV_CRITICAL, "PFA-HEALTH-003",
		    logfile, NULL, "Postfix logged after the reload: %s", line);
	}
	free(buf);
	return ok;
}

bool
pfa_health_check(struct pfa_postfix *pf, const char *logfile, off_t mark,
    int wait, struct pfa_result *res)
{
	sleep_ms(wait * 1000L);
	bool ok = true;
	int running = pfa_postfix_running(pf);
	if (running != 1) {
		ok = false;
		pfa_result_add_finding(res, PFA_SEV_CRITICAL, "PFA-HEALTH-001",
		    pfa_postfix_config_dir(pf), NULL, "the Postfix master is "
		    "not running after the reload");
	} else if (!check_listeners(pf, res)) {
		ok = false;
	}
	sleep_ms(300);	/* let postlogd write what the probes caused */
	if (!check_log(logfile, mark, res))
		ok = false;
	return ok;
}
