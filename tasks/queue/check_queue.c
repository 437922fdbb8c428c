/*
 * check_queue.c - the check-queue task: why mail is stuck, in one pass.
 *
 * Reads the queue through `postqueue -c DIR -j` (Postfix's stable
 * interface), streamed line by line through the exec service, so memory
 * grows with the distinct domains, senders and reasons kept (max_keys),
 * never with the messages; samples the defer logs of the first messages
 * of each reason for the DSN postqueue does not give; and reports counts,
 * bytes and ages per queue, top reasons, domains and senders, thresholds
 * and cause-specific findings (qreport.c).  Run as a monitoring check
 * (--nagios) it takes the count-only path instead (qscan.c): the queue
 * directories read directly, the same counts, far cheaper.  Never changes
 * the queue: deleting, holding, releasing and flushing are the explicit
 * `pfagent queue ...` command (qcmd.c).  Problems are findings; the
 * postqueue run is logged by the exec service when it cannot start.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "duration.h"
#include "file.h"
#include "log.h"
#include "queue.h"
#include "task.h"

#define LINE_MAX_BYTES (4 * 1024 * 1024)	/* one postqueue -j line */

static const char *const settings[] = {
	"deferred_warn", "deferred_crit", "total_warn", "total_crit",
	"hold_warn", "hold_crit", "age_warn", "age_crit", "sender_share",
	"sender_min", "top", "max_keys", "defer_logs", "timeout", NULL,
};

static const struct pfa_finding_doc queue_findings[] = {
	{ "PFA-QUEUE-001", PFA_SEV_INFO, "a queue's messages, bytes and age "
	    "distribution" },
	{ "PFA-QUEUE-002", PFA_SEV_INFO, "a top reason for deferral, grouped "
	    "by DSN, server and normalised text" },
	{ "PFA-QUEUE-003", PFA_SEV_INFO, "a top recipient domain" },
	{ "PFA-QUEUE-004", PFA_SEV_INFO, "a top sender" },
	{ "PFA-QUEUE-005", PFA_SEV_INFO, "messages still deferred since the "
	    "last run, and the growth since" },
	{ "PFA-QUEUE-010", PFA_SEV_CRITICAL, "deferred messages above "
	    "deferred_warn or deferred_crit" },
	{ "PFA-QUEUE-011", PFA_SEV_CRITICAL, "messages in the queue above "
	    "total_warn or total_crit" },
	{ "PFA-QUEUE-012", PFA_SEV_CRITICAL, "messages on hold above "
	    "hold_warn or hold_crit" },
	{ "PFA-QUEUE-013", PFA_SEV_CRITICAL, "the oldest message waited "
	    "longer than age_warn or age_crit" },
	{ "PFA-QUEUE-020", PFA_SEV_WARNING, "one sender holds an unusual "
	    "share of the queue (a compromised account?)" },
	{ "PFA-QUEUE-021", PFA_SEV_INFO, "one sender domain holds an unusual "
	    "share of the queue" },
	{ "PFA-QUEUE-022", PFA_SEV_WARNING, "messages wait in maildrop: "
	    "pickup does not take them in" },
	{ "PFA-QUEUE-023", PFA_SEV_WARNING, "messages wait in incoming: the "
	    "queue manager does not keep up" },
	{ "PFA-QUEUE-024", PFA_SEV_WARNING, "the active queue is near "
	    "qmgr_message_active_limit" },
	{ "PFA-QUEUE-025", PFA_SEV_INFO, "messages are on hold" },
	{ "PFA-QUEUE-026", PFA_SEV_WARNING, "files in the corrupt queue" },
	{ "PFA-QUEUE-030", PFA_SEV_CRITICAL, "Postfix is not running" },
	{ "PFA-QUEUE-031", PFA_SEV_UNKNOWN, "the queue could not be read" },
	{ "PFA-QUEUE-032", PFA_SEV_WARNING, "lines of postqueue -j that could "
	    "not be read (not counted)" },
	{ "PFA-QUEUE-033", PFA_SEV_INFO, "defer logs with odd records "
	    "(skipped)" },
	{ "PFA-QUEUE-034", PFA_SEV_INFO, "more distinct keys than max_keys: "
	    "the rest counted together" },
	{ NULL, 0, NULL },
};

