/*
 * test_smtp.c - postfix/smtp.c's TLS probe against a small SMTP server in
 * a thread of this test (OpenSSL on the server side): STARTTLS and what
 * was negotiated, the chain served, a key type forced through the
 * signature algorithms, SNI, wrapper mode, STARTTLS missing or refused
 * (454), a listener that never answers (bounded by the timeout), no
 * listener, a reply that is not SMTP or too long, and a TLS 1.0-only
 * server that the default probe refuses and a lowered one accepts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "pem.h"
#include "smtp.h"
#include "testtls.h"

enum mode { STARTTLS, NO_STARTTLS, REFUSED, SILENT, WRAPPER, GARBAGE,
	LONGLINE, TLS10 };

struct server {
	int lfd;
	int port;
	enum mode mode;
	char sni[64];		/* what the client asked for */
	pthread_t th;
};

static EVP_PKEY *rsa_key, *ec_key;
static X509 *rsa_cert, *ec_cert, *sni_cert;

static int
setup(void **state)
{
	(void)state;
	signal(SIGPIPE, SIG_IGN);	/* the server thread's writes */
	rsa_key = pfa_test_key("RSA", 2048);
	ec_key = pfa_test_key("EC", 256);
	rsa_cert = pfa_test_cert(rsa_key, &(struct pfa_test_cert){
	    .cn = "rsa.example", .from = -60, .until = 86400 });
	ec_cert = pfa_test_cert(ec_key, &(struct pfa_test_cert){
	    .cn = "ec.example", .from = -60, .until = 86400 });
	sni_cert = pfa_test_cert(ec_key, &(struct pfa_test_cert){
	    .cn = "sni.example", .from = -60, .until = 86400 });
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	EVP_PKEY_free(rsa_key);
	EVP_PKEY_free(ec_key);
	X509_free(rsa_cert);
	X509_free(ec_cert);
	X509_free(sni_cert);
	return 0;
}

static void
put(int fd, const char *s)
{
	(void)!send(fd, s, strlen(s), MSG_NOSIGNAL);
}

/* Reads one line (or gives up after the socket's timeout). */
static void
get_line(int fd, char *buf, size_t n)
{
	size_t got = 0;
	while (got + 1 < n) {
		ssize_t r = read(fd, buf + got, 1);
		if (r <= 0 || buf[got] == '\n')
			break;
		got++;
	}
	buf[got] = '\0';
}

static int
sni_cb(SSL *ssl, int *al, void *arg)
{
	struct server *s = arg;
	(void)al;
	const char *name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
	if (name != NULL) {
		snprintf(s->sni, sizeof(s->sni), "%s", name);
		if (strcmp(name, "sni.example") == 0)
			SSL_use_certificate(ssl, sni_cert);
	}
	return SSL_TLSEXT_ERR_OK;
}

static void
serve_tls(struct server *s, int fd)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	assert_non_null(ctx);
	if (s->mode == TLS10) {
		SSL_CTX_set_security_level(ctx, 0);
		SSL_CTX_set_cipher_list(ctx, "DEFAULT:@SECLEVEL=0");
		SSL_CTX_set_min_proto_version(ctx, TLS1_VERSION);
		SSL_CTX_set_max_proto_version(ctx, TLS1_VERSION);
	}
	SSL_CTX_use_certificate(ctx, rsa_cert);
	SSL_CTX_use_PrivateKey(ctx, rsa_key);
	SSL_CTX_use_certificate(ctx, ec_cert);
	SSL_CTX_use_PrivateKey(ctx, ec_key);
	SSL_CTX_set_tlsext_servername_callback(ctx, sni_cb);
	SSL_CTX_set_tlsext_servername_arg(ctx, s);
	SSL *ssl = SSL_new(ctx);
	SSL_set_fd(ssl, fd);
	if (SSL_accept(ssl) == 1) {
		if (s->mode == WRAPPER)
			SSL_write(ssl, "220 wrapped\r\n", 13);
		char buf[64];
		(void)SSL_read(ssl, buf, sizeof(buf));
		SSL_shutdown(ssl);
	}
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	ERR_clear_error();
}

static void *
serve(void *arg)
{
	struct server *s = arg;
	int fd = accept(s->lfd, NULL, NULL);
	char line[512];
	if (fd < 0)
		return NULL;
	struct timeval tv = { 5, 0 };
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	switch (s->mode) {
	case SILENT:
		get_line(fd, line, sizeof(line));	/* until the client goes */
		break;
	case GARBAGE:
		put(fd, "HTTP/1.1 400 Bad Request\r\n");
		break;
	case LONGLINE: {
		char big[6000];
		memset(big, 'x', sizeof(big));
		memcpy(big, "220-", 4);
		(void)!send(fd, big, sizeof(big), MSG_NOSIGNAL);
		get_line(fd, line, sizeof(line));
		break;
	}
	case WRAPPER:
		serve_tls(s, fd);
		break;
	default:
		put(fd, "220-test.example ESMTP\r\n220 more greeting\r\n");
		get_line(fd, line, sizeof(line));
		assert_non_null(strstr(line, "EHLO [127.0.0.1]"));
		put(fd, s->mode == NO_STARTTLS ? "250-test.example\r\n"
		    "250 PIPELINING\r\n" : "250-test.example\r\n250-SIZE\r\n"
		    "250 STARTTLS\r\n");
		get_line(fd, line, sizeof(line));
		if (strncmp(line, "STARTTLS", 8) != 0)
			break;
		if (s->mode == REFUSED) {
			put(fd, "454 4.7.0 TLS not available due to local "
			    "problem\r\n");
			get_line(fd, line, sizeof(line));
			break;
		}
		put(fd, "220 2.0.0 Ready to start TLS\r\n");
		serve_tls(s, fd);
	}
	close(fd);
	return NULL;
}

