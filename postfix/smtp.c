/*
 * smtp.c - SMTP probes of Postfix's listeners (smtp.h): the banner probe
 * (connect with a deadline, read the banner, say QUIT) and the TLS
 * probe (greeting, EHLO, STARTTLS, then a non-blocking OpenSSL client
 * handshake under the same deadline; or the handshake first in wrapper
 * mode), which reports what was negotiated and keeps the chain served.
 *
 * Numeric addresses only, no name is resolved.  Must not: verify
 * anything (the caller judges what it got), log, exit, or wait past the
 * caller's deadline.  Replies are read into a fixed buffer: a reply
 * longer than it is an error, never an allocation.  SIGPIPE is blocked
 * while a probe writes and a SIGPIPE it raised is consumed.  Errors come
 * back as text in the probe (pfa_tls_probe.error) or the caller's line.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <strings.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/ssl.h>

#include "pem.h"
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

/* --------------------------------------------------------- TLS probe */

struct conn {
	int fd;
	long deadline;
	char buf[4096];		/* bytes read and not yet taken */
	size_t len;
};

static void
say(struct pfa_tls_probe *p, enum pfa_tlsp_end end, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
say(struct pfa_tls_probe *p, enum pfa_tlsp_end end, const char *fmt, ...)
{
	va_list ap;
	p->end = end;
	va_start(ap, fmt);
	vsnprintf(p->error, sizeof(p->error), fmt, ap);
	va_end(ap);
}

/* 1 ready, 0 the deadline passed, -1 poll failed. */
static int
wait_fd(struct conn *c, short events)
{
	for (;;) {
		long left = c->deadline - now_ms();
		if (left <= 0)
			return 0;
		struct pollfd pfd = { .fd = c->fd, .events = events };
		int r = poll(&pfd, 1, (int)left);
		if (r > 0)
			return 1;
		if (r == 0)
			return 0;
		if (errno != EINTR)
			return -1;
	}
}

static int
conn_open(struct pfa_tls_probe *p, struct conn *c)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
		.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV };
	struct addrinfo *ai = NULL;
	char port[16];
	snprintf(port, sizeof(port), "%d", p->port);
	int e = getaddrinfo(p->host, port, &hints, &ai);
	if (e != 0) {
		say(p, PFA_TLSP_CONNECT, "not a numeric address %s: %s",
		    p->host, gai_strerror(e));
		return -1;
	}
	c->fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC |
	    SOCK_NONBLOCK, 0);
	int rc = -1;
	if (c->fd < 0) {
		say(p, PFA_TLSP_CONNECT, "socket: %s", strerror(errno));
	} else if (connect(c->fd, ai->ai_addr, ai->ai_addrlen) < 0 &&
	    errno != EINPROGRESS) {
		say(p, PFA_TLSP_CONNECT, "connect: %s", strerror(errno));
	} else {
		int w = wait_fd(c, POLLOUT), soerr = 0;
		socklen_t sl = sizeof(soerr);
		if (w == 0)
			say(p, PFA_TLSP_TIMEOUT, "connect: no answer within "
			    "%d ms", p->timeout_ms);
		else if (w < 0 || getsockopt(c->fd, SOL_SOCKET, SO_ERROR,
		    &soerr, &sl) < 0)
			say(p, PFA_TLSP_CONNECT, "connect: %s", strerror(errno));
		else if (soerr != 0)
			say(p, PFA_TLSP_CONNECT, "connect: %s", strerror(soerr));
		else
			rc = 0;
	}
	freeaddrinfo(ai);
	return rc;
}