static const struct pfa_finding_doc *const findings[] = { queue_findings,
	NULL };

/* ------------------------------------------------------------ settings */

/* A count threshold: -1 (off) or more. */
static int
threshold(const config_setting_t *s, const char *name, long long def,
    long long *out)
{
	return pfa_conf_int(s, name, def, -1, 1000000000LL, out);
}

static const config_setting_t *
setting(const config_setting_t *s, const char *name)
{
	return s ? config_setting_get_member((config_setting_t *)s, name) :
	    NULL;
}

/* WARN above CRIT (both set) is an error: nothing would ever warn. */
static int
ordered(const config_setting_t *s, const char *w, const char *c,
    long long warn, long long crit)
{
	if (warn < 0 || crit < 0 || warn <= crit)
		return 0;
	pfa_conf_error(setting(s, w) ? setting(s, w) : setting(s, c),
	    "%s (%lld) is above %s (%lld)", w, warn, c, crit);
	return -1;
}

static int
configure(const config_setting_t *s, void **out)
{
	struct pfa_qconf *c = pfa_xcalloc(1, sizeof(*c));
	int rc = 0;
	rc |= threshold(s, "deferred_warn", 100, &c->deferred_warn);
	rc |= threshold(s, "deferred_crit", 1000, &c->deferred_crit);
	rc |= threshold(s, "total_warn", -1, &c->total_warn);
	rc |= threshold(s, "total_crit", -1, &c->total_crit);
	rc |= threshold(s, "hold_warn", -1, &c->hold_warn);
	rc |= threshold(s, "hold_crit", -1, &c->hold_crit);
	rc |= pfa_conf_duration(s, "age_warn", 86400, 0, 366 * 86400LL,
	    &c->age_warn);
	rc |= pfa_conf_duration(s, "age_crit", 4 * 86400, 0, 366 * 86400LL,
	    &c->age_crit);
	rc |= pfa_conf_int(s, "sender_share", 50, 1, 100, &c->sender_share);
	rc |= pfa_conf_int(s, "sender_min", 100, 1, 1000000000LL,
	    &c->sender_min);
	rc |= pfa_conf_int(s, "top", 5, 0, 100, &c->top);
	rc |= pfa_conf_int(s, "max_keys", 10000, 10, 1000000, &c->max_keys);
	rc |= pfa_conf_int(s, "defer_logs", 100, 0, 100000, &c->defer_logs);
	rc |= pfa_conf_duration(s, "timeout", 300, 1, 86400, &c->timeout);
	if (rc == 0) {
		rc |= ordered(s, "deferred_warn", "deferred_crit",
		    c->deferred_warn, c->deferred_crit);
		rc |= ordered(s, "total_warn", "total_crit", c->total_warn,
		    c->total_crit);
		rc |= ordered(s, "hold_warn", "hold_crit", c->hold_warn,
		    c->hold_crit);
		if (c->age_warn > 0 && c->age_crit > 0 &&
		    c->age_warn > c->age_crit) {
			char w[32], k[32];
			pfa_conf_error(setting(s, "age_warn") ?
			    setting(s, "age_warn") : setting(s, "age_crit"),
			    "age_warn (%s) is above age_crit (%s)",
			    pfa_duration_format(c->age_warn, w, sizeof(w)),
			    pfa_duration_format(c->age_crit, k, sizeof(k)));
			rc = -1;
		}
	}
	*out = c;
	return rc ? -1 : 0;
}

static void
free_conf(void *p)
{
	free(p);
}

