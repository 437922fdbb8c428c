/*
 * registry.c - the task registry (one table, in run order) and the
 * lookup of finding ids across every task's declarations and the core's.
 * Adding a task is one line here plus its folder under tasks/.  The core
 * names the descriptors only; it includes no task's header.
 */
#include <string.h>

#include "gate.h"
#include "health.h"
#include "run.h"
#include "task.h"

extern const struct pfa_task task_rotate_dh;
extern const struct pfa_task task_rebuild_maps;
extern const struct pfa_task task_validate_config;
extern const struct pfa_task task_check_tls;
extern const struct pfa_task task_check_queue;
extern const struct pfa_task task_log_report;

/*
 * Run order: the tasks that change files first, then the ones that only
 * look, so that a report never complains about what the same run fixed
 * (a table rebuild-maps builds is not reported as missing).
 */
const struct pfa_task *const pfa_tasks[] = {
	&task_rotate_dh,
	&task_rebuild_maps,
	&task_validate_config,
	&task_check_tls,
	&task_check_queue,
	&task_log_report,
	NULL,
};

const struct pfa_finding_doc *const pfa_core_findings[] = {
	pfa_run_findings,
	pfa_gate_findings,
	pfa_health_findings,
	NULL,
};

size_t
pfa_task_count(void)
{
	size_t n = 0;
	while (pfa_tasks[n] != NULL)
		n++;
	return n;
}

int
pfa_task_index(const char *name)
{
	if (name == NULL)
		return -1;
	for (size_t i = 0; pfa_tasks[i]; i++)
		if (strcmp(pfa_tasks[i]->name, name) == 0)
			return (int)i;
	return -1;
}

const struct pfa_task *
pfa_task_command(const char *name)
{
	for (size_t i = 0; name != NULL && pfa_tasks[i]; i++)
		if (pfa_tasks[i]->command != NULL &&
		    strcmp(pfa_tasks[i]->command->name, name) == 0)
			return pfa_tasks[i];
	return NULL;
}

static const struct pfa_finding_doc *
in_tables(const struct pfa_finding_doc *const *tables, const char *id)
{
	for (size_t t = 0; tables != NULL && tables[t]; t++)
		for (const struct pfa_finding_doc *d = tables[t]; d->id; d++)
			if (strcmp(d->id, id) == 0)
				return d;
	return NULL;
}

const struct pfa_finding_doc *
pfa_task_finding(const struct pfa_task *t, const char *id)
{
	return in_tables(t->findings, id);
}

const struct pfa_finding_doc *
pfa_finding_lookup(const char *id)
{
	const struct pfa_finding_doc *d = in_tables(pfa_core_findings, id);
	for (size_t i = 0; d == NULL && pfa_tasks[i]; i++)
		d = in_tables(pfa_tasks[i]->findings, id);
	return d;
}
