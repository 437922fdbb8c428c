/*
 * test_loadcheck.c - the loadability checks (tasks/loadcheck.c,
 * tasks/loadcheck_lists.c): for every check a configuration that trips
 * it (id, severity, subject) and one that does not, on views built by
 * hand with a fake table probe; then the real `postmap -q` probe and the
 * gate on a throwaway configuration directory (Postfix must be installed;
 * no Postfix instance runs).
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "cfview.h"
#include "exec.h"
#include "loadcheck.h"
#include "postfix.h"
#include "result.h"
#include "testutil.h"

static struct pfa_cfview v;
static struct pfa_result res;

static int
setup(void **state)
{
	(void)state;
	pfa_cfview_init(&v, "/etc/postfix");
	pfa_result_init(&res);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	pfa_cfview_free(&v);
	pfa_result_free(&res);
	return 0;
}

/* main.cf sets NAME = VALUE over Postfix's default DFLT. */
static void
set(const char *name, const char *dflt, const char *value)
{
	if (dflt != NULL)
		pfa_cfview_set_default(&v, name, dflt);
	pfa_cfview_set(&v, name, value);
}

static size_t
count(const char *id)
{
	size_t n = 0;
	for (size_t i = 0; i < res.nfindings; i++)
		n += strcmp(res.findings[i].id, id) == 0;
	return n;
}

/* The WARNING ids: the others are CRITICAL. */
static bool
is_warning(const char *id)
{
	return strcmp(id, "PFA-LOAD-009") == 0 ||
	    strcmp(id, "PFA-LOAD-018") == 0;
}

/* The finding ID about SUBJECT; fails the test if there is none, or if
 * its severity is not ID's. */
static const struct pfa_finding *
expect(const char *id, const char *subject)
{
	for (size_t i = 0; i < res.nfindings; i++)
		if (strcmp(res.findings[i].id, id) == 0 &&
		    strcmp(res.findings[i].subject, subject) == 0) {
			assert_int_equal(res.findings[i].sev, is_warning(id) ?
			    PFA_SEV_WARNING : PFA_SEV_CRITICAL);
			return &res.findings[i];
		}
	for (size_t i = 0; i < res.nfindings; i++)
		print_message("  have %s %s: %s\n", res.findings[i].id,
		    res.findings[i].subject, res.findings[i].message);
	fail_msg("no %s about %s", id, subject);
	return NULL;
}

static void
dump_if_any(void)
{
	for (size_t i = 0; i < res.nfindings; i++)
		print_message("  unexpected %s %s: %s\n", res.findings[i].id,
		    res.findings[i].subject, res.findings[i].message);
}

/* The CRITICAL findings in RES. */
static size_t
criticals(void)
{
	size_t n = 0;
	for (size_t i = 0; i < res.nfindings; i++)
		n += res.findings[i].sev == PFA_SEV_CRITICAL;
	return n;
}

/* Runs the checks without a probe; asserts the return value, what blocks
 * a reload, is the number of CRITICAL findings, and that every other is
 * a WARNING. */
static int
run(void)
{
	int n = pfa_loadcheck(&v, NULL, NULL, &res);
	assert_int_equal((size_t)n, criticals());
	for (size_t i = 0; i < res.nfindings; i++)
		assert_int_equal(res.findings[i].sev,
		    is_warning(res.findings[i].id) ? PFA_SEV_WARNING :
		    PFA_SEV_CRITICAL);
	return n;
}

static void
expect_none(void)
{
	run();
	if (res.nfindings != 0)
		dump_if_any();
	assert_int_equal(res.nfindings, 0);
	assert_int_equal(res.status, PFA_OK);
}

/* ------------------------------------------- numbers, times, booleans */

static void
test_int_bad(void **state)
{
	(void)state;
	set("message_size_limit", "10240000", "abc");
	set("line_length_limit", "2048", "-5");
	set("smtpd_recipient_limit", "1000", "1.5");
	set("header_size_limit", "102400", "");
	assert_int_equal(run(), 4);
	const struct pfa_finding *f = expect("PFA-LOAD-001",
	    "message_size_limit");
	assert_non_null(strstr(f->message, "abc"));
	/* no reading keeps its meaning: never the default in its place */
	assert_null(strstr(f->remedy, "postconf"));
	assert_non_null(strstr(f->remedy, "whole number"));
	expect("PFA-LOAD-001", "line_length_limit");
	expect("PFA-LOAD-001", "smtpd_recipient_limit");
	expect("PFA-LOAD-001", "header_size_limit");
	assert_int_equal(res.status, PFA_CRITICAL);
}

/* A remedy keeps what a bad value meant; it never resets to the default
 * ("postconf -# message_size_limit" would drop 50M to 10 MB). */
