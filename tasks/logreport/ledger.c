/*
 * ledger.c - log-report's counts (ledger.h): the dispatch of one line,
 * the open messages, deliveries, and the delay distribution.  Reject,
 * SASL, TLS and provider lines are ledger_smtpd.c's.
 *
 * Hot path: runs for every line of the log.  No allocation for the lines
 * that make up most of a log (connect, cleanup, qmgr, sent); a message
 * record while a message is open; table keys once per distinct key.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ledger.h"
#include "ledger_int.h"
#include "reason.h"
#include "result.h"

#define PEND_CAP 16384

const char *const pfa_lr_rclass_names[R_NCLASS] = {
	"relay_denied", "unknown_recipient", "rbl", "helo", "sender",
	"client", "milter", "content", "other",
};

void
pfa_ledger_init(struct pfa_ledger *lg, const struct pfa_lognames *names,
    size_t max_keys)
{
	memset(lg, 0, sizeof(*lg));
	lg->names = names;
	struct pfa_lr_table *t[] = { &lg->rcpt, &lg->rcpt_dom, &lg->sender,
		&lg->sender_dom, &lg->sasl };
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		pfa_lr_table_init(t[i], max_keys);
	struct pfa_lr_table *s[] = { &lg->rstage, &lg->defer_reasons,
		&lg->bounce_reasons, &lg->providers, &lg->tls_in_proto,
		&lg->tls_out_proto, &lg->severe, &lg->sev_daemon,
		&lg->unparsed_daemon, &lg->skipped_prog };
	for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++)
		pfa_lr_table_init(s[i], 1000);
	lg->msgs_cap = 1024;
	lg->msgs = pfa_xcalloc(lg->msgs_cap, sizeof(*lg->msgs));
	lg->pend_cap = PEND_CAP;
	lg->pend = pfa_xcalloc(PEND_CAP, sizeof(*lg->pend));
	lg->rcache = pfa_xcalloc(PFA_LR_RCACHE, sizeof(*lg->rcache));
}

void
pfa_ledger_free(struct pfa_ledger *lg)
{
	struct pfa_lr_table *t[] = { &lg->rcpt, &lg->rcpt_dom, &lg->sender,
		&lg->sender_dom, &lg->sasl, &lg->rstage, &lg->defer_reasons,
		&lg->bounce_reasons, &lg->providers, &lg->tls_in_proto,
		&lg->tls_out_proto, &lg->severe, &lg->sev_daemon,
		&lg->unparsed_daemon, &lg->skipped_prog };
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		pfa_lr_table_free(t[i]);
	for (size_t i = 0; i < lg->msgs_cap; i++)
		if (lg->msgs[i] != NULL) {
			free(lg->msgs[i]->r);
			free(lg->msgs[i]);
		}
	free(lg->msgs);
	free(lg->pend);
	free(lg->rcache);
	for (int i = 0; i < lg->nfatal_lines; i++)
		free(lg->fatal_lines[i]);
	free(lg->replay);
	memset(lg, 0, sizeof(*lg));
}

/* ------------------------------------------------------------ delays */

static int
delay_bucket(double v)
{
	if (v < 0)
		v = 0;
	if (v < 10)
		return (int)(v * 20);
	int b = 200 + (int)(log(v / 10) / log(1.012));
	return b >= DELAY_BUCKETS ? DELAY_BUCKETS - 1 : b;
}

static double
bucket_value(int b)
{
	if (b < 200)
		return (b + 0.5) / 20;
	return 10 * pow(1.012, b - 200 + 0.5);
}

static void
delay_add(struct pfa_ledger *lg, double v)
{
	lg->delay_n++;
	lg->delay_hist[delay_bucket(v)]++;
	if (v > lg->delay_max)
		lg->delay_max = v;
}

