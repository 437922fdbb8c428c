/*
 * ledger_delivery.c - log-report's deliveries (ledger_int.h): the
 * "to=<A>, relay=R, delay=D, ..., status=S (REASON)" line read field by
 * field, what each status counts per recipient address and domain, the
 * re-injections that wait for their client= line, expiry, the delay
 * distribution.
 *
 * Hot path: a quarter of a log's lines are deliveries.  No allocation
 * but a table key once per distinct address.  Lines are data.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ledger.h"
#include "ledger_int.h"
#include "vec16.h"

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

void
pfa_lr_delay_add(struct pfa_ledger *lg, double v)
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
bool
pfa_lr_kv(const char *p, size_t n, const char *name, const char **v, size_t *vl)
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
#ifdef VEC16
		if (left >= 16) {
			v16 v = load16(f);
			uint32_t m = mask16((m16)(v == '=') | (m16)(v == ','));
			nl = m != 0 && __builtin_ctz(m) < 12 ?
			    (size_t)__builtin_ctz(m) : 12;
		} else
#endif
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
		if (!pfa_lr_kv(head, hl, ", relay=", &d->relay, &d->relaylen) ||
		    !pfa_lr_kv(head, hl, ", delay=", &dv, &dl))
			return false;
		pfa_lr_kv(head, hl, ", dsn=", &d->dsn, &d->dsnlen);
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

bool
pfa_lr_loopback(const char *r, size_t n)
{
	for (const char *b, *end = r + n; (b = memchr(r, '[', (size_t)(end - r)));
	    r = b + 1)
		if ((end - b >= 5 && memcmp(b, "[127.", 5) == 0) ||
		    (end - b >= 5 && memcmp(b, "[::1]", 5) == 0))
			return true;
	return false;
}

size_t
pfa_lr_at_sign(const char *a, size_t n)
{
	const char *at = pfa_lr_memrchr(a, '@', n);
	return at ? (size_t)(at - a) : n;
}

static void
rcpt_entries(struct pfa_ledger *lg, const char *to, size_t n,
    struct pfa_lr_entry **addr, struct pfa_lr_entry **dom)
{
	size_t at = pfa_lr_at_sign(to, n);
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

/* A queue id's slot and its tag: the tags (two bytes a slot) are read
 * for every message received and stay in the cache; the slot itself
 * only when the tag matches. */
static size_t
pend_index(const struct pfa_ledger *lg, const char *id, size_t len,
    uint16_t *tag)
{
	uint32_t h = pfa_lr_hash(id, len);
	*tag = (uint16_t)((h >> 16) | 1);
	return h & (lg->pend_cap - 1);
}

struct lr_pending *
pfa_lr_pend_find(struct pfa_ledger *lg, const char *qid, size_t len,
    int64_t when)
{
	uint16_t tag;
	size_t i = pend_index(lg, qid, len, &tag);
	if (lg->pend_tag[i] != tag)
		return NULL;
	struct lr_pending *p = &lg->pend[i];
	return p->len == len && memcmp(p->id, qid, len) == 0 &&
	    when - p->when <= PFA_LR_PEND_AGE ? p : NULL;
}

void
pfa_lr_pend_clear(struct pfa_ledger *lg, struct lr_pending *p)
{
	p->len = 0;
	lg->pend_tag[p - lg->pend] = 0;
}

static void
pend_set(struct pfa_ledger *lg, const char *id, size_t len, int64_t when,
    struct pfa_lr_entry *addr, struct pfa_lr_entry *dom)
{
	uint16_t tag;
	size_t i = pend_index(lg, id, len, &tag);
	struct lr_pending *p = &lg->pend[i];
	memcpy(p->id, id, len);
	p->len = (uint8_t)len;
	p->when = when;
	p->addr = addr;
	p->dom = dom;
	lg->pend_tag[i] = tag;
}

bool
pfa_lr_pending_has(struct pfa_ledger *lg, const char *qid, size_t len,
    int64_t when)
{
	return pfa_lr_pend_find(lg, qid, len, when) != NULL;
}

/* A recipient's final status (sent, bounced, expired): counted in column
 * COL of its address and domain (*ADDR, *DOM), its delay with DELAY, and
 * no longer open in M. */
static inline void
final_status(struct pfa_ledger *lg, struct lr_msg *m, const struct delivery *d,
    int col, bool delay, struct pfa_lr_entry **addr, struct pfa_lr_entry **dom)
{
	rcpt_entries(lg, d->to, d->tolen, addr, dom);
	(*addr)->c[col]++;
	(*dom)->c[col]++;
	if (delay)
		pfa_lr_delay_add(lg, d->delay);
	struct lr_rcpt *r = pfa_lr_msg_rcpt(m, *addr, *dom, false);
	if (r != NULL)
		r->open = false;
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
		final_status(lg, m, d, C_DELIVERED, true, &addr, &dom);
		if (q >= 0 && pfa_lr_loopback(d->relay, d->relaylen)) {
			const char *id = d->reason + q + 10;
			size_t il = 0, left = d->reasonlen - (size_t)q - 10;
			while (il < left && il < 24 && ((id[il] >= '0' &&
			    id[il] <= '9') || (id[il] >= 'A' && id[il] <= 'Z') ||
			    (id[il] >= 'a' && id[il] <= 'z')))
				il++;
			pend_set(lg, id, il, l->when, addr, dom);
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
		final_status(lg, m, d, C_BOUNCED, true, &addr, &dom);
		pfa_lr_reason(lg, true, d->relay, d->relaylen, d->dsn,
		    d->dsnlen, d->reason, d->reasonlen);
		return;
	}
	if (sl == 7 && memcmp(s, "expired", 7) == 0) {
		final_status(lg, m, d, C_EXPIRED, false, &addr, &dom);
		return;
	}
	/* deliverable/undeliverable: address verification probes */
	lg->probes++;
}

bool
pfa_lr_delivery_line(struct pfa_ledger *lg, const struct pfa_logline *l)
{
	struct delivery d;
	if (!parse_delivery(l->msg, l->msglen, &d))
		return false;
	struct lr_msg *m = pfa_lr_msg_get(lg, l->qid, l->qidlen, l->when, false);
	delivery(lg, l, m, &d);
	return true;
}

/* qmgr's "from=<S>, status=expired, returned to sender". */
void
pfa_lr_expired(struct pfa_ledger *lg, const struct pfa_logline *l, struct lr_msg *m,
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
