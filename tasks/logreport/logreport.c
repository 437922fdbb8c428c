/*
 * logreport.c - the log-report task: the mail-log summary a postmaster
 * reads every week, incremental, from files or the journal.
 *
 * `pfagent run log-report` (cron) reports exactly the period since the
 * last run: where each input stopped is the task's state (ctx->data,
 * lrinput.c).  `pfagent log-report --since/--until/--all` is the by-hand
 * form, a task command: it reads the period asked for and never reads
 * or moves the saved position.  The counts are ledger.c's, the output
 * lrrender.c's; a configured report_to gets the text report through the
 * local sendmail (exec with an argv, never a shell).  Reads logs only;
 * changes nothing Postfix reads, never reloads.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "duration.h"
#include "exec.h"
#include "log.h"
#include "logreport.h"
#include "report.h"

static const char *const settings[] = {
	"log_file", "journal", "journal_directory", "syslog_names", "top",
	"mask_addresses", "report_to", "max_keys", "sasl_failures_warn",
	"provider_blocks_warn", NULL,
};

static const struct pfa_finding_doc log_findings[] = {
	{ "PFA-LOG-001", PFA_SEV_WARNING, "the file the last run stopped in "
	    "is gone or was replaced: lines may be missing" },
	{ "PFA-LOG-002", PFA_SEV_WARNING, "a log file was truncated: lines "
	    "logged before were lost" },
	{ "PFA-LOG-003", PFA_SEV_WARNING, "the journal no longer holds the "
	    "entry the last run stopped at (vacuumed)" },
	{ "PFA-LOG-004", PFA_SEV_WARNING, "journald dropped messages in the "
	    "period (rate limit): counts are too low" },
	{ "PFA-LOG-005", PFA_SEV_CRITICAL, "Postfix logged fatal: or panic: "
	    "in the period" },
	{ "PFA-LOG-006", PFA_SEV_WARNING, "many SASL authentication failures "
	    "from one client address (password guessing)" },
	{ "PFA-LOG-007", PFA_SEV_WARNING, "a large provider is blocking or "
	    "rate-limiting this server (its reputation)" },
	{ "PFA-LOG-008", PFA_SEV_UNKNOWN, "no mail log could be found or "
	    "read" },
	{ "PFA-LOG-009", PFA_SEV_WARNING, "a log file or the journal could "
	    "not be read (or only in part)" },
	{ "PFA-LOG-010", PFA_SEV_INFO, "lines were not understood, not "
	    "syslog lines, oversized or binary" },
	{ "PFA-LOG-011", PFA_SEV_INFO, "more distinct addresses than max_keys: "
	    "the rest were counted as (other)" },
	{ "PFA-LOG-012", PFA_SEV_WARNING, "the report could not be mailed to "
	    "report_to" },
	{ NULL, 0, NULL },
};

static const struct pfa_finding_doc *const findings[] = { log_findings,
	NULL };

static int
configure(const config_setting_t *s, void **out)
{
	struct lr_conf *c = pfa_xcalloc(1, sizeof(*c));
	int rc = 0;
	long long top = 10, max_keys = 100000, sasl = 50, prov = 1;
	c->journal = -1;
	config_setting_t *j = s ? config_setting_get_member(
	    (config_setting_t *)s, "journal") : NULL;
	if (j != NULL) {
		bool b;
		if (pfa_conf_bool(s, "journal", false, &b) < 0)
			rc = -1;
		else
			c->journal = b ? 1 : 0;
	}
	config_setting_t *lf = s ? config_setting_get_member(
	    (config_setting_t *)s, "log_file") : NULL;
	if (lf != NULL && config_setting_type(lf) == CONFIG_TYPE_STRING) {
		c->log_files = pfa_xcalloc(2, sizeof(*c->log_files));
		c->log_files[0] = pfa_xstrdup(config_setting_get_string(lf));
	} else if (pfa_conf_string_list(s, "log_file", &c->log_files) < 0) {
		rc = -1;
	}
	for (char **f = c->log_files; f && *f; f++)
		if (**f != '/') {
			pfa_conf_error(lf, "\"%s\" is not an absolute path", *f);
			rc = -1;
		}
	if (pfa_conf_string(s, "journal_directory", NULL,
	    &c->journal_dir) < 0 ||
	    pfa_conf_string_list(s, "syslog_names", &c->syslog_names) < 0 ||
	    pfa_conf_int(s, "top", 10, 0, 100000, &top) < 0 ||
	    pfa_conf_bool(s, "mask_addresses", false, &c->mask) < 0 ||
	    pfa_conf_string(s, "report_to", NULL, &c->report_to) < 0 ||
	    pfa_conf_int(s, "max_keys", 100000, 100, 100000000,
	    &max_keys) < 0 ||
	    pfa_conf_int(s, "sasl_failures_warn", 50, 0, 100000000,
	    &sasl) < 0 ||
	    pfa_conf_int(s, "provider_blocks_warn", 1, 0, 100000000,
	    &prov) < 0)
		rc = -1;
	if (c->report_to != NULL && (*c->report_to == '-' ||
	    *c->report_to == '\0' || strpbrk(c->report_to, " \t\r\n,") ||
	    strchr(c->report_to, '@') == NULL)) {
		pfa_conf_error(config_setting_get_member((config_setting_t *)s,
		    "report_to"), "report_to must be one mail address "
		    "(user@domain)");
		rc = -1;
	}
	c->top = (long)top;
	c->max_keys = (long)max_keys;
	c->sasl_warn = (long)sasl;
	c->provider_warn = (long)prov;
	*out = c;
	return rc;
}

static void
free_conf(void *p)
{
	struct lr_conf *c = p;
	if (c == NULL)
		return;
	pfa_conf_free_list(c->log_files);
	pfa_conf_free_list(c->syslog_names);
	free(c->journal_dir);
	free(c->report_to);
	free(c);
}

static void
run_init(struct pfa_ctx *ctx, struct lr_run *r, const struct lr_conf *c)
{
	memset(r, 0, sizeof(*r));
	r->c = c;
	r->top = c->top;
	r->masked = c->mask;
	if (c->syslog_names != NULL)
		for (char **n = c->syslog_names; *n; n++)
			pfa_lognames_add(&r->names, *n);
	else
		pfa_lognames_from_postfix(ctx->pf, &r->names);
	pfa_ledger_init(&r->lg, &r->names, (size_t)c->max_keys);
}

static void
run_free(struct lr_run *r)
{
	pfa_ledger_free(&r->lg);
	pfa_lognames_free(&r->names);
	for (size_t i = 0; i < r->nin; i++)
		free(r->in[i].what);
	free(r->in);
}

static void
log_summary(const struct lr_run *r)
{
	const struct pfa_ledger *lg = &r->lg;
	pfa_log(LOG_INFO, "task=log-report event=summary received=%" PRIu64
	    " delivered=%" PRIu64 " deferred=%" PRIu64 " deferrals=%" PRIu64
	    " bounced=%" PRIu64 " expired=%" PRIu64 " rejected=%" PRIu64
	    " held=%" PRIu64 " discarded=%" PRIu64 " lines=%" PRIu64
	    " first=%" PRId64 " last=%" PRId64, lg->received, lg->delivered,
	    lg->deferred, lg->deferrals, lg->bounced, lg->expired,
	    lg->rejected, lg->held, lg->discarded, lg->lines, lg->first,
	    lg->last);
}

static void
run(struct pfa_ctx *ctx, struct pfa_result *res)
{
	const struct lr_conf *c = ctx->conf;
	struct lr_run r;
	run_init(ctx, &r, c);
	/* a dry run reads and reports, but keeps the saved position */
	json_object *state = ctx->data;
	json_object *copy = NULL;
	if (ctx->dry_run && state != NULL &&
	    json_object_deep_copy(state, &copy, NULL) == 0)
		state = copy;
	if (pfa_lr_read_inputs(ctx, &r, state, res) < 0) {
		pfa_result_set_summary(res, "no mail log could be read");
		pfa_result_raise(res, PFA_UNKNOWN);
		json_object_put(copy);
		run_free(&r);
		return;
	}
	json_object_put(copy);
	pfa_lr_render(&r, res);
	log_summary(&r);
	if (c->report_to != NULL && !ctx->dry_run)
		(void)pfa_lr_mail(ctx, &r, res);
	run_free(&r);
}

