/*
 * qreport.c - check-queue's report of a tally: metrics (with their
 * thresholds for --nagios), findings and the summary line, and the state
 * kept for the next run's trend.
 *
 * Pure: reads the tally, the settings and the previous state, fills the
 * result.  What came from the queue (addresses, domains, reasons) is only
 * shown, in findings' subjects and messages; the remedies name it shell-
 * quoted.  oldest_age_s and the age thresholds leave hold out: mail on
 * hold waits on purpose.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "queue.h"
#include "remedy.h"

#define STALL_AGE (5 * 60)	/* maildrop/incoming older than this: stuck */
#define ACTIVE_SHARE 80		/* percent of qmgr_message_active_limit */
#define WORST 3			/* domains and reasons a threshold names */

/* "3d 4h", "2h 5m", "7m", "40s" into BUF. */
static const char *
age_text(long long s, char *buf, size_t size)
{
	if (s < 0)
		s = 0;
	if (s >= 86400 && s % 86400 / 3600 == 0)
		snprintf(buf, size, "%lldd", s / 86400);
	else if (s >= 86400)
		snprintf(buf, size, "%lldd %lldh", s / 86400, s % 86400 / 3600);
	else if (s >= 3600 && s % 3600 / 60 == 0)
		snprintf(buf, size, "%lldh", s / 3600);
	else if (s >= 3600)
		snprintf(buf, size, "%lldh %lldm", s / 3600, s % 3600 / 60);
	else if (s >= 60)
		snprintf(buf, size, "%lldm", s / 60);
	else
		snprintf(buf, size, "%llds", s);
	return buf;
}

static const char *
bytes_text(unsigned long long b, char *buf, size_t size)
{
	if (b >= 10ULL * 1024 * 1024)
		snprintf(buf, size, "%.0f MB", (double)b / (1024.0 * 1024.0));
	else if (b >= 1024 * 1024)
		snprintf(buf, size, "%.1f MB", (double)b / (1024.0 * 1024.0));
	else if (b >= 1024)
		snprintf(buf, size, "%.0f kB", (double)b / 1024.0);
	else
		snprintf(buf, size, "%llu B", b);
	return buf;
}

static const char *
plural(unsigned long long n)
{
	return n == 1 ? "" : "s";
}

/* The oldest arrival over every listed queue but hold; 0 if none. */
static long long
oldest_waiting(const struct pfa_qtally *t)
{
	long long o = 0;
	for (int q = 0; q < PFA_Q_CORRUPT; q++)
		if (q != PFA_Q_HOLD && t->q[q].oldest != 0 &&
		    (o == 0 || t->q[q].oldest < o))
			o = t->q[q].oldest;
	return o;
}

/* ------------------------------------------------------------ metrics */

static void
limits(struct pfa_result *res, const char *name, long long warn,
    long long crit)
{
	double w = (double)warn, c = (double)crit, zero = 0;
	pfa_result_metric_limits(res, name, warn >= 0 ? &w : NULL,
	    crit >= 0 ? &c : NULL, &zero, NULL);
}

static void
metrics(const struct pfa_qreport_in *in, const struct pfa_qcount *all,
    long long age, struct pfa_result *res)
{
	const struct pfa_qconf *c = in->conf;
	const struct pfa_qtally *t = in->t;
	pfa_result_add_metric(res, "total", (double)all->msgs, "");
	for (int q = 0; q < PFA_Q_COUNT; q++)
		pfa_result_add_metric(res, pfa_qnames[q],
		    (double)t->q[q].msgs, "");
	pfa_result_add_metric(res, "bytes", (double)all->bytes, "B");
	pfa_result_add_metric(res, "oldest_age_s", (double)age, "s");
	pfa_result_add_metric(res, "forced_expired", (double)all->expired, "");
	for (int b = 0; b < PFA_QAGE_BUCKETS; b++) {
		char name[32];
		snprintf(name, sizeof(name), "age_%s%s", b ==
		    PFA_QAGE_BUCKETS - 1 ? "ge_" : "lt_", b ==
		    PFA_QAGE_BUCKETS - 1 ? pfa_qage_labels[b - 1] :
		    pfa_qage_labels[b]);
		pfa_result_add_metric(res, name, (double)all->age[b], "");
	}
	if (in->full) {
		pfa_result_add_metric(res, "recipients", (double)all->rcpts, "");
		pfa_result_add_metric(res, "reasons", (double)t->reasons.n, "");
		pfa_result_add_metric(res, "malformed_lines",
		    (double)t->malformed, "");
	}
	limits(res, "total", c->total_warn, c->total_crit);
	limits(res, "deferred", c->deferred_warn, c->deferred_crit);
	limits(res, "hold", c->hold_warn, c->hold_crit);
	limits(res, "oldest_age_s", c->age_warn > 0 ? c->age_warn : -1,
	    c->age_crit > 0 ? c->age_crit : -1);
}

