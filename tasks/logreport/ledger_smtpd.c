/*
 * ledger_smtpd.c - the parts of the ledger (ledger.h) that read what
 * remote hosts did or said: rejects by class and stage (pflogsumm's
 * rules for the "rejected" total), SASL failures per client address, TLS
 * on inbound and outbound connections, replies that mean a large
 * provider is blocking or rate-limiting this server, and the shapes of
 * informational lines that are known (everything else is counted as not
 * understood, per daemon).  Pure computation on line parts.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledger.h"
#include "ledger_int.h"
#include "reason.h"
#include "result.h"

long
pfa_lr_find(const char *p, size_t n, const char *word)
{
	size_t wl = strlen(word);
	if (wl == 0 || n < wl)
		return -1;
	const char *end = p + n - wl + 1, *q = p;
	while (q < end && (q = memchr(q, word[0], (size_t)(end - q))) != NULL) {
		/* the second byte first: most candidates end there */
		if ((wl == 1 || q[1] == word[1]) && memcmp(q, word, wl) == 0)
			return (long)(q - p);
		q++;
	}
	return -1;
}

static bool
is(const struct pfa_logline *l, const char *daemon)
{
	size_t n = strlen(daemon);
	return l->daemonlen == n && memcmp(l->daemon, daemon, n) == 0;
}

static bool
has(const char *p, size_t n, const char *word)
{
	return pfa_lr_find(p, n, word) >= 0;
}

static enum lr_rclass
classify(const char *p, size_t n)
{
	if (has(p, n, "Relay access denied"))
		return R_RELAY;
	if (has(p, n, "User unknown") || has(p, n, "undeliverable address") ||
	    has(p, n, "unverified address") ||
	    has(p, n, "Recipient address rejected: unknown user"))
		return R_UNKNOWN_RCPT;
	if (has(p, n, "blocked using ") || has(p, n, "Service unavailable; "))
		return R_RBL;
	if (has(p, n, "Helo command rejected"))
		return R_HELO;
	if (has(p, n, "Sender address rejected"))
		return R_SENDER;
	if (has(p, n, "Client host rejected"))
		return R_CLIENT;
	return R_OTHER;
}

void
pfa_lr_reject(struct pfa_ledger *lg, const struct pfa_logline *l, const char *what,
    size_t wlen, const char *rest, size_t rlen)
{
	bool smtpd = is(l, "smtpd") || is(l, "postscreen");
	bool cleanup = is(l, "cleanup");
	/* cleanup's actions count only for header, body, END-OF-MESSAGE */
	bool content = cleanup && (strncmp(rest, "header ", 7) == 0 ||
	    strncmp(rest, "body ", 5) == 0 ||
	    strncmp(rest, "END-OF-MESSAGE ", 15) == 0);
	if (!smtpd && !content)
		return;
	bool milter = wlen > 7 && memcmp(what, "milter-", 7) == 0;
	const char *w = milter ? what + 7 : what;
	if (strncmp(w, "reject: ", 8) == 0) {
		enum lr_rclass c = milter ? R_MILTER : content ? R_CONTENT :
		    classify(rest, rlen);
		lg->rclass[c]++;
		if (milter && smtpd) {
			/* pflogsumm does not count smtpd's milter-reject */
			lg->milter_rejected++;
		} else {
			if (milter)
				lg->milter_rejected++;
			lg->rejected++;
			lg->hours[l->hour][H_REJECTED]++;
		}
		size_t k = 0;
		while (k < rlen && k < 32 && rest[k] != ' ')
			k++;
		pfa_lr_table_get(&lg->rstage, rest, k, SIZE_MAX)->c[0]++;
	} else if (strncmp(w, "reject_warning: ", 16) == 0) {
		lg->reject_warnings++;
	} else if (strncmp(w, "hold: ", 6) == 0) {
		if (!milter)
			lg->held_lines++;
	} else if (strncmp(w, "discard: ", 9) == 0) {
		if (!milter)
			lg->discarded_lines++;
	} else if (strncmp(w, "warning: ", 9) == 0) {
		lg->header_warnings++;
	}
}

/* "host[1.2.3.4]: SASL LOGIN authentication failed: ..." */
static void
sasl_failure(struct pfa_ledger *lg, const char *p, size_t n)
{
	long at = pfa_lr_find(p, n, "]: SASL ");
	if (at < 0 || !has(p, n, "authentication failed"))
		return;
	const char *open = NULL;
	for (long i = at; i >= 0; i--)
		if (p[i] == '[') {
			open = p + i + 1;
			break;
		}
	if (open == NULL)
		return;
	lg->sasl_failures++;
	pfa_lr_table_get(&lg->sasl, open, (size_t)(p + at - open),
	    SIZE_MAX)->c[0]++;
}