static void
test_remedy_keeps_intent(void **state)
{
	(void)state;
	static const struct {
		const char *name, *dflt, *value, *remedy;
	} cases[] = {
		{ "message_size_limit", "10240000", "50M",
		    "postconf -e 'message_size_limit = 52428800'" },
		{ "message_size_limit", "10240000", "50 MB",
		    "postconf -e 'message_size_limit = 52428800'" },
		{ "mailbox_size_limit", "51200000", "1g",
		    "postconf -e 'mailbox_size_limit = 1073741824'" },
		{ "header_size_limit", "102400", "100k",
		    "postconf -e 'header_size_limit = 102400'" },
		{ "smtpd_recipient_limit", "1000", "10 000",
		    "postconf -e 'smtpd_recipient_limit = 10000'" },
		{ "ipc_timeout", "3600s", "1.5h",
		    "postconf -e 'ipc_timeout = 90m'" },
		{ "smtpd_timeout", "300s", "10S",
		    "postconf -e 'smtpd_timeout = 10s'" },
		{ "smtpd_timeout", "300s", "5 minutes",
		    "postconf -e 'smtpd_timeout = 5m'" },
		{ "maximal_queue_lifetime", "5d", "0.5d",
		    "postconf -e 'maximal_queue_lifetime = 12h'" },
		{ "smtpd_helo_required", "no", "true",
		    "postconf -e 'smtpd_helo_required = yes'" },
		{ "biff", "yes", "off", "postconf -e 'biff = no'" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		pfa_result_free(&res);
		pfa_result_init(&res);
		pfa_cfview_free(&v);
		pfa_cfview_init(&v, "/etc/postfix");
		set(cases[i].name, cases[i].dflt, cases[i].value);
		assert_int_equal(run(), 1);
		const struct pfa_finding *f = &res.findings[0];
		if (strcmp(f->remedy, cases[i].remedy) != 0)
			fail_msg("%s = %s: remedy %s, want %s", cases[i].name,
			    cases[i].value, f->remedy, cases[i].remedy);
	}
	/* what cannot be read safely gets no command at all */
	static const char *const unsafe[][3] = {
		{ "maximal_queue_lifetime", "5d", "-1d" },
		{ "smtpd_timeout", "300s", "5parsecs" },
		{ "smtpd_helo_required", "no", "maybe" },
		{ "smtpd_recipient_limit", "1000", "1.5" },
	};
	for (size_t i = 0; i < sizeof(unsafe) / sizeof(unsafe[0]); i++) {
		pfa_result_free(&res);
		pfa_result_init(&res);
		pfa_cfview_free(&v);
		pfa_cfview_init(&v, "/etc/postfix");
		set(unsafe[i][0], unsafe[i][1], unsafe[i][2]);
		assert_int_equal(run(), 1);
		if (strstr(res.findings[0].remedy, "postconf") != NULL)
			fail_msg("%s = %s: remedy %s", unsafe[i][0], unsafe[i][2],
			    res.findings[0].remedy);
	}
}

static void
test_int_good(void **state)
{
	(void)state;
	set("message_size_limit", "10240000", "52428800");
	/* numeric defaults of parameters that take other values */
	set("compatibility_level", "0", "3.6");
	set("smtp_destination_concurrency_negative_feedback", "1", "1/8");
	set("lmtp_tcp_port", "24", "lmtp");
	set("milter_protocol", "6", "6 no_header_reply");
	set("postscreen_dnsbl_allowlist_threshold", "0", "-1");
	/* not expanded, or not set in main.cf at all */
	set("smtpd_recipient_limit", "1000", "$other");
	pfa_cfview_set_default(&v, "queue_minfree", "abc");
	expect_none();
}

static void
test_time(void **state)
{
	(void)state;
	set("ipc_timeout", "3600s", "1.5h");
	set("smtpd_timeout", "300s", "10S");
	set("maximal_queue_lifetime", "5d", "-1d");
	assert_int_equal(run(), 3);
	expect("PFA-LOAD-002", "ipc_timeout");
	expect("PFA-LOAD-002", "smtpd_timeout");
	expect("PFA-LOAD-002", "maximal_queue_lifetime");

	pfa_result_free(&res);
	pfa_result_init(&res);
	set("ipc_timeout", "3600s", "10");
	set("smtpd_timeout", "300s", "5m");
	set("maximal_queue_lifetime", "5d", "2w");
	set("delay_warning_time", "0h", "4h");
	expect_none();
}

static void
test_bool(void **state)
{
	(void)state;
	set("smtpd_helo_required", "no", "true");
	set("biff", "yes", "1");
	assert_int_equal(run(), 2);
	const struct pfa_finding *f = expect("PFA-LOAD-003",
	    "smtpd_helo_required");
	assert_non_null(strstr(f->message, "true"));
	expect("PFA-LOAD-003", "biff");

	pfa_result_free(&res);
	pfa_result_init(&res);
	set("smtpd_helo_required", "no", "YES");
	set("biff", "yes", "No");
	/* an enumeration since 3.7.10, with a boolean default */
	set("smtpd_forbid_bare_newline", "no", "normalize");
	expect_none();
}

/* A master.cf override is checked against the parameter's default too. */
static void
test_service_override_value(void **state)
{
	(void)state;
	pfa_cfview_set_default(&v, "smtpd_tls_wrappermode", "no");
	pfa_cfview_set_default(&v, "smtpd_client_connection_count_limit", "50");
	struct pfa_cfsvc *s = pfa_cfview_add_service(&v, "smtps", "inet",
	    "smtpd");
	pfa_cfview_svc_opt(s, "smtpd_tls_wrappermode", "maybe");
	pfa_cfview_svc_opt(s, "smtpd_client_connection_count_limit", "10");
	pfa_cfview_svc_opt(s, "syslog_name", "postfix/smtps");
	assert_int_equal(run(), 1);
	const struct pfa_finding *f = expect("PFA-LOAD-003",
	    "smtps/inet/smtpd_tls_wrappermode");
	/* "maybe" means neither: say what to write, drop nothing */
	assert_non_null(strstr(f->remedy, "yes or no"));
	pfa_result_free(&res);
	pfa_result_init(&res);
	pfa_cfview_svc_opt(&v.svcs[0], "smtpd_tls_wrappermode", "on");
	assert_int_equal(run(), 1);
	f = expect("PFA-LOAD-003", "smtps/inet/smtpd_tls_wrappermode");
	assert_string_equal(f->remedy,
	    "postconf -P 'smtps/inet/smtpd_tls_wrappermode=yes'");
}

/* --------------------------------------------------- restriction lists */

static void
test_restriction_misspelt(void **state)
{
	(void)state;
	set("smtpd_relay_restrictions", NULL, "permit_mynetwroks, "
	    "permit_sasl_authenticated, defer_unauth_destination");
	set("smtpd_client_restrictions", NULL, "frobnicate");
	assert_int_equal(run(), 2);
	const struct pfa_finding *f = expect("PFA-LOAD-004",
	    "smtpd_relay_restrictions");
	assert_non_null(strstr(f->message, "permit_mynetwroks"));
	assert_non_null(strstr(f->message, "did you mean permit_mynetworks"));
	assert_string_equal(f->remedy, "postconf -e 'smtpd_relay_restrictions "
	    "= permit_mynetworks, permit_sasl_authenticated, "
	    "defer_unauth_destination'");
	/* nothing close: no remedy to guess */
	f = expect("PFA-LOAD-004", "smtpd_client_restrictions");
	assert_null(f->remedy);
}

static void
test_restriction_good(void **state)
{
	(void)state;
	set("smtpd_restriction_classes", NULL, "from_freemail");
	set("from_freemail", NULL, "check_sender_access hash:/etc/postfix/fm, "
	    "reject");
	set("smtpd_client_restrictions", NULL, "permit_mynetworks, "
	    "reject_rbl_client zen.spamhaus.org=127.0.0.[2..11], "
	    "permit_dnswl_client list.dnswl.org, sleep 1, "
	    "check_client_access cidr:/etc/postfix/clients.cidr, "
	    "cidr:/etc/postfix/bare.cidr, warn_if_reject "
	    "reject_unknown_client_hostname, check_ccert_access "
	    "{ hash:/etc/postfix/ccerts, "
	    "{ search_order = cert_fingerprint } }");
	set("smtpd_recipient_restrictions", NULL, "PERMIT_SASL_AUTHENTICATED, "
	    "reject_unauth_destination, check_policy_service "
	    "unix:private/policy, from_freemail, reject_rhsbl_sender "
	    "dbl.spamhaus.org, reject_unknown_client, check_relay_domains");
	set("smtpd_data_restrictions", NULL, "reject_unauth_pipelining, "
	    "reject_multi_recipient_bounce");
	set("smtpd_helo_restrictions", NULL, "reject_rbl_client");
	expect_none();
}

static void
test_restriction_arguments(void **state)
{
	(void)state;
	set("smtpd_sender_restrictions", NULL, "check_sender_access reject");
	set("smtpd_client_restrictions", NULL, "sleep x");
	set("smtpd_recipient_restrictions", NULL, "reject_unauth_destination, "
	    "check_policy_service");
	set("smtpd_data_restrictions", NULL, "hash:/etc/postfix/data");
	assert_int_equal(run(), 4);
	expect("PFA-LOAD-005", "smtpd_sender_restrictions");
	expect("PFA-LOAD-005", "smtpd_client_restrictions");
	const struct pfa_finding *f = expect("PFA-LOAD-005",
	    "smtpd_recipient_restrictions");
	assert_non_null(strstr(f->message, "end of the list"));
	expect("PFA-LOAD-005", "smtpd_data_restrictions");
}

static void
test_restriction_class(void **state)
{
	(void)state;
	set("smtpd_restriction_classes", NULL, "undefined_class, typo_class");
	set("typo_class", NULL, "check_sender_acess hash:/etc/postfix/x");
	set("smtpd_sender_restrictions", NULL, "undefined_class, typo_class");
	assert_int_equal(run(), 2);
	expect("PFA-LOAD-006", "undefined_class");
	/* a class's definition is a restriction list itself; the table
	 * after the misspelt name is then taken for a bare table */
	const struct pfa_finding *f = expect("PFA-LOAD-004", "typo_class");
	assert_non_null(strstr(f->message, "check_sender_access"));
	assert_int_equal(count("PFA-LOAD-004"), 1);
}

/* master.cf overrides of restriction lists and classes. */
static void
test_restriction_service(void **state)
{
	(void)state;
	struct pfa_cfsvc *s = pfa_cfview_add_service(&v, "submission", "inet",
	    "smtpd");
	pfa_cfview_svc_opt(s, "smtpd_client_restrictions",
	    "permit_sasl_authenticated,rejct");
	pfa_cfview_svc_opt(s, "smtpd_restriction_classes", "mua_only");
	s = pfa_cfview_add_service(&v, "cleanup", "unix", "cleanup");
	pfa_cfview_svc_opt(s, "smtpd_client_restrictions", "not_for_smtpd");
	assert_int_equal(run(), 2);
	const struct pfa_finding *f = expect("PFA-LOAD-004",
	    "submission/inet/smtpd_client_restrictions");
	assert_string_equal(f->remedy, "postconf -P 'submission/inet/"
	    "smtpd_client_restrictions=permit_sasl_authenticated,reject'");
	expect("PFA-LOAD-006", "submission/inet/mua_only");

	pfa_result_free(&res);
	pfa_result_init(&res);
	pfa_cfview_svc_opt(&v.svcs[0], "smtpd_client_restrictions",
	    "permit_sasl_authenticated,reject");
	pfa_cfview_svc_opt(&v.svcs[0], "mua_only", "permit_sasl_authenticated,"
	    "reject");
	expect_none();
}

/* ---------------------------------------------------------- the tables */

static void
test_table_type(void **state)
{
	(void)state;
	set("virtual_alias_maps", "$virtual_maps", "hsah:/etc/postfix/virtual");
	set("smtpd_client_restrictions", NULL,
	    "check_client_access hsah:/etc/postfix/access");
	assert_int_equal(run(), 2);
	expect("PFA-LOAD-007", "virtual_alias_maps");
	expect("PFA-LOAD-007", "smtpd_client_restrictions");

	pfa_result_free(&res);
	pfa_result_init(&res);
	set("virtual_alias_maps", NULL, "hash:/etc/postfix/virtual, "
	    "proxy:mysql:/etc/postfix/my.cf, inline:{ a@x=smtp:[relay] }, "
	    "unionmap:{hash:/a, lmdb:/b}");
	set("transport_maps", NULL, "inline:{ example.com = smtp:[relay], "
	    "{ example.net = relay:[mx]:587 } }");
	set("smtpd_client_restrictions", NULL, "check_client_access "
	    "lmdb:/etc/postfix/access");
	set("relayhost", NULL, "[mail.example.com]:587");
	expect_none();
}

static char *probed[16];
static size_t nprobed;

/* Everything with "broken" in its name fails to open; with "stale", it
 * opens but its database is older than its source. */
static int
fake_probe(void *arg, const char *spec, char **why)
{
	assert_ptr_equal(arg, &nprobed);
	assert_true(nprobed < 16);
	probed[nprobed++] = strdup(spec);
	*why = NULL;
	const char *path = strchr(spec, ':') + 1;
	if (strstr(spec, "stale") != NULL) {
		*why = pfa_xasprintf("warning: database %s.db is older than "
		    "source file %s", path, path);
		return 1;
	}
	if (strstr(spec, "broken") == NULL)
		return 0;
	*why = pfa_xasprintf("fatal: open database %s.db: No such file or "
	    "directory", path);
	return -1;
}

static bool
was_probed(const char *spec)
{
	for (size_t i = 0; i < nprobed; i++)
		if (strcmp(probed[i], spec) == 0)
			return true;
	return false;
}

static void
test_tables_probe(void **state)
{
	(void)state;
	nprobed = 0;
	set("data_directory", "/var/lib/postfix", "/var/lib/postfix");
	set("transport_maps", NULL, "hash:/etc/postfix/broken, "
	    "hash:/etc/postfix/transport");
	set("relay_domains", NULL, "proxy:hash:/etc/postfix/transport");
	set("smtp_tls_session_cache_database", NULL,
	    "btree:/etc/postfix/smtp_scache");
	set("address_verify_map", NULL, "btree:/etc/postfix/verify");
	set("postscreen_cache_map", NULL, "btree:/var/lib/postfix/psc");
	set("header_checks", NULL, "regexp:/var/lib/postfix/hc");
	set("canonical_maps", NULL, "ldap:/etc/postfix/ldap.cf");
	set("alias_maps", NULL, "hash:/etc/broken-aliases");
	set("tls_server_sni_maps", NULL, "lmdb:/etc/postfix/broken-sni");
	set("header_checks", NULL, "regexp:/etc/postfix/broken-hc");
	/* read by newaliases only, and lists of tables proxymap may open:
	 * no daemon opens them by these names */
	set("alias_database", NULL, "hash:/etc/broken-aliasdb");
	set("proxy_read_maps", NULL, "proxy:hash:/etc/postfix/broken-ro, "
	    "hsah:/etc/postfix/ro");
	set("proxy_write_maps", NULL, "proxy:btree:/etc/postfix/broken-rw");
	/* opens, older than its source: a warning, not a blocker */
	set("virtual_alias_maps", NULL, "hash:/etc/postfix/stale-virtual");
	struct pfa_cfsvc *s = pfa_cfview_add_service(&v, "smtp", "inet",
	    "smtpd");
	pfa_cfview_svc_opt(s, "smtpd_sender_restrictions",
	    "check_sender_access,regexp:/etc/postfix/senders");
	int n = pfa_loadcheck(&v, fake_probe, &nprobed, &res);
	assert_int_equal(n, 4);
	assert_int_equal(criticals(), 4);
	assert_int_equal(res.nfindings, 5);
	const struct pfa_finding *f = expect("PFA-LOAD-008",
	    "hash:/etc/postfix/broken");
	assert_non_null(strstr(f->message, "transport_maps"));
	assert_non_null(strstr(f->message, "open database"));
	/* through rebuild-maps and its checks, not a plain postmap */
	assert_string_equal(f->remedy, "pfagent run rebuild-maps");
	f = expect("PFA-LOAD-008", "lmdb:/etc/postfix/broken-sni");
	assert_string_equal(f->remedy, "pfagent run rebuild-maps");
	f = expect("PFA-LOAD-008", "hash:/etc/broken-aliases");
	assert_string_equal(f->remedy, "postalias hash:/etc/broken-aliases");
	/* a text table: corrected, not rebuilt */
	f = expect("PFA-LOAD-008", "regexp:/etc/postfix/broken-hc");
	assert_string_equal(f->remedy, "correct /etc/postfix/broken-hc, then: "
	    "postmap -q test regexp:/etc/postfix/broken-hc");
	f = expect("PFA-LOAD-018", "hash:/etc/postfix/stale-virtual");
	assert_non_null(strstr(f->message, "virtual_alias_maps"));
	assert_non_null(strstr(f->message, "older than source"));
	assert_string_equal(f->remedy, "pfagent run rebuild-maps");
	/* each once, proxy: removed; caches, data_directory, ldap:,
	 * alias_database and the proxy_*_maps not */
	assert_int_equal(nprobed, 7);
	assert_true(was_probed("hash:/etc/postfix/transport"));
	assert_true(was_probed("regexp:/etc/postfix/senders"));
	assert_true(was_probed("hash:/etc/postfix/stale-virtual"));
	assert_false(was_probed("hash:/etc/broken-aliasdb"));
	assert_false(was_probed("hash:/etc/postfix/broken-ro"));
	assert_false(was_probed("btree:/etc/postfix/broken-rw"));
	assert_int_equal(count("PFA-LOAD-007"), 0);
	for (size_t i = 0; i < nprobed; i++)
		free(probed[i]);

	/* a stale database alone: reported, nothing blocks */
	pfa_result_free(&res);
	pfa_result_init(&res);
	pfa_cfview_free(&v);
	pfa_cfview_init(&v, "/etc/postfix");
	nprobed = 0;
	set("transport_maps", NULL, "hash:/etc/postfix/stale-transport");
	assert_int_equal(pfa_loadcheck(&v, fake_probe, &nprobed, &res), 0);
	expect("PFA-LOAD-018", "hash:/etc/postfix/stale-transport");
	assert_int_equal(res.nfindings, 1);
	assert_int_equal(res.status, PFA_WARNING);
	free(probed[0]);

	/* without a probe, no table is opened */
	pfa_result_free(&res);
	pfa_result_init(&res);
	nprobed = 0;
	expect_none();
	assert_int_equal(nprobed, 0);
}

/* ------------------------------------------------------ '#' in a value */

static void
test_comment(void **state)
{
	(void)state;
	set("smtpd_banner", "$myhostname ESMTP $mail_name",
	    "$myhostname's ESMTP # no product name");
	set("mynetworks", NULL, "# everything");
	struct pfa_cfsvc *s = pfa_cfview_add_service(&v, "submission", "inet",
	    "smtpd");
	pfa_cfview_svc_opt(s, "syslog_name", "postfix/sub #1");
	/* Postfix takes them literally: warnings, nothing blocks */
	assert_int_equal(run(), 0);
	assert_int_equal(res.nfindings, 3);
	assert_int_equal(res.status, PFA_WARNING);
	const struct pfa_finding *f = expect("PFA-LOAD-009", "smtpd_banner");
	assert_string_equal(f->remedy,
	    "postconf -e 'smtpd_banner = $myhostname'\\''s ESMTP'");
	f = expect("PFA-LOAD-009", "mynetworks");
	assert_string_equal(f->remedy, "postconf -# mynetworks");
	expect("PFA-LOAD-009", "submission/inet/syslog_name");

	pfa_result_free(&res);
	pfa_result_init(&res);
	set("smtpd_banner", NULL, "$myhostname ESMTP #1");
	pfa_cfview_set_default(&v, "smtpd_banner", "x");
	set("smtpd_banner", NULL, "$myhostname ESMTP no#1");
	set("mynetworks", NULL, "127.0.0.0/8");
	pfa_cfview_svc_opt(&v.svcs[0], "syslog_name", "postfix/sub");
	expect_none();
}

/* ----------------------------------------------------------------- TLS */

static void
test_tls_protocols(void **state)
{
	(void)state;
	set("smtpd_tls_protocols", ">=TLSv1", "TLSv1.2, !TLS1");
	set("smtp_tls_mandatory_protocols", ">=TLSv1", ">=TLSv1.4");
	set("lmtp_tls_protocols", ">=TLSv1", "!SSLv2 !SSLv3 # old");
	struct pfa_cfsvc *s = pfa_cfview_add_service(&v, "submission", "inet",
	    "smtpd");
	pfa_cfview_svc_opt(s, "smtpd_tls_mandatory_protocols", "TLS1.2");
	assert_int_equal(run(), 4);	/* and the '#' warning */
	assert_int_equal(res.nfindings, 5);
	const struct pfa_finding *f = expect("PFA-LOAD-010",
	    "smtpd_tls_protocols");
	assert_string_equal(f->remedy,
	    "postconf -e 'smtpd_tls_protocols = >=TLSv1.2'");
	expect("PFA-LOAD-010", "smtp_tls_mandatory_protocols");
	expect("PFA-LOAD-010", "lmtp_tls_protocols");
	expect("PFA-LOAD-009", "lmtp_tls_protocols");
	expect("PFA-LOAD-010", "submission/inet/smtpd_tls_mandatory_protocols");

	pfa_result_free(&res);
	pfa_result_init(&res);
	set("smtpd_tls_protocols", NULL, ">=TLSv1.2");
	set("smtp_tls_mandatory_protocols", NULL,
	    "!SSLv2, !SSLv3, !TLSv1, !TLSv1.1");
	set("lmtp_tls_protocols", NULL, "TLSv1.2:TLSv1.3");
	set("tlsproxy_tls_protocols", "$smtpd_tls_protocols",
	    ">=0x0303 <=TLSv1.3");
	set("smtp_tls_protocols", ">=TLSv1", "");
	pfa_cfview_svc_opt(&v.svcs[0], "smtpd_tls_mandatory_protocols",
	    ">=TLSv1.2");
	/* Postfix reads names in any case (name_code, NAME_CODE_FLAG_NONE) */
	set("lmtp_tls_mandatory_protocols", NULL, "!sslv2, !SSLV3, >=tlsv1.2");
	set("smtpd_tls_mandatory_protocols", NULL, ">=none <=TLSV1.3");
	expect_none();
}

static void
test_tls_ciphers(void **state)
{
	(void)state;
	set("smtpd_tls_ciphers", "medium", "highest");
	set("smtp_tls_mandatory_ciphers", "medium", "strong");
	set("smtpd_tls_exclude_ciphers", "", "aNULL, !MD5");
	set("smtp_tls_mandatory_exclude_ciphers", "", "@STRENGTH");
	assert_int_equal(run(), 4);
	const struct pfa_finding *f = expect("PFA-LOAD-011",
	    "smtpd_tls_ciphers");
	assert_non_null(strstr(f->message, "highest"));
	expect("PFA-LOAD-011", "smtp_tls_mandatory_ciphers");
	expect("PFA-LOAD-012", "smtpd_tls_exclude_ciphers");
	expect("PFA-LOAD-012", "smtp_tls_mandatory_exclude_ciphers");

	pfa_result_free(&res);
	pfa_result_init(&res);
	set("smtpd_tls_ciphers", NULL, "high");
	set("smtp_tls_mandatory_ciphers", NULL, "MEDIUM");
	set("smtpd_tls_exclude_ciphers", NULL, "aNULL, MD5, DES:RC4");
	set("smtp_tls_mandatory_exclude_ciphers", NULL, "");
	expect_none();
}

/* ------------------------------------------------------- size limits */

static void
test_sizes(void **state)
{
	(void)state;
	set("message_size_limit", "10240000", "60000000");
	set("mailbox_size_limit", "51200000", "51200000");
	set("virtual_mailbox_limit", "51200000", "51200000");
	assert_int_equal(run(), 2);
	const struct pfa_finding *f = expect("PFA-LOAD-013",
	    "mailbox_size_limit");
	assert_string_equal(f->remedy,
	    "postconf -e 'mailbox_size_limit = 60000000'");
	expect("PFA-LOAD-014", "virtual_mailbox_limit");

	/* message_size_limit = 0 is unlimited: larger than any limit */
	pfa_result_free(&res);
	pfa_result_init(&res);
	set("message_size_limit", NULL, "0");
	set("virtual_mailbox_limit", NULL, "0");
	assert_int_equal(run(), 1);
	f = expect("PFA-LOAD-013", "mailbox_size_limit");
	assert_string_equal(f->remedy,
	    "postconf -e 'message_size_limit = 51200000'");

	pfa_result_free(&res);
	pfa_result_init(&res);
	set("mailbox_size_limit", NULL, "0");
	expect_none();
	set("message_size_limit", NULL, "51200000");
	set("mailbox_size_limit", NULL, "51200000");
	set("virtual_mailbox_limit", NULL, "51200001");
	expect_none();
}

/* Only the daemons master.cf runs count, with their overrides. */
static void
test_sizes_services(void **state)
{
	(void)state;
	set("message_size_limit", "10240000", "60000000");
	set("mailbox_size_limit", "51200000", "51200000");
	set("virtual_mailbox_limit", "51200000", "51200000");
	pfa_cfview_add_service(&v, "smtp", "inet", "smtpd");
	struct pfa_cfsvc *s = pfa_cfview_add_service(&v, "local", "unix",
	    "local");
	pfa_cfview_svc_opt(s, "mailbox_size_limit", "1000");
	/* no virtual service: virtual_mailbox_limit is never used */
	assert_int_equal(run(), 1);
	expect("PFA-LOAD-013", "local/unix/mailbox_size_limit");

	pfa_result_free(&res);
	pfa_result_init(&res);
	pfa_cfview_svc_opt(&v.svcs[1], "mailbox_size_limit", "0");
	expect_none();
}

/* A daemon mail never reaches cannot die of it. */
static void
test_sizes_unused(void **state)
{
	(void)state;
	set("message_size_limit", "10240000", "52428800");
	pfa_cfview_set_default(&v, "mailbox_size_limit", "51200000");
	pfa_cfview_set_default(&v, "virtual_mailbox_limit", "51200000");
	pfa_cfview_set_default(&v, "mydestination", "$myhostname, localhost");
	pfa_cfview_set_default(&v, "local_transport", "local:$myhostname");
	pfa_cfview_set_default(&v, "virtual_mailbox_domains", "");
	pfa_cfview_set_default(&v, "virtual_transport", "virtual");
	pfa_cfview_add_service(&v, "local", "unix", "local");
	pfa_cfview_add_service(&v, "virtual", "unix", "virtual");
	/* the message size people like best, 50 MiB, and Debian's master.cf:
	 * only local(8) gets mail */
	assert_int_equal(run(), 1);
	expect("PFA-LOAD-013", "mailbox_size_limit");

	pfa_result_free(&res);
	pfa_result_init(&res);
	set("mydestination", NULL, "");		/* a null client */
	set("virtual_mailbox_domains", NULL, "example.org");
	assert_int_equal(run(), 1);
	expect("PFA-LOAD-014", "virtual_mailbox_limit");

	pfa_result_free(&res);
	pfa_result_init(&res);
	set("mydestination", NULL, "example.net");
	set("local_transport", NULL, "virtual");	/* no local(8) */
	set("virtual_transport", NULL, "lmtp:unix:private/dovecot-lmtp");
	expect_none();
}

/* --------------------------------------------------------- relay guard */

static void
test_relay_guard(void **state)
{
	(void)state;
	set("smtpd_relay_restrictions", NULL, "permit_mynetworks, "
	    "warn_if_reject reject_unauth_destination");
	set("smtpd_recipient_restrictions", NULL, "permit_sasl_authenticated");
	assert_int_equal(run(), 1);
	const struct pfa_finding *f = expect("PFA-LOAD-015",
	    "smtpd_relay_restrictions");
	assert_string_equal(f->remedy, "postconf -e 'smtpd_relay_restrictions "
	    "= permit_mynetworks, permit_sasl_authenticated, "
	    "defer_unauth_destination'");

	/* in the recipient list, or in a class it names, is enough */
	pfa_result_free(&res);
	pfa_result_init(&res);
	set("smtpd_relay_restrictions", NULL, "");
	set("smtpd_recipient_restrictions", NULL, "permit_mynetworks, "
	    "guard");
	set("smtpd_restriction_classes", NULL, "guard");
	set("guard", NULL, "defer_unauth_destination");
	expect_none();
	set("smtpd_recipient_restrictions", NULL, "permit_mynetworks, "
	    "REJECT");
	set("smtpd_restriction_classes", NULL, "");
	expect_none();

	/* smtpd stops looking at a plain permit */
	set("smtpd_recipient_restrictions", NULL, "permit_mynetworks, "
	    "permit, reject_unauth_destination");
	assert_int_equal(run(), 1);
	expect("PFA-LOAD-015", "smtpd_relay_restrictions");
}

static void
test_relay_guard_service(void **state)
{
	(void)state;
	pfa_cfview_set_default(&v, "smtpd_relay_restrictions",
	    "permit_mynetworks, permit_sasl_authenticated, "
	    "defer_unauth_destination");
	pfa_cfview_set_default(&v, "smtpd_recipient_restrictions", "");
	pfa_cfview_add_service(&v, "smtp", "inet", "smtpd");
	struct pfa_cfsvc *s = pfa_cfview_add_service(&v, "submission", "inet",
	    "smtpd");
	pfa_cfview_svc_opt(s, "smtpd_relay_restrictions",
	    "permit_sasl_authenticated");
	assert_int_equal(run(), 1);
	const struct pfa_finding *f = expect("PFA-LOAD-015",
	    "submission/inet/smtpd_relay_restrictions");
	assert_non_null(strstr(f->remedy, "postconf -P 'submission/inet/"));

	pfa_result_free(&res);
	pfa_result_init(&res);
	pfa_cfview_svc_opt(&v.svcs[1], "smtpd_relay_restrictions",
	    "permit_sasl_authenticated,reject");
	expect_none();
}

/* --------------------------------------------------------- rule table */

static void
test_rules_table(void **state)
{
	(void)state;
	size_t n = 0;
	for (; pfa_loadcheck_findings[n].id; n++) {
		char want[16];
		snprintf(want, sizeof(want), "PFA-LOAD-%03zu", n + 1);
		assert_string_equal(pfa_loadcheck_findings[n].id, want);
		assert_int_equal(pfa_loadcheck_findings[n].sev,
		    is_warning(want) ? PFA_SEV_WARNING : PFA_SEV_CRITICAL);
		assert_non_null(pfa_loadcheck_findings[n].title);
		assert_true(strlen(pfa_loadcheck_findings[n].title) < 80);
	}
	assert_int_equal(n, 18);
	assert_null(pfa_loadcheck_findings[n].title);
}

/* ------------------------------------- the real postmap probe, the gate */

static char dir[64];

static void
write_file(const char *name, const char *text)
{
	free(pfa_test_write_in(dir, name, text));
}

static int
setup_dir(void **state)
{
	setup(state);
	strcpy(dir, "/tmp/pfa-tloadcheck.XXXXXX");
	assert_non_null(mkdtemp(dir));
	return 0;
}

static int
teardown_dir(void **state)
{
	static const char *const names[] = {
		"main.cf", "master.cf", "bad.re", "good.re", "stale",
		"stale.db",
	};
	char p[128];
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, names[i]);
		unlink(p);
	}
	assert_int_equal(rmdir(dir), 0);
	return teardown(state);
}

