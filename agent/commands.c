/*
 * commands.c - the read-only commands `list` and `status` (what pfagent
 * knows from its configuration and state file, as text or --json) and
 * `help TASK` (from the task's descriptor).
 *
 * Reads the state file, never writes it or anything else, runs nothing.
 */
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "log.h"
#include "duration.h"
#include "report.h"
#include "state.h"
#include "task.h"

static void
fmt_time(time_t t, char *buf, size_t size)
{
	if (t == 0) {
		snprintf(buf, size, "never");
		return;
	}
	struct tm tm;
	localtime_r(&t, &tm);
	strftime(buf, size, "%Y-%m-%d %H:%M:%S", &tm);
}

int
pfa_cmd_list(const struct pfa_config *cfg, bool json)
{
	struct pfa_state st;
	pfa_state_load(&st, cfg->state_directory);
	/* how often cron (or the timer) has been starting pfagent */
	time_t starts[PFA_STATE_RUNS];
	size_t nstarts = pfa_state_runs(&st, starts);
	int64_t gap = nstarts >= 2 ? (int64_t)(starts[0] - starts[1]) : 0;
	size_t waiting = 0;
	json_object *arr = json_object_new_array();
	if (!json)
		printf("%-16s %-7s %-6s %-19s  %-8s %s\n", "TASK", "ENABLED",
		    "EVERY", "LAST RUN", "STATUS", "NEXT DUE");
	for (size_t i = 0; pfa_tasks[i]; i++) {
		const char *name = pfa_tasks[i]->name;
		const struct pfa_task_conf *tc = &cfg->tasks[i];
		time_t last = pfa_state_last_run(&st, name);
		time_t next = pfa_state_next_due(&st, name);
		enum pfa_status s;
		bool have = pfa_state_last_status(&st, name, &s);
		char every[32], lb[32], nb[32];
		pfa_duration_format(tc->every, every, sizeof(every));
		fmt_time(last, lb, sizeof(lb));
		if (next == 0 || next <= time(NULL))
			snprintf(nb, sizeof(nb), "now");
		else
			fmt_time(next, nb, sizeof(nb));
		/* due more often than pfagent starts: it waits for a start */
		bool waits = tc->enabled && gap > 0 && gap >= 2 * tc->every;
		if (waits) {
			waiting++;
			strncat(nb, " *", sizeof(nb) - strlen(nb) - 1);
		}
		if (json) {
			json_object *t = json_object_new_object();
			json_object_object_add(t, "name",
			    json_object_new_string(name));
			json_object_object_add(t, "enabled",
			    json_object_new_boolean(tc->enabled));
			json_object_object_add(t, "every",
			    json_object_new_int64(tc->every));
			json_object_object_add(t, "last_run",
			    last ? json_object_new_int64(last) : NULL);
			json_object_object_add(t, "last_status", have ?
			    json_object_new_string(pfa_status_name(s)) : NULL);
			json_object_object_add(t, "next_due",
			    json_object_new_int64(next));
			json_object_object_add(t, "waits_for_start",
			    json_object_new_boolean(waits));
			json_object_array_add(arr, t);
		} else {
			printf("%-16s %-7s %-6s %-19s  %-8s %s\n", name,
			    tc->enabled ? "yes" : "no", every, lb,
			    have ? pfa_status_name(s) : "-",
			    tc->enabled ? nb : "-");
		}
	}
	if (json) {
		json_object *doc = json_object_new_object();
		json_object_object_add(doc, "version", json_object_new_int(1));
		json_object_object_add(doc, "command",
		    json_object_new_string("list"));
		json_object_object_add(doc, "tasks", arr);
		json_object_object_add(doc, "starts_every", gap > 0 ?
		    json_object_new_int64(gap) : NULL);
		pfa_report_print_json(stdout, doc);
		json_object_put(doc);
	} else {
		json_object_put(arr);
		if (waiting > 0) {
			char g[32];
			printf("* pfagent has been started about every %s: these "
			    "tasks wait for its next start (install the hourly "
			    "cron.d file or the systemd timer)\n",
			    pfa_duration_format(gap, g, sizeof(g)));
		}
	}
	pfa_state_free(&st);
	return 0;
}

static void
print_stored_result(json_object *r)
{
	json_object *v, *arr;
	if (json_object_object_get_ex(r, "summary", &v) && v)
		printf("  %s\n", json_object_get_string(v));
	if (json_object_object_get_ex(r, "changed", &arr))
		for (size_t i = 0; i < json_object_array_length(arr); i++) {
			json_object *c = json_object_array_get_idx(arr, i), *f;
			if (json_object_object_get_ex(c, "file", &f))
				printf("  changed %s\n",
				    json_object_get_string(f));
		}
	if (json_object_object_get_ex(r, "findings", &arr))
		for (size_t i = 0; i < json_object_array_length(arr); i++) {
			json_object *f = json_object_array_get_idx(arr, i);
			json_object *id, *sev, *subj, *msg, *rem;
			json_object_object_get_ex(f, "id", &id);
			json_object_object_get_ex(f, "severity", &sev);
			json_object_object_get_ex(f, "subject", &subj);
			json_object_object_get_ex(f, "message", &msg);
			if (!json_object_object_get_ex(f, "remedy", &rem))
				rem = NULL;
			pfa_report_print_finding(stdout, "  ",
			    json_object_get_string(sev),
			    json_object_get_string(id),
			    json_object_get_string(subj),
			    json_object_get_string(msg),
			    rem ? json_object_get_string(rem) : NULL);
		}
}