/* "... TLS connection established from host[ip]: TLSv1.3 with ..." */
static void
tls(struct pfa_lr_table *t, const char *p, size_t n, bool trust)
{
	long at = pfa_lr_find(p, n, ": TLSv");
	if (at < 0)
		return;
	const char *v = p + at + 2;
	size_t vl = 0, left = n - (size_t)at - 2;
	while (vl < left && v[vl] != ' ')
		vl++;
	/* "TLSv1.3", or with the trust "TLSv1.3 Trusted" */
	char key[64];
	size_t k = vl < 40 ? vl : 40;
	memcpy(key, v, k);
	if (trust) {
		size_t tl = 0;
		while (tl < n && tl < 20 && p[tl] != ' ')
			tl++;
		key[k++] = ' ';
		memcpy(key + k, p, tl);
		k += tl;
	}
	pfa_lr_table_get(t, key, k, SIZE_MAX)->c[0]++;
}

/* "Anonymous TLS connection established from ..." (Untrusted, Trusted,
 * Verified): Postfix puts the phrase after the first word. */
static bool
tls_phrase(const char *p, size_t n, const char *phrase, size_t pl)
{
	const char *sp = memchr(p, ' ', n < 16 ? n : 16);
	return sp != NULL && (size_t)(p + n - sp) > pl &&
	    memcmp(sp, phrase, pl) == 0;
}

bool
pfa_lr_smtpd_info(struct pfa_ledger *lg, const struct pfa_logline *l)
{
	const char *p = l->msg;
	size_t n = l->msglen;
	if (l->sev == PFA_LOGSEV_WARNING) {
		if (is(l, "smtpd"))
			sasl_failure(lg, p, n);
		return true;
	}
	if (!is(l, "smtpd"))
		return false;
	if (STARTS(p, n, "connect from ")) {
		lg->conn_in++;
		return true;
	}
	static const char from[] = " TLS connection established from ";
	if (tls_phrase(p, n, from, sizeof(from) - 1)) {
		lg->tls_in++;
		tls(&lg->tls_in_proto, p, n, false);
		return true;
	}
	return false;
}

bool
pfa_lr_smtp_info(struct pfa_ledger *lg, const struct pfa_logline *l)
{
	const char *p = l->msg;
	size_t n = l->msglen;
	if (!(is(l, "smtp") || is(l, "lmtp")))
		return false;
	static const char to[] = " TLS connection established to ";
	if (tls_phrase(p, n, to, sizeof(to) - 1)) {
		lg->tls_out++;
		tls(&lg->tls_out_proto, p, n, true);
		return true;
	}
	return false;
}

/* ------------------------------------------------------------ providers */

static const struct {
	const char *marker;
	const char *provider;
} providers[] = {
	{ "google.com", "google" }, { "gsmtp", "google" },
	{ "googlemail", "google" },
	{ "outlook.com", "microsoft" }, { "hotmail", "microsoft" },
	{ "microsoft", "microsoft" }, { "yahoodns", "yahoo" },
	{ "yahoo", "yahoo" }, { "aol.com", "yahoo" },
	{ "pphosted", "proofpoint" }, { "proofpoint", "proofpoint" },
	{ "mimecast", "mimecast" }, { "icloud", "apple" },
	{ "apple.com", "apple" }, { "gmx.", "gmx/web.de" },
	{ "web.de", "gmx/web.de" }, { "comcast", "comcast" },
	{ "mail.ru", "mail.ru" }, { "yandex", "yandex" },
};

/* What a provider says when it blocks or throttles a sender's IP. */
static const char *const blocks[] = {
	"s3140", "s3150", "5.7.606", "5.7.511", "4.7.650", "4.7.500",
	"ts01", "ts02", "ts03", "tss04", "tss09", "4.7.28", "5.7.28",
	"reputation", "rate limit", "ratelimit", "rate-limit", "too many",
	"unusual rate", "blocked", "block list", "blocklist", "blacklist",
	"denylist", "spamhaus", "temporarily deferred", "banned",
};