/* ------------------------------------------------------------ findings */

/* "; most to a.example (9), b.example (3); reasons: KEY (9)" for a
 * threshold finding, from a listing; "" from the count-only path. */
static char *
worst(const struct pfa_qreport_in *in)
{
	if (!in->full)
		return pfa_xstrdup("");
	const struct pfa_qkey *top[WORST];
	char *out = pfa_xstrdup("");
	size_t n = pfa_qtable_top(&in->t->rdomains, WORST, top);
	for (size_t i = 0; i < n; i++) {
		char *o = pfa_xasprintf("%s%s%s (%llu)", out, i ? ", " :
		    "; most to ", top[i]->key, top[i]->msgs);
		free(out);
		out = o;
	}
	n = pfa_qtable_top(&in->t->reasons, WORST, top);
	for (size_t i = 0; i < n; i++) {
		char *k = pfa_reason_key(&top[i]->reason);
		char *o = pfa_xasprintf("%s%s%s (%llu)", out, i ? ", " :
		    "; reasons: ", k, top[i]->msgs);
		free(k);
		free(out);
		out = o;
	}
	return out;
}

static void
threshold(const struct pfa_qreport_in *in, struct pfa_result *res,
    const char *id, const char *subject, long long value, long long warn,
    long long crit, const char *what, const char *setting)
{
	bool c = crit >= 0 && value > crit;
	if (!c && !(warn >= 0 && value > warn))
		return;
	char *w = worst(in);
	pfa_result_add_finding(res, c ? PFA_SEV_CRITICAL : PFA_SEV_WARNING, id,
	    subject, NULL, "%lld %s, above %s %lld (%s_%s)%s", value, what,
	    c ? "the critical threshold" : "the warning threshold",
	    c ? crit : warn, setting, c ? "crit" : "warn", w);
	free(w);
}

static void
age_threshold(const struct pfa_qreport_in *in, struct pfa_result *res,
    long long age)
{
	const struct pfa_qconf *c = in->conf;
	bool crit = c->age_crit > 0 && age > c->age_crit;
	if (!crit && !(c->age_warn > 0 && age > c->age_warn))
		return;
	char a[32], l[32];
	char *w = worst(in);
	pfa_result_add_finding(res, crit ? PFA_SEV_CRITICAL : PFA_SEV_WARNING,
	    "PFA-QUEUE-013", "oldest_age_s", NULL, "the oldest message has "
	    "waited %s, longer than %s (age_%s)%s", age_text(age, a,
	    sizeof(a)), age_text(crit ? c->age_crit : c->age_warn, l,
	    sizeof(l)), crit ? "crit" : "warn", w);
	free(w);
}

/* One sender (020) or one sender domain (021, a note: one domain is
 * normal on a single-domain host) holding an unusual share. */
