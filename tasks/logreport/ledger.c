/*
 * ledger.c - log-report's counts (ledger.h): the ledger itself and the
 * dispatch of one line.  Deliveries and delays are ledger_delivery.c's; reject, SASL, TLS and provider lines
 * ledger_smtpd.c's; open messages ledger_msg.c's.
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
	lg->pend_tag = pfa_xcalloc(PEND_CAP, sizeof(*lg->pend_tag));
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
	for (struct lr_msg *m = lg->spare, *next; m != NULL; m = next) {
		next = m->next;
		free(m);
	}
	free(lg->pend);
	free(lg->pend_tag);
	free(lg->rcache);
	for (int i = 0; i < lg->nfatal_lines; i++)
		free(lg->fatal_lines[i]);
	free(lg->replay);
	memset(lg, 0, sizeof(*lg));
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
	if ((m->flags & (M_RECEIVED | M_SENDER | M_REINJECTED)) != M_RECEIVED)
		return;
	m->flags |= M_SENDER;
	/* the digits of size= (saturating; anything else: 0) */
	const char *sz = NULL;
	size_t szl = 0;
	uint64_t bytes = 0;
	pfa_lr_kv(e, n - (size_t)(e - p), ", size=", &sz, &szl);
	for (size_t i = 0; sz != NULL && i < szl && sz[i] >= '0' && sz[i] <= '9';
	    i++)
		bytes = bytes > (UINT64_MAX - 9) / 10 ? UINT64_MAX :
		    bytes * 10 + (uint64_t)(sz[i] - '0');
	size_t at = pfa_lr_at_sign(a, al);
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
	struct lr_pending *p = pfa_lr_pend_find(lg, l->qid, l->qidlen, l->when);
	if (p != NULL && pfa_lr_loopback(l->msg, l->msglen)) {
		/* a content filter's re-injection: the hop to the filter
		 * was no delivery of its own */
		lg->reinjected++;
		m->flags |= M_REINJECTED;
		if (p->addr->c[C_DELIVERED] > 0)
			p->addr->c[C_DELIVERED]--;
		if (p->dom->c[C_DELIVERED] > 0)
			p->dom->c[C_DELIVERED]--;
		pfa_lr_pend_clear(lg, p);
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
	if (STARTS(p, n, "to=<"))
		return pfa_lr_delivery_line(lg, l);
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
			pfa_lr_expired(lg, l, m, true);
		else if (exp)
			pfa_lr_expired(lg, l, m, false);
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
