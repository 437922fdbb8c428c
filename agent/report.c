/*
 * report.c - the --json document and the text summary of a run.
 *
 * Builds JSON with json-c; prints to the FILE it is given and nothing else.
 * The JSON shape is an interface (pfagent(8), JSON OUTPUT): fields may be
 * added, never renamed or removed without a new "version".
 */
#include <stdio.h>
#include <string.h>

#include "report.h"

#define PFA_JSON_VERSION 1

static json_object *
str_or_null(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

json_object *
pfa_report_result_json(const char *name, const struct pfa_result *res)
{
	json_object *t = json_object_new_object();
	json_object_object_add(t, "name", json_object_new_string(name));
	json_object_object_add(t, "status",
	    json_object_new_string(pfa_status_name(res->status)));
	json_object_object_add(t, "summary", str_or_null(res->summary));
	json_object_object_add(t, "reload_wanted",
	    json_object_new_boolean(res->reload_wanted));

	json_object *ch = json_object_new_array();
	for (size_t i = 0; i < res->nchanges; i++) {
		json_object *c = json_object_new_object();
		json_object_object_add(c, "file",
		    json_object_new_string(res->changes[i].path));
		json_object_object_add(c, "kept",
		    str_or_null(res->changes[i].kept));
		json_object_object_add(c, "reload",
		    json_object_new_boolean(res->changes[i].reload));
		json_object_array_add(ch, c);
	}
	json_object_object_add(t, "changed", ch);

	json_object *fs = json_object_new_array();
	for (size_t i = 0; i < res->nfindings; i++) {
		const struct pfa_finding *f = &res->findings[i];
		json_object *o = json_object_new_object();
		json_object_object_add(o, "id", json_object_new_string(f->id));
		json_object_object_add(o, "severity",
		    json_object_new_string(pfa_sev_name(f->sev)));
		json_object_object_add(o, "subject",
		    json_object_new_string(f->subject));
		json_object_object_add(o, "message",
		    json_object_new_string(f->message));
		json_object_object_add(o, "remedy", str_or_null(f->remedy));
		json_object_array_add(fs, o);
	}
	json_object_object_add(t, "findings", fs);

	json_object *ms = json_object_new_array();
	for (size_t i = 0; i < res->nmetrics; i++) {
		json_object *m = json_object_new_object();
		json_object_object_add(m, "name",
		    json_object_new_string(res->metrics[i].name));
		json_object_object_add(m, "value",
		    json_object_new_double(res->metrics[i].value));
		json_object_object_add(m, "unit",
		    json_object_new_string(res->metrics[i].unit));
		json_object_array_add(ms, m);
	}
	json_object_object_add(t, "metrics", ms);
	return t;
}

static json_object *
gate_json(const struct pfa_gate_outcome *g)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "needed",
	    json_object_new_boolean(g && g->needed));
	/* what was not checked is null, not false */
	json_object_object_add(o, "validated", g && g->checked ?
	    json_object_new_boolean(g->validated) : NULL);
	json_object_object_add(o, "postfix_running", g && g->running_known ?
	    json_object_new_boolean(g->running) : NULL);
	json_object_object_add(o, "reloaded",
	    json_object_new_boolean(g && g->reloaded));
	json_object_object_add(o, "healthy", g && g->reloaded ?
	    json_object_new_boolean(g->healthy) : NULL);
	json_object_object_add(o, "rolled_back",
	    json_object_new_boolean(g && g->rolled_back));
	json_object_object_add(o, "status", json_object_new_string(
	    pfa_status_name(g ? g->res.status : PFA_OK)));
	json_object *fs = g ? pfa_report_result_json("reload-gate", &g->res)
	    : NULL;
	json_object *findings = NULL;
	if (fs != NULL) {
		json_object_object_get_ex(fs, "findings", &findings);
		json_object_get(findings);
		json_object_put(fs);
	}
	json_object_object_add(o, "findings",
	    findings ? findings : json_object_new_array());
	return o;
}

