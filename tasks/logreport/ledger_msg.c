/*
 * ledger_msg.c - the ledger's open messages (ledger_int.h): a hash table
 * keyed by queue id (cleared at "removed", so a reused short id starts a
 * new message), each with the recipients it was deferred for; and the
 * two halves of one large file read at once on two cores: the second
 * keeps the lines of messages that began in the first, and
 * pfa_ledger_merge hands them to the first's ledger, which has those
 * messages open, before it adds up the counts.  Memory only.
 */
#include <stdlib.h>
#include <string.h>

#include "ledger_int.h"
#include "result.h"

/* ------------------------------------------------------------ messages */

static void
msgs_grow(struct pfa_ledger *lg)
{
	size_t cap = lg->msgs_cap * 2;
	struct lr_msg **v = pfa_xcalloc(cap, sizeof(*v));
	for (size_t i = 0; i < lg->msgs_cap; i++) {
		struct lr_msg *m = lg->msgs[i];
		if (m == NULL)
			continue;
		size_t k = m->hash & (cap - 1);
		while (v[k] != NULL)
			k = (k + 1) & (cap - 1);
		v[k] = m;
	}
	free(lg->msgs);
	lg->msgs = v;
	lg->msgs_cap = cap;
}

/* The open message QID, made (first seen at WHEN) unless FIND_ONLY. */
struct lr_msg *
pfa_lr_msg_get(struct pfa_ledger *lg, const char *qid, size_t len, int64_t when,
    bool find_only)
{
	if (len > 24)
		len = 24;
	/* a message's lines tend to come together, and the second half of
	 * a split file asks for each line's message twice */
	struct lr_msg *last = lg->last_msg;
	if (last != NULL && last->qlen == len && memcmp(last->qid, qid, len) == 0)
		return last;
	uint32_t h = pfa_lr_hash(qid, len);
	size_t mask = lg->msgs_cap - 1, s = h & mask;
	for (struct lr_msg *m; (m = lg->msgs[s]) != NULL; s = (s + 1) & mask)
		if (m->hash == h && m->qlen == len &&
		    memcmp(m->qid, qid, len) == 0)
			return lg->last_msg = m;
	if (find_only)
		return NULL;
	if ((lg->msgs_n + 1) * 2 > lg->msgs_cap) {
		msgs_grow(lg);
		mask = lg->msgs_cap - 1;
		s = h & mask;
		while (lg->msgs[s] != NULL)
			s = (s + 1) & mask;
	}
	/* a record closed before, or a new one */
	struct lr_msg *m = lg->spare;
	if (m != NULL) {
		lg->spare = m->next;
		memset(m, 0, sizeof(*m));
	} else {
		m = pfa_xmalloc(sizeof(*m));
		memset(m, 0, sizeof(*m));
	}
	memcpy(m->qid, qid, len);
	m->qlen = (uint8_t)len;
	m->hash = h;
	m->first = when;
	lg->msgs[s] = m;
	lg->msgs_n++;
	return lg->last_msg = m;
}

/* Closes M ("removed"): backward-shift deletion keeps probing intact. */
void
pfa_lr_msg_close(struct pfa_ledger *lg, struct lr_msg *m)
{
	size_t mask = lg->msgs_cap - 1, i = m->hash & mask;
	while (lg->msgs[i] != m)
		i = (i + 1) & mask;
	lg->msgs[i] = NULL;
	for (size_t j = (i + 1) & mask; lg->msgs[j] != NULL;
	    j = (j + 1) & mask) {
		size_t home = lg->msgs[j]->hash & mask;
		/* move J to the hole I unless its home lies in (I, J] */
		bool stay = i <= j ? (home > i && home <= j) :
		    (home > i || home <= j);
		if (!stay) {
			lg->msgs[i] = lg->msgs[j];
			lg->msgs[j] = NULL;
			i = j;
		}
	}
	lg->msgs_n--;
	if (lg->last_msg == m)
		lg->last_msg = NULL;
	free(m->r);
	/* kept for the next message: most are open only a few lines */
	m->next = lg->spare;
	lg->spare = m;
}

struct lr_rcpt *
pfa_lr_msg_rcpt(struct lr_msg *m, struct pfa_lr_entry *addr, struct pfa_lr_entry *dom,
    bool add)
{
	for (uint16_t i = 0; i < m->nr; i++)
		if (m->r[i].addr == addr)
			return &m->r[i];
	if (!add || m->nr == UINT16_MAX)
		return NULL;
	if (m->nr == m->cr) {
		m->cr = m->cr ? (uint16_t)(m->cr * 2 > UINT16_MAX ? UINT16_MAX :
		    m->cr * 2) : 4;
		m->r = pfa_xrealloc(m->r, m->cr * sizeof(*m->r));
	}
	m->r[m->nr] = (struct lr_rcpt){ addr, dom, false };
	return &m->r[m->nr++];
}

/* In the second half of a split file: keeps the lines of a message that
 * began before it (its first line here is not client= or pickup's).
 * Only for lines of the syslog names counted. */
