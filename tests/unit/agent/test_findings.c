/*
 * test_findings.c - every finding id pfagent can report is declared and
 * documented: the declarations of every task (its descriptor's findings)
 * and of the core (the reload gate, the health check) have well-formed,
 * unique ids with a title; every id is in a man page (pfagent(8) or a
 * task's own pfagent-TASK(8) in its folder); every
 * "PFA-AREA-NNN" literal in the sources of agent/, postfix/ and tasks/ is
 * declared by someone (found through PFA_SRCDIR), so a new id cannot be
 * reported undocumented; and pfa_finding_lookup finds each.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "task.h"

/* Every distinct table once (validate-config and the gate share some). */
static const struct pfa_finding_doc *tables[64];
static size_t ntables;

static void
collect(const struct pfa_finding_doc *const *list)
{
	for (size_t t = 0; list != NULL && list[t]; t++) {
		bool seen = false;
		for (size_t i = 0; i < ntables; i++)
			seen = seen || tables[i] == list[t];
		if (!seen) {
			assert_true(ntables < sizeof(tables) / sizeof(tables[0]));
			tables[ntables++] = list[t];
		}
	}
}

static int
setup(void **state)
{
	(void)state;
	ntables = 0;
	collect(pfa_core_findings);
	for (size_t i = 0; pfa_tasks[i]; i++)
		collect(pfa_tasks[i]->findings);
	return 0;
}

/* "PFA-AREA-NNN": upper-case area, three digits. */
static bool
well_formed(const char *id)
{
	if (strncmp(id, "PFA-", 4) != 0)
		return false;
	const char *p = id + 4;
	size_t n = 0;
	while (isupper((unsigned char)p[n]))
		n++;
	if (n == 0 || p[n] != '-')
		return false;
	p += n + 1;
	return isdigit((unsigned char)p[0]) && isdigit((unsigned char)p[1]) &&
	    isdigit((unsigned char)p[2]) && p[3] == '\0';
}

static void
test_ids_unique_and_well_formed(void **state)
{
	(void)state;
	size_t total = 0;
	for (size_t t = 0; t < ntables; t++) {
		assert_non_null(tables[t][0].id);	/* no empty table */
		for (const struct pfa_finding_doc *d = tables[t]; d->id; d++) {
			total++;
			if (!well_formed(d->id))
				fail_msg("malformed finding id %s", d->id);
			assert_non_null(d->title);
			assert_true(strlen(d->title) > 5);
			for (size_t u = 0; u < ntables; u++)
				for (const struct pfa_finding_doc *e = tables[u];
				    e->id; e++)
					if (e != d && strcmp(e->id, d->id) == 0)
						fail_msg("finding id %s twice",
						    d->id);
			assert_ptr_equal(pfa_finding_lookup(d->id), d);
		}
	}
	/* every task declares what it reports */
	for (size_t i = 0; pfa_tasks[i]; i++) {
		if (pfa_tasks[i]->findings == NULL)
			fail_msg("task %s declares no findings",
			    pfa_tasks[i]->name);
		assert_non_null(pfa_tasks[i]->findings[0]);
	}
	assert_true(total >= 100);
	assert_null(pfa_finding_lookup("PFA-NONE-000"));
}

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	if (f == NULL)
		fail_msg("cannot open %s", path);
	char *buf = NULL;
	size_t len = 0, n;
	char chunk[65536];
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		buf = realloc(buf, len + n + 1);
		assert_non_null(buf);
		memcpy(buf + len, chunk, n);
		len += n;
	}
	fclose(f);
	if (buf == NULL)
		buf = calloc(1, 1);
	assert_non_null(buf);
	buf[len] = '\0';
	return buf;
}

static const char *
srcdir(void)
{
	const char *src = getenv("PFA_SRCDIR");
	return src ? src : ".";
}

/* pfagent(8) and every tasks/X/pfagent-*.8, one after the other. */
static char *
man_pages(void)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/agent/pfagent.8", srcdir());
	char *all = slurp(path);
	snprintf(path, sizeof(path), "%s/tasks", srcdir());
	DIR *d = opendir(path);
	struct dirent *de;
	while (d != NULL && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		char sub[4096];
		snprintf(sub, sizeof(sub), "%s/tasks/%s", srcdir(), de->d_name);
		DIR *t = opendir(sub);
		struct dirent *te;
		while (t != NULL && (te = readdir(t)) != NULL) {
			size_t n = strlen(te->d_name);
			if (strncmp(te->d_name, "pfagent-", 8) != 0 || n < 3 ||
			    strcmp(te->d_name + n - 2, ".8") != 0)
				continue;
			char page[8192];
			snprintf(page, sizeof(page), "%s/%s", sub, te->d_name);
			char *text = slurp(page);
			char *both = malloc(strlen(all) + strlen(text) + 2);
			assert_non_null(both);
			sprintf(both, "%s\n%s", all, text);
			free(all);
			free(text);
			all = both;
		}
		if (t != NULL)
			closedir(t);
	}
	if (d != NULL)
		closedir(d);
	return all;
}

static void
test_man_page_documents_every_id(void **state)
{
	(void)state;
	char *man = man_pages();
	const char *path = "the man pages";
	int missing = 0;
	for (size_t t = 0; t < ntables; t++)
		for (const struct pfa_finding_doc *d = tables[t]; d->id; d++) {
			/* roff writes PFA\-LOAD\-001 */
			char esc[64], *o = esc;
			for (const char *p = d->id; *p; p++) {
				if (*p == '-')
					*o++ = '\\';
				*o++ = *p;
			}
			*o = '\0';
			if (strstr(man, esc) == NULL) {
				print_message("# %s is not in %s\n", d->id, path);
				missing++;
			}
		}
	free(man);
	assert_int_equal(missing, 0);
}

/* Every "PFA-AREA-NNN" in the C files below DIR is declared. */
static int
scan(const char *dir)
{
	int undeclared = 0;
	DIR *d = opendir(dir);
	if (d == NULL)
		fail_msg("cannot open %s", dir);
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		char path[4096];
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		struct stat st;
		if (stat(path, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			undeclared += scan(path);
			continue;
		}
		size_t n = strlen(de->d_name);
		if (n < 3 || strcmp(de->d_name + n - 2, ".c") != 0)
			continue;
		char *text = slurp(path);
		for (char *p = strstr(text, "\"PFA-"); p;
		    p = strstr(p + 1, "\"PFA-")) {
			char id[32];
			size_t k = 0;
			for (const char *q = p + 1; *q && *q != '"' &&
			    k < sizeof(id) - 1; q++)
				id[k++] = *q;
			id[k] = '\0';
			if (!well_formed(id))
				continue;	/* a prefix, "PFA-LOAD-" */
			if (pfa_finding_lookup(id) == NULL) {
				print_message("# %s: %s is reported but not "
				    "declared\n", path, id);
				undeclared++;
			}
		}
		free(text);
	}
	closedir(d);
	return undeclared;
}

static void
test_sources_report_only_declared_ids(void **state)
{
	(void)state;
	static const char *const dirs[] = { "agent", "postfix", "tasks", NULL };
	int undeclared = 0;
	for (size_t i = 0; dirs[i]; i++) {
		char path[4096];
		snprintf(path, sizeof(path), "%s/%s", srcdir(), dirs[i]);
		undeclared += scan(path);
	}
	assert_int_equal(undeclared, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_ids_unique_and_well_formed, setup),
		cmocka_unit_test_setup(test_man_page_documents_every_id, setup),
		cmocka_unit_test_setup(test_sources_report_only_declared_ids,
		    setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
