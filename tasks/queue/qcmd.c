/*
 * qcmd.c - `pfagent queue purge|hold|release|flush`: the seed's
 * `mailq | fgrep | awk | postsuper -d -` as an explicit command, never run
 * by cron or `pfagent run`.
 *
 * Lists the queue (postqueue -j, streamed), selects messages by
 * recipient, recipient domain, sender, sender domain and queue (all that
 * are given must hold; a message for other recipients too is left alone
 * unless --any, as postsuper can only take whole messages), prints them,
 * and unless it is a dry run hands exactly those queue ids to
 * `postsuper -c DIR -d|-h|-H - QUEUE` on stdin, one run per queue so that
 * an id is only ever taken from the queue it was seen in.  Then it lists
 * the queue again and reports, and logs, which of them Postfix really
 * deleted, held or released.  `flush` is `postqueue -c DIR -f`.  Exit:
 * 0 done, 1 some selected messages were not touched, 3 could not work.
 * The selectors come from the person typing; the queue's contents only
 * ever match them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "log.h"
#include "queue.h"
#include "task.h"

#define LINE_MAX_BYTES (4 * 1024 * 1024)
#define IDS_PER_LOG_LINE 50

enum verb { V_PURGE, V_HOLD, V_RELEASE, V_FLUSH };
static const char *const verbs[] = { "purge", "hold", "release", "flush",
	NULL };
static const char *const done_event[] = { "purged", "held", "released",
	"flushed" };
static const char *const done_word[] = { "deleted", "held", "released",
	"flushed" };
static const char *const postsuper_flag[] = { "-d", "-h", "-H", NULL };

struct sel {
	int verb;
	const char *recipient, *domain, *sender, *sender_domain;
	int queue;		/* -1: any */
	bool any, all, dry_run, json;
};

struct picked {
	char id[64];
	long long arrival;
	int queue;
	int now;		/* after the action: its queue, -1 gone */
};

struct pick {
	const struct sel *s;
	struct pfa_qjson *p;
	struct picked *v;
	size_t n, cap;
	unsigned long long partial, already, lines, bad;
	json_object *list;	/* --json: the selected messages */
	bool print;
};

static int
usage(const char *why)
{
	fprintf(stderr, "pfagent queue: %s\nusage: pfagent [-c FILE] [-n] "
	    "[--json] queue purge|hold|release SELECTOR... [--queue QUEUE] "
	    "[--any] [--dry-run]\n       pfagent [-c FILE] [-n] queue flush\n"
	    "selectors: --recipient ADDR, --domain DOMAIN (of a recipient), "
	    "--sender ADDR ('<>' for bounces), --sender-domain DOMAIN, or "
	    "--all\n", why);
	return PFA_UNKNOWN;
}

static int
parse(int argc, char **argv, struct sel *s)
{
	if (argc < 2)
		return usage("what to do: purge, hold, release or flush");
	for (s->verb = 0; verbs[s->verb]; s->verb++)
		if (strcmp(argv[1], verbs[s->verb]) == 0)
			break;
	if (verbs[s->verb] == NULL)
		return usage("unknown action");
	static const char *const opts[] = { "--recipient", "--domain",
		"--sender", "--sender-domain", "--queue", NULL };
	const char **dest[] = { &s->recipient, &s->domain, &s->sender,
		&s->sender_domain, NULL };
	const char *queue = NULL;
	dest[4] = &queue;
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--any") == 0) {
			s->any = true;
			continue;
		}
		if (strcmp(a, "--all") == 0) {
			s->all = true;
			continue;
		}
		if (strcmp(a, "--dry-run") == 0 || strcmp(a, "-n") == 0) {
			s->dry_run = true;
			continue;
		}
		if (strcmp(a, "--json") == 0) {
			s->json = true;
			continue;
		}
		size_t k;
		for (k = 0; opts[k]; k++) {
			size_t n = strlen(opts[k]);
			if (strncmp(a, opts[k], n) == 0 && (a[n] == '\0' ||
			    a[n] == '='))
				break;
		}
		if (opts[k] == NULL)
			return usage("unknown option");
		const char *val = strchr(a, '=') ? strchr(a, '=') + 1 :
		    i + 1 < argc ? argv[++i] : NULL;
		if (val == NULL || *val == '\0' || *dest[k] != NULL)
			return usage(val == NULL || *val == '\0' ?
			    "an option needs a value" : "an option given twice");
		*dest[k] = val;
	}
	s->queue = -1;
	if (queue != NULL && ((s->queue = pfa_qname_parse(queue)) < 0 ||
	    s->queue == PFA_Q_CORRUPT))
		return usage("--queue takes maildrop, incoming, active, deferred "
		    "or hold");
	bool named = s->recipient || s->domain || s->sender ||
	    s->sender_domain;
	if (s->verb == V_FLUSH) {
		if (named || s->all || queue || s->any)
			return usage("flush takes no selectors (it flushes "
			    "the whole queue)");
		return 0;
	}
	if (!named && !s->all)
		return usage("name what to select, or --all");
	if (named && s->all)
		return usage("--all selects everything: no other selector "
		    "with it");
	if (s->verb == V_RELEASE && s->queue >= 0 && s->queue != PFA_Q_HOLD)
		return usage("release takes messages from hold only");
	if (s->verb == V_HOLD && s->queue == PFA_Q_HOLD)
		return usage("hold takes messages that are not on hold");
	return 0;
}

