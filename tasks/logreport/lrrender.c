/*
 * lrrender.c - log-report's output (logreport.h): the metrics, the
 * one-line summary, the findings the counts call for, and the report
 * itself twice, as JSON (the result's details, schema in
 * pfagent-log-report(8)) and as text for a terminal or a mail (tables
 * and a per-hour bar chart).  Text from the log is data: printed with
 * %s / %.*s only, control characters replaced.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "logreport.h"

static const char *const hour_cols[H_COLS] = { "received", "delivered",
	"deferred", "bounced", "rejected" };

char *
pfa_lr_show_address(const struct lr_run *r, const char *addr, size_t len)
{
	const char *at = pfa_lr_memrchr(addr, '@', len);
	if (!r->masked || len == 0 || (len == 2 && memcmp(addr, "<>", 2) == 0))
		return pfa_xasprintf("%.*s", (int)len, addr);
	size_t local = at ? (size_t)(at - addr) : len;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	EVP_Digest(addr, local, md, &mdlen, EVP_sha256(), NULL);
	return pfa_xasprintf("h-%02x%02x%02x%02x%02x%.*s", md[0], md[1], md[2],
	    md[3], md[4], at ? (int)(len - local) : 0, at ? at : "");
}

/* S without control characters (a copy). */
static char *
clean(const char *s)
{
	char *c = pfa_xstrdup(s ? s : "");
	for (char *p = c; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	return c;
}

static void
fmt_time(int64_t t, char *buf, size_t size)
{
	if (t == 0) {
		snprintf(buf, size, "-");
		return;
	}
	time_t tt = (time_t)t;
	struct tm tm;
	localtime_r(&tt, &tm);
	strftime(buf, size, "%Y-%m-%d %H:%M:%S", &tm);
}

static size_t
top_n(const struct lr_run *r, size_t n)
{
	return r->top > 0 && (size_t)r->top < n ? (size_t)r->top : n;
}

/* ---------------------------------------------------------------- JSON */

static json_object *
jcount(uint64_t v)
{
	return json_object_new_int64((int64_t)v);
}

static json_object *
addr_table(const struct lr_run *r, const struct pfa_lr_table *t, bool address,
    bool sender)
{
	size_t n;
	struct pfa_lr_entry **v = pfa_lr_table_top(t, sender ? C_MSGS : C_DELIVERED,
	    sender ? C_BYTES : C_DEFERRED, (size_t)r->top, &n);
	json_object *a = json_object_new_array();
	for (size_t i = 0; i < top_n(r, n); i++) {
		json_object *o = json_object_new_object();
		char *k = address ? pfa_lr_show_address(r, v[i]->key,
		    v[i]->keylen) : clean(v[i]->key);
		json_object_object_add(o, address ? "address" : "domain",
		    json_object_new_string(k));
		free(k);
		if (sender) {
			json_object_object_add(o, "messages",
			    jcount(v[i]->c[C_MSGS]));
			json_object_object_add(o, "bytes",
			    jcount(v[i]->c[C_BYTES]));
		} else {
			json_object_object_add(o, "delivered",
			    jcount(v[i]->c[C_DELIVERED]));
			json_object_object_add(o, "deferred",
			    jcount(v[i]->c[C_DEFERRED]));
			json_object_object_add(o, "bounced",
			    jcount(v[i]->c[C_BOUNCED]));
			json_object_object_add(o, "expired",
			    jcount(v[i]->c[C_EXPIRED]));
			json_object_object_add(o, "deferrals",
			    jcount(v[i]->c[C_DEFERRALS]));
		}
		json_object_array_add(a, o);
	}
	free(v);
	return a;
}

static json_object *
count_table(const struct lr_run *r, const struct pfa_lr_table *t,
    const char *keyname, const char *notename, bool all)
{
	size_t n;
	struct pfa_lr_entry **v = pfa_lr_table_top(t, 0, 0, all ? 0 : (size_t)r->top,
	    &n);
	json_object *a = json_object_new_array();
	for (size_t i = 0; i < (all ? n : top_n(r, n)); i++) {
		json_object *o = json_object_new_object();
		char *k = clean(v[i]->key);
		json_object_object_add(o, keyname, json_object_new_string(k));
		free(k);
		json_object_object_add(o, "count", jcount(v[i]->c[0]));
		if (notename != NULL && v[i]->note != NULL && !r->masked) {
			char *e = clean(v[i]->note);
			json_object_object_add(o, notename,
			    json_object_new_string(e));
			free(e);
		}
		json_object_array_add(a, o);
	}
	free(v);
	return a;
}

static json_object *
details(struct lr_run *r)
{
	const struct pfa_ledger *lg = &r->lg;
	json_object *d = json_object_new_object();
	char a[32], b[32];
	fmt_time(lg->first, a, sizeof(a));
	fmt_time(lg->last, b, sizeof(b));
	json_object *p = json_object_new_object();
	json_object_object_add(p, "first", json_object_new_string(a));
	json_object_object_add(p, "last", json_object_new_string(b));
	json_object_object_add(p, "first_epoch", json_object_new_int64(lg->first));
	json_object_object_add(p, "last_epoch", json_object_new_int64(lg->last));
	json_object_object_add(p, "incremental",
	    json_object_new_boolean(!r->by_hand));
	json_object_object_add(d, "period", p);
	json_object *in = json_object_new_array();
	for (size_t i = 0; i < r->nin; i++) {
		json_object *o = json_object_new_object();
		json_object_object_add(o, "input",
		    json_object_new_string(r->in[i].what));
		json_object_object_add(o, "from",
		    json_object_new_int64(r->in[i].from));
		json_object_object_add(o, "to", json_object_new_int64(r->in[i].to));
		json_object_object_add(o, "lines", jcount(r->in[i].lines));
		json_object_array_add(in, o);
	}
	json_object_object_add(d, "inputs", in);

	json_object *t = json_object_new_object();
	const struct { const char *k; uint64_t v; } tot[] = {
		{ "received", lg->received }, { "delivered", lg->delivered },
		{ "forwarded", lg->forwarded }, { "deferred", lg->deferred },
		{ "deferrals", lg->deferrals }, { "bounced", lg->bounced },
		{ "rejected", lg->rejected },
		{ "reject_warnings", lg->reject_warnings },
		{ "expired", lg->expired }, { "force_expired", lg->force_expired },
		{ "held", lg->held }, { "discarded", lg->discarded },
		{ "reinjected", lg->reinjected },
		{ "messages", lg->received - lg->reinjected },
		{ "milter_rejected", lg->milter_rejected },
		{ "probes", lg->probes },
		{ "pflogsumm_held", lg->held_lines },
		{ "pflogsumm_discarded", lg->discarded_lines },
	};
	for (size_t i = 0; i < sizeof(tot) / sizeof(tot[0]); i++)
		json_object_object_add(t, tot[i].k, jcount(tot[i].v));
	json_object_object_add(d, "totals", t);
	json_object_object_add(d, "recipients", addr_table(r, &lg->rcpt, true,
	    false));
	json_object_object_add(d, "recipient_domains", addr_table(r,
	    &lg->rcpt_dom, false, false));
	json_object_object_add(d, "senders", addr_table(r, &lg->sender, true,
	    true));
	json_object_object_add(d, "sender_domains", addr_table(r,
	    &lg->sender_dom, false, true));
	json_object *h = json_object_new_array();
	for (int i = 0; i < 24; i++) {
		json_object *o = json_object_new_object();
		json_object_object_add(o, "hour", json_object_new_int(i));
		for (int k = 0; k < H_COLS; k++)
			json_object_object_add(o, hour_cols[k],
			    jcount(lg->hours[i][k]));
		json_object_array_add(h, o);
	}
	json_object_object_add(d, "hours", h);
	json_object *rj = json_object_new_object();
	json_object *cl = json_object_new_object();
	for (int i = 0; i < R_NCLASS; i++)
		json_object_object_add(cl, pfa_lr_rclass_names[i],
		    jcount(lg->rclass[i]));
	json_object_object_add(rj, "by_class", cl);
	json_object_object_add(rj, "by_stage", count_table(r, &lg->rstage,
	    "stage", NULL, true));
	json_object_object_add(d, "rejects", rj);
	json_object_object_add(d, "deferral_reasons", count_table(r,
	    &lg->defer_reasons, "reason", "example", false));
	json_object_object_add(d, "bounce_reasons", count_table(r,
	    &lg->bounce_reasons, "reason", "example", false));
	json_object_object_add(d, "provider_blocks", count_table(r,
	    &lg->providers, "provider", "reason", true));
	json_object *dl = json_object_new_object();
	json_object_object_add(dl, "count", jcount(lg->delay_n));
	json_object_object_add(dl, "median",
	    json_object_new_double(pfa_ledger_delay_quantile(lg, 0.5)));
	json_object_object_add(dl, "p95",
	    json_object_new_double(pfa_ledger_delay_quantile(lg, 0.95)));
	json_object_object_add(dl, "max", json_object_new_double(lg->delay_max));
	json_object_object_add(d, "delays", dl);
	json_object_object_add(d, "sasl_failures", count_table(r, &lg->sasl,
	    "client", NULL, false));
	json_object *tls = json_object_new_object();
	json_object *ti = json_object_new_object();
	json_object_object_add(ti, "connections", jcount(lg->conn_in));
	json_object_object_add(ti, "tls", jcount(lg->tls_in));
	json_object_object_add(ti, "protocols", count_table(r,
	    &lg->tls_in_proto, "protocol", NULL, true));
	json_object_object_add(tls, "inbound", ti);
	json_object *to = json_object_new_object();
	json_object_object_add(to, "tls", jcount(lg->tls_out));
	json_object_object_add(to, "protocols", count_table(r,
	    &lg->tls_out_proto, "protocol", NULL, true));
	json_object_object_add(tls, "outbound", to);
	json_object_object_add(d, "tls", tls);
	json_object *pr = json_object_new_object();
	json_object_object_add(pr, "warning", jcount(lg->warnings));
	json_object_object_add(pr, "error", jcount(lg->errors));
	json_object_object_add(pr, "fatal", jcount(lg->fatals));
	json_object_object_add(pr, "panic", jcount(lg->panics));
	json_object_object_add(pr, "top", count_table(r, &lg->severe,
	    "message", "example", false));
	json_object_object_add(d, "problems", pr);
	json_object *li = json_object_new_object();
	json_object_object_add(li, "read", jcount(lg->lines));
	json_object_object_add(li, "postfix", jcount(lg->ours));
	json_object_object_add(li, "skipped", jcount(lg->skipped));
	json_object_object_add(li, "skipped_by_program", count_table(r,
	    &lg->skipped_prog, "program", NULL, true));
	json_object_object_add(li, "malformed", jcount(lg->malformed));
	json_object_object_add(li, "oversized", jcount(r->oversized));
	json_object_object_add(li, "binary", jcount(r->binary));
	json_object_object_add(li, "not_understood", jcount(lg->unparsed));
	json_object_object_add(li, "not_understood_by_daemon", count_table(r,
	    &lg->unparsed_daemon, "daemon", r->masked ? NULL : "example",
	    true));
	json_object_object_add(li, "journal_suppressed", jcount(r->suppressed));
	json_object_object_add(d, "lines", li);
	return d;
}

/* ---------------------------------------------------------------- text */

struct buf {
	char *p;
	size_t n, cap;
};

static void
bprintf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
bprintf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = pfa_xvasprintf(fmt, ap);
	va_end(ap);
	size_t l = strlen(s);
	if (b->n + l + 1 > b->cap) {
		b->cap = (b->n + l + 1) * 2;
		b->p = pfa_xrealloc(b->p, b->cap);
	}
	memcpy(b->p + b->n, s, l + 1);
	b->n += l;
	free(s);
}