json_object *
pfa_report_json(const struct pfa_report *r)
{
	json_object *doc = json_object_new_object();
	json_object_object_add(doc, "version",
	    json_object_new_int(PFA_JSON_VERSION));
	json_object_object_add(doc, "command",
	    json_object_new_string(r->command));
	json_object_object_add(doc, "dry_run",
	    json_object_new_boolean(r->dry_run));
	json_object *ts = json_object_new_array();
	for (size_t i = 0; i < r->ntasks; i++) {
		const struct pfa_report_task *t = &r->tasks[i];
		json_object *o;
		if (t->res != NULL) {
			o = pfa_report_result_json(t->name, t->res);
		} else {
			o = json_object_new_object();
			json_object_object_add(o, "name",
			    json_object_new_string(t->name));
			json_object_object_add(o, "status", NULL);
		}
		if (t->res != NULL && t->res->details != NULL)
			json_object_object_add(o, "details",
			    json_object_get(t->res->details));
		json_object_object_add(o, "ran",
		    json_object_new_boolean(t->ran));
		json_object_object_add(o, "skipped", str_or_null(t->skipped));
		json_object_array_add(ts, o);
	}
	json_object_object_add(doc, "tasks", ts);
	json_object_object_add(doc, "reload", gate_json(r->gate));
	json_object_object_add(doc, "reloaded",
	    json_object_new_boolean(r->gate && r->gate->reloaded));
	json_object_object_add(doc, "exit_code",
	    json_object_new_int(r->exit_code));
	json_object *core = r->core ? pfa_report_result_json("pfagent",
	    r->core) : json_object_new_object();
	json_object_object_add(doc, "pfagent", core);
	json_object *sl = json_object_new_object();
	json_object_object_add(sl, "available",
	    json_object_new_boolean(r->syslog_missing == NULL));
	json_object_object_add(sl, "problem", str_or_null(r->syslog_missing));
	json_object_object_add(doc, "syslog", sl);
	return doc;
}