double
pfa_ledger_delay_quantile(const struct pfa_ledger *lg, double q)
{
	if (lg->delay_n == 0)
		return 0;
	uint64_t want = (uint64_t)ceil(q * (double)lg->delay_n), seen = 0;
	if (want == 0)
		want = 1;
	for (int b = 0; b < DELAY_BUCKETS; b++) {
		seen += lg->delay_hist[b];
		if (seen >= want) {
			double v = bucket_value(b);
			return v > lg->delay_max ? lg->delay_max : v;
		}
	}
	return lg->delay_max;
}

/* ------------------------------------------------------------ delivery */

struct delivery {
	const char *to, *relay, *dsn, *status, *reason;
	size_t tolen, relaylen, dsnlen, statuslen, reasonlen;
	double delay;
};

/* Value of ", NAME=" in P up to the next ", "; false if absent. */
static bool
kv(const char *p, size_t n, const char *name, const char **v, size_t *vl)
{
	long at = pfa_lr_find(p, n, name);
	if (at < 0)
		return false;
	const char *s = p + at + strlen(name);
	size_t left = n - (size_t)(s - p);
	const char *e = memchr(s, ',', left);
	*v = s;
	*vl = e ? (size_t)(e - s) : left;
	return true;
}

/* "12.34" (Postfix's delay=, no exponent, no locale) as seconds. */
static double
seconds(const char *p, size_t n)
{
	double v = 0, scale = 1;
	size_t i = 0;
	for (; i < n && p[i] >= '0' && p[i] <= '9'; i++)
		v = v * 10 + (p[i] - '0');
	if (i < n && p[i] == '.')
		for (i++; i < n && p[i] >= '0' && p[i] <= '9'; i++)
			v += (p[i] - '0') * (scale /= 10);
	return v;
}

/* The fields between "to=<A>" (P, N bytes from its '>') and "status=",
 * one after the other as Postfix writes them: ", NAME=VALUE" with no
 * comma in VALUE (orig_to=<...> may have one).  The offset of
 * "status=", or -1 when the line is not of that shape. */
static long
delivery_fields(const char *p, size_t n, struct delivery *d, const char **dv,
    size_t *dl)
{
	size_t i = 0;
	while (i + 2 < n && p[i] == ',' && p[i + 1] == ' ') {
		const char *f = p + i + 2;
		size_t left = n - i - 2, nl = 0;
		while (nl < left && nl < 12 && f[nl] != '=' && f[nl] != ',')
			nl++;
		if (nl == left || f[nl] != '=')
			return -1;
		if (nl == 6 && memcmp(f, "status", 6) == 0)
			return (long)(i + 2);
		const char *v = f + nl + 1, *end = p + n;
		if (nl == 7 && memcmp(f, "orig_to", 7) == 0 && v < end &&
		    *v == '<') {
			const char *gt = memchr(v, '>', (size_t)(end - v));
			if (gt == NULL)
				return -1;
			i = (size_t)(gt + 1 - p);
			continue;
		}
		const char *c = memchr(v, ',', (size_t)(end - v));
		size_t vl = c ? (size_t)(c - v) : (size_t)(end - v);
		if (nl == 5 && memcmp(f, "relay", 5) == 0 && d->relay == NULL) {
			d->relay = v;
			d->relaylen = vl;
		} else if (nl == 5 && memcmp(f, "delay", 5) == 0 && *dv == NULL) {
			*dv = v;
			*dl = vl;
		} else if (nl == 3 && memcmp(f, "dsn", 3) == 0 && d->dsn == NULL) {
			d->dsn = v;
			d->dsnlen = vl;
		}
		i = (size_t)(v + vl - p);
	}
	return -1;
}

/* "to=<A>, [orig_to=<O>, ]relay=R, ...delay=D, ...status=S (REASON)"
 * (pflogsumm's shape: relay= and delay= are required). */