static void
text_addr_table(struct buf *b, const struct lr_run *r, const char *title,
    const struct pfa_lr_table *t, bool address)
{
	size_t n;
	struct pfa_lr_entry **v = pfa_lr_table_top(t, C_DELIVERED, C_DEFERRED,
	    (size_t)r->top, &n);
	if (n == 0) {
		free(v);
		return;
	}
	bprintf(b, "\n%s\n  %9s %9s %9s %9s  %s\n", title, "delivered",
	    "deferred", "bounced", "expired", address ? "address" : "domain");
	for (size_t i = 0; i < top_n(r, n); i++) {
		char *k = address ? pfa_lr_show_address(r, v[i]->key, v[i]->keylen) :
		    clean(v[i]->key);
		char *c = clean(k);
		bprintf(b, "  %9" PRIu64 " %9" PRIu64 " %9" PRIu64 " %9" PRIu64
		    "  %s\n", v[i]->c[C_DELIVERED], v[i]->c[C_DEFERRED],
		    v[i]->c[C_BOUNCED], v[i]->c[C_EXPIRED], c);
		free(c);
		free(k);
	}
	free(v);
}

static void
text_sender_table(struct buf *b, const struct lr_run *r, const char *title,
    const struct pfa_lr_table *t, bool address)
{
	size_t n;
	struct pfa_lr_entry **v = pfa_lr_table_top(t, C_MSGS, C_BYTES, (size_t)r->top,
	    &n);
	if (n > 0)
		bprintf(b, "\n%s\n  %9s %12s  %s\n", title, "messages", "bytes",
		    address ? "address" : "domain");
	for (size_t i = 0; i < top_n(r, n); i++) {
		char *k = address ? pfa_lr_show_address(r, v[i]->key, v[i]->keylen) :
		    clean(v[i]->key);
		char *c = clean(k);
		bprintf(b, "  %9" PRIu64 " %12" PRIu64 "  %s\n",
		    v[i]->c[C_MSGS], v[i]->c[C_BYTES], c);
		free(c);
		free(k);
	}
	free(v);
}