/* ------------------------------------------------------------ defer logs */

struct sample {
	const struct pfa_qdirs *dirs;
	struct pfa_qtally *t;
	const char *rcpt;
	struct pfa_reason *reason;
};

static int
on_record(void *arg, const struct pfa_defrec *r)
{
	struct sample *s = arg;
	if (r->recipient == NULL || strcasecmp(r->recipient, s->rcpt) != 0)
		return 0;
	struct pfa_reason *rs = s->reason;
	const char *st = r->status;
	if (*rs->dsn == '\0' && st != NULL && *st != '\0' &&
	    strlen(st) < sizeof(rs->dsn) &&
	    strspn(st, "0123456789.") == strlen(st))
		strcpy(rs->dsn, st);
	return 1;
}

/* The defer log of M, for its recipient R: the DSN postqueue leaves out. */
static void
sample(void *arg, const struct pfa_qmsg *m, size_t r,
    struct pfa_reason *reason)
{
	struct sample *s = arg;
	char path[4096];
	if (pfa_deferlog_path(s->dirs, m->id, path, sizeof(path)) < 0)
		return;
	char *buf = NULL;
	size_t len = 0;
	s->t->defer_read++;
	if (pfa_file_read(path, PFA_DEFERLOG_MAX, 0, &buf, &len, NULL) < 0) {
		if (errno != ENOENT && s->t->defer_odd++ == 0)
			snprintf(s->t->defer_odd_why,
			    sizeof(s->t->defer_odd_why), "%.200s: %s", path,
			    pfa_file_strerror(errno));
		return;
	}
	s->rcpt = m->rcpts[r].address;
	s->reason = reason;
	char odd[160];
	pfa_deferlog_parse(buf, len, on_record, s, odd, sizeof(odd));
	if (*odd != '\0' && s->t->defer_odd++ == 0)
		snprintf(s->t->defer_odd_why, sizeof(s->t->defer_odd_why),
		    "%.200s: %.90s", path, odd);
	free(buf);
}

/* ------------------------------------------------------------ the run */

struct listing {
	struct pfa_qtally *t;
	struct pfa_qjson *p;
};

static int
on_line(void *arg, const char *line, size_t len, bool cut)
{
	struct listing *l = arg;
	pfa_qtally_line(l->t, l->p, line, len, cut);
	return 0;
}

/* The first line of TEXT, at most 200 bytes, into BUF. */
static const char *
first_line(const char *text, char *buf, size_t size)
{
	while (*text == '\n')
		text++;
	size_t n = strcspn(text, "\n");
	if (n >= size)
		n = size - 1;
	memcpy(buf, text, n);
	buf[n] = '\0';
	return buf;
}

/* postqueue -j, streamed into T; 0, or -1 after a finding. */
static int
list_queue(struct pfa_ctx *ctx, struct pfa_result *res, struct pfa_qtally *t)
{
	const struct pfa_qconf *c = ctx->conf;
	struct listing l = { t, pfa_qjson_new() };
	const char *args[] = { "-j", NULL };
	struct pfa_exec_opts o = {
		.timeout_ms = (int)(c->timeout * 1000),
		.on_line = on_line,
		.line_arg = &l,
		.max_line = LINE_MAX_BYTES,
	};
	struct pfa_exec_result r;
	int rc = pfa_postfix_run(ctx->pf, "postqueue", args, &o, &r);
	pfa_qjson_free(l.p);
	const char *dir = pfa_postfix_config_dir(ctx->pf);
	if (rc < 0) {
		pfa_result_add_finding(res, PFA_SEV_UNKNOWN, "PFA-QUEUE-031",
		    dir, NULL, "cannot run postqueue: %s", strerror(errno));
		return -1;
	}
	char why[256];
	if (r.timed_out || r.status != 0) {
		first_line(r.err, why, sizeof(why));
		if (r.timed_out)
			pfa_result_add_finding(res, PFA_SEV_UNKNOWN,
			    "PFA-QUEUE-031", dir, NULL, "postqueue -j did not "
			    "finish within %lld s (timeout): the counts would "
			    "be incomplete", (long long)c->timeout);
		else
			pfa_result_add_finding(res, PFA_SEV_UNKNOWN,
			    "PFA-QUEUE-031", dir, NULL, "postqueue -j failed "
			    "(exit status %d)%s%s", r.status, *why ? ": " : "",
			    why);
		pfa_exec_result_free(&r);
		return -1;
	}
	pfa_log(LOG_DEBUG, "task=%s event=listed lines=%llu malformed=%llu",
	    ctx->task, t->lines, t->malformed);
	pfa_exec_result_free(&r);
	return 0;
}