static void
need_postfix(void)
{
	if (access("/usr/sbin/postmap", X_OK) != 0) {
		print_message("/usr/sbin/postmap missing: install postfix\n");
		fail();
	}
}

/* DIR/stale and DIR/stale.db, the database an hour older than its
 * source (postmap warns only when the source is over 100 s old). */
static void
make_stale(struct pfa_postfix *pf)
{
	char src[128], spec[160];
	write_file("stale", "a b\n");
	snprintf(src, sizeof(src), "%s/stale", dir);
	snprintf(spec, sizeof(spec), "hash:%s", src);
	const char *args[] = { spec, NULL };
	struct pfa_exec_opts o = { .timeout_ms = 20000,
	    .max_capture = 64 * 1024 };
	struct pfa_exec_result r;
	assert_int_equal(pfa_postfix_run(pf, "postmap", args, &o, &r), 0);
	assert_int_equal(r.status, 0);
	pfa_exec_result_free(&r);
	time_t now = time(NULL);
	struct timespec ts[2] = { { now - 7200, 0 }, { now - 7200, 0 } };
	char db[140];
	snprintf(db, sizeof(db), "%s.db", src);
	assert_int_equal(utimensat(AT_FDCWD, db, ts, 0), 0);
	ts[0].tv_sec = ts[1].tv_sec = now - 3600;
	assert_int_equal(utimensat(AT_FDCWD, src, ts, 0), 0);
}