static void
text_counts(struct buf *b, const struct lr_run *r, const char *title,
    const struct pfa_lr_table *t, bool all)
{
	size_t n;
	struct pfa_lr_entry **v = pfa_lr_table_top(t, 0, 0, all ? 0 : (size_t)r->top,
	    &n);
	if (n > 0)
		bprintf(b, "\n%s\n", title);
	for (size_t i = 0; i < (all ? n : top_n(r, n)); i++) {
		char *c = clean(v[i]->key);
		bprintf(b, "  %9" PRIu64 "  %s\n", v[i]->c[0], c);
		free(c);
	}
	free(v);
}

static char *
text_report(struct lr_run *r)
{
	const struct pfa_ledger *lg = &r->lg;
	struct buf b = { NULL, 0, 0 };
	char a[32], z[32];
	fmt_time(lg->first, a, sizeof(a));
	fmt_time(lg->last, z, sizeof(z));
	bprintf(&b, "\nPostfix mail log, %s .. %s%s\n", a, z, r->by_hand ?
	    "" : r->first_run ? " (first run: everything the log holds)" :
	    " (since the last run)");
	for (size_t i = 0; i < r->nin; i++)
		bprintf(&b, "  read %s: %" PRIu64 " lines\n", r->in[i].what,
		    r->in[i].lines);
	uint64_t all = lg->delivered + lg->rejected + lg->discarded_lines;
	bprintf(&b, "\nTotals (pflogsumm's definitions)\n"
	    "  %9" PRIu64 "  received\n  %9" PRIu64 "  delivered\n"
	    "  %9" PRIu64 "  forwarded\n  %9" PRIu64 "  deferred (%" PRIu64
	    " deferrals)\n  %9" PRIu64 "  bounced\n  %9" PRIu64
	    "  rejected (%d%%)\n  %9" PRIu64 "  reject warnings\n",
	    lg->received, lg->delivered, lg->forwarded, lg->deferred,
	    lg->deferrals, lg->bounced, lg->rejected,
	    all ? (int)(lg->rejected * 100 / all) : 0, lg->reject_warnings);
	bprintf(&b, "\nPer message\n  %9" PRIu64 "  messages (received less "
	    "%" PRIu64 " re-injected by a content filter)\n  %9" PRIu64
	    "  expired (%" PRIu64 " forced)\n  %9" PRIu64 "  held\n  %9" PRIu64
	    "  discarded\n", lg->received - lg->reinjected, lg->reinjected,
	    lg->expired, lg->force_expired, lg->held, lg->discarded);
	uint64_t peak = 1;
	for (int i = 0; i < 24; i++)
		if (lg->hours[i][H_RECEIVED] + lg->hours[i][H_DELIVERED] > peak)
			peak = lg->hours[i][H_RECEIVED] +
			    lg->hours[i][H_DELIVERED];
	bprintf(&b, "\nPer hour (r received, d delivered; then deferrals, "
	    "bounced, rejected)\n");
	for (int i = 0; i < 24; i++) {
		const uint64_t *hc = lg->hours[i];
		int rw = (int)(hc[H_RECEIVED] * 40 / peak);
		int dw = (int)(hc[H_DELIVERED] * 40 / peak);
		char bar[48];
		int k = 0;
		for (int j = 0; j < rw && k < 40; j++)
			bar[k++] = 'r';
		for (int j = 0; j < dw && k < 40; j++)
			bar[k++] = 'd';
		bar[k] = '\0';
		bprintf(&b, "  %02d %-40s %7" PRIu64 " %7" PRIu64 " %6" PRIu64
		    " %6" PRIu64 " %6" PRIu64 "\n", i, bar, hc[H_RECEIVED],
		    hc[H_DELIVERED], hc[H_DEFERRED], hc[H_BOUNCED],
		    hc[H_REJECTED]);
	}
	text_addr_table(&b, r, "Recipients", &lg->rcpt, true);
	text_addr_table(&b, r, "Recipient domains", &lg->rcpt_dom, false);
	text_sender_table(&b, r, "Senders", &lg->sender, true);
	text_sender_table(&b, r, "Sender domains", &lg->sender_dom, false);
	if (lg->rejected + lg->milter_rejected > 0) {
		bprintf(&b, "\nRejects by class\n");
		for (int i = 0; i < R_NCLASS; i++)
			if (lg->rclass[i] > 0)
				bprintf(&b, "  %9" PRIu64 "  %s\n", lg->rclass[i],
				    pfa_lr_rclass_names[i]);
		text_counts(&b, r, "Rejects by stage", &lg->rstage, true);
	}
	text_counts(&b, r, "Deferral reasons", &lg->defer_reasons, false);
	text_counts(&b, r, "Bounce reasons", &lg->bounce_reasons, false);
	text_counts(&b, r, "Providers blocking or rate-limiting this server",
	    &lg->providers, true);
	if (lg->delay_n > 0)
		bprintf(&b, "\nDelays at the final status (%" PRIu64 ")\n"
		    "  median %.1f s, 95th percentile %.1f s, max %.1f s\n",
		    lg->delay_n, pfa_ledger_delay_quantile(lg, 0.5),
		    pfa_ledger_delay_quantile(lg, 0.95), lg->delay_max);
	text_counts(&b, r, "SASL authentication failures per client",
	    &lg->sasl, false);
	bprintf(&b, "\nTLS\n  inbound: %" PRIu64 " of %" PRIu64 " connections"
	    "\n  outbound: %" PRIu64 " TLS sessions\n", lg->tls_in, lg->conn_in,
	    lg->tls_out);
	bprintf(&b, "\nProblems: %" PRIu64 " warning, %" PRIu64 " error, %"
	    PRIu64 " fatal, %" PRIu64 " panic\n", lg->warnings, lg->errors,
	    lg->fatals, lg->panics);
	text_counts(&b, r, "Most frequent problems", &lg->severe, false);
	bprintf(&b, "\nLines: %" PRIu64 " read, %" PRIu64 " Postfix, %" PRIu64
	    " other programs, %" PRIu64 " malformed, %" PRIu64 " oversized, %"
	    PRIu64 " binary, %" PRIu64 " not understood\n", lg->lines, lg->ours,
	    lg->skipped, lg->malformed, r->oversized, r->binary, lg->unparsed);
	text_counts(&b, r, "Lines of other programs (skipped)",
	    &lg->skipped_prog, true);
	text_counts(&b, r, "Lines not understood, per daemon",
	    &lg->unparsed_daemon, true);
	return b.p;
}