static bool
parse_delivery(const char *p, size_t n, struct delivery *d)
{
	memset(d, 0, sizeof(*d));
	if (!STARTS(p, n, "to=<"))
		return false;
	const char *a = p + 4, *e = memchr(a, '>', n - 4);
	if (e == NULL)
		return false;
	d->to = a;
	d->tolen = (size_t)(e - a);
	size_t off = (size_t)(e - p) + 1;
	const char *head = p + off;
	const char *dv = NULL;
	size_t dl = 0;
	long st = delivery_fields(head, n - off, d, &dv, &dl);
	if (st >= 0) {
		st -= 2;	/* at ", status=" */
	} else {
		/* not field after field: where ", status=" is, and the
		 * fields before it wherever they are */
		st = pfa_lr_find(head, n - off, ", status=");
		if (st < 0)
			return false;
		size_t hl = (size_t)st;
		if (!kv(head, hl, ", relay=", &d->relay, &d->relaylen) ||
		    !kv(head, hl, ", delay=", &dv, &dl))
			return false;
		kv(head, hl, ", dsn=", &d->dsn, &d->dsnlen);
	}
	if (d->relay == NULL || dv == NULL)
		return false;
	d->delay = seconds(dv, dl);
	const char *s = head + st + 9;
	size_t sl = n - (size_t)(s - p), k = 0;
	while (k < sl && s[k] != ' ' && s[k] != ',')
		k++;
	d->status = s;
	d->statuslen = k;
	if (k + 1 < sl && s[k] == ' ' && s[k + 1] == '(') {
		d->reason = s + k + 2;
		d->reasonlen = sl - k - 2;
		if (d->reasonlen > 0 && d->reason[d->reasonlen - 1] == ')')
			d->reasonlen--;
	}
	return true;
}

static bool
loopback_relay(const char *r, size_t n)
{
	for (const char *b, *end = r + n; (b = memchr(r, '[', (size_t)(end - r)));
	    r = b + 1)
		if ((end - b >= 5 && memcmp(b, "[127.", 5) == 0) ||
		    (end - b >= 5 && memcmp(b, "[::1]", 5) == 0))
			return true;
	return false;
}

static size_t
at_sign(const char *a, size_t n)
{
	const char *at = pfa_lr_memrchr(a, '@', n);
	return at ? (size_t)(at - a) : n;
}

static void
rcpt_entries(struct pfa_ledger *lg, const char *to, size_t n,
    struct pfa_lr_entry **addr, struct pfa_lr_entry **dom)
{
	size_t at = at_sign(to, n);
	*addr = pfa_lr_table_get(&lg->rcpt, to, n, at);
	if ((*dom = (*addr)->link) != NULL)
		return;
	if (at < n)
		*dom = pfa_lr_table_get(&lg->rcpt_dom, to + at + 1, n - at - 1, 0);
	else
		*dom = pfa_lr_table_get(&lg->rcpt_dom, to, n, 0);
	/* an address's domain is looked up once, not per line; "(other)"
	 * stands for many addresses and domains */
	if (*addr != lg->rcpt.other)
		(*addr)->link = *dom;
}

static struct lr_pending *
pend_slot(struct pfa_ledger *lg, const char *id, size_t len)
{
	return &lg->pend[pfa_lr_hash(id, len) & (lg->pend_cap - 1)];
}

bool
pfa_lr_pending_has(struct pfa_ledger *lg, const char *qid, size_t len,
    int64_t when)
{
	struct lr_pending *p = pend_slot(lg, qid, len);
	return p->len != 0 && p->len == len && memcmp(p->id, qid, len) == 0 &&
	    when - p->when <= PFA_LR_PEND_AGE;
}