int
pfa_cmd_status(const struct pfa_config *cfg, bool json)
{
	struct pfa_state st;
	pfa_state_load(&st, cfg->state_directory);
	enum pfa_status worst = PFA_OK;
	json_object *arr = json_object_new_array();
	for (size_t i = 0; pfa_tasks[i]; i++) {
		const char *name = pfa_tasks[i]->name;
		enum pfa_status s;
		bool have = pfa_state_last_status(&st, name, &s);
		json_object *r = pfa_state_last_result(&st, name);
		if (have)
			worst = pfa_status_worst(worst, s);
		if (json) {
			json_object *t = json_object_new_object();
			json_object_object_add(t, "name",
			    json_object_new_string(name));
			time_t last = pfa_state_last_run(&st, name);
			json_object_object_add(t, "last_run",
			    last ? json_object_new_int64(last) : NULL);
			json_object_object_add(t, "next_due",
			    json_object_new_int64(pfa_state_next_due(&st,
			    name)));
			json_object_object_add(t, "status", have ?
			    json_object_new_string(pfa_status_name(s)) : NULL);
			json_object_object_add(t, "result",
			    r ? json_object_get(r) : NULL);
			json_object_array_add(arr, t);
			continue;
		}
		char lb[32];
		fmt_time(pfa_state_last_run(&st, name), lb, sizeof(lb));
		printf("%-16s %-8s last run %s\n", name,
		    have ? pfa_status_name(s) : "-", lb);
		if (r != NULL)
			print_stored_result(r);
	}
	if (json) {
		json_object *doc = json_object_new_object();
		json_object_object_add(doc, "version", json_object_new_int(1));
		json_object_object_add(doc, "command",
		    json_object_new_string("status"));
		json_object_object_add(doc, "tasks", arr);
		json_object_object_add(doc, "exit_code",
		    json_object_new_int((int)worst));
		pfa_report_print_json(stdout, doc);
		json_object_put(doc);
	} else {
		json_object_put(arr);
	}
	pfa_state_free(&st);
	return (int)worst;
}

/* Makes sure the state directory exists and is safe.  0 or -1. */

int
pfa_cmd_task(const struct pfa_config *cfg, const struct pfa_task *t,
    bool dry_run, bool json, int argc, char **argv)
{
	struct pfa_postfix *pf = pfa_postfix_new(cfg->config_directory,
	    cfg->command_directory);
	struct pfa_ctx ctx = pfa_ctx_for((size_t)pfa_task_index(t->name), cfg,
	    pf);
	ctx.dry_run = dry_run;
	ctx.named = true;
	ctx.json = json;
	pfa_log(LOG_INFO, "task=%s event=command command=%s%s", t->name,
	    t->command->name, dry_run ? " dry_run=yes" : "");
	int rc = t->command->run(&ctx, argc, argv);
	pfa_postfix_free(pf);
	return rc;
}

/* The terminal's width for stdout, or 80 when it is no terminal. */
static size_t
columns(void)
{
	struct winsize ws;
	if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 &&
	    ws.ws_col >= 40)
		return ws.ws_col;
	return 80;
}

/* TEXT's paragraphs (split at newlines) filled to WIDTH, at word breaks. */
static void
print_wrapped(const char *text, size_t width)
{
	const char *p = text;
	while (*p != '\0') {
		size_t col = 0;
		const char *end = p + strcspn(p, "\n");
		while (p < end) {
			size_t w = strcspn(p, " \n");
			if (p + w > end)
				w = (size_t)(end - p);
			if (col > 0 && col + 1 + w > width) {
				putchar('\n');
				col = 0;
			} else if (col > 0) {
				putchar(' ');
				col++;
			}
			fwrite(p, 1, w, stdout);
			col += w;
			p += w;
			while (p < end && *p == ' ')
				p++;
		}
		putchar('\n');
		if (*p == '\n')
			p++;
	}
}

static void
print_findings(const struct pfa_finding_doc *const *tables)
{
	for (size_t t = 0; tables != NULL && tables[t]; t++)
		for (const struct pfa_finding_doc *d = tables[t]; d->id; d++)
			printf("  %-15s %-8s %s\n", d->id, pfa_sev_name(d->sev),
			    d->title);
}

int
pfa_cmd_help(const char *name)
{
	if (strcmp(name, "reload-gate") == 0) {
		printf("reload-gate - validate, reload once, check health, or "
		    "roll back (pfagent(8), THE RELOAD GATE)\n\nFindings:\n");
		print_findings(pfa_core_findings);
		return 0;
	}
	int i = pfa_task_index(name);
	if (i < 0) {
		fprintf(stderr, "pfagent: unknown task \"%s\"; "
		    "`pfagent list` shows them\n", name);
		return -1;
	}
	const struct pfa_task *t = pfa_tasks[i];
	char every[32];
	size_t width = columns();
	printf("%s - %s\n\n", t->name, t->summary);
	print_wrapped(t->help, width);
	printf("\nDefault interval: %s.\n", pfa_duration_format(
	    t->default_every, every, sizeof(every)));
	if (t->findings != NULL) {
		printf("\nFindings:\n");
		print_findings(t->findings);
	}
	return 0;
}