static bool
same_addr(const char *a, const char *want)
{
	if (strcmp(want, "<>") == 0)
		want = "MAILER-DAEMON";
	if (*a == '\0')
		a = "MAILER-DAEMON";
	return strcasecmp(a, want) == 0;
}

static bool
same_domain(const char *addr, const char *want)
{
	char buf[400];
	return strcasecmp(pfa_qdomain(addr, buf, sizeof(buf)), want) == 0;
}

/* Does M match?  *PARTIAL: only some of its recipients do. */
static bool
matches(const struct sel *s, const struct pfa_qmsg *m, bool *partial)
{
	*partial = false;
	if (s->queue >= 0 && m->queue != s->queue)
		return false;
	if (s->verb == V_RELEASE && m->queue != PFA_Q_HOLD)
		return false;
	if (s->sender && !same_addr(m->sender, s->sender))
		return false;
	if (s->sender_domain && !same_domain(m->sender, s->sender_domain))
		return false;
	if (!s->recipient && !s->domain)
		return true;
	size_t hit = 0;
	for (size_t i = 0; i < m->nrcpts; i++) {
		const char *a = m->rcpts[i].address;
		if ((!s->recipient || same_addr(a, s->recipient)) &&
		    (!s->domain || same_domain(a, s->domain)))
			hit++;
	}
	*partial = hit > 0 && hit < m->nrcpts;
	return hit > 0 && (hit == m->nrcpts || s->any);
}

/* One selected message on the terminal: addresses from the queue with
 * their control characters as '?'. */
static void
print_msg(const struct pfa_qmsg *m, const char *note)
{
	char *from = pfa_qclean(*m->sender ? m->sender : "MAILER-DAEMON", 320);
	char *to = pfa_qclean(m->nrcpts ? m->rcpts[0].address :
	    "(no recipient)", 320);
	printf("  %-8s %-16s from %s to %s", pfa_qnames[m->queue], m->id,
	    from, to);
	if (m->nrcpts > 1)
		printf(" and %zu more", m->nrcpts - 1);
	printf("%s\n", note);
	free(from);
	free(to);
}

static int
on_pick(void *arg, const char *line, size_t len, bool cut)
{
	struct pick *k = arg;
	struct pfa_qmsg m;
	const char *why;
	k->lines++;
	if (cut || len == 0 || pfa_qjson_parse(k->p, line, len, &m, &why) < 0) {
		k->bad += len > 0 || cut;
		return 0;
	}
	bool partial;
	if (!matches(k->s, &m, &partial)) {
		if (partial) {
			k->partial++;
			if (k->print)
				print_msg(&m, "  (skipped: also for other "
				    "recipients; --any takes it)");
		}
		return 0;
	}
	if (k->s->verb == V_HOLD && m.queue == PFA_Q_HOLD) {
		k->already++;
		return 0;
	}
	if (k->n == k->cap) {
		k->cap = k->cap ? k->cap * 2 : 256;
		k->v = pfa_xrealloc(k->v, k->cap * sizeof(*k->v));
	}
	struct picked *p = &k->v[k->n++];
	snprintf(p->id, sizeof(p->id), "%s", m.id);
	p->arrival = m.arrival;
	p->queue = m.queue;
	p->now = -1;
	if (k->print)
		print_msg(&m, "");
	if (k->list != NULL) {
		json_object *o = json_object_new_object();
		json_object_object_add(o, "queue_name",
		    json_object_new_string(pfa_qnames[m.queue]));
		json_object_object_add(o, "queue_id", json_object_new_string(m.id));
		json_object_object_add(o, "arrival_time",
		    json_object_new_int64(m.arrival));
		json_object_object_add(o, "sender",
		    json_object_new_string(m.sender));
		json_object *r = json_object_new_array();
		for (size_t i = 0; i < m.nrcpts; i++)
			json_object_array_add(r,
			    json_object_new_string(m.rcpts[i].address));
		json_object_object_add(o, "recipients", r);
		json_object_array_add(k->list, o);
	}
	return 0;
}