static int
find_defer(void *arg, const char *token, size_t index)
{
	(void)index;
	*(bool *)arg = *(bool *)arg || strcasecmp(token, "defer") == 0;
	return 0;
}

/* Replaces the contents of the task's state with NEW (consumed). */
static void
keep_state(json_object *data, json_object *new)
{
	if (data == NULL) {
		json_object_put(new);
		return;
	}
	for (;;) {
		const char *k = NULL;
		json_object_object_foreach(data, key, val) {
			(void)val;
			k = key;
			break;
		}
		if (k == NULL)
			break;
		json_object_object_del(data, k);
	}
	json_object_object_foreach(new, key, val)
		json_object_object_add(data, key, json_object_get(val));
	json_object_put(new);
}

static void
run(struct pfa_ctx *ctx, struct pfa_result *res)
{
	const struct pfa_qconf *c = ctx->conf;
	const char *dir = pfa_postfix_config_dir(ctx->pf);
	const struct pfa_cfview *v = pfa_postfix_view(ctx->pf, PFA_VIEW_PARAMS);
	const char *qdir = v ? pfa_cf_get(v, "queue_directory") : NULL;
	if (qdir == NULL || *qdir != '/') {
		pfa_result_add_finding(res, PFA_SEV_UNKNOWN, "PFA-QUEUE-031",
		    dir, NULL, "cannot read Postfix's configuration: %s",
		    pfa_postfix_error(ctx->pf) ? pfa_postfix_error(ctx->pf) :
		    "no queue_directory");
		pfa_result_set_summary(res, "cannot read Postfix's "
		    "configuration");
		return;
	}
	struct pfa_qdirs d = { .queue_directory = qdir };
	const char *depth = pfa_cf_get(v, "hash_queue_depth");
	d.hash_depth = depth ? atoi(depth) : 1;
	const char *names = pfa_cf_get(v, "hash_queue_names");
	pfa_cf_tokens(names ? names : "deferred, defer", find_defer,
	    &d.defer_hashed);
	const char *lim = pfa_cf_get(v, "qmgr_message_active_limit");

	json_object *last = NULL, *tv;
	if (ctx->data != NULL && json_object_object_get_ex(ctx->data, "time",
	    &tv))
		last = ctx->data;
	struct pfa_qtally t;
	pfa_qtally_init(&t, time(NULL), (size_t)c->max_keys);
	if (last != NULL)
		t.since = (time_t)json_object_get_int64(tv);
	struct sample smp = { .dirs = &d, .t = &t };
	t.sample = sample;
	t.sample_arg = &smp;
	t.samples = (size_t)c->defer_logs;

	/* master's pid file and /proc, not `postfix status` (five programs,
	 * a quarter of the count-only path's time) */
	int running = pfa_postfix_master_started(ctx->pf) != 0;
	int rc;
	if (ctx->nagios) {
		const char *err = NULL;
		char path[4096];
		rc = pfa_qscan(&d, &t, 0, &err, path, sizeof(path));
		if (rc < 0)
			pfa_result_add_finding(res, PFA_SEV_UNKNOWN,
			    "PFA-QUEUE-031", path, NULL, "cannot read the queue "
			    "directory: %s", err);
	} else {
		rc = list_queue(ctx, res, &t);
	}
	long long bad = pfa_qscan_corrupt(&d);
	t.q[PFA_Q_CORRUPT].msgs = bad > 0 ? (unsigned long long)bad : 0;
	if (rc < 0) {
		pfa_result_set_summary(res, "the queue could not be read");
		pfa_qtally_free(&t);
		return;
	}
	char *rconf = pfa_ctx_remedy_pfagent(ctx, "%s", "");
	size_t rl = strlen(rconf);
	if (rl > 0 && rconf[rl - 1] == ' ')
		rconf[rl - 1] = '\0';
	struct pfa_qreport_in in = {
		.conf = c,
		.t = &t,
		.config_dir = dir,
		.remedy_conf = rconf,
		.full = !ctx->nagios,
		.running = running,
		.active_limit = lim ? atoll(lim) : -1,
		.last = last,
	};
	pfa_qreport(&in, res);
	/* the trend compares full listings: a monitoring check every minute
	 * leaves the last run's state alone */
	if (!ctx->nagios)
		keep_state(ctx->data, pfa_qreport_state(&t));
	free(rconf);
	pfa_qtally_free(&t);
}