static void
start(struct server *s, enum mode mode)
{
	memset(s, 0, sizeof(*s));
	s->mode = mode;
	s->lfd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(s->lfd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(s->lfd, 4), 0);
	socklen_t l = sizeof(a);
	getsockname(s->lfd, (struct sockaddr *)&a, &l);
	s->port = ntohs(a.sin_port);
	assert_int_equal(pthread_create(&s->th, NULL, serve, s), 0);
}

static void
stop(struct server *s)
{
	pthread_join(s->th, NULL);
	close(s->lfd);
}

static void
probe(struct server *s, struct pfa_tls_probe *p, enum mode mode)
{
	start(s, mode);
	memset(p, 0, sizeof(*p));
	p->host = "127.0.0.1";
	p->port = s->port;
	p->security_level = -1;
	p->timeout_ms = 3000;
	p->wrapper = mode == WRAPPER;
}

static const char *
cn_of(struct pfa_tls_probe *p)
{
	static struct pfa_cert_info ci;
	assert_non_null(p->chain);
	assert_int_equal(pfa_cert_inspect(sk_X509_value(p->chain, 0),
	    time(NULL), &ci, NULL, 0), 0);
	return ci.subject;
}

static void
test_starttls(void **state)
{
	(void)state;
	struct server s;
	struct pfa_tls_probe p;
	probe(&s, &p, STARTTLS);
	assert_int_equal(pfa_smtp_tls_probe(&p), 0);
	stop(&s);
	assert_int_equal(p.end, PFA_TLSP_DONE);
	assert_string_equal(p.protocol, "TLSv1.3");
	assert_true(strncmp(p.cipher, "TLS_", 4) == 0);
	assert_true(*p.tmp_key != '\0');
	assert_true(p.tmp_bits > 0);
	assert_int_equal(sk_X509_num(p.chain), 1);
	assert_true(p.handshake_s > 0 && p.handshake_s < 3);
	/* OpenSSL's client prefers ECDSA */
	assert_string_equal(cn_of(&p), "CN=ec.example");
	pfa_tls_probe_clear(&p);
	assert_null(p.chain);

	/* forced RSA, then ECDSA; SNI */
	probe(&s, &p, STARTTLS);
	p.sigalgs = "rsa_pss_rsae_sha256:RSA+SHA256";
	assert_int_equal(pfa_smtp_tls_probe(&p), 0);
	stop(&s);
	assert_string_equal(cn_of(&p), "CN=rsa.example");
	pfa_tls_probe_clear(&p);
	probe(&s, &p, STARTTLS);
	p.sigalgs = "ECDSA+SHA256";
	p.sni = "sni.example";
	assert_int_equal(pfa_smtp_tls_probe(&p), 0);
	stop(&s);
	assert_string_equal(s.sni, "sni.example");
	assert_string_equal(cn_of(&p), "CN=sni.example");
	pfa_tls_probe_clear(&p);

	/* TLS 1.2 only, DHE offered by nobody: ECDHE */
	probe(&s, &p, STARTTLS);
	p.max_version = TLS1_2_VERSION;
	assert_int_equal(pfa_smtp_tls_probe(&p), 0);
	stop(&s);
	assert_string_equal(p.protocol, "TLSv1.2");
	pfa_tls_probe_clear(&p);
}

static void
test_wrapper(void **state)
{
	(void)state;
	struct server s;
	struct pfa_tls_probe p;
	probe(&s, &p, WRAPPER);
	assert_int_equal(pfa_smtp_tls_probe(&p), 0);
	stop(&s);
	assert_int_equal(sk_X509_num(p.chain), 1);
	pfa_tls_probe_clear(&p);
	/* STARTTLS against a TLS-first server: it waits for a greeting */
	probe(&s, &p, WRAPPER);
	p.wrapper = false;
	p.timeout_ms = 500;
	assert_int_equal(pfa_smtp_tls_probe(&p), -1);
	stop(&s);
	assert_int_equal(p.end, PFA_TLSP_TIMEOUT);
}