int
pfa_report_print_json(FILE *fp, json_object *doc)
{
	const char *s = json_object_to_json_string_ext(doc,
	    JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
	if (fputs(s, fp) == EOF || fputc('\n', fp) == EOF)
		return -1;
	return fflush(fp) == 0 ? 0 : -1;
}

void
pfa_report_print_finding(FILE *fp, const char *indent, const char *sev,
    const char *id, const char *subject, const char *message,
    const char *remedy)
{
	size_t n = subject ? strlen(subject) : 0;
	/* "disable_vrfy_command = no: ..." says its subject already */
	bool says = n > 0 && message != NULL &&
	    strncmp(message, subject, n) == 0 &&
	    (message[n] == '\0' || strchr(" :=", message[n]) != NULL);
	if (says)
		fprintf(fp, "%s%-8s %s %s\n", indent, sev, id, message);
	else
		fprintf(fp, "%s%-8s %s %s: %s\n", indent, sev, id,
		    subject ? subject : "", message ? message : "");
	if (remedy != NULL)
		fprintf(fp, "%s         remedy: %s\n", indent, remedy);
}

/* Prints RES's findings (quiet: not the notes); returns how many that
 * are more than notes it printed. */
static size_t
print_findings(FILE *fp, const char *indent, const struct pfa_result *res,
    bool quiet)
{
	size_t shown = 0;
	for (size_t i = 0; i < res->nfindings; i++) {
		const struct pfa_finding *f = &res->findings[i];
		if (quiet && f->sev == PFA_SEV_INFO)
			continue;
		pfa_report_print_finding(fp, indent, pfa_sev_name(f->sev),
		    f->id, f->subject, f->message, f->remedy);
		shown += f->sev != PFA_SEV_INFO;
	}
	return shown;
}

void
pfa_report_print_text(FILE *fp, const struct pfa_report *r, bool quiet)
{
	const char *silence = NULL;	/* a task whose findings were shown */
	for (size_t i = 0; i < r->ntasks; i++) {
		const struct pfa_report_task *t = &r->tasks[i];
		if (!t->ran) {
			if (!quiet)
				fprintf(fp, "%-16s skipped: %s\n", t->name,
				    t->skipped ? t->skipped : "not selected");
			continue;
		}
		const struct pfa_result *res = t->res;
		/* quiet (cron): only what needs a person */
		if (quiet && res->status == PFA_OK)
			continue;
		fprintf(fp, "%-16s %s%s%s\n", t->name,
		    pfa_status_name(res->status), res->summary ? ": " : "",
		    res->summary ? res->summary : "");
		bool back = r->gate != NULL && r->gate->rolled_back;
		for (size_t j = 0; j < res->nchanges; j++)
			fprintf(fp, "  %s %s\n", r->dry_run ? "would replace" :
			    back && res->changes[j].reload ? "replaced, then "
			    "rolled back:" : "replaced", res->changes[j].path);
		if (print_findings(fp, "  ", res, quiet) > 0 && silence == NULL)
			silence = t->name;
		if (res->text != NULL && !quiet)
			fputs(res->text, fp);
	}
	const struct pfa_gate_outcome *g = r->gate;
	if (g != NULL && g->needed) {
		const char *what = r->dry_run ?
		    "would validate and reload Postfix" :
		    g->rolled_back && g->reloaded ? "unhealthy after the "
		    "reload: changes rolled back, Postfix reloaded again" :
		    g->rolled_back ? "changes rolled back, Postfix not reloaded" :
		    g->reloaded ? "Postfix reloaded" :
		    !g->validated ? "configuration did not validate" :
		    !g->running ? "Postfix not running, no reload needed" :
		    "Postfix not reloaded";
		if (!quiet || g->res.status != PFA_OK)
			fprintf(fp, "%-16s %s: %s\n", "reload-gate",
			    pfa_status_name(g->res.status), what);
		print_findings(fp, "  ", &g->res, quiet);
	}
	if (r->core != NULL && r->core->nfindings > 0) {
		fprintf(fp, "%-16s %s\n", "pfagent",
		    pfa_status_name(r->core->status));
		print_findings(fp, "  ", r->core, quiet);
	}
	if (silence != NULL)
		fprintf(fp, "To silence a finding that does not apply, list it "
		    "in the task's section of pfagent.conf:\n  tasks = { %s = { "
		    "ignore = [ \"ID\", \"ID SUBJECT\" ]; }; };\n", silence);
}

/* A perfdata value: a plain number, no exponent, no locale. */
static void
perf_num(FILE *fp, double v)
{
	if (v == (double)(long long)v && v > -1e15 && v < 1e15)
		fprintf(fp, "%lld", (long long)v);
	else
		fprintf(fp, "%.6f", v);
}

/* A unit monitoring plugins know, or "". */
static const char *
perf_unit(const char *u)
{
	static const char *const known[] = { "s", "ms", "us", "%", "B", "KB",
		"MB", "GB", "TB", "c", NULL };
	for (size_t i = 0; u != NULL && known[i]; i++)
		if (strcmp(u, known[i]) == 0)
			return u;
	return "";
}

/* A label, quoted when it holds a space, '=' or a quote ('' inside). */
static void
perf_label(FILE *fp, const char *s)
{
	if (strpbrk(s, " ='") == NULL) {
		fputs(s, fp);
		return;
	}
	fputc('\'', fp);
	for (; *s; s++) {
		if (*s == '\'')
			fputc('\'', fp);
		fputc(*s, fp);
	}
	fputc('\'', fp);
}

/* TEXT on one line, without the '|' that would start perfdata. */
static void
plugin_text(FILE *fp, const char *text)
{
	for (; text != NULL && *text; text++)
		fputc(*text == '|' ? '/' : *text == '\n' || *text == '\r' ?
		    ' ' : *text, fp);
}

int
pfa_report_print_nagios(FILE *fp, const struct pfa_report *r)
{
	static const char *const words[] = { "OK", "WARNING", "CRITICAL",
		"UNKNOWN" };
	const struct pfa_report_task *t = NULL;
	for (size_t i = 0; i < r->ntasks && t == NULL; i++)
		if (r->tasks[i].ran)
			t = &r->tasks[i];
	int code = r->exit_code >= 0 && r->exit_code <= 3 ? r->exit_code : 3;
	fputs("PFAGENT ", fp);
	for (const char *p = t ? t->name : "run"; *p; p++)
		fputc(*p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p, fp);
	fprintf(fp, " %s - ", words[code]);
	plugin_text(fp, t && t->res->summary ? t->res->summary :
	    t ? pfa_status_name(t->res->status) : "no task ran");
	if (t != NULL && t->res->nmetrics > 0) {
		fputs(" |", fp);
		for (size_t i = 0; i < t->res->nmetrics; i++) {
			const struct pfa_metric *m = &t->res->metrics[i];
			fputc(' ', fp);
			perf_label(fp, m->name);
			fputc('=', fp);
			perf_num(fp, m->value);
			fputs(perf_unit(m->unit), fp);
			/* ;warn;crit;min;max, trailing empty fields left out */
			unsigned last = m->have & PFA_METRIC_MAX ? 4 :
			    m->have & PFA_METRIC_MIN ? 3 :
			    m->have & PFA_METRIC_CRIT ? 2 :
			    m->have & PFA_METRIC_WARN ? 1 : 0;
			const double vals[] = { m->warn, m->crit, m->min, m->max };
			for (unsigned k = 0; k < last; k++) {
				fputc(';', fp);
				if (m->have & (1u << k))
					perf_num(fp, vals[k]);
			}
		}
	}
	fputc('\n', fp);
	const struct pfa_result *lists[2] = { t ? t->res : NULL,
		r->gate ? &r->gate->res : NULL };
	for (size_t l = 0; l < 2; l++)
		for (size_t i = 0; lists[l] && i < lists[l]->nfindings; i++) {
			const struct pfa_finding *f = &lists[l]->findings[i];
			if (f->sev == PFA_SEV_INFO)
				continue;
			fprintf(fp, "%s %s %s: ", pfa_sev_name(f->sev), f->id,
			    f->subject);
			plugin_text(fp, f->message);
			fputc('\n', fp);
		}
	return fflush(fp) == 0 && !ferror(fp) ? 0 : -1;
}