struct pfa_lr_entry *
pfa_lr_provider(struct pfa_ledger *lg, const char *relay, size_t rlen,
    const char *reason, size_t len, const char *key)
{
	char low[1024];
	size_t n = 0;
	for (size_t i = 0; i < rlen && n < 200; i++)
		low[n++] = (char)tolower((unsigned char)relay[i]);
	low[n++] = ' ';
	for (size_t i = 0; reason != NULL && i < len && n < sizeof(low) - 1;
	    i++)
		low[n++] = (char)tolower((unsigned char)reason[i]);
	low[n] = '\0';
	bool block = false;
	for (size_t i = 0; i < sizeof(blocks) / sizeof(blocks[0]) && !block;
	    i++)
		block = strstr(low, blocks[i]) != NULL;
	if (!block)
		return NULL;
	const char *who = "other";
	for (size_t i = 0; i < sizeof(providers) / sizeof(providers[0]); i++)
		if (strstr(low, providers[i].marker) != NULL) {
			who = providers[i].provider;
			break;
		}
	struct pfa_lr_entry *e = pfa_lr_table_get(&lg->providers, who, strlen(who),
	    SIZE_MAX);
	e->c[0]++;
	pfa_lr_table_note(&lg->providers, e, key, strlen(key));
	return e;
}

/* ------------------------------------------------------------ reasons */

/* S (N bytes) into OUT (room for N) with each "<...>" that holds an '@'
 * as "<>", as pfa_reason_normalize does; the length written. */
static size_t
elide_addresses(char *out, const char *s, size_t n)
{
	size_t o = 0, i = 0;
	while (i < n) {
		const char *lt = memchr(s + i, '<', n - i);
		size_t run = lt ? (size_t)(lt - (s + i)) : n - i;
		memcpy(out + o, s + i, run);
		o += run;
		i += run;
		if (lt == NULL)
			break;
		const char *gt = memchr(lt, '>', n - i);
		if (gt != NULL && memchr(lt, '@', (size_t)(gt - lt)) != NULL) {
			out[o++] = '<';
			out[o++] = '>';
			i = (size_t)(gt - s) + 1;
		} else {
			out[o++] = '<';
			i++;
		}
	}
	return o;
}

void
pfa_lr_reason(struct pfa_ledger *lg, bool bounce, const char *relay,
    size_t rlen, const char *dsn, size_t dsnlen, const char *reason,
    size_t len)
{
	char key[RKEY_MAX];
	size_t kl = 0;
	struct lr_rcache *c = NULL;
	/* the text without the addresses it quotes: the reason's group
	 * (pfa_reason_normalize) and the provider check do not look at
	 * them, so replies that differ only there share a cache entry */
	char *bare = pfa_xmalloc(len + 1);
	size_t bl = elide_addresses(bare, reason ? reason : "", len);
	if (dsnlen + rlen + bl + 2 <= sizeof(key)) {
		if (dsnlen > 0)
			memcpy(key, dsn, dsnlen);
		key[dsnlen] = '\0';
		if (rlen > 0)
			memcpy(key + dsnlen + 1, relay, rlen);
		key[dsnlen + 1 + rlen] = '\0';
		memcpy(key + dsnlen + rlen + 2, bare, bl);
		kl = dsnlen + rlen + 2 + bl;
		uint32_t h = pfa_lr_hash(key, kl) ^ (bounce ? 0x9e3779b9u : 0);
		c = &lg->rcache[h % PFA_LR_RCACHE];
		if (c->reason != NULL && c->hash == h && c->len == kl &&
		    c->bounce == bounce && memcmp(c->key, key, kl) == 0) {
			c->reason->c[0]++;
			if (c->provider != NULL)
				c->provider->c[0]++;
			free(bare);
			return;
		}
		c->hash = h;
	}
	struct pfa_lr_table *t = bounce ? &lg->bounce_reasons :
	    &lg->defer_reasons;
	char d[16] = "";
	if (dsn != NULL && dsnlen > 0 && dsnlen < sizeof(d)) {
		memcpy(d, dsn, dsnlen);
		d[dsnlen] = '\0';
	}
	char *text = pfa_xmalloc(len + 1);
	memcpy(text, reason ? reason : "", len);
	text[len] = '\0';
	struct pfa_reason r;
	pfa_reason_make(&r, *d ? d : NULL, text);
	char *k = pfa_reason_key(&r);
	pfa_reason_free(&r);
	struct pfa_lr_entry *e = pfa_lr_table_get(t, k, strlen(k), SIZE_MAX);
	e->c[0]++;
	pfa_lr_table_note(t, e, text, len);
	free(text);
	struct pfa_lr_entry *p = pfa_lr_provider(lg, relay, rlen, bare, bl, k);
	free(k);
	free(bare);
	if (c != NULL) {
		c->len = (uint16_t)kl;
		c->bounce = bounce;
		memcpy(c->key, key, kl);
		c->reason = e;
		c->provider = p;
	}
}