static void
test_real_probe(void **state)
{
	(void)state;
	need_postfix();
	char spec[160], *why;
	write_file("main.cf", "compatibility_level = 3.6\n");
	write_file("bad.re", "/foo(/ REJECT\n");
	write_file("good.re", "/^foo$/ REJECT\n");
	struct pfa_postfix *pf = pfa_postfix_new(dir, "/usr/sbin");

	/* postmap warns about the bad line; Postfix skips that rule */
	snprintf(spec, sizeof(spec), "regexp:%s/bad.re", dir);
	assert_int_equal(pfa_loadcheck_probe_postmap(pf, spec, &why), 0);
	assert_null(why);

	snprintf(spec, sizeof(spec), "hash:%s/missing", dir);
	assert_int_equal(pfa_loadcheck_probe_postmap(pf, spec, &why), -1);
	print_message("  %s: %s\n", spec, why);
	assert_non_null(strstr(why, "fatal: open database"));
	free(why);

	/* not found (exit status 1) is fine */
	snprintf(spec, sizeof(spec), "regexp:%s/good.re", dir);
	assert_int_equal(pfa_loadcheck_probe_postmap(pf, spec, &why), 0);
	assert_null(why);

	/* a database older than its source opens and answers */
	make_stale(pf);
	snprintf(spec, sizeof(spec), "hash:%s/stale", dir);
	assert_int_equal(pfa_loadcheck_probe_postmap(pf, spec, &why), 1);
	print_message("  %s: %s\n", spec, why);
	assert_non_null(strstr(why, "older than source"));
	free(why);

	/* through the checks: neither blocks */
	char spec2[160];
	snprintf(spec2, sizeof(spec2), "regexp:%s/bad.re", dir);
	set("header_checks", NULL, spec2);
	set("transport_maps", NULL, spec);
	assert_int_equal(pfa_loadcheck(&v, pfa_loadcheck_probe_postmap, pf,
	    &res), 0);
	const struct pfa_finding *f = expect("PFA-LOAD-018", spec);
	assert_string_equal(f->remedy, "pfagent run rebuild-maps");
	assert_int_equal(res.nfindings, 1);

	/* a table that does not open does */
	pfa_result_free(&res);
	pfa_result_init(&res);
	snprintf(spec, sizeof(spec), "regexp:%s/missing.re", dir);
	set("header_checks", NULL, spec);
	assert_int_equal(pfa_loadcheck(&v, pfa_loadcheck_probe_postmap, pf,
	    &res), 1);
	f = expect("PFA-LOAD-008", spec);
	assert_non_null(strstr(f->remedy, "postmap -q test regexp:"));
	pfa_postfix_free(pf);
}