static int
send_line(struct pfa_tls_probe *p, struct conn *c, const char *line)
{
	size_t n = strlen(line), done = 0;
	while (done < n) {
		ssize_t w = send(c->fd, line + done, n - done, MSG_NOSIGNAL);
		if (w > 0) {
			done += (size_t)w;
			continue;
		}
		if (w < 0 && (errno == EINTR))
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (wait_fd(c, POLLOUT) > 0)
				continue;
			say(p, PFA_TLSP_TIMEOUT, "sending %.*s: timed out",
			    (int)strcspn(line, "\r"), line);
			return -1;
		}
		say(p, PFA_TLSP_SMTP, "sending %.*s: %s",
		    (int)strcspn(line, "\r"), line, strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * Reads one SMTP reply (all its lines): *CODE its code, P->reply its
 * first line, *STARTTLS whether a line offers STARTTLS.  0, or -1.
 */
static int
read_reply(struct pfa_tls_probe *p, struct conn *c, const char *after,
    int *code, bool *starttls)
{
	bool first = true;
	*code = 0;
	for (;;) {
		char *nl = memchr(c->buf, '\n', c->len);
		if (nl == NULL) {
			if (c->len >= sizeof(c->buf) - 1) {
				say(p, PFA_TLSP_SMTP, "reply to %s: a line "
				    "longer than %zu bytes", after,
				    sizeof(c->buf));
				return -1;
			}
			int w = wait_fd(c, POLLIN);
			if (w <= 0) {
				say(p, w == 0 ? PFA_TLSP_TIMEOUT :
				    PFA_TLSP_SMTP, "no reply to %s within "
				    "%d ms", after, p->timeout_ms);
				return -1;
			}
			ssize_t n = read(c->fd, c->buf + c->len,
			    sizeof(c->buf) - 1 - c->len);
			if (n < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			if (n <= 0) {
				say(p, PFA_TLSP_SMTP, "connection closed "
				    "instead of a reply to %s", after);
				return -1;
			}
			c->len += (size_t)n;
			continue;
		}
		size_t llen = (size_t)(nl - c->buf);
		char line[sizeof(c->buf)];
		memcpy(line, c->buf, llen);
		line[llen] = '\0';
		line[strcspn(line, "\r")] = '\0';
		memmove(c->buf, nl + 1, c->len - llen - 1);
		c->len -= llen + 1;
		if (first)
			snprintf(p->reply, sizeof(p->reply), "%.255s", line);
		first = false;
		if (strlen(line) < 3 || line[0] < '2' || line[0] > '5' ||
		    line[1] < '0' || line[1] > '9' || line[2] < '0' ||
		    line[2] > '9' || (line[3] != '\0' && line[3] != ' ' &&
		    line[3] != '-')) {
			say(p, PFA_TLSP_SMTP, "reply to %s is not SMTP: "
			    "\"%.60s\"", after, line);
			return -1;
		}
		*code = (line[0] - '0') * 100 + (line[1] - '0') * 10 +
		    (line[2] - '0');
		if (starttls != NULL && line[3] != '\0' &&
		    strncasecmp(line + 4, "STARTTLS", 8) == 0 &&
		    (line[12] == '\0' || line[12] == ' '))
			*starttls = true;
		if (line[3] != '-')
			return 0;
	}
}

/* Greeting, EHLO, STARTTLS: 0 when the server said 220 to STARTTLS. */
static int
starttls(struct pfa_tls_probe *p, struct conn *c)
{
	int code;
	bool offered = false;
	char ehlo[300];

	if (read_reply(p, c, "the connection", &code, NULL) < 0)
		return -1;
	if (code != 220) {
		say(p, PFA_TLSP_SMTP, "greeting: %s", p->reply);
		return -1;
	}
	snprintf(ehlo, sizeof(ehlo), "EHLO %s\r\n", p->helo ? p->helo :
	    "[127.0.0.1]");
	if (send_line(p, c, ehlo) < 0 ||
	    read_reply(p, c, "EHLO", &code, &offered) < 0)
		return -1;
	if (code != 250) {
		say(p, PFA_TLSP_SMTP, "EHLO refused: %s", p->reply);
		return -1;
	}
	if (!offered) {
		snprintf(p->reply, sizeof(p->reply), "no STARTTLS in the "
		    "EHLO reply");
		say(p, PFA_TLSP_NOTLS, "STARTTLS is not offered");
		(void)send_line(p, c, "QUIT\r\n");
		return -1;
	}
	if (send_line(p, c, "STARTTLS\r\n") < 0 ||
	    read_reply(p, c, "STARTTLS", &code, NULL) < 0)
		return -1;
	if (code != 220) {
		say(p, PFA_TLSP_NOTLS, "STARTTLS refused: %s", p->reply);
		(void)send_line(p, c, "QUIT\r\n");
		return -1;
	}
	return 0;
}

/* The server's temporary key, as openssl s_client describes it. */
static void
tmp_key(struct pfa_tls_probe *p, SSL *ssl)
{
	EVP_PKEY *k = NULL;
	if (!SSL_get_peer_tmp_key(ssl, &k) || k == NULL)
		return;
	p->tmp_bits = EVP_PKEY_get_bits(k);
	int id = EVP_PKEY_get_id(k);
	if (id == EVP_PKEY_RSA || id == EVP_PKEY_DH) {
		snprintf(p->tmp_type, sizeof(p->tmp_type), "%s",
		    id == EVP_PKEY_RSA ? "RSA" : "DH");
		snprintf(p->tmp_key, sizeof(p->tmp_key), "%s, %d bits",
		    p->tmp_type, p->tmp_bits);
	} else if (id == EVP_PKEY_EC) {
		char name[40] = "?";
		size_t nl = 0;
		if (!EVP_PKEY_get_utf8_string_param(k,
		    OSSL_PKEY_PARAM_GROUP_NAME, name, sizeof(name), &nl))
			snprintf(name, sizeof(name), "?");
		snprintf(p->tmp_type, sizeof(p->tmp_type), "ECDH");
		snprintf(p->tmp_key, sizeof(p->tmp_key), "ECDH, %s, %d bits",
		    name, p->tmp_bits);
	} else {
		const char *sn = OBJ_nid2sn(id);
		snprintf(p->tmp_type, sizeof(p->tmp_type), "%s", sn ? sn : "?");
		snprintf(p->tmp_key, sizeof(p->tmp_key), "%s, %d bits",
		    p->tmp_type, p->tmp_bits);
	}
	EVP_PKEY_free(k);
}

static SSL *
client_ssl(struct pfa_tls_probe *p, SSL_CTX **ctxp)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	SSL *ssl = NULL;
	*ctxp = ctx;
	if (ctx == NULL || (ssl = SSL_new(ctx)) == NULL) {
		pfa_ssl_set_ssl_err(p->error, sizeof(p->error), "cannot make "
		    "a TLS client");
		p->end = PFA_TLSP_LOCAL;
		return NULL;
	}
	SSL_set_verify(ssl, SSL_VERIFY_NONE, NULL);
	const char *bad = NULL;
	if (p->ciphers != NULL && !SSL_set_cipher_list(ssl, p->ciphers))
		bad = "cipher list";
	else if (p->security_level >= 0)
		SSL_set_security_level(ssl, p->security_level);
	if (bad == NULL && p->min_version != 0 &&
	    !SSL_set_min_proto_version(ssl, p->min_version))
		bad = "lowest protocol";
	if (bad == NULL && p->max_version != 0 &&
	    !SSL_set_max_proto_version(ssl, p->max_version))
		bad = "highest protocol";
	if (bad == NULL && p->sigalgs != NULL &&
	    !SSL_set1_sigalgs_list(ssl, p->sigalgs))
		bad = "signature algorithms";
	if (bad == NULL && p->sni != NULL &&
	    !SSL_set_tlsext_host_name(ssl, p->sni))
		bad = "server name";
	if (bad != NULL) {
		char what[80];
		snprintf(what, sizeof(what), "the probe's %s", bad);
		pfa_ssl_set_ssl_err(p->error, sizeof(p->error), what);
		p->end = PFA_TLSP_LOCAL;
		SSL_free(ssl);
		return NULL;
	}
	return ssl;
}

static int
handshake(struct pfa_tls_probe *p, struct conn *c, SSL *ssl)
{
	if (!SSL_set_fd(ssl, c->fd)) {
		pfa_ssl_set_ssl_err(p->error, sizeof(p->error), "SSL_set_fd");
		p->end = PFA_TLSP_LOCAL;
		return -1;
	}
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (;;) {
		ERR_clear_error();
		int r = SSL_connect(ssl);
		if (r == 1)
			break;
		int e = SSL_get_error(ssl, r), w;
		if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
			w = wait_fd(c, e == SSL_ERROR_WANT_READ ? POLLIN :
			    POLLOUT);
			if (w > 0)
				continue;
			say(p, PFA_TLSP_TIMEOUT, "TLS handshake: no answer "
			    "within %d ms", p->timeout_ms);
			return -1;
		}
		unsigned long err = ERR_peek_last_error();
		int reason = ERR_GET_REASON(err);
		p->end = reason == SSL_R_NO_PROTOCOLS_AVAILABLE ||
		    reason == SSL_R_NO_CIPHERS_AVAILABLE ||
		    reason == SSL_R_UNSUPPORTED_PROTOCOL ?
		    PFA_TLSP_LOCAL : PFA_TLSP_HANDSHAKE;
		if (err != 0)
			pfa_ssl_set_ssl_err(p->error, sizeof(p->error),
			    "TLS handshake failed");
		else
			snprintf(p->error, sizeof(p->error), "TLS handshake "
			    "failed: the connection was closed");
		return -1;
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	p->handshake_s = (double)(b.tv_sec - a.tv_sec) +
	    (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	snprintf(p->protocol, sizeof(p->protocol), "%s", SSL_get_version(ssl));
	const SSL_CIPHER *ci = SSL_get_current_cipher(ssl);
	snprintf(p->cipher, sizeof(p->cipher), "%s",
	    ci ? SSL_CIPHER_get_name(ci) : "");
	tmp_key(p, ssl);
	STACK_OF(X509) *sk = SSL_get_peer_cert_chain(ssl);
	if ((p->chain = sk_X509_new_null()) == NULL)
		abort();
	for (int i = 0; i < sk_X509_num(sk); i++) {
		X509 *x = sk_X509_value(sk, i);
		X509_up_ref(x);
		if (!sk_X509_push(p->chain, x))
			abort();
	}
	/* a courtesy, never waited for */
	(void)SSL_write(ssl, "QUIT\r\n", 6);
	(void)SSL_shutdown(ssl);
	ERR_clear_error();
	return 0;
}

void
pfa_tls_probe_clear(struct pfa_tls_probe *p)
{
	sk_X509_pop_free(p->chain, X509_free);
	p->chain = NULL;
}

int
pfa_smtp_tls_probe(struct pfa_tls_probe *p)
{
	struct conn c = { .fd = -1, .deadline = now_ms() + p->timeout_ms };
	SSL_CTX *ctx = NULL;
	SSL *ssl = NULL;
	sigset_t pipe, old, pending;
	bool was_pending = false;
	int rc = -1;

	p->end = PFA_TLSP_DONE;
	p->error[0] = p->reply[0] = p->protocol[0] = p->cipher[0] = '\0';
	p->tmp_key[0] = p->tmp_type[0] = '\0';
	p->tmp_bits = 0;
	p->handshake_s = 0;
	p->chain = NULL;
	sigemptyset(&pipe);
	sigaddset(&pipe, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe, &old);
	if (sigpending(&pending) == 0)
		was_pending = sigismember(&pending, SIGPIPE) == 1;

	if ((ssl = client_ssl(p, &ctx)) != NULL && conn_open(p, &c) == 0 &&
	    (p->wrapper || starttls(p, &c) == 0) && handshake(p, &c, ssl) == 0)
		rc = 0;

	SSL_free(ssl);
	SSL_CTX_free(ctx);
	if (c.fd >= 0)
		close(c.fd);
	ERR_clear_error();
	if (!was_pending && sigpending(&pending) == 0 &&
	    sigismember(&pending, SIGPIPE) == 1) {
		struct timespec zero = { 0, 0 };
		(void)sigtimedwait(&pipe, NULL, &zero);
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}