static void
delivery(struct pfa_ledger *lg, const struct pfa_logline *l, struct lr_msg *m,
    const struct delivery *d)
{
	int h = l->hour;
	struct pfa_lr_entry *addr, *dom;
	const char *s = d->status;
	size_t sl = d->statuslen;
	if (sl == 4 && memcmp(s, "sent", 4) == 0) {
		/* "queued as ID" and "forwarded as ID": one search for both */
		long q = -1;
		bool fwd = false;
		for (size_t at = 0; d->reason != NULL && at < d->reasonlen;) {
			long f = pfa_lr_find(d->reason + at, d->reasonlen - at,
			    "ed as ");
			if (f < 0)
				break;
			size_t x = at + (size_t)f;
			if (q < 0 && x >= 4 && memcmp(d->reason + x - 4,
			    "queued as ", 10) == 0)
				q = (long)x - 4;
			if (x >= 7 && memcmp(d->reason + x - 7, "forwarded as ",
			    13) == 0)
				fwd = true;
			at = x + 6;
		}
		if (fwd) {
			lg->forwarded++;
			return;
		}
		lg->delivered++;
		lg->hours[h][H_DELIVERED]++;
		rcpt_entries(lg, d->to, d->tolen, &addr, &dom);
		addr->c[C_DELIVERED]++;
		dom->c[C_DELIVERED]++;
		delay_add(lg, d->delay);
		struct lr_rcpt *r = pfa_lr_msg_rcpt(m, addr, dom, false);
		if (r != NULL)
			r->open = false;
		if (q >= 0 && loopback_relay(d->relay, d->relaylen)) {
			const char *id = d->reason + q + 10;
			size_t il = 0, left = d->reasonlen - (size_t)q - 10;
			while (il < left && il < 24 && ((id[il] >= '0' &&
			    id[il] <= '9') || (id[il] >= 'A' && id[il] <= 'Z') ||
			    (id[il] >= 'a' && id[il] <= 'z')))
				il++;
			struct lr_pending *p = pend_slot(lg, id, il);
			memcpy(p->id, id, il);
			p->len = (uint8_t)il;
			p->when = l->when;
			p->addr = addr;
			p->dom = dom;
		}
		return;
	}
	if (sl == 8 && memcmp(s, "deferred", 8) == 0) {
		lg->deferrals++;
		lg->hours[h][H_DEFERRED]++;
		rcpt_entries(lg, d->to, d->tolen, &addr, &dom);
		addr->c[C_DEFERRALS]++;
		dom->c[C_DEFERRALS]++;
		if (!(m->flags & M_DEFERRED)) {
			m->flags |= M_DEFERRED;
			lg->deferred++;
		}
		struct lr_rcpt *r = pfa_lr_msg_rcpt(m, addr, dom, false);
		if (r == NULL) {
			addr->c[C_DEFERRED]++;
			dom->c[C_DEFERRED]++;
			r = pfa_lr_msg_rcpt(m, addr, dom, true);
		}
		if (r != NULL)
			r->open = true;
		pfa_lr_reason(lg, false, d->relay, d->relaylen, d->dsn,
		    d->dsnlen, d->reason, d->reasonlen);
		return;
	}
	if (sl == 7 && memcmp(s, "bounced", 7) == 0) {
		lg->bounced++;
		lg->hours[h][H_BOUNCED]++;
		rcpt_entries(lg, d->to, d->tolen, &addr, &dom);
		addr->c[C_BOUNCED]++;
		dom->c[C_BOUNCED]++;
		delay_add(lg, d->delay);
		struct lr_rcpt *r = pfa_lr_msg_rcpt(m, addr, dom, false);
		if (r != NULL)
			r->open = false;
		pfa_lr_reason(lg, true, d->relay, d->relaylen, d->dsn,
		    d->dsnlen, d->reason, d->reasonlen);
		return;
	}
	if (sl == 7 && memcmp(s, "expired", 7) == 0) {
		rcpt_entries(lg, d->to, d->tolen, &addr, &dom);
		addr->c[C_EXPIRED]++;
		dom->c[C_EXPIRED]++;
		struct lr_rcpt *r = pfa_lr_msg_rcpt(m, addr, dom, false);
		if (r != NULL)
			r->open = false;
		return;
	}
	/* deliverable/undeliverable: address verification probes */
	lg->probes++;
}