/* ------------------------------------------------------------ known */

#define K(s) { s, sizeof(s) - 1 }
static const struct {
	const char *w;
	size_t n;
} known[] = {
	K("connect from "),
	K("disconnect from "),
	K("lost connection "),
	K("timeout after "),
	K("too many errors "),
	K("improper command pipelining"),
	K("message-id="),
	K("resent-message-id="),
	K("statistics: "),
	K("daemon started"),
	K("reload "),
	K("terminating on signal"),
	K("refreshing the Postfix"),
	K("starting the Postfix"),
	K("stopping the Postfix"),
	K("the Postfix mail"),
	K("waiting for the Postfix"),
	K("connect to "),
	K("Anonymous TLS"),
	K("Untrusted TLS"),
	K("Trusted TLS"),
	K("Verified TLS"),
	K("SSL_accept error"),
	K("SSL_connect error"),
	K("setting up TLS"),
	K("host "),
	K("conversation with "),
	K("lost connection with "),
	K("sender non-delivery notification"),
	K("sender delivery status notification"),
	K("postmaster non-delivery"),
	K("CONNECT from "),
	K("DISCONNECT "),
	K("PASS OLD"),
	K("PASS NEW"),
	K("DNSBL rank"),
	K("PREGREET"),
	K("HANGUP"),
	K("COMMAND "),
	K("BARE NEWLINE"),
	K("NON-SMTP COMMAND"),
	K("DATA without valid RCPT"),
	K("BDAT without valid RCPT"),
	K("WHITELISTED"),
	K("ALLOWLISTED"),
	K("BLACKLISTED"),
	K("DENYLISTED"),
	K("WHITELIST VETO"),
	K("ALLOWLIST VETO"),
	K("cache "),
	K("skipped, still being delivered"),
	K("released from hold"),
	K("requeued"),
	K("Deleted: "),
	K("Placed on hold: "),
	K("Released from hold: "),
	K("Requeued: "),
	K("enabling PIX workarounds"),
	K("Host offered STARTTLS"),
	K("server certificate verification failed"),
	K("certificate verification failed"),
	K("uid="),
	K("sender="),
	K("proxy-accept"),
	K("proxy-reject"),
	K("filter: "),
	K("redirect: "),
	K("info: "),
	K("prepend: "),
	K("replace: "),
	K("delete: "),
	K("NOQUEUE: "),
	K("TLS SNI"),
	K("client="),
	K("sender address rejected"),
	K("Trusted SMTP"),
	K("Untrusted SMTP"),
	K("Anonymous SMTP"),
	K("Verified SMTP"),
	K("mapping DSN status"),
	K("hostname "),
	K("address not listed"),
	K("connection rate limit"),
	K("connection count limit"),
	K("message delivery request rate limit"),
	K("recipient address rate limit"),
	K("not resolving"),
	K("dict_"),
	K("cannot find your"),
	K("addr "),
	K("discarding EHLO keywords"),
	K("bare <LF>"),
	K("sender delay notification"),
	K("sender success notification"),
	K("SASL authentication failed"),
	K("milter-"),
	K("warning: "),
};

#define NKNOWN (sizeof(known) / sizeof(known[0]))
_Static_assert(NKNOWN < 256, "by_first holds indices below 256");

/* The shapes by their first byte: BY_FIRST[FIRST[C] ...] lists those
 * that begin with C (built once, before any thread reads them). */
static uint8_t by_first[NKNOWN];
static uint16_t first[257];
static pthread_once_t known_once = PTHREAD_ONCE_INIT;

static void
index_known(void)
{
	size_t n = 0;
	for (int c = 0; c < 256; c++) {
		first[c] = (uint16_t)n;
		for (size_t i = 0; i < NKNOWN; i++)
			if ((unsigned char)known[i].w[0] == c)
				by_first[n++] = (uint8_t)i;
	}
	first[256] = (uint16_t)n;
}

bool
pfa_lr_known(const struct pfa_logline *l)
{
	const char *p = l->msg;
	size_t n = l->msglen;
	if (n == 0)
		return false;
	pthread_once(&known_once, index_known);
	unsigned c = (unsigned char)p[0];
	for (unsigned k = first[c]; k < first[c + 1]; k++) {
		size_t i = by_first[k];
		if (n >= known[i].n && memcmp(p, known[i].w, known[i].n) == 0)
			return true;
	}
	return false;
}