/* postqueue -j through FN; 0, or -1 after saying why on stderr. */
static int
list(struct pfa_ctx *ctx, pfa_exec_line_fn fn, void *arg)
{
	const char *args[] = { "-j", NULL };
	struct pfa_exec_opts o = { .timeout_ms = 300000, .on_line = fn,
		.line_arg = arg, .max_line = LINE_MAX_BYTES };
	struct pfa_exec_result r;
	if (pfa_postfix_run(ctx->pf, "postqueue", args, &o, &r) < 0) {
		fprintf(stderr, "pfagent queue: cannot run postqueue\n");
		return -1;
	}
	int rc = 0;
	if (r.timed_out || r.status != 0) {
		fprintf(stderr, "pfagent queue: postqueue -j %s: %.200s\n",
		    r.timed_out ? "timed out" : "failed", r.err);
		rc = -1;
	}
	pfa_exec_result_free(&r);
	return rc;
}

static int
by_id(const void *a, const void *b)
{
	return strcmp(((const struct picked *)a)->id,
	    ((const struct picked *)b)->id);
}

/* The second listing: where each picked message is now. */
static int
on_verify(void *arg, const char *line, size_t len, bool cut)
{
	struct pick *k = arg;
	struct pfa_qmsg m;
	const char *why;
	if (cut || len == 0 || pfa_qjson_parse(k->p, line, len, &m, &why) < 0)
		return 0;
	struct picked key;
	snprintf(key.id, sizeof(key.id), "%s", m.id);
	struct picked *p = bsearch(&key, k->v, k->n, sizeof(*k->v), by_id);
	if (p != NULL && p->arrival == m.arrival)	/* ids are reused */
		p->now = m.queue;
	return 0;
}

static bool
touched(const struct sel *s, const struct picked *p)
{
	return s->verb == V_PURGE ? p->now < 0 : s->verb == V_HOLD ?
	    p->now == PFA_Q_HOLD : p->now != PFA_Q_HOLD;
}

/* "ID ID ..." of the picked messages that were (or were not) touched,
 * printed and logged in lines of IDS_PER_LOG_LINE ids. */
static void
report_ids(struct pfa_ctx *ctx, const struct sel *s, const struct pick *k,
    bool done, size_t count, json_object *arr)
{
	if (count == 0)
		return;
	if (ctx->json == false)
		printf("%s %zu message%s%s:\n", done ? done_word[s->verb] :
		    "not touched:", count, count == 1 ? "" : "s", done ? "" :
		    " (delivered or moved meanwhile?)");
	char ids[IDS_PER_LOG_LINE * 65 + 1];
	size_t o = 0, inline_ = 0, part = 0;
	for (size_t i = 0; i < k->n; i++) {
		if (touched(s, &k->v[i]) != done)
			continue;
		if (arr != NULL)
			json_object_array_add(arr,
			    json_object_new_string(k->v[i].id));
		o += (size_t)snprintf(ids + o, sizeof(ids) - o, "%s%s",
		    inline_ ? "," : "", k->v[i].id);
		if (++inline_ == IDS_PER_LOG_LINE) {
			part++;
			pfa_log(done ? LOG_NOTICE : LOG_WARNING, "task=%s "
			    "event=%s count=%zu part=%zu ids=%s", ctx->task,
			    done ? done_event[s->verb] : "not-touched", count,
			    part, ids);
			if (!ctx->json)
				printf("  %s\n", ids);
			o = 0;
			inline_ = 0;
			ids[0] = '\0';
		}
	}
	if (inline_ > 0) {
		pfa_log(done ? LOG_NOTICE : LOG_WARNING, "task=%s event=%s "
		    "count=%zu part=%zu ids=%s", ctx->task, done ?
		    done_event[s->verb] : "not-touched", count, part + 1, ids);
		if (!ctx->json)
			printf("  %s\n", ids);
	}
}