/* qmgr's "from=<S>, status=expired, returned to sender". */
static void
expired(struct pfa_ledger *lg, const struct pfa_logline *l, struct lr_msg *m,
    bool forced)
{
	if (m->flags & M_EXPIRED)
		return;
	m->flags |= M_EXPIRED;
	lg->expired++;
	if (forced)
		lg->force_expired++;
	for (uint16_t i = 0; i < m->nr; i++)
		if (m->r[i].open) {
			m->r[i].addr->c[C_EXPIRED]++;
			m->r[i].dom->c[C_EXPIRED]++;
			m->r[i].open = false;
		}
	(void)l;
}

/* ------------------------------------------------------------ a line */

static void
severe(struct pfa_ledger *lg, const struct pfa_logline *l, const char *raw,
    size_t len)
{
	int col = l->sev == PFA_LOGSEV_WARNING ? 0 :
	    l->sev == PFA_LOGSEV_ERROR ? 1 : l->sev == PFA_LOGSEV_FATAL ? 2 : 3;
	uint64_t *tot[] = { &lg->warnings, &lg->errors, &lg->fatals,
		&lg->panics };
	(*tot[col])++;
	struct pfa_lr_entry *d = pfa_lr_table_get(&lg->sev_daemon, l->daemon,
	    l->daemonlen, SIZE_MAX);
	d->c[col]++;
	/* the text without the prefix, normalised, per daemon */
	size_t skip = l->textlen - (l->qid ? l->msglen + l->qidlen + 2 :
	    l->msglen);
	const char *t = l->text + skip;
	size_t tl = l->textlen - skip;
	char *text = pfa_xmalloc(tl + 1);
	memcpy(text, t, tl);
	text[tl] = '\0';
	char *norm = pfa_reason_normalize(text);
	char *key = pfa_xasprintf("%s %.*s: %s", pfa_logsev_name(l->sev),
	    (int)l->daemonlen, l->daemon, norm);
	struct pfa_lr_entry *e = pfa_lr_table_get(&lg->severe, key, strlen(key),
	    SIZE_MAX);
	e->c[0]++;
	e->c[1] = (uint64_t)l->sev;
	pfa_lr_table_note(&lg->severe, e, text, tl);
	free(key);
	free(norm);
	free(text);
	if (col >= 2 && lg->nfatal_lines < 10)
		lg->fatal_lines[lg->nfatal_lines++] = pfa_xasprintf("%.*s",
		    (int)len, raw);
}

static void
sender(struct pfa_ledger *lg, struct lr_msg *m, const char *p, size_t n)
{
	/* "from=<S>, size=N, nrcpt=M (queue active)" */
	const char *e = memchr(p + 6, '>', n - 6);
	if (e == NULL)
		return;
	const char *a = p + 6;
	size_t al = (size_t)(e - a);
	const char *sz = NULL;
	size_t szl = 0;
	kv(e, n - (size_t)(e - p), ", size=", &sz, &szl);
	if ((m->flags & (M_RECEIVED | M_SENDER | M_REINJECTED)) != M_RECEIVED)
		return;
	m->flags |= M_SENDER;
	uint64_t bytes = sz ? strtoull(sz, NULL, 10) : 0;
	size_t at = at_sign(a, al);
	struct pfa_lr_entry *s = al ? pfa_lr_table_get(&lg->sender, a, al, at) :
	    pfa_lr_table_get(&lg->sender, "<>", 2, SIZE_MAX);
	s->c[C_MSGS]++;
	s->c[C_BYTES] += bytes;
	struct pfa_lr_entry *d = s->link;
	if (d == NULL) {
		d = at < al ? pfa_lr_table_get(&lg->sender_dom, a + at + 1,
		    al - at - 1, 0) : pfa_lr_table_get(&lg->sender_dom, "<>", 2,
		    SIZE_MAX);
		if (s != lg->sender.other)
			s->link = d;
	}
	d->c[C_MSGS]++;
	d->c[C_BYTES] += bytes;
}