static void
flood(const struct pfa_qreport_in *in, const struct pfa_qcount *all,
    struct pfa_result *res)
{
	const struct pfa_qconf *c = in->conf;
	const struct pfa_qkey *top[1];
	unsigned long long waiting = all->msgs - in->t->q[PFA_Q_HOLD].msgs;
	if (waiting == 0)
		return;
	if (pfa_qtable_top(&in->t->senders, 1, top) == 1 &&
	    (long long)top[0]->msgs >= c->sender_min &&
	    top[0]->msgs * 100 >= (unsigned long long)c->sender_share *
	    waiting) {
		char *q = pfa_shquote(top[0]->key);
		char *remedy = pfa_xasprintf("%s queue hold --sender %s",
		    in->remedy_conf ? in->remedy_conf : "pfagent", q);
		bool bounces = strcmp(top[0]->key, "MAILER-DAEMON") == 0;
		pfa_result_add_finding(res, PFA_SEV_WARNING, "PFA-QUEUE-020",
		    top[0]->key, remedy, "%s holds %llu of the %llu messages "
		    "waiting in the queue (%llu%%): %s", bounces ? "the null "
		    "sender (bounces)" : "one sender", top[0]->msgs, waiting,
		    top[0]->msgs * 100 / waiting, bounces ? "backscatter, "
		    "or a flood of mail to bad addresses?" : "a compromised "
		    "account or a mail loop?");
		free(remedy);
		free(q);
		return;
	}
	if (pfa_qtable_top(&in->t->sdomains, 1, top) == 1 &&
	    (long long)top[0]->msgs >= c->sender_min &&
	    top[0]->msgs * 100 >= (unsigned long long)c->sender_share *
	    waiting)
		pfa_result_add_finding(res, PFA_SEV_INFO, "PFA-QUEUE-021",
		    top[0]->key, NULL, "sender domain %s holds %llu of the %llu "
		    "messages waiting in the queue (%llu%%), from several "
		    "senders", top[0]->key, top[0]->msgs, waiting,
		    top[0]->msgs * 100 / waiting);
}

/* The previous run's count of queue Q, or -1. */
static long long
last_count(json_object *last, int q)
{
	json_object *counts, *v;
	if (last == NULL || !json_object_object_get_ex(last, "counts",
	    &counts) || !json_object_object_get_ex(counts, pfa_qnames[q], &v) ||
	    !json_object_is_type(v, json_type_int))
		return -1;
	return (long long)json_object_get_int64(v);
}

static long long
last_time(json_object *last)
{
	json_object *v;
	if (last == NULL || !json_object_object_get_ex(last, "time", &v) ||
	    !json_object_is_type(v, json_type_int))
		return 0;
	return (long long)json_object_get_int64(v);
}

static char *
growth(json_object *last, int q)
{
	long long then = last_count(last, q);
	if (then < 0)
		return pfa_xstrdup("");
	return pfa_xasprintf(" (%lld at the last run)", then);
}

/* maildrop or incoming entries older than STALL_AGE: the daemon that
 * takes them does not. */
static void
stalled(const struct pfa_qreport_in *in, struct pfa_result *res, int q,
    const char *id, const char *who)
{
	const struct pfa_qcount *c = &in->t->q[q];
	long long age = c->oldest ? (long long)in->t->now - c->oldest : 0;
	if (c->msgs == 0 || age < STALL_AGE)
		return;
	char a[32];
	char *g = growth(in->last, q);
	pfa_result_add_finding(res, PFA_SEV_WARNING, id, pfa_qnames[q], NULL,
	    "%llu message%s in %s%s, the oldest for %s: %s%s", c->msgs,
	    plural(c->msgs), pfa_qnames[q], g, age_text(age, a, sizeof(a)),
	    who, in->running == 0 ? " (Postfix is not running)" : "");
	free(g);
}

static void
queue_notes(const struct pfa_qreport_in *in, struct pfa_result *res)
{
	const struct pfa_qtally *t = in->t;
	const struct pfa_qconf *c = in->conf;
	stalled(in, res, PFA_Q_MAILDROP, "PFA-QUEUE-022", "pickup is not "
	    "taking them in (is the pickup service in master.cf enabled?)");
	stalled(in, res, PFA_Q_INCOMING, "PFA-QUEUE-023", "the queue manager "
	    "is not keeping up (is the active queue full?)");
	unsigned long long act = t->q[PFA_Q_ACTIVE].msgs;
	if (in->active_limit > 0 &&
	    act * 100 >= (unsigned long long)in->active_limit * ACTIVE_SHARE)
		pfa_result_add_finding(res, PFA_SEV_WARNING, "PFA-QUEUE-024",
		    "active", NULL, "%llu messages in the active queue, %llu%% "
		    "of qmgr_message_active_limit (%lld): new mail waits in "
		    "incoming", act, act * 100 /
		    (unsigned long long)in->active_limit, in->active_limit);
	unsigned long long hold = t->q[PFA_Q_HOLD].msgs;
	bool hold_over = (c->hold_warn >= 0 && (long long)hold > c->hold_warn) ||
	    (c->hold_crit >= 0 && (long long)hold > c->hold_crit);
	if (hold > 0 && !hold_over) {
		char a[32], *remedy = pfa_xasprintf("%s queue release --all",
		    in->remedy_conf ? in->remedy_conf : "pfagent");
		pfa_result_add_finding(res, PFA_SEV_INFO, "PFA-QUEUE-025",
		    "hold", remedy, "%llu message%s on hold, the oldest for %s",
		    hold, plural(hold), age_text((long long)t->now -
		    t->q[PFA_Q_HOLD].oldest, a, sizeof(a)));
		free(remedy);
	}
	unsigned long long bad = t->q[PFA_Q_CORRUPT].msgs;
	if (bad > 0) {
		char *remedy = pfa_remedy(in->config_dir, "postfix check");
		pfa_result_add_finding(res, PFA_SEV_WARNING, "PFA-QUEUE-026",
		    "corrupt", remedy, "%llu file%s in the corrupt queue: "
		    "damaged messages Postfix set aside (look at them with "
		    "postcat, then remove them)", bad, plural(bad));
		free(remedy);
	}
}