static void
test_no_tls(void **state)
{
	(void)state;
	struct server s;
	struct pfa_tls_probe p;
	probe(&s, &p, NO_STARTTLS);
	assert_int_equal(pfa_smtp_tls_probe(&p), -1);
	stop(&s);
	assert_int_equal(p.end, PFA_TLSP_NOTLS);
	assert_non_null(strstr(p.error, "not offered"));
	assert_null(p.chain);
	probe(&s, &p, REFUSED);
	assert_int_equal(pfa_smtp_tls_probe(&p), -1);
	stop(&s);
	assert_int_equal(p.end, PFA_TLSP_NOTLS);
	assert_true(strncmp(p.reply, "454 4.7.0", 9) == 0);
}

static void
test_silent_and_absent(void **state)
{
	(void)state;
	struct server s;
	struct pfa_tls_probe p;
	probe(&s, &p, SILENT);
	p.timeout_ms = 400;
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	assert_int_equal(pfa_smtp_tls_probe(&p), -1);
	clock_gettime(CLOCK_MONOTONIC, &b);
	stop(&s);
	assert_int_equal(p.end, PFA_TLSP_TIMEOUT);
	double secs = (double)(b.tv_sec - a.tv_sec) +
	    (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	assert_true(secs >= 0.35 && secs < 2.0);

	/* nothing listens: the port of a socket bound and closed again */
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = { .sin_family = AF_INET };
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	socklen_t sl = sizeof(sa);
	getsockname(fd, (struct sockaddr *)&sa, &sl);
	int port = ntohs(sa.sin_port);
	close(fd);
	memset(&p, 0, sizeof(p));
	p.host = "127.0.0.1";
	p.port = port;
	p.timeout_ms = 1000;
	p.security_level = -1;
	assert_int_equal(pfa_smtp_tls_probe(&p), -1);
	assert_int_equal(p.end, PFA_TLSP_CONNECT);
	/* never a name */
	p.host = "localhost";
	assert_int_equal(pfa_smtp_tls_probe(&p), -1);
	assert_int_equal(p.end, PFA_TLSP_CONNECT);
	assert_non_null(strstr(p.error, "numeric"));
}

static void
test_not_smtp(void **state)
{
	(void)state;
	struct server s;
	struct pfa_tls_probe p;
	probe(&s, &p, GARBAGE);
	assert_int_equal(pfa_smtp_tls_probe(&p), -1);
	stop(&s);
	assert_int_equal(p.end, PFA_TLSP_SMTP);
	assert_non_null(strstr(p.error, "not SMTP"));
	probe(&s, &p, LONGLINE);
	assert_int_equal(pfa_smtp_tls_probe(&p), -1);
	stop(&s);
	assert_int_equal(p.end, PFA_TLSP_SMTP);
	assert_non_null(strstr(p.error, "longer than"));
}

static void
test_legacy(void **state)
{
	(void)state;
	struct server s;
	struct pfa_tls_probe p;
	/* the default probe refuses what a TLS 1.0-only server offers */
	probe(&s, &p, TLS10);
	assert_int_equal(pfa_smtp_tls_probe(&p), -1);
	stop(&s);
	assert_true(p.end == PFA_TLSP_HANDSHAKE || p.end == PFA_TLSP_LOCAL);
	/* a probe limited to TLS 1.0 with its security level lowered asks */
	probe(&s, &p, TLS10);
	p.min_version = p.max_version = TLS1_VERSION;
	p.security_level = 0;
	p.ciphers = "DEFAULT:@SECLEVEL=0";
	assert_int_equal(pfa_smtp_tls_probe(&p), 0);
	stop(&s);
	assert_string_equal(p.protocol, "TLSv1");
	pfa_tls_probe_clear(&p);
	/* and a modern server refuses it */
	probe(&s, &p, STARTTLS);
	p.min_version = p.max_version = TLS1_VERSION;
	p.security_level = 0;
	p.ciphers = "DEFAULT:@SECLEVEL=0";
	assert_int_equal(pfa_smtp_tls_probe(&p), -1);
	stop(&s);
	assert_true(p.end == PFA_TLSP_HANDSHAKE);
	/* a cipher list the library does not know */
	probe(&s, &p, STARTTLS);
	p.ciphers = "NO-SUCH-CIPHER";
	assert_int_equal(pfa_smtp_tls_probe(&p), -1);
	assert_int_equal(p.end, PFA_TLSP_LOCAL);
	/* the server still waits for a client: give it one */
	struct pfa_tls_probe q;
	memset(&q, 0, sizeof(q));
	q.host = "127.0.0.1";
	q.port = s.port;
	q.security_level = -1;
	q.timeout_ms = 3000;
	assert_int_equal(pfa_smtp_tls_probe(&q), 0);
	pfa_tls_probe_clear(&q);
	stop(&s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_starttls),
		cmocka_unit_test(test_wrapper),
		cmocka_unit_test(test_no_tls),
		cmocka_unit_test(test_silent_and_absent),
		cmocka_unit_test(test_not_smtp),
		cmocka_unit_test(test_legacy),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