bool
pfa_lr_split_keep(struct pfa_ledger *lg, const struct pfa_logline *l, const char *raw,
    size_t len)
{
	if (lg->split_start == 0)
		lg->split_start = l->when;
	if (l->qidlen == 7 && memcmp(l->qid, "NOQUEUE", 7) == 0)
		return false;
	struct lr_msg *m = pfa_lr_msg_get(lg, l->qid, l->qidlen, 0, true);
	if (m == NULL) {
		const char *p = l->msg;
		size_t n = l->msglen;
		bool start = STARTS(p, n, "client=") || STARTS(p, n, "uid=") ||
		    STARTS(p, n, "sender=");
		/* a content filter's re-injection early in this half may
		 * stitch to a "queued as" in the first half: kept too */
		bool early = start && STARTS(p, n, "client=") &&
		    l->when - lg->split_start <= PFA_LR_PEND_AGE &&
		    (pfa_lr_find(p, n, "[127.") >= 0 ||
		    pfa_lr_find(p, n, "[::1]") >= 0) &&
		    !pfa_lr_pending_has(lg, l->qid, l->qidlen, l->when);
		if (start && !early)
			return false;
		m = pfa_lr_msg_get(lg, l->qid, l->qidlen, l->when, false);
		m->flags |= M_INHERITED;
	} else if (!(m->flags & M_INHERITED)) {
		return false;
	}
	if (lg->replay_n + len + 1 > lg->replay_cap) {
		lg->replay_cap = (lg->replay_n + len + 1) * 2;
		lg->replay = pfa_xrealloc(lg->replay, lg->replay_cap);
	}
	memcpy(lg->replay + lg->replay_n, raw, len);
	lg->replay[lg->replay_n + len] = '\n';
	lg->replay_n += len + 1;
	if (STARTS(l->msg, l->msglen, "removed"))
		pfa_lr_msg_close(lg, m);
	return true;
}

void
pfa_ledger_merge(struct pfa_ledger *dst, struct pfa_ledger *src, struct pfa_logclock *clk)
{
	for (size_t i = 0; i < src->replay_n;) {
		char *nl = memchr(src->replay + i, '\n', src->replay_n - i);
		size_t len = (size_t)(nl - (src->replay + i));
		*nl = '\0';
		struct pfa_logline l;
		bool ok = pfa_logline_parse(src->replay + i, len, clk, &l) == 0;
		pfa_ledger_line(dst, ok ? &l : NULL, ok, src->replay + i, len);
		i += len + 1;
	}
	uint64_t *d[] = { &dst->received, &dst->delivered, &dst->forwarded,
		&dst->deferred, &dst->deferrals, &dst->bounced, &dst->rejected,
		&dst->reject_warnings, &dst->held_lines, &dst->discarded_lines,
		&dst->expired, &dst->force_expired, &dst->held, &dst->discarded,
		&dst->reinjected, &dst->milter_rejected, &dst->probes,
		&dst->header_warnings, &dst->sasl_failures, &dst->conn_in,
		&dst->tls_in, &dst->tls_out, &dst->smtp_out, &dst->warnings,
		&dst->errors, &dst->fatals, &dst->panics, &dst->lines,
		&dst->ours, &dst->skipped, &dst->malformed, &dst->unparsed };
	const uint64_t *s[] = { &src->received, &src->delivered,
		&src->forwarded, &src->deferred, &src->deferrals, &src->bounced,
		&src->rejected, &src->reject_warnings, &src->held_lines,
		&src->discarded_lines, &src->expired, &src->force_expired,
		&src->held, &src->discarded, &src->reinjected,
		&src->milter_rejected, &src->probes, &src->header_warnings,
		&src->sasl_failures, &src->conn_in, &src->tls_in, &src->tls_out,
		&src->smtp_out, &src->warnings, &src->errors, &src->fatals,
		&src->panics, &src->lines, &src->ours, &src->skipped,
		&src->malformed, &src->unparsed };
	for (size_t i = 0; i < sizeof(d) / sizeof(d[0]); i++)
		*d[i] += *s[i];
	if (src->first != 0 && (dst->first == 0 || src->first < dst->first))
		dst->first = src->first;
	if (src->last > dst->last)
		dst->last = src->last;
	for (int h = 0; h < 24; h++)
		for (int k = 0; k < H_COLS; k++)
			dst->hours[h][k] += src->hours[h][k];
	for (int k = 0; k < R_NCLASS; k++)
		dst->rclass[k] += src->rclass[k];
	dst->delay_n += src->delay_n;
	if (src->delay_max > dst->delay_max)
		dst->delay_max = src->delay_max;
	for (int b = 0; b < DELAY_BUCKETS; b++)
		dst->delay_hist[b] += src->delay_hist[b];
	struct pfa_lr_table *dt[] = { &dst->rcpt, &dst->rcpt_dom, &dst->sender,
		&dst->sender_dom, &dst->sasl, &dst->rstage, &dst->defer_reasons,
		&dst->bounce_reasons, &dst->providers, &dst->tls_in_proto,
		&dst->tls_out_proto, &dst->severe, &dst->sev_daemon,
		&dst->unparsed_daemon, &dst->skipped_prog };
	const struct pfa_lr_table *st[] = { &src->rcpt, &src->rcpt_dom,
		&src->sender, &src->sender_dom, &src->sasl, &src->rstage,
		&src->defer_reasons, &src->bounce_reasons, &src->providers,
		&src->tls_in_proto, &src->tls_out_proto, &src->severe,
		&src->sev_daemon, &src->unparsed_daemon, &src->skipped_prog };
	for (size_t i = 0; i < sizeof(dt) / sizeof(dt[0]); i++)
		pfa_lr_table_merge(dt[i], st[i]);
	for (int i = 0; i < src->nfatal_lines; i++) {
		if (dst->nfatal_lines < 10)
			dst->fatal_lines[dst->nfatal_lines++] =
			    src->fatal_lines[i];
		else
			free(src->fatal_lines[i]);
	}
	src->nfatal_lines = 0;
}