/* ------------------------------------------------------------ the report */

/* 001: each non-empty queue with qshape's age buckets. */
static void
per_queue(const struct pfa_qreport_in *in, struct pfa_result *res)
{
	const struct pfa_qtally *t = in->t;
	for (int q = 0; q < PFA_Q_CORRUPT; q++) {
		const struct pfa_qcount *c = &t->q[q];
		if (c->msgs == 0)
			continue;
		char ages[400] = "", b[32], a[32];
		size_t o = 0;
		for (int k = 0; k < PFA_QAGE_BUCKETS && o < sizeof(ages); k++) {
			int w = snprintf(ages + o, sizeof(ages) - o, "%s%s%s %llu",
			    k ? ", " : "", k == PFA_QAGE_BUCKETS - 1 ? "" : "<",
			    pfa_qage_labels[k], c->age[k]);
			o += w > 0 ? (size_t)w : 0;
		}
		char rc[48] = "";
		if (in->full)
			snprintf(rc, sizeof(rc), ", %llu recipient%s", c->rcpts,
			    plural(c->rcpts));
		pfa_result_add_finding(res, PFA_SEV_INFO, "PFA-QUEUE-001",
		    pfa_qnames[q], NULL, "%llu message%s%s, %s, the oldest %s; "
		    "by age: %s", c->msgs, plural(c->msgs), rc, bytes_text(
		    c->bytes, b, sizeof(b)), age_text((long long)t->now -
		    c->oldest, a, sizeof(a)), ages);
	}
}

/* 002-004: the top lists of a listing. */
static void
tops(const struct pfa_qreport_in *in, struct pfa_result *res)
{
	const struct pfa_qtally *t = in->t;
	size_t want = in->conf->top > 0 ? (size_t)in->conf->top : 0;
	const struct pfa_qkey **top = pfa_xcalloc(want + 1, sizeof(*top));
	char a[32];
	size_t n = pfa_qtable_top(&t->reasons, want, top);
	for (size_t i = 0; i < n; i++) {
		const struct pfa_qkey *k = top[i];
		char *key = pfa_reason_key(&k->reason);
		pfa_result_add_finding(res, PFA_SEV_INFO, "PFA-QUEUE-002", key,
		    NULL, "%llu message%s, %llu recipient%s, the oldest %s "
		    "(e.g. %s to %s)", k->msgs, plural(k->msgs), k->rcpts,
		    plural(k->rcpts), age_text((long long)t->now - k->oldest, a,
		    sizeof(a)), k->example_id, k->example_rcpt);
		free(key);
	}
	n = pfa_qtable_top(&t->rdomains, want, top);
	for (size_t i = 0; i < n; i++)
		pfa_result_add_finding(res, PFA_SEV_INFO, "PFA-QUEUE-003",
		    top[i]->key, NULL, "recipient domain: %llu message%s, %llu "
		    "recipient%s, the oldest %s", top[i]->msgs,
		    plural(top[i]->msgs), top[i]->rcpts, plural(top[i]->rcpts),
		    age_text((long long)t->now - top[i]->oldest, a, sizeof(a)));
	n = pfa_qtable_top(&t->senders, want, top);
	for (size_t i = 0; i < n; i++)
		pfa_result_add_finding(res, PFA_SEV_INFO, "PFA-QUEUE-004",
		    top[i]->key, NULL, "sender: %llu message%s, the oldest %s",
		    top[i]->msgs, plural(top[i]->msgs), age_text((long long)
		    t->now - top[i]->oldest, a, sizeof(a)));
	free(top);
	const struct { const struct pfa_qtable *t; const char *what; } full[] = {
		{ &t->rdomains, "recipient domains" },
		{ &t->sdomains, "sender domains" },
		{ &t->senders, "senders" },
		{ &t->reasons, "reasons" },
	};
	for (size_t i = 0; i < sizeof(full) / sizeof(full[0]); i++)
		if (full[i].t->other_msgs > 0)
			pfa_result_add_finding(res, PFA_SEV_INFO,
			    "PFA-QUEUE-034", full[i].what, NULL, "more than %zu "
			    "distinct %s (max_keys): the rest, about %llu "
			    "messages, are counted together and the top lists "
			    "may miss some", full[i].t->max, full[i].what,
			    full[i].t->other_msgs);
}

