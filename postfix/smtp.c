/*
 * smtp.c - SMTP probes of Postfix's listeners (smtp.h): connect with a
 * deadline, read the banner, say QUIT.  Numeric addresses only.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "smtp.h"

static long
now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

int
pfa_smtp_banner(const char *host, const char *port, int timeout_ms,
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