static void
received(struct pfa_ledger *lg, const struct pfa_logline *l, struct lr_msg *m)
{
	lg->received++;
	lg->hours[l->hour][H_RECEIVED]++;
	m->flags |= M_RECEIVED;
	struct lr_pending *p = pend_slot(lg, l->qid, l->qidlen);
	if (p->len != 0 && p->len == l->qidlen &&
	    memcmp(p->id, l->qid, l->qidlen) == 0 &&
	    l->when - p->when <= PFA_LR_PEND_AGE &&
	    loopback_relay(l->msg, l->msglen)) {
		/* a content filter's re-injection: the hop to the filter
		 * was no delivery of its own */
		lg->reinjected++;
		m->flags |= M_REINJECTED;
		if (p->addr->c[C_DELIVERED] > 0)
			p->addr->c[C_DELIVERED]--;
		if (p->dom->c[C_DELIVERED] > 0)
			p->dom->c[C_DELIVERED]--;
		p->len = 0;
	}
}

/* A line with a queue id (not NOQUEUE). */
static bool
qid_line(struct pfa_ledger *lg, const struct pfa_logline *l)
{
	const char *p = l->msg;
	size_t n = l->msglen;
	const char *dm = l->daemon;
	size_t dl = l->daemonlen;
	bool smtpd = (dl == 5 && memcmp(dm, "smtpd", 5) == 0) ||
	    (dl == 10 && memcmp(dm, "postscreen", 10) == 0);
	if (STARTS(p, n, "to=<")) {
		struct delivery d;
		if (!parse_delivery(p, n, &d))
			return false;
		struct lr_msg *m = pfa_lr_msg_get(lg, l->qid, l->qidlen, l->when,
		    false);
		delivery(lg, l, m, &d);
		return true;
	}
	if (smtpd && STARTS(p, n, "client=")) {
		received(lg, l, pfa_lr_msg_get(lg, l->qid, l->qidlen, l->when, false));
		return true;
	}
	if (dl == 6 && memcmp(dm, "pickup", 6) == 0 &&
	    (STARTS(p, n, "uid=") || STARTS(p, n, "sender="))) {
		received(lg, l, pfa_lr_msg_get(lg, l->qid, l->qidlen, l->when, false));
		return true;
	}
	if (STARTS(p, n, "removed")) {
		struct lr_msg *m = pfa_lr_msg_get(lg, l->qid, l->qidlen, 0, true);
		if (m != NULL)
			pfa_lr_msg_close(lg, m);
		return true;
	}
	if (STARTS(p, n, "from=<")) {
		struct lr_msg *m = pfa_lr_msg_get(lg, l->qid, l->qidlen, l->when,
		    false);
		/* ", status=expired" or ", status=force-expired" anywhere */
		bool exp = false, force = false;
		for (size_t at = 0; at < n && !exp;) {
			long f = pfa_lr_find(p + at, n - at, ", status=");
			if (f < 0)
				break;
			at += (size_t)f + 9;
			exp = STARTS(p + at, n - at, "expired");
			if (STARTS(p + at, n - at, "force-expired"))
				force = true;
		}
		if (!exp && force)
			expired(lg, l, m, true);
		else if (exp)
			expired(lg, l, m, false);
		else
			sender(lg, m, p, n);
		return true;
	}
	/* actions: smtpd's access rules, cleanup's header/body checks */
	static const struct { const char *w; size_t n; } acts[] = {
		{ "reject: ", 8 }, { "milter-reject: ", 15 },
		{ "reject_warning: ", 16 }, { "hold: ", 6 },
		{ "milter-hold: ", 13 }, { "discard: ", 9 },
		{ "milter-discard: ", 16 }, { "warning: ", 9 },
		{ "placed on hold", 14 },
	};
	for (size_t i = 0; i < sizeof(acts) / sizeof(acts[0]); i++)
		if (starts(p, n, acts[i].w, acts[i].n)) {
			pfa_lr_reject(lg, l, acts[i].w, acts[i].n, p + acts[i].n,
			    n - acts[i].n);
			if (i == 3 || i == 4 || i == 8) {
				struct lr_msg *m = pfa_lr_msg_get(lg, l->qid,
				    l->qidlen, l->when, false);
				if (!(m->flags & M_HELD)) {
					m->flags |= M_HELD;
					lg->held++;
				}
			} else if (i == 5 || i == 6) {
				struct lr_msg *m = pfa_lr_msg_get(lg, l->qid,
				    l->qidlen, l->when, false);
				if (!(m->flags & M_DISCARDED)) {
					m->flags |= M_DISCARDED;
					lg->discarded++;
				}
			}
			return true;
		}
	return pfa_lr_known(l);
}