/* 005: what is still deferred since the last run. */
static void
trend(const struct pfa_qreport_in *in, struct pfa_result *res)
{
	const struct pfa_qtally *t = in->t;
	long long then = last_time(in->last);
	long long was = last_count(in->last, PFA_Q_DEFERRED);
	if (then <= 0 || was < 0 || t->stuck == 0)
		return;
	/* the oldest of then that are still here: same id, same arrival
	 * (short queue ids are reused) */
	char ids[400] = "";
	size_t o = 0, same = 0;
	json_object *old;
	if (json_object_object_get_ex(in->last, "oldest", &old) &&
	    json_object_is_type(old, json_type_array))
		for (size_t i = 0; i < t->noldest; i++)
			for (size_t k = 0; k < json_object_array_length(old);
			    k++) {
				json_object *e = json_object_array_get_idx(old,
				    k), *id, *ar;
				if (!json_object_is_type(e, json_type_array) ||
				    json_object_array_length(e) != 2)
					continue;
				id = json_object_array_get_idx(e, 0);
				ar = json_object_array_get_idx(e, 1);
				if (!json_object_is_type(id, json_type_string) ||
				    strcmp(json_object_get_string(id),
				    t->oldest[i].id) != 0 ||
				    json_object_get_int64(ar) !=
				    t->oldest[i].arrival || o >= sizeof(ids))
					continue;
				int w = snprintf(ids + o, sizeof(ids) - o,
				    "%s%s", same++ ? " " : "", t->oldest[i].id);
				o += w > 0 ? (size_t)w : 0;
			}
	char a[32];
	long long d = (long long)t->q[PFA_Q_DEFERRED].msgs - was;
	pfa_result_add_finding(res, PFA_SEV_INFO, "PFA-QUEUE-005", "deferred",
	    NULL, "%llu deferred message%s were already queued at the last run "
	    "(%s ago) and are still deferred; deferred %+lld since then (%lld "
	    "then)%s%s", t->stuck, plural(t->stuck), age_text((long long)
	    t->now - then, a, sizeof(a)), d, was, same ? "; still here of the "
	    "oldest then: " : "", ids);
}

static void
listing_notes(const struct pfa_qreport_in *in, struct pfa_result *res)
{
	const struct pfa_qtally *t = in->t;
	if (t->malformed > 0)
		pfa_result_add_finding(res, PFA_SEV_WARNING, "PFA-QUEUE-032",
		    "postqueue -j", NULL, "%llu of %llu lines could not be read "
		    "and are not counted (the first, line %llu: %s)",
		    t->malformed, t->lines, t->first_bad, t->bad_why);
	if (t->defer_odd > 0)
		pfa_result_add_finding(res, PFA_SEV_INFO, "PFA-QUEUE-033",
		    "defer logs", NULL, "%llu of the %llu defer logs read had "
		    "odd records, skipped (the first: %s)", t->defer_odd,
		    t->defer_read, t->defer_odd_why);
}