int
pfa_lr_mail(struct pfa_ctx *ctx, struct lr_run *r, struct pfa_result *res)
{
	const char *to = r->c->report_to;
	char host[256] = "";
	const char *mh = pfa_postfix_param(ctx->pf, "myhostname");
	snprintf(host, sizeof(host), "%s", mh ? mh : "localhost");
	char a[32];
	time_t now = time(NULL);
	struct tm tm;
	localtime_r(&now, &tm);
	strftime(a, sizeof(a), "%a, %d %b %Y %H:%M:%S %z", &tm);
	char *msg = pfa_xasprintf("To: %s\nSubject: Postfix log report for "
	    "%s: %s\nDate: %s\nAuto-Submitted: auto-generated\n"
	    "Content-Type: text/plain; charset=utf-8\n\n%s\n%s", to, host,
	    res->summary ? res->summary : "", a, res->summary ?
	    res->summary : "", res->text ? res->text : "");
	char *sendmail = pfa_xasprintf("%s/sendmail",
	    ctx->cfg->command_directory);
	const char *argv[] = { sendmail, "-C", ctx->cfg->config_directory,
		"-oi", "--", to, NULL };
	struct pfa_exec_opts o = { .timeout_ms = 60000,
		.stdin_data = msg, .stdin_len = strlen(msg) };
	struct pfa_exec_result er;
	memset(&er, 0, sizeof(er));
	int rc = pfa_exec(argv, &o, &er);
	char q[600];
	if (rc < 0 || er.status != 0) {
		pfa_result_add_finding(res, PFA_SEV_WARNING, "PFA-LOG-012", to,
		    NULL, "the report could not be mailed to %s: %s", to,
		    rc < 0 ? "sendmail could not be started" :
		    er.err && *er.err ? er.err : "sendmail failed");
		rc = -1;
	} else {
		pfa_log(LOG_INFO, "task=log-report event=mailed to=%s",
		    pfa_log_quote(q, sizeof(q), to));
	}
	pfa_exec_result_free(&er);
	free(sendmail);
	free(msg);
	return rc;
}