void
pfa_ledger_line(struct pfa_ledger *lg, const struct pfa_logline *l, bool parsed,
    const char *raw, size_t len)
{
	if (!parsed) {
		lg->lines++;
		lg->malformed++;
		return;
	}
	if (lg->since > 0 && l->when < lg->since)
		return;
	if (lg->until > 0 && l->when >= lg->until)
		return;
	bool ours = pfa_lognames_match(lg->names, l);
	if (lg->split && ours && l->qid != NULL &&
	    pfa_lr_split_keep(lg, l, raw, len))
		return;
	lg->lines++;
	if (!ours) {
		lg->skipped++;
		pfa_lr_table_get(&lg->skipped_prog, l->prog, l->proglen,
		    SIZE_MAX)->c[0]++;
		return;
	}
	lg->ours++;
	if (lg->first == 0 || l->when < lg->first)
		lg->first = l->when;
	if (l->when > lg->last)
		lg->last = l->when;
	bool known;
	if (l->sev != PFA_LOGSEV_INFO) {
		severe(lg, l, raw, len);
		known = true;
		if (l->sev == PFA_LOGSEV_WARNING)
			(void)pfa_lr_smtpd_info(lg, l);	/* SASL failures */
	} else if (l->qid != NULL && !(l->qidlen == 7 &&
	    memcmp(l->qid, "NOQUEUE", 7) == 0)) {
		known = qid_line(lg, l);
	} else if (l->qid != NULL) {
		/* NOQUEUE: reject: RCPT from ... */
		const char *p = l->msg;
		size_t n = l->msglen;
		known = true;
		if (STARTS(p, n, "reject: "))
			pfa_lr_reject(lg, l, "reject: ", 8, p + 8, n - 8);
		else if (STARTS(p, n, "reject_warning: "))
			pfa_lr_reject(lg, l, "reject_warning: ", 16, p + 16, n - 16);
		else if (STARTS(p, n, "milter-reject: "))
			pfa_lr_reject(lg, l, "milter-reject: ", 15, p + 15, n - 15);
		else if (STARTS(p, n, "hold: "))
			pfa_lr_reject(lg, l, "hold: ", 6, p + 6, n - 6);
		else if (STARTS(p, n, "discard: "))
			pfa_lr_reject(lg, l, "discard: ", 9, p + 9, n - 9);
		else
			known = pfa_lr_known(l);
	} else {
		known = pfa_lr_smtpd_info(lg, l) || pfa_lr_smtp_info(lg, l) ||
		    pfa_lr_known(l);
	}
	if (!known) {
		lg->unparsed++;
		struct pfa_lr_entry *e = pfa_lr_table_get(&lg->unparsed_daemon,
		    l->daemon, l->daemonlen, SIZE_MAX);
		e->c[0]++;
		pfa_lr_table_note(&lg->unparsed_daemon, e, raw, len);
	}
}