static void
summary(const struct pfa_qreport_in *in, const struct pfa_qcount *all,
    long long age, struct pfa_result *res)
{
	const struct pfa_qtally *t = in->t;
	char parts[200] = "", b[32], a[32];
	size_t o = 0;
	for (int q = 0; q < PFA_Q_COUNT && o < sizeof(parts); q++)
		if (t->q[q].msgs > 0) {
			int w = snprintf(parts + o, sizeof(parts) - o, "%s%s %llu",
			    o ? ", " : " (", pfa_qnames[q], t->q[q].msgs);
			o += w > 0 ? (size_t)w : 0;
		}
	if (o > 0 && o + 1 < sizeof(parts))
		strcat(parts, ")");
	if (all->msgs == 0) {
		pfa_result_set_summary(res, "the queue is empty%s%s", parts,
		    in->running == 0 ? "; Postfix is not running" : "");
		return;
	}
	char *top = pfa_xstrdup("");
	const struct pfa_qkey *k[1];
	if (in->full && pfa_qtable_top(&t->reasons, 1, k) == 1) {
		char *key = pfa_reason_key(&k[0]->reason);
		free(top);
		top = pfa_xasprintf("; top reason: %s (%llu)", key, k[0]->msgs);
		free(key);
	}
	pfa_result_set_summary(res, "%llu message%s%s, %s, oldest %s%s%s",
	    all->msgs, plural(all->msgs), parts, bytes_text(all->bytes, b,
	    sizeof(b)), age > 0 || all->msgs > t->q[PFA_Q_HOLD].msgs ?
	    age_text(age, a, sizeof(a)) : "(all on hold)",
	    in->running == 0 ? "; Postfix is not running" : "", top);
	free(top);
}

void
pfa_qreport(const struct pfa_qreport_in *in, struct pfa_result *res)
{
	const struct pfa_qconf *c = in->conf;
	const struct pfa_qtally *t = in->t;
	struct pfa_qcount all;
	pfa_qtally_total(t, &all);
	long long o = oldest_waiting(t);
	long long age = o ? (long long)t->now - o : 0;
	if (age < 0)
		age = 0;
	metrics(in, &all, age, res);
	if (in->running == 0) {
		char *remedy = pfa_remedy(in->config_dir, "postfix start");
		pfa_result_add_finding(res, PFA_SEV_CRITICAL, "PFA-QUEUE-030",
		    in->config_dir, remedy, "Postfix is not running: no mail is "
		    "delivered or taken in; the counts are read from the queue "
		    "itself");
		free(remedy);
	}
	threshold(in, res, "PFA-QUEUE-010", "deferred",
	    (long long)t->q[PFA_Q_DEFERRED].msgs, c->deferred_warn,
	    c->deferred_crit, "messages deferred", "deferred");
	threshold(in, res, "PFA-QUEUE-011", "total", (long long)all.msgs,
	    c->total_warn, c->total_crit, "messages in the queue", "total");
	threshold(in, res, "PFA-QUEUE-012", "hold",
	    (long long)t->q[PFA_Q_HOLD].msgs, c->hold_warn, c->hold_crit,
	    "messages on hold", "hold");
	age_threshold(in, res, age);
	if (in->full)
		flood(in, &all, res);
	queue_notes(in, res);
	if (in->full)
		listing_notes(in, res);
	per_queue(in, res);
	if (in->full) {
		tops(in, res);
		trend(in, res);
	}
	summary(in, &all, age, res);
}

json_object *
pfa_qreport_state(const struct pfa_qtally *t)
{
	json_object *st = json_object_new_object();
	json_object_object_add(st, "time", json_object_new_int64(t->now));
	json_object *counts = json_object_new_object();
	for (int q = 0; q < PFA_Q_COUNT; q++)
		json_object_object_add(counts, pfa_qnames[q],
		    json_object_new_int64((int64_t)t->q[q].msgs));
	json_object_object_add(st, "counts", counts);
	json_object *old = json_object_new_array();
	for (size_t i = 0; i < t->noldest; i++) {
		json_object *e = json_object_new_array();
		json_object_array_add(e, json_object_new_string(t->oldest[i].id));
		json_object_array_add(e, json_object_new_int64(
		    t->oldest[i].arrival));
		json_object_array_add(old, e);
	}
	json_object_object_add(st, "oldest", old);
	return st;
}