static int
flush(struct pfa_ctx *ctx, bool dry)
{
	if (dry) {
		printf("would flush the queue (postqueue -c %s -f); dry run: "
		    "nothing done\n", pfa_postfix_config_dir(ctx->pf));
		pfa_log(LOG_INFO, "task=%s event=would-flush", ctx->task);
		return PFA_OK;
	}
	const char *args[] = { "-f", NULL };
	struct pfa_exec_opts o = { .timeout_ms = 60000 };
	struct pfa_exec_result r;
	if (pfa_postfix_run(ctx->pf, "postqueue", args, &o, &r) < 0) {
		fprintf(stderr, "pfagent queue: cannot run postqueue\n");
		return PFA_UNKNOWN;
	}
	int rc = r.status == 0 && !r.timed_out ? PFA_OK : PFA_UNKNOWN;
	if (rc == PFA_OK) {
		printf("flushed the queue: every deferred message is tried "
		    "again now\n");
		pfa_log(LOG_NOTICE, "task=%s event=flushed", ctx->task);
	} else {
		char q[300];
		fprintf(stderr, "pfagent queue: postqueue -f failed: %.200s\n",
		    r.err);
		pfa_log(LOG_ERR, "task=%s event=flush-failed status=%d "
		    "error=%s", ctx->task, r.status, pfa_log_quote(q, sizeof(q),
		    r.err));
	}
	pfa_exec_result_free(&r);
	return rc;
}

/* "recipient=... queue=..." for the log. */
static char *
describe(const struct sel *s)
{
	const char *names[] = { "recipient", "domain", "sender",
		"sender_domain" };
	const char *vals[] = { s->recipient, s->domain, s->sender,
		s->sender_domain };
	char *out = pfa_xstrdup("");
	for (size_t i = 0; i < 4; i++) {
		if (vals[i] == NULL)
			continue;
		char q[400];
		char *o = pfa_xasprintf("%s%s%s=%s", out, *out ? " " : "",
		    names[i], pfa_log_quote(q, sizeof(q), vals[i]));
		free(out);
		out = o;
	}
	const char *extra[] = { s->queue >= 0 ? "queue=" : NULL,
		s->any ? "any=yes" : NULL, s->all ? "all=yes" : NULL };
	const char *val[] = { s->queue >= 0 ? pfa_qnames[s->queue] : "", "",
		"" };
	for (size_t i = 0; i < 3; i++) {
		if (extra[i] == NULL)
			continue;
		char *o = pfa_xasprintf("%s%s%s%s", out, *out ? " " : "",
		    extra[i], val[i]);
		free(out);
		out = o;
	}
	return out;
}

/* postsuper FLAG - QUEUE with the ids picked from QUEUE on stdin. */
static int
act(struct pfa_ctx *ctx, const struct sel *s, const struct pick *k, int q)
{
	size_t n = 0, len = 0;
	for (size_t i = 0; i < k->n; i++)
		if (k->v[i].queue == q) {
			n++;
			len += strlen(k->v[i].id) + 1;
		}
	if (n == 0)
		return 0;
	char *in = pfa_xmalloc(len + 1), *p = in;
	for (size_t i = 0; i < k->n; i++)
		if (k->v[i].queue == q)
			p += sprintf(p, "%s\n", k->v[i].id);
	const char *args[] = { postsuper_flag[s->verb], "-", pfa_qnames[q],
		NULL };
	struct pfa_exec_opts o = { .timeout_ms = 300000, .stdin_data = in,
		.stdin_len = len };
	struct pfa_exec_result r;
	int rc = pfa_postfix_run(ctx->pf, "postsuper", args, &o, &r);
	free(in);
	if (rc < 0) {
		fprintf(stderr, "pfagent queue: cannot run postsuper\n");
		return -1;
	}
	if (r.status != 0 || r.timed_out) {
		char qe[300];
		fprintf(stderr, "pfagent queue: postsuper %s - %s failed: "
		    "%.200s\n", args[0], args[2], r.err);
		pfa_log(LOG_ERR, "task=%s event=postsuper-failed queue=%s "
		    "status=%d error=%s", ctx->task, args[2], r.status,
		    pfa_log_quote(qe, sizeof(qe), r.err));
		rc = -1;
	}
	pfa_exec_result_free(&r);
	return rc;
}

