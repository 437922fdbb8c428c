/*
 * test_rules.c - every rule validate-config can report is documented:
 * ids are well formed and unique across the rule tables, and each one
 * appears in the man page pfagent(8) (found through PFA_SRCDIR).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "drift.h"
#include "loadcheck.h"

static const struct pfa_rule_doc *const tables[] = {
	pfa_cfg_rules, pfa_loadcheck_rules, pfa_audit_relay_rules,
	pfa_audit_smtpd_rules, pfa_audit_tls_rules, pfa_audit_obs_rules, pfa_audit_sasl_rules, pfa_drift_rules, NULL,
};

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
	for (size_t t = 0; tables[t]; t++)
		for (const struct pfa_rule_doc *d = tables[t]; d->id; d++) {
			total++;
			if (!well_formed(d->id))
				fail_msg("malformed rule id %s", d->id);
			assert_non_null(d->title);
			assert_true(strlen(d->title) > 5);
			for (size_t u = 0; tables[u]; u++)
				for (const struct pfa_rule_doc *e = tables[u];
				    e->id; e++)
					if (e != d && strcmp(e->id, d->id) == 0)
						fail_msg("rule id %s twice", d->id);
		}
	/* every module documents its rules */
	for (size_t t = 0; tables[t]; t++)
		assert_non_null(tables[t][0].id);
	assert_true(total >= 40);
}

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	if (f == NULL)
		fail_msg("cannot open %s", path);
	char *buf = NULL;
	size_t cap = 0, len = 0, n;
	char chunk[65536];
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		buf = realloc(buf, cap = len + n + 1);
		assert_non_null(buf);
		memcpy(buf + len, chunk, n);
		len += n;
	}
	fclose(f);
	assert_non_null(buf);
	buf[len] = '\0';
	(void)cap;
	return buf;
}

static void
test_man_page_documents_every_id(void **state)
{
	(void)state;
	const char *src = getenv("PFA_SRCDIR");
	char path[4096];
	snprintf(path, sizeof(path), "%s/agent/pfagent.8", src ? src : ".");
	char *man = slurp(path);
	int missing = 0;
	for (size_t t = 0; tables[t]; t++)
		for (const struct pfa_rule_doc *d = tables[t]; d->id; d++) {
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ids_unique_and_well_formed),
		cmocka_unit_test(test_man_page_documents_every_id),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
