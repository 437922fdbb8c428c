/*
 * qtally.c - the tally of a queue listing, in bounded memory.
 *
 * Per queue: messages, recipients, bytes, force-expired, the oldest
 * arrival and qshape's age buckets.  Per recipient domain, sender domain,
 * sender (of mail not on hold) and grouped reason (postfix/reason.h):
 * messages and recipients,
 * in tables of at most max_keys entries each; what does not fit is
 * counted as "other", so memory grows with the distinct keys kept, never
 * with the messages.  Raw reason texts are cached on their way to a
 * group, so a queue of one cause normalises it once.  The oldest deferred
 * messages are kept (ten) for the trend.  No I/O, no log; a new reason
 * group may call the sampler, which reads a defer log.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "queue.h"

#define KEY_MAX 320		/* longest key kept: an address, a domain */
#define RAW_MAX 1024		/* longest raw reason text cached */
#define RAW_KEPT 1024		/* raw reason texts cached */

const char *const pfa_qnames[] = { "maildrop", "incoming", "active",
	"deferred", "hold", "corrupt", NULL };

const char *const pfa_qage_labels[] = { "5m", "10m", "20m", "40m", "80m",
	"160m", "320m", "640m", "1280m", "1280m+", NULL };

int
pfa_qname_parse(const char *s)
{
	for (int i = 0; s != NULL && pfa_qnames[i]; i++)
		if (strcmp(s, pfa_qnames[i]) == 0)
			return i;
	return -1;
}

int
pfa_qage_bucket(long long age)
{
	long long limit = 5 * 60;
	for (int b = 0; b < PFA_QAGE_BUCKETS - 1; b++, limit *= 2)
		if (age < limit)
			return b;
	return PFA_QAGE_BUCKETS - 1;
}

bool
pfa_qid_ok(const char *id)
{
	size_t n = 0;
	for (; id != NULL && id[n]; n++)
		if (!isalnum((unsigned char)id[n]) && id[n] != '_')
			return false;
	return n > 0 && n <= 255;
}

const char *
pfa_qdomain(const char *address, char *buf, size_t size)
{
	const char *a = address ? address : "";
	if (*a == '\0' || strcmp(a, "MAILER-DAEMON") == 0)
		return "MAILER-DAEMON";
	const char *at = strrchr(a, '@');
	if (at == NULL || at[1] == '\0')
		return "(local)";
	size_t n = 0;
	for (const char *p = at + 1; *p && n + 1 < size; p++)
		buf[n++] = (char)tolower((unsigned char)*p);
	while (n > 0 && buf[n - 1] == '.')
		n--;
	buf[n] = '\0';
	return n > 0 ? buf : "(local)";
}

char *
pfa_qclean(const char *s, size_t max)
{
	size_t n = s ? strnlen(s, max) : 0;
	char *c = pfa_xmalloc(n + 1);
	for (size_t i = 0; i < n; i++)
		c[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	c[n] = '\0';
	return c;
}

/* ------------------------------------------------------------ tables */

static void
table_init(struct pfa_qtable *t, size_t max)
{
	memset(t, 0, sizeof(*t));
	t->max = max;
}

static void
table_free(struct pfa_qtable *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->v[i].key);
		free(t->v[i].example_id);
		free(t->v[i].example_rcpt);
		if (t->v[i].reason.text != NULL)
			pfa_reason_free(&t->v[i].reason);
	}
	free(t->v);
	free(t->slots);
	memset(t, 0, sizeof(*t));
}