/* --------------------------------------------------------- the command */

/* "YYYY-MM-DD[ HH:MM[:SS]]", "YYYY-MM-DDTHH:MM:SS", "@EPOCH", or a
 * duration ago ("7d").  0 or -1. */
static int
parse_when(const char *s, int64_t *out)
{
	if (*s == '@') {
		char *e;
		long long v = strtoll(s + 1, &e, 10);
		if (*e != '\0' || v < 0)
			return -1;
		*out = v;
		return 0;
	}
	int64_t d;
	if (pfa_duration_parse(s, &d) == 0) {
		*out = (int64_t)time(NULL) - d;
		return 0;
	}
	struct tm tm = { .tm_isdst = -1 };
	int y, mo, da, h = 0, mi = 0, se = 0;
	char sep = 0;
	int n = sscanf(s, "%4d-%2d-%2d%c%2d:%2d:%2d", &y, &mo, &da, &sep, &h,
	    &mi, &se);
	if (n != 3 && n < 6)
		return -1;
	if (n > 3 && sep != ' ' && sep != 'T')
		return -1;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = da;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = se;
	time_t t = mktime(&tm);
	if (t == (time_t)-1)
		return -1;
	*out = (int64_t)t;
	return 0;
}

static int
command(struct pfa_ctx *ctx, int argc, char **argv)
{
	enum { O_SINCE = 256, O_UNTIL, O_ALL, O_TOP, O_MASK, O_MAIL };
	static const struct option lo[] = {
		{ "since", required_argument, NULL, O_SINCE },
		{ "until", required_argument, NULL, O_UNTIL },
		{ "all", no_argument, NULL, O_ALL },
		{ "top", required_argument, NULL, O_TOP },
		{ "mask-addresses", no_argument, NULL, O_MASK },
		{ "mail", no_argument, NULL, O_MAIL },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	const struct lr_conf *c = ctx->conf;
	struct lr_run r;
	run_init(ctx, &r, c);
	r.by_hand = true;
	bool all = false, mail = false, json = ctx->json;
	r.since = (int64_t)time(NULL) - ctx->every;
	int ch, rc = 0;
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		int64_t t;
		switch (ch) {
		case O_SINCE:
		case O_UNTIL:
			if (parse_when(optarg, &t) < 0) {
				fprintf(stderr, "pfagent: log-report: bad time "
				    "\"%s\" (YYYY-MM-DD[ HH:MM[:SS]], @EPOCH or "
				    "a duration ago such as 7d)\n", optarg);
				rc = PFA_UNKNOWN;
			} else if (ch == O_SINCE) {
				r.since = t;
			} else {
				r.until = t;
			}
			break;
		case O_ALL:
			all = true;
			break;
		case O_TOP: {
			char *e;
			long v = strtol(optarg, &e, 10);
			if (*e != '\0' || v < 0) {
				fprintf(stderr, "pfagent: log-report: bad "
				    "--top \"%s\"\n", optarg);
				rc = PFA_UNKNOWN;
			}
			r.top = v;
			break;
		}
		case O_MASK:
			r.masked = true;
			break;
		case O_MAIL:
			mail = true;
			break;
		case 'j':
			json = true;
			break;
		default:
			fprintf(stderr, "pfagent: log-report: unknown option "
			    "\"%s\"\nusage: pfagent %s\n", argv[optind - 1],
			    ctx->task ? "log-report [--since T] [--until T] "
			    "[--all] [--top N] [--mask-addresses] [--mail]" : "");
			rc = PFA_UNKNOWN;
		}
	}
	if (rc == 0 && optind < argc) {
		fprintf(stderr, "pfagent: log-report: unexpected argument "
		    "\"%s\"\n", argv[optind]);
		rc = PFA_UNKNOWN;
	}
	if (rc == 0 && mail && c->report_to == NULL) {
		fprintf(stderr, "pfagent: log-report: --mail needs report_to "
		    "in tasks.log-report\n");
		rc = PFA_UNKNOWN;
	}
	if (rc != 0) {
		run_free(&r);
		return rc;
	}
	if (all)
		r.since = r.until = 0;
	r.lg.since = r.since;
	r.lg.until = r.until;
	struct pfa_result res;
	pfa_result_init(&res);
	if (pfa_lr_read_inputs(ctx, &r, NULL, &res) < 0) {
		pfa_result_set_summary(&res, "no mail log could be read");
		pfa_result_raise(&res, PFA_UNKNOWN);
	} else {
		pfa_lr_render(&r, &res);
		log_summary(&r);
		if (mail && !ctx->dry_run)
			(void)pfa_lr_mail(ctx, &r, &res);
	}
	for (size_t i = 0; i < res.nfindings; i++)
		pfa_log_finding("log-report", &res.findings[i]);
	if (json) {
		json_object *t = pfa_report_result_json("log-report", &res);
		if (res.details != NULL)
			json_object_object_add(t, "details",
			    json_object_get(res.details));
		json_object *doc = json_object_new_object();
		json_object_object_add(doc, "version", json_object_new_int(1));
		json_object_object_add(doc, "command",
		    json_object_new_string("log-report"));
		json_object_object_add(doc, "task", t);
		json_object_object_add(doc, "exit_code",
		    json_object_new_int((int)res.status));
		pfa_report_print_json(stdout, doc);
		json_object_put(doc);
	} else {
		printf("log-report %s: %s\n", pfa_status_name(res.status),
		    res.summary ? res.summary : "");
		for (size_t i = 0; i < res.nfindings; i++)
			printf("  %-8s %s %s: %s\n",
			    pfa_sev_name(res.findings[i].sev),
			    res.findings[i].id, res.findings[i].subject,
			    res.findings[i].message);
		if (res.text != NULL)
			fputs(res.text, stdout);
	}
	fflush(stdout);
	rc = (int)res.status;
	pfa_result_free(&res);
	run_free(&r);
	return rc;
}