/* ------------------------------------------------------------ results */

static void
findings(struct lr_run *r, struct pfa_result *res)
{
	const struct pfa_ledger *lg = &r->lg;
	for (int i = 0; i < lg->nfatal_lines; i++) {
		char *c = clean(lg->fatal_lines[i]);
		pfa_result_add_finding(res, PFA_SEV_CRITICAL, "PFA-LOG-005",
		    "log-report", NULL, "Postfix logged a fatal error or panic "
		    "in this period: %s", c);
		free(c);
	}
	size_t n;
	struct pfa_lr_entry **v = pfa_lr_table_sorted(&lg->sasl, 0, 0, &n);
	for (size_t i = 0; i < n && i < 10; i++)
		if (r->c->sasl_warn > 0 &&
		    v[i]->c[0] >= (uint64_t)r->c->sasl_warn) {
			char *c = clean(v[i]->key);
			pfa_result_add_finding(res, PFA_SEV_WARNING,
			    "PFA-LOG-006", c, NULL, "%" PRIu64 " SASL "
			    "authentication failures from %s in this period "
			    "(threshold %ld): a password-guessing attack; "
			    "consider fail2ban or postscreen", v[i]->c[0], c,
			    r->c->sasl_warn);
			free(c);
		}
	free(v);
	v = pfa_lr_table_sorted(&lg->providers, 0, 0, &n);
	for (size_t i = 0; i < n; i++)
		if (r->c->provider_warn > 0 &&
		    v[i]->c[0] >= (uint64_t)r->c->provider_warn) {
			char *c = clean(v[i]->key), *e = clean(v[i]->note);
			pfa_result_add_finding(res, PFA_SEV_WARNING,
			    "PFA-LOG-007", c, NULL, "%" PRIu64 " replies from "
			    "%s mean it is blocking or rate-limiting this "
			    "server (its IP or domain reputation), e.g. %s",
			    v[i]->c[0], c, e);
			free(c);
			free(e);
		}
	free(v);
	if (lg->unparsed > 0 || lg->malformed > 0 || r->oversized > 0 ||
	    r->binary > 0)
		pfa_result_add_finding(res, PFA_SEV_INFO, "PFA-LOG-010",
		    "log-report", NULL, "%" PRIu64 " Postfix lines were not "
		    "understood, %" PRIu64 " lines were not syslog lines, %"
		    PRIu64 " were longer than %d bytes and %" PRIu64 " held "
		    "binary data (see the report's Lines section)",
		    lg->unparsed, lg->malformed, r->oversized,
		    PFA_MAILLOG_LINE_MAX, r->binary);
	const struct pfa_lr_table *t[] = { &lg->rcpt, &lg->rcpt_dom, &lg->sender,
		&lg->sender_dom, &lg->sasl };
	uint64_t folded = 0;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		folded += t[i]->folded;
	if (folded > 0)
		pfa_result_add_finding(res, PFA_SEV_INFO, "PFA-LOG-011",
		    "max_keys", NULL, "%" PRIu64 " distinct addresses beyond "
		    "max_keys = %ld were counted as \"%s\"", folded,
		    r->c->max_keys, LR_OTHER);
}