static uint32_t
hash(const char *s)
{
	uint32_t h = 2166136261u;	/* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static void
rehash(struct pfa_qtable *t)
{
	size_t ns = t->nslots ? t->nslots * 2 : 64;
	uint32_t *slots = pfa_xcalloc(ns, sizeof(*slots));
	for (size_t i = 0; i < t->n; i++) {
		size_t s = hash(t->v[i].key) & (ns - 1);
		while (slots[s] != 0)
			s = (s + 1) & (ns - 1);
		slots[s] = (uint32_t)(i + 1);
	}
	free(t->slots);
	t->slots = slots;
	t->nslots = ns;
}

/*
 * The entry for KEY, made if there is room (*NEW set); NULL when the table
 * is full and KEY is not in it.  KEY is shortened to KEY_MAX bytes and
 * control characters become '?', unless EXACT (the raw cache: the caller
 * keeps keys short).
 */
static struct pfa_qkey *
table_find(struct pfa_qtable *t, const char *key, bool exact, bool *new)
{
	char buf[KEY_MAX + 1];
	const char *k = key;
	if (!exact) {
		size_t n = 0;
		for (; key[n] && n < KEY_MAX; n++)
			buf[n] = (unsigned char)key[n] < 0x20 ||
			    key[n] == 0x7f ? '?' : key[n];
		buf[n] = '\0';
		k = buf;
	}
	*new = false;
	if (t->nslots == 0)
		rehash(t);
	size_t s = hash(k) & (t->nslots - 1);
	while (t->slots[s] != 0) {
		struct pfa_qkey *e = &t->v[t->slots[s] - 1];
		if (strcmp(e->key, k) == 0)
			return e;
		s = (s + 1) & (t->nslots - 1);
	}
	if (t->n >= t->max)
		return NULL;
	if ((t->n + 1) * 2 > t->nslots) {
		rehash(t);
		s = hash(k) & (t->nslots - 1);
		while (t->slots[s] != 0)
			s = (s + 1) & (t->nslots - 1);
	}
	if (t->n % 64 == 0)
		t->v = pfa_xrealloc(t->v, (t->n + 64) * sizeof(*t->v));
	struct pfa_qkey *e = &t->v[t->n];
	memset(e, 0, sizeof(*e));
	e->key = pfa_xstrdup(k);
	t->slots[s] = (uint32_t)(++t->n);
	*new = true;
	return e;
}

static struct pfa_qkey *
table_get(struct pfa_qtable *t, const char *key, bool *new)
{
	return table_find(t, key, false, new);
}

/* Counts message SEQ (once) and one recipient under KEY. */
static struct pfa_qkey *
table_count(struct pfa_qtable *t, const char *key, unsigned long long seq,
    long long arrival, bool rcpt)
{
	bool new;
	struct pfa_qkey *e = table_get(t, key, &new);
	if (e == NULL) {
		t->other_rcpts += rcpt;
		t->other_msgs++;	/* may count a message twice: "about" */
		return NULL;
	}
	if (e->last != seq) {
		e->last = seq;
		e->msgs++;
		if (e->oldest == 0 || arrival < e->oldest)
			e->oldest = arrival;
	}
	e->rcpts += rcpt;
	return e;
}

static int
by_msgs(const void *a, const void *b)
{
	const struct pfa_qkey *x = *(const struct pfa_qkey *const *)a;
	const struct pfa_qkey *y = *(const struct pfa_qkey *const *)b;
	if (x->msgs != y->msgs)
		return x->msgs < y->msgs ? 1 : -1;
	if (x->rcpts != y->rcpts)
		return x->rcpts < y->rcpts ? 1 : -1;
	return strcmp(x->key, y->key);
}

size_t
pfa_qtable_top(const struct pfa_qtable *tab, size_t n,
    const struct pfa_qkey **out)
{
	/* a partial selection would do; the tables are bounded and a run
	 * sorts once per list */
	const struct pfa_qkey **all = pfa_xcalloc(tab->n + 1, sizeof(*all));
	for (size_t i = 0; i < tab->n; i++)
		all[i] = &tab->v[i];
	qsort(all, tab->n, sizeof(*all), by_msgs);
	size_t k = n < tab->n ? n : tab->n;
	memcpy(out, all, k * sizeof(*out));
	free(all);
	return k;
}

/* ------------------------------------------------------------ the tally */

void
pfa_qtally_init(struct pfa_qtally *t, time_t now, size_t max_keys)
{
	memset(t, 0, sizeof(*t));
	t->now = now;
	table_init(&t->rdomains, max_keys);
	table_init(&t->sdomains, max_keys);
	table_init(&t->senders, max_keys);
	table_init(&t->reasons, max_keys);
	table_init(&t->raw, RAW_KEPT);
}

void
pfa_qtally_free(struct pfa_qtally *t)
{
	table_free(&t->rdomains);
	table_free(&t->sdomains);
	table_free(&t->senders);
	table_free(&t->reasons);
	table_free(&t->raw);
}

/* Keeps the PFA_QOLDEST_KEPT oldest deferred messages, oldest first. */
static void
keep_oldest(struct pfa_qtally *t, const struct pfa_qmsg *m)
{
	size_t n = t->noldest;
	if (n == PFA_QOLDEST_KEPT && m->arrival >= t->oldest[n - 1].arrival)
		return;
	size_t i = n < PFA_QOLDEST_KEPT ? n : n - 1;
	while (i > 0 && t->oldest[i - 1].arrival > m->arrival) {
		t->oldest[i] = t->oldest[i - 1];
		i--;
	}
	snprintf(t->oldest[i].id, sizeof(t->oldest[i].id), "%s", m->id);
	t->oldest[i].arrival = m->arrival;
	if (n < PFA_QOLDEST_KEPT)
		t->noldest++;
}

/* The reason group of recipient R of M, or NULL (table full). */
static struct pfa_qkey *
reason_of(struct pfa_qtally *t, const struct pfa_qmsg *m, size_t r)
{
	const char *raw = m->rcpts[r].reason;
	bool new;
	struct pfa_qkey *c = strlen(raw) <= RAW_MAX ?
	    table_find(&t->raw, raw, true, &new) : NULL;
	if (c != NULL && !new)
		return c->last > 0 ? &t->reasons.v[c->last - 1] : NULL;
	struct pfa_reason rs;
	pfa_reason_make(&rs, NULL, raw);
	char *key = pfa_reason_key(&rs);
	struct pfa_qkey *g = table_get(&t->reasons, key, &new);
	free(key);
	if (g != NULL && new) {
		g->reason = rs;
		g->example_id = pfa_qclean(m->id, KEY_MAX);
		g->example_rcpt = pfa_qclean(m->rcpts[r].address, KEY_MAX);
		if (t->sample != NULL && t->samples > 0 &&
		    m->queue == PFA_Q_DEFERRED && *g->reason.dsn == '\0') {
			t->samples--;
			g->sampled = true;
			t->sample(t->sample_arg, m, r, &g->reason);
		}
	} else {
		pfa_reason_free(&rs);
	}
	if (c != NULL)	/* the cache points at the group (or at none) */
		c->last = g != NULL ? (unsigned long long)(g - t->reasons.v) + 1
		    : 0;
	return g;
}

void
pfa_qtally_add(struct pfa_qtally *t, const struct pfa_qmsg *m)
{
	if (m->queue < 0 || m->queue >= PFA_Q_CORRUPT)
		return;
	unsigned long long seq = ++t->seq;
	struct pfa_qcount *q = &t->q[m->queue];
	q->msgs++;
	q->rcpts += m->nrcpts;
	q->bytes += (unsigned long long)m->size;
	q->expired += m->forced_expire;
	if (q->oldest == 0 || m->arrival < q->oldest)
		q->oldest = m->arrival;
	q->age[pfa_qage_bucket(t->now - m->arrival)]++;
	if (m->queue == PFA_Q_DEFERRED) {
		keep_oldest(t, m);
		if (t->since > 0 && m->arrival <= t->since)
			t->stuck++;
	}

	char dom[KEY_MAX + 1];
	/* senders of the mail waiting for delivery: a flood put on hold is
	 * dealt with */
	if (m->queue != PFA_Q_HOLD) {
		table_count(&t->senders, *m->sender ? m->sender :
		    "MAILER-DAEMON", seq, m->arrival, false);
		table_count(&t->sdomains, pfa_qdomain(m->sender, dom,
		    sizeof(dom)), seq, m->arrival, false);
	}
	for (size_t r = 0; r < m->nrcpts; r++) {
		table_count(&t->rdomains, pfa_qdomain(m->rcpts[r].address, dom,
		    sizeof(dom)), seq, m->arrival, true);
		if (m->rcpts[r].reason == NULL || *m->rcpts[r].reason == '\0')
			continue;
		struct pfa_qkey *g = reason_of(t, m, r);
		if (g == NULL) {
			t->reasons.other_rcpts++;
			t->reasons.other_msgs++;
			continue;
		}
		if (g->last != seq) {
			g->last = seq;
			g->msgs++;
			if (g->oldest == 0 || m->arrival < g->oldest)
				g->oldest = m->arrival;
		}
		g->rcpts++;
	}
}

void
pfa_qtally_line(struct pfa_qtally *t, struct pfa_qjson *p, const char *line,
    size_t len, bool cut)
{
	t->lines++;
	struct pfa_qmsg m;
	const char *why = NULL;
	if (cut)
		why = "longer than the line limit";
	else if (len == 0)
		return;		/* nothing: not a message, not an error */
	else if (pfa_qjson_parse(p, line, len, &m, &why) == 0) {
		pfa_qtally_add(t, &m);
		return;
	}
	if (t->malformed++ == 0) {
		t->first_bad = t->lines;
		snprintf(t->bad_why, sizeof(t->bad_why), "%s", why);
	}
}

void
pfa_qtally_total(const struct pfa_qtally *t, struct pfa_qcount *out)
{
	memset(out, 0, sizeof(*out));
	for (int i = 0; i < PFA_Q_CORRUPT; i++) {
		const struct pfa_qcount *q = &t->q[i];
		out->msgs += q->msgs;
		out->rcpts += q->rcpts;
		out->bytes += q->bytes;
		out->expired += q->expired;
		if (q->oldest != 0 && (out->oldest == 0 || q->oldest < out->oldest))
			out->oldest = q->oldest;
		for (int b = 0; b < PFA_QAGE_BUCKETS; b++)
			out->age[b] += q->age[b];
	}
}