/* The --json document: what was selected, touched and not. */
static void
print_json(const struct sel *s, struct pick *k, bool dry, json_object *done,
    json_object *not_done, int rc)
{
	json_object *doc = json_object_new_object();
	json_object_object_add(doc, "command",
	    json_object_new_string(verbs[s->verb]));
	json_object_object_add(doc, "dry_run", json_object_new_boolean(dry));
	json_object_object_add(doc, "selected", k->list);
	k->list = NULL;
	json_object_object_add(doc, "skipped_partial",
	    json_object_new_int64((int64_t)k->partial));
	json_object_object_add(doc, "touched",
	    done ? done : json_object_new_array());
	json_object_object_add(doc, "not_touched",
	    not_done ? not_done : json_object_new_array());
	json_object_object_add(doc, "exit_code", json_object_new_int(rc));
	printf("%s\n", json_object_to_json_string_ext(doc,
	    JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(doc);
}

int
pfa_queue_command(struct pfa_ctx *ctx, int argc, char **argv)
{
	struct sel s;
	memset(&s, 0, sizeof(s));
	if (parse(argc, argv, &s) != 0)
		return PFA_UNKNOWN;
	bool dry = s.dry_run || ctx->dry_run;
	ctx->json = ctx->json || s.json;
	if (s.verb == V_FLUSH)
		return flush(ctx, dry);
	char *what = describe(&s);
	struct pick k = { .s = &s, .p = pfa_qjson_new(), .print = !ctx->json,
		.list = ctx->json ? json_object_new_array() : NULL };
	json_object *dj = NULL, *nj = NULL;
	if (!ctx->json)
		printf("%s: selected (%s):\n", dry ? "dry run" :
		    verbs[s.verb], what);
	int rc = PFA_OK;
	if (list(ctx, on_pick, &k) < 0) {
		rc = PFA_UNKNOWN;
		goto out;
	}
	if (!ctx->json) {
		printf("%zu message%s selected", k.n, k.n == 1 ? "" : "s");
		if (k.partial)
			printf("; %llu skipped: also for other recipients "
			    "(--any takes them)", k.partial);
		if (k.already)
			printf("; %llu already on hold", k.already);
		printf("\n");
	}
	if (k.n == 0 || dry) {
		pfa_log(LOG_INFO, "task=%s event=%s%s count=%zu %s", ctx->task,
		    k.n == 0 ? "nothing-selected" : "would-", k.n == 0 ? "" :
		    verbs[s.verb], k.n, what);
		if (dry && k.n > 0 && !ctx->json)
			printf("would have %s %zu message%s; dry run: nothing "
			    "changed\n", done_word[s.verb], k.n,
			    k.n == 1 ? "" : "s");
		goto out;
	}
	pfa_log(LOG_NOTICE, "task=%s event=%s-start count=%zu %s", ctx->task,
	    verbs[s.verb], k.n, what);
	for (int qn = 0; qn < PFA_Q_CORRUPT; qn++)
		if (act(ctx, &s, &k, qn) < 0)
			rc = PFA_UNKNOWN;
	/* Postfix's own view of what happened */
	qsort(k.v, k.n, sizeof(*k.v), by_id);
	if (list(ctx, on_verify, &k) < 0) {
		rc = PFA_UNKNOWN;
		goto out;
	}
	size_t done = 0;
	for (size_t i = 0; i < k.n; i++)
		done += touched(&s, &k.v[i]);
	dj = ctx->json ? json_object_new_array() : NULL;
	nj = ctx->json ? json_object_new_array() : NULL;
	report_ids(ctx, &s, &k, true, done, dj);
	report_ids(ctx, &s, &k, false, k.n - done, nj);
	if (rc == PFA_OK && done < k.n)
		rc = PFA_WARNING;
out:
	if (ctx->json)
		print_json(&s, &k, dry, dj, nj, rc);
	pfa_qjson_free(k.p);
	free(k.v);
	free(what);
	return rc;
}