static const struct pfa_task_command queue_command = {
	.name = "queue",
	.usage = "queue purge|hold|release [--recipient ADDR] [--sender ADDR] "
	    "[--domain DOMAIN] [--sender-domain DOMAIN] [--queue QUEUE] "
	    "[--any] [--all] [--dry-run] [--json] | queue flush",
	.run = pfa_queue_command,
};

const struct pfa_task task_check_queue = {
	.name = "check-queue",
	.summary = "why mail is stuck: counts, ages, grouped reasons, "
	    "destinations and senders against thresholds",
	.help =
	    "Reads the queue through `postqueue -j` (streamed: memory grows "
	    "with the distinct domains, senders and reasons kept, not with "
	    "the messages) and reports messages and bytes per queue "
	    "(maildrop, incoming, active, deferred, hold; corrupt when not "
	    "empty), the oldest message's age (from its arrival time) and a "
	    "qshape-style age distribution, the top recipient domains and "
	    "senders, and the top reasons grouped so that one cause counts "
	    "once (DSN, remote server, text with addresses, ids and numbers "
	    "normalised; the DSN from the defer logs).  Findings: thresholds "
	    "on deferred, total and hold counts and on the oldest age, one "
	    "sender holding an unusual share of the queue, messages still "
	    "deferred since the last run, maildrop or incoming not moving, "
	    "the active queue near qmgr_message_active_limit, mail on hold, "
	    "anything in corrupt, and a stopped Postfix (CRITICAL; the counts "
	    "are still read).  With --nagios it counts the queue directories "
	    "directly instead: the same counts as postqueue, cheap enough for "
	    "every minute.  It never changes the queue; `pfagent queue "
	    "purge|hold|release` (selected by recipient, sender, domain, "
	    "queue; --dry-run lists them) and `pfagent queue flush` do, only "
	    "when typed.\n"
	    "Settings (tasks.check-queue): enabled (true), every (\"1h\"), "
	    "deferred_warn (100), deferred_crit (1000), total_warn, "
	    "total_crit, hold_warn, hold_crit (-1: off), age_warn (\"1d\"), "
	    "age_crit (\"4d\"; \"0\": off), sender_share (50 percent) and "
	    "sender_min (100 messages) for one sender's share, top (5), "
	    "max_keys (10000), defer_logs (100 read per run), timeout "
	    "(\"5m\").  A count above its threshold warns (as Nagios ranges "
	    "do; check_mailq warns at it).",
	.default_every = 3600,
	.settings = settings,
	.findings = findings,
	.command = &queue_command,
	.configure = configure,
	.free_conf = free_conf,
	.run = run,
};