void
pfa_lr_render(struct lr_run *r, struct pfa_result *res)
{
	const struct pfa_ledger *lg = &r->lg;
	const struct { const char *k; uint64_t v; } m[] = {
		{ "received", lg->received }, { "delivered", lg->delivered },
		{ "deferred", lg->deferred }, { "deferrals", lg->deferrals },
		{ "bounced", lg->bounced }, { "expired", lg->expired },
		{ "rejected", lg->rejected }, { "held", lg->held },
		{ "discarded", lg->discarded }, { "forwarded", lg->forwarded },
		{ "reinjected", lg->reinjected },
		{ "messages", lg->received - lg->reinjected },
		{ "sasl_failures", lg->sasl_failures },
		{ "warnings", lg->warnings }, { "fatal", lg->fatals },
		{ "panic", lg->panics }, { "lines", lg->lines },
		{ "lines_skipped", lg->skipped },
		{ "lines_not_understood", lg->unparsed },
	};
	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++)
		pfa_result_add_metric(res, m[i].k, (double)m[i].v, "c");
	pfa_result_add_metric(res, "delay_median",
	    pfa_ledger_delay_quantile(lg, 0.5), "s");
	pfa_result_add_metric(res, "delay_p95",
	    pfa_ledger_delay_quantile(lg, 0.95), "s");
	pfa_result_add_metric(res, "delay_max", lg->delay_max, "s");
	findings(r, res);
	pfa_result_set_summary(res, "%" PRIu64 " received, %" PRIu64
	    " delivered, %" PRIu64 " deferred (%" PRIu64 " deferrals), %"
	    PRIu64 " bounced, %" PRIu64 " expired, %" PRIu64 " rejected in %"
	    PRIu64 " lines", lg->received, lg->delivered, lg->deferred,
	    lg->deferrals, lg->bounced, lg->expired, lg->rejected, lg->lines);
	res->text = text_report(r);
	res->details = details(r);
}