static void
test_gate(void **state)
{
	(void)state;
	need_postfix();
	char text[512];
	snprintf(text, sizeof(text), "compatibility_level = 3.6\n"
	    "message_size_limit = 10m\n"
	    "transport_maps = hash:%s/missing\n"
	    "smtpd_relay_restrictions = permit_mynetwroks, "
	    "defer_unauth_destination\n", dir);
	write_file("main.cf", text);
	write_file("master.cf", "smtp inet n - n - - smtpd\n"
	    "local unix - n n - - local\n");
	write_file("bad.re", "/foo(/ REJECT\n");
	struct pfa_postfix *pf = pfa_postfix_new(dir, "/usr/sbin");
	int n = pfa_loadcheck_gate(pf, &res);
	for (size_t i = 0; i < res.nfindings; i++)
		print_message("  %s %s: %s\n", res.findings[i].id,
		    res.findings[i].subject, res.findings[i].message);
	assert_int_equal(n, 2);
	expect("PFA-LOAD-001", "message_size_limit");
	expect("PFA-LOAD-004", "smtpd_relay_restrictions");
	/* postmap dies of main.cf's bad number first: not the table's
	 * fault, and PFA-LOAD-001 said it already */
	assert_int_equal(count("PFA-LOAD-008"), 0);
	assert_int_equal(count("PFA-LOAD-017"), 0);
	pfa_postfix_free(pf);

	pfa_result_free(&res);
	pfa_result_init(&res);
	/* a regexp table's bad line and a '#' in a value do not block */
	snprintf(text, sizeof(text), "compatibility_level = 3.6\n"
	    "header_checks = regexp:%s/bad.re\n"
	    "transport_maps = hash:%s/missing\n"
	    "smtpd_banner = $myhostname ESMTP # hidden\n"
	    "smtpd_relay_restrictions = permit_mynetwroks, "
	    "defer_unauth_destination\n", dir, dir);
	write_file("main.cf", text);
	pf = pfa_postfix_new(dir, "/usr/sbin");
	assert_int_equal(pfa_loadcheck_gate(pf, &res), 2);
	char spec[160];
	snprintf(spec, sizeof(spec), "hash:%s/missing", dir);
	expect("PFA-LOAD-008", spec);
	expect("PFA-LOAD-009", "smtpd_banner");
	assert_int_equal(count("PFA-LOAD-008"), 1);
	expect("PFA-LOAD-004", "smtpd_relay_restrictions");
	assert_int_equal(count("PFA-LOAD-017"), 0);
	pfa_postfix_free(pf);

	/* what no single check knows (a number below its minimum, a
	 * missing myorigin file), every Postfix program dies of */
	pfa_result_free(&res);
	pfa_result_init(&res);
	write_file("main.cf", "compatibility_level = 3.6\n"
	    "line_length_limit = 100\n");
	pf = pfa_postfix_new(dir, "/usr/sbin");
	assert_int_equal(pfa_loadcheck_gate(pf, &res), 1);
	const struct pfa_finding *f = expect("PFA-LOAD-017", dir);
	print_message("  %s\n", f->message);
	assert_non_null(strstr(f->message, "line_length_limit"));
	pfa_postfix_free(pf);

	/* a configuration that cannot be read blocks too */
	pfa_result_free(&res);
	pfa_result_init(&res);
	char missing[128];
	snprintf(missing, sizeof(missing), "%s/no-such-dir", dir);
	pf = pfa_postfix_new(missing, "/usr/sbin");
	assert_int_equal(pfa_loadcheck_gate(pf, &res), 1);
	expect("PFA-LOAD-016", missing);
	pfa_postfix_free(pf);
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_int_bad),
		T(test_remedy_keeps_intent),
		T(test_int_good),
		T(test_time),
		T(test_bool),
		T(test_service_override_value),
		T(test_restriction_misspelt),
		T(test_restriction_good),
		T(test_restriction_arguments),
		T(test_restriction_class),
		T(test_restriction_service),
		T(test_table_type),
		T(test_tables_probe),
		T(test_comment),
		T(test_tls_protocols),
		T(test_tls_ciphers),
		T(test_sizes),
		T(test_sizes_services),
		T(test_sizes_unused),
		T(test_relay_guard),
		T(test_relay_guard_service),
		T(test_rules_table),
		cmocka_unit_test_setup_teardown(test_real_probe, setup_dir,
		    teardown_dir),
		cmocka_unit_test_setup_teardown(test_gate, setup_dir,
		    teardown_dir),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