static const struct pfa_task_command log_command = {
	.name = "log-report",
	.usage = "log-report [--since TIME] [--until TIME] [--all] [--top N] "
	    "[--mask-addresses] [--mail]",
	.run = command,
};

const struct pfa_task task_log_report = {
	.name = "log-report",
	.summary = "summarise the mail log since the last run: delivered, "
	    "deferred, bounced, rejected, per recipient, sender, domain, hour",
	.help =
	    "Reads Postfix's log incrementally (the file and its rotated\n"
	    "copies, gzip too, or the journal) and reports what happened since\n"
	    "the last run: pflogsumm's totals (received, delivered, deferred,\n"
	    "deferrals, bounced, rejected), a per-message ledger (expired,\n"
	    "held, discarded, content-filter re-injection), per recipient and\n"
	    "domain every outcome, senders, hours (a bar chart), rejects by\n"
	    "class and stage, deferral and bounce reasons, providers blocking\n"
	    "this server, delays, SASL failures, TLS, warnings and fatal\n"
	    "errors, lines not understood.  Gaps (truncated or replaced files,\n"
	    "a vacuumed journal, journald dropping lines) are findings.\n"
	    "By hand: pfagent log-report --since 2026-03-01 (or --all); that\n"
	    "never moves the saved position.\n"
	    "Settings: log_file (path or list; default maillog_file, else\n"
	    "postfix.log_file if it exists, else the journal), journal\n"
	    "(true/false), journal_directory, syslog_names (default: the\n"
	    "instance's), top (10), mask_addresses (false), report_to (mail\n"
	    "the report there through the local sendmail), max_keys (100000),\n"
	    "sasl_failures_warn (50), provider_blocks_warn (1).\n"
	    "See pfagent-log-report(8).",
	.default_every = 7 * 86400,
	.settings = settings,
	.findings = findings,
	.command = &log_command,
	.configure = configure,
	.free_conf = free_conf,
	.run = run,
};
